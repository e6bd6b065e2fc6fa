//! A JSON body seen as a parser sees it: escapes such as `\u0041` hide a secret from a
//! scan of the text, and come undone as soon as a report pretty-prints the body.

use serde_json::Value;

use super::Redactor;

impl Redactor {
    /// The body with each decoded string or key that holds a secret redacted, written
    /// again as JSON; None when it is no JSON or nothing decoded holds a secret.
    pub(super) fn json_secrets_out(&self, text: &str) -> Option<String> {
        let mut json: Value = serde_json::from_str(text).ok()?;
        self.strings_out(&mut json).then(|| json.to_string())
    }

    /// Redacts in place; true when anything changed.
    fn strings_out(&self, value: &mut Value) -> bool {
        match value {
            Value::String(s) => self.string_out(s),
            Value::Array(items) => {
                // Every item, not just up to the first change.
                let mut changed = false;
                for item in items {
                    changed |= self.strings_out(item);
                }
                changed
            }
            Value::Object(map) => {
                let mut changed = false;
                let entries = std::mem::take(map);
                for (mut key, mut item) in entries {
                    changed |= self.string_out(&mut key);
                    changed |= self.strings_out(&mut item);
                    map.insert(key, item);
                }
                changed
            }
            _ => false,
        }
    }

    fn string_out(&self, text: &mut String) -> bool {
        if !self.holds_secret(text.as_bytes()) {
            return false;
        }
        *text = self.secrets_out(text);
        true
    }
}

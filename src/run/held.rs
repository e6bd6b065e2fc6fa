//! What the run holds on the target right now: created and not yet seen gone. Shared by
//! every scenario's ledger, so a second interrupt that quits at once can still say what
//! it leaves behind.

use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Default)]
pub struct Held(Arc<Mutex<Vec<String>>>);

impl Held {
    /// `what`: a resource URL, or the description of a create whose answer was lost.
    pub fn hold(&self, what: &str) {
        let mut held = self.lock();
        if !held.iter().any(|h| h == what) {
            held.push(what.to_owned());
        }
    }

    pub fn release(&self, what: &str) {
        self.lock().retain(|h| h != what);
    }

    /// Everything held, in the order it was created.
    pub fn list(&self) -> Vec<String> {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<String>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn held_resources_are_listed_until_released() {
        let held = Held::default();
        let other = held.clone();
        held.hold("http://h/Users/1");
        held.hold("http://h/Users/2");
        held.hold("http://h/Users/1");
        other.release("http://h/Users/1");
        assert_eq!(held.list(), vec!["http://h/Users/2"]);
    }
}

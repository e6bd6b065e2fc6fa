//! "Did you mean ...": the closest valid word to a misspelt one.

/// The candidate closest to `word` (case-insensitive edit distance, a swap of two
/// neighbouring letters counting as one edit), or `None` when nothing is close enough to
/// be a plausible typo. Ties go to the earlier candidate.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let word: Vec<char> = word.to_lowercase().chars().collect();
    if word.is_empty() {
        return None;
    }
    let limit = (word.len() / 3).max(1);
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        let lowered: Vec<char> = candidate.to_lowercase().chars().collect();
        let distance = edit_distance(&word, &lowered);
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Optimal string alignment distance: insertions, deletions, substitutions and
/// transpositions of adjacent characters.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let width = b.len() + 1;
    let mut rows = vec![0usize; (a.len() + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    for i in 0..=a.len() {
        rows[at(i, 0)] = i;
    }
    for j in 0..=b.len() {
        rows[at(0, j)] = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[at(i - 1, j)] + 1)
                .min(rows[at(i, j - 1)] + 1)
                .min(rows[at(i - 1, j - 1)] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[at(i - 2, j - 2)] + 1);
            }
            rows[at(i, j)] = d;
        }
    }
    rows[at(a.len(), b.len())]
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    const EXPECT_KEYS: [&str; 4] = ["status", "headers", "schema", "body"];

    #[test]
    fn a_swapped_pair_of_letters_is_one_edit() {
        assert_eq!(did_you_mean("stauts", EXPECT_KEYS), Some("status"));
    }

    #[test]
    fn case_does_not_count() {
        assert_eq!(did_you_mean("Headers", EXPECT_KEYS), Some("headers"));
    }

    #[test]
    fn a_missing_letter_is_found() {
        assert_eq!(did_you_mean("schma", EXPECT_KEYS), Some("schema"));
    }

    #[test]
    fn an_unrelated_word_has_no_suggestion() {
        assert_eq!(did_you_mean("timeout", EXPECT_KEYS), None);
        assert_eq!(did_you_mean("", EXPECT_KEYS), None);
    }

    #[test]
    fn short_words_allow_one_edit_only() {
        assert_eq!(did_you_mean("ib", ["id", "title"]), Some("id"));
        assert_eq!(did_you_mean("xy", ["id"]), None);
    }

    #[test]
    fn the_closest_candidate_wins() {
        assert_eq!(did_you_mean("patc", ["path", "patch"]), Some("path"));
        assert_eq!(did_you_mean("patchh", ["path", "patch"]), Some("patch"));
    }
}

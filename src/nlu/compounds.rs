//! The stems of service words, with compounds split against a company's own vocabulary
//! (`Männerhaarschnitt` → herr + haar + schnitt, `Arbeitsvertrag` → arbeit + vertrag).
//!
//! A part of a compound is known when it is an irregular form or its light stem is in the
//! vocabulary, so no known part is longer than the longest vocabulary stem plus an ending.
//! Splitting tries only cuts that leave parts of such lengths: the work per word grows with
//! the word's length times that bound, never with the cube of the word's length, whatever a
//! caller (through the voice model) puts into one word.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::LazyLock;

/// Spellings and inflections that mean the same thing in service names: forms → stems.
const IRREGULAR: &[(&[&str], &[&str])] = &[
    (
        &[
            "herren",
            "herrn",
            "herr",
            "mann",
            "manner",
            "manns",
            "men",
            "man",
            "male",
            "gentlemen",
            "gents",
            "gentleman",
            "jungs",
        ],
        &["herr"],
    ),
    (&["damen", "dame", "frau", "frauen", "women", "woman", "ladies", "lady", "female"], &["dam"]),
    (&["kinder", "kind", "kids", "kid", "child", "children"], &["kind"]),
    (&["haare", "haar", "haaren", "hair"], &["haar"]),
    (&["haircut"], &["haar", "schnitt"]),
    (&["schneiden", "schnitt", "geschnitten", "schneide", "cut", "cutting", "schnitte"], &["schnitt"]),
    (&["farben", "farbe", "farbung", "gefarbt", "color", "colour", "coloring", "dye", "farb"], &["farb"]),
    (&["waschen", "wasche", "wash", "gewaschen"], &["wasch"]),
    (&["fohnen", "fonen", "fohn", "blowdry", "geföhnt", "gefohnt"], &["fohn"]),
    (&["trimmen", "trim", "trimming", "getrimmt", "stutzen"], &["trimm"]),
    (&["massage", "massagen", "massieren", "massiert"], &["massag"]),
    (&["nagel", "nails", "nail"], &["nagel"]),
    (&["fuss", "fusse", "feet", "foot"], &["fuss"]),
    (&["wimpern", "wimper", "lashes", "lash"], &["wimper"]),
    (&["augenbrauen", "augenbraue", "brauen", "braue", "brows", "brow", "eyebrows"], &["braue"]),
    (&["reifen", "tyres", "tires", "tyre", "tire", "rader", "rad"], &["reif"]),
    (&["wechseln", "wechsel", "tauschen", "change"], &["wechsel"]),
];

static IRREGULAR_FORMS: LazyLock<HashMap<&str, &[&str]>> = LazyLock::new(|| {
    let mut forms = HashMap::new();
    for (words, stems) in IRREGULAR {
        for w in *words {
            forms.entry(*w).or_insert(*stems);
        }
    }
    forms
});

fn irregular(word: &str) -> Option<&'static [&'static str]> {
    IRREGULAR_FORMS.get(word).copied()
}

/// Morphemes of the industries' service names, so compounds split even when no synonym spells
/// them out.
const MORPHEMES: &[&str] = &[
    "herr",
    "dam",
    "kind",
    "haar",
    "schnitt",
    "bart",
    "farb",
    "wasch",
    "fohn",
    "trimm",
    "nagel",
    "fuss",
    "gesicht",
    "behandl",
    "pfleg",
    "massag",
    "therapi",
    "lymph",
    "drainag",
    "kranken",
    "gymnastik",
    "manuell",
    "impf",
    "blut",
    "vorsorg",
    "untersuch",
    "reif",
    "wechsel",
    "ol",
    "wimper",
    "braue",
    "lift",
    "beratung",
    "vertrag",
    "prufung",
    "training",
    "probe",
    "plan",
    "erstell",
    "reinig",
    "entfern",
    "termin",
    "sprech",
    "stund",
    "verlanger",
    "folg",
];

/// Common German and English endings, the first that leaves a stem of three letters removed.
const ENDINGS: [&str; 10] = ["ungen", "innen", "ung", "ing", "en", "er", "es", "e", "n", "s"];

/// `word` without its ending (see [`ENDINGS`]), or `word` itself.
fn base(word: &str) -> &str {
    ENDINGS.iter().find_map(|ending| word.strip_suffix(ending).filter(|b| b.chars().nth(2).is_some())).unwrap_or(word)
}

/// The first two letters of `text`, if it has two.
fn opening(text: &str) -> Option<[char; 2]> {
    let mut letters = text.chars();
    Some([letters.next()?, letters.next()?])
}

/// A light stem: the irregular table, else common German/English endings removed.
pub(super) fn stem(word: &str) -> Vec<String> {
    match irregular(word) {
        Some(stems) => stems.iter().map(|s| s.to_string()).collect(),
        None => vec![base(word).to_string()],
    }
}

/// The stems a company's service words are made of.
pub(super) struct Vocabulary {
    stems: HashSet<String>,
    /// No known part has more letters: its stem is in `stems` or it is an irregular form.
    longest: usize,
    /// The first two letters of every known part of two or more letters.
    openings: HashSet<[char; 2]>,
}

impl Vocabulary {
    /// The vocabulary of `words` (folded, without stop words) and the industries' morphemes.
    pub(super) fn new<'a>(words: impl IntoIterator<Item = &'a str>) -> Vocabulary {
        let mut stems: HashSet<String> =
            MORPHEMES.iter().flat_map(|m| stem(m).into_iter().chain([m.to_string()])).collect();
        for w in words {
            stems.extend(stem(w));
        }
        let ending = ENDINGS.iter().map(|e| e.chars().count()).max().unwrap_or(0);
        let stem_longest = stems.iter().map(|s| s.chars().count()).max().unwrap_or(0);
        let irregular_longest = IRREGULAR_FORMS.keys().map(|f| f.chars().count()).max().unwrap_or(0);
        // A known part is an irregular form, or its stem with an ending — and a stem that lost
        // an ending keeps three letters: the part opens as its stem does.
        let openings =
            stems.iter().map(String::as_str).chain(IRREGULAR_FORMS.keys().copied()).filter_map(opening).collect();
        Vocabulary { stems, longest: (stem_longest + ending).max(irregular_longest), openings }
    }

    /// Whether some known part could begin `text`: a cheap test that rules out most cuts.
    fn may_open(&self, text: &str) -> bool {
        #[cfg(test)]
        tests::LOOKUPS.with(|n| n.set(n.get() + 1));
        opening(text).is_none_or(|o| self.openings.contains(&o))
    }

    /// The stems of `part` when it is known: an irregular form, or a stem in the vocabulary.
    fn known(&self, part: &str) -> Option<Vec<String>> {
        #[cfg(test)]
        tests::LOOKUPS.with(|n| n.set(n.get() + 1));
        if let Some(stems) = irregular(part) {
            return Some(stems.iter().map(|s| s.to_string()).collect());
        }
        let base = base(part);
        self.stems.contains(base).then(|| vec![base.to_string()])
    }

    /// Splits a compound into known parts (at most `depth + 1`, with an optional linking `s`),
    /// trying the longest known head first. A split wins over the whole word: the vocabulary
    /// holds compounds too (a synonym `Männerhaarschnitt`), and only their parts meet the parts
    /// of other spellings.
    fn split(&self, word: &str, depth: usize) -> Option<Vec<String>> {
        // Every head begins as the word does.
        if !self.may_open(word) {
            return None;
        }
        if depth > 0 && word.len() >= 6 {
            let letters = word.chars().count();
            // A head of more than `longest` letters cannot be known: those cuts are not tried.
            let cuts: Vec<usize> = word.char_indices().map(|(at, _)| at).take(self.longest + 1).collect();
            for cut in (2..letters.saturating_sub(1).min(self.longest + 1)).rev() {
                let (head, tail) = word.split_at(cuts[cut]);
                let Some(mut parts) = self.known(head) else { continue };
                if let Some(rest) = self.split_tail(tail, depth - 1) {
                    parts.extend(rest);
                    return Some(parts);
                }
            }
        }
        self.known(word)
    }

    /// The rest of a compound, with or without a linking `s`.
    fn split_tail(&self, tail: &str, depth: usize) -> Option<Vec<String>> {
        self.split(tail, depth).or_else(|| tail.strip_prefix('s').and_then(|t| self.split(t, depth)))
    }

    /// The stems of one word: its known parts; else an unknown head before a known tail
    /// (`Arbeits|vertrag`, `Sommer|reifen`); else its own stem.
    fn word_stems(&self, word: &str) -> Vec<String> {
        if let Some(parts) = self.split(word, 2) {
            return parts;
        }
        // A known tail is at most two known parts, each after an optional linking `s`: longer
        // tails (shorter heads) cannot split, and are not tried.
        let cuts: Vec<usize> = word.char_indices().map(|(at, _)| at).collect();
        let shortest_head = cuts.len().saturating_sub(2 * self.longest + 2).max(3);
        for &at in cuts.iter().take(cuts.len().saturating_sub(3)).skip(shortest_head) {
            let (head, tail) = word.split_at(at);
            if let Some(rest) = self.split_tail(tail, 1) {
                let mut parts = stem(head.trim_end_matches('s'));
                parts.extend(rest);
                return parts;
            }
        }
        stem(word)
    }

    /// The stems of `words`, compounds split.
    pub(super) fn stems(&self, words: &[String]) -> BTreeSet<String> {
        words.iter().flat_map(|w| self.word_stems(w)).collect()
    }
}

#[cfg(test)]
pub(super) mod tests {
    use std::cell::Cell;

    use proptest::prelude::*;

    use super::*;

    thread_local! {
        /// Vocabulary look-ups made on this thread: the unit of work of splitting.
        pub(crate) static LOOKUPS: Cell<u64> = const { Cell::new(0) };
    }

    fn salon() -> Vocabulary {
        let words = ["herrenhaarschnitt", "damenhaarschnitt", "bart", "trimmen", "farben", "mannerhaarschnitt"];
        Vocabulary::new(words.into_iter().chain(["waschen", "schneiden", "fohnen", "tonung", "arbeitsvertrag"]))
    }

    fn lookups_for(vocabulary: &Vocabulary, word: &str) -> u64 {
        LOOKUPS.with(|n| n.set(0));
        vocabulary.word_stems(word);
        LOOKUPS.with(Cell::get)
    }

    #[test]
    fn compounds_split_against_the_vocabulary() {
        let v = salon();
        let stems = v.stems(&["mannerhaarschnitt".to_string()]);
        assert_eq!(stems.into_iter().collect::<Vec<_>>(), ["haar", "herr", "schnitt"]);
        let stems = v.stems(&["haare", "schneiden", "herren"].map(String::from));
        assert_eq!(stems.into_iter().collect::<Vec<_>>(), ["haar", "herr", "schnitt"]);
        let stems = v.stems(&["sommerreifen".to_string()]);
        assert_eq!(stems.into_iter().collect::<Vec<_>>(), ["reif", "somm"]);
    }

    /// Cubic splitting made a word of 8,000 letters cost half a minute: the look-ups for a word
    /// twice as long must be about twice as many, whatever the letters.
    #[test]
    fn splitting_work_grows_linearly_with_the_word() {
        let v = salon();
        type Word = fn(usize) -> String;
        let kinds: [(&str, Word); 4] = [
            ("one letter", |n| "s".repeat(n)),
            ("one part", |n| "haar".repeat(n / 4)),
            ("compounds", |n| "herrenhaarschnitts".repeat(n / 18) + "x"),
            ("noise", noise),
        ];
        for (kind, word) in kinds {
            let (short, long) = (lookups_for(&v, &word(400)), lookups_for(&v, &word(800)));
            assert!(long <= short * 5 / 2, "{kind}: {short} look-ups at 400 letters, {long} at 800");
        }
    }

    /// `n` pseudo-random lowercase letters.
    pub(crate) fn noise(n: usize) -> String {
        let mut x: u32 = 7;
        (0..n)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                char::from(b'a' + (x >> 16) as u8 % 26)
            })
            .collect()
    }

    /// The splitting as it was before its cuts were bounded (cubic in the word's length).
    fn unbounded_split(v: &Vocabulary, word: &str, depth: usize) -> Option<Vec<String>> {
        if depth > 0 && word.len() >= 6 {
            let chars: Vec<(usize, char)> = word.char_indices().collect();
            for cut in (2..chars.len().saturating_sub(1)).rev() {
                let (head, tail) = word.split_at(chars[cut].0);
                let Some(mut parts) = v.known(head) else { continue };
                let rest = unbounded_split(v, tail, depth - 1)
                    .or_else(|| tail.strip_prefix('s').and_then(|t| unbounded_split(v, t, depth - 1)));
                if let Some(rest) = rest {
                    parts.extend(rest);
                    return Some(parts);
                }
            }
        }
        v.known(word)
    }

    fn unbounded_word_stems(v: &Vocabulary, word: &str) -> Vec<String> {
        if let Some(parts) = unbounded_split(v, word, 2) {
            return parts;
        }
        let cuts: Vec<usize> = word.char_indices().map(|(at, _)| at).collect();
        for &at in cuts.iter().take(cuts.len().saturating_sub(3)).skip(3) {
            let (head, tail) = word.split_at(at);
            let rest =
                unbounded_split(v, tail, 1).or_else(|| tail.strip_prefix('s').and_then(|t| unbounded_split(v, t, 1)));
            if let Some(rest) = rest {
                let mut parts = stem(head.trim_end_matches('s'));
                parts.extend(rest);
                return parts;
            }
        }
        stem(word)
    }

    proptest! {
        /// Bounding the cuts changes no split: words made of known parts, linking letters,
        /// endings and noise split as they did.
        #[test]
        fn bounded_splitting_splits_as_before(
            pieces in proptest::collection::vec(
                prop_oneof![
                    Just("herren"), Just("haar"), Just("schnitt"), Just("s"), Just("en"), Just("arbeits"),
                    Just("vertrag"), Just("reifen"), Just("sommer"), Just("bart"), Just("ungen"), Just("x"),
                    Just("gentlemen"), Just("augenbrauen"), Just("e"), Just("tonung"), Just("wasch"),
                ],
                1..9,
            ),
        ) {
            let v = salon();
            let word = pieces.concat();
            prop_assert_eq!(v.word_stems(&word), unbounded_word_stems(&v, &word), "{}", word);
        }
    }
}

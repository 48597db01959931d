//! What counts in a spoken phrase for service matching: its folded words without stop words
//! and numbers — and the caps on a phrase that is matched at all.

use super::lexicon::fold;

/// Words that carry no service meaning in a booking request.
const STOP_WORDS: &[&str] = &[
    "ich",
    "mochte",
    "mocht",
    "gerne",
    "gern",
    "einen",
    "eine",
    "ein",
    "einem",
    "einer",
    "termin",
    "termine",
    "fur",
    "zum",
    "zur",
    "bitte",
    "hatte",
    "wurde",
    "mal",
    "den",
    "die",
    "das",
    "der",
    "dem",
    "des",
    "und",
    "oder",
    "mit",
    "also",
    "ah",
    "ahm",
    "ja",
    "hallo",
    "guten",
    "tag",
    "bei",
    "beim",
    "brauche",
    "brauchen",
    "wieder",
    "noch",
    "mir",
    "mich",
    "lassen",
    "machen",
    "mach",
    "gemacht",
    "vereinbaren",
    "buchen",
    "wollte",
    "will",
    "kann",
    "konnte",
    "ist",
    "es",
    "so",
    "nur",
    "auch",
    "gibt",
    "habe",
    "haben",
    "wir",
    "sie",
    "euch",
    "ihnen",
    "am",
    "um",
    "im",
    "in",
    "an",
    "a",
    "the",
    "for",
    "i",
    "would",
    "like",
    "appointment",
    "please",
    "to",
    "book",
    "need",
    "want",
    "get",
    "my",
    "me",
    "some",
    "an",
    "and",
    "of",
    "neuen",
    "neue",
    "neuer",
    "nachsten",
    "kurz",
    "schnell",
    "einfach",
    "liebsten",
    "vielleicht",
    "dann",
    "eigentlich",
    "mein",
    "meine",
    "meinen",
    "meinem",
    "meiner",
    "wegen",
    "was",
    "wie",
    "viel",
    "kostet",
    "kosten",
    "preis",
    "what",
    "how",
    "much",
    "does",
    "cost",
    "price",
    "is",
    "it",
    "do",
    "you",
    "have",
    "offer",
    "bieten",
    "ihr",
    "gerne",
    "muss",
    "musste",
    "soll",
    "sollte",
];

/// The most characters of a phrase that is matched, as many as a service name may have.
pub const MAX_PHRASE_CHARS: usize = 200;
/// The most words of a phrase that is matched.
pub const MAX_PHRASE_WORDS: usize = 24;
/// The most letters of one word of a phrase that is matched (after folding).
pub const MAX_WORD_CHARS: usize = 48;

/// Whether `phrase` is within the caps on what is matched. No spoken service phrase comes near
/// them (the labelled phrases of every industry have at most 46 characters, 6 words and 20
/// letters a word); past them a phrase matches nothing, so that no caller, through the voice
/// model, can make matching cost more than a few milliseconds.
pub fn within_caps(phrase: &str) -> bool {
    spoken_words(phrase).is_some()
}

/// The folded words of a phrase that count (see [`words`]), or `None` past a cap.
pub(super) fn spoken_words(phrase: &str) -> Option<Vec<String>> {
    // Bytes first: refusing a megabyte costs nothing.
    if phrase.len() > 4 * MAX_PHRASE_CHARS || phrase.chars().count() > MAX_PHRASE_CHARS {
        return None;
    }
    let folded = fold(phrase);
    let all: Vec<&str> = folded.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    if all.len() > MAX_PHRASE_WORDS || all.iter().any(|w| w.chars().count() > MAX_WORD_CHARS) {
        return None;
    }
    Some(meaningful(all))
}

/// Folded words of a text, without stop words, numbers or punctuation.
pub(super) fn words(text: &str) -> Vec<String> {
    meaningful(fold(text).split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect())
}

fn meaningful(words: Vec<&str>) -> Vec<String> {
    words
        .into_iter()
        .filter(|w| !w.chars().all(|c| c.is_ascii_digit()) && !STOP_WORDS.contains(w))
        .map(str::to_string)
        .collect()
}

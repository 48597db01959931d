//! Words the language features understand: normalisation, number words (cardinal and ordinal,
//! German and English), weekdays, months, and a tolerant lookup for misspellings.

use std::collections::HashMap;
use std::sync::LazyLock;

/// Lowercases and folds German spellings so `Übermorgen`, `uebermorgen` and `Ubermorgen` meet:
/// ä/ae→a, ö/oe→o, ü/ue→u, ß→ss. Apply it to keywords and input alike.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut prev: Option<char> = None;
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            'ä' | 'à' | 'á' | 'â' => out.push('a'),
            'ö' | 'ó' | 'ô' => out.push('o'),
            'ü' | 'ú' | 'û' => out.push('u'),
            'é' | 'è' | 'ê' => out.push('e'),
            'ß' => out.push_str("ss"),
            'e' if matches!(prev, Some('a' | 'o' | 'u')) && !out.ends_with("qu") => {
                // `ae`, `oe`, `ue` are the ASCII spellings of umlauts; drop the e.
                prev = Some('e');
                continue;
            }
            _ => out.push(c),
        }
        prev = Some(c);
    }
    out
}

const GERMAN_UNITS: [&str; 10] = ["", "ein", "zwei", "drei", "vier", "funf", "sechs", "sieben", "acht", "neun"];
const GERMAN_TEENS: [&str; 10] =
    ["zehn", "elf", "zwolf", "dreizehn", "vierzehn", "funfzehn", "sechzehn", "siebzehn", "achtzehn", "neunzehn"];
const GERMAN_TENS: [&str; 6] = ["", "", "zwanzig", "dreissig", "vierzig", "funfzig"];
const ENGLISH_UNITS: [&str; 20] = [
    "",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const ENGLISH_TENS: [&str; 6] = ["", "", "twenty", "thirty", "forty", "fifty"];
const ENGLISH_ORDINALS: [&str; 20] = [
    "",
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
];

/// German cardinal words 0–59 in folded form (`eins`, `zwolf`, `dreiundzwanzig`, …).
fn german_cardinals() -> Vec<(String, u32)> {
    let mut words = vec![
        ("null".to_string(), 0),
        ("eins".to_string(), 1),
        ("eine".to_string(), 1),
        ("einen".to_string(), 1),
        ("einem".to_string(), 1),
        ("einer".to_string(), 1),
    ];
    for n in 1..60u32 {
        let word = match n {
            1..=9 => GERMAN_UNITS[n as usize].to_string(),
            10..=19 => GERMAN_TEENS[(n - 10) as usize].to_string(),
            _ if n % 10 == 0 => GERMAN_TENS[(n / 10) as usize].to_string(),
            _ => format!("{}und{}", GERMAN_UNITS[(n % 10) as usize], GERMAN_TENS[(n / 10) as usize]),
        };
        words.push((word, n));
    }
    words.push(("sechzehn".into(), 16));
    words.push(("siebzehn".into(), 17));
    words
}

/// German ordinal stems 1–31 (`erst`, `dritt`, `einundzwanzigst`); inflected forms add e/en/er/es/em.
fn german_ordinal_stems() -> Vec<(String, u32)> {
    let mut stems = Vec::new();
    for n in 1..=31u32 {
        let stem = match n {
            1 => "erst".to_string(),
            3 => "dritt".to_string(),
            7 => "siebt".to_string(),
            8 => "acht".to_string(),
            2..=19 => {
                let base = if n < 10 { GERMAN_UNITS[n as usize] } else { GERMAN_TEENS[(n - 10) as usize] };
                format!("{base}t")
            }
            _ if n % 10 == 0 => format!("{}st", GERMAN_TENS[(n / 10) as usize]),
            _ => format!("{}und{}st", GERMAN_UNITS[(n % 10) as usize], GERMAN_TENS[(n / 10) as usize]),
        };
        stems.push((stem, n));
    }
    stems.push(("siebent".into(), 7));
    stems
}

static CARDINALS: LazyLock<HashMap<String, u32>> = LazyLock::new(|| {
    let mut map: HashMap<String, u32> = german_cardinals().into_iter().collect();
    for n in 1..60u32 {
        let word = if n < 20 {
            ENGLISH_UNITS[n as usize].to_string()
        } else if n % 10 == 0 {
            ENGLISH_TENS[(n / 10) as usize].to_string()
        } else {
            format!("{}{}", ENGLISH_TENS[(n / 10) as usize], ENGLISH_UNITS[(n % 10) as usize])
        };
        map.insert(word, n);
    }
    map.insert("a".into(), 1);
    map.insert("an".into(), 1);
    map
});

static ORDINALS: LazyLock<HashMap<String, u32>> = LazyLock::new(|| {
    let mut map = HashMap::new();
    for (stem, n) in german_ordinal_stems() {
        for ending in ["e", "en", "er", "es", "em"] {
            map.insert(format!("{stem}{ending}"), n);
        }
    }
    for n in 1..=31u32 {
        let word = if n < 20 {
            ENGLISH_ORDINALS[n as usize].to_string()
        } else if n % 10 == 0 {
            format!("{}ieth", &ENGLISH_TENS[(n / 10) as usize][..ENGLISH_TENS[(n / 10) as usize].len() - 1])
        } else {
            format!("{}{}", ENGLISH_TENS[(n / 10) as usize], ENGLISH_ORDINALS[(n % 10) as usize])
        };
        map.insert(word, n);
    }
    map
});

/// A cardinal number word (`drei`, `zwolf`, `twenty`), folded.
pub fn cardinal(word: &str) -> Option<u32> {
    CARDINALS.get(word).copied()
}

/// An ordinal number word (`dritten`, `ersten`, `third`, `twentyfirst`), folded.
pub fn ordinal(word: &str) -> Option<u32> {
    ORDINALS.get(word).copied()
}

/// Weekday index (0 = Monday) for a folded word, tolerating one typo in longer names.
pub fn weekday(word: &str) -> Option<u32> {
    const NAMES: [(&str, u32); 16] = [
        ("montag", 0),
        ("dienstag", 1),
        ("mittwoch", 2),
        ("donnerstag", 3),
        ("freitag", 4),
        ("samstag", 5),
        ("sonnabend", 5),
        ("sonntag", 6),
        ("monday", 0),
        ("tusday", 1),
        ("wednesday", 2),
        ("thursday", 3),
        ("friday", 4),
        ("saturday", 5),
        ("sunday", 6),
        ("tuesday", 1),
    ];
    let word = word.strip_suffix('s').filter(|w| w.len() >= 6).unwrap_or(word);
    lookup(&NAMES, word, 7)
}

/// Month number (1–12) for a folded word or abbreviation.
pub fn month(word: &str) -> Option<u32> {
    const NAMES: [(&str, u32); 36] = [
        ("januar", 1),
        ("janner", 1),
        ("january", 1),
        ("jan", 1),
        ("februar", 2),
        ("february", 2),
        ("feb", 2),
        ("marz", 3),
        ("march", 3),
        ("mar", 3),
        ("mrz", 3),
        ("april", 4),
        ("apr", 4),
        ("mai", 5),
        ("may", 5),
        ("juni", 6),
        ("june", 6),
        ("jun", 6),
        ("juli", 7),
        ("july", 7),
        ("jul", 7),
        ("august", 8),
        ("aug", 8),
        ("september", 9),
        ("sept", 9),
        ("sep", 9),
        ("oktober", 10),
        ("october", 10),
        ("okt", 10),
        ("oct", 10),
        ("november", 11),
        ("nov", 11),
        ("dezember", 12),
        ("december", 12),
        ("dez", 12),
        ("dec", 12),
    ];
    lookup(&NAMES, word, 7)
}

/// Exact match, else a match within one edit for words of at least `fuzzy_from` letters.
pub fn lookup(table: &[(&str, u32)], word: &str, fuzzy_from: usize) -> Option<u32> {
    if let Some((_, v)) = table.iter().find(|(w, _)| *w == word) {
        return Some(*v);
    }
    if word.chars().count() + 1 < fuzzy_from {
        return None;
    }
    table.iter().filter(|(w, _)| w.len() >= fuzzy_from).find(|(w, _)| within_one_edit(w, word)).map(|(_, v)| *v)
}

/// True when `a` becomes `b` by one insertion, deletion, substitution or adjacent swap.
pub fn within_one_edit(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a == b {
        return true;
    }
    let (la, lb) = (a.len(), b.len());
    if la.abs_diff(lb) > 1 {
        return false;
    }
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    match la.cmp(&lb) {
        std::cmp::Ordering::Equal => {
            a[prefix + 1..] == b[prefix + 1..]
                || (prefix + 1 < la
                    && a[prefix] == b[prefix + 1]
                    && a[prefix + 1] == b[prefix]
                    && a[prefix + 2..] == b[prefix + 2..])
        }
        std::cmp::Ordering::Less => a[prefix..] == b[prefix + 1..],
        std::cmp::Ordering::Greater => a[prefix + 1..] == b[prefix..],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_meets_umlaut_spellings() {
        assert_eq!(fold("Übermorgen"), "ubermorgen");
        assert_eq!(fold("uebermorgen"), "ubermorgen");
        assert_eq!(fold("Früh"), "fruh");
        assert_eq!(fold("frueh"), "fruh");
        assert_eq!(fold("dreißig"), "dreissig");
        assert_eq!(fold("März"), "marz");
        assert_eq!(fold("quarter"), "quarter");
    }

    #[test]
    fn number_words() {
        assert_eq!(cardinal("zwolf"), Some(12));
        assert_eq!(cardinal("dreiundzwanzig"), Some(23));
        assert_eq!(cardinal("funfundvierzig"), Some(45));
        assert_eq!(cardinal("twentyfive"), Some(25));
        assert_eq!(ordinal("ersten"), Some(1));
        assert_eq!(ordinal("dritten"), Some(3));
        assert_eq!(ordinal("zwanzigsten"), Some(20));
        assert_eq!(ordinal("einunddreissigsten"), Some(31));
        assert_eq!(ordinal("siebten"), Some(7));
        assert_eq!(ordinal("achten"), Some(8));
        assert_eq!(ordinal("third"), Some(3));
        assert_eq!(ordinal("twentieth"), Some(20));
        assert_eq!(ordinal("twentyfirst"), Some(21));
        assert_eq!(ordinal("acht"), None, "a cardinal is not an ordinal");
    }

    #[test]
    fn names_tolerate_one_typo() {
        assert_eq!(weekday("freitag"), Some(4));
        assert_eq!(weekday("freitags"), Some(4));
        assert_eq!(weekday("donerstag"), Some(3));
        assert_eq!(weekday("dienstga"), Some(1));
        assert_eq!(weekday("monat"), None, "month is not Monday");
        assert_eq!(month("dezember"), Some(12));
        assert_eq!(month("dezmber"), Some(12));
        assert_eq!(month("marz"), Some(3));
        assert!(within_one_edit("abc", "acb") && !within_one_edit("abc", "cab"));
    }
}

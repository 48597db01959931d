//! Matching a spoken phrase to one of a company's services.
//!
//! Every service name and synonym is prepared once into a [`Catalog`]: its folded words, its
//! compact form (no spaces or hyphens) and its set of stems, where compounds are split against
//! the company's own vocabulary (`Männerhaarschnitt` → herr + haar + schnitt). A phrase is
//! compared in falling order of certainty — exact name, exact synonym, compact form, same
//! stems, stems with extra words, then fuzzy similarity — and when two services score almost
//! alike the confidence drops, so that an ambiguous phrase falls below the threshold and the
//! agent asks instead of guessing.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Mutex;

use serde::Serialize;

use super::compounds::Vocabulary;
use super::phrase::{spoken_words, words};
pub use super::phrase::{within_caps, MAX_PHRASE_CHARS, MAX_PHRASE_WORDS, MAX_WORD_CHARS};

/// How a match was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchedBy {
    Name,
    Synonym,
    Fuzzy,
}

impl MatchedBy {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchedBy::Name => "name",
            MatchedBy::Synonym => "synonym",
            MatchedBy::Fuzzy => "fuzzy",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceMatch {
    pub service_id: i64,
    pub name: String,
    pub confidence: f64,
    pub matched_by: MatchedBy,
}

/// The least similarity (1 − edits / length) a fuzzy match needs.
const FUZZY_MIN: f64 = 0.8;

/// Edit similarity of two compact forms (optimal string alignment: typos, missing or doubled
/// letters, swapped neighbours), or `None` when they are too short or their lengths alone rule
/// out reaching [`FUZZY_MIN`].
fn similarity(a: &Compact, b: &Compact) -> Option<f64> {
    let longest = a.len.max(b.len) as f64;
    let allowed = longest * (1.0 - FUZZY_MIN);
    if a.len.min(b.len) < 5 || a.len.abs_diff(b.len) as f64 > allowed {
        return None;
    }
    // Each edit changes at most two letter counts: a cheap lower bound on the distance.
    let histogram_gap: u32 = a.letters.iter().zip(&b.letters).map(|(x, y)| u32::from(x.abs_diff(*y))).sum();
    if f64::from(histogram_gap.div_ceil(2)) > allowed {
        return None;
    }
    Some(1.0 - strsim::osa_distance(&a.text, &b.text) as f64 / longest)
}

/// A compact form (words run together) with what the fuzzy comparison needs precomputed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Compact {
    text: String,
    len: usize,
    letters: [u8; 32],
}

impl Compact {
    fn new(text: String) -> Compact {
        let mut letters = [0u8; 32];
        let mut len = 0;
        for c in text.chars() {
            len += 1;
            let slot = if c.is_ascii_lowercase() { (c as u8 - b'a') as usize } else { 26 + (c as usize % 6) };
            letters[slot] = letters[slot].saturating_add(1);
        }
        Compact { text, len, letters }
    }
}

/// Confidence of a phrase whose known stems point at one service only.
const DISTINCTIVE: f64 = 0.85;

struct Entry {
    service: usize,
    by: MatchedBy,
    text: String,
    compact: Compact,
    stems: BTreeSet<String>,
}

/// Phrases a catalog remembers the match of; beyond it, it forgets them all and starts again.
const MEMO: usize = 1024;

/// A company's services and synonyms, prepared for matching many phrases.
pub struct Catalog {
    services: Vec<(i64, String)>,
    entries: Vec<Entry>,
    vocabulary: Vocabulary,
    /// Phrases matched before: a company's callers (and its agent's flow) name the same few
    /// services over and over, and a catalog with thousands of synonyms is costly to rank.
    memo: Mutex<HashMap<String, Option<ServiceMatch>>>,
}

impl Catalog {
    /// `services` as `(id, name)`, `synonyms` as `(service_id, synonym)`; synonyms of unknown
    /// services are ignored.
    pub fn new(services: &[(i64, String)], synonyms: &[(i64, String)]) -> Catalog {
        let forms: Vec<(usize, MatchedBy, &str)> = services
            .iter()
            .enumerate()
            .map(|(i, (_, name))| (i, MatchedBy::Name, name.as_str()))
            .chain(synonyms.iter().filter_map(|(sid, syn)| {
                services.iter().position(|(id, _)| id == sid).map(|i| (i, MatchedBy::Synonym, syn.as_str()))
            }))
            .collect();
        let texts: Vec<Vec<String>> = forms.iter().map(|(_, _, text)| words(text)).collect();
        let vocabulary = Vocabulary::new(texts.iter().flatten().map(String::as_str));
        let entries = forms
            .iter()
            .zip(texts)
            .map(|(&(service, by, _), w)| {
                let stems = vocabulary.stems(&w);
                Entry { service, by, text: w.join(" "), compact: Compact::new(w.concat()), stems }
            })
            .collect();
        Catalog { services: services.to_vec(), entries, vocabulary, memo: Mutex::default() }
    }

    /// The best service for `phrase`, whatever its confidence; `None` past a cap
    /// ([`within_caps`]).
    pub fn best(&self, phrase: &str) -> Option<ServiceMatch> {
        // Refused before the memo, which keeps only phrases of a speakable length.
        if phrase.len() > 4 * MAX_PHRASE_CHARS {
            return None;
        }
        if let Some(known) = self.memo.lock().unwrap_or_else(|e| e.into_inner()).get(phrase) {
            return known.clone();
        }
        let found = self.rank(phrase);
        let mut memo = self.memo.lock().unwrap_or_else(|e| e.into_inner());
        if memo.len() >= MEMO {
            memo.clear();
        }
        memo.insert(phrase.to_string(), found.clone());
        found
    }

    /// Whether the match of `phrase` is remembered, so that [`Catalog::best`] is a look-up.
    pub fn remembers(&self, phrase: &str) -> bool {
        self.memo.lock().unwrap_or_else(|e| e.into_inner()).contains_key(phrase)
    }

    fn rank(&self, phrase: &str) -> Option<ServiceMatch> {
        let w = spoken_words(phrase)?;
        if w.is_empty() {
            return None;
        }
        let (text, compact, stems) = (w.join(" "), Compact::new(w.concat()), self.vocabulary.stems(&w));
        let mut best_per_service: Vec<Option<(f64, MatchedBy)>> = vec![None; self.services.len()];
        for e in &self.entries {
            let by_name = e.by == MatchedBy::Name;
            let scored = if e.text == text || e.compact == compact {
                Some((if by_name { 1.0 } else { 0.95 }, e.by))
            } else if !e.stems.is_empty() && e.stems == stems {
                Some((if by_name { 0.92 } else { 0.9 }, e.by))
            } else if !e.stems.is_empty() && e.stems.is_subset(&stems) {
                let extra = (stems.len() - e.stems.len()) as f64;
                // Each word the service does not explain costs: "Permanent Make-up entfernen" is not Make-up.
                Some(((0.9 - 0.08 * extra).max(0.3), e.by))
            } else {
                let common = e.stems.intersection(&stems).count() as f64;
                let partial = (common > 0.0).then(|| {
                    let coverage = common / e.stems.len() as f64;
                    let precision = common / stems.len().max(1) as f64;
                    (0.85 * coverage * precision.sqrt(), e.by)
                });
                let fuzzy = similarity(&compact, &e.compact)
                    .filter(|sim| *sim >= FUZZY_MIN)
                    .map(|sim| (0.95 * sim, MatchedBy::Fuzzy));
                match (partial, fuzzy) {
                    (Some(p), Some(f)) => Some(if f.0 > p.0 { f } else { p }),
                    (p, f) => p.or(f),
                }
            };
            if let Some((score, by)) = scored {
                let slot = &mut best_per_service[e.service];
                if slot.is_none_or(|(s, _)| score > s) {
                    *slot = Some((score, by));
                }
            }
        }
        if let Some(service) = self.distinctive(&stems) {
            let slot = &mut best_per_service[service];
            if slot.is_none_or(|(s, _)| s < DISTINCTIVE) {
                *slot = Some((DISTINCTIVE, MatchedBy::Name));
            }
        }
        let mut ranked: Vec<(usize, f64, MatchedBy)> =
            best_per_service.iter().enumerate().filter_map(|(i, s)| s.map(|(score, by)| (i, score, by))).collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        let &(index, mut confidence, matched_by) = ranked.first()?;
        // Two services almost alike, or both named in the phrase: not sure enough to book either.
        let contained: HashSet<usize> = self
            .entries
            .iter()
            .filter(|e| !e.stems.is_empty() && e.stems.is_subset(&stems))
            .map(|e| e.service)
            .collect();
        let close = ranked.get(1).is_some_and(|second| confidence - second.1 < 0.05);
        if confidence < 1.0 && (close || contained.len() > 1) {
            confidence *= 0.8;
        }
        let (service_id, name) = self.services[index].clone();
        Some(ServiceMatch { service_id, name, confidence: (confidence * 1000.0).round() / 1000.0, matched_by })
    }

    /// The one service that every stem of the phrase points to, when its name has one of them:
    /// "Bart" → "Bart trimmen", "HU" → "HU/AU". A word the catalog does not know ("Permanent
    /// Make-up") may change the meaning, so then there is no distinctive match.
    fn distinctive(&self, stems: &BTreeSet<String>) -> Option<usize> {
        let mut service = None;
        let mut in_name = false;
        for s in stems {
            let mut known = false;
            for e in self.entries.iter().filter(|e| e.stems.contains(s)) {
                known = true;
                if *service.get_or_insert(e.service) != e.service {
                    return None;
                }
                in_name |= e.by == MatchedBy::Name;
            }
            if !known {
                return None;
            }
        }
        service.filter(|_| in_name)
    }

    /// The best service at or above `threshold`, or `None` (the agent should ask).
    pub fn matches(&self, phrase: &str, threshold: f64) -> Option<ServiceMatch> {
        self.best(phrase).filter(|m| m.confidence >= threshold)
    }
}

#[cfg(test)]
mod tests {
    use super::super::compounds;
    use super::*;

    fn salon() -> Catalog {
        let services = [(1, "Herrenhaarschnitt"), (2, "Damenhaarschnitt"), (3, "Bart trimmen"), (4, "Färben")]
            .map(|(id, n)| (id, n.to_string()));
        let synonyms = [(1, "Männerhaarschnitt"), (2, "Waschen Schneiden Föhnen"), (4, "Tönung")]
            .map(|(id, n)| (id, n.to_string()));
        Catalog::new(&services, &synonyms)
    }

    #[test]
    fn remembered_matches_are_the_matches() {
        let phrases = ["Herrenhaarschnitt", "männer haarschnitt", "Bart", "Tönung bitte", "Ölwechsel", ""];
        let (kept, fresh) = (salon(), salon());
        for phrase in phrases {
            let first = kept.best(phrase);
            assert_eq!(first, fresh.rank(phrase), "{phrase}");
            assert_eq!(kept.best(phrase), first, "{phrase}, asked again");
        }
        // Past the bound the memo starts again; answers stay the same.
        for n in 0..MEMO + 10 {
            kept.best(&format!("Haarschnitt {n}"));
        }
        assert!(kept.memo.lock().unwrap().len() <= MEMO);
        assert_eq!(kept.best("Herrenhaarschnitt"), fresh.rank("Herrenhaarschnitt"));
    }

    #[test]
    fn matches_in_order_of_certainty() {
        let c = salon();
        let m = c.best("herrenhaarschnitt").unwrap();
        assert_eq!((m.service_id, m.confidence, m.matched_by), (1, 1.0, MatchedBy::Name));
        let m = c.best("Tönung").unwrap();
        assert_eq!((m.service_id, m.matched_by), (4, MatchedBy::Synonym));
        let m = c.best("Herren Haarschnitt").unwrap();
        assert_eq!((m.service_id, m.confidence), (1, 1.0), "compact form equals the name");
        let m = c.best("Haare schneiden für Herren bitte").unwrap();
        assert_eq!(m.service_id, 1);
        assert!(m.confidence >= 0.9);
        let m = c.best("Herenhaarschnit").unwrap();
        assert_eq!((m.service_id, m.matched_by), (1, MatchedBy::Fuzzy));
        assert!(m.confidence >= 0.8);
    }

    #[test]
    fn ambiguous_or_unrelated_phrases_stay_below_the_threshold() {
        let c = salon();
        assert!(c.matches("einen Haarschnitt", 0.8).is_none(), "{:?}", c.best("einen Haarschnitt"));
        assert!(c.matches("Ich möchte meinen Termin absagen", 0.8).is_none());
        assert!(c.matches("", 0.8).is_none());
        assert!(c.matches("was kostet das?", 0.8).is_none());
    }

    #[test]
    fn phrases_past_a_cap_match_nothing() {
        let c = salon();
        let beard = |n: usize| "Bart ".repeat(n);
        assert_eq!(c.best(&beard(MAX_PHRASE_WORDS)).map(|m| m.service_id), Some(3));
        assert_eq!(c.best(&beard(MAX_PHRASE_WORDS + 1)), None, "a word too many");
        let word = |n: usize| format!("Herrenhaarschnitt {}", "x".repeat(n));
        assert_eq!(c.best(&word(MAX_WORD_CHARS)).map(|m| m.service_id), Some(1));
        assert_eq!(c.best(&word(MAX_WORD_CHARS + 1)), None, "a word too long");
        let padded = |n: usize| format!("{:<n$}", "Herrenhaarschnitt");
        assert_eq!(c.best(&padded(MAX_PHRASE_CHARS)).map(|m| m.service_id), Some(1));
        assert_eq!(c.best(&padded(MAX_PHRASE_CHARS + 1)), None, "a character too many");
        let megabyte = "Herrenhaarschnitt ".repeat(60_000);
        assert_eq!(c.best(&megabyte), None);
        assert!(!c.remembers(&megabyte), "a long phrase is not kept");
        assert!(within_caps("einen Männerhaarschnitt bitte") && !within_caps(&megabyte));
    }

    /// no input costs more than the deadline. Every phrase within the caps, however
    /// made to split badly, is ranked within 5 ms against the industries' presets (on a debug
    /// build, the best of three tries, so that a busy machine does not decide).
    #[test]
    fn any_phrase_within_the_caps_is_matched_within_5_ms() {
        let (mut services, mut synonyms) = (Vec::new(), Vec::new());
        for industry in crate::templates::Industry::all() {
            for s in industry.services {
                let id = services.len() as i64 + 1;
                synonyms.extend(s.synonyms.into_iter().map(|syn| (id, syn)));
                services.push((id, s.name));
            }
        }
        let c = Catalog::new(&services, &synonyms);
        let noise = compounds::tests::noise;
        let longest = "x".repeat(MAX_WORD_CHARS);
        let filled = |word: &str| {
            let n = (MAX_PHRASE_CHARS + 1) / (word.chars().count() + 1);
            vec![word; n.min(MAX_PHRASE_WORDS)].join(" ")
        };
        let phrases = [
            filled(&noise(MAX_WORD_CHARS)),
            filled(&"s".repeat(MAX_WORD_CHARS)),
            filled(&longest),
            filled(&"herrenhaarschnittsdamenhaarschnittswimpernfarbe"[..MAX_WORD_CHARS.min(47)]),
            filled(&"haar".repeat(MAX_WORD_CHARS / 4)),
            filled(&"ssa".repeat(MAX_WORD_CHARS / 3)),
            filled("Haar"),
            filled("Krankengymnastik"),
            filled(&noise(5)),
            (0..MAX_PHRASE_WORDS).map(|i| noise(7 + i % 3)[i % 3..].to_string()).collect::<Vec<_>>().join(" "),
        ];
        let mut slowest = std::time::Duration::ZERO;
        for phrase in &phrases {
            assert!(within_caps(phrase), "{phrase}");
            let fastest = (0..3)
                .map(|_| {
                    let start = std::time::Instant::now();
                    c.rank(phrase);
                    start.elapsed()
                })
                .min()
                .unwrap();
            assert!(fastest < std::time::Duration::from_millis(5), "{fastest:?} for {phrase}");
            slowest = slowest.max(fastest);
        }
        println!("the slowest phrase within the caps took {slowest:?}");
    }
}

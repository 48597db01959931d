//! In-process benchmark of the spoken date/time resolver (≤ 50 µs per sentence)
//! and of service matching, ordinary phrases and phrases at the caps (≤ 5 ms).
//! Run with `cargo bench --bench nlu`; prints the figures and their ratios to the targets.

use std::hint::black_box;
use std::time::Instant;

use askpro::nlu::services::{MAX_PHRASE_CHARS, MAX_PHRASE_WORDS, MAX_WORD_CHARS};
use askpro::nlu::{resolve_when, Catalog};
use askpro::templates::Industry;

fn main() {
    let corpus = include_str!("../tests/fixtures/when-dev.tsv");
    let rows: Vec<(chrono::DateTime<chrono::FixedOffset>, chrono_tz::Tz, &str)> = corpus
        .lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            (chrono::DateTime::parse_from_rfc3339(c[0]).unwrap(), c[1].parse().unwrap(), c[2])
        })
        .collect();
    // Warm up (lazy tables), then time whole passes over the corpus.
    for (now, tz, text) in &rows {
        black_box(resolve_when(text, now, *tz));
    }
    let mut per_sentence = Vec::new();
    for _ in 0..30 {
        let start = Instant::now();
        for _ in 0..20 {
            for (now, tz, text) in &rows {
                black_box(resolve_when(black_box(text), now, *tz));
            }
        }
        per_sentence.push(start.elapsed().as_secs_f64() * 1e6 / (20 * rows.len()) as f64);
    }
    per_sentence.sort_by(f64::total_cmp);
    let median = per_sentence[per_sentence.len() / 2];
    println!("nlu:when resolution over the {} dev sentences, 30 passes x 20 rounds", rows.len());
    println!(
        "{:<48} {:>8.2} µs   target {:>6.0} µs   ratio {:.3}   (best pass {:.2} µs, worst {:.2} µs)",
        "resolve_when, median per sentence",
        median,
        50.0,
        median / 50.0,
        per_sentence[0],
        per_sentence[per_sentence.len() - 1]
    );

    matching();
}

/// A company with 200 services and 2,000 synonyms: the 8 presets' real services and synonyms,
/// padded with generated compounds of the same vocabulary.
fn matching() {
    const PARTS: [&str; 12] =
        ["Herren", "Damen", "Kinder", "Haar", "Bart", "Gesichts", "Nagel", "Fuß", "Rücken", "Hand", "Wimpern", "Augen"];
    const KINDS: [&str; 10] =
        ["schnitt", "pflege", "behandlung", "massage", "färbung", "wäsche", "kur", "styling", "beratung", "peeling"];
    let mut services: Vec<(i64, String)> = Vec::new();
    let mut synonyms: Vec<(i64, String)> = Vec::new();
    for industry in Industry::all() {
        for s in industry.services {
            let id = services.len() as i64 + 1;
            if services.iter().any(|(_, n)| *n == s.name) {
                continue;
            }
            services.push((id, s.name));
            synonyms.extend(s.synonyms.into_iter().map(|syn| (id, syn)));
        }
    }
    'fill: for a in PARTS {
        for k in KINDS {
            for extra in ["", " Deluxe", " Express"] {
                if services.len() == 200 {
                    break 'fill;
                }
                services.push((services.len() as i64 + 1, format!("{a}{k}{extra}")));
            }
        }
    }
    let mut i = 0;
    while synonyms.len() < 2_000 {
        let (id, name) = &services[i % services.len()];
        synonyms.push((*id, format!("{name} Variante {}", i / services.len())));
        i += 1;
    }
    let builds: Vec<f64> = (0..10)
        .map(|_| {
            let start = Instant::now();
            black_box(Catalog::new(&services, &synonyms));
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    let catalog = Catalog::new(&services, &synonyms);
    let phrases = [
        "Herrenhaarschnitt",
        "einen Männerhaarschnitt bitte",
        "Haare schneiden für Herren",
        "Herenhaarschnit",
        "Rückenmassage",
        "Wimpernverlängerung",
        "Gesichtsbehandlung Express",
        "Nagelpflege",
        "Dauerwelle",
        "Ich möchte meinen Termin absagen",
        "TÜV",
        "Reifen wechseln",
    ];
    // A catalog remembers the phrases it matched, so each pass of first matches gets a catalog
    // of its own (built outside the timing); the remembered answer is timed apart.
    let time_pass = |catalog: &Catalog| {
        let start = Instant::now();
        for p in phrases {
            black_box(catalog.best(black_box(p)));
        }
        start.elapsed().as_secs_f64() * 1e6 / phrases.len() as f64
    };
    let mut per_phrase: Vec<f64> = (0..20).map(|_| time_pass(&Catalog::new(&services, &synonyms))).collect();
    per_phrase.sort_by(f64::total_cmp);
    time_pass(&catalog);
    let mut remembered: Vec<f64> = (0..20).map(|_| time_pass(&catalog)).collect();
    remembered.sort_by(f64::total_cmp);
    let mut builds = builds;
    builds.sort_by(f64::total_cmp);
    println!("service matching, {} services and {} synonyms:", services.len(), synonyms.len());
    println!(
        "{:<48} {:>8.2} ms  (prepared once per company, then cached)",
        "  build the catalog, median of 10", builds[5]
    );
    println!(
        "{:<48} {:>8.1} µs   target {:>6.0} µs   ratio {:.3}",
        "  match one phrase first, median of 20 passes",
        per_phrase[10],
        1000.0,
        per_phrase[10] / 1000.0
    );
    println!("{:<48} {:>8.2} µs", "  the same phrase again (remembered), median", remembered[10]);

    // Phrases at the caps, made to split badly (no input costs more than the
    // deadline); each is matched first in 5 fresh catalogs, and the slowest phrase counts.
    let slowest = at_the_caps()
        .iter()
        .map(|phrase| {
            let mut times: Vec<f64> = (0..5)
                .map(|_| {
                    let fresh = Catalog::new(&services, &synonyms);
                    let start = Instant::now();
                    black_box(fresh.best(black_box(phrase)));
                    start.elapsed().as_secs_f64() * 1e3
                })
                .collect();
            times.sort_by(f64::total_cmp);
            times[2]
        })
        .fold(0.0, f64::max);
    println!(
        "{:<48} {:>8.2} ms   target {:>6.0} ms   ratio {:.3}",
        "  a phrase at the caps, slowest median",
        slowest,
        5.0,
        slowest / 5.0
    );
    let megabyte = "herrenhaarschnitts".repeat(58_000);
    let start = Instant::now();
    black_box(catalog.best(black_box(&megabyte)));
    println!("{:<48} {:>8.2} µs", "  a megabyte phrase (refused)", start.elapsed().as_secs_f64() * 1e6);
}

/// Phrases within the caps that make compound splitting work hardest: long words of noise, of
/// one letter, of known parts and linking letters, and as many words as allowed.
fn at_the_caps() -> Vec<String> {
    let noise = |n: usize, seed: u32| -> String {
        let mut x = seed;
        (0..n)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                char::from(b'a' + (x >> 16) as u8 % 26)
            })
            .collect()
    };
    let filled = |word: &str| {
        let n = (MAX_PHRASE_CHARS + 1) / (word.chars().count() + 1);
        vec![word; n.min(MAX_PHRASE_WORDS)].join(" ")
    };
    let w = MAX_WORD_CHARS;
    vec![
        filled(&noise(w, 7)),
        filled(&"s".repeat(w)),
        filled(&"herrenhaarschnittsdamenhaarschnittswimpernfarbe".chars().take(w).collect::<String>()),
        filled(&"haar".repeat(w / 4)),
        filled(&"ssa".repeat(w / 3)),
        filled("Haar"),
        filled("Gesichtsbehandlung"),
        (0..MAX_PHRASE_WORDS as u32).map(|i| noise(7, i)).collect::<Vec<_>>().join(" "),
    ]
}

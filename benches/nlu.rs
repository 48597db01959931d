//! In-process benchmark of the spoken date/time resolver (SPEC.md §9: ≤ 50 µs per sentence).
//! Run with `cargo bench --bench nlu`; prints µs per sentence and the ratio to the target.

use std::hint::black_box;
use std::time::Instant;

use askpro::nlu::resolve_when;

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
}

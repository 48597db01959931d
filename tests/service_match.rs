//! Service matching measured on a labelled set over every industry preset
//! (`tests/fixtures/service-phrases.tsv`), at each preset's own confidence threshold.
//! Precision must be 1.0 (no wrong service above the threshold); recall is reported and held
//! to a floor. `cargo test --test service_match -- --nocapture` prints the figures.

use askpro::nlu::Catalog;
use askpro::templates::Industry;

struct Tally {
    phrases: usize,
    correct: usize,
    wrong: Vec<String>,
    missed: Vec<String>,
    expected_matches: usize,
}

fn evaluate() -> Tally {
    let labelled = include_str!("fixtures/service-phrases.tsv");
    let mut t = Tally { phrases: 0, correct: 0, wrong: vec![], missed: vec![], expected_matches: 0 };
    for industry in Industry::all() {
        let services: Vec<(i64, String)> =
            industry.services.iter().enumerate().map(|(i, s)| (i as i64 + 1, s.name.clone())).collect();
        let synonyms: Vec<(i64, String)> = industry
            .services
            .iter()
            .enumerate()
            .flat_map(|(i, s)| s.synonyms.iter().map(move |syn| (i as i64 + 1, syn.clone())))
            .collect();
        let catalog = Catalog::new(&services, &synonyms);
        for line in labelled.lines().skip(1).filter(|l| l.starts_with(&format!("{}\t", industry.key))) {
            let cols: Vec<&str> = line.split('\t').collect();
            let (phrase, expected) = (cols[1], cols.get(2).copied().unwrap_or(""));
            t.phrases += 1;
            let got = catalog.matches(phrase, industry.service_confidence_threshold);
            if !expected.is_empty() {
                t.expected_matches += 1;
            }
            match got {
                Some(m) if m.name == expected => t.correct += 1,
                Some(m) => t.wrong.push(format!(
                    "{}: {phrase:?} → {} ({}, {:?}); expected {expected:?}",
                    industry.key, m.name, m.confidence, m.matched_by
                )),
                None if !expected.is_empty() => {
                    let best =
                        catalog.best(phrase).map(|m| format!("{} at {}", m.name, m.confidence)).unwrap_or_default();
                    t.missed.push(format!("{}: {phrase:?} expected {expected:?}, best {best}", industry.key))
                }
                None => {}
            }
        }
    }
    t
}

#[test]
fn precision_and_recall_on_the_labelled_set() {
    let t = evaluate();
    let returned = t.correct + t.wrong.len();
    let precision = if returned == 0 { 1.0 } else { t.correct as f64 / returned as f64 };
    let recall = t.correct as f64 / t.expected_matches as f64;
    println!(
        "service matching: {} phrases ({} with a service, {} without); precision {:.3}, recall {:.3}",
        t.phrases,
        t.expected_matches,
        t.phrases - t.expected_matches,
        precision,
        recall
    );
    for m in &t.missed {
        println!("  missed: {m}");
    }
    assert!(t.phrases >= 150, "the labelled set has {} phrases", t.phrases);
    assert!(t.wrong.is_empty(), "wrong matches above the threshold:\n{}", t.wrong.join("\n"));
    assert!(recall >= 0.9, "recall {recall:.3} is below 0.9");
}

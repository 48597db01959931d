//! What the monitoring tests share: running health-check, asserting a breach, and a strict
//! parser of the Prometheus text exposition format.

use std::collections::{BTreeMap, BTreeSet};

use super::{Run, TestDb};

pub fn health(db: &TestDb, args: &[&str]) -> Run {
    let mut all = vec!["monitoring:health-check"];
    all.extend_from_slice(args);
    db.run(&all)
}

/// Exit 1, a ✗ line for `name`, and `name` in the error's summary.
pub fn breached(run: &Run, scope: &str, name: &str, detail: &str) {
    assert_eq!(run.code, 1, "expected exit 1\nstdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with('✗') && l.contains(&format!(" {name}  ")) && l.contains(detail))
        .unwrap_or_else(|| panic!("no ✗ {name} line mentioning {detail:?}:\n{}", run.stdout));
    assert!(lines[at + 1].trim_start().starts_with("fix: "), "{}", run.stdout);
    assert!(run.stderr.contains(&format!("{scope} {name}")), "the summary names the breach: {}", run.stderr);
}

/// Thresholds a healthy test installation stays under on any machine (a full disk, a busy CPU).
pub fn lenient(db: &TestDb) {
    db.ok(&["monitoring:configure-alerts", "--threshold-disk", "100", "--threshold-cpu", "6400"]);
}

/// A series' labels other than `le`.
type Labels = Vec<(String, String)>;

pub struct Family {
    pub kind: String,
    pub samples: Vec<(String, BTreeMap<String, String>, f64)>,
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// A strict parser of the text exposition format (0.0.4) as askpro-daemon writes it.
pub fn parse(text: &str) -> BTreeMap<String, Family> {
    assert!(text.ends_with('\n'), "the exposition ends with a line feed");
    let mut families: BTreeMap<String, Family> = BTreeMap::new();
    let mut helped = BTreeSet::new();
    for (n, line) in text.lines().enumerate() {
        let at = format!("line {}: {line:?}", n + 1);
        assert!(!line.is_empty() && line.trim() == line, "{at}: no blank lines or stray spaces");
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, help) = rest.split_once(' ').unwrap_or_else(|| panic!("{at}: HELP without text"));
            assert!(valid_name(name) && !help.is_empty(), "{at}");
            assert!(helped.insert(name.to_string()), "{at}: a second HELP for {name}");
            continue;
        }
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap_or_else(|| panic!("{at}: TYPE without a type"));
            assert!(valid_name(name), "{at}");
            assert!(["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind), "{at}");
            assert!(!families.contains_key(name), "{at}: a second TYPE for {name}");
            if kind == "counter" {
                assert!(name.ends_with("_total"), "{at}: a counter's name ends in _total");
            }
            families.insert(name.to_string(), Family { kind: kind.to_string(), samples: Vec::new() });
            continue;
        }
        assert!(!line.starts_with('#'), "{at}: only HELP and TYPE comments");
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("{at}: no value"));
        let value: f64 = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            v => v.parse().unwrap_or_else(|_| panic!("{at}: value {v:?}")),
        };
        let (name, labels) = match series.split_once('{') {
            Some((name, rest)) => {
                let inner = rest.strip_suffix('}').unwrap_or_else(|| panic!("{at}: unclosed labels"));
                let mut labels = BTreeMap::new();
                for pair in inner.split(',') {
                    let (k, v) = pair.split_once('=').unwrap_or_else(|| panic!("{at}: label {pair:?}"));
                    assert!(valid_name(k) && !k.starts_with("__"), "{at}: label name {k:?}");
                    let v = v.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or_else(|| panic!("{at}"));
                    assert!(!v.contains('"') && !v.contains('\\'), "{at}: label value {v:?}");
                    assert!(labels.insert(k.to_string(), v.to_string()).is_none(), "{at}: label {k} twice");
                }
                (name, labels)
            }
            None => (series, BTreeMap::new()),
        };
        assert!(valid_name(name), "{at}: name {name:?}");
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .filter_map(|s| name.strip_suffix(s))
            .find(|base| families.get(*base).is_some_and(|f| f.kind == "histogram"))
            .unwrap_or(name);
        let f = families.get_mut(family).unwrap_or_else(|| panic!("{at}: a sample before its TYPE line"));
        if f.kind != "histogram" {
            assert_eq!(name, family, "{at}");
        }
        f.samples.push((name.to_string(), labels, value));
    }
    for (name, f) in families.iter().filter(|(_, f)| f.kind == "histogram") {
        // One series per label set other than `le`.
        let mut series: BTreeMap<Labels, Vec<(f64, f64)>> = BTreeMap::new();
        let mut counts = BTreeMap::new();
        for (sample, labels, value) in &f.samples {
            let key: Labels = labels.iter().filter(|(k, _)| *k != "le").map(|(k, v)| (k.clone(), v.clone())).collect();
            if sample.ends_with("_bucket") {
                let le = &labels.get("le").unwrap_or_else(|| panic!("{name}: a bucket without le"));
                let le = if *le == "+Inf" { f64::INFINITY } else { le.parse().expect("le is a number") };
                series.entry(key).or_default().push((le, *value));
            } else if sample.ends_with("_count") {
                counts.insert(key, *value);
            }
        }
        for (key, buckets) in &series {
            assert!(buckets.windows(2).all(|w| w[0].0 < w[1].0), "{name} {key:?}: bounds ascend");
            assert!(buckets.windows(2).all(|w| w[0].1 <= w[1].1), "{name} {key:?}: counts are cumulative");
            let last = buckets.last().unwrap();
            assert!(last.0.is_infinite(), "{name} {key:?}: the last bucket is +Inf");
            assert_eq!(Some(&last.1), counts.get(key), "{name} {key:?}: +Inf equals _count");
        }
    }
    families
}

//! Smart prediction for a returning caller: the service and staff member they most likely want,
//! from their past appointments, weighting how often and how recently.
//!
//! Each visit weighs `0.5^(age / 180 days)`. A candidate's share is its weight over all weight;
//! its confidence is that share times the evidence of its own visit count, `1 − 0.3^n`, so one
//! visit alone gives at most 0.7 and two matching visits 0.91 — a single visit is not a habit.

use std::collections::HashMap;

use serde::Serialize;

use crate::store::Visit;

const HALF_LIFE_DAYS: f64 = 180.0;
const DAY_MS: f64 = 86_400_000.0;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Guess {
    pub id: i64,
    pub confidence: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Prediction {
    pub service: Option<Guess>,
    pub staff: Option<Guess>,
}

/// Predicts from a customer's visits (cancelled ones do not count) as of `now_ms`.
pub fn predict(visits: &[Visit], now_ms: i64) -> Prediction {
    let counted: Vec<&Visit> = visits.iter().filter(|v| v.status != "cancelled").collect();
    let weight = |v: &Visit| 0.5f64.powf(((now_ms - v.starts_at).max(0) as f64 / DAY_MS) / HALF_LIFE_DAYS);
    Prediction {
        service: best(counted.iter().filter_map(|v| v.service_id.map(|id| (id, weight(v))))),
        staff: best(counted.iter().filter_map(|v| v.staff_id.map(|id| (id, weight(v))))),
    }
}

fn best(items: impl Iterator<Item = (i64, f64)>) -> Option<Guess> {
    let mut totals: HashMap<i64, (f64, i32)> = HashMap::new();
    let mut all = 0.0;
    for (id, w) in items {
        let entry = totals.entry(id).or_default();
        entry.0 += w;
        entry.1 += 1;
        all += w;
    }
    let (&id, &(w, n)) = totals.iter().max_by(|a, b| a.1 .0.total_cmp(&b.1 .0).then(b.0.cmp(a.0)))?;
    if all <= 0.0 {
        return None;
    }
    let confidence = (w / all) * (1.0 - 0.3f64.powi(n));
    Some(Guess { id, confidence: (confidence * 1000.0).round() / 1000.0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000;

    fn visit(service: i64, staff: i64, days_ago: i64, status: &str) -> Visit {
        Visit {
            service_id: Some(service),
            staff_id: Some(staff),
            starts_at: NOW - days_ago * 86_400_000,
            status: status.into(),
        }
    }

    #[test]
    fn habits_need_repetition() {
        assert_eq!(predict(&[], NOW), Prediction::default());
        let one = predict(&[visit(1, 7, 10, "booked")], NOW);
        assert_eq!(one.service, Some(Guess { id: 1, confidence: 0.7 }));
        let two = predict(&[visit(1, 7, 10, "booked"), visit(1, 7, 40, "booked")], NOW);
        assert_eq!(two.service.unwrap().confidence, 0.91);
    }

    #[test]
    fn recency_outweighs_old_frequency() {
        // Three old visits for service 1 (two years ago), three recent ones for service 2.
        let mut visits: Vec<Visit> = (0..3).map(|i| visit(1, 7, 700 + i, "booked")).collect();
        visits.extend((0..3).map(|i| visit(2, 8, 20 + i * 30, "booked")));
        let p = predict(&visits, NOW);
        assert_eq!(p.service.unwrap().id, 2);
        assert_eq!(p.staff.unwrap().id, 8);
        assert!(p.service.unwrap().confidence > 0.8 && p.service.unwrap().confidence < 0.973);
    }

    #[test]
    fn mixed_history_is_not_confident_and_cancellations_do_not_count() {
        let visits = [visit(1, 7, 10, "booked"), visit(2, 7, 20, "booked"), visit(3, 7, 30, "booked")];
        let p = predict(&visits, NOW);
        assert!(p.service.unwrap().confidence < 0.5);
        assert!(p.staff.unwrap().confidence > 0.9, "always the same staff member");
        let cancelled = [visit(1, 7, 10, "cancelled"), visit(1, 7, 20, "cancelled")];
        assert_eq!(predict(&cancelled, NOW), Prediction::default());
    }
}

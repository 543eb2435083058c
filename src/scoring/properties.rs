//! Properties of the scoring that must hold for every input (proptest), and a check that the
//! module stays pure.

use proptest::prelude::*;

use super::ranking::{Candidate, ClassRule, Criterion, Group, rank, score};
use super::tipping::{score_with_weight, tipping_weights};
use super::values::HalfPoints;

/// Criteria with whole-percent weights that add up to 100.
fn criteria() -> impl Strategy<Value = Vec<Criterion>> {
    (1usize..=8).prop_flat_map(|n| {
        (
            proptest::collection::vec(1u32..=100, n),
            proptest::collection::vec(any::<bool>(), n),
        )
            .prop_map(|(raw, benefit)| {
                let sum: u32 = raw.iter().sum();
                let mut weights: Vec<u8> = raw.iter().map(|w| (w * 100 / sum) as u8).collect();
                let short = 100 - weights.iter().map(|w| u32::from(*w)).sum::<u32>();
                weights[0] += short as u8;
                weights
                    .into_iter()
                    .zip(benefit)
                    .map(|(weight, benefit)| Criterion {
                        group: if benefit { Group::Benefit } else { Group::Cost },
                        weight,
                    })
                    .collect()
            })
    })
}

fn values(n: usize) -> impl Strategy<Value = Vec<Option<HalfPoints>>> {
    proptest::collection::vec((0u8..=20).prop_map(HalfPoints::new), n)
}

fn candidates(n: usize) -> impl Strategy<Value = Vec<Candidate>> {
    proptest::collection::vec((values(n), any::<bool>(), 0u32..5, 0i64..20), 1..30).prop_map(
        |rows| {
            rows.into_iter()
                .enumerate()
                .map(|(i, (values, mandatory, supports, created))| Candidate {
                    number: i as i64 + 1,
                    mandatory: mandatory && i % 5 == 0,
                    values,
                    supports,
                    created,
                })
                .collect()
        },
    )
}

fn order_of(criteria: &[Criterion], candidates: &[Candidate]) -> Vec<i64> {
    rank(criteria, candidates, ClassRule::default())
        .iter()
        .map(|ranked| candidates[ranked.index].number)
        .collect()
}

proptest! {
    #[test]
    fn scores_stay_within_0_and_100(
        (criteria, values) in criteria().prop_flat_map(|c| { let n = c.len(); (Just(c), values(n)) })
    ) {
        let score = score(&criteria, &values).expect("complete");
        prop_assert!(score.0 <= 2000);
    }

    #[test]
    fn more_benefit_never_lowers_and_more_cost_never_raises_a_score(
        (criteria, values, k) in criteria().prop_flat_map(|c| { let n = c.len(); (Just(c), values(n), 0..n) })
    ) {
        let before = score(&criteria, &values).expect("complete");
        let mut raised = values.clone();
        let value = raised[k].expect("a value").half_points();
        raised[k] = HalfPoints::new((value + 1).min(20));
        let after = score(&criteria, &raised).expect("complete");
        match criteria[k].group {
            Group::Benefit => prop_assert!(after >= before),
            Group::Cost => prop_assert!(after <= before),
        }
    }

    #[test]
    fn the_input_order_changes_nothing(
        (criteria, candidates, seed) in criteria().prop_flat_map(|c| { let n = c.len(); (Just(c), candidates(n), any::<u64>()) })
    ) {
        let mut shuffled = candidates.clone();
        // A deterministic permutation from the seed (no random generator needed).
        let len = shuffled.len();
        for i in 0..len {
            let j = ((seed >> (i % 32)) as usize + i * 7) % len;
            shuffled.swap(i, j);
        }
        prop_assert_eq!(order_of(&criteria, &candidates), order_of(&criteria, &shuffled));
    }

    #[test]
    fn adding_a_measure_changes_no_other_score(
        (criteria, candidates, extra) in criteria().prop_flat_map(|c| { let n = c.len(); (Just(c), candidates(n), values(n)) })
    ) {
        let before = rank(&criteria, &candidates, ClassRule::default());
        let mut more = candidates.clone();
        more.push(Candidate { number: 1000, mandatory: false, values: extra, supports: 0, created: 0 });
        let after = rank(&criteria, &more, ClassRule::default());
        for entry in &before {
            let same = after.iter().find(|other| other.index == entry.index).expect("still there");
            prop_assert_eq!(same.score, entry.score);
        }
    }

    #[test]
    fn the_tipping_weight_really_makes_the_pair_tie(
        (criteria, a, b) in criteria().prop_flat_map(|c| { let n = c.len(); (Just(c), values(n), values(n)) })
    ) {
        let (sa, sb) = (score(&criteria, &a).expect("complete"), score(&criteria, &b).expect("complete"));
        let (ahead, behind) = if sa >= sb { (&a, &b) } else { (&b, &a) };
        for (k, weight) in tipping_weights(&criteria, ahead, behind).into_iter().enumerate() {
            if let Some(weight) = weight {
                let first = score_with_weight(&criteria, ahead, k, weight).expect("scored");
                let second = score_with_weight(&criteria, behind, k, weight).expect("scored");
                prop_assert!((first - second).abs() < 1e-6, "k {} at {}: {} vs {}", k, weight, first, second);
            }
        }
    }
}

/// The scoring is pure: none of its files reaches for the database, HTTP, files, the clock or a
/// global random generator.
#[test]
fn the_scoring_module_uses_no_io_clock_or_global_random_generator() {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/scoring");
    let forbidden = [
        "sqlx",
        "axum",
        "tokio",
        "hyper",
        "std::fs",
        "std::net",
        "std::time",
        "SystemTime",
        "Instant",
        "Utc::now",
        "Local::now",
        "thread_rng",
        "rand::random",
        "OsRng",
        "getrandom",
        "std::env",
        "crate::db",
        "crate::web",
    ];
    let mut checked = 0;
    for entry in std::fs::read_dir(&folder).expect("src/scoring") {
        let path = entry.expect("an entry").path();
        if path.file_name().is_some_and(|name| name == "properties.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("a source file");
        for word in forbidden {
            assert!(!text.contains(word), "{} uses {word}", path.display());
        }
        checked += 1;
    }
    assert!(checked >= 4, "read {checked} files");
}

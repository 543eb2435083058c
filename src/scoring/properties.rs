//! Properties of the scoring that must hold for every input (proptest), and a check that the
//! module stays pure.

use proptest::prelude::*;

use super::ranking::{Candidate, ClassRule, Criterion, Group, rank, score, utility};
use super::robustness::{Alternative, Settings, WeightModel, analyse};
use super::tipping::{score_with_weight, stability_intervals, tipping_weights};
use super::values::HalfPoints;
use super::what_if::{reweigh, what_if};

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
    fn what_if_with_the_agreed_weights_moves_nothing_and_movements_sum_to_zero(
        (criteria, candidates, other) in criteria().prop_flat_map(|c| {
            let n = c.len();
            (Just(c.clone()), candidates(n), criteria().prop_filter("same size", move |o| o.len() == n))
        })
    ) {
        let agreed: Vec<usize> = {
            let mut ranked = rank(&criteria, &candidates, ClassRule::default());
            ranked.sort_unstable_by_key(|entry| entry.index);
            ranked.iter().map(|entry| entry.rank).collect()
        };
        let same = what_if(&criteria, &candidates, ClassRule::default(), &agreed, 5);
        prop_assert!(same.movement.iter().all(|m| *m == 0));
        prop_assert!(same.entering.is_empty() && same.leaving.is_empty());
        let weights: Vec<u8> = other.iter().map(|c| c.weight).collect();
        let reweighed = reweigh(&criteria, &weights).expect("they add up to 100");
        let moved = what_if(&reweighed, &candidates, ClassRule::default(), &agreed, 5);
        prop_assert_eq!(moved.movement.iter().sum::<i64>(), 0);
        prop_assert_eq!(moved.entering.len(), moved.leaving.len());
    }

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
    fn where_the_one_behind_is_better_on_a_criterion_a_tipping_point_exists(
        (criteria, a, b) in criteria().prop_flat_map(|c| { let n = c.len(); (Just(c), values(n), values(n)) }),
    ) {
        let (sa, sb) = (score(&criteria, &a).expect("complete"), score(&criteria, &b).expect("complete"));
        let (ahead, behind) = if sa >= sb { (&a, &b) } else { (&b, &a) };
        let better_behind = criteria.iter().enumerate().any(|(k, criterion)| {
            utility(criterion.group, behind[k].expect("complete"))
                > utility(criterion.group, ahead[k].expect("complete"))
        });
        let weights = tipping_weights(&criteria, ahead, behind);
        if better_behind {
            prop_assert!(weights.iter().any(Option::is_some), "{:?}", weights);
        }
        if sa == sb {
            for (k, weight) in weights.iter().enumerate() {
                if let Some(weight) = weight {
                    prop_assert!((weight - f64::from(criteria[k].weight)).abs() < 1e-9);
                }
            }
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

/// Measures for the robustness analysis: per criterion one to three raters' values.
fn alternatives(n: usize) -> impl Strategy<Value = Vec<Alternative>> {
    let choices = proptest::collection::vec(
        proptest::collection::vec(
            (0u8..=10).prop_map(|p| HalfPoints::from_points(p).expect("0–10")),
            1..=3,
        ),
        n,
    );
    proptest::collection::vec((choices, 0u32..3), 2..25).prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (choices, supports))| Alternative {
                mandatory: false,
                choices,
                supports,
                created: i as i64,
                number: i as i64 + 1,
                above: i.checked_sub(1),
            })
            .collect()
    })
}

fn models() -> impl Strategy<Value = WeightModel> {
    prop_oneof![
        Just(WeightModel::Uniform),
        Just(WeightModel::OrderOnly),
        Just(WeightModel::AroundAgreed { percent: 20 }),
    ]
}

proptest! {
    #[test]
    fn inside_a_stability_interval_the_order_holds_and_just_outside_it_does_not(
        (criteria, rows) in criteria().prop_flat_map(|c| { let n = c.len(); (Just(c), proptest::collection::vec(values(n), 2..8)) })
    ) {
        // The rows in the order of their scores, best first.
        let mut ranked = rows.clone();
        ranked.sort_by_key(|row| std::cmp::Reverse(score(&criteria, row).expect("complete")));
        let intervals = stability_intervals(&criteria, &ranked);
        for (k, (low, high)) in intervals.into_iter().enumerate() {
            prop_assert!(low <= f64::from(criteria[k].weight) + 1e-9 && f64::from(criteria[k].weight) <= high + 1e-9);
            let scores_at = |weight: f64| -> Vec<f64> {
                ranked.iter().map(|row| score_with_weight(&criteria, row, k, weight).expect("scored")).collect()
            };
            // Anywhere inside, no pair changes its order (ties allowed at the ends).
            for weight in [low, (low + high) / 2.0, high] {
                let scores = scores_at(weight);
                for pair in scores.windows(2) {
                    prop_assert!(pair[0] >= pair[1] - 1e-6, "k {} at {}: {:?}", k, weight, scores);
                }
            }
            // Just outside a bound that is not 0 or 100, some pair is out of order.
            for (bound, outside) in [(low, low - 0.01), (high, high + 0.01)] {
                if bound > 0.01 && bound < 99.99 {
                    let scores = scores_at(outside);
                    let swapped = scores.windows(2).any(|pair| pair[0] < pair[1] - 1e-9);
                    prop_assert!(swapped, "k {} just outside {}: {:?}", k, bound, scores);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn the_same_seed_gives_the_same_robustness_with_one_thread_or_two_and_shares_add_up(
        (criteria, alternatives, model, seed) in criteria().prop_flat_map(|c| { let n = c.len(); (Just(c), alternatives(n), models(), any::<u64>()) })
    ) {
        let settings = Settings { samples: 600, seed, top_k: 3, model, threads: 1 };
        let one = analyse(&criteria, &alternatives, settings);
        let two = analyse(&criteria, &alternatives, Settings { threads: 2, ..settings });
        prop_assert_eq!(&one.acceptability, &two.acceptability);
        for acceptability in &one.acceptability {
            prop_assert_eq!(acceptability.histogram.iter().sum::<u32>(), 600);
        }
        let firsts: u32 = one.acceptability.iter().map(|a| a.first).sum();
        prop_assert_eq!(firsts, 600, "exactly one measure is first in each sample");
    }

    #[test]
    fn a_measure_at_least_as_good_everywhere_and_better_somewhere_is_always_first(
        (criteria, alternatives, model) in criteria().prop_flat_map(|c| { let n = c.len(); (Just(c), alternatives(n), models()) })
    ) {
        // A new measure: on every criterion at least the best any rater gave any other measure
        // (in utility), and strictly better on one.
        let best: Vec<HalfPoints> = criteria
            .iter()
            .enumerate()
            .map(|(k, criterion)| {
                let all = alternatives.iter().flat_map(|a| a.choices[k].iter().copied());
                match criterion.group {
                    Group::Benefit => all.max().expect("values"),
                    Group::Cost => all.min().expect("values"),
                }
            })
            .collect();
        let mut dominant: Vec<Vec<HalfPoints>> = best.iter().map(|value| vec![*value]).collect();
        let improvable = criteria.iter().enumerate().find(|(k, criterion)| match criterion.group {
            Group::Benefit => best[*k] < HalfPoints::MAX,
            Group::Cost => best[*k].half_points() > 0,
        });
        prop_assume!(improvable.is_some());
        let (k, criterion) = improvable.expect("assumed");
        let half = best[k].half_points();
        dominant[k] = vec![HalfPoints::new(if criterion.group == Group::Benefit { half + 1 } else { half - 1 }).expect("0–20")];
        let mut all = alternatives.clone();
        // Scores that differ by less than the sampled scores' resolution (a weight close to 0)
        // tie; its tie-breaks win too, as they should for a measure that is never worse.
        all.push(Alternative { mandatory: false, choices: dominant, supports: 1000, created: -1, number: 0, above: None });
        let result = analyse(&criteria, &all, Settings { samples: 300, seed: 1, top_k: 1, model, threads: 1 });
        let last = all.len() - 1;
        prop_assert_eq!(result.acceptability[last].first, 300);
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

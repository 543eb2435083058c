//! Scoring and ranking at the size the issue names: 100,000 measures × 10 criteria (target
//! < 20 ms), and tipping points for 10,000 neighbouring pairs × 10 criteria. The inputs come from
//! a fixed xorshift sequence, so every run measures the same work. The stability intervals of the
//! whole order of those 10,000 (target: tipping points and intervals < 50 ms).
//! Robustness (SMAA-2) with seven raters' values per criterion: 10,000 samples × 1,000 measures
//! and 1,000 samples × 10,000 measures (targets < 1 s each, on two threads).
//! Run: `cargo bench --bench scoring`.

use std::hint::black_box;

use criterion::{Criterion as Bench, criterion_group, criterion_main};
use prima::scoring::robustness::{Alternative, Settings, WeightModel, analyse};
use prima::scoring::tipping::{stability_intervals, tipping_weights};
use prima::scoring::{Candidate, ClassRule, Criterion, Group, HalfPoints, rank};

struct Sequence(u64);

impl Sequence {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn criteria() -> Vec<Criterion> {
    let weights = [20, 15, 15, 10, 10, 5, 5, 5, 10, 5];
    weights
        .iter()
        .enumerate()
        .map(|(k, weight)| Criterion {
            group: if k >= 8 { Group::Cost } else { Group::Benefit },
            weight: *weight,
        })
        .collect()
}

fn candidates(count: usize, criteria: usize) -> Vec<Candidate> {
    let mut sequence = Sequence(0x9E37_79B9_7F4A_7C15);
    (0..count)
        .map(|i| Candidate {
            number: i as i64 + 1,
            mandatory: sequence.next().is_multiple_of(50),
            values: (0..criteria)
                .map(|_| HalfPoints::new((sequence.next() % 21) as u8))
                .collect(),
            supports: (sequence.next() % 8) as u32,
            created: (sequence.next() % 1_000_000) as i64,
        })
        .collect()
}

fn bench(c: &mut Bench) {
    let criteria = criteria();
    let measures = candidates(100_000, criteria.len());
    c.bench_function("score and rank 100,000 measures x 10 criteria", |b| {
        b.iter(|| {
            rank(
                black_box(&criteria),
                black_box(&measures),
                ClassRule::default(),
            )
        })
    });
    let ranked = rank(&criteria, &measures[..10_000], ClassRule::default());
    c.bench_function(
        "tipping points of 10,000 neighbouring pairs x 10 criteria",
        |b| {
            b.iter(|| {
                ranked
                    .windows(2)
                    .map(|pair| {
                        let (ahead, behind) = (&measures[pair[0].index], &measures[pair[1].index]);
                        tipping_weights(&criteria, &ahead.values, &behind.values).len()
                    })
                    .sum::<usize>()
            })
        },
    );
    let ordered: Vec<Vec<Option<HalfPoints>>> = ranked
        .iter()
        .filter(|entry| entry.score.is_some())
        .map(|entry| measures[entry.index].values.clone())
        .collect();
    c.bench_function(
        "stability intervals of the whole order of 10,000 measures x 10 criteria",
        |b| b.iter(|| stability_intervals(black_box(&criteria), black_box(&ordered))),
    );
}

/// Measures as the robustness analysis takes them: seven raters' values per criterion, each
/// value near a measure's own level.
fn alternatives(count: usize, criteria: usize) -> Vec<Alternative> {
    let mut sequence = Sequence(0xD1B5_4A32_D192_ED03);
    (0..count)
        .map(|i| {
            let level = sequence.next() % 15;
            Alternative {
                mandatory: false,
                choices: (0..criteria)
                    .map(|_| {
                        (0..7)
                            .map(|_| {
                                HalfPoints::new((level + sequence.next() % 6) as u8).expect("0–20")
                            })
                            .collect()
                    })
                    .collect(),
                supports: (sequence.next() % 8) as u32,
                created: i as i64,
                number: i as i64 + 1,
                above: i.checked_sub(1),
            }
        })
        .collect()
}

fn robustness(c: &mut Bench) {
    let criteria = criteria();
    let mut group = c.benchmark_group("robustness");
    group.sample_size(10);
    for (samples, measures) in [(10_000u32, 1_000usize), (1_000, 10_000)] {
        let alternatives = alternatives(measures, criteria.len());
        let settings = Settings {
            samples,
            seed: 42,
            top_k: 10,
            model: WeightModel::AroundAgreed { percent: 20 },
            threads: 2,
        };
        group.bench_function(
            format!("{samples} samples x {measures} measures x 10 criteria, 2 threads"),
            |b| b.iter(|| analyse(black_box(&criteria), black_box(&alternatives), settings)),
        );
    }
    group.finish();
}

criterion_group!(benches, bench, robustness);
criterion_main!(benches);

//! Robustness of a ranking: SMAA-2 (Lahdelma & Salminen 2001; METHOD.md, "Robustness"). In
//! each of N samples the weights are drawn from a weight model and each criterion value of a
//! measure from its raters' submitted values (a final value stays fixed); every measure is
//! scored and ranked. Per measure it counts the ranks (in at most [`MAX_BINS`] bins), how often it
//! is among the first k and first, and how often it ranks before the measure right above it in
//! the agreed ranking. Memory grows with measures × bins, never measures².
//!
//! Reproducible: samples come in chunks of [`CHUNK`], each drawn from its own stream of a
//! ChaCha8 generator seeded with `seed`; the counts are integers added up, so the result is the
//! same for any number of threads.

use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::ranking::{Criterion, Group};
use super::values::HalfPoints;

/// Samples per generator stream.
pub const CHUNK: u32 = 250;
/// The most rank bins kept per measure; up to this many measures every rank has its own bin.
pub const MAX_BINS: usize = 100;

/// How the weights vary from sample to sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WeightModel {
    /// Each agreed weight times a factor in [1 − p, 1 + p] (p in percent), renormalised.
    AroundAgreed { percent: u8 },
    /// Any weights that keep the agreed order of the weights (a sorted uniform sample).
    OrderOnly,
    /// Any weights at all: uniform on the simplex (Dirichlet(1, …, 1)).
    Uniform,
}

/// One measure as the robustness analysis sees it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Alternative {
    pub mandatory: bool,
    /// Per criterion the values a sample may take: each rater's submitted value, or the final
    /// value alone. An empty list: the value is missing, the measure is incomplete.
    pub choices: Vec<Vec<HalfPoints>>,
    /// The tie-breaks of the ranking: supports, proposed (smaller is older), number.
    pub supports: u32,
    pub created: i64,
    pub number: i64,
    /// The index of the measure right above it in the agreed ranking, if any.
    pub above: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Settings {
    pub samples: u32,
    pub seed: u64,
    /// k of the top-k acceptability.
    pub top_k: usize,
    pub model: WeightModel,
    pub threads: usize,
}

/// What N samples say about one measure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acceptability {
    /// Samples per rank bin (bin b covers the ranks `bin_ranks(b)`).
    pub histogram: Vec<u32>,
    /// Samples in which it is among the first k.
    pub top_k: u32,
    /// Samples in which it is first.
    pub first: u32,
    /// Samples in which it ranks before the measure right above it (none: it is first).
    pub beats_above: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Robustness {
    pub settings: Settings,
    pub measures: usize,
    pub bins: usize,
    /// In the order of the input.
    pub acceptability: Vec<Acceptability>,
}

impl Robustness {
    /// The ranks (1-based, inclusive) bin `bin` counts.
    pub fn bin_ranks(&self, bin: usize) -> (usize, usize) {
        bin_ranks(self.measures, self.bins, bin)
    }

    /// The rank below which `share` of the samples lie (1-based): the p-th percentile of the
    /// rank; with bins wider than one rank, the first rank of the bin for low percentiles and
    /// the last rank of the bin for high ones, so the range is never narrower than the truth.
    pub fn rank_percentile(&self, index: usize, share: f64) -> usize {
        let histogram = &self.acceptability[index].histogram;
        let wanted = (f64::from(self.settings.samples) * share).ceil().max(1.0) as u64;
        let mut seen: u64 = 0;
        for (bin, count) in histogram.iter().enumerate() {
            seen += u64::from(*count);
            if seen >= wanted {
                let (first, last) = self.bin_ranks(bin);
                return if share < 0.5 {
                    first
                } else if share > 0.5 {
                    last
                } else {
                    (first + last) / 2
                };
            }
        }
        self.measures
    }

    /// Share of samples as a fraction.
    pub fn share(&self, count: u32) -> f64 {
        f64::from(count) / f64::from(self.settings.samples.max(1))
    }

    /// The 95 % half-width of any share: at most 1.96 · 0.5 / √N.
    pub fn accuracy(&self) -> f64 {
        1.96 * 0.5 / f64::from(self.settings.samples.max(1)).sqrt()
    }
}

fn bins_for(measures: usize) -> usize {
    measures.clamp(1, MAX_BINS)
}

fn bin_of(measures: usize, bins: usize, rank0: usize) -> usize {
    rank0 * bins / measures.max(1)
}

fn bin_ranks(measures: usize, bins: usize, bin: usize) -> (usize, usize) {
    // The smallest rank r (0-based) with r · bins / m ≥ bin, up to the next bin's.
    let first = (bin * measures).div_ceil(bins);
    let last = ((bin + 1) * measures).div_ceil(bins).max(first + 1) - 1;
    (first + 1, last + 1)
}

/// One sample's weights, as fractions adding up to 1.
fn draw_weights(rng: &mut ChaCha8Rng, agreed: &[f64], model: WeightModel, out: &mut [f64]) {
    let n = agreed.len();
    match model {
        WeightModel::AroundAgreed { percent } => {
            let p = f64::from(percent) / 100.0;
            for (weight, agreed) in out.iter_mut().zip(agreed) {
                *weight = agreed * rng.gen_range(1.0 - p..=1.0 + p);
            }
        }
        WeightModel::Uniform | WeightModel::OrderOnly => {
            // n − 1 uniforms, sorted, and the gaps between 0, them and 1.
            let mut cuts: Vec<f64> = (0..n.saturating_sub(1))
                .map(|_| rng.r#gen::<f64>())
                .collect();
            cuts.sort_unstable_by(f64::total_cmp);
            let mut previous = 0.0;
            for (k, weight) in out.iter_mut().enumerate() {
                let cut = cuts.get(k).copied().unwrap_or(1.0);
                *weight = cut - previous;
                previous = cut;
            }
            if model == WeightModel::OrderOnly {
                // The largest sampled weight to the largest agreed one, and so on.
                let mut by_agreed: Vec<usize> = (0..n).collect();
                by_agreed.sort_by(|a, b| agreed[*b].total_cmp(&agreed[*a]).then(a.cmp(b)));
                let mut sampled = out.to_vec();
                sampled.sort_unstable_by(|a, b| b.total_cmp(a));
                for (k, value) in by_agreed.into_iter().zip(sampled) {
                    out[k] = value;
                }
            }
        }
    }
    let total: f64 = out.iter().sum();
    if total > 0.0 {
        for weight in out.iter_mut() {
            *weight /= total;
        }
    }
}

/// Which rater's value a sample takes: 16 random bits per draw, four draws from one 64-bit
/// number (the values are most of the random numbers a sample needs). The index is
/// ⌊x · len / 2¹⁶⌋, whose bias is below len / 2¹⁶ (0.01 % for seven raters), far under the
/// sampling error of any share.
#[derive(Default)]
struct Draws {
    bits: u64,
    left: u32,
}

impl Draws {
    fn index(&mut self, rng: &mut ChaCha8Rng, len: usize) -> usize {
        if self.left == 0 {
            self.bits = rng.next_u64();
            self.left = 4;
        }
        let x = self.bits & 0xFFFF;
        self.bits >>= 16;
        self.left -= 1;
        ((x * len as u64) >> 16) as usize
    }
}

/// Counts of one thread, added up at the end.
struct Counts {
    histogram: Vec<u32>,
    top_k: Vec<u32>,
    first: Vec<u32>,
    beats_above: Vec<u32>,
}

impl Counts {
    fn new(measures: usize, bins: usize) -> Self {
        Self {
            histogram: vec![0; measures * bins],
            top_k: vec![0; measures],
            first: vec![0; measures],
            beats_above: vec![0; measures],
        }
    }

    fn add(&mut self, other: &Self) {
        for (mine, theirs) in [
            (&mut self.histogram, &other.histogram),
            (&mut self.top_k, &other.top_k),
            (&mut self.first, &other.first),
            (&mut self.beats_above, &other.beats_above),
        ] {
            for (a, b) in mine.iter_mut().zip(theirs) {
                *a += b;
            }
        }
    }
}

/// Everything of the input that does not change from sample to sample.
struct Prepared<'a> {
    alternatives: &'a [Alternative],
    groups: Vec<Group>,
    agreed: Vec<f64>,
    /// Tier per measure: 0 mandatory, 1 scored, 2 incomplete.
    tiers: Vec<u64>,
    /// The measure's place in the tie-break order (supports, age, number).
    tie_places: Vec<u64>,
    /// Measure index by tie-break place.
    by_tie_place: Vec<usize>,
    bins: usize,
}

const TIE_BITS: u32 = 30;

impl<'a> Prepared<'a> {
    fn new(criteria: &[Criterion], alternatives: &'a [Alternative]) -> Self {
        let tiers = alternatives
            .iter()
            .map(|alternative| {
                if alternative.mandatory {
                    0
                } else if alternative.choices.len() < criteria.len()
                    || alternative.choices.iter().any(Vec::is_empty)
                {
                    2
                } else {
                    1
                }
            })
            .collect();
        let mut by_tie_place: Vec<usize> = (0..alternatives.len()).collect();
        by_tie_place.sort_by(|a, b| {
            let (x, y) = (&alternatives[*a], &alternatives[*b]);
            y.supports
                .cmp(&x.supports)
                .then(x.created.cmp(&y.created))
                .then(x.number.cmp(&y.number))
        });
        let mut tie_places = vec![0; alternatives.len()];
        for (place, index) in by_tie_place.iter().enumerate() {
            tie_places[*index] = place as u64;
        }
        Self {
            alternatives,
            groups: criteria.iter().map(|criterion| criterion.group).collect(),
            agreed: criteria
                .iter()
                .map(|criterion| f64::from(criterion.weight))
                .collect(),
            tiers,
            tie_places,
            by_tie_place,
            bins: bins_for(alternatives.len()),
        }
    }

    fn run_chunk(&self, settings: &Settings, chunk: u32, counts: &mut Counts) {
        let mut rng = ChaCha8Rng::seed_from_u64(settings.seed);
        rng.set_stream(u64::from(chunk));
        let mut draws = Draws::default();
        let m = self.alternatives.len();
        let n = self.agreed.len();
        let mut weights = vec![0.0; n];
        let mut keys: Vec<u64> = Vec::with_capacity(m);
        let mut ranks = vec![0usize; m];
        let first_sample = chunk * CHUNK;
        let last_sample = (first_sample + CHUNK).min(settings.samples);
        for _ in first_sample..last_sample {
            draw_weights(&mut rng, &self.agreed, settings.model, &mut weights);
            keys.clear();
            for (index, alternative) in self.alternatives.iter().enumerate() {
                let tier = self.tiers[index];
                let mut score = 0.0;
                if tier == 1 {
                    for ((choices, weight), group) in
                        alternative.choices.iter().zip(&weights).zip(&self.groups)
                    {
                        let value = if choices.len() == 1 {
                            choices[0]
                        } else {
                            choices[draws.index(&mut rng, choices.len())]
                        };
                        let half = f64::from(value.half_points());
                        let utility = match group {
                            Group::Benefit => half,
                            Group::Cost => 20.0 - half,
                        };
                        score += weight * utility / 20.0;
                    }
                }
                // Higher scores first: the complement, in 32 bits (equal values give equal
                // scores, and so equal keys; the tie-break decides).
                let scaled = (score.clamp(0.0, 1.0) * f64::from(u32::MAX)) as u64;
                let key = (tier << 62)
                    | ((u64::from(u32::MAX) - scaled) << TIE_BITS)
                    | self.tie_places[index];
                keys.push(key);
            }
            keys.sort_unstable();
            for (rank, key) in keys.iter().enumerate() {
                let index = self.by_tie_place[(key & ((1 << TIE_BITS) - 1)) as usize];
                ranks[index] = rank;
            }
            for index in 0..m {
                let rank = ranks[index];
                counts.histogram[index * self.bins + bin_of(m, self.bins, rank)] += 1;
                if rank < settings.top_k {
                    counts.top_k[index] += 1;
                }
                if rank == 0 {
                    counts.first[index] += 1;
                }
                if let Some(above) = self.alternatives[index].above
                    && rank < ranks[above]
                {
                    counts.beats_above[index] += 1;
                }
            }
        }
    }
}

/// Runs SMAA-2 over `alternatives` with the agreed `criteria` weights.
pub fn analyse(
    criteria: &[Criterion],
    alternatives: &[Alternative],
    settings: Settings,
) -> Robustness {
    let prepared = Prepared::new(criteria, alternatives);
    let m = alternatives.len();
    let bins = prepared.bins;
    let chunks = settings.samples.div_ceil(CHUNK);
    let threads = settings.threads.clamp(1, 64);
    let partials: Vec<Counts> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|thread| {
                let prepared = &prepared;
                let settings = &settings;
                scope.spawn(move || {
                    let mut counts = Counts::new(m, bins);
                    let mut chunk = thread as u32;
                    while chunk < chunks {
                        prepared.run_chunk(settings, chunk, &mut counts);
                        chunk += threads as u32;
                    }
                    counts
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().unwrap_or_else(|_| Counts::new(m, bins)))
            .collect()
    });
    let mut total = Counts::new(m, bins);
    for partial in &partials {
        total.add(partial);
    }
    let acceptability = (0..m)
        .map(|index| Acceptability {
            histogram: total.histogram[index * bins..(index + 1) * bins].to_vec(),
            top_k: total.top_k[index],
            first: total.first[index],
            beats_above: alternatives[index].above.map(|_| total.beats_above[index]),
        })
        .collect();
    Robustness {
        settings,
        measures: m,
        bins,
        acceptability,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn criteria() -> Vec<Criterion> {
        vec![
            Criterion {
                group: Group::Benefit,
                weight: 50,
            },
            Criterion {
                group: Group::Benefit,
                weight: 30,
            },
            Criterion {
                group: Group::Cost,
                weight: 20,
            },
        ]
    }

    fn fixed(number: i64, points: [u8; 3], above: Option<usize>) -> Alternative {
        Alternative {
            mandatory: false,
            choices: points
                .iter()
                .map(|p| vec![HalfPoints::from_points(*p).expect("0–10")])
                .collect(),
            supports: 0,
            created: number,
            number,
            above,
        }
    }

    fn settings(samples: u32, threads: usize) -> Settings {
        Settings {
            samples,
            seed: 7,
            top_k: 1,
            model: WeightModel::Uniform,
            threads,
        }
    }

    #[test]
    fn a_measure_better_on_every_criterion_is_always_first() {
        let alternatives = [
            fixed(1, [9, 9, 1], None),
            fixed(2, [5, 5, 5], Some(0)),
            fixed(3, [2, 8, 3], Some(1)),
        ];
        let result = analyse(&criteria(), &alternatives, settings(1000, 1));
        assert_eq!(result.acceptability[0].first, 1000);
        assert_eq!(result.acceptability[1].beats_above, Some(0));
        assert_eq!(result.rank_percentile(0, 0.95), 1);
    }

    #[test]
    fn the_same_seed_gives_the_same_figures_with_one_thread_or_two() {
        let alternatives: Vec<Alternative> = (0..40)
            .map(|i| Alternative {
                choices: vec![
                    vec![
                        HalfPoints::from_points((i % 11) as u8).expect("0–10"),
                        HalfPoints::from_points(((i * 7) % 11) as u8).expect("0–10"),
                    ],
                    vec![HalfPoints::from_points(((i * 3) % 11) as u8).expect("0–10")],
                    vec![HalfPoints::from_points(((i * 5) % 11) as u8).expect("0–10")],
                ],
                ..fixed(i, [0, 0, 0], (i > 0).then(|| i as usize - 1))
            })
            .collect();
        let one = analyse(&criteria(), &alternatives, settings(1100, 1));
        let two = analyse(&criteria(), &alternatives, settings(1100, 2));
        assert_eq!(one.acceptability, two.acceptability);
        let other_seed = analyse(
            &criteria(),
            &alternatives,
            Settings {
                seed: 8,
                ..settings(1100, 1)
            },
        );
        assert_ne!(one.acceptability, other_seed.acceptability);
        for acceptability in &one.acceptability {
            assert_eq!(
                acceptability.histogram.iter().sum::<u32>(),
                1100,
                "each measure's rank shares add up to 1"
            );
        }
    }

    #[test]
    fn bins_cover_every_rank_once() {
        for measures in [1, 7, 100, 101, 999, 10_000] {
            let bins = bins_for(measures);
            let mut next = 1;
            for bin in 0..bins {
                let (first, last) = bin_ranks(measures, bins, bin);
                assert_eq!(first, next, "{measures} measures, bin {bin}");
                assert!(last >= first);
                for rank in first..=last {
                    assert_eq!(bin_of(measures, bins, rank - 1), bin);
                }
                next = last + 1;
            }
            assert_eq!(next, measures + 1);
        }
    }

    #[test]
    fn weights_of_every_model_add_up_to_one_and_order_only_keeps_the_order() {
        let agreed = [50.0, 30.0, 20.0];
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for model in [
            WeightModel::Uniform,
            WeightModel::OrderOnly,
            WeightModel::AroundAgreed { percent: 20 },
        ] {
            for _ in 0..200 {
                let mut weights = [0.0; 3];
                draw_weights(&mut rng, &agreed, model, &mut weights);
                assert!(
                    (weights.iter().sum::<f64>() - 1.0).abs() < 1e-9,
                    "{model:?}"
                );
                if model == WeightModel::OrderOnly {
                    assert!(weights[0] >= weights[1] && weights[1] >= weights[2]);
                }
                if let WeightModel::AroundAgreed { .. } = model {
                    // 0.5 · 0.8 / (0.8 · 0.5 + 1.2 · 0.5) = 0.4 at the least.
                    assert!(weights[0] >= 0.4 - 1e-9 && weights[0] <= 0.6 + 1e-9);
                }
            }
        }
    }
}

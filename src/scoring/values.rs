//! Values on the 0–10 point scale, and how the raters' values of one criterion become one:
//! the median of the submitted values (half points occur for an even count), unless the central
//! officer set a final value; with the spread, and the rule that flags disagreement.

/// A value on the 0–10 scale counted in half points (0..=20), so that the median of an even
/// number of values is exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HalfPoints(u8);

impl HalfPoints {
    pub const MAX: Self = Self(20);

    /// `points` (0–10) as half points.
    pub fn from_points(points: u8) -> Option<Self> {
        (points <= 10).then_some(Self(points * 2))
    }

    /// A count of half points (0–20).
    pub fn new(half_points: u8) -> Option<Self> {
        (half_points <= 20).then_some(Self(half_points))
    }

    pub fn half_points(self) -> u8 {
        self.0
    }

    /// The value in points, for people: 7.5.
    pub fn points(self) -> f64 {
        f64::from(self.0) / 2.0
    }
}

/// Where a consolidated value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The median of this many submitted values.
    Median(usize),
    /// The central officer's final value.
    Final,
}

/// How far the submitted values of one criterion lie apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spread {
    pub min: HalfPoints,
    pub max: HalfPoints,
    /// The lower and upper quartile (Tukey's hinges: the medians of the lower and the upper half,
    /// the middle value left out for an odd count).
    pub lower_quartile: HalfPoints,
    pub upper_quartile: HalfPoints,
}

impl Spread {
    /// max − min in half points.
    pub fn range(self) -> u8 {
        self.max.0 - self.min.0
    }
}

/// One criterion's value for one measure, as the ranking uses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Consolidated {
    pub value: HalfPoints,
    pub origin: Origin,
}

/// The median of sorted half points of whole points (even numbers), the mean of the two middle
/// ones for an even count: their sum is even, so the mean is exact in half points.
fn median(sorted: &[u8]) -> u8 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }
}

/// The consolidated value of the `submitted` values in points (0–10; "nicht beurteilbar" is not
/// among them) and an optional final value: the final value wins; without one, the median;
/// without any submitted value there is none.
pub fn consolidate(submitted: &[u8], final_value: Option<u8>) -> Option<Consolidated> {
    if let Some(value) = final_value.and_then(HalfPoints::from_points) {
        return Some(Consolidated {
            value,
            origin: Origin::Final,
        });
    }
    let mut half: Vec<u8> = submitted
        .iter()
        .filter(|points| **points <= 10)
        .map(|points| points * 2)
        .collect();
    if half.is_empty() {
        return None;
    }
    half.sort_unstable();
    Some(Consolidated {
        value: HalfPoints(median(&half)),
        origin: Origin::Median(half.len()),
    })
}

/// The spread of the `submitted` values in points, if there are any.
pub fn spread(submitted: &[u8]) -> Option<Spread> {
    let mut half: Vec<u8> = submitted
        .iter()
        .filter(|points| **points <= 10)
        .map(|points| points * 2)
        .collect();
    half.sort_unstable();
    let (first, last) = (*half.first()?, *half.last()?);
    let n = half.len();
    let (lower, upper) = if n == 1 {
        (&half[..], &half[..])
    } else {
        (&half[..n / 2], &half[n.div_ceil(2)..])
    };
    Some(Spread {
        min: HalfPoints(first),
        max: HalfPoints(last),
        lower_quartile: HalfPoints(median(lower)),
        upper_quartile: HalfPoints(median(upper)),
    })
}

/// The documented rule for a disagreement worth discussing: the raters' values of a criterion
/// that weighs at least 10 % lie 5 points or more apart.
pub const DISPUTED_RANGE_POINTS: u8 = 5;
pub const DISPUTED_MIN_WEIGHT: u8 = 10;

pub fn disputed(spread: Spread, weight_percent: u8) -> bool {
    weight_percent >= DISPUTED_MIN_WEIGHT && spread.range() >= DISPUTED_RANGE_POINTS * 2
}

#[cfg(test)]
mod tests {
    use super::*;

    fn half(points: f64) -> HalfPoints {
        HalfPoints((points * 2.0) as u8)
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        let value = consolidate(&[7, 3, 8, 6], None).expect("values");
        assert_eq!(value.value, half(6.5));
        assert_eq!(value.origin, Origin::Median(4));
        assert_eq!(
            consolidate(&[2, 9, 4], None).map(|v| v.value),
            Some(half(4.0))
        );
        assert_eq!(consolidate(&[5], None).map(|v| v.value), Some(half(5.0)));
    }

    #[test]
    fn a_final_value_wins_and_no_value_is_none() {
        let value = consolidate(&[1, 2, 3], Some(9)).expect("a final value");
        assert_eq!((value.value, value.origin), (half(9.0), Origin::Final));
        assert_eq!(consolidate(&[], None), None);
        assert_eq!(consolidate(&[], Some(0)).map(|v| v.value), Some(half(0.0)));
    }

    #[test]
    fn the_spread_has_min_max_and_hinges() {
        // 1 3 4 6 8 9 10: lower half 1 3 4 (hinge 3), upper half 8 9 10 (hinge 9).
        let spread = spread(&[9, 1, 6, 3, 10, 4, 8]).expect("values");
        assert_eq!((spread.min, spread.max), (half(1.0), half(10.0)));
        assert_eq!(
            (spread.lower_quartile, spread.upper_quartile),
            (half(3.0), half(9.0))
        );
        // 2 4 6 8: halves 2 4 and 6 8.
        let even = super::spread(&[8, 2, 6, 4]).expect("values");
        assert_eq!(
            (even.lower_quartile, even.upper_quartile),
            (half(3.0), half(7.0))
        );
        assert_eq!(super::spread(&[]), None);
    }

    #[test]
    fn five_points_apart_on_a_criterion_of_ten_percent_is_disputed() {
        let wide = spread(&[2, 7]).expect("values");
        assert!(disputed(wide, 10));
        assert!(!disputed(wide, 9));
        let narrow = spread(&[3, 7]).expect("values");
        assert!(!disputed(narrow, 30));
    }
}

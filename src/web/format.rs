//! German formatting for pages, in one place: numbers with the thousands separator and decimal
//! comma from the Unicode CLDR data for German (ICU4X's `icu_decimal`), amounts in euros, and
//! dates and times in Hamburg's local time (`domain::time`). Templates use them as askama
//! filters: a module with templates says `use crate::web::format::filters;`, and a template
//! writes `{{ cost|euros }}`, `{{ days|number }}`, `{{ at|datetime }}`.

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, Utc};
use icu_decimal::DecimalFormatter;
use icu_decimal::input::Decimal;

use crate::domain::lifecycle::Status;

static GERMAN: LazyLock<Option<DecimalFormatter>> = LazyLock::new(|| {
    DecimalFormatter::try_new(icu_locale_core::locale!("de").into(), Default::default()).ok()
});

/// A whole number as German readers write it: 110.000, -4.711.
pub fn number(value: i64) -> String {
    decimal(value, 0)
}

/// `value / 10^places` with exactly `places` digits after the comma: `decimal(4445, 2)` is
/// "44,45". Fractions stay integers until here, so nothing is lost to floating point.
pub fn decimal(value: i64, places: i16) -> String {
    let mut decimal = Decimal::from(value);
    decimal.multiply_pow10(-places);
    decimal.absolute.pad_end(-places);
    match GERMAN.as_ref() {
        Some(formatter) => formatter.format_to_string(&decimal),
        // The German data is compiled in; without it, digits are still readable.
        None => decimal.to_string(),
    }
}

/// An amount in euros: "110.000 €" (with a no-break space, so the sign never stands alone).
pub fn euros(value: i64) -> String {
    format!("{}\u{a0}€", number(value))
}

/// Whole numbers that pages show.
pub trait WholeNumber {
    fn whole(&self) -> i64;
}

macro_rules! whole_number {
    ($($kind:ty),*) => {$(
        impl WholeNumber for $kind {
            fn whole(&self) -> i64 {
                i64::from(*self)
            }
        }
    )*};
}
whole_number!(i16, i32, i64, u8, u16, u32);

impl WholeNumber for usize {
    fn whole(&self) -> i64 {
        i64::try_from(*self).unwrap_or(i64::MAX)
    }
}

impl<T: WholeNumber + ?Sized> WholeNumber for &T {
    fn whole(&self) -> i64 {
        (**self).whole()
    }
}

/// What has a date: a calendar day as it is, a moment as its day in Hamburg.
pub trait Dated {
    fn german_date(&self) -> String;
}

impl Dated for NaiveDate {
    fn german_date(&self) -> String {
        crate::domain::time::day(*self)
    }
}

impl Dated for DateTime<Utc> {
    fn german_date(&self) -> String {
        crate::domain::time::local_date(self)
    }
}

impl<T: Dated + ?Sized> Dated for &T {
    fn german_date(&self) -> String {
        (**self).german_date()
    }
}

/// The KERN badge variant of a status: one colour per status, everywhere, and always with its
/// text (never the colour alone). Open steps are blue, setbacks amber, accepted and later green,
/// refusals red, drafts and merged measures neutral.
pub fn badge_variant(status: Status) -> &'static str {
    match status {
        Status::Draft | Status::Merged => "status-badge--neutral",
        Status::Submitted | Status::InReview => "kern-badge--info",
        Status::Deferred => "kern-badge--warning",
        Status::Accepted | Status::InProgress | Status::Implemented => "kern-badge--success",
        Status::Rejected | Status::Discontinued => "kern-badge--danger",
    }
}

/// The askama filters.
pub mod filters {
    use super::{DateTime, Dated, Status, Utc, WholeNumber};

    /// `{{ status|badge_variant }}`: the class of its badge (see [`super::badge_variant`]).
    #[askama::filter_fn]
    pub fn badge_variant(value: &Status, _: &dyn askama::Values) -> askama::Result<&'static str> {
        Ok(super::badge_variant(*value))
    }

    /// `{{ count|number }}`: "12.461".
    #[askama::filter_fn]
    pub fn number(value: impl WholeNumber, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(super::number(value.whole()))
    }

    /// `{{ cost|euros }}`: "110.000 €".
    #[askama::filter_fn]
    pub fn euros(value: impl WholeNumber, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(super::euros(value.whole()))
    }

    /// `{{ day|date }}`: "01.12.2026" (a moment: its day in Hamburg).
    #[askama::filter_fn]
    pub fn date(value: impl Dated, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(value.german_date())
    }

    /// `{{ at|datetime }}`: "01.12.2026, 14:05 Uhr", in Hamburg.
    #[askama::filter_fn]
    pub fn datetime(value: &DateTime<Utc>, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(crate::domain::time::local(value))
    }

    /// `{{ at|datetime_utc }}`: "28.11.2026, 13:05:09" in UTC (the security log).
    #[askama::filter_fn]
    pub fn datetime_utc(value: &DateTime<Utc>, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(crate::domain::time::utc(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_has_one_badge_and_like_statuses_share_it() {
        assert_eq!(
            badge_variant(Status::Accepted),
            badge_variant(Status::Implemented)
        );
        assert_eq!(badge_variant(Status::Rejected), "kern-badge--danger");
        assert_eq!(badge_variant(Status::Deferred), "kern-badge--warning");
        for status in Status::ALL {
            assert!(!badge_variant(status).is_empty(), "{status:?}");
        }
    }

    #[test]
    fn numbers_have_thousands_separators_and_a_decimal_comma() {
        assert_eq!(number(0), "0");
        assert_eq!(number(80), "80");
        assert_eq!(number(1_000), "1.000");
        assert_eq!(number(110_000), "110.000");
        assert_eq!(number(-4_711), "-4.711");
        assert_eq!(number(12_345_678), "12.345.678");
        assert_eq!(decimal(4_445, 2), "44,45");
        assert_eq!(decimal(4_440, 2), "44,40");
        assert_eq!(decimal(1_234_567, 1), "123.456,7");
        assert_eq!(decimal(5, 2), "0,05");
    }

    #[test]
    fn amounts_are_in_euros_with_a_no_break_space() {
        assert_eq!(euros(110_000), "110.000\u{a0}€");
        assert_eq!(euros(0), "0\u{a0}€");
    }
}

//! Times as people in Hamburg read them: German local time, CET (UTC+1) and in summer CEST
//! (UTC+2), switching at 01:00 UTC on the last Sundays of March and October (the EU rule in
//! force since 1996). The database and the logs keep UTC.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, Offset, Utc, Weekday};

/// The message for a date that could not be read, or one outside the years PriMa plans in.
pub const DATE_HINT: &str =
    "Bitte geben Sie ein Datum zwischen 1900 und 2200 an, zum Beispiel 31.12.2026.";

/// The years a date typed into PriMa may fall in: what the administration plans and records,
/// with room to spare, and far inside what PostgreSQL stores.
pub const PLAUSIBLE_YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

/// The one reader of dates people type: as written here (31.12.2026) or as a date field sends
/// it (2026-12-31), within [`PLAUSIBLE_YEARS`]; empty is none.
pub fn parse_date(value: &str) -> Result<Option<NaiveDate>, &'static str> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(value, "%d.%m.%Y"))
        .ok()
        .filter(|date| PLAUSIBLE_YEARS.contains(&date.year()))
        .map(Some)
        .ok_or(DATE_HINT)
}

/// The local time in Hamburg at `at`.
pub fn hamburg(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    let hours = if is_summer_time(at) { 2 } else { 1 };
    let offset = FixedOffset::east_opt(hours * 3600).unwrap_or_else(|| Utc.fix());
    at.with_timezone(&offset)
}

/// "28.11.2026, 14:05 Uhr": a date and time for pages.
pub fn local(at: &DateTime<Utc>) -> String {
    hamburg(*at).format("%d.%m.%Y, %H:%M Uhr").to_string()
}

/// "28.11.2026": the local date.
pub fn local_date(at: &DateTime<Utc>) -> String {
    hamburg(*at).format("%d.%m.%Y").to_string()
}

fn is_summer_time(at: DateTime<Utc>) -> bool {
    let year = at.year();
    let switch = |month| {
        last_sunday(year, month)
            .and_hms_opt(1, 0, 0)
            .map(|time| time.and_utc())
    };
    match (switch(3), switch(10)) {
        (Some(start), Some(end)) => at >= start && at < end,
        _ => false,
    }
}

fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let next_month = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    let last = next_month.map_or(NaiveDate::MIN, |first| first - Duration::days(1));
    let back = match last.weekday() {
        Weekday::Sun => 0,
        weekday => i64::from(weekday.num_days_from_sunday()),
    };
    last - Duration::days(back)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_in_both_forms_and_only_in_plausible_years() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 31);
        assert_eq!(parse_date("31.12.2026"), Ok(day));
        assert_eq!(parse_date(" 2026-12-31 "), Ok(day));
        assert_eq!(parse_date(""), Ok(None));
        for impossible in [
            "-4713-01-01",
            "0001-01-01",
            "1899-12-31",
            "2201-01-01",
            "262143-12-31",
            "31.02.2026",
            "morgen",
        ] {
            assert_eq!(parse_date(impossible), Err(DATE_HINT), "{impossible}");
        }
        assert!(parse_date("1900-01-01").is_ok_and(|date| date.is_some()));
        assert!(parse_date("31.12.2200").is_ok_and(|date| date.is_some()));
    }

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().expect("a UTC time")
    }

    fn day(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).expect("a date")
    }

    #[test]
    fn winter_is_one_hour_ahead_and_summer_two() {
        assert_eq!(local(&utc("2026-11-28T13:05:00Z")), "28.11.2026, 14:05 Uhr");
        assert_eq!(local(&utc("2026-07-01T22:30:00Z")), "02.07.2026, 00:30 Uhr");
        assert_eq!(local_date(&utc("2026-12-31T23:30:00Z")), "01.01.2027");
    }

    #[test]
    fn the_clocks_change_at_one_o_clock_utc_on_the_last_sundays_of_march_and_october() {
        // 2026: 29 March and 25 October.
        assert_eq!(local(&utc("2026-03-29T00:59:00Z")), "29.03.2026, 01:59 Uhr");
        assert_eq!(local(&utc("2026-03-29T01:00:00Z")), "29.03.2026, 03:00 Uhr");
        assert_eq!(local(&utc("2026-10-25T00:59:00Z")), "25.10.2026, 02:59 Uhr");
        assert_eq!(local(&utc("2026-10-25T01:00:00Z")), "25.10.2026, 02:00 Uhr");
        // 2027: 28 March and 31 October (a month ending on a Sunday).
        assert_eq!(last_sunday(2027, 3), day(2027, 3, 28));
        assert_eq!(last_sunday(2027, 10), day(2027, 10, 31));
        assert_eq!(last_sunday(2026, 12), day(2026, 12, 27));
    }
}

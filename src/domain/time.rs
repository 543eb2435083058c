//! Times as people in Hamburg read them: German local time, CET (UTC+1) and in summer CEST
//! (UTC+2), switching at 01:00 UTC on the last Sundays of March and October (the EU rule in
//! force since 1996). The database and the logs keep UTC.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, Offset, Utc, Weekday};

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

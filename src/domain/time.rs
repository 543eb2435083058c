//! Times as people in Hamburg read them, in the time zone `Europe/Berlin` of the IANA time zone
//! database (`chrono-tz`, which knows every change of the rules, past and announced); and the
//! one reader of dates people type. The database and the logs keep UTC.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Europe::Berlin;

/// The message for a date that could not be read, or one outside the years PriMa plans in.
pub const DATE_HINT: &str =
    "Bitte geben Sie ein Datum zwischen 1900 und 2200 an, zum Beispiel 31.12.2026.";

/// The message for a date written correctly that the calendar does not have (31.02.).
pub const NO_SUCH_DAY: &str = "Diesen Tag gibt es im Kalender nicht (der Februar hat höchstens 29 \
     Tage, April, Juni, September und November haben 30). Bitte prüfen Sie das Datum.";

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
        .ok_or_else(|| {
            if names_a_day_the_calendar_lacks(value) {
                NO_SUCH_DAY
            } else {
                DATE_HINT
            }
        })
}

/// Whether `value` is a date as written here or sent by a date field, with a plausible year,
/// a month from 1 to 12 and a day from 1 to 31, that is no day of that month (31.02.2026).
fn names_a_day_the_calendar_lacks(value: &str) -> bool {
    let parts: Vec<&str> = if value.contains('.') {
        value.split('.').rev().collect()
    } else {
        value.split('-').collect()
    };
    let [year, month, day] = parts[..] else {
        return false;
    };
    let number = |text: &str| {
        (!text.is_empty() && text.len() <= 4 && text.bytes().all(|b| b.is_ascii_digit()))
            .then(|| text.parse::<u32>().ok())
            .flatten()
    };
    match (number(year), number(month), number(day)) {
        (Some(year), Some(month), Some(day)) => {
            let year = i32::try_from(year).unwrap_or(0);
            PLAUSIBLE_YEARS.contains(&year)
                && (1..=12).contains(&month)
                && (1..=31).contains(&day)
                && NaiveDate::from_ymd_opt(year, month, day).is_none()
        }
        _ => false,
    }
}

/// The local time in Hamburg at `at`.
/// "März 2020": a month as German documents name it.
pub fn month_year(date: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{} {}", MONTH_NAMES[date.month0() as usize], date.year())
}

/// The months' German names, January first.
pub const MONTH_NAMES: [&str; 12] = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
];

/// Today in Hamburg: the one "today" of PriMa (the database's `current_date` is UTC's, a day
/// off between midnight and one or two o'clock).
pub fn today() -> NaiveDate {
    hamburg(Utc::now()).date_naive()
}

pub fn hamburg(at: DateTime<Utc>) -> DateTime<chrono_tz::Tz> {
    at.with_timezone(&Berlin)
}

/// "28.11.2026, 14:05 Uhr": a date and time for pages.
pub fn local(at: &DateTime<Utc>) -> String {
    hamburg(*at).format("%d.%m.%Y, %H:%M Uhr").to_string()
}

/// "28.11.2026, 13:05:09": a moment in UTC to the second, for the security log, whose times
/// are compared with the servers' logs.
pub fn utc(at: &DateTime<Utc>) -> String {
    at.format("%d.%m.%Y, %H:%M:%S").to_string()
}

/// "31.12.2026": a calendar day as German readers write it.
pub fn day(date: NaiveDate) -> String {
    date.format("%d.%m.%Y").to_string()
}

/// "28.11.2026": the local date.
pub fn local_date(at: &DateTime<Utc>) -> String {
    hamburg(*at).format("%d.%m.%Y").to_string()
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
            "32.01.2026",
            "2026-13-01",
            "morgen",
        ] {
            assert_eq!(parse_date(impossible), Err(DATE_HINT), "{impossible}");
        }
        // Written right, but the calendar has no such day: said so, not "between 1900 and 2200".
        for missing in ["31.02.2026", "29.02.2027", "2026-04-31", "31.11.2026"] {
            assert_eq!(parse_date(missing), Err(NO_SUCH_DAY), "{missing}");
        }
        assert_eq!(
            parse_date("29.02.2028"),
            Ok(NaiveDate::from_ymd_opt(2028, 2, 29))
        );
        assert!(parse_date("1900-01-01").is_ok_and(|date| date.is_some()));
        assert!(parse_date("31.12.2200").is_ok_and(|date| date.is_some()));
    }

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().expect("a UTC time")
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
        assert_eq!(local(&utc("2027-03-28T01:00:00Z")), "28.03.2027, 03:00 Uhr");
        assert_eq!(local(&utc("2027-10-31T00:59:00Z")), "31.10.2027, 02:59 Uhr");
        assert_eq!(local(&utc("2027-10-31T01:00:00Z")), "31.10.2027, 02:00 Uhr");
        // Before 1996 autumn came at the end of September: the rule's history is in the data.
        assert_eq!(local(&utc("1990-10-15T12:00:00Z")), "15.10.1990, 13:00 Uhr");
    }
}

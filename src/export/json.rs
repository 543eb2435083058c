//! Rows as JSON records for open data: one object per row, keyed by the column keys, numbers as
//! numbers, dates as ISO 8601 (`2026-03-01`), empty cells as `null`.

use serde_json::{Map, Value as Json};

use super::{Column, Value};

/// The record of one row.
pub fn record(columns: &[Column], values: &[Value]) -> Map<String, Json> {
    columns
        .iter()
        .zip(values)
        .map(|(column, value)| (column.key.to_owned(), json(value)))
        .collect()
}

fn json(value: &Value) -> Json {
    match value {
        Value::Text(text) => Json::String(text.to_string()),
        Value::Integer(number) => Json::from(*number),
        Value::Decimal(number, places) => {
            let scale = 10f64.powi(i32::from(*places));
            serde_json::Number::from_f64((number * scale).round() / scale)
                .map_or(Json::Null, Json::Number)
        }
        Value::Date(date) => Json::String(date.format("%Y-%m-%d").to_string()),
        Value::Empty => Json::Null,
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use serde_json::json;

    use super::*;

    #[test]
    fn a_record_keeps_the_types_of_its_cells() {
        let column = |key| Column {
            key,
            heading: "",
            width: 1,
        };
        let columns = [
            column("a"),
            column("b"),
            column("c"),
            column("d"),
            column("e"),
        ];
        let record = record(
            &columns,
            &[
                Value::from("=1+1"),
                Value::Integer(3),
                Value::Decimal(13.254, 2),
                Value::Date(NaiveDate::from_ymd_opt(2026, 3, 1).expect("a date")),
                Value::Empty,
            ],
        );
        assert_eq!(
            Json::Object(record),
            json!({"a": "=1+1", "b": 3, "c": 13.25, "d": "2026-03-01", "e": null})
        );
    }
}

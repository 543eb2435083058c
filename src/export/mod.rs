//! Writers of what leaves PriMa: pure functions and types, data in, bytes out (no I/O, no
//! database); the handlers feed them and stream what they write.
//!
//! Every table of an export is a [`Sheet`] of [`Column`]s whose cells are typed [`Value`]s, so
//! that each writer gives spreadsheets real numbers and dates: CSV as German spreadsheet programs
//! read it, XLSX, ODS and JSON.

use std::borrow::Cow;

use chrono::NaiveDate;

pub mod csv;
pub mod json;
pub mod ods;
pub mod pdf;
pub mod xlsx;

/// One cell of an exported table.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Text; fixed labels are borrowed, not copied (a large export has a million cells).
    Text(Cow<'static, str>),
    Integer(i64),
    /// A number shown with this many decimal places.
    Decimal(f64, u8),
    Date(NaiveDate),
    Empty,
}

impl From<String> for Value {
    fn from(text: String) -> Self {
        Self::Text(Cow::Owned(text))
    }
}

impl From<&'static str> for Value {
    fn from(text: &'static str) -> Self {
        Self::Text(Cow::Borrowed(text))
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(value: Option<T>) -> Self {
        value.map_or(Self::Empty, Into::into)
    }
}

impl From<i64> for Value {
    fn from(number: i64) -> Self {
        Self::Integer(number)
    }
}

impl From<NaiveDate> for Value {
    fn from(date: NaiveDate) -> Self {
        Self::Date(date)
    }
}

/// A column of an exported table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// Its name in addresses (the reader's choice of columns) and in JSON.
    pub key: &'static str,
    /// Its heading in spreadsheets.
    pub heading: &'static str,
    /// Its width in characters.
    pub width: u8,
}

/// A table: a sheet of a workbook, the whole of a CSV file.
#[derive(Debug, Clone)]
pub struct Sheet {
    /// The sheet's name (at most 31 characters, none of `[]:*?/\`).
    pub name: &'static str,
    pub columns: Vec<Column>,
}

/// Whether a spreadsheet would take `text` for a formula when it is typed or opened as text:
/// it starts with `=`, `+`, `-`, `@`, a tab or a carriage return.
pub fn looks_like_formula(text: &str) -> bool {
    matches!(
        text.chars().next(),
        Some('=' | '+' | '-' | '@' | '\t' | '\r')
    )
}

/// A writer failed (only the spreadsheet libraries can).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("XLSX: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("ODS: {0}")]
    Ods(#[from] spreadsheet_ods::OdsError),
    #[error("a row before the first sheet")]
    NoSheet,
}

#[cfg(test)]
mod tests {
    //! Both workbook writers, read back with calamine as a spreadsheet program reads them.

    use std::io::Cursor;

    use calamine::{Data, Ods, Reader, Xlsx, open_workbook_from_rs};

    use super::*;

    fn sheets() -> [Sheet; 2] {
        let column = |key, heading| Column {
            key,
            heading,
            width: 12,
        };
        [
            Sheet {
                name: "Maßnahmen",
                columns: vec![
                    column("titel", "Maßnahme"),
                    column("anzahl", "Anzahl"),
                    column("punkte", "Punkte"),
                    column("datum", "Beginn"),
                    column("leer", "Leer"),
                ],
            },
            Sheet {
                name: "Ziele",
                columns: vec![column("ziel", "Ziel")],
            },
        ]
    }

    fn rows() -> Vec<Vec<Value>> {
        vec![
            vec![
                Value::from("Bürgerbüro öffnen"),
                Value::Integer(7),
                Value::Decimal(13.25, 2),
                Value::Date(NaiveDate::from_ymd_opt(2026, 3, 1).expect("a date")),
                Value::Empty,
            ],
            vec![
                Value::from("=HYPERLINK(\"http://x\")"),
                Value::Integer(-2),
                Value::Decimal(0.5, 1),
                Value::Empty,
                Value::Empty,
            ],
        ]
    }

    /// The cells of a sheet as text, dates as ISO dates.
    fn cells(range: &calamine::Range<Data>) -> Vec<Vec<String>> {
        range
            .rows()
            .map(|row| {
                row.iter()
                    .map(|cell| match cell {
                        Data::DateTime(date) => date
                            .as_datetime()
                            .map(|date| date.date().to_string())
                            .unwrap_or_default(),
                        // spreadsheet-ods stores a date as its midnight (still a date value).
                        Data::DateTimeIso(date) => date.trim_end_matches("T00:00:00").to_owned(),
                        Data::Float(number) => format!("{number}"),
                        Data::Int(number) => format!("{number}"),
                        Data::String(text) => format!("'{text}'"),
                        Data::Empty => String::new(),
                        other => format!("{other:?}"),
                    })
                    .collect()
            })
            .collect()
    }

    fn expected() -> Vec<Vec<String>> {
        [
            ["'Maßnahme'", "'Anzahl'", "'Punkte'", "'Beginn'", "'Leer'"],
            ["'Bürgerbüro öffnen'", "7", "13.25", "2026-03-01", ""],
            ["'=HYPERLINK(\"http://x\")'", "-2", "0.5", "", ""],
        ]
        .map(|row| row.map(str::to_owned).to_vec())
        .to_vec()
    }

    #[test]
    fn an_xlsx_book_reads_back_with_typed_cells_and_no_formula() {
        let [measures, goals] = sheets();
        let mut book = xlsx::Book::new("Test");
        book.sheet(&measures).expect("a sheet");
        for row in rows() {
            book.row(&row).expect("a row");
        }
        book.sheet(&goals).expect("a second sheet");
        book.row(&[Value::from("Ziel 1")]).expect("a row");
        let bytes = book.finish().expect("written");
        let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("an XLSX");
        assert_eq!(workbook.sheet_names(), ["Maßnahmen", "Ziele"]);
        let range = workbook.worksheet_range("Maßnahmen").expect("the sheet");
        assert_eq!(cells(&range), expected());
        let formulas = workbook.worksheet_formula("Maßnahmen").expect("formulas");
        assert!(
            formulas
                .used_cells()
                .all(|(_, _, formula)| formula.is_empty())
        );
        let range = workbook.worksheet_range("Ziele").expect("the sheet");
        assert_eq!(cells(&range), [["'Ziel'"], ["'Ziel 1'"]]);
    }

    #[test]
    fn an_ods_book_reads_back_with_typed_cells_and_no_formula() {
        let [measures, goals] = sheets();
        let mut book = ods::Book::new("Test");
        book.sheet(&measures);
        for row in rows() {
            book.row(&row).expect("a row");
        }
        book.sheet(&goals);
        book.row(&[Value::from("Ziel 1")]).expect("a row");
        let bytes = book.finish().expect("written");
        let mut workbook: Ods<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("an ODS");
        assert_eq!(workbook.sheet_names(), ["Maßnahmen", "Ziele"]);
        let range = workbook.worksheet_range("Maßnahmen").expect("the sheet");
        assert_eq!(cells(&range), expected());
        let formulas = workbook.worksheet_formula("Maßnahmen").expect("formulas");
        assert!(
            formulas
                .used_cells()
                .all(|(_, _, formula)| formula.is_empty())
        );
    }
}

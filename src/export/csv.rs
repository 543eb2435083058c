//! CSV as German spreadsheet programs open it without asking: UTF-8 with a byte order mark,
//! semicolons, CRLF line ends, RFC 4180 quoting (the `csv` crate), numbers with a decimal comma
//! and no thousands separator, dates as TT.MM.JJJJ. Every cell that a spreadsheet would take for
//! a formula (it starts with `=`, `+`, `-`, `@`, a tab or a carriage return) is neutralised
//! with a leading apostrophe: CSV has no cell types, so the apostrophe is the only marker that
//! spreadsheet programs honour.

use std::borrow::Cow;

use chrono::Datelike;

use super::{Column, Value, looks_like_formula};

/// The byte order mark that tells spreadsheet programs the file is UTF-8.
pub const BOM: &[u8] = "\u{feff}".as_bytes();

/// `cell`, with a leading apostrophe if a spreadsheet would otherwise run it as a formula.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if looks_like_formula(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// A value as a German spreadsheet program reads it back as the same value.
pub fn text(value: &Value) -> Cow<'_, str> {
    match value {
        Value::Text(text) => neutralise(text),
        Value::Integer(number) => Cow::Owned(number.to_string()),
        Value::Decimal(number, places) => Cow::Owned(
            format!("{number:.places$}", places = usize::from(*places)).replace('.', ","),
        ),
        Value::Date(date) => Cow::Owned(format!(
            "{:02}.{:02}.{:04}",
            date.day(),
            date.month(),
            date.year()
        )),
        Value::Empty => Cow::Borrowed(""),
    }
}

/// Rows written to bytes: each call gives the bytes of its rows, so a handler can stream a file
/// page by page with flat memory.
#[derive(Debug)]
pub struct Rows {
    writer: csv::Writer<Vec<u8>>,
}

impl Default for Rows {
    fn default() -> Self {
        Self { writer: writer() }
    }
}

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .has_headers(false)
        .from_writer(Vec::new())
}

impl Rows {
    /// The byte order mark and the heading row of `columns`.
    pub fn start(columns: &[Column]) -> Vec<u8> {
        let mut rows = Self::default();
        rows.push(columns.iter().map(|column| column.heading));
        [BOM, &rows.take()].concat()
    }

    /// Adds one row of text, every cell neutralised.
    pub fn push<'a>(&mut self, cells: impl IntoIterator<Item = &'a str>) {
        let cells: Vec<Cow<'a, str>> = cells.into_iter().map(neutralise).collect();
        self.write(&cells);
    }

    /// Adds one row of values.
    pub fn push_values(&mut self, values: &[Value]) {
        let cells: Vec<Cow<'_, str>> = values.iter().map(text).collect();
        self.write(&cells);
    }

    fn write(&mut self, cells: &[Cow<'_, str>]) {
        // Writing into a Vec cannot fail.
        let _ = self
            .writer
            .write_record(cells.iter().map(|cell| cell.as_bytes()));
    }

    /// The bytes of the rows added since the last call.
    pub fn take(&mut self) -> Vec<u8> {
        std::mem::replace(&mut self.writer, writer())
            .into_inner()
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    #[test]
    fn formulas_are_neutralised_and_other_cells_left_alone() {
        for cell in ["=1+1", "+49 40", "-5", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise(cell), format!("'{cell}"));
        }
        for cell in ["", "Online-Antrag", "5", "'=schon"] {
            assert_eq!(neutralise(cell), cell);
        }
    }

    #[test]
    fn rows_use_semicolons_crlf_and_quote_only_where_needed() {
        let mut rows = Rows::default();
        rows.push([
            "M-1",
            "Terminbuchung; online",
            "sagt \"ja\"",
            "=HYPERLINK(\"x\")",
        ]);
        rows.push(["M-2", "zwei\r\nZeilen", "", "7,5"]);
        let text = String::from_utf8(rows.take()).expect("UTF-8");
        assert_eq!(
            text,
            "M-1;\"Terminbuchung; online\";\"sagt \"\"ja\"\"\";\"'=HYPERLINK(\"\"x\"\")\"\r\n\
             M-2;\"zwei\r\nZeilen\";;7,5\r\n"
        );
        assert!(rows.take().is_empty(), "taken once");
    }

    #[test]
    fn numbers_have_a_decimal_comma_and_dates_are_german() {
        let mut rows = Rows::default();
        rows.push_values(&[
            Value::Integer(-12_345),
            Value::Decimal(13.25, 2),
            Value::Decimal(7.0, 1),
            Value::Date(NaiveDate::from_ymd_opt(2026, 3, 1).expect("a date")),
            Value::Empty,
            Value::from("-5 % Papier"),
        ]);
        assert_eq!(
            String::from_utf8(rows.take()).expect("UTF-8"),
            "-12345;13,25;7,0;01.03.2026;;'-5 % Papier\r\n"
        );
    }

    #[test]
    fn a_file_starts_with_the_byte_order_mark_and_the_headings() {
        let columns = [
            Column {
                key: "nr",
                heading: "Nr.",
                width: 8,
            },
            Column {
                key: "titel",
                heading: "Maßnahme",
                width: 40,
            },
        ];
        assert_eq!(Rows::start(&columns), "\u{feff}Nr.;Maßnahme\r\n".as_bytes());
    }
}

//! CSV as German spreadsheet programs open it without asking: UTF-8 with a byte order mark,
//! semicolons, CRLF line ends, RFC 4180 quoting (the `csv` crate), numbers with a decimal comma,
//! dates as TT.MM.JJJJ. Every cell that a spreadsheet would take for a formula (it starts with
//! `=`, `+`, `-`, `@`, a tab or a carriage return) is neutralised with a leading apostrophe.

use std::borrow::Cow;

/// The byte order mark that tells spreadsheet programs the file is UTF-8.
pub const BOM: &[u8] = "\u{feff}".as_bytes();

/// `cell`, with a leading apostrophe if a spreadsheet would otherwise run it as a formula.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
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
    /// Adds one row, every cell neutralised.
    pub fn push<'a>(&mut self, cells: impl IntoIterator<Item = &'a str>) {
        let cells: Vec<Cow<'a, str>> = cells.into_iter().map(neutralise).collect();
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
}

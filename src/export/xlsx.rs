//! XLSX (rust_xlsxwriter): per sheet a bold, frozen, filterable heading row, the columns as wide
//! as their content needs, numbers and dates as real cell types (dates shown TT.MM.JJJJ).
//! Sheets are written in constant-memory mode: each row goes to a temporary file as it comes,
//! so a sheet of 100,000 rows costs no more memory than one of ten. A text cell is always
//! stored as text, never as a formula; one that a spreadsheet would take for a formula when it
//! is edited (it starts with `=`, `+`, `-`, `@`, a tab or a carriage return) also carries
//! Excel's quote prefix, the marker that keeps it text on editing.

use rust_xlsxwriter::{DocProperties, Format, Workbook};

use super::{Error, Sheet, Value, looks_like_formula};

/// A workbook being written, sheet after sheet, row after row.
pub struct Book {
    workbook: Workbook,
    formats: Formats,
    current: Option<Current>,
}

// rust_xlsxwriter's workbook has no Debug.
impl std::fmt::Debug for Book {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Book")
            .field("current", &self.current)
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
struct Formats {
    heading: Format,
    date: Format,
    quoted: Format,
    /// Index: decimal places.
    decimals: [Format; 4],
}

/// The sheet being written.
#[derive(Debug)]
struct Current {
    index: usize,
    columns: u16,
    /// The next row (0 is the heading).
    row: u32,
}

/// The most characters an Excel cell holds.
const CELL_LIMIT: usize = 32_767;

/// `text`, cut to what a cell holds (with an ellipsis) if it is longer: no text of PriMa's
/// comes near, but a file must not fail for one.
fn fitting(text: &str) -> std::borrow::Cow<'_, str> {
    // Bytes are at least as many as characters: most texts need no count.
    if text.len() <= CELL_LIMIT || text.chars().count() <= CELL_LIMIT {
        return std::borrow::Cow::Borrowed(text);
    }
    let cut: String = text.chars().take(CELL_LIMIT - 1).collect();
    std::borrow::Cow::Owned(format!("{cut}…"))
}

impl Book {
    /// A workbook with `title` in its document properties.
    pub fn new(title: &str) -> Self {
        let mut workbook = Workbook::new();
        workbook.set_properties(
            &DocProperties::new()
                .set_title(title)
                .set_author("PriMa")
                .set_company("Bezirksämter der Freien und Hansestadt Hamburg"),
        );
        Self {
            workbook,
            formats: Formats {
                heading: Format::new().set_bold(),
                date: Format::new().set_num_format("dd.mm.yyyy"),
                quoted: Format::new().set_quote_prefix(),
                decimals: ["0", "0.0", "0.00", "0.000"]
                    .map(|pattern| Format::new().set_num_format(pattern)),
            },
            current: None,
        }
    }

    /// Starts `sheet` with its heading row; the rows added next go into it.
    pub fn sheet(&mut self, sheet: &Sheet) -> Result<(), Error> {
        self.close()?;
        let index = self.workbook.worksheets().len();
        let worksheet = self.workbook.add_worksheet_with_constant_memory()?;
        worksheet.set_name(sheet.name)?;
        for (column, spec) in (0u16..).zip(&sheet.columns) {
            worksheet.set_column_width(column, f64::from(spec.width))?;
            worksheet.write_string_with_format(0, column, spec.heading, &self.formats.heading)?;
        }
        worksheet.set_freeze_panes(1, 0)?;
        self.current = Some(Current {
            index,
            columns: u16::try_from(sheet.columns.len()).unwrap_or(u16::MAX),
            row: 1,
        });
        Ok(())
    }

    /// Adds a row to the current sheet.
    pub fn row(&mut self, values: &[Value]) -> Result<(), Error> {
        let current = self.current.as_mut().ok_or(Error::NoSheet)?;
        let worksheet = self.workbook.worksheet_from_index(current.index)?;
        let row = current.row;
        for (column, value) in (0u16..).zip(values) {
            match value {
                Value::Text(text) if looks_like_formula(text) => worksheet
                    .write_string_with_format(row, column, fitting(text), &self.formats.quoted)?,
                Value::Text(text) => worksheet.write_string(row, column, fitting(text))?,
                Value::Integer(number) => worksheet.write_number(row, column, *number as f64)?,
                Value::Decimal(number, places) => {
                    let format = &self.formats.decimals[usize::from(*places).min(3)];
                    worksheet.write_number_with_format(row, column, *number, format)?
                }
                Value::Date(date) => {
                    worksheet.write_date_with_format(row, column, date, &self.formats.date)?
                }
                Value::Empty => worksheet,
            };
        }
        current.row += 1;
        Ok(())
    }

    /// The filter buttons over the finished sheet's heading.
    fn close(&mut self) -> Result<(), Error> {
        if let Some(current) = self.current.take() {
            let worksheet = self.workbook.worksheet_from_index(current.index)?;
            let last_row = current.row.saturating_sub(1);
            worksheet.autofilter(0, 0, last_row, current.columns.saturating_sub(1))?;
        }
        Ok(())
    }

    /// The file.
    pub fn finish(mut self) -> Result<Vec<u8>, Error> {
        self.close()?;
        Ok(self.workbook.save_to_buffer()?)
    }
}

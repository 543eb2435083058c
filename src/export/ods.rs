//! ODS, the OpenDocument spreadsheet (spreadsheet-ods): the same sheets as XLSX, the heading
//! row bold, frozen and repeated on every printed page, columns as wide as their content needs,
//! numbers and dates typed (dates shown TT.MM.JJJJ, German locale). A text cell is always stored
//! as text, never as a formula; one that would be taken for a formula when it is edited also
//! carries the text format (`@`), which keeps it text on editing.

use icu_locale_core::locale;
use spreadsheet_ods::format::{create_date_dmy_format, create_number_format_fixed};
use spreadsheet_ods::{
    CellStyle, CellStyleRef, Length, Sheet as OdsSheet, ValueFormatText, WorkBook,
};

use super::{Error, Sheet, Value, looks_like_formula};

/// A workbook being written, sheet after sheet, row after row.
#[derive(Debug)]
pub struct Book {
    workbook: WorkBook,
    styles: Styles,
    current: Option<(OdsSheet, u32)>,
}

#[derive(Debug)]
struct Styles {
    heading: CellStyleRef,
    date: CellStyleRef,
    text: CellStyleRef,
    decimals: Vec<CellStyleRef>,
}

impl Book {
    pub fn new(title: &str) -> Self {
        let mut workbook = WorkBook::new(locale!("de-DE"));
        workbook.metadata_mut().title = title.to_owned();
        let mut heading = CellStyle::new_empty();
        heading.set_font_bold();
        let heading = workbook.add_cellstyle(heading);
        let date_format = workbook.add_datetime_format(create_date_dmy_format("datum"));
        let date = workbook.add_cellstyle(CellStyle::new("datum", &date_format));
        let mut text_format = ValueFormatText::new_named("text");
        text_format.part_text_content().build();
        let text_format = workbook.add_text_format(text_format);
        let text = workbook.add_cellstyle(CellStyle::new("text", &text_format));
        let decimals = (0..4u8)
            .map(|places| {
                let format = workbook.add_number_format(create_number_format_fixed(
                    format!("zahl{places}"),
                    places,
                    false,
                ));
                workbook.add_cellstyle(CellStyle::new(format!("zahl{places}"), &format))
            })
            .collect();
        Self {
            workbook,
            styles: Styles {
                heading,
                date,
                text,
                decimals,
            },
            current: None,
        }
    }

    /// Starts `sheet` with its heading row; the rows added next go into it.
    pub fn sheet(&mut self, sheet: &Sheet) {
        self.close();
        let mut ods = OdsSheet::new(sheet.name);
        for (column, spec) in (0u32..).zip(&sheet.columns) {
            // A character of the default font is about 2 mm wide.
            ods.set_col_width(column, Length::Mm(2.0 * f64::from(spec.width)));
            ods.set_styled_value(0, column, spec.heading, &self.styles.heading);
        }
        ods.set_header_rows(0, 0);
        ods.split_row_header(0);
        self.current = Some((ods, 1));
    }

    /// Adds a row to the current sheet.
    pub fn row(&mut self, values: &[Value]) -> Result<(), Error> {
        let (sheet, row) = self.current.as_mut().ok_or(Error::NoSheet)?;
        for (column, value) in (0u32..).zip(values) {
            match value {
                Value::Text(text) if looks_like_formula(text) => {
                    sheet.set_styled_value(*row, column, text.as_ref(), &self.styles.text)
                }
                Value::Text(text) => sheet.set_value(*row, column, text.as_ref()),
                Value::Integer(number) => sheet.set_value(*row, column, *number as f64),
                Value::Decimal(number, places) => {
                    let style = &self.styles.decimals[usize::from(*places).min(3)];
                    sheet.set_styled_value(*row, column, *number, style)
                }
                Value::Date(date) => sheet.set_styled_value(*row, column, *date, &self.styles.date),
                Value::Empty => {}
            }
        }
        *row += 1;
        Ok(())
    }

    fn close(&mut self) {
        if let Some((sheet, _)) = self.current.take() {
            self.workbook.push_sheet(sheet);
        }
    }

    /// The file.
    pub fn finish(mut self) -> Result<Vec<u8>, Error> {
        self.close();
        Ok(spreadsheet_ods::write_ods_buf(
            &mut self.workbook,
            Vec::new(),
        )?)
    }
}

//! Reading uploaded lists (CSV, XLSX, ODS) into rows of text, refusing hostile files before
//! they cost memory: pure functions, bytes in, a [`Table`] or a German [`Refusal`] out.
//!
//! The checks, in order: the size; the extension against the content (a ZIP archive for
//! XLSX/ODS, text for CSV); for archives the entry count, the declared and the actual unpacked
//! sizes and each entry's compression ratio (a zip bomb is refused before calamine opens it,
//! as calamine does not bound decompression); for ODS the cells that repeated rows and columns
//! would make (calamine expands them); then the cells are read – XLSX through calamine's
//! streaming cell reader – with a row, column, cell and time limit. CSV must be UTF-8 or
//! Windows-1252.

mod archive;
pub mod mapping;
pub mod similar;

use std::io::Cursor;
use std::time::Duration;

use archive::Deadline;

/// How much an upload may be.
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_bytes: usize,
    /// Data rows, without the heading row.
    pub max_rows: usize,
    pub max_columns: usize,
    /// Cells with a value in a sheet (also those that repeated rows and columns make).
    pub max_cells: usize,
    /// Entries of an XLSX/ODS archive.
    pub max_entries: usize,
    /// All entries of an archive unpacked together.
    pub max_unpacked: u64,
    /// Unpacked size per packed byte of an entry larger than a mebibyte.
    pub max_ratio: u64,
    /// The part calamine reads into memory whole (an XLSX's shared strings, an ODS's content)
    /// unpacked.
    pub max_dense_part: u64,
    /// Shared strings of an XLSX.
    pub max_shared_strings: usize,
    /// Spaces one `<text:s text:c="…"/>` of an ODS may stand for.
    pub max_repeated_spaces: u64,
    /// Characters of one cell; longer text is cut there (no field of a measure holds more).
    pub max_cell_chars: usize,
    /// Bytes of text in all cells together, as read (a shared string or a repeated cell counts
    /// once per cell that shows it).
    pub max_text: u64,
    /// Bytes between two `<` of an archive's XML (one text or one tag with its attributes):
    /// calamine holds each whole before a cell's text is cut at `max_cell_chars`.
    pub max_xml_run: u64,
    /// Every step of reading a file together may take this long.
    pub max_time: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 10 * 1024 * 1024,
            max_rows: 50_000,
            max_columns: 200,
            max_cells: 2_000_000,
            max_entries: 500,
            max_unpacked: 200 * 1024 * 1024,
            max_ratio: 100,
            // A list of 50,000 rows has far fewer distinct texts; a real 300-row list has a
            // few hundred kilobytes of them.
            max_dense_part: 16 * 1024 * 1024,
            max_shared_strings: 500_000,
            max_repeated_spaces: 1_000,
            max_cell_chars: 20_000,
            max_text: 64 * 1024 * 1024,
            // 20,000 characters of four bytes each, every one escaped as an entity.
            max_xml_run: 1024 * 1024,
            max_time: Duration::from_secs(20),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Csv,
    Xlsx,
    Ods,
}

impl Kind {
    pub fn of_name(file_name: &str) -> Option<Self> {
        let extension = file_name.rsplit_once('.')?.1.to_ascii_lowercase();
        match extension.as_str() {
            "csv" | "txt" => Some(Self::Csv),
            "xlsx" => Some(Self::Xlsx),
            "ods" => Some(Self::Ods),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Csv => "CSV",
            Self::Xlsx => "Excel (XLSX)",
            Self::Ods => "OpenDocument (ODS)",
        }
    }
}

/// A read table: the heading row and the data rows, each cell as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub kind: Kind,
    pub headings: Vec<String>,
    pub rows: Vec<Row>,
    /// A CSV that was not UTF-8 and was read as Windows-1252 (the pages say so: its umlauts
    /// are worth a look).
    pub windows_1252: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Row {
    /// The row's number in the file as a spreadsheet program shows it (the heading is 1).
    pub number: usize,
    pub cells: Vec<String>,
}

/// Why a file was not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("too large: {0} bytes")]
    TooLarge(usize),
    #[error("no file")]
    Empty,
    #[error("unknown extension")]
    UnknownKind,
    #[error("content is not {0:?}")]
    Mismatch(Kind),
    #[error("damaged archive")]
    Damaged,
    #[error("out of proportion: {0}")]
    Bomb(&'static str),
    #[error("unknown encoding")]
    Encoding,
    #[error("more than {0} rows")]
    TooManyRows(usize),
    #[error("more than {0} columns")]
    TooManyColumns(usize),
    #[error("too slow")]
    TooSlow,
    #[error("no sheet")]
    NoSheet,
}

impl Refusal {
    /// What the person who uploaded reads.
    pub fn message(&self, limits: &Limits) -> String {
        let number = |value: usize| crate::web::format::number(value as i64);
        match self {
            Self::TooLarge(_) => format!(
                "Die Datei ist größer als {} MB. Bitte teilen Sie die Liste auf.",
                limits.max_bytes / (1024 * 1024)
            ),
            Self::Empty => "Die Datei ist leer.".to_owned(),
            Self::UnknownKind => {
                "Bitte laden Sie eine Datei im Format CSV, XLSX oder ODS hoch.".to_owned()
            }
            Self::Mismatch(kind) => format!(
                "Der Inhalt der Datei passt nicht zu ihrer Endung: sie ist keine {}-Datei. \
                 Bitte speichern Sie die Liste erneut in diesem Format.",
                kind.label()
            ),
            Self::Damaged => "Die Datei ist beschädigt und lässt sich nicht öffnen.".to_owned(),
            Self::Bomb(_) => {
                "Die Datei ist ungewöhnlich aufgebaut (ihr entpackter Inhalt steht in \
                              keinem Verhältnis zu ihrer Größe) und wird aus Sicherheitsgründen \
                              nicht geöffnet."
                    .to_owned()
            }
            Self::Encoding => "Die Zeichenkodierung der Datei ist weder UTF-8 noch Windows-1252. \
                               Bitte speichern Sie die Liste als „CSV UTF-8“."
                .to_owned(),
            Self::TooManyRows(limit) => format!(
                "Die Liste hat mehr als {} Zeilen. Bitte teilen Sie sie auf.",
                number(*limit)
            ),
            Self::TooManyColumns(limit) => {
                format!("Die Liste hat mehr als {} Spalten.", number(*limit))
            }
            Self::TooSlow => {
                "Das Lesen der Datei dauerte zu lange. Bitte teilen Sie die Liste auf.".to_owned()
            }
            Self::NoSheet => "Die Datei enthält keine Tabelle.".to_owned(),
        }
    }
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const ODS_MIMETYPE: &str = "application/vnd.oasis.opendocument.spreadsheet";

/// Reads `bytes`, uploaded as `file_name`, within `limits`.
pub fn read(file_name: &str, bytes: &[u8], limits: &Limits) -> Result<Table, Refusal> {
    if bytes.len() > limits.max_bytes {
        return Err(Refusal::TooLarge(bytes.len()));
    }
    if bytes.is_empty() {
        return Err(Refusal::Empty);
    }
    let kind = Kind::of_name(file_name).ok_or(Refusal::UnknownKind)?;
    let is_archive = bytes.starts_with(ZIP_MAGIC);
    let deadline = Deadline::after(limits.max_time);
    match kind {
        Kind::Csv if is_archive => Err(Refusal::Mismatch(kind)),
        Kind::Csv => {
            let (text, windows_1252) = decode(bytes)?;
            let mut table = csv(&text, limits, deadline)?;
            table.windows_1252 = windows_1252;
            Ok(table)
        }
        Kind::Xlsx | Kind::Ods if !is_archive => Err(Refusal::Mismatch(kind)),
        Kind::Xlsx => {
            archive::check(bytes, kind, limits, deadline)?;
            xlsx(bytes, limits, deadline)
        }
        Kind::Ods => {
            archive::check(bytes, kind, limits, deadline)?;
            archive::ods_cells(bytes, limits, deadline)?;
            ods(bytes, limits, deadline)
        }
    }
}

/// UTF-8 (with or without a byte order mark), else Windows-1252; anything else is refused:
/// UTF-16 (byte order marks, NUL bytes) and bytes Windows-1252 leaves undefined.
/// The text, and whether it was read as Windows-1252.
fn decode(bytes: &[u8]) -> Result<(String, bool), Refusal> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        if text.contains('\0') {
            return Err(Refusal::Encoding);
        }
        return Ok((text.to_owned(), false));
    }
    let undefined = |byte: &u8| matches!(byte, 0x00 | 0x81 | 0x8D | 0x8F | 0x90 | 0x9D);
    if bytes.starts_with(b"\xFF\xFE")
        || bytes.starts_with(b"\xFE\xFF")
        || bytes.iter().any(undefined)
    {
        return Err(Refusal::Encoding);
    }
    let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
    Ok((text.into_owned(), true))
}

/// The delimiter: semicolon (German spreadsheets), comma or tab – the first of them that splits
/// the first lines into the same number (more than one) of columns, quotes respected, so a
/// heading such as "Nutzen für Bürgerinnen, Bürger und Unternehmen" does not make a
/// semicolon list a comma list; failing that, the most frequent on the heading line.
fn delimiter(text: &str) -> u8 {
    const CANDIDATES: [u8; 3] = [b';', b',', b'\t'];
    let sample: String = text.lines().take(20).collect::<Vec<_>>().join("\n");
    let consistent = CANDIDATES.into_iter().find(|candidate| {
        let mut reader = ::csv::ReaderBuilder::new()
            .delimiter(*candidate)
            .has_headers(false)
            .flexible(true)
            .from_reader(sample.as_bytes());
        let counts: Vec<usize> = reader
            .records()
            .map_while(Result::ok)
            .map(|record| record.len())
            .collect();
        counts.first().is_some_and(|first| *first > 1)
            && counts.iter().all(|count| *count == counts[0])
    });
    consistent.unwrap_or_else(|| {
        let first = text.lines().next().unwrap_or_default();
        // `max_by_key` keeps the last of equals: reversed, ties go to the semicolon.
        CANDIDATES
            .into_iter()
            .rev()
            .max_by_key(|candidate| first.bytes().filter(|byte| byte == candidate).count())
            .unwrap_or(b';')
    })
}

fn csv(text: &str, limits: &Limits, deadline: Deadline) -> Result<Table, Refusal> {
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(delimiter(text))
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut headings = None;
    let mut cells_read = 0;
    for (index, record) in reader.records().enumerate() {
        let record = record.map_err(|_| Refusal::Damaged)?;
        if record.len() > limits.max_columns {
            return Err(Refusal::TooManyColumns(limits.max_columns));
        }
        cells_read += record.len();
        if cells_read > limits.max_cells {
            return Err(Refusal::Bomb("too many cells"));
        }
        let cells: Vec<String> = record
            .iter()
            .map(|cell| capped(cell.trim(), limits))
            .collect();
        if index % 4096 == 0 {
            deadline.check()?;
        }
        if headings.is_none() {
            headings = Some(cells);
            continue;
        }
        if rows.len() == limits.max_rows {
            return Err(Refusal::TooManyRows(limits.max_rows));
        }
        rows.push(Row {
            number: index + 1,
            cells,
        });
    }
    table(Kind::Csv, headings, rows)
}

fn table(kind: Kind, headings: Option<Vec<String>>, mut rows: Vec<Row>) -> Result<Table, Refusal> {
    let headings = headings.ok_or(Refusal::Empty)?;
    rows.retain(|row| row.cells.iter().any(|cell| !cell.is_empty()));
    Ok(Table {
        kind,
        headings,
        rows,
        windows_1252: false,
    })
}

/// A cell's text, cut at `max_cell_chars` characters: what is stored and shown again on every
/// later page of the import stays small whatever the file held.
fn capped(text: &str, limits: &Limits) -> String {
    match text.char_indices().nth(limits.max_cell_chars) {
        Some((end, _)) => text[..end].to_owned(),
        None => text.to_owned(),
    }
}

/// Collects cells by position into rows, within the limits.
struct Grid<'a> {
    limits: &'a Limits,
    deadline: Deadline,
    rows: Vec<Vec<String>>,
    cells: usize,
    text: u64,
}

impl<'a> Grid<'a> {
    fn new(limits: &'a Limits, deadline: Deadline) -> Self {
        Self {
            limits,
            deadline,
            rows: Vec::new(),
            cells: 0,
            text: 0,
        }
    }

    fn put(&mut self, row: usize, column: usize, value: String) -> Result<(), Refusal> {
        if row > self.limits.max_rows {
            return Err(Refusal::TooManyRows(self.limits.max_rows));
        }
        if column >= self.limits.max_columns {
            return Err(Refusal::TooManyColumns(self.limits.max_columns));
        }
        self.cells += 1;
        if self.cells > self.limits.max_cells {
            return Err(Refusal::Bomb("too many cells"));
        }
        if self.cells.is_multiple_of(4096) {
            self.deadline.check()?;
        }
        if value.is_empty() {
            return Ok(());
        }
        if self.rows.len() <= row {
            self.rows.resize_with(row + 1, Vec::new);
        }
        let cells = &mut self.rows[row];
        if cells.len() <= column {
            // A far-right cell makes its row that wide: what is stored counts, not only what
            // the file names.
            self.cells += column + 1 - cells.len();
            if self.cells > self.limits.max_cells {
                return Err(Refusal::Bomb("too many cells"));
            }
            cells.resize(column + 1, String::new());
        }
        let value = capped(&value, self.limits);
        self.text += value.len() as u64;
        if self.text > self.limits.max_text {
            return Err(Refusal::Bomb("too much text"));
        }
        cells[column] = value;
        Ok(())
    }

    fn finish(self, kind: Kind) -> Result<Table, Refusal> {
        let mut rows = self.rows.into_iter().enumerate();
        let headings = rows.next().map(|(_, cells)| cells);
        let rows = rows
            .map(|(index, cells)| Row {
                number: index + 1,
                cells,
            })
            .collect();
        table(kind, headings, rows)
    }
}

fn text_of(data: &calamine::Data) -> String {
    use calamine::Data;
    match data {
        Data::Empty => String::new(),
        Data::String(text) => text.trim().to_owned(),
        Data::Float(number) if number.fract() == 0.0 && number.abs() < 1e15 => {
            format!("{}", *number as i64)
        }
        Data::Float(number) => number.to_string().replace('.', ","),
        Data::Int(number) => number.to_string(),
        Data::Bool(value) => if *value { "ja" } else { "nein" }.to_owned(),
        Data::DateTime(moment) => moment
            .as_datetime()
            .map(|at| at.date().format("%d.%m.%Y").to_string())
            .unwrap_or_default(),
        Data::DateTimeIso(text) | Data::DurationIso(text) => text.clone(),
        Data::Error(_) => String::new(),
    }
}

fn xlsx(bytes: &[u8], limits: &Limits, deadline: Deadline) -> Result<Table, Refusal> {
    use calamine::Reader;
    let mut workbook: calamine::Xlsx<_> =
        calamine::Xlsx::new(Cursor::new(bytes)).map_err(|_| Refusal::Damaged)?;
    let sheet = workbook
        .sheet_names()
        .first()
        .cloned()
        .ok_or(Refusal::NoSheet)?;
    let mut cells = workbook
        .worksheet_cells_reader(&sheet)
        .map_err(|_| Refusal::Damaged)?;
    deadline.check()?;
    let mut grid = Grid::new(limits, deadline);
    while let Some(cell) = cells.next_cell().map_err(|_| Refusal::Damaged)? {
        let (row, column) = cell.get_position();
        let value = text_of(&calamine::Data::from(cell.get_value().clone()));
        grid.put(row as usize, column as usize, value)?;
    }
    grid.finish(Kind::Xlsx)
}

fn ods(bytes: &[u8], limits: &Limits, deadline: Deadline) -> Result<Table, Refusal> {
    use calamine::Reader;
    let mut workbook: calamine::Ods<_> =
        calamine::Ods::new(Cursor::new(bytes)).map_err(|_| Refusal::Damaged)?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or(Refusal::NoSheet)?
        .map_err(|_| Refusal::Damaged)?;
    deadline.check()?;
    let mut grid = Grid::new(limits, deadline);
    let (top, left) = range.start().unwrap_or((0, 0));
    for (row, column, data) in range.used_cells() {
        grid.put(top as usize + row, left as usize + column, text_of(data))?;
    }
    grid.finish(Kind::Ods)
}

#[cfg(test)]
mod tests {
    //! Each refusal with a real crafted file; good files written by real writers and read back.

    use std::io::Write;

    use zip::write::SimpleFileOptions;

    use super::*;

    #[test]
    fn the_delimiter_is_the_one_that_splits_every_line_alike() {
        assert_eq!(
            delimiter("Titel;Nutzen für Bürgerinnen, Bürger und Unternehmen\nA;7\nB, C;3\n"),
            b';'
        );
        assert_eq!(delimiter("Titel,Kosten\n\"A; B\",12\n"), b',');
        assert_eq!(delimiter("Titel\tKosten\nA\t1\n"), b'\t');
        assert_eq!(delimiter("Titel\nA\n"), b';');
    }

    fn limits() -> Limits {
        Limits::default()
    }

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, content) in entries {
            writer
                .start_file(*name, SimpleFileOptions::default())
                .expect("an entry");
            writer.write_all(content).expect("its content");
        }
        writer.finish().expect("an archive").into_inner()
    }

    fn ods_with(content: &str) -> Vec<u8> {
        let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
        zip_of(&[
            ("mimetype", ODS_MIMETYPE.as_bytes()),
            ("META-INF/manifest.xml", manifest.as_bytes()),
            ("content.xml", content.as_bytes()),
        ])
    }

    #[test]
    fn a_german_csv_is_read_with_its_umlauts_whatever_its_encoding() {
        let utf8 = "\u{FEFF}Titel;Federführung;Kosten\r\nBürgerbüro öffnen;Altona;\"1.200,50\"\r\n;;\r\nZweite;\"Nord; Mitte\";3\r\n";
        let table = read("liste.csv", utf8.as_bytes(), &limits()).expect("read");
        assert_eq!(table.headings, ["Titel", "Federführung", "Kosten"]);
        assert_eq!(table.rows.len(), 2, "the empty line is left out");
        assert_eq!(
            table.rows[0].cells,
            ["Bürgerbüro öffnen", "Altona", "1.200,50"]
        );
        assert_eq!(table.rows[1].number, 4);
        assert_eq!(table.rows[1].cells[1], "Nord; Mitte");
        assert!(!table.windows_1252);

        let (windows, _, _) =
            encoding_rs::WINDOWS_1252.encode("Titel,Notiz\nBürgerbüro,„Straße“\n");
        let table = read("alt.CSV", &windows, &limits()).expect("read");
        assert_eq!(table.rows[0].cells, ["Bürgerbüro", "„Straße“"]);
        assert!(table.windows_1252, "the pages say so");
    }

    #[test]
    fn other_encodings_are_refused() {
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Titel;A\n".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(read("l.csv", &utf16, &limits()), Err(Refusal::Encoding));
        assert_eq!(
            read("l.csv", b"Titel\n\x81\x8D", &limits()),
            Err(Refusal::Encoding)
        );
        let message = Refusal::Encoding.message(&limits());
        assert!(message.contains("weder UTF-8 noch Windows-1252"));
    }

    #[test]
    fn files_over_ten_megabytes_and_lists_over_50000_rows_are_refused() {
        let big = vec![b'a'; 10 * 1024 * 1024 + 1];
        assert_eq!(
            read("l.csv", &big, &limits()),
            Err(Refusal::TooLarge(big.len()))
        );
        let mut rows = String::from("Titel\n");
        for number in 0..50_001 {
            rows.push_str(&format!("Maßnahme {number}\n"));
        }
        assert_eq!(
            read("l.csv", rows.as_bytes(), &limits()),
            Err(Refusal::TooManyRows(50_000))
        );
        assert!(
            Refusal::TooManyRows(50_000)
                .message(&limits())
                .contains("mehr als 50.000 Zeilen")
        );
    }

    #[test]
    fn content_that_does_not_match_its_extension_is_refused() {
        assert_eq!(
            read("liste.xlsx", b"Titel;A\n1;2\n", &limits()),
            Err(Refusal::Mismatch(Kind::Xlsx))
        );
        let archive = zip_of(&[("readme.txt", b"hallo")]);
        assert_eq!(
            read("liste.csv", &archive, &limits()),
            Err(Refusal::Mismatch(Kind::Csv))
        );
        assert_eq!(
            read("liste.xlsx", &archive, &limits()),
            Err(Refusal::Mismatch(Kind::Xlsx))
        );
        assert_eq!(
            read("liste.ods", &archive, &limits()),
            Err(Refusal::Mismatch(Kind::Ods))
        );
        assert_eq!(
            read("liste.pdf", b"%PDF-", &limits()),
            Err(Refusal::UnknownKind)
        );
        assert_eq!(
            read("liste.xlsx", b"PK\x03\x04kaputt", &limits()),
            Err(Refusal::Damaged)
        );
    }

    #[test]
    fn zip_bombs_are_refused_before_calamine_opens_them() {
        // One entry that unpacks a thousandfold.
        let zeros = vec![b'0'; 64 * 1024 * 1024];
        let bomb = zip_of(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("xl/workbook.xml", b"<workbook/>"),
            ("xl/worksheets/sheet1.xml", &zeros),
        ]);
        assert!(bomb.len() < 1024 * 1024, "small packed: {}", bomb.len());
        assert!(matches!(
            read("b.xlsx", &bomb, &limits()),
            Err(Refusal::Bomb(_))
        ));
        // More entries than a workbook has.
        let names: Vec<String> = (0..600).map(|number| format!("x/{number}.xml")).collect();
        let entries: Vec<(&str, &[u8])> = names
            .iter()
            .map(|name| (name.as_str(), b"<x/>".as_slice()))
            .collect();
        let many = zip_of(&entries);
        assert_eq!(
            read("m.xlsx", &many, &limits()),
            Err(Refusal::Bomb("too many entries"))
        );
        // Entries each in proportion, together beyond the unpacked limit.
        let small = Limits {
            max_unpacked: 1024 * 1024,
            ..limits()
        };
        let half = vec![b'x'; 600 * 1024];
        let wide = zip_of(&[("a.xml", &half), ("b.xml", &half)]);
        assert!(matches!(
            read("w.ods", &wide, &small),
            Err(Refusal::Bomb(_))
        ));
        assert!(
            Refusal::Bomb("x")
                .message(&limits())
                .contains("Sicherheitsgründen")
        );
    }

    #[test]
    fn an_xlsx_is_read_with_its_numbers_and_dates_and_a_far_away_cell_is_refused() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write(0, 0, "Titel").expect("a cell");
        sheet.write(0, 1, "Kosten").expect("a cell");
        sheet.write(0, 2, "Beginn").expect("a cell");
        sheet.write(1, 0, "Bürgerbüro öffnen").expect("a cell");
        sheet.write(1, 1, 1200.5).expect("a cell");
        let day = chrono::NaiveDate::from_ymd_opt(2027, 3, 1).expect("a date");
        let format = rust_xlsxwriter::Format::new().set_num_format("dd.mm.yyyy");
        sheet
            .write_date_with_format(1, 2, day, &format)
            .expect("a date cell");
        sheet.write(2, 0, "Zweite").expect("a cell");
        sheet.write(2, 1, 3).expect("a cell");
        let bytes = book.save_to_buffer().expect("an XLSX");
        let table = read("liste.xlsx", &bytes, &limits()).expect("read");
        assert_eq!(table.headings, ["Titel", "Kosten", "Beginn"]);
        assert_eq!(
            table.rows[0].cells,
            ["Bürgerbüro öffnen", "1200,5", "01.03.2027"]
        );
        assert_eq!(table.rows[1].cells, ["Zweite", "3"]);
        assert_eq!(table.rows[1].number, 3);

        sheet_far_away(1_000_000, 0, Refusal::TooManyRows(50_000));
        sheet_far_away(1, 16_000, Refusal::TooManyColumns(200));
    }

    fn sheet_far_away(row: u32, column: u16, refusal: Refusal) {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write(0, 0, "Titel").expect("a cell");
        sheet.write(row, column, "weit weg").expect("a cell");
        let bytes = book.save_to_buffer().expect("an XLSX");
        assert_eq!(read("weit.xlsx", &bytes, &limits()), Err(refusal));
    }

    #[test]
    fn an_ods_is_read_and_repeated_or_far_away_cells_are_refused() {
        let mut book = spreadsheet_ods::WorkBook::new_empty();
        let mut sheet = spreadsheet_ods::Sheet::new("Liste");
        sheet.set_value(0, 0, "Titel");
        sheet.set_value(0, 1, "Aufwand");
        sheet.set_value(1, 0, "Bürgerbüro öffnen");
        sheet.set_value(1, 1, 12);
        book.push_sheet(sheet);
        let bytes = spreadsheet_ods::write_ods_buf(&mut book, Vec::new()).expect("an ODS");
        let table = read("liste.ods", &bytes, &limits()).expect("read");
        assert_eq!(table.headings, ["Titel", "Aufwand"]);
        assert_eq!(table.rows[0].cells, ["Bürgerbüro öffnen", "12"]);

        let content = |body: &str| {
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="A">{body}</table:table></office:spreadsheet></office:body></office:document-content>"#
            )
        };
        let cell =
            r#"<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>"#;
        let repeated_rows = content(&format!(
            r#"<table:table-row table:number-rows-repeated="1000000">{cell}</table:table-row>"#
        ));
        assert_eq!(
            read("r.ods", &ods_with(&repeated_rows), &limits()),
            Err(Refusal::TooManyRows(50_000))
        );
        let repeated_cells = content(
            r#"<table:table-row table:number-rows-repeated="40000"><table:table-cell table:number-columns-repeated="150" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>"#,
        );
        assert_eq!(
            read("c.ods", &ods_with(&repeated_cells), &limits()),
            Err(Refusal::Bomb("repeated cells"))
        );
        let far = content(&format!(
            r#"<table:table-row>{cell}</table:table-row><table:table-row table:number-rows-repeated="900000"><table:table-cell/></table:table-row><table:table-row>{cell}</table:table-row>"#
        ));
        assert_eq!(
            read("f.ods", &ods_with(&far), &limits()),
            Err(Refusal::TooManyRows(50_000))
        );
        // Empty rows repeated to the end of the sheet, as LibreOffice saves them, are fine.
        let trailing = content(&format!(
            r#"<table:table-row>{cell}</table:table-row><table:table-row>{cell}</table:table-row><table:table-row table:number-rows-repeated="1048574"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>"#
        ));
        let table = read("t.ods", &ods_with(&trailing), &limits()).expect("read");
        assert_eq!(table.rows.len(), 1);
    }

    /// A `content.xml` whose sheet holds `body`.
    fn ods_content(body: &str) -> Vec<u8> {
        ods_with(&format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="A"><table:table-row><table:table-cell office:value-type="string"><text:p>Titel</text:p></table:table-cell></table:table-row>{body}</table:table></office:spreadsheet></office:body></office:document-content>"#
        ))
    }

    #[test]
    fn repeated_spaces_and_formulas_in_an_ods_are_counted_before_calamine_expands_them() {
        // Under a kilobyte, and 600 million spaces once expanded (issue 21: 2.9 GB).
        for spaces in ["600000000", "200000000", "1001"] {
            let spaced = ods_content(&format!(
                r#"<table:table-row><table:table-cell office:value-type="string"><text:p>a<text:s text:c="{spaces}"/>b</text:p></table:table-cell></table:table-row>"#
            ));
            assert!(spaced.len() < 1500, "{}", spaced.len());
            assert_eq!(
                read("s.ods", &spaced, &limits()).err(),
                Some(Refusal::Bomb("repeated spaces")),
                "{spaces}"
            );
        }
        // Runs of spaces and text in repeated rows and cells add up.
        let many = ods_content(
            r#"<table:table-row table:number-rows-repeated="40000"><table:table-cell office:value-type="string" table:number-columns-repeated="2"><text:p>a<text:s text:c="1000"/>b</text:p></table:table-cell></table:table-row>"#,
        );
        assert_eq!(
            read("m.ods", &many, &limits()).err(),
            Some(Refusal::Bomb("repeated text"))
        );
        let long = "Text ".repeat(4_000);
        let copied = ods_content(&format!(
            r#"<table:table-row table:number-rows-repeated="40000"><table:table-cell office:value-type="string"><text:p>{long}</text:p></table:table-cell></table:table-row>"#
        ));
        assert_eq!(
            read("c.ods", &copied, &limits()).err(),
            Some(Refusal::Bomb("repeated text"))
        );
        // A few spaces, as LibreOffice writes them, are fine.
        let fine = ods_content(
            r#"<table:table-row><table:table-cell office:value-type="string"><text:p>Bürger<text:s text:c="2"/>büro</text:p></table:table-cell></table:table-row>"#,
        );
        let table = read("f.ods", &fine, &limits()).expect("read");
        assert_eq!(table.rows[0].cells, ["Bürger  büro"]);
        // Cells with a formula but no typed value are repeated copies as well (issue 21: +0.9 GB).
        let formulas = ods_content(
            r#"<table:table-row table:number-rows-repeated="40000"><table:table-cell table:formula="of:=1+1" table:number-columns-repeated="150"/></table:table-row>"#,
        );
        assert!(formulas.len() < 1500);
        assert_eq!(
            read("f.ods", &formulas, &limits()).err(),
            Some(Refusal::Bomb("repeated cells"))
        );
        let wide = ods_content(
            r#"<table:table-row><table:table-cell table:formula="of:=1+1" table:number-columns-repeated="16384"/></table:table-row>"#,
        );
        assert_eq!(
            read("w.ods", &wide, &limits()).err(),
            Some(Refusal::TooManyColumns(200))
        );
    }

    #[test]
    fn far_apart_cells_count_as_the_rectangle_calamine_fills_on_every_sheet() {
        let cell =
            r#"<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>"#;
        // Two cells, 50,000 rows and 200 columns apart: ten million cells once calamine fills
        // the range between them.
        let corners = format!(
            r#"<table:table-row>{cell}</table:table-row><table:table-row table:number-rows-repeated="49998"><table:table-cell/></table:table-row><table:table-row><table:table-cell table:number-columns-repeated="199"/>{cell}</table:table-row>"#
        );
        let sparse = ods_content(&corners);
        assert!(sparse.len() < 1500);
        assert_eq!(
            read("s.ods", &sparse, &limits()).err(),
            Some(Refusal::Bomb("far-apart cells"))
        );
        // Each sheet within the budget, together beyond it: calamine reads them all at once.
        let sheet = format!(
            r#"<table:table table:name="B"><table:table-row>{cell}</table:table-row><table:table-row table:number-rows-repeated="9998"><table:table-cell/></table:table-row><table:table-row><table:table-cell table:number-columns-repeated="99"/>{cell}</table:table-row></table:table>"#
        );
        let sheets = ods_content(&format!("</table:table>{}<table:table>", sheet.repeat(3)));
        assert_eq!(
            read("b.ods", &sheets, &limits()).err(),
            Some(Refusal::Bomb("far-apart cells"))
        );
        let one = ods_content(&format!("</table:table>{sheet}<table:table>"));
        assert!(
            read("o.ods", &one, &limits()).is_ok(),
            "a million cells are fine"
        );
    }

    #[test]
    fn what_calamine_reads_differently_from_a_plain_scan_is_counted_too() {
        // A string value in an attribute, copied into every repetition (a few KB, 15 GB).
        let value = "x".repeat(100_000);
        let attribute = ods_content(&format!(
            r#"<table:table-row table:number-rows-repeated="1000"><table:table-cell table:number-columns-repeated="150" office:value-type="string" office:string-value="{value}"/></table:table-row>"#
        ));
        assert_eq!(
            read("a.ods", &attribute, &limits()).err(),
            Some(Refusal::Bomb("repeated text"))
        );
        // A `<` inside an attribute's value must not hide the repetition from the scan.
        let hidden = ods_content(
            r#"<table:table-row table:number-rows-repeated="40000"><table:table-cell table:style-name="<x" table:number-columns-repeated="150" office:value="1"/></table:table-row>"#,
        );
        assert_eq!(
            read("h.ods", &hidden, &limits()).err(),
            Some(Refusal::Damaged)
        );
        // A value without a type is a value.
        let untyped = ods_content(
            r#"<table:table-row table:number-rows-repeated="40000"><table:table-cell table:number-columns-repeated="150" office:value="1"/></table:table-row>"#,
        );
        assert_eq!(
            read("u.ods", &untyped, &limits()).err(),
            Some(Refusal::Bomb("repeated cells"))
        );
        // Single quotes and blanks, as an XML reader takes them.
        let quoted = ods_content(
            "<table:table-row\ttable:number-rows-repeated = '1000000'><table:table-cell office:value-type='string'><text:p>x</text:p></table:table-cell></table:table-row>",
        );
        assert_eq!(
            read("q.ods", &quoted, &limits()).err(),
            Some(Refusal::TooManyRows(50_000))
        );
        let endless = ods_content(
            r#"<table:table-row><table:table-cell office:value-type="string"><text:p>a<text:s text:c='18446744073709551616'/></text:p></table:table-cell></table:table-row>"#,
        );
        assert_eq!(
            read("e.ods", &endless, &limits()).err(),
            Some(Refusal::Bomb("repeated spaces"))
        );
        // An XLSX whose shared strings declare room for 10^14 of them: calamine reserves that
        // much before reading one (the process would abort).
        let declared = xlsx_with_strings(r#"<sst uniqueCount="100000000000000"/>"#);
        assert_eq!(
            read("d.xlsx", &declared, &limits()).err(),
            Some(Refusal::Bomb("too many strings"))
        );
    }

    /// An XLSX archive (enough for the guards) whose shared strings are `strings`.
    /// Pseudo-random letters: a text that does not compress out of proportion.
    fn random_letters(count: usize, seed: u32) -> String {
        let mut state = seed;
        (0..count)
            .map(|_| {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                char::from(b'a' + (state >> 16) as u8 % 26)
            })
            .collect()
    }

    fn xlsx_with_strings(strings: &str) -> Vec<u8> {
        zip_of(&[
            ("[Content_Types].xml", b"<Types/>".as_slice()),
            ("xl/workbook.xml", b"<workbook/>".as_slice()),
            ("xl/sharedStrings.xml", strings.as_bytes()),
        ])
    }

    #[test]
    fn an_xlsx_with_too_many_or_too_large_shared_strings_is_refused_before_calamine_reads_them() {
        let many: String = (0..600_000)
            .map(|n| format!("<si><t>{n}</t></si>"))
            .collect();
        let file = xlsx_with_strings(&format!("<sst>{many}</sst>"));
        assert!(file.len() < 10 * 1024 * 1024);
        assert_eq!(
            read("viele.xlsx", &file, &limits()),
            Err(Refusal::Bomb("too many strings"))
        );
        // Few strings, but more text than any list holds (a pseudo-random text: it does not
        // compress out of proportion).
        let long = random_letters(3 * 1024 * 1024, 1);
        let file = xlsx_with_strings(&format!("<sst><si><t>{long}</t></si></sst>"));
        let small = Limits {
            max_dense_part: 2 * 1024 * 1024,
            ..limits()
        };
        assert_eq!(
            read("lang.xlsx", &file, &small),
            Err(Refusal::Bomb("declared size of a part read whole"))
        );
        // Styles are read whole as well: millions of cloned formats cost as much as strings.
        let styles =
            format!("<styleSheet><numFmts><numFmt formatCode=\"{long}\"/></numFmts></styleSheet>");
        let file = zip_of(&[
            ("[Content_Types].xml", b"<Types/>".as_slice()),
            ("xl/workbook.xml", b"<workbook/>".as_slice()),
            ("xl/styles.xml", styles.as_bytes()),
        ]);
        assert_eq!(
            read("formate.xlsx", &file, &small),
            Err(Refusal::Bomb("declared size of a part read whole"))
        );
    }

    #[test]
    fn what_is_stored_counts_against_the_cell_budget_whatever_the_format() {
        // Empty cells of a CSV are cells: 12,000 rows of 200 (2.4 MB, 2.4 million strings).
        let mut csv = String::from("Titel\n");
        for _ in 0..12_000 {
            csv.push_str(&";".repeat(199));
            csv.push('\n');
        }
        assert_eq!(
            read("leer.csv", csv.as_bytes(), &limits()),
            Err(Refusal::Bomb("too many cells"))
        );
        // One cell far right per row makes every row that wide.
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write(0, 0, "Titel").expect("a cell");
        for row in 1..=12_000 {
            sheet.write(row, 199, "x").expect("a cell");
        }
        let file = book.save_to_buffer().expect("an XLSX");
        assert_eq!(
            read("rechts.xlsx", &file, &limits()),
            Err(Refusal::Bomb("too many cells"))
        );
        // An inline string is held whole before it is cut: one of 2 MiB is refused unread.
        let long = random_letters(2 * 1024 * 1024, 7);
        let sheet = format!(
            r#"<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>{long}</t></is></c></row></sheetData></worksheet>"#
        );
        let file = zip_of(&[
            ("[Content_Types].xml", b"<Types/>".as_slice()),
            ("xl/workbook.xml", b"<workbook/>".as_slice()),
            ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
        ]);
        assert_eq!(
            read("inline.xlsx", &file, &limits()),
            Err(Refusal::Bomb("one text or tag too long"))
        );
    }

    #[test]
    fn one_long_shared_string_in_many_cells_counts_once_per_cell() {
        let long = "x".repeat(20_000);
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write(0, 0, "Titel").expect("a cell");
        for row in 1..=4_000 {
            sheet.write(row, 0, long.as_str()).expect("a cell");
        }
        let bytes = book.save_to_buffer().expect("an XLSX");
        assert!(bytes.len() < 200 * 1024, "{}", bytes.len());
        assert_eq!(
            read("gleich.xlsx", &bytes, &limits()).err(),
            Some(Refusal::Bomb("too much text"))
        );
    }

    #[test]
    fn a_cell_is_cut_at_twenty_thousand_characters_in_every_format() {
        let long = "ä".repeat(30_000);
        let table = read("l.csv", format!("Titel\n{long}\n").as_bytes(), &limits()).expect("CSV");
        assert_eq!(table.rows[0].cells[0].chars().count(), 20_000);
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write(0, 0, "Titel").expect("a cell");
        sheet.write(1, 0, long.as_str()).expect("a cell");
        let bytes = book.save_to_buffer().expect("an XLSX");
        let table = read("l.xlsx", &bytes, &limits()).expect("XLSX");
        assert_eq!(table.rows[0].cells[0].chars().count(), 20_000);
    }
}

//! The guards an XLSX or ODS archive passes before calamine opens it, all within one deadline.
//!
//! calamine bounds nothing it unpacks: it reads an XLSX's shared strings and an ODS's whole
//! `content.xml` into memory, expands repeated rows and columns, and writes out `<text:s
//! text:c="…"/>` as that many spaces. So before it runs, the archive's entries, their declared
//! and actual sizes and ratios are checked; the one part calamine holds whole (the shared
//! strings, the ODS content) has a much smaller cap of its own, and its strings are counted; and
//! an ODS's repeated cells (values and formulas alike) and repeated spaces are counted against
//! their budgets without expanding anything.

use std::io::{Cursor, Read};
use std::time::{Duration, Instant};

use super::{Kind, Limits, ODS_MIMETYPE, Refusal};

/// The one deadline over every step of reading an upload.
#[derive(Debug, Clone, Copy)]
pub struct Deadline(Instant);

impl Deadline {
    pub fn after(time: Duration) -> Self {
        Self(Instant::now() + time)
    }

    /// Refuses once the deadline has passed.
    pub fn check(self) -> Result<(), Refusal> {
        if Instant::now() > self.0 {
            Err(Refusal::TooSlow)
        } else {
            Ok(())
        }
    }
}

/// How calamine reads a part of an archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// An XLSX's shared strings: held whole, and their count reserved ahead.
    Strings,
    /// Read into memory whole: an ODS's content and styles; an XLSX's workbook, styles,
    /// relations and content types (styles with millions of cloned formats cost as much as
    /// strings).
    Whole,
    /// Streamed cell by cell (an XLSX's worksheets), or not read at all.
    Streamed,
}

/// How calamine reads `name` of an archive of `kind`. For XLSX calamine finds parts without
/// regard to case or slashes and follows the workbook's relations to its folder, so any entry
/// named like shared strings counts as such.
fn part(kind: Kind, name: &str) -> Part {
    let name = name.replace('\\', "/").to_ascii_lowercase();
    match kind {
        Kind::Ods if name.ends_with(".xml") => Part::Whole,
        Kind::Xlsx if name.ends_with("sharedstrings.xml") => Part::Strings,
        Kind::Xlsx
            if (name.ends_with(".xml") || name.ends_with(".rels"))
                && !name.contains("worksheets/") =>
        {
            Part::Whole
        }
        _ => Part::Streamed,
    }
}

/// The number in `attribute="…"` (or with single quotes, spaces around `=`) in `tag`, as
/// calamine's XML reader would take it; a number too large for u64 is u64::MAX, so that it is
/// refused rather than taken as 1; absent, 1.
fn number(tag: &str, attribute: &str) -> u64 {
    let Some((_, rest)) = tag.split_once(attribute) else {
        return 1;
    };
    let rest = rest.trim_start();
    let Some(rest) = rest.strip_prefix('=') else {
        return 1;
    };
    let rest = rest.trim_start();
    let Some(quote) = rest.chars().next().filter(|c| matches!(c, '"' | '\'')) else {
        return 1;
    };
    let value = rest[1..].split(quote).next().unwrap_or_default().trim();
    if !value.is_empty() && value.bytes().all(|byte| byte.is_ascii_digit()) {
        value.parse().unwrap_or(u64::MAX)
    } else {
        1
    }
}

/// The element a tag segment (what follows a `<`) opens or closes: its name up to the first
/// blank, `>` or `/` after it.
fn element(tag: &str) -> &str {
    let start = usize::from(tag.starts_with('/'));
    let end = tag[start..]
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .map_or(tag.len(), |end| end + start);
    &tag[..end]
}

/// The archive's entries, sizes and ratios, its dense part's size and string count, and that it
/// is the kind of document it claims.
pub fn check(bytes: &[u8], kind: Kind, limits: &Limits, deadline: Deadline) -> Result<(), Refusal> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| Refusal::Damaged)?;
    if archive.len() > limits.max_entries {
        return Err(Refusal::Bomb("too many entries"));
    }
    let mut declared: u64 = 0;
    for index in 0..archive.len() {
        let entry = archive.by_index_raw(index).map_err(|_| Refusal::Damaged)?;
        declared = declared.saturating_add(entry.size());
        if entry.size() > 1024 * 1024
            && entry.size() / entry.compressed_size().max(1) > limits.max_ratio
        {
            return Err(Refusal::Bomb("an entry compressed out of proportion"));
        }
        if entry
            .name()
            .is_ok_and(|name| part(kind, &name) != Part::Streamed)
            && entry.size() > limits.max_dense_part
        {
            return Err(Refusal::Bomb("declared size of a part read whole"));
        }
    }
    if declared > limits.max_unpacked {
        return Err(Refusal::Bomb("declared unpacked size"));
    }
    // Declared sizes can lie: unpack, counting, and stop at the limits.
    let mut actual: u64 = 0;
    let mut sink = vec![0u8; 64 * 1024];
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(|_| Refusal::Damaged)?;
        let read_as = entry
            .name()
            .map_or(Part::Streamed, |name| part(kind, &name));
        let mut size: u64 = 0;
        let mut strings = StringCounter::default();
        let mut run = Run::default();
        loop {
            let read = entry.read(&mut sink).map_err(|_| Refusal::Damaged)?;
            if read == 0 {
                break;
            }
            actual += read as u64;
            size += read as u64;
            if actual > limits.max_unpacked {
                return Err(Refusal::Bomb("actual unpacked size"));
            }
            if run.longest_after(&sink[..read]) > limits.max_xml_run {
                return Err(Refusal::Bomb("one text or tag too long"));
            }
            match read_as {
                Part::Strings if size > limits.max_dense_part => {
                    return Err(Refusal::Bomb("actual size of the strings"));
                }
                Part::Strings if strings.count(&sink[..read]) > limits.max_shared_strings => {
                    return Err(Refusal::Bomb("too many strings"));
                }
                Part::Whole if size > limits.max_dense_part => {
                    return Err(Refusal::Bomb("actual size of the content"));
                }
                _ => {}
            }
            deadline.check()?;
        }
    }
    let has = |archive: &zip::ZipArchive<_>, name: &str| archive.index_for_name(name).is_some();
    let claimed = match kind {
        Kind::Xlsx => has(&archive, "[Content_Types].xml") && has(&archive, "xl/workbook.xml"),
        Kind::Ods => {
            let mut mimetype = String::new();
            archive
                .by_name("mimetype")
                .ok()
                .and_then(|mut entry| entry.read_to_string(&mut mimetype).ok());
            mimetype.trim() == ODS_MIMETYPE && has(&archive, "content.xml")
        }
        Kind::Csv => false,
    };
    if claimed {
        Ok(())
    } else {
        Err(Refusal::Mismatch(kind))
    }
}

/// The longest run of bytes without a `<` (one text or one tag) of a part as it streams past.
#[derive(Debug, Default)]
struct Run {
    current: u64,
    longest: u64,
}

impl Run {
    fn longest_after(&mut self, chunk: &[u8]) -> u64 {
        let mut segments = chunk.split(|byte| *byte == b'<');
        if let Some(first) = segments.next() {
            self.current += first.len() as u64;
            self.longest = self.longest.max(self.current);
        }
        for segment in segments {
            self.current = segment.len() as u64;
            self.longest = self.longest.max(self.current);
        }
        self.longest
    }
}

/// Counts the shared strings (`<si>` elements) of an XLSX as its bytes stream past, also when
/// a tag lies across two chunks.
#[derive(Debug, Default)]
struct StringCounter {
    /// The last bytes of the previous chunk.
    tail: Vec<u8>,
    count: usize,
    /// What the part's head declares, once read.
    declared: usize,
    seen_head: bool,
}

impl StringCounter {
    /// The strings counted so far, or what the part declares (`<sst uniqueCount="…">`, which
    /// calamine reserves room for before reading any), whichever is larger.
    fn count(&mut self, chunk: &[u8]) -> usize {
        let mut window = std::mem::take(&mut self.tail);
        window.extend_from_slice(chunk);
        self.count += string_starts(&window);
        if !self.seen_head {
            // The head (`<sst …>`) comes first; what it declares counts once it is whole.
            let text = String::from_utf8_lossy(&window);
            if let Some((_, rest)) = text.split_once("sst")
                && let Some((head, _)) = rest.split_once('>')
            {
                let declared = number(head, "uniqueCount").max(number(head, " count"));
                self.declared = usize::try_from(declared).unwrap_or(usize::MAX);
                self.seen_head = true;
            }
        }
        // The head may lie across two chunks: keep enough of it to read it whole.
        let keep = if self.seen_head { 3 } else { 4096 };
        self.tail = window[window.len().saturating_sub(keep)..].to_vec();
        if !self.seen_head {
            // Counted again with the next chunk otherwise.
            self.count -= string_starts(&self.tail);
        }
        self.count.max(self.declared)
    }
}

/// The `<si` (or `<x:si`) tags that start a shared string in `bytes`.
fn string_starts(bytes: &[u8]) -> usize {
    bytes
        .windows(4)
        .filter(|bytes| {
            matches!(bytes[0], b'<' | b':')
                && bytes[1..3] == *b"si"
                && matches!(bytes[3], b'>' | b'/' | b' ' | b'\t' | b'\n' | b'\r')
        })
        .count()
}

/// The cells an ODS sheet would expand to: repeated rows times repeated cells that hold a
/// value or a formula (empty repeats cost calamine nothing), within the cell budget and the
/// sheet's bounds; and the text they would hold once calamine copied every repetition and
/// wrote out every `<text:s text:c="…"/>` (each within `max_repeated_spaces`), within
/// `max_text`.
pub fn ods_cells(bytes: &[u8], limits: &Limits, deadline: Deadline) -> Result<u64, Refusal> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| Refusal::Damaged)?;
    let mut content = String::new();
    archive
        .by_name("content.xml")
        .map_err(|_| Refusal::Damaged)?
        .take(limits.max_dense_part + 1)
        .read_to_string(&mut content)
        .map_err(|_| Refusal::Damaged)?;
    let budget = limits.max_cells as u64;
    let (last_row, last_column) = (limits.max_rows as u64, limits.max_columns as u64);
    let mut total: u64 = 0;
    let mut text: u64 = 0;
    // Where the current row starts, how often it repeats, and the next cell's column: a
    // single far-away cell would make calamine's dense range huge.
    let (mut row, mut row_repeat, mut column): (u64, u64, u64) = (0, 0, 0);
    let mut cell_repeat: u64 = 1;
    // Inside a cell that holds something: what stands in it is copied with it.
    let mut in_cell = false;
    // calamine reads every sheet at once into a dense range from its first to its last cell
    // with something in it, empty rows and columns between included: two far-apart cells cost
    // the whole rectangle. The sheets' rectangles together stay within the cell budget.
    let mut extent = Extent::default();
    let mut dense: u64 = 0;
    for (index, tag) in content.split('<').skip(1).enumerate() {
        if index % 65_536 == 0 {
            deadline.check()?;
        }
        // A `<` before the tag's `>` (inside an attribute's value, which XML forbids) would
        // make this scan see other tags than calamine's reader does.
        if !tag.contains('>') {
            return Err(Refusal::Damaged);
        }
        match element(tag) {
            "table:table" | "/table:table" => {
                dense = dense.saturating_add(std::mem::take(&mut extent).cells());
                if dense > budget {
                    return Err(Refusal::Bomb("far-apart cells"));
                }
                (row, row_repeat, column, cell_repeat) = (0, 0, 0, 1);
            }
            "table:table-row" => {
                row = row.saturating_add(row_repeat);
                row_repeat = number(tag, "table:number-rows-repeated");
                (column, cell_repeat) = (0, 1);
            }
            "/table:table-cell" | "/table:covered-table-cell" | "/table:table-row" => {
                (cell_repeat, in_cell) = (1, false);
            }
            "table:table-cell" | "table:covered-table-cell" => {
                let cells = number(tag, "table:number-columns-repeated");
                cell_repeat = cells;
                // A cell that is not empty costs calamine a copy per repetition, whether it
                // holds a typed value, a value without a type, a formula or only text.
                let costs = [
                    "office:value",
                    "office:string-value",
                    "office:boolean-value",
                    "office:date-value",
                    "office:time-value",
                    "table:formula",
                ]
                .iter()
                .any(|attribute| tag.contains(attribute))
                    || !tag.trim_end().ends_with("/>");
                if costs {
                    if row.saturating_add(row_repeat) > last_row + 1 {
                        return Err(Refusal::TooManyRows(limits.max_rows));
                    }
                    if column.saturating_add(cells) > last_column {
                        return Err(Refusal::TooManyColumns(limits.max_columns));
                    }
                    extent.include(row, row_repeat.max(1), column, cells);
                    total = total.saturating_add(row_repeat.max(1).saturating_mul(cells));
                    if total > budget {
                        return Err(Refusal::Bomb("repeated cells"));
                    }
                    // Its attributes (a string value, a formula) are copied with it.
                    let copies = row_repeat.max(1).saturating_mul(cells);
                    text = text.saturating_add((tag.len() as u64).saturating_mul(copies));
                }
                in_cell = costs && !tag.trim_end().ends_with("/>");
                column = column.saturating_add(cells);
            }
            "text:s" => {
                let count = number(tag, "text:c");
                if count > limits.max_repeated_spaces {
                    return Err(Refusal::Bomb("repeated spaces"));
                }
                let copies = row_repeat.max(1).saturating_mul(cell_repeat);
                text = text.saturating_add(count.saturating_mul(copies));
            }
            _ if in_cell => {
                // Every text inside a cell is copied for each repetition of its cell and row.
                let copies = row_repeat.max(1).saturating_mul(cell_repeat);
                text = text.saturating_add((tag.len() as u64).saturating_mul(copies));
            }
            _ => {}
        }
        if text > limits.max_text {
            return Err(Refusal::Bomb("repeated text"));
        }
    }
    dense = dense.saturating_add(extent.cells());
    if dense > budget {
        return Err(Refusal::Bomb("far-apart cells"));
    }
    Ok(total)
}

/// The rectangle of a sheet's cells that hold something.
#[derive(Debug, Default)]
struct Extent {
    /// First and last row, first and last column.
    bounds: Option<(u64, u64, u64, u64)>,
}

impl Extent {
    /// Takes in `rows` rows from `row` and `columns` columns from `column`.
    fn include(&mut self, row: u64, rows: u64, column: u64, columns: u64) {
        let (last_row, last_column) = (
            row.saturating_add(rows.max(1) - 1),
            column.saturating_add(columns.max(1) - 1),
        );
        self.bounds = Some(match self.bounds {
            None => (row, last_row, column, last_column),
            Some((top, bottom, left, right)) => (
                top.min(row),
                bottom.max(last_row),
                left.min(column),
                right.max(last_column),
            ),
        });
    }

    /// The cells of the rectangle.
    fn cells(&self) -> u64 {
        self.bounds.map_or(0, |(top, bottom, left, right)| {
            (bottom - top + 1).saturating_mul(right - left + 1)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_strings_are_counted_across_chunk_boundaries() {
        let mut counter = StringCounter::default();
        assert_eq!(counter.count(b"<sst><si><t>a</t></si><s"), 1);
        assert_eq!(counter.count(b"i><t>b</t></si><si/><sheet>"), 3);
        assert_eq!(counter.count(b"<sig>"), 3, "another element");
        assert_eq!(counter.count(b"<x:si>"), 4, "with a prefix");
        let mut declared = StringCounter::default();
        assert_eq!(
            declared.count(b"<sst count='12' uniqueCount = \"100000000000000\"><si>"),
            100_000_000_000_000,
            "what calamine reserves room for"
        );
    }

    #[test]
    fn attributes_are_read_as_an_xml_reader_reads_them() {
        let rows = "table:number-rows-repeated";
        assert_eq!(number(r#"<a table:number-rows-repeated="7">"#, rows), 7);
        assert_eq!(
            number("<a table:number-rows-repeated = '500000'>", rows),
            500_000
        );
        assert_eq!(
            number(r#"text:s text:c="99999999999999999999999"/>"#, "text:c"),
            u64::MAX
        );
        assert_eq!(number("text:s/>", "text:c"), 1);
        assert_eq!(
            element("table:table-row\ttable:style-name='x'>"),
            "table:table-row"
        );
        assert_eq!(element("table:table-row/>"), "table:table-row");
        assert_eq!(element("/table:table-cell>"), "/table:table-cell");
        assert_eq!(part(Kind::Xlsx, "XL/SharedStrings.xml"), Part::Strings);
        assert_eq!(part(Kind::Xlsx, "x\\sharedStrings.xml"), Part::Strings);
        assert_eq!(part(Kind::Xlsx, "xl/styles.xml"), Part::Whole);
        assert_eq!(part(Kind::Xlsx, "xl/_rels/workbook.xml.rels"), Part::Whole);
        assert_eq!(part(Kind::Xlsx, "xl/Worksheets/sheet1.xml"), Part::Streamed);
        assert_eq!(part(Kind::Xlsx, "xl/media/logo.png"), Part::Streamed);
        assert_eq!(part(Kind::Ods, "content.xml"), Part::Whole);
    }

    #[test]
    fn the_longest_text_or_tag_is_measured_across_chunks() {
        let mut run = Run::default();
        assert_eq!(run.longest_after(b"<c r=\"A1\"><v>12"), 9, "c r=\"A1\">");
        assert_eq!(
            run.longest_after(b"3456789"),
            11,
            "v>123456789: the text goes on"
        );
        assert_eq!(run.longest_after(b"</v></c>"), 11);
        assert_eq!(run.longest_after(b""), 11);
    }

    #[test]
    fn a_deadline_in_the_past_refuses() {
        let passed = Instant::now()
            .checked_sub(Duration::from_millis(1))
            .expect("a moment ago");
        assert_eq!(Deadline(passed).check(), Err(Refusal::TooSlow));
        assert!(Deadline::after(Duration::from_secs(60)).check().is_ok());
    }
}

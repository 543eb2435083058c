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

/// The part of an archive of `kind` that calamine reads into memory whole.
fn dense_part(kind: Kind) -> &'static str {
    match kind {
        Kind::Ods => "content.xml",
        _ => "xl/sharedStrings.xml",
    }
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
        if entry.name().is_ok_and(|name| name == dense_part(kind))
            && entry.size() > limits.max_dense_part
        {
            return Err(Refusal::Bomb("declared size of the strings"));
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
        let dense = entry.name().is_ok_and(|name| name == dense_part(kind));
        let mut part: u64 = 0;
        let mut strings = StringCounter::default();
        loop {
            let read = entry.read(&mut sink).map_err(|_| Refusal::Damaged)?;
            if read == 0 {
                break;
            }
            actual += read as u64;
            part += read as u64;
            if actual > limits.max_unpacked {
                return Err(Refusal::Bomb("actual unpacked size"));
            }
            if dense && kind == Kind::Xlsx {
                if part > limits.max_dense_part {
                    return Err(Refusal::Bomb("actual size of the strings"));
                }
                if strings.count(&sink[..read]) > limits.max_shared_strings {
                    return Err(Refusal::Bomb("too many strings"));
                }
            } else if dense && part > limits.max_dense_part {
                return Err(Refusal::Bomb("actual size of the content"));
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

/// Counts the shared strings (`<si>` elements) of an XLSX as its bytes stream past, also when
/// a tag lies across two chunks.
#[derive(Debug, Default)]
struct StringCounter {
    /// The last bytes of the previous chunk.
    tail: Vec<u8>,
    count: usize,
}

impl StringCounter {
    fn count(&mut self, chunk: &[u8]) -> usize {
        let mut window = std::mem::take(&mut self.tail);
        window.extend_from_slice(chunk);
        self.count += window
            .windows(4)
            .filter(|bytes| bytes[..3] == *b"<si" && matches!(bytes[3], b'>' | b' ' | b'/'))
            .count();
        self.tail = window[window.len().saturating_sub(3)..].to_vec();
        self.count
    }
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
    let number = |tag: &str, attribute: &str| -> u64 {
        tag.split_once(attribute)
            .and_then(|(_, rest)| rest.strip_prefix("=\""))
            .and_then(|rest| rest.split('"').next())
            .and_then(|number| number.parse().ok())
            .unwrap_or(1)
    };
    let budget = limits.max_cells as u64;
    let (last_row, last_column) = (limits.max_rows as u64, limits.max_columns as u64);
    let mut total: u64 = 0;
    let mut text: u64 = 0;
    // Where the current row starts, how often it repeats, and the next cell's column: a
    // single far-away cell would make calamine's dense range huge.
    let (mut row, mut row_repeat, mut column): (u64, u64, u64) = (0, 0, 0);
    let mut cell_repeat: u64 = 1;
    for (index, tag) in content.split('<').skip(1).enumerate() {
        if index % 65_536 == 0 {
            deadline.check()?;
        }
        // Every text inside a cell is copied for each repetition of its cell and row.
        let copies = row_repeat.max(1).saturating_mul(cell_repeat);
        let written = tag
            .split_once('>')
            .map_or(0, |(_, after)| after.len() as u64);
        text = text.saturating_add(written.saturating_mul(copies));
        if tag.starts_with("table:table ") || tag.starts_with("table:table>") {
            (row, row_repeat, column, cell_repeat) = (0, 0, 0, 1);
        } else if tag.starts_with("table:table-row ") || tag.starts_with("table:table-row>") {
            row = row.saturating_add(row_repeat);
            row_repeat = number(tag, "table:number-rows-repeated");
            (column, cell_repeat) = (0, 1);
        } else if tag.starts_with("/table:table-cell")
            || tag.starts_with("/table:covered-table-cell")
        {
            cell_repeat = 1;
        } else if tag.starts_with("table:table-cell") || tag.starts_with("table:covered-table-cell")
        {
            let cells = number(tag, "table:number-columns-repeated");
            cell_repeat = cells;
            // A cell that is not empty costs calamine a copy per repetition, whether it holds a
            // typed value, a formula or only text.
            let costs = tag.contains("office:value-type")
                || tag.contains("table:formula")
                || !tag.trim_end().ends_with("/>");
            if costs {
                if row.saturating_add(row_repeat) > last_row + 1 {
                    return Err(Refusal::TooManyRows(limits.max_rows));
                }
                if column.saturating_add(cells) > last_column {
                    return Err(Refusal::TooManyColumns(limits.max_columns));
                }
                total = total.saturating_add(row_repeat.saturating_mul(cells));
                if total > budget {
                    return Err(Refusal::Bomb("repeated cells"));
                }
            }
            column = column.saturating_add(cells);
        } else if tag.starts_with("text:s ") || tag.starts_with("text:s/") {
            let count = number(tag, "text:c");
            if count > limits.max_repeated_spaces {
                return Err(Refusal::Bomb("repeated spaces"));
            }
            text = text.saturating_add(count.saturating_mul(copies));
        }
        if text > limits.max_text {
            return Err(Refusal::Bomb("repeated text"));
        }
    }
    Ok(total)
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

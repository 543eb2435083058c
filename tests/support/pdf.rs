//! PDF reports read back as readers read them: the text through poppler's `pdftotext` (what
//! search and copy get), the structure through lopdf (language, tags, PDF/UA identification,
//! alternative texts).

use std::io::Write;
use std::process::{Command, Stdio};

use lopdf::{Document, Object};

/// The text of `bytes`, whitespace collapsed.
pub fn text(bytes: &[u8]) -> String {
    let mut child = Command::new("pdftotext")
        .args(["-enc", "UTF-8", "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("pdftotext (poppler-utils, installed by scripts/install-deps --test)");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(bytes)
        .expect("the PDF to pdftotext");
    let output = child.wait_with_output().expect("pdftotext's text");
    assert!(output.status.success(), "pdftotext reads the PDF");
    String::from_utf8(output.stdout)
        .expect("UTF-8 text")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A PDF text string: UTF-16BE after a byte order mark, otherwise single bytes.
fn decoded(bytes: &[u8]) -> String {
    match bytes {
        [0xFE, 0xFF, rest @ ..] => {
            let units: Vec<u16> = rest
                .chunks_exact(2)
                .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        _ => bytes.iter().map(|byte| char::from(*byte)).collect(),
    }
}

/// What a PDF/UA check looks at, as found in the file.
#[derive(Debug)]
pub struct Accessibility {
    pub title: String,
    pub lang: String,
    pub tagged: bool,
    pub pdf_ua: bool,
    /// The alternative text of every figure in the structure tree.
    pub figure_alts: Vec<Option<String>>,
    /// The structure types used, e.g. "H1", "Table", "TH".
    pub tags: Vec<String>,
}

pub fn accessibility(bytes: &[u8]) -> Accessibility {
    let pdf = Document::load_mem(bytes).expect("lopdf reads the PDF");
    let catalog = pdf.catalog().expect("a catalog");
    let lang = catalog
        .get(b"Lang")
        .and_then(Object::as_str)
        .map(decoded)
        .unwrap_or_default();
    let tagged = catalog.has(b"StructTreeRoot")
        && catalog
            .get(b"MarkInfo")
            .and_then(Object::as_dict)
            .is_ok_and(|info| matches!(info.get(b"Marked"), Ok(Object::Boolean(true))));
    let title = pdf
        .trailer
        .get(b"Info")
        .and_then(Object::as_reference)
        .and_then(|info| pdf.get_dictionary(info))
        .and_then(|info| info.get(b"Title"))
        .and_then(Object::as_str)
        .map(decoded)
        .unwrap_or_default();
    let raw = String::from_utf8_lossy(bytes);
    let pdf_ua =
        raw.contains("<pdfuaid:part>1</pdfuaid:part>") || raw.contains("pdfuaid:part=\"1\"");
    let mut figure_alts = Vec::new();
    let mut tags = Vec::new();
    for object in pdf.objects.values() {
        let Ok(dict) = object.as_dict() else { continue };
        // A structure element: a type (/S) and a parent (/P); /Type is optional.
        if !dict.has(b"P") {
            continue;
        }
        let Ok(Object::Name(kind)) = dict.get(b"S") else {
            continue;
        };
        let kind = String::from_utf8_lossy(kind).into_owned();
        if kind == "Figure" {
            figure_alts.push(dict.get(b"Alt").and_then(Object::as_str).ok().map(decoded));
        }
        tags.push(kind);
    }
    Accessibility {
        title,
        lang,
        tagged,
        pdf_ua,
        figure_alts,
        tags,
    }
}

/// Asserts what PDF/UA-1 asks of every report, and that `title` is its title.
pub fn assert_accessible(bytes: &[u8], title: &str) -> Accessibility {
    let found = accessibility(bytes);
    assert_eq!(found.title, title, "{found:?}");
    assert!(found.lang.starts_with("de"), "{found:?}");
    assert!(found.tagged, "{found:?}");
    assert!(found.pdf_ua, "PDF/UA identification in the metadata");
    assert!(
        found
            .figure_alts
            .iter()
            .all(|alt| alt.as_ref().is_some_and(|alt| !alt.trim().is_empty())),
        "every figure with alternative text: {:?}",
        found.figure_alts
    );
    assert!(
        found.tags.iter().any(|tag| tag == "H1"),
        "a first heading: {:?}",
        found.tags
    );
    found
}

//! Assertions on HTML with CSS selectors, not substrings.

use scraper::{ElementRef, Html, Selector};

#[derive(Debug)]
pub struct Page {
    pub html: Html,
}

fn selector(css: &str) -> Selector {
    Selector::parse(css).unwrap_or_else(|error| panic!("bad selector {css:?}: {error}"))
}

/// An element's text with runs of white space folded, as a reader sees it.
pub fn text_of(element: ElementRef<'_>) -> String {
    element
        .text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl Page {
    pub fn parse(body: &str) -> Self {
        Self {
            html: Html::parse_document(body),
        }
    }

    pub fn select(&self, css: &str) -> Vec<ElementRef<'_>> {
        self.html.select(&selector(css)).collect()
    }

    pub fn count(&self, css: &str) -> usize {
        self.select(css).len()
    }

    /// The texts of all matches, in document order.
    pub fn texts(&self, css: &str) -> Vec<String> {
        self.select(css).into_iter().map(text_of).collect()
    }

    /// The text of the one match; fails when there is none or several.
    pub fn text(&self, css: &str) -> String {
        let matches = self.texts(css);
        assert_eq!(matches.len(), 1, "expected one {css:?}, found {matches:?}");
        matches.into_iter().next().unwrap_or_default()
    }

    /// The `href`s of all links matching `css`.
    pub fn links(&self, css: &str) -> Vec<String> {
        self.select(css)
            .into_iter()
            .filter_map(|element| element.value().attr("href").map(str::to_owned))
            .collect()
    }
}

/// Selects within one element.
pub fn within(element: ElementRef<'_>, css: &str) -> Vec<String> {
    element.select(&selector(css)).map(text_of).collect()
}

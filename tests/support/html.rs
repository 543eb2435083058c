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

impl Page {
    /// What a browser would send for the form posting to `action` without the reader changing
    /// anything: its inputs (checked boxes only), text areas and selected options, not the CSRF
    /// token (the client adds its own) and no button.
    pub fn form_fields(&self, action: &str) -> Vec<(String, String)> {
        let forms = self.select(&format!("form[action='{action}']"));
        let form = forms
            .first()
            .unwrap_or_else(|| panic!("no form posting to {action}"));
        let mut fields = Vec::new();
        for element in form.select(&selector("input[name], textarea[name], select[name]")) {
            let value = element.value();
            let name = value.attr("name").unwrap_or_default().to_owned();
            if name == "csrf_token" {
                continue;
            }
            match value.name() {
                "textarea" => fields.push((name, element.text().collect())),
                "select" => {
                    let options: Vec<ElementRef<'_>> =
                        element.select(&selector("option")).collect();
                    let chosen = options
                        .iter()
                        .find(|option| option.value().attr("selected").is_some())
                        .or(options.first());
                    if let Some(option) = chosen {
                        let text: String = option.text().collect();
                        let sent = option.value().attr("value").map_or(text, str::to_owned);
                        fields.push((name, sent));
                    }
                }
                _ => {
                    let kind = value.attr("type").unwrap_or("text");
                    let checkable = matches!(kind, "checkbox" | "radio");
                    let unset = if checkable { "on" } else { "" };
                    if !checkable || value.attr("checked").is_some() {
                        fields.push((name, value.attr("value").unwrap_or(unset).to_owned()));
                    }
                }
            }
        }
        fields
    }
}

//! Markdown of measure descriptions, rendered safely: raw HTML in the text is shown as text, and
//! only links to http(s), mailto and this site's own paths survive, so no script and no
//! `javascript:` link can reach a page.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

fn safe_destination(destination: &str) -> bool {
    let lower = destination.trim().to_ascii_lowercase();
    lower.starts_with("https://")
        || lower.starts_with("http://")
        || lower.starts_with("mailto:")
        || (lower.starts_with('/') && !lower.starts_with("//"))
}

/// The HTML of `markdown`, safe to put into a page as it is.
pub fn to_safe_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut unsafe_links = 0_usize;
    let events = Parser::new_ext(markdown, options).filter_map(|event| match event {
        // Raw HTML becomes visible text.
        Event::Html(text) | Event::InlineHtml(text) => Some(Event::Text(text)),
        // Images would load from anywhere: show their description instead.
        Event::Start(Tag::Image { title, .. }) => Some(Event::Text(title)),
        Event::End(TagEnd::Image) => None,
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            if safe_destination(&dest_url) {
                Some(Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }))
            } else {
                unsafe_links += 1;
                None
            }
        }
        Event::End(TagEnd::Link) if unsafe_links > 0 => {
            unsafe_links -= 1;
            None
        }
        other => Some(other),
    });
    let mut output = String::new();
    html::push_html(
        &mut output,
        events.map(|event| match event {
            // Headings inside a description sit below the page's own h1 and h2.
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => Event::Start(Tag::Heading {
                level: level
                    .min(pulldown_cmark::HeadingLevel::H6)
                    .max(pulldown_cmark::HeadingLevel::H3),
                id,
                classes,
                attrs,
            }),
            Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(
                level
                    .min(pulldown_cmark::HeadingLevel::H6)
                    .max(pulldown_cmark::HeadingLevel::H3),
            )),
            other => other,
        }),
    );
    output
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_tags_are_shown_as_text() {
        let html = to_safe_html("Hallo <script>alert(1)</script> Welt");
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn javascript_links_lose_their_link() {
        let html = to_safe_html("[klick](javascript:alert(1)) und [gut](https://hamburg.de)");
        assert!(!html.to_lowercase().contains("javascript:"), "{html}");
        assert!(html.contains("klick"));
        assert!(
            html.contains(r#"<a href="https://hamburg.de">gut</a>"#),
            "{html}"
        );
    }

    #[test]
    fn markdown_formats_and_headings_start_below_the_page() {
        let html = to_safe_html("# Titel\n\n- eins\n- **zwei**");
        assert!(html.contains("<h3>Titel</h3>"), "{html}");
        assert!(html.contains("<li><strong>zwei</strong></li>"), "{html}");
    }

    #[test]
    fn images_do_not_load() {
        let html = to_safe_html("![Bild](https://example.org/x.png \"Beschreibung\")");
        assert!(!html.contains("<img"), "{html}");
    }
}

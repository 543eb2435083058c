//! What every page shares: its title, breadcrumb and place in the main navigation.

use super::assets;

/// The areas of the main navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Start,
    Strategy,
    None,
}

/// One step of the breadcrumb; the last one is the page itself and has no link.
#[derive(Debug, Clone)]
pub struct Crumb {
    pub label: String,
    pub href: Option<String>,
}

/// The frame around a page's content, rendered by `base.html`.
#[derive(Debug, Clone)]
pub struct Shell {
    pub title: String,
    pub section: Section,
    pub breadcrumbs: Vec<Crumb>,
}

impl Shell {
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            section: Section::None,
            breadcrumbs: Vec::new(),
        }
    }

    pub fn in_section(mut self, section: Section) -> Self {
        self.section = section;
        self
    }

    /// Adds a linked step to the breadcrumb (Start comes first by itself).
    pub fn crumb(mut self, label: impl Into<String>, href: impl Into<String>) -> Self {
        self.breadcrumbs.push(Crumb {
            label: label.into(),
            href: Some(href.into()),
        });
        self
    }

    /// Ends the breadcrumb with the page itself.
    pub fn here(mut self, label: impl Into<String>) -> Self {
        self.breadcrumbs.push(Crumb {
            label: label.into(),
            href: None,
        });
        self
    }

    /// Appended to asset URLs so that browsers fetch changed files at once.
    pub fn asset_version(&self) -> &'static str {
        assets::version()
    }

    /// The main navigation, with the current area marked.
    pub fn navigation(&self) -> [NavItem; 2] {
        [
            NavItem::new("Start", "/", self.section == Section::Start),
            NavItem::new("Strategie", "/strategie", self.section == Section::Strategy),
        ]
    }
}

/// An entry of the main navigation.
#[derive(Debug, Clone)]
pub struct NavItem {
    pub label: &'static str,
    pub href: &'static str,
    pub current: bool,
}

impl NavItem {
    fn new(label: &'static str, href: &'static str, current: bool) -> Self {
        Self {
            label,
            href,
            current,
        }
    }
}

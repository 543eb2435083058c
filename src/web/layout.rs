//! What every page shares: its title, breadcrumb and place in the main navigation.

use super::assets;
use super::visitor::Visitor;
use crate::domain::roles::Role;

/// The areas of the main navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Start,
    Strategy,
    Measures,
    Prioritisation,
    Reports,
    Account,
    Administration,
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
    pub visitor: Visitor,
}

impl Shell {
    pub fn new(visitor: Visitor, title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            section: Section::None,
            breadcrumbs: Vec::new(),
            visitor,
        }
    }

    /// The signed-in person's name, for the header.
    pub fn user_name(&self) -> Option<&str> {
        self.visitor
            .user
            .as_ref()
            .map(|user| user.user.display_name.as_str())
    }

    /// Unread notifications of the signed-in person.
    pub fn unread(&self) -> i64 {
        self.visitor.user.as_ref().map_or(0, |user| user.unread)
    }

    /// Whether the signed-in person may use routes that require `permission` (for links).
    pub fn may(&self, permission: crate::domain::permissions::Permission) -> bool {
        let actor = self.visitor.user.as_ref().map(|user| user.user.actor());
        permission.allows(actor.as_ref())
    }

    /// Whether the signed-in person may import lists (officers).
    pub fn may_import(&self) -> bool {
        self.may(crate::domain::permissions::Permission::Assess)
    }

    pub fn csrf_token(&self) -> &str {
        &self.visitor.csrf_token
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

    /// The main navigation for the signed-in person, with the current area marked; empty
    /// before login.
    pub fn navigation(&self) -> Vec<NavItem> {
        let Some(user) = &self.visitor.user else {
            return Vec::new();
        };
        let mut items = vec![
            NavItem::new("Start", "/", self.section == Section::Start),
            NavItem::new("Strategie", "/strategie", self.section == Section::Strategy),
            NavItem::new(
                "Maßnahmen",
                "/massnahmen",
                self.section == Section::Measures,
            ),
            NavItem::new(
                "Priorisierung",
                "/priorisierung",
                self.section == Section::Prioritisation,
            ),
            NavItem::new("Berichte", "/berichte", self.section == Section::Reports),
        ];
        if user.user.roles.contains(&Role::Administrator) {
            items.push(NavItem::new(
                "Verwaltung",
                "/verwaltung/konten",
                self.section == Section::Administration,
            ));
        }
        items.push(NavItem::new(
            "Mein Konto",
            "/konto",
            self.section == Section::Account,
        ));
        items
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

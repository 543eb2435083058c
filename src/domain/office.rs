//! The seven district offices, and "zentral" for cross-district staff.

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, sqlx::Type)]
#[sqlx(type_name = "office", rename_all = "snake_case")]
#[serde(rename_all = "kebab-case")]
pub enum Office {
    Altona,
    Bergedorf,
    Eimsbuettel,
    HamburgMitte,
    HamburgNord,
    Harburg,
    Wandsbek,
    Central,
}

impl Office {
    pub const ALL: [Self; 8] = [
        Self::Altona,
        Self::Bergedorf,
        Self::Eimsbuettel,
        Self::HamburgMitte,
        Self::HamburgNord,
        Self::Harburg,
        Self::Wandsbek,
        Self::Central,
    ];

    /// The name on screen.
    pub fn label(self) -> &'static str {
        match self {
            Self::Altona => "Bezirksamt Altona",
            Self::Bergedorf => "Bezirksamt Bergedorf",
            Self::Eimsbuettel => "Bezirksamt Eimsbüttel",
            Self::HamburgMitte => "Bezirksamt Hamburg-Mitte",
            Self::HamburgNord => "Bezirksamt Hamburg-Nord",
            Self::Harburg => "Bezirksamt Harburg",
            Self::Wandsbek => "Bezirksamt Wandsbek",
            Self::Central => "Zentral (bezirksübergreifend)",
        }
    }

    /// The name without "Bezirksamt", short enough for a column header ("Mitte", "Nord").
    pub fn short_label(self) -> &'static str {
        match self {
            Self::Altona => "Altona",
            Self::Bergedorf => "Bergedorf",
            Self::Eimsbuettel => "Eimsbüttel",
            Self::HamburgMitte => "Mitte",
            Self::HamburgNord => "Nord",
            Self::Harburg => "Harburg",
            Self::Wandsbek => "Wandsbek",
            Self::Central => "Zentral",
        }
    }

    /// The value in forms, URLs and on the command line.
    pub fn slug(self) -> &'static str {
        match self {
            Self::Altona => "altona",
            Self::Bergedorf => "bergedorf",
            Self::Eimsbuettel => "eimsbuettel",
            Self::HamburgMitte => "hamburg-mitte",
            Self::HamburgNord => "hamburg-nord",
            Self::Harburg => "harburg",
            Self::Wandsbek => "wandsbek",
            Self::Central => "zentral",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|office| office.slug() == slug)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_office_round_trips_through_its_slug() {
        for office in Office::ALL {
            assert_eq!(Office::from_slug(office.slug()), Some(office));
        }
        assert_eq!(Office::from_slug("Altona"), None);
    }
}

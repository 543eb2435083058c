//! The OZG maturity model a measure's levels follow. Since July 2025 the Reifegradmodell 2.0 is
//! in force (levels 0–7: 0 offline, 1–3 the online front end, 4–6 process orientation and data
//! centricity inside the administration, 7 fully digital end to end); measures entered before
//! keep their levels of model 1.1 (June 2020, levels 0–4), read as such, until someone enters
//! new ones. Each measure records which model its levels follow.

/// A version of the OZG maturity model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(type_name = "maturity_model")]
pub enum MaturityModel {
    /// Reifegradmodell 1.1 (2020), levels 0–4.
    #[sqlx(rename = "1.1")]
    V1_1,
    /// Reifegradmodell 2.0 (July 2025), levels 0–7.
    #[sqlx(rename = "2.0")]
    V2_0,
}

/// One level of a model: its number, a short name and what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Level {
    pub value: i16,
    pub name: &'static str,
    pub meaning: &'static str,
}

const LEVELS_1_1: [Level; 5] = [
    Level {
        value: 0,
        name: "Offline",
        meaning: "Auf der Website der Behörde gibt es keine Informationen zur Leistung.",
    },
    Level {
        value: 1,
        name: "Information",
        meaning: "Auf der Website der Behörde gibt es Informationen zur Leistung.",
    },
    Level {
        value: 2,
        name: "Formular-Assistent",
        meaning: "Ein Assistent hilft beim Ausfüllen des Formulars; online beantragen geht noch nicht.",
    },
    Level {
        value: 3,
        name: "Online-Leistung",
        meaning: "Die Leistung kann einschließlich aller Nachweise online beantragt werden.",
    },
    Level {
        value: 4,
        name: "Online-Transaktion",
        meaning: "Die Leistung wird vollständig digital abgewickelt; Nachweise nach dem Once-Only-Prinzip.",
    },
];

const LEVELS_2_0: [Level; 8] = [
    Level {
        value: 0,
        name: "Offline",
        meaning: "Die Leistung ist nur offline verfügbar.",
    },
    Level {
        value: 1,
        name: "Online-Antragsdienst, Stufe 1 von 3",
        meaning: "Frontend-Digitalisierung (Online-Antragsdienst), die erste von drei Stufen.",
    },
    Level {
        value: 2,
        name: "Online-Antragsdienst, Stufe 2 von 3",
        meaning: "Frontend-Digitalisierung (Online-Antragsdienst), die zweite von drei Stufen.",
    },
    Level {
        value: 3,
        name: "Online-Antragsdienst, Stufe 3 von 3",
        meaning: "Frontend-Digitalisierung (Online-Antragsdienst), die dritte von drei Stufen: die Anforderungen an den Online-Antragsdienst sind erfüllt.",
    },
    Level {
        value: 4,
        name: "Prozess und Daten, Stufe 1 von 3",
        meaning: "Prozessorientierung und Datenzentrierung in der Verwaltung, die erste von drei Stufen.",
    },
    Level {
        value: 5,
        name: "Prozess und Daten, Stufe 2 von 3",
        meaning: "Prozessorientierung und Datenzentrierung in der Verwaltung, die zweite von drei Stufen.",
    },
    Level {
        value: 6,
        name: "Prozess und Daten, Stufe 3 von 3",
        meaning: "Prozessorientierung und Datenzentrierung, die dritte von drei Stufen: durchgängig digital innerhalb der Verwaltung; setzt Basiskomponenten voraus (DeutschlandID, Organisationskonto, NOOTS, E-Akte, Zahlungssysteme).",
    },
    Level {
        value: 7,
        name: "Ende-zu-Ende digital",
        meaning: "Die Leistung wird vollständig Ende-zu-Ende digital abgewickelt.",
    },
];

impl MaturityModel {
    /// The model new levels are entered in.
    pub const CURRENT: Self = Self::V2_0;

    pub fn slug(self) -> &'static str {
        match self {
            Self::V1_1 => "1.1",
            Self::V2_0 => "2.0",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        [Self::V1_1, Self::V2_0]
            .into_iter()
            .find(|model| model.slug() == slug)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::V1_1 => "OZG-Reifegradmodell 1.1 (2020)",
            Self::V2_0 => "OZG-Reifegradmodell 2.0 (seit Juli 2025)",
        }
    }

    pub fn levels(self) -> &'static [Level] {
        match self {
            Self::V1_1 => &LEVELS_1_1,
            Self::V2_0 => &LEVELS_2_0,
        }
    }

    pub fn highest(self) -> i16 {
        self.levels().last().map_or(0, |level| level.value)
    }

    pub fn level(self, value: i16) -> Option<&'static Level> {
        self.levels().iter().find(|level| level.value == value)
    }

    /// "Stufe 3 – Online-Antragsdienst, Stufe 3 von 3 (Modell 2.0)", for pages and the history.
    pub fn describe(self, value: i16) -> String {
        match self.level(value) {
            Some(level) => format!(
                "Stufe {} – {} (Modell {})",
                level.value,
                level.name,
                self.slug()
            ),
            None => format!("Stufe {value} (Modell {})", self.slug()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_2_0_has_levels_0_to_7_and_1_1_levels_0_to_4() {
        assert_eq!(MaturityModel::V2_0.highest(), 7);
        assert_eq!(MaturityModel::V1_1.highest(), 4);
        for model in [MaturityModel::V1_1, MaturityModel::V2_0] {
            let values: Vec<i16> = model.levels().iter().map(|level| level.value).collect();
            assert_eq!(values, (0..=model.highest()).collect::<Vec<_>>());
            assert_eq!(MaturityModel::from_slug(model.slug()), Some(model));
        }
        assert_eq!(MaturityModel::CURRENT, MaturityModel::V2_0);
    }

    #[test]
    fn a_level_is_described_with_its_model() {
        assert_eq!(
            MaturityModel::V1_1.describe(4),
            "Stufe 4 – Online-Transaktion (Modell 1.1)"
        );
        assert_eq!(
            MaturityModel::V2_0.describe(7),
            "Stufe 7 – Ende-zu-Ende digital (Modell 2.0)"
        );
    }
}

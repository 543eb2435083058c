//! Implementation in the offices: the states an office's row can have, the rows and the
//! overall progress as people enter them (checked here, with German messages), who keeps which
//! row, and when a measure has rows at all.

use chrono::NaiveDate;

use super::history::Change;
use super::lifecycle::{Status, is_officer_for};
use super::office::Office;
use super::permissions::Actor;
use super::roles::Role;
use super::time::{day, parse_date};

/// The longest note of an office's row, and the longest milestone, in characters.
pub const NOTE_MAX: usize = 1000;
pub const MILESTONE_MAX: usize = 200;

/// What is wrong with a form: the field's key and a German message.
pub type Problem = (&'static str, &'static str);

/// An office's row: how far the measure is there, a note, and as of when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub office: Office,
    pub state: State,
    pub note: String,
    pub as_of: Option<NaiveDate>,
}

impl Row {
    /// Reads `office`'s row from the form's text; the error names the field ("stand",
    /// "notiz", "datum") and says in German what is wrong.
    pub fn parse(office: Office, state: &str, note: &str, as_of: &str) -> Result<Self, Problem> {
        let state = State::from_slug(state).ok_or(("stand", "Bitte wählen Sie einen Stand."))?;
        let note = note.trim();
        if note.chars().count() > NOTE_MAX {
            return Err(("notiz", "Die Notiz darf höchstens 1000 Zeichen lang sein."));
        }
        Ok(Self {
            office,
            state,
            note: note.to_owned(),
            as_of: parse_date(as_of).map_err(|message| ("datum", message))?,
        })
    }

    /// The row as the history names it: "in Umsetzung (01.03.2026): Pilot läuft"; no row yet
    /// is "noch offen".
    pub fn describe(row: Option<&Self>) -> String {
        let Some(row) = row else {
            return "noch offen".to_owned();
        };
        let date = row
            .as_of
            .map(|date| format!(" ({})", day(date)))
            .unwrap_or_default();
        let note = if row.note.is_empty() {
            String::new()
        } else {
            format!(": {}", row.note)
        };
        format!("{}{date}{note}", row.state.label())
    }

    /// The history's line for this row replacing `before`.
    pub fn change_from(&self, before: Option<&Self>) -> Change {
        Change {
            field: format!("Umsetzung {}", self.office.label()),
            before: Self::describe(before),
            after: Self::describe(Some(self)),
        }
    }
}

/// A milestone the lead office adds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMilestone {
    pub title: String,
    pub due_on: Option<NaiveDate>,
}

/// The overall progress in percent, and perhaps a new milestone, as the lead office enters them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressEntry {
    pub percent: i16,
    pub milestone: Option<NewMilestone>,
}

impl ProgressEntry {
    /// Reads the progress form ("40", "40 %"); the error names the field ("fortschritt",
    /// "meilenstein", "meilenstein-datum") and says in German what is wrong.
    pub fn parse(percent: &str, milestone: &str, due_on: &str) -> Result<Self, Problem> {
        let percent = percent
            .trim()
            .trim_end_matches('%')
            .trim()
            .parse::<i16>()
            .ok()
            .filter(|percent| (0..=100).contains(percent))
            .ok_or((
                "fortschritt",
                "Bitte geben Sie den Fortschritt als Zahl von 0 bis 100 an.",
            ))?;
        let due_on = parse_date(due_on).map_err(|message| ("meilenstein-datum", message))?;
        let title = milestone.trim();
        if title.chars().count() > MILESTONE_MAX {
            return Err((
                "meilenstein",
                "Ein Meilenstein darf höchstens 200 Zeichen lang sein.",
            ));
        }
        Ok(Self {
            percent,
            milestone: (!title.is_empty()).then(|| NewMilestone {
                title: title.to_owned(),
                due_on,
            }),
        })
    }

    /// The history's lines for this entry over a progress of `before` percent.
    pub fn changes(&self, before: i16) -> Vec<Change> {
        let mut changes = Vec::new();
        if before != self.percent {
            changes.push(Change {
                field: "Fortschritt".to_owned(),
                before: format!("{before} %"),
                after: format!("{} %", self.percent),
            });
        }
        if let Some(milestone) = &self.milestone {
            let due = milestone
                .due_on
                .map(|date| format!(" bis {}", day(date)))
                .unwrap_or_default();
            changes.push(Change {
                field: "Meilenstein".to_owned(),
                before: String::new(),
                after: format!("{}{due}", milestone.title),
            });
        }
        changes
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type, serde::Serialize, serde::Deserialize)]
#[sqlx(type_name = "implementation_state", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum State {
    NotRelevant,
    Planned,
    InProgress,
    Done,
}

impl State {
    pub const ALL: [Self; 4] = [
        Self::NotRelevant,
        Self::Planned,
        Self::InProgress,
        Self::Done,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::NotRelevant => "nicht relevant",
            Self::Planned => "geplant",
            Self::InProgress => "in Umsetzung",
            Self::Done => "umgesetzt",
        }
    }

    /// The label at the start of a line ("In Umsetzung").
    pub fn heading(self) -> &'static str {
        match self {
            Self::NotRelevant => "Nicht relevant",
            Self::Planned => "Geplant",
            Self::InProgress => "In Umsetzung",
            Self::Done => "Umgesetzt",
        }
    }

    /// A sign beside the label, so that the matrix can be scanned (never instead of it).
    pub fn symbol(self) -> &'static str {
        match self {
            Self::NotRelevant => "–",
            Self::Planned => "○",
            Self::InProgress => "◐",
            Self::Done => "✓",
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            Self::NotRelevant => "nicht-relevant",
            Self::Planned => "geplant",
            Self::InProgress => "in-umsetzung",
            Self::Done => "umgesetzt",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.slug() == slug)
    }
}

/// The seven district offices, whose rows the matrix shows.
pub const DISTRICT_OFFICES: [Office; 7] = [
    Office::Altona,
    Office::Bergedorf,
    Office::Eimsbuettel,
    Office::HamburgMitte,
    Office::HamburgNord,
    Office::Harburg,
    Office::Wandsbek,
];

/// Only accepted measures are implemented.
pub fn has_rows(status: Status) -> bool {
    matches!(
        status,
        Status::Accepted | Status::InProgress | Status::Implemented
    )
}

/// A district officer keeps their own office's row; the central officer may keep any.
pub fn may_keep_row(actor: &Actor, office: Office) -> bool {
    actor.has(Role::CentralOfficer) || (actor.has(Role::DistrictOfficer) && actor.office == office)
}

/// The overall progress and milestones belong to the lead office (and the central officer).
pub fn may_keep_progress(actor: &Actor, lead_office: Office) -> bool {
    is_officer_for(actor, lead_office)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::UserId;

    fn actor(roles: &[Role], office: Office) -> Actor {
        Actor {
            user_id: UserId::new(),
            office,
            roles: roles.to_vec(),
        }
    }

    #[test]
    fn a_row_is_read_from_the_form_and_named_in_words() {
        let row = Row::parse(
            Office::Altona,
            "in-umsetzung",
            "  Pilot läuft ",
            "01.03.2026",
        )
        .expect("valid");
        assert_eq!(row.note, "Pilot läuft");
        assert_eq!(
            row.change_from(None),
            Change {
                field: "Umsetzung Bezirksamt Altona".to_owned(),
                before: "noch offen".to_owned(),
                after: "in Umsetzung (01.03.2026): Pilot läuft".to_owned(),
            }
        );
        let long = "x".repeat(NOTE_MAX + 1);
        for (state, note, as_of, field) in [
            ("fertig", "", "", "stand"),
            ("geplant", long.as_str(), "", "notiz"),
            ("geplant", "", "31.02.2026", "datum"),
        ] {
            let problem = Row::parse(Office::Altona, state, note, as_of).map(drop);
            assert_eq!(problem.map_err(|(field, _)| field), Err(field));
        }
    }

    #[test]
    fn progress_is_a_percentage_and_a_milestone_is_optional() {
        let entry =
            ProgressEntry::parse(" 40 % ", "Pilot abgeschlossen", "2026-06-30").expect("valid");
        assert_eq!(entry.percent, 40);
        let changes = entry.changes(25);
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[0].after, "40 %");
        assert_eq!(changes[1].after, "Pilot abgeschlossen bis 30.06.2026");
        let same = ProgressEntry::parse("25", "", "").expect("valid");
        assert!(same.milestone.is_none());
        assert!(
            same.changes(25).is_empty(),
            "nothing changed, nothing recorded"
        );
        for percent in ["", "101", "-1", "vierzig"] {
            assert!(
                ProgressEntry::parse(percent, "", "").is_err(),
                "{percent:?}"
            );
        }
        assert!(ProgressEntry::parse("10", &"m".repeat(MILESTONE_MAX + 1), "").is_err());
    }

    #[test]
    fn each_district_officer_keeps_their_own_row() {
        let altona = actor(&[Role::DistrictOfficer], Office::Altona);
        assert!(may_keep_row(&altona, Office::Altona));
        assert!(!may_keep_row(&altona, Office::Wandsbek));
        assert!(may_keep_row(
            &actor(&[Role::CentralOfficer], Office::Central),
            Office::Wandsbek
        ));
        assert!(!may_keep_row(
            &actor(&[Role::Staff, Role::StrategyTeam], Office::Altona),
            Office::Altona
        ));
    }

    #[test]
    fn only_accepted_measures_have_rows() {
        for status in Status::ALL {
            let expected = matches!(
                status,
                Status::Accepted | Status::InProgress | Status::Implemented
            );
            assert_eq!(has_rows(status), expected, "{status:?}");
        }
    }

    #[test]
    fn progress_belongs_to_the_lead_office() {
        assert!(may_keep_progress(
            &actor(&[Role::DistrictOfficer], Office::Harburg),
            Office::Harburg
        ));
        assert!(!may_keep_progress(
            &actor(&[Role::DistrictOfficer], Office::Altona),
            Office::Harburg
        ));
    }

    #[test]
    fn every_state_has_its_own_slug() {
        for state in State::ALL {
            assert_eq!(State::from_slug(state.slug()), Some(state));
        }
    }
}

//! Prioritisation rounds and the assessments in them: who assesses, what each person may see of
//! the others' values when, and the forms' values as domain types (a round's name and deadline,
//! a rating, a final value, the freezing decision).

use chrono::NaiveDate;

use crate::domain::permissions::Actor;
use crate::domain::roles::Role;
use crate::domain::time;

/// Whether a round still takes assessments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(type_name = "round_status", rename_all = "snake_case")]
pub enum RoundStatus {
    Open,
    Frozen,
}

impl RoundStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "offen",
            Self::Frozen => "eingefroren",
        }
    }
}

/// A round's name: 1–200 characters after trimming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundName(String);

impl RoundName {
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        let text = text.trim();
        if text.is_empty() {
            return Err("Bitte geben Sie der Runde einen Namen, z. B. „Priorisierung 2027“.");
        }
        if text.chars().count() > 200 {
            return Err("Der Name hat höchstens 200 Zeichen.");
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The deadline of a new round: a date, not before `today`.
pub fn parse_deadline(text: &str, today: NaiveDate) -> Result<NaiveDate, &'static str> {
    match time::parse_date(text) {
        Ok(Some(date)) if date >= today => Ok(date),
        Ok(Some(_)) => Err("Die Frist liegt nicht in der Vergangenheit."),
        Ok(None) => Err("Bitte geben Sie eine Frist an."),
        Err(message) => Err(message),
    }
}

/// Whether `actor` assesses in rounds: every district officer (for their office) and the central
/// officer.
pub fn may_assess(actor: &Actor) -> bool {
    actor.has(Role::DistrictOfficer) || actor.has(Role::CentralOfficer)
}

/// What a person sees of the values of one measure in a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Sight {
    /// Nothing yet: an assessor who has not submitted their own (blind assessment; even the
    /// median would tell them what the others think).
    Hidden,
    /// The consolidated values, spread and score, never who gave which value.
    Consolidated,
    /// Also each office's value and reason.
    Individual,
}

/// What `actor` sees of a measure's values in a round with `status`, having (or not)
/// submitted their own assessment of it. Staff never see individual values; an assessor sees the
/// others' only after submitting their own, or once the round is frozen. The central officer,
/// who sets final values and freezes the round, also sees them once the deadline has passed.
pub fn sight(
    actor: &Actor,
    status: RoundStatus,
    submitted_own: bool,
    deadline_passed: bool,
) -> Sight {
    if !may_assess(actor) {
        return Sight::Consolidated;
    }
    let runs_the_round = actor.has(Role::CentralOfficer) && deadline_passed;
    match (status, submitted_own || runs_the_round) {
        (RoundStatus::Frozen, _) | (RoundStatus::Open, true) => Sight::Individual,
        (RoundStatus::Open, false) => Sight::Hidden,
    }
}

/// One rater's value of one criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rating {
    /// 0–10 points.
    Points(u8),
    /// "nicht beurteilbar": the rater cannot judge it; not counted in the median.
    NotAssessable,
}

impl Rating {
    /// What the form sends: "0" … "10" or "nb".
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        match text.trim() {
            "nb" => Ok(Self::NotAssessable),
            "" => Err("Bitte wählen Sie einen Wert oder „nicht beurteilbar“."),
            value => value
                .parse::<u8>()
                .ok()
                .filter(|points| *points <= 10)
                .map(Self::Points)
                .ok_or("Bitte wählen Sie einen Wert von 0 bis 10 oder „nicht beurteilbar“."),
        }
    }

    pub fn points(self) -> Option<u8> {
        match self {
            Self::Points(points) => Some(points),
            Self::NotAssessable => None,
        }
    }

    /// The form's value for it.
    pub fn slug(self) -> String {
        match self {
            Self::Points(points) => points.to_string(),
            Self::NotAssessable => "nb".to_owned(),
        }
    }

    pub fn from_points(points: Option<i16>) -> Self {
        points
            .and_then(|points| u8::try_from(points).ok())
            .filter(|points| *points <= 10)
            .map_or(Self::NotAssessable, Self::Points)
    }
}

/// A reason given with a value: at most 1,000 characters, may be empty.
pub fn parse_reason(text: &str) -> Result<String, &'static str> {
    let text = text.trim();
    if text.chars().count() > 1000 {
        return Err("Die Begründung hat höchstens 1.000 Zeichen.");
    }
    Ok(text.to_owned())
}

/// The reason a measure is required by law (an OZG deadline, a statute): 1–500 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegalObligation(String);

impl LegalObligation {
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        let text = text.trim();
        if text.is_empty() {
            return Err(
                "Bitte nennen Sie die gesetzliche Grundlage oder Frist, z. B. „OZG-Umsetzungsfrist 31.12.2026“.",
            );
        }
        if text.chars().count() > 500 {
            return Err("Die Begründung der Pflicht hat höchstens 500 Zeichen.");
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The central officer's final value of a criterion: points 0–10 and a reason, which it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinalValue {
    pub points: u8,
    pub reason: String,
}

impl FinalValue {
    pub fn parse(
        points: &str,
        reason: &str,
    ) -> Result<Self, (Option<&'static str>, Option<&'static str>)> {
        let points = match Rating::parse(points) {
            Ok(Rating::Points(points)) => Ok(points),
            Ok(Rating::NotAssessable) | Err(_) => {
                Err("Bitte wählen Sie einen Endwert von 0 bis 10.")
            }
        };
        let reason = match parse_reason(reason) {
            Ok(reason) if reason.is_empty() => Err("Ein Endwert braucht eine Begründung."),
            other => other,
        };
        match (points, reason) {
            (Ok(points), Ok(reason)) => Ok(Self { points, reason }),
            (points, reason) => Err((points.err(), reason.err())),
        }
    }
}

/// The decision that freezes a round: when, by which body, with a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub decided_on: NaiveDate,
    pub body: String,
    pub note: String,
}

/// A field of the freezing form and what is wrong with it.
pub type DecisionProblem = (&'static str, &'static str);

impl Decision {
    /// `decided_on` may not lie after `today`: a decision is recorded once taken.
    pub fn parse(
        decided_on: &str,
        body: &str,
        note: &str,
        today: NaiveDate,
    ) -> Result<Self, Vec<DecisionProblem>> {
        let mut problems = Vec::new();
        let date = match time::parse_date(decided_on) {
            Ok(Some(date)) if date <= today => Some(date),
            Ok(Some(_)) => {
                problems.push((
                    "beschlossen_am",
                    "Das Datum des Beschlusses liegt nicht in der Zukunft.",
                ));
                None
            }
            Ok(None) => {
                problems.push((
                    "beschlossen_am",
                    "Bitte geben Sie das Datum des Beschlusses an.",
                ));
                None
            }
            Err(message) => {
                problems.push(("beschlossen_am", message));
                None
            }
        };
        let body = body.trim();
        if body.is_empty() || body.chars().count() > 200 {
            problems.push((
                "gremium",
                "Bitte nennen Sie das Gremium, das beschlossen hat (höchstens 200 Zeichen).",
            ));
        }
        let note = note.trim();
        if note.chars().count() > 2000 {
            problems.push(("notiz", "Die Notiz hat höchstens 2.000 Zeichen."));
        }
        match date {
            Some(decided_on) if problems.is_empty() => Ok(Self {
                decided_on,
                body: body.to_owned(),
                note: note.to_owned(),
            }),
            _ => Err(problems),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::UserId;
    use crate::domain::office::Office;

    fn actor(roles: &[Role]) -> Actor {
        Actor {
            user_id: UserId::new(),
            office: Office::Altona,
            roles: roles.to_vec(),
        }
    }

    #[test]
    fn an_assessor_sees_the_others_values_only_after_submitting_their_own() {
        use RoundStatus::{Frozen, Open};
        use Sight::{Hidden, Individual};
        let officer = actor(&[Role::DistrictOfficer]);
        // (status, submitted own, deadline passed) → sight
        for (status, own, passed, seen) in [
            (Open, false, false, Hidden),
            (Open, false, true, Hidden),
            (Open, true, false, Individual),
            (Frozen, false, false, Individual),
        ] {
            assert_eq!(
                sight(&officer, status, own, passed),
                seen,
                "{status:?} {own} {passed}"
            );
        }
        let central = actor(&[Role::CentralOfficer]);
        assert_eq!(sight(&central, Open, false, false), Hidden);
        assert_eq!(
            sight(&central, Open, false, true),
            Individual,
            "after the deadline"
        );
    }

    #[test]
    fn staff_never_see_individual_values() {
        for role in [Role::Staff, Role::StrategyTeam, Role::Administrator] {
            let person = actor(&[role]);
            assert!(!may_assess(&person));
            for status in [RoundStatus::Open, RoundStatus::Frozen] {
                assert_eq!(
                    sight(&person, status, false, true),
                    Sight::Consolidated,
                    "{role:?}"
                );
            }
        }
    }

    #[test]
    fn a_rating_is_0_to_10_or_not_assessable() {
        assert_eq!(Rating::parse("0"), Ok(Rating::Points(0)));
        assert_eq!(Rating::parse("10"), Ok(Rating::Points(10)));
        assert_eq!(Rating::parse("nb"), Ok(Rating::NotAssessable));
        assert!(Rating::parse("11").is_err());
        assert!(Rating::parse("").is_err());
        assert!(Rating::parse("-1").is_err());
        assert_eq!(Rating::from_points(None), Rating::NotAssessable);
        assert_eq!(Rating::from_points(Some(7)).slug(), "7");
    }

    #[test]
    fn a_final_value_needs_points_and_a_reason() {
        assert_eq!(
            FinalValue::parse("8", " Beschluss der Lenkungsgruppe "),
            Ok(FinalValue {
                points: 8,
                reason: "Beschluss der Lenkungsgruppe".to_owned()
            })
        );
        let (points, reason) = FinalValue::parse("nb", "").expect_err("neither");
        assert!(points.is_some() && reason.is_some());
    }

    #[test]
    fn a_deadline_lies_ahead_and_a_decision_behind() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 2).expect("a date");
        assert!(parse_deadline("2026-12-01", today).is_err());
        assert_eq!(parse_deadline("2026-12-02", today), Ok(today));
        assert!(Decision::parse("2026-12-03", "Lenkungsgruppe", "", today).is_err());
        let problems = Decision::parse("", " ", "", today).expect_err("empty");
        let fields: Vec<&str> = problems.iter().map(|(field, _)| *field).collect();
        assert_eq!(fields, ["beschlossen_am", "gremium"]);
        assert!(Decision::parse("2026-12-02", "Bezirksamtsleitungen", "", today).is_ok());
    }
}

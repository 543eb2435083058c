//! A measure's content as people enter it, and the rules it must follow. Parsing turns the
//! form's text into checked values or into German messages per field; the text itself is kept
//! so a refused form shows exactly what was typed.

use chrono::NaiveDate;

use super::ids::GoalId;
use super::office::Office;

mod fields;
mod maturity;

pub use fields::{DATE_HINT, parse_date};
use fields::{date, text, whole_number};
pub use maturity::{Level, MaturityModel};

/// Where a measure comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "measure_source", rename_all = "snake_case")]
pub enum Source {
    StrategyWorkshop,
    PrimaList,
    SpecialistAuthority,
    StaffProposal,
}

impl Source {
    pub const ALL: [Self; 4] = [
        Self::StrategyWorkshop,
        Self::PrimaList,
        Self::SpecialistAuthority,
        Self::StaffProposal,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::StrategyWorkshop => "Workshop zur Digitalstrategie",
            Self::PrimaList => "Bestehende PriMa-Liste",
            Self::SpecialistAuthority => "Strategie einer Fachbehörde",
            Self::StaffProposal => "Vorschlag aus der Belegschaft",
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            Self::StrategyWorkshop => "workshop",
            Self::PrimaList => "prima-liste",
            Self::SpecialistAuthority => "fachbehoerde",
            Self::StaffProposal => "vorschlag",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|source| source.slug() == slug)
    }
}

pub const TITLE_MAX: usize = 200;
pub const SUMMARY_MAX: usize = 500;
pub const TEXT_MAX: usize = 20_000;

/// The form as typed, every field as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MeasureInput {
    pub title: String,
    pub summary: String,
    pub description: String,
    pub expected_benefit: String,
    pub goals: Vec<String>,
    pub lead_office: String,
    pub participating_offices: Vec<String>,
    pub responsible_unit: String,
    pub contact_person: String,
    pub source: String,
    pub effort_person_days: String,
    pub cost_euros: String,
    pub planned_start: String,
    pub planned_end: String,
    pub quick_win: bool,
    pub depends_on: String,
    pub tags: String,
    pub ozg_id: String,
    pub leika_key: String,
    pub maturity_now: String,
    pub maturity_target: String,
    /// The model the form offered the levels in (`MaturityModel::slug`).
    pub maturity_model: String,
}

impl MeasureInput {
    /// Reads the form's pairs; fields it does not know (such as a status) are ignored, so nobody
    /// can set what the form does not offer.
    pub fn from_pairs(pairs: &[(String, String)]) -> Self {
        let mut input = Self::default();
        for (key, value) in pairs {
            let value = value.clone();
            match key.as_str() {
                "title" => input.title = value,
                "summary" => input.summary = value,
                "description" => input.description = value,
                "expected_benefit" => input.expected_benefit = value,
                "goals" => input.goals.push(value),
                "lead_office" => input.lead_office = value,
                "participating_offices" => input.participating_offices.push(value),
                "responsible_unit" => input.responsible_unit = value,
                "contact_person" => input.contact_person = value,
                "source" => input.source = value,
                "effort_person_days" => input.effort_person_days = value,
                "cost_euros" => input.cost_euros = value,
                "planned_start" => input.planned_start = value,
                "planned_end" => input.planned_end = value,
                "quick_win" => input.quick_win = value == "ja",
                "depends_on" => input.depends_on = value,
                "tags" => input.tags = value,
                "ozg_id" => input.ozg_id = value,
                "leika_key" => input.leika_key = value,
                "maturity_now" => input.maturity_now = value,
                "maturity_target" => input.maturity_target = value,
                "maturity_model" => input.maturity_model = value,
                _ => {}
            }
        }
        input
    }

    /// The fields as the form sends them: [`Self::from_pairs`] reads them back unchanged.
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let single = [
            ("title", &self.title),
            ("summary", &self.summary),
            ("description", &self.description),
            ("expected_benefit", &self.expected_benefit),
            ("lead_office", &self.lead_office),
            ("responsible_unit", &self.responsible_unit),
            ("contact_person", &self.contact_person),
            ("source", &self.source),
            ("effort_person_days", &self.effort_person_days),
            ("cost_euros", &self.cost_euros),
            ("planned_start", &self.planned_start),
            ("planned_end", &self.planned_end),
            ("depends_on", &self.depends_on),
            ("tags", &self.tags),
            ("ozg_id", &self.ozg_id),
            ("leika_key", &self.leika_key),
            ("maturity_now", &self.maturity_now),
            ("maturity_target", &self.maturity_target),
            ("maturity_model", &self.maturity_model),
        ];
        let mut pairs: Vec<(String, String)> = single
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value.clone()))
            .collect();
        pairs.extend(self.goals.iter().map(|id| ("goals".to_owned(), id.clone())));
        pairs.extend(
            self.participating_offices
                .iter()
                .map(|slug| ("participating_offices".to_owned(), slug.clone())),
        );
        if self.quick_win {
            pairs.push(("quick_win".to_owned(), "ja".to_owned()));
        }
        pairs
    }

    pub fn has_goal(&self, id: &GoalId) -> bool {
        let id = id.to_string();
        self.goals.contains(&id)
    }

    pub fn has_participating(&self, office: &Office) -> bool {
        self.participating_offices
            .iter()
            .any(|slug| slug == office.slug())
    }
}

/// The optional link to a service of the Online Access Act (OZG).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OzgLink {
    pub ozg_id: String,
    /// The 14-digit key of the service catalogue (LeiKa).
    pub leika_key: Option<String>,
    /// Maturity now and aimed at, on the scale of `maturity_model`.
    pub maturity_now: Option<i16>,
    pub maturity_target: Option<i16>,
    /// The model the levels follow; set exactly when a level is.
    pub maturity_model: Option<MaturityModel>,
}

/// A measure's checked content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasureData {
    pub title: String,
    pub summary: String,
    pub description: String,
    pub expected_benefit: String,
    pub goals: Vec<GoalId>,
    pub lead_office: Office,
    pub participating_offices: Vec<Office>,
    pub responsible_unit: String,
    pub contact_person: String,
    pub source: Source,
    pub effort_person_days: Option<i32>,
    pub cost_euros: Option<i64>,
    pub planned_start: Option<NaiveDate>,
    pub planned_end: Option<NaiveDate>,
    pub quick_win: bool,
    /// The numbers ("M-12" → 12) of the measures this one needs first.
    pub depends_on: Vec<i64>,
    pub tags: Vec<String>,
    pub ozg: Option<OzgLink>,
}

/// A field and what is wrong with it.
pub type FieldProblem = (&'static str, String);

/// A measure's number as people write it: "M-12", "m12" or "12".
pub fn parse_number(text: &str) -> Option<i64> {
    let digits = text
        .trim()
        .trim_start_matches(['M', 'm'])
        .trim_start_matches('-');
    digits.parse::<i64>().ok().filter(|number| *number > 0)
}

/// Checks the input. `known_goals` are the goals of the strategy in force; `recorded_model` is
/// the maturity model of the levels stored so far (an edit of a measure entered under 1.1 may
/// keep them; new levels follow the model in force).
pub fn parse(
    input: &MeasureInput,
    known_goals: &[GoalId],
    recorded_model: Option<MaturityModel>,
) -> Result<MeasureData, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let title = text(&input.title, "title", TITLE_MAX, "Der Titel", &mut problems);
    if title.is_empty() {
        problems.push(("title", "Bitte geben Sie einen Titel ein.".to_owned()));
    }
    let summary = text(
        &input.summary,
        "summary",
        SUMMARY_MAX,
        "Die Kurzbeschreibung",
        &mut problems,
    );
    let description = text(
        &input.description,
        "description",
        TEXT_MAX,
        "Die Beschreibung",
        &mut problems,
    );
    let expected_benefit = text(
        &input.expected_benefit,
        "expected_benefit",
        TEXT_MAX,
        "Der erwartete Nutzen",
        &mut problems,
    );
    let responsible_unit = text(
        &input.responsible_unit,
        "responsible_unit",
        200,
        "Die verantwortliche Stelle",
        &mut problems,
    );
    let contact_person = text(
        &input.contact_person,
        "contact_person",
        200,
        "Die Ansprechperson",
        &mut problems,
    );

    let mut goals = Vec::new();
    for raw in &input.goals {
        match raw.parse::<GoalId>() {
            Ok(id) if known_goals.contains(&id) => {
                if !goals.contains(&id) {
                    goals.push(id);
                }
            }
            _ => problems.push(("goals", "Bitte wählen Sie Ziele aus der Liste.".to_owned())),
        }
    }
    let lead_office = Office::from_slug(&input.lead_office);
    if lead_office.is_none() {
        problems.push((
            "lead_office",
            "Bitte wählen Sie das federführende Bezirksamt.".to_owned(),
        ));
    }
    let mut participating_offices = Vec::new();
    for slug in &input.participating_offices {
        match Office::from_slug(slug) {
            Some(office)
                if Some(office) != lead_office && !participating_offices.contains(&office) =>
            {
                participating_offices.push(office)
            }
            Some(_) => {}
            None => problems.push((
                "participating_offices",
                "Bitte wählen Sie Bezirksämter aus der Liste.".to_owned(),
            )),
        }
    }
    let source = Source::from_slug(&input.source);
    if source.is_none() {
        problems.push((
            "source",
            "Bitte wählen Sie, woher die Maßnahme stammt.".to_owned(),
        ));
    }
    let effort_person_days = whole_number(
        &input.effort_person_days,
        "effort_person_days",
        "den Aufwand in Personentagen",
        &mut problems,
    )
    .and_then(|days| match i32::try_from(days) {
        Ok(days) => Some(days),
        Err(_) => {
            problems.push(("effort_person_days", "Der Aufwand ist zu groß.".to_owned()));
            None
        }
    });
    let cost_euros = whole_number(
        &input.cost_euros,
        "cost_euros",
        "die Kosten in Euro",
        &mut problems,
    );
    let planned_start = date(&input.planned_start, "planned_start", &mut problems);
    let planned_end = date(&input.planned_end, "planned_end", &mut problems);
    if let (Some(start), Some(end)) = (planned_start, planned_end)
        && end < start
    {
        problems.push((
            "planned_end",
            "Das geplante Ende liegt vor dem geplanten Beginn.".to_owned(),
        ));
    }

    let mut depends_on = Vec::new();
    for part in input
        .depends_on
        .split([',', ';', ' '])
        .map(str::trim)
        .filter(|part| !part.is_empty())
    {
        match parse_number(part) {
            Some(number) => {
                if !depends_on.contains(&number) {
                    depends_on.push(number);
                }
            }
            None => {
                problems.push(("depends_on", format!("„{part}“ ist keine Maßnahmennummer. Bitte geben Sie Nummern wie M-12 an, durch Kommas getrennt.")));
                break;
            }
        }
    }

    let tags = fields::tags(&input.tags, &mut problems);
    let ozg = fields::ozg(input, recorded_model, &mut problems);

    if !problems.is_empty() {
        return Err(problems);
    }
    let (Some(lead_office), Some(source)) = (lead_office, source) else {
        return Err(problems);
    };
    Ok(MeasureData {
        title,
        summary,
        description,
        expected_benefit,
        goals,
        lead_office,
        participating_offices,
        responsible_unit,
        contact_person,
        source,
        effort_person_days,
        cost_euros,
        planned_start,
        planned_end,
        quick_win: input.quick_win,
        depends_on,
        tags,
        ozg,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> MeasureInput {
        MeasureInput {
            title: "Online-Terminbuchung".into(),
            lead_office: "altona".into(),
            source: "vorschlag".into(),
            ..MeasureInput::default()
        }
    }

    fn fields(result: Result<MeasureData, Vec<FieldProblem>>) -> Vec<&'static str> {
        result
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|(field, _)| field)
            .collect()
    }

    #[test]
    fn the_form_pairs_read_back_as_the_same_input() {
        let input = MeasureInput {
            summary: "Termine & mehr".into(),
            goals: vec!["g1".into(), "g2".into()],
            participating_offices: vec!["wandsbek".into()],
            quick_win: true,
            cost_euros: "4500".into(),
            maturity_model: "reifegrad-2".into(),
            ..valid()
        };
        assert_eq!(MeasureInput::from_pairs(&input.to_pairs()), input);
        let plain = valid();
        assert_eq!(MeasureInput::from_pairs(&plain.to_pairs()), plain);
    }

    #[test]
    fn a_minimal_measure_parses() {
        let data = parse(&valid(), &[], None).expect("valid");
        assert_eq!(data.title, "Online-Terminbuchung");
        assert_eq!(data.lead_office, Office::Altona);
        assert_eq!(data.ozg, None);
    }

    #[test]
    fn the_title_is_required_and_at_most_200_characters() {
        assert_eq!(
            fields(parse(
                &MeasureInput {
                    title: "  ".into(),
                    ..valid()
                },
                &[],
                None,
            )),
            ["title"]
        );
        assert_eq!(
            fields(parse(
                &MeasureInput {
                    title: "ä".repeat(201),
                    ..valid()
                },
                &[],
                None,
            )),
            ["title"]
        );
        assert!(
            parse(
                &MeasureInput {
                    title: "ä".repeat(200),
                    ..valid()
                },
                &[],
                None,
            )
            .is_ok()
        );
        assert_eq!(
            fields(parse(
                &MeasureInput {
                    summary: "x".repeat(501),
                    ..valid()
                },
                &[],
                None,
            )),
            ["summary"]
        );
    }

    #[test]
    fn numbers_dates_and_dependencies_are_read_as_written_here() {
        let input = MeasureInput {
            effort_person_days: "40".into(),
            cost_euros: "12.500".into(),
            planned_start: "01.03.2027".into(),
            planned_end: "2027-12-31".into(),
            depends_on: "M-12, m-7 M-12".into(),
            tags: "Termine, OZG, termine".into(),
            ..valid()
        };
        let data = parse(&input, &[], None).expect("valid");
        assert_eq!(data.cost_euros, Some(12_500));
        assert_eq!(data.planned_start, NaiveDate::from_ymd_opt(2027, 3, 1));
        assert_eq!(data.depends_on, [12, 7]);
        assert_eq!(data.tags, ["termine", "ozg"]);
        let bad = MeasureInput {
            cost_euros: "12,50".into(),
            planned_end: "01.01.2027".into(),
            planned_start: "02.01.2027".into(),
            ..valid()
        };
        assert_eq!(
            fields(parse(&bad, &[], None)),
            ["cost_euros", "planned_end"]
        );
    }

    #[test]
    fn the_leika_key_has_14_digits_and_maturity_goes_from_0_to_7() {
        let ok = MeasureInput {
            ozg_id: "10061".into(),
            leika_key: "99050012104000".into(),
            maturity_now: "1".into(),
            maturity_target: "3".into(),
            ..valid()
        };
        let data = parse(&ok, &[], None).expect("valid");
        assert_eq!(
            data.ozg.and_then(|ozg| ozg.leika_key).as_deref(),
            Some("99050012104000")
        );
        for (leika, now, target, expected) in [
            ("9905001210400", "1", "3", vec!["leika_key"]),
            ("9905001210400a", "1", "3", vec!["leika_key"]),
            ("99050012104000", "8", "3", vec!["maturity_now"]),
            ("99050012104000", "3", "1", vec!["maturity_target"]),
        ] {
            let input = MeasureInput {
                leika_key: leika.into(),
                maturity_now: now.into(),
                maturity_target: target.into(),
                ..ok.clone()
            };
            assert_eq!(
                fields(parse(&input, &[], None)),
                expected,
                "{leika} {now} {target}"
            );
        }
        let without_id = MeasureInput {
            ozg_id: String::new(),
            ..ok
        };
        assert_eq!(fields(parse(&without_id, &[], None)), ["ozg_id"]);
    }

    #[test]
    fn new_levels_follow_model_2_0_and_levels_of_1_1_stay_only_where_recorded() {
        let levels = |now: &str, target: &str, model: &str| MeasureInput {
            ozg_id: "10061".into(),
            maturity_now: now.into(),
            maturity_target: target.into(),
            maturity_model: model.into(),
            ..valid()
        };
        let model_of = |input: &MeasureInput, recorded| {
            parse(input, &[], recorded)
                .expect("valid")
                .ozg
                .and_then(|ozg| ozg.maturity_model)
        };
        // New entries: 2.0, levels up to 7.
        assert_eq!(
            model_of(&levels("5", "7", ""), None),
            Some(MaturityModel::V2_0)
        );
        assert_eq!(
            model_of(&levels("5", "7", "2.0"), None),
            Some(MaturityModel::V2_0)
        );
        // No level, no model.
        assert_eq!(model_of(&levels("", "", "2.0"), None), None);
        // A measure recorded under 1.1 keeps its model, and 1.1's range.
        let recorded = Some(MaturityModel::V1_1);
        assert_eq!(
            model_of(&levels("2", "4", "1.1"), recorded),
            Some(MaturityModel::V1_1)
        );
        assert_eq!(
            fields(parse(&levels("2", "5", "1.1"), &[], recorded)),
            ["maturity_target"]
        );
        // Emptied, it has no model: the next levels are 2.0's.
        assert_eq!(model_of(&levels("", "", "1.1"), recorded), None);
        // Nobody starts a new measure in 1.1.
        assert_eq!(
            fields(parse(&levels("2", "4", "1.1"), &[], None)),
            ["maturity_now"]
        );
        assert_eq!(
            fields(parse(&levels("2", "4", "3.0"), &[], None)),
            ["maturity_now"]
        );
    }

    #[test]
    fn only_known_goals_count() {
        let goal = GoalId::new();
        let input = MeasureInput {
            goals: vec![goal.to_string(), goal.to_string()],
            ..valid()
        };
        assert_eq!(parse(&input, &[goal], None).expect("valid").goals, [goal]);
        assert_eq!(fields(parse(&input, &[], None)), ["goals", "goals"]);
    }

    #[test]
    fn unknown_form_fields_are_ignored() {
        let pairs = vec![
            ("title".to_owned(), "X".to_owned()),
            ("status".to_owned(), "accepted".to_owned()),
        ];
        assert_eq!(MeasureInput::from_pairs(&pairs).title, "X");
    }
}

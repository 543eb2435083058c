//! Reading single fields of the measure form: texts, numbers, dates, tags and the OZG link,
//! each with its German message next to the field when it cannot be read.

use chrono::NaiveDate;

pub use crate::domain::time::{DATE_HINT, parse_date};

use super::{FieldProblem, MaturityModel, MeasureInput, OzgLink};

/// A text, trimmed and with Unix line ends, at most `max` characters.
pub(super) fn text(
    value: &str,
    field: &'static str,
    max: usize,
    label: &str,
    problems: &mut Vec<FieldProblem>,
) -> String {
    let value = value.trim().replace("\r\n", "\n");
    if value.chars().count() > max {
        problems.push((
            field,
            format!(
                "{label} darf höchstens {max} Zeichen lang sein (jetzt {}).",
                value.chars().count()
            ),
        ));
    }
    value
}

/// A whole number of at least 0 as people write it ("1.500"); empty is none.
pub(super) fn whole_number(
    value: &str,
    field: &'static str,
    what: &str,
    problems: &mut Vec<FieldProblem>,
) -> Option<i64> {
    // "1.500" and "1 500" are how numbers are written here.
    let cleaned: String = value
        .trim()
        .chars()
        .filter(|c| !matches!(c, '.' | ' ' | '\u{a0}'))
        .collect();
    if cleaned.is_empty() {
        return None;
    }
    match cleaned.parse::<i64>() {
        Ok(number) if number >= 0 => Some(number),
        _ => {
            problems.push((field, format!("Bitte geben Sie {what} als ganze Zahl ohne Nachkommastellen an, zum Beispiel 1500.")));
            None
        }
    }
}

/// A date (see `parse_date`), with its message next to `field`.
pub(super) fn date(
    value: &str,
    field: &'static str,
    problems: &mut Vec<FieldProblem>,
) -> Option<NaiveDate> {
    parse_date(value).unwrap_or_else(|message| {
        problems.push((field, message.to_owned()));
        None
    })
}

/// A level of `model`; empty is none.
fn maturity(
    value: &str,
    model: MaturityModel,
    field: &'static str,
    problems: &mut Vec<FieldProblem>,
) -> Option<i16> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    match value.parse::<i16>() {
        Ok(level) if (0..=model.highest()).contains(&level) => Some(level),
        _ => {
            problems.push((
                field,
                format!(
                    "Der Reifegrad liegt zwischen 0 und {} ({}).",
                    model.highest(),
                    model.label()
                ),
            ));
            None
        }
    }
}

/// The model the form's levels follow: the one in force, or 1.1 for a measure whose levels were
/// recorded under 1.1 and are kept.
fn maturity_model(
    input: &MeasureInput,
    recorded: Option<MaturityModel>,
    problems: &mut Vec<FieldProblem>,
) -> MaturityModel {
    match MaturityModel::from_slug(input.maturity_model.trim()) {
        Some(MaturityModel::V1_1) if recorded == Some(MaturityModel::V1_1) => MaturityModel::V1_1,
        None if input.maturity_model.trim().is_empty() => MaturityModel::CURRENT,
        Some(MaturityModel::V2_0) => MaturityModel::V2_0,
        _ => {
            problems.push((
                "maturity_now",
                format!(
                    "Neue Reifegrade folgen dem {}. Bitte wählen Sie die Stufen neu.",
                    MaturityModel::CURRENT.label()
                ),
            ));
            MaturityModel::CURRENT
        }
    }
}

/// The tags, comma-separated: trimmed, lower case, each once.
pub(super) fn tags(value: &str, problems: &mut Vec<FieldProblem>) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for tag in value
        .split(',')
        .map(str::trim)
        .filter(|tag| !tag.is_empty())
    {
        if tag.chars().count() > 40 {
            problems.push((
                "tags",
                "Ein Schlagwort darf höchstens 40 Zeichen lang sein.".to_owned(),
            ));
            break;
        }
        let tag = tag.to_lowercase();
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    if tags.len() > 20 {
        problems.push(("tags", "Bitte höchstens 20 Schlagwörter.".to_owned()));
    }
    tags
}

/// The link to an OZG service, if an OZG id is given; LeiKa key and maturity need one.
pub(super) fn ozg(
    input: &MeasureInput,
    recorded_model: Option<MaturityModel>,
    problems: &mut Vec<FieldProblem>,
) -> Option<OzgLink> {
    let ozg_id = input.ozg_id.trim();
    let leika = input.leika_key.trim().replace(' ', "");
    let model = maturity_model(input, recorded_model, problems);
    let now = maturity(&input.maturity_now, model, "maturity_now", problems);
    let target = maturity(&input.maturity_target, model, "maturity_target", problems);
    let leika_valid = leika.len() == 14 && leika.bytes().all(|byte| byte.is_ascii_digit());
    if !leika.is_empty() && !leika_valid {
        problems.push((
            "leika_key",
            "Der LeiKa-Schlüssel hat genau 14 Ziffern.".to_owned(),
        ));
    }
    if let (Some(now), Some(target)) = (now, target)
        && target < now
    {
        problems.push((
            "maturity_target",
            "Der Ziel-Reifegrad darf nicht unter dem heutigen liegen.".to_owned(),
        ));
    }
    let any_ozg = !leika.is_empty() || now.is_some() || target.is_some();
    if ozg_id.is_empty() && any_ozg {
        problems.push((
            "ozg_id",
            "Bitte geben Sie die OZG-Kennung der Leistung an.".to_owned(),
        ));
    }
    if ozg_id.chars().count() > 50 {
        problems.push((
            "ozg_id",
            "Die OZG-Kennung darf höchstens 50 Zeichen lang sein.".to_owned(),
        ));
    }
    (!ozg_id.is_empty()).then(|| OzgLink {
        ozg_id: ozg_id.to_owned(),
        leika_key: (!leika.is_empty()).then_some(leika),
        maturity_now: now,
        maturity_target: target,
        maturity_model: (now.is_some() || target.is_some()).then_some(model),
    })
}

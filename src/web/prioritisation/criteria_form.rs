//! Writing a new version of the criteria catalogue: the form starts from the version in force,
//! keeps what was typed when something is wrong (422, each message next to its field), and
//! refuses to overwrite a version someone else wrote meanwhile (409, input kept).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::criteria_shell;
use crate::db;
use crate::db::criteria::{Catalogue, Written};
use crate::domain::prioritisation::criteria::{
    self, ANCHOR_POINTS, CriterionGroup, CriterionSpec, MAX_CRITERIA, Part, Place,
};
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::forms::{self, Choice, FormErrors};
use crate::web::layout::Shell;
use crate::web::visitor::{CurrentUser, Visitor};

/// One criterion of the form as typed.
#[derive(Debug, Clone, Default)]
pub struct CriterionInput {
    pub name: String,
    pub explanation: String,
    pub group: String,
    pub weight: String,
    pub anchors: [String; 6],
    /// Ticked "remove": left out of the new version.
    pub remove: bool,
}

impl CriterionInput {
    fn from_spec(spec: &CriterionSpec) -> Self {
        Self {
            name: spec.name.clone(),
            explanation: spec.explanation.clone(),
            group: group_slug(spec.group).to_owned(),
            weight: spec.weight.to_string(),
            anchors: spec.anchors.clone(),
            remove: false,
        }
    }

    /// A slot nobody typed into: the empty criterion at the end of the form is optional.
    pub fn is_blank(&self) -> bool {
        self.name.trim().is_empty()
            && self.explanation.trim().is_empty()
            && self.weight.trim().is_empty()
            && self.anchors.iter().all(|anchor| anchor.trim().is_empty())
    }
}

fn group_slug(group: CriterionGroup) -> &'static str {
    match group {
        CriterionGroup::Benefit => "nutzen",
        CriterionGroup::Cost => "kosten",
    }
}

/// The whole form as typed.
#[derive(Debug, Clone, Default)]
pub struct CatalogueInput {
    pub note: String,
    /// The version the form was filled from.
    pub based_on: i32,
    pub criteria: Vec<CriterionInput>,
}

impl CatalogueInput {
    fn from_catalogue(catalogue: &Catalogue) -> Self {
        let mut input = Self {
            note: String::new(),
            based_on: catalogue.version,
            criteria: catalogue
                .criteria
                .iter()
                .map(CriterionInput::from_spec)
                .collect(),
        };
        input.offer_an_empty_slot();
        input
    }

    /// Reads the fields `k{i}-name`, `k{i}-gewicht`, `k{i}-anker-{j}` … of criterion i; indexes
    /// beyond what a catalogue may hold are ignored, so a crafted form cannot make the server
    /// build a huge list.
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut input = Self::default();
        for (key, value) in pairs {
            match key.as_str() {
                "notiz" => input.note = value,
                "basis" => input.based_on = value.trim().parse().unwrap_or_default(),
                _ => {
                    let Some((index, part)) = key
                        .strip_prefix('k')
                        .and_then(|rest| rest.split_once('-'))
                        .and_then(|(index, part)| Some((index.parse::<usize>().ok()?, part)))
                    else {
                        continue;
                    };
                    if index > MAX_CRITERIA {
                        continue;
                    }
                    if input.criteria.len() <= index {
                        input
                            .criteria
                            .resize_with(index + 1, CriterionInput::default);
                    }
                    let criterion = &mut input.criteria[index];
                    match part {
                        "name" => criterion.name = value,
                        "erlaeuterung" => criterion.explanation = value,
                        "gruppe" => criterion.group = value,
                        "gewicht" => criterion.weight = value,
                        "entfernen" => criterion.remove = true,
                        _ => {
                            if let Some(anchor) = part
                                .strip_prefix("anker-")
                                .and_then(|j| j.parse::<usize>().ok())
                                .filter(|j| *j < ANCHOR_POINTS.len())
                            {
                                criterion.anchors[anchor] = value;
                            }
                        }
                    }
                }
            }
        }
        input
    }

    /// The criteria's fields as the form sends them ([`Self::from_pairs`] reads them back), for
    /// a three-way merge; the note is this person's own and not merged.
    fn criteria_pairs(&self) -> forms::Pairs {
        let mut pairs = Vec::new();
        for (index, criterion) in self.criteria.iter().enumerate() {
            if criterion.is_blank() && !criterion.remove {
                continue;
            }
            let k = format!("k{index}");
            pairs.push((format!("{k}-name"), criterion.name.clone()));
            pairs.push((format!("{k}-erlaeuterung"), criterion.explanation.clone()));
            pairs.push((format!("{k}-gruppe"), criterion.group.clone()));
            pairs.push((format!("{k}-gewicht"), criterion.weight.clone()));
            for (j, anchor) in criterion.anchors.iter().enumerate() {
                pairs.push((format!("{k}-anker-{j}"), anchor.clone()));
            }
            if criterion.remove {
                pairs.push((format!("{k}-entfernen"), "ja".to_owned()));
            }
        }
        pairs
    }

    /// An empty criterion at the end, to add one without a script.
    fn offer_an_empty_slot(&mut self) {
        let has_blank = self.criteria.last().is_some_and(CriterionInput::is_blank);
        if !has_blank && self.criteria.len() <= MAX_CRITERIA {
            self.criteria.push(CriterionInput::default());
        }
    }

    /// The criteria of the new version, or the errors by field id.
    fn parse(&self) -> Result<Vec<CriterionSpec>, FormErrors> {
        let mut errors = FormErrors::new();
        // Positions in the form of the criteria that go into the version.
        let mut kept = Vec::new();
        let mut specs = Vec::new();
        for (index, input) in self.criteria.iter().enumerate() {
            if input.remove || input.is_blank() {
                continue;
            }
            let group = match input.group.as_str() {
                "nutzen" => CriterionGroup::Benefit,
                "kosten" => CriterionGroup::Cost,
                _ => {
                    errors.add(
                        format!("k{index}-gruppe"),
                        "Bitte wählen Sie, ob das Kriterium Nutzen oder Kosten misst.",
                    );
                    CriterionGroup::Benefit
                }
            };
            let weight = match input.weight.trim().parse::<u8>() {
                Ok(weight) if weight <= 100 => weight,
                _ => {
                    errors.add(
                        format!("k{index}-gewicht"),
                        "Bitte geben Sie das Gewicht als ganze Zahl von 0 bis 100 an.",
                    );
                    0
                }
            };
            kept.push(index);
            specs.push(CriterionSpec {
                name: input.name.trim().to_owned(),
                explanation: input.explanation.trim().to_owned(),
                group,
                weight,
                anchors: input.anchors.clone(),
            });
        }
        if let Err(problems) = criteria::check(&specs) {
            for problem in problems {
                let field = match problem.place {
                    Place::Weights => "gewichte".to_owned(),
                    Place::Criterion(at, part) => {
                        let index = kept[at];
                        match part {
                            Part::Name => format!("k{index}-name"),
                            Part::Anchor(anchor) => format!("k{index}-anker-{anchor}"),
                            Part::Weight => format!("k{index}-gewicht"),
                        }
                    }
                };
                // A weight that did not parse already has its message.
                if errors.for_field(&field).is_none() {
                    errors.add(field, problem.message);
                }
            }
        }
        if self.note.chars().count() > 1000 {
            errors.add("notiz", "Die Notiz hat höchstens 1.000 Zeichen.");
        }
        if errors.is_empty() {
            Ok(specs)
        } else {
            Err(errors)
        }
    }

    /// The weights as typed, added up where they are numbers: shown beside the weights.
    pub fn typed_total(&self) -> u32 {
        self.criteria
            .iter()
            .filter(|criterion| !criterion.remove)
            .filter_map(|criterion| criterion.weight.trim().parse::<u32>().ok())
            .sum()
    }
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "prioritisation/criteria_form.html")]
pub struct CriteriaFormPage {
    pub shell: Shell,
    pub input: CatalogueInput,
    pub errors: FormErrors,
    pub groups: Vec<Choice>,
    pub points: [u8; 6],
    /// After a 409: the version someone else wrote meanwhile.
    pub newer: Option<Catalogue>,
}

impl CriteriaFormPage {
    fn new(visitor: Visitor, input: CatalogueInput, errors: FormErrors) -> Self {
        Self {
            shell: criteria_shell(visitor, "Neue Version des Kriterienkatalogs"),
            input,
            errors,
            groups: vec![
                Choice::new("nutzen", "Nutzen (mehr Punkte sind besser)"),
                Choice::new("kosten", "Kosten (mehr Punkte sind schlechter)"),
            ],
            points: ANCHOR_POINTS,
            newer: None,
        }
    }

    /// The error of field `id` (ids are built in the template).
    pub fn error(&self, id: impl AsRef<str>) -> Option<&str> {
        self.errors.for_field(id.as_ref())
    }

    /// "4 Punkte": the label of anchor text `j`.
    pub fn anchor_label(&self, j: &usize) -> String {
        format!("{} Punkte", self.points[*j])
    }

    /// Whether criterion `index` has an error among its anchor texts (its anchors open).
    pub fn anchor_error(&self, index: &usize) -> bool {
        (0..ANCHOR_POINTS.len()).any(|j| self.error(format!("k{index}-anker-{j}")).is_some())
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<CriteriaFormPage, AppError> {
    let catalogue = db::criteria::current(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let input = CatalogueInput::from_catalogue(&catalogue);
    Ok(CriteriaFormPage::new(visitor, input, FormErrors::new()))
}

pub async fn save(
    State(state): State<AppState>,
    visitor: Visitor,
    current: CurrentUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let mut input = CatalogueInput::from_pairs(pairs);
    let specs = match input.parse() {
        Ok(specs) => specs,
        Err(errors) => {
            input.offer_an_empty_slot();
            let page = CriteriaFormPage::new(visitor, input, errors);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let written = db::criteria::add_version(
        &state.db,
        &specs,
        &input.note,
        Some(current.user.id),
        Some(input.based_on),
    )
    .await?;
    match written {
        Written::Version(version) => Ok(Redirect::to(&format!(
            "/priorisierung/kriterien?gespeichert={version}"
        ))
        .into_response()),
        Written::Outdated { newest } => {
            let (base, newer) = tokio::try_join!(
                db::criteria::version(&state.db, Some(input.based_on)),
                db::criteria::version(&state.db, Some(newest)),
            )?;
            let mut errors = FormErrors::new();
            if let Some(newer) = &newer {
                let merged = merge_onto(&mut input, base.as_ref(), newer);
                if merged.collisions.is_empty()
                    && let Ok(specs) = input.parse()
                {
                    // Nothing both changed: the merged catalogue is the next version.
                    let again = db::criteria::add_version(
                        &state.db,
                        &specs,
                        &input.note,
                        Some(current.user.id),
                        Some(newest),
                    )
                    .await?;
                    if let Written::Version(version) = again {
                        return Ok(Redirect::to(&format!(
                            "/priorisierung/kriterien?gespeichert={version}"
                        ))
                        .into_response());
                    }
                }
                errors = collisions(&merged, newer);
            }
            input.offer_an_empty_slot();
            // Saving again deliberately writes the next version after the newer one.
            input.based_on = newest;
            let mut page = CriteriaFormPage::new(visitor, input, errors);
            page.newer = newer;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
    }
}

/// Merges `input` onto the `newer` version (see [`forms::merge`]), against the version it was
/// based on. Criteria are matched by position, so only while both versions list the same
/// criteria (by name, in order); otherwise every difference is a collision.
fn merge_onto(
    input: &mut CatalogueInput,
    base: Option<&Catalogue>,
    newer: &Catalogue,
) -> forms::Merged {
    let names = |catalogue: &Catalogue| -> Vec<String> {
        catalogue.criteria.iter().map(|c| c.name.clone()).collect()
    };
    let same_criteria = base.is_some_and(|base| names(base) == names(newer));
    let as_pairs =
        |catalogue: &Catalogue| CatalogueInput::from_catalogue(catalogue).criteria_pairs();
    let base_pairs = base.filter(|_| same_criteria).map(as_pairs);
    let merged = forms::merge(
        base_pairs.as_ref(),
        &input.criteria_pairs(),
        &as_pairs(newer),
    );
    let mut pairs = merged.pairs.clone();
    pairs.push(("notiz".to_owned(), input.note.clone()));
    pairs.push(("basis".to_owned(), input.based_on.to_string()));
    *input = CatalogueInput::from_pairs(pairs);
    merged
}

/// Each field both changed, marked with the value of the `newer` version.
fn collisions(merged: &forms::Merged, newer: &Catalogue) -> FormErrors {
    let theirs = CatalogueInput::from_catalogue(newer).criteria_pairs();
    let who = newer.created_by.as_deref().unwrap_or("jemand anderes");
    let mut errors = FormErrors::new();
    for field in &merged.collisions {
        let value = theirs
            .iter()
            .find(|(name, _)| name == field)
            .map(|(_, value)| value.as_str())
            .unwrap_or_default();
        let shown = if value.is_empty() {
            "leer".to_owned()
        } else {
            format!("„{value}“")
        };
        // The remove box has no message of its own: its criterion's name carries it.
        let key = match field.strip_suffix("-entfernen") {
            Some(k) => format!("{k}-name"),
            None => field.clone(),
        };
        if errors.for_field(&key).is_none() {
            errors.add(
                key,
                format!(
                    "Auch {who} hat dies in Version {} geändert, auf: {shown}. Im Feld steht Ihre \
                     Eingabe; sie gilt, wenn Sie erneut speichern.",
                    newer.version
                ),
            );
        }
    }
    errors
}

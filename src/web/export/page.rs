//! The export page of a view: which columns, which format; a GET form whose address is the
//! file's, so a choice can be bookmarked and shared. A wrong choice comes back here (422) with
//! the message next to the field and the choice kept.

use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::format::filters;
use crate::web::forms::FormErrors;
use crate::web::layout::{Section, Shell};
use crate::web::measures::catalogue::CatalogueQuery;
use crate::web::visitor::{CurrentUser, Visitor};

use super::View;
use super::files::Format;
use super::plan::{Choice, Plan};

#[derive(Debug, Template, WebTemplate)]
#[template(path = "export/form.html")]
pub struct ExportPage {
    pub shell: Shell,
    pub plan: Plan,
    pub query: CatalogueQuery,
    pub choice: Choice,
    pub errors: FormErrors,
    /// The view exported, and its name for the link back.
    pub back_href: String,
    pub back_label: &'static str,
}

impl ExportPage {
    pub fn action(&self) -> String {
        self.plan.view.file_path()
    }

    pub fn hidden(&self) -> Vec<(&'static str, String)> {
        self.query.pairs_in_use()
    }

    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors.for_field(field)
    }

    pub fn formats(&self) -> [Format; 4] {
        Format::ALL
    }

    /// The format checked: the one chosen, Excel at first.
    pub fn is_format(&self, format: &Format) -> bool {
        self.choice
            .format
            .as_deref()
            .map_or(*format == Format::Xlsx, |slug| slug == format.slug())
    }

    pub fn is_measures(&self) -> bool {
        self.plan.view == View::Measures
    }

    pub fn unit(&self) -> &'static str {
        match (self.plan.view, self.plan.count) {
            (View::Measures | View::Implementation, 1) => "Maßnahme",
            (View::Measures | View::Implementation, _) => "Maßnahmen",
            (_, 1) => "Maßnahme der Rangfolge",
            _ => "Maßnahmen der Rangfolge",
        }
    }
}

pub async fn show(
    state: &AppState,
    visitor: Visitor,
    current: &CurrentUser,
    view: View,
    query: CatalogueQuery,
    raw: Option<String>,
) -> Result<Response, AppError> {
    let plan = Plan::load(state, current, view, &query).await?;
    let choice = Choice::parse(raw.as_deref());
    Ok(page(visitor, plan, query, choice, FormErrors::new()).into_response())
}

/// The page again, with what is wrong with the choice.
pub fn refused(
    visitor: Visitor,
    plan: Plan,
    query: CatalogueQuery,
    choice: Choice,
    errors: FormErrors,
) -> Result<Response, AppError> {
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        page(visitor, plan, query, choice, errors),
    )
        .into_response())
}

fn page(
    visitor: Visitor,
    plan: Plan,
    query: CatalogueQuery,
    choice: Choice,
    errors: FormErrors,
) -> ExportPage {
    let (section, crumb, path, back_label) = match plan.view {
        View::Measures => (
            Section::Measures,
            "Maßnahmen",
            "/massnahmen".to_owned(),
            "Zurück zu den Maßnahmen",
        ),
        View::Implementation => (
            Section::Measures,
            "Umsetzung",
            "/massnahmen/umsetzung".to_owned(),
            "Zurück zur Umsetzung",
        ),
        View::Ranking => (
            Section::Prioritisation,
            "Priorisierung",
            "/priorisierung".to_owned(),
            "Zurück zur Rangfolge",
        ),
        View::Round(id) => (
            Section::Prioritisation,
            "Runde",
            format!("/priorisierung/runden/{id}"),
            "Zurück zur Runde",
        ),
    };
    let back_href = query.view_href(&path);
    ExportPage {
        shell: Shell::new(visitor, format!("{} exportieren", plan.title))
            .in_section(section)
            .crumb(crumb, back_href.clone())
            .here("Export"),
        plan,
        query,
        choice,
        errors,
        back_href,
        back_label,
    }
}

/// A workbook too large to write in the request: the reader starts a job for it.
#[derive(Debug, Template, WebTemplate)]
#[template(path = "export/large.html")]
pub struct LargePage {
    pub shell: Shell,
    pub plan: Plan,
    pub format: Format,
    /// The address's query: the view's filters and the choice.
    pub query: String,
}

impl LargePage {
    pub fn action(&self) -> String {
        format!("{}?{}", self.plan.view.file_path(), self.query)
    }

    pub fn back(&self) -> String {
        format!("{}?{}", self.plan.view.page_path(), self.query)
    }
}

pub fn large(visitor: Visitor, plan: Plan, format: Format, raw: Option<String>) -> LargePage {
    let query = raw.unwrap_or_default();
    let (section, crumb, path) = match plan.view {
        View::Measures => (Section::Measures, "Maßnahmen", "/massnahmen".to_owned()),
        View::Implementation => (
            Section::Measures,
            "Umsetzung",
            "/massnahmen/umsetzung".to_owned(),
        ),
        View::Ranking => (
            Section::Prioritisation,
            "Priorisierung",
            "/priorisierung".to_owned(),
        ),
        View::Round(id) => (
            Section::Prioritisation,
            "Runde",
            format!("/priorisierung/runden/{id}"),
        ),
    };
    LargePage {
        shell: Shell::new(visitor, format!("{} exportieren", plan.title))
            .in_section(section)
            .crumb(crumb, path)
            .crumb("Export", format!("{}?{query}", plan.view.page_path()))
            .here("Große Datei"),
        plan,
        format,
        query,
    }
}

//! The accessibility statement (Erklärung zur Barrierefreiheit) as the Hamburg regulation
//! (HmbBITVO) asks for it, reachable without login.

use askama::Template;
use askama_web::WebTemplate;

use super::layout::Shell;
use super::routes::Route;
use super::visitor::Visitor;
use crate::domain::permissions::Permission;

pub fn routes() -> Vec<Route> {
    vec![Route::get(
        "/barrierefreiheit",
        Permission::Public,
        statement,
    )]
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "statement.html")]
pub struct StatementPage {
    pub shell: Shell,
}

async fn statement(visitor: Visitor) -> StatementPage {
    StatementPage {
        shell: Shell::new(visitor, "Erklärung zur Barrierefreiheit").here("Barrierefreiheit"),
    }
}

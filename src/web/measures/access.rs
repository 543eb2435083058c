//! The one check every measure action starts with: the measure exists and the person may see
//! it (a draft only its author). Anything else is "not found", so ids reveal nothing.

use crate::db;
use crate::db::measure_details::MeasureRow;
use crate::domain::ids::MeasureId;
use crate::domain::lifecycle;
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::visitor::CurrentUser;

pub async fn visible(
    state: &AppState,
    current: &CurrentUser,
    id: MeasureId,
) -> Result<MeasureRow, AppError> {
    let row = db::measure_details::row(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !lifecycle::may_view(row.status, row.author_id == Some(current.user.id)) {
        return Err(AppError::NotFound);
    }
    Ok(row)
}

//! Rules for comments: who sees internal notes, how long a comment can be corrected, who
//! deletes.

use chrono::{DateTime, Duration, Utc};

use super::lifecycle::is_officer_for;
use super::office::Office;
use super::permissions::Actor;
use super::roles::Role;

pub const MAX_LENGTH: usize = 5_000;

/// Authors may correct a comment for this long.
pub const EDIT_WINDOW_MINUTES: i64 = 15;

/// Officers (district or central) read and write internal notes.
pub fn is_officer(actor: &Actor) -> bool {
    actor.has(Role::DistrictOfficer) || actor.has(Role::CentralOfficer)
}

pub fn may_see(internal: bool, actor: &Actor) -> bool {
    !internal || is_officer(actor)
}

/// The author, within the first 15 minutes, as long as it is not deleted.
pub fn may_edit(
    author_is_actor: bool,
    created_at: DateTime<Utc>,
    deleted: bool,
    now: DateTime<Utc>,
) -> bool {
    author_is_actor && !deleted && now - created_at <= Duration::minutes(EDIT_WINDOW_MINUTES)
}

/// The author, or an officer for the measure (moderation).
pub fn may_delete(
    author_is_actor: bool,
    actor: &Actor,
    lead_office: Office,
    deleted: bool,
) -> bool {
    !deleted && (author_is_actor || is_officer_for(actor, lead_office))
}

/// A comment's text: one to 5000 characters after trimming.
pub fn parse_body(body: &str) -> Result<String, &'static str> {
    let body = body.trim().replace("\r\n", "\n");
    if body.is_empty() {
        return Err("Bitte schreiben Sie einen Kommentar.");
    }
    if body.chars().count() > MAX_LENGTH {
        return Err("Ein Kommentar darf höchstens 5000 Zeichen lang sein.");
    }
    Ok(body)
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
    fn internal_notes_are_for_officers_only() {
        assert!(may_see(false, &actor(&[Role::Staff], Office::Altona)));
        assert!(!may_see(true, &actor(&[Role::Staff], Office::Altona)));
        assert!(!may_see(
            true,
            &actor(&[Role::StrategyTeam, Role::Administrator], Office::Altona)
        ));
        assert!(may_see(
            true,
            &actor(&[Role::DistrictOfficer], Office::Wandsbek)
        ));
        assert!(may_see(
            true,
            &actor(&[Role::CentralOfficer], Office::Central)
        ));
    }

    #[test]
    fn a_comment_can_be_corrected_for_15_minutes_by_its_author() {
        let now = Utc::now();
        assert!(may_edit(true, now - Duration::minutes(14), false, now));
        assert!(!may_edit(true, now - Duration::minutes(16), false, now));
        assert!(!may_edit(false, now, false, now));
        assert!(!may_edit(true, now, true, now));
    }

    #[test]
    fn authors_and_officers_for_the_measure_delete() {
        let staff = actor(&[Role::Staff], Office::Altona);
        let officer = actor(&[Role::DistrictOfficer], Office::Altona);
        let other_officer = actor(&[Role::DistrictOfficer], Office::Harburg);
        assert!(may_delete(true, &staff, Office::Altona, false));
        assert!(!may_delete(false, &staff, Office::Altona, false));
        assert!(may_delete(false, &officer, Office::Altona, false));
        assert!(!may_delete(false, &other_officer, Office::Altona, false));
        assert!(!may_delete(true, &staff, Office::Altona, true));
    }

    #[test]
    fn a_body_is_required_and_limited() {
        assert!(parse_body("  ").is_err());
        assert!(parse_body(&"x".repeat(5001)).is_err());
        assert_eq!(parse_body(" Gute Idee! "), Ok("Gute Idee!".to_owned()));
    }
}

//! What happened to the example measures, so that a newcomer's first look shows the product:
//! example colleagues propose them, the officers of the lead offices review them step by step,
//! the offices record their implementation, colleagues support and comment. Everything goes
//! through the functions and rules the pages use (`db::measures::insert`, `lifecycle::check`,
//! `db::measure_details::set_status`, …), so the examples are valid by construction. The story
//! is the same on every load: it follows from each example's position, not from chance.

use anyhow::{Context, bail};
use chrono::NaiveDate;
use sqlx::{PgConnection, PgPool};

use crate::db;
use crate::db::demo::BulkMeasure;
use crate::db::history::NewEvent;
use crate::db::implementation::Row;
use crate::db::users::{CreateUserError, NewUser};
use crate::domain::ids::{MeasureId, UserId};
use crate::domain::implementation::{self, DISTRICT_OFFICES, ProgressEntry, State};
use crate::domain::lifecycle::{self, MeasureFacts, MergeTarget, Status};
use crate::domain::office::Office;
use crate::domain::permissions::Actor;
use crate::domain::roles::Role;
use crate::domain::user::{DisplayName, EmailAddress};

/// The example colleagues: accounts without a password (nobody can sign in with them).
struct Cast {
    /// One member of staff per district office, who proposes its measures.
    staff: Vec<Person>,
    /// One district officer per district office.
    officers: Vec<Person>,
    central: Person,
}

#[derive(Clone)]
struct Person {
    id: UserId,
    actor: Actor,
}

const STAFF_NAMES: [&str; 7] = [
    "Jana Albers",
    "Bernd Brandt",
    "Elif Ergin",
    "Malte Mertens",
    "Nora Nowak",
    "Hasan Hartmann",
    "Wiebke Wulf",
];
const OFFICER_NAMES: [&str; 7] = [
    "Anke Ahrens",
    "Björn Behrens",
    "Emma Engel",
    "Mirko Meyer",
    "Nils Neumann",
    "Helga Hansen",
    "Wolfgang Wendt",
];

async fn person(
    connection: &mut PgConnection,
    name: &str,
    office: Office,
    role: Role,
) -> anyhow::Result<Person> {
    let local = name
        .to_lowercase()
        .replace(' ', ".")
        .replace(['ä', 'ö', 'ü'], "e");
    let email = EmailAddress::parse(&format!("{local}@beispiel.prima.invalid"))
        .map_err(anyhow::Error::msg)?;
    let display_name =
        DisplayName::parse(&format!("{name} (Beispiel)")).map_err(anyhow::Error::msg)?;
    let roles = [role];
    let created = db::users::create(
        &mut *connection,
        &NewUser {
            email: &email,
            display_name: &display_name,
            office,
            roles: &roles,
            password_hash: None,
            one_time_until: None,
        },
    )
    .await;
    let id = match created {
        Ok(id) => id,
        Err(CreateUserError::EmailTaken) => db::users::id_by_email(&mut *connection, &email)
            .await?
            .context("the account was there a moment ago")?,
        Err(CreateUserError::Database(error)) => return Err(error.into()),
    };
    Ok(Person {
        id,
        actor: Actor {
            user_id: id,
            office,
            roles: roles.to_vec(),
        },
    })
}

async fn cast(connection: &mut PgConnection) -> anyhow::Result<Cast> {
    let mut staff = Vec::new();
    let mut officers = Vec::new();
    for (index, office) in DISTRICT_OFFICES.into_iter().enumerate() {
        staff.push(person(connection, STAFF_NAMES[index], office, Role::Staff).await?);
        officers.push(
            person(
                connection,
                OFFICER_NAMES[index],
                office,
                Role::DistrictOfficer,
            )
            .await?,
        );
    }
    let central = person(
        connection,
        "Clara Zentral",
        Office::Central,
        Role::CentralOfficer,
    )
    .await?;
    Ok(Cast {
        staff,
        officers,
        central,
    })
}

/// The example officers who assess in rounds (the seven district officers and the central
/// officer), created if they are not there yet.
pub async fn assessors(pool: &PgPool) -> anyhow::Result<Vec<(UserId, Office)>> {
    let mut connection = pool.acquire().await?;
    let cast = cast(&mut connection).await?;
    Ok(cast
        .officers
        .iter()
        .chain(std::iter::once(&cast.central))
        .map(|person| (person.id, person.actor.office))
        .collect())
}

impl Cast {
    fn office_index(office: Office) -> Option<usize> {
        DISTRICT_OFFICES
            .iter()
            .position(|candidate| *candidate == office)
    }

    /// Who proposed a measure: a colleague of its lead office (central ones: by turns).
    fn author(&self, office: Office, index: usize) -> &Person {
        &self.staff[Self::office_index(office).unwrap_or(index % self.staff.len())]
    }

    /// The officer for a measure: its lead office's, or the central officer.
    fn officer(&self, office: Office) -> &Person {
        Self::office_index(office).map_or(&self.central, |index| &self.officers[index])
    }
}

/// The steps from "submitted" to `status`, each with its reason where it needs one.
fn path_to(status: Status) -> anyhow::Result<Vec<(Status, Option<&'static str>)>> {
    use Status::{Accepted, Deferred, Implemented, InProgress, InReview, Rejected, Submitted};
    Ok(match status {
        Submitted => vec![],
        InReview => vec![(InReview, None)],
        Accepted => vec![(InReview, None), (Accepted, None)],
        InProgress => vec![(InReview, None), (Accepted, None), (InProgress, None)],
        Implemented => vec![
            (InReview, None),
            (Accepted, None),
            (InProgress, None),
            (Implemented, None),
        ],
        Rejected => vec![
            (InReview, None),
            (
                Rejected,
                Some(
                    "Wird bereits durch ein Verfahren der Fachbehörde für alle Bezirke abgedeckt.",
                ),
            ),
        ],
        Deferred => vec![
            (InReview, None),
            (
                Deferred,
                Some("Zurückgestellt bis zur nächsten Haushaltsplanung; dann erneut prüfen."),
            ),
        ],
        other => bail!("the examples have no story for the status {other:?}"),
    })
}

/// A day of the year 2026, counted from 1 January, for dates in the story.
fn day(offset: usize) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(2026, 1, 1)
        .and_then(|start| start.checked_add_days(chrono::Days::new(offset as u64 % 330)))
}

/// The examples with their story, in one transaction: all or nothing.
pub async fn load(pool: &PgPool, measures: &[BulkMeasure]) -> anyhow::Result<()> {
    let mut transaction = pool.begin().await?;
    let cast = cast(&mut transaction).await?;
    for (index, measure) in measures.iter().enumerate() {
        live(&mut transaction, &cast, index, measure)
            .await
            .with_context(|| format!("the example „{}“", measure.data.title))?;
    }
    transaction.commit().await?;
    Ok(())
}

async fn live(
    connection: &mut PgConnection,
    cast: &Cast,
    index: usize,
    measure: &BulkMeasure,
) -> anyhow::Result<()> {
    let author = cast.author(measure.data.lead_office, index);
    let (id, _) = db::measures::insert(
        &mut *connection,
        &measure.data,
        author.id,
        Status::Submitted,
        uuid::Uuid::new_v4(),
    )
    .await?;
    let created = NewEvent {
        measure: id,
        actor: author.id,
        version: 1,
        kind: "created",
        from_status: None,
        to_status: Some(Status::Submitted),
        reason: None,
        changes: &[],
    };
    db::history::record(&mut *connection, &created).await?;
    let mut version = 1;
    let officer = cast.officer(measure.data.lead_office);
    let mut status = Status::Submitted;
    for (to, reason) in path_to(measure.status)? {
        let facts = MeasureFacts {
            status,
            lead_office: measure.data.lead_office,
            author_is_actor: false,
            goal_count: measure.data.goals.len(),
        };
        lifecycle::check(
            &officer.actor,
            facts,
            to,
            reason.unwrap_or(""),
            MergeTarget::NotGiven,
        )
        .map_err(|refusal| anyhow::anyhow!("{status:?} → {to:?}: {}", refusal.message()))?;
        version = db::measure_details::set_status(&mut *connection, id, status, to, reason, None)
            .await?
            .context("the status moved meanwhile")?;
        let step = NewEvent {
            actor: officer.id,
            version,
            kind: "status_changed",
            from_status: Some(status),
            to_status: Some(to),
            reason,
            ..created
        };
        db::history::record(&mut *connection, &step).await?;
        status = to;
    }
    if implementation::has_rows(status) {
        implement(connection, cast, index, id, measure, status, version).await?;
    }
    // Colleagues of other offices back it, the more the earlier it came.
    for (offset, colleague) in cast.staff.iter().enumerate() {
        if colleague.id != author.id && (index + offset).is_multiple_of(3) {
            db::supports::add(&mut *connection, id, colleague.id).await?;
        }
    }
    if index % 4 == 1 {
        let colleague = &cast.staff[(index + 2) % cast.staff.len()];
        let body = "Das würden wir bei uns auch gern einführen. Gibt es schon Erfahrungen, \
                    die ihr teilen könnt?";
        db::comments::create(&mut *connection, id, colleague.id, body, false).await?;
    }
    if index % 5 == 2 && status != Status::Submitted {
        let body = "Abstimmung mit der Fachbehörde zur Finanzierung läuft; bitte noch nicht \
                    öffentlich ankündigen.";
        db::comments::create(&mut *connection, id, officer.id, body, true).await?;
    }
    Ok(())
}

/// The offices' rows, the overall progress and milestones of an accepted measure.
async fn implement(
    connection: &mut PgConnection,
    cast: &Cast,
    index: usize,
    id: MeasureId,
    measure: &BulkMeasure,
    status: Status,
    version: i32,
) -> anyhow::Result<()> {
    let states = match status {
        Status::Implemented => [
            State::Done,
            State::Done,
            State::InProgress,
            State::NotRelevant,
        ],
        Status::InProgress => [
            State::InProgress,
            State::Planned,
            State::Done,
            State::NotRelevant,
        ],
        _ => [
            State::Planned,
            State::Planned,
            State::NotRelevant,
            State::InProgress,
        ],
    };
    let mut changes = Vec::new();
    for (offset, office) in DISTRICT_OFFICES.into_iter().enumerate() {
        // The lead office always has a row; the others most of the time.
        let lead = office == measure.data.lead_office;
        if !lead && (index + offset) % 4 == 3 {
            continue;
        }
        let state = if lead {
            states[0]
        } else {
            states[(index + offset) % states.len()]
        };
        let keeper = cast.officers[offset].clone();
        if !implementation::may_keep_row(&keeper.actor, office) {
            bail!("{office:?} is not kept by its own officer");
        }
        let note = match state {
            State::Done => "Läuft im Regelbetrieb.",
            State::InProgress => "Pilot in einer Abteilung.",
            State::Planned => "Für das nächste Quartal eingeplant.",
            State::NotRelevant => "Betrifft unser Bezirksamt nicht.",
        };
        let row = Row {
            office,
            state,
            note: note.to_owned(),
            as_of: day(index * 5 + offset * 11),
        };
        let before = db::implementation::set_row(&mut *connection, id, &row, keeper.id).await?;
        changes.push(row.change_from(before.as_ref()));
    }
    let officer = cast.officer(measure.data.lead_office);
    let rows = NewEvent {
        measure: id,
        actor: officer.id,
        version,
        kind: "implementation",
        from_status: None,
        to_status: None,
        reason: None,
        changes: &changes,
    };
    db::history::record(&mut *connection, &rows).await?;
    let percent = match status {
        Status::Implemented => 100,
        Status::InProgress => 20 + (index as i16 * 7) % 60,
        _ => 0,
    };
    if percent > 0 {
        if !implementation::may_keep_progress(&officer.actor, measure.data.lead_office) {
            bail!("the progress is not the lead office's to keep");
        }
        let entry = ProgressEntry {
            percent,
            milestone: None,
        };
        let progress = db::implementation::set_progress(&mut *connection, id, percent).await?;
        let change = entry.changes(progress.before);
        let event = NewEvent {
            version: progress.version,
            changes: &change,
            ..rows
        };
        db::history::record(&mut *connection, &event).await?;
        for (offset, title) in [
            "Pilot im Bezirksamt abgeschlossen",
            "Einführung in allen Abteilungen",
        ]
        .into_iter()
        .enumerate()
        {
            db::implementation::add_milestone(
                &mut *connection,
                id,
                title,
                day(index * 3 + offset * 90),
            )
            .await?;
        }
    }
    Ok(())
}

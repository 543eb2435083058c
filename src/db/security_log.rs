//! The security log: logins, failed and refused password checks, logouts, password and role
//! changes, deactivations. Written in the same transaction as the change it records, read by
//! administrators. (The throttle counts `credential_attempts`, not this log.)

use chrono::{DateTime, Utc};
use sqlx::{PgExecutor, PgPool};

use crate::domain::ids::UserId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "security_event_kind", rename_all = "snake_case")]
pub enum EventKind {
    LoginSucceeded,
    /// A password was wrong: at login or when confirming a change (the details say which).
    #[sqlx(rename = "login_failed")]
    CredentialFailed,
    /// A password check was refused before it started (throttle or a full queue).
    #[sqlx(rename = "login_throttled")]
    CredentialThrottled,
    Logout,
    PasswordChanged,
    PasswordReset,
    UserCreated,
    RolesChanged,
    OfficeChanged,
    UserDeactivated,
    UserReactivated,
    SessionsEnded,
}

impl EventKind {
    pub const ALL: [Self; 12] = [
        Self::LoginSucceeded,
        Self::CredentialFailed,
        Self::CredentialThrottled,
        Self::Logout,
        Self::PasswordChanged,
        Self::PasswordReset,
        Self::UserCreated,
        Self::RolesChanged,
        Self::OfficeChanged,
        Self::UserDeactivated,
        Self::UserReactivated,
        Self::SessionsEnded,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::LoginSucceeded => "Anmeldung erfolgreich",
            Self::CredentialFailed => "Passwortprüfung fehlgeschlagen",
            Self::CredentialThrottled => "Passwortprüfung gebremst",
            Self::Logout => "Abmeldung",
            Self::PasswordChanged => "Passwort geändert",
            Self::PasswordReset => "Passwort zurückgesetzt",
            Self::UserCreated => "Konto angelegt",
            Self::RolesChanged => "Rollen geändert",
            Self::OfficeChanged => "Bezirksamt geändert",
            Self::UserDeactivated => "Konto deaktiviert",
            Self::UserReactivated => "Konto reaktiviert",
            Self::SessionsEnded => "Sitzungen beendet",
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            Self::LoginSucceeded => "login-succeeded",
            // The slugs predate confirmations; kept so that saved links to the log still work.
            Self::CredentialFailed => "login-failed",
            Self::CredentialThrottled => "login-throttled",
            Self::Logout => "logout",
            Self::PasswordChanged => "password-changed",
            Self::PasswordReset => "password-reset",
            Self::UserCreated => "user-created",
            Self::RolesChanged => "roles-changed",
            Self::OfficeChanged => "office-changed",
            Self::UserDeactivated => "user-deactivated",
            Self::UserReactivated => "user-reactivated",
            Self::SessionsEnded => "sessions-ended",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.slug() == slug)
    }
}

/// One entry to write.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub kind: EventKind,
    pub actor: Option<UserId>,
    pub subject: Option<UserId>,
    pub subject_email: &'a str,
    pub client_address: &'a str,
    pub details: &'a str,
}

pub async fn record(executor: impl PgExecutor<'_>, event: &Event<'_>) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into security_events (kind, actor_id, subject_id, subject_email, client_address, details)
         values ($1, $2, $3, $4, $5, $6)",
        event.kind as EventKind,
        event.actor as Option<UserId>,
        event.subject as Option<UserId>,
        event.subject_email,
        event.client_address,
        event.details,
    )
    .execute(executor)
    .await
    .map(drop)
}

/// A line of the security log page.
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub occurred_at: DateTime<Utc>,
    pub kind: EventKind,
    pub actor_name: Option<String>,
    pub subject_name: Option<String>,
    pub subject_email: String,
    pub client_address: String,
    pub details: String,
}

/// Filters of the security log page; empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    pub kind: Option<EventKind>,
    /// Part of the name or e-mail of the actor or the subject.
    pub person: String,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

pub async fn list(pool: &PgPool, filter: &LogFilter, limit: i64) -> sqlx::Result<Vec<LogEntry>> {
    let person = format!(
        "%{}%",
        filter
            .person
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    sqlx::query_as!(
        LogEntry,
        r#"select e.occurred_at, e.kind as "kind: EventKind",
                  actor.display_name as "actor_name?", subject.display_name as "subject_name?",
                  coalesce(nullif(e.subject_email, ''), subject.email, '') as "subject_email!",
                  e.client_address, e.details
           from security_events e
           left join users actor on actor.id = e.actor_id
           left join users subject on subject.id = e.subject_id
           where ($1::security_event_kind is null or e.kind = $1)
             and ($2 = '%%'
                  or actor.display_name ilike $2 or actor.email ilike $2
                  or subject.display_name ilike $2 or subject.email ilike $2
                  or e.subject_email ilike $2)
             and ($3::timestamptz is null or e.occurred_at >= $3)
             and ($4::timestamptz is null or e.occurred_at < $4)
           order by e.occurred_at desc, e.id desc
           limit $5"#,
        filter.kind as Option<EventKind>,
        person,
        filter.from,
        filter.until,
        limit,
    )
    .fetch_all(pool)
    .await
}

//! Every check of a password goes through here: signing in, and confirming a change with the
//! current password (today the password change; any later "confirm with your password" too).
//! Each check takes a place in the hashing queue, then reserves its attempt under a lock per
//! account and per address, and only then verifies the hash; failures and refusals go to the
//! security log as one kind of event, whatever the purpose.

use std::time::Duration;

use crate::db;
use crate::db::security_log::{Event, EventKind};
use crate::domain::ids::UserId;
use crate::domain::password::{self, Password};
use crate::domain::throttle;
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::hashing::{self, Place};

/// A check still counts as running for this long without an outcome.
const RUNNING_SECONDS: i64 = 60;

/// What a password is checked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Login,
    PasswordChange,
}

impl Purpose {
    fn slug(self) -> &'static str {
        match self {
            Self::Login => "login",
            Self::PasswordChange => "password_change",
        }
    }

    /// How the security log names it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Login => "Anmeldung",
            Self::PasswordChange => "Passwortänderung",
        }
    }
}

/// Who is checked, from where, for what.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// The e-mail address as typed (login) or the account's own (confirmations).
    pub account: String,
    /// The account, where it is known before the check.
    pub subject: Option<UserId>,
    pub client: String,
    pub purpose: Purpose,
}

/// Why a check was not even started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Too many failures: wait this long.
    Throttled(Duration),
    /// This address already has its share of the hashing queue, or the queue is full.
    Busy,
}

impl Refused {
    /// Whole seconds, rounded up: a client that waits this long is let through.
    pub fn retry_after(self) -> Duration {
        match self {
            Self::Throttled(wait) => Duration::from_secs(wait.as_secs_f64().ceil().max(1.0) as u64),
            Self::Busy => hashing::RETRY_AFTER,
        }
    }

    /// The message next to the password field.
    pub fn message(self) -> String {
        match self {
            Self::Throttled(_) => format!(
                "Zu viele fehlgeschlagene Versuche. Bitte warten Sie {} und versuchen Sie es \
                 dann erneut.",
                duration_de(self.retry_after())
            ),
            Self::Busy => "Von Ihrer Adresse werden gerade sehr viele Passwörter zugleich \
                           geprüft. Bitte versuchen Sie es in einem Moment erneut."
                .to_owned(),
        }
    }
}

/// "1 Sekunde", "40 Sekunden", "3 Minuten": how long to wait, as people say it.
fn duration_de(wait: Duration) -> String {
    let seconds = wait.as_secs().max(1);
    match seconds {
        1 => "1 Sekunde".to_owned(),
        2..=119 => format!("{seconds} Sekunden"),
        _ => format!("{} Minuten", seconds.div_ceil(60)),
    }
}

/// A reserved check: it counts against the account and the address from now on.
#[derive(Debug)]
pub struct Reservation<'a> {
    id: i64,
    place: Place<'a>,
    attempt: Attempt,
}

/// A checked password whose outcome is still to be recorded.
#[derive(Debug)]
pub struct Verified {
    id: i64,
    matches: bool,
    attempt: Attempt,
}

/// Takes a place in the queue and reserves the attempt, unless the account or the address must
/// wait; a refusal is written to the security log.
pub async fn reserve(
    state: &AppState,
    attempt: Attempt,
) -> Result<Result<Reservation<'_>, Refused>, AppError> {
    let account = attempt.account.to_lowercase();
    let Ok(place) = state.hashing.place(&attempt.client) else {
        refuse(state, &attempt, Refused::Busy).await?;
        return Ok(Err(Refused::Busy));
    };
    let mut transaction = state.db.begin().await?;
    db::credential_attempts::lock(&mut transaction, &account, &attempt.client).await?;
    let counts = db::credential_attempts::recent(
        &mut transaction,
        &account,
        &attempt.client,
        throttle::PER_ACCOUNT.window_seconds(),
        throttle::PER_ADDRESS.window_seconds(),
        RUNNING_SECONDS,
    )
    .await?;
    let wait = throttle::PER_ACCOUNT
        .wait(counts.account.failures, counts.account.latest, counts.now)
        .max(throttle::PER_ADDRESS.wait(
            counts.address.failures,
            counts.address.latest,
            counts.now,
        ));
    if let Some(wait) = wait {
        drop(transaction);
        let refused = Refused::Throttled(wait);
        refuse(state, &attempt, refused).await?;
        return Ok(Err(refused));
    }
    let id = db::credential_attempts::reserve(
        &mut transaction,
        &account,
        &attempt.client,
        attempt.purpose.slug(),
    )
    .await?;
    transaction.commit().await?;
    Ok(Ok(Reservation { id, place, attempt }))
}

async fn refuse(state: &AppState, attempt: &Attempt, refused: Refused) -> Result<(), AppError> {
    let seconds = refused.retry_after().as_secs();
    let (refusal, why) = match refused {
        Refused::Throttled(_) => ("throttled", format!("{seconds} s Wartezeit")),
        Refused::Busy => (
            "queue full",
            "zu viele gleichzeitige Prüfungen von dieser Adresse".to_owned(),
        ),
    };
    tracing::warn!(email = ?attempt.account, client = ?attempt.client, purpose = attempt.purpose.slug(), refusal, seconds, "password check refused");
    db::security_log::record(
        &state.db,
        &Event {
            kind: EventKind::CredentialThrottled,
            actor: attempt
                .subject
                .filter(|_| attempt.purpose != Purpose::Login),
            subject: attempt.subject,
            subject_email: &attempt.account,
            client_address: &attempt.client,
            details: &format!("{}: {why}", attempt.purpose.label()),
        },
    )
    .await?;
    Ok(())
}

impl Reservation<'_> {
    /// Checks `password` against `stored`; without a stored hash against a dummy one, so that an
    /// unknown account takes as long as a known one.
    pub async fn verify(self, password: Password, stored: Option<String>) -> Verified {
        let stored = stored.unwrap_or_else(|| password::dummy_hash().to_owned());
        let matches = self.place.verify(password, stored).await;
        Verified {
            id: self.id,
            matches,
            attempt: self.attempt,
        }
    }
}

impl Verified {
    pub fn matches(&self) -> bool {
        self.matches
    }

    /// Records a success (it ends the account's run of failures), in the caller's transaction.
    pub async fn succeeded(self, executor: impl sqlx::PgExecutor<'_>) -> sqlx::Result<()> {
        db::credential_attempts::finish(executor, self.id, true).await
    }

    /// Records a failure: it counts for the throttle and goes to the security log, `reason`
    /// saying why (never the password).
    pub async fn failed(
        self,
        state: &AppState,
        subject: Option<UserId>,
        reason: &str,
    ) -> Result<(), AppError> {
        let attempt = &self.attempt;
        tracing::info!(email = ?attempt.account, client = ?attempt.client, purpose = attempt.purpose.slug(), reason, "password check failed");
        let mut transaction = state.db.begin().await?;
        db::credential_attempts::finish(&mut *transaction, self.id, false).await?;
        db::security_log::record(
            &mut *transaction,
            &Event {
                kind: EventKind::CredentialFailed,
                actor: subject.filter(|_| attempt.purpose != Purpose::Login),
                subject,
                subject_email: &attempt.account,
                client_address: &attempt.client,
                details: &format!("{}: {reason}", attempt.purpose.label()),
            },
        )
        .await?;
        transaction.commit().await?;
        Ok(())
    }
}

/// Hashes a new password with a place in the queue of `client`.
pub async fn hash_new(
    state: &AppState,
    client: &str,
    password: Password,
) -> Result<String, AppError> {
    let Ok(place) = state.hashing.place(client) else {
        return Err(AppError::Busy(hashing::RETRY_AFTER));
    };
    place.hash(password).await.map_err(AppError::Internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_are_said_in_seconds_or_minutes() {
        assert_eq!(duration_de(Duration::from_millis(300)), "1 Sekunde");
        assert_eq!(duration_de(Duration::from_secs(4)), "4 Sekunden");
        assert_eq!(duration_de(Duration::from_secs(119)), "119 Sekunden");
        assert_eq!(duration_de(Duration::from_secs(900)), "15 Minuten");
        assert_eq!(duration_de(Duration::from_secs(121)), "3 Minuten");
    }

    #[test]
    fn the_time_to_wait_is_rounded_up_to_whole_seconds() {
        let wait = |millis| Refused::Throttled(Duration::from_millis(millis)).retry_after();
        assert_eq!(wait(1_200), Duration::from_secs(2));
        assert_eq!(wait(2_000), Duration::from_secs(2));
        assert_eq!(wait(10), Duration::from_secs(1));
        assert_eq!(Refused::Busy.retry_after(), Duration::from_secs(1));
    }
}

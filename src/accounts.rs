//! Account administration outside the web pages: the `prima user` commands and the demo
//! accounts of the embedded development mode.

use anyhow::{Context, bail};
use sqlx::PgPool;

use crate::db;
use crate::db::security_log::{Event, EventKind};
use crate::db::users::{CreateUserError, NewUser};
use crate::domain::ids::UserId;
use crate::domain::office::Office;
use crate::domain::password::{self, CommonPasswords, Password};
use crate::domain::roles::Role;
use crate::domain::user::{DisplayName, EmailAddress};

/// Creates an account. Without `password` one is generated; returns it for showing once.
pub async fn create_user(
    pool: &PgPool,
    common: &CommonPasswords,
    email: &str,
    name: &str,
    office: &str,
    roles: &[String],
    password: Option<String>,
) -> anyhow::Result<Option<Password>> {
    let email = EmailAddress::parse(email).map_err(anyhow::Error::msg)?;
    let name = DisplayName::parse(name).map_err(anyhow::Error::msg)?;
    let office = Office::from_slug(office).with_context(|| {
        let known: Vec<&str> = Office::ALL.iter().map(|office| office.slug()).collect();
        format!("unknown office {office:?}; one of: {}", known.join(", "))
    })?;
    let roles = parse_roles(roles)?;
    let (password, generated) = match password {
        Some(text) => (
            password::check_new(&text, &[name.as_str(), email.as_str()], common)
                .map_err(|problem| anyhow::Error::msg(problem.message()))?,
            false,
        ),
        None => (password::generate(), true),
    };
    let hash = hash_blocking(password.clone()).await?;
    let new_user = NewUser {
        email: &email,
        display_name: &name,
        office,
        roles: &roles,
        password_hash: Some(hash),
        // A generated password is a one-time password; one given on standard input is the
        // operator's choice.
        one_time_until: generated.then(|| password::one_time_until(chrono::Utc::now())),
    };
    match create_account(pool, &new_user, None, "Kommandozeile").await {
        Ok(_) => Ok(generated.then_some(password)),
        Err(CreateUserError::EmailTaken) => {
            bail!("there is already an account for {}", email.as_str())
        }
        Err(CreateUserError::Database(error)) => Err(error.into()),
    }
}

/// Creates an account and records it in the security log, in one transaction.
pub async fn create_account(
    pool: &PgPool,
    new_user: &NewUser<'_>,
    actor: Option<UserId>,
    client_address: &str,
) -> Result<UserId, CreateUserError> {
    let mut transaction = pool.begin().await?;
    let id = db::users::create(&mut *transaction, new_user).await?;
    let roles: Vec<&str> = new_user.roles.iter().map(|role| role.label()).collect();
    db::security_log::record(
        &mut *transaction,
        &Event {
            kind: EventKind::UserCreated,
            actor,
            subject: Some(id),
            subject_email: new_user.email.as_str(),
            client_address,
            details: &format!("{}; {}", new_user.office.label(), roles.join(", ")),
        },
    )
    .await?;
    transaction.commit().await?;
    Ok(id)
}

/// Sets a password (given, or generated and returned) and ends the person's sessions.
pub async fn set_password(
    pool: &PgPool,
    common: &CommonPasswords,
    email: &str,
    password: Option<String>,
) -> anyhow::Result<Option<Password>> {
    let credentials = db::users::credentials_by_email(pool, email)
        .await?
        .with_context(|| format!("there is no account for {email}"))?;
    let user = credentials.user;
    let (password, generated) = match password {
        Some(text) => (
            password::check_new(
                &text,
                &[user.display_name.as_str(), user.email.as_str()],
                common,
            )
            .map_err(|problem| anyhow::Error::msg(problem.message()))?,
            false,
        ),
        None => (password::generate(), true),
    };
    let hash = hash_blocking(password.clone()).await?;
    let mut transaction = pool.begin().await?;
    let until = generated.then(|| password::one_time_until(chrono::Utc::now()));
    db::users::set_password_hash(&mut *transaction, user.id, &hash, until).await?;
    db::sessions::delete_all_for_user(&mut *transaction, user.id).await?;
    db::security_log::record(
        &mut *transaction,
        &Event {
            kind: EventKind::PasswordReset,
            actor: None,
            subject: Some(user.id),
            subject_email: &user.email,
            client_address: "Kommandozeile",
            details: "",
        },
    )
    .await?;
    transaction.commit().await?;
    Ok(generated.then_some(password))
}

fn parse_roles(roles: &[String]) -> anyhow::Result<Vec<Role>> {
    if roles.is_empty() {
        bail!("give at least one --role");
    }
    let mut parsed: Vec<Role> = roles
        .iter()
        .map(|slug| {
            Role::from_slug(slug).with_context(|| {
                let known: Vec<&str> = Role::ALL.iter().map(|role| role.slug()).collect();
                format!("unknown role {slug:?}; one of: {}", known.join(", "))
            })
        })
        .collect::<anyhow::Result<_>>()?;
    parsed.sort();
    parsed.dedup();
    Ok(parsed)
}

async fn hash_blocking(password: Password) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || password::hash(&password)).await?
}

/// The demo accounts of the embedded development mode: one per role, created on the first
/// start of an empty database, their passwords printed once to the terminal (never logged).
pub async fn create_demo_accounts(pool: &PgPool) -> anyhow::Result<()> {
    if db::users::count(pool).await? > 0 {
        return Ok(());
    }
    let accounts = [
        (
            "mitarbeitende@demo.prima.invalid",
            "Mia Mitarbeitende (Demo)",
            Office::Altona,
            Role::Staff,
        ),
        (
            "beauftragte@demo.prima.invalid",
            "Bea Beauftragte (Demo)",
            Office::Altona,
            Role::DistrictOfficer,
        ),
        (
            "verantwortliche@demo.prima.invalid",
            "Vera Verantwortliche (Demo)",
            Office::Central,
            Role::CentralOfficer,
        ),
        (
            "ds-team@demo.prima.invalid",
            "Dana DS-Team (Demo)",
            Office::HamburgNord,
            Role::StrategyTeam,
        ),
        (
            "admin@demo.prima.invalid",
            "Ada Administration (Demo)",
            Office::Central,
            Role::Administrator,
        ),
    ];
    let mut lines = Vec::new();
    for (email, name, office, role) in accounts {
        let password = password::generate();
        let hash = hash_blocking(password.clone()).await?;
        let email_address = EmailAddress::parse(email).map_err(anyhow::Error::msg)?;
        let display_name = DisplayName::parse(name).map_err(anyhow::Error::msg)?;
        let new_user = NewUser {
            email: &email_address,
            display_name: &display_name,
            office,
            roles: &[role],
            password_hash: Some(hash),
            one_time_until: None,
        };
        match db::users::create(pool, &new_user).await {
            Ok(_) => lines.push(format!(
                "  {:<32} {:<38} {}",
                role.label(),
                email,
                password.expose()
            )),
            // Another process created the demo accounts at the same moment.
            Err(CreateUserError::EmailTaken) => return Ok(()),
            Err(CreateUserError::Database(error)) => return Err(error.into()),
        }
    }
    println!(
        "\nDemo accounts of the development mode (shown once; change them under \"Mein Konto\"):\n{}\n",
        lines.join("\n")
    );
    Ok(())
}

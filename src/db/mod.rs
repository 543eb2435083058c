//! The database: the connection pool, the embedded PostgreSQL, the migrations, and one file of
//! queries per aggregate.

pub mod carryover;
pub mod catalogue;
pub mod comments;
pub mod credential_attempts;
pub mod criteria;
pub mod dashboard;
pub mod demo;
pub mod embedded;
pub mod export;
pub mod history;
pub mod implementation;
pub mod imports;
pub mod iterations;
pub mod jobs;
pub mod listen;
pub mod measure_details;
pub mod measures;
pub mod notifications;
pub mod publications;
pub mod reports;
pub mod rounds;
pub mod scenarios;
pub mod security_log;
pub mod seed;
pub mod sessions;
pub mod strategy;
pub mod strategy_cache;
pub mod strategy_edit;
pub mod submissions;
pub mod supports;
pub mod users;

use std::time::Duration;

use anyhow::Context;
use sqlx::PgPool;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::config::Config;
use embedded::{Durability, EmbeddedOptions, EmbeddedPostgres};

/// The migrations in `migrations/`, compiled into the binary.
pub static MIGRATOR: Migrator = sqlx::migrate!();

/// The database name inside the embedded cluster.
pub const EMBEDDED_DATABASE: &str = "prima";

/// The pool, and the embedded cluster behind it when PriMa started one.
#[derive(Debug)]
pub struct Database {
    pool: PgPool,
    embedded: Option<EmbeddedPostgres>,
}

impl Database {
    /// Connects to `DATABASE_URL`, or starts the embedded cluster when it is not set.
    pub async fn open(config: &Config) -> anyhow::Result<Self> {
        if let Some(url) = &config.database_url {
            // The URL may hold a password: it goes into no message.
            let options: PgConnectOptions = url
                .expose()
                .parse()
                .context("DATABASE_URL is not a valid PostgreSQL connection URL")?;
            let pool = connect(options).await?;
            return Ok(Self {
                pool,
                embedded: None,
            });
        }
        let cluster = EmbeddedPostgres::start(&EmbeddedOptions {
            data_dir: config.data_dir.clone(),
            bindir: config.pg_bindir.clone(),
            durability: Durability::Durable,
            extra_settings: Vec::new(),
        })
        .await?;
        let pool = match cluster.ensure_database(EMBEDDED_DATABASE).await {
            Ok(()) => connect(cluster.connect_options(EMBEDDED_DATABASE)).await,
            Err(error) => Err(error),
        };
        match pool {
            Ok(pool) => Ok(Self {
                pool,
                embedded: Some(cluster),
            }),
            Err(error) => {
                if let Err(stop_error) = cluster.stop_unless_shared().await {
                    tracing::error!("{stop_error:#}");
                }
                Err(error)
            }
        }
    }

    /// Brings the schema up to date and loads the strategy content and the default criteria
    /// catalogue if they are missing.
    pub async fn prepare(&self) -> anyhow::Result<()> {
        migrate(&self.pool).await?;
        seed::load_strategy_2020(&self.pool).await?;
        criteria::load_default(&self.pool).await?;
        Ok(())
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Closes the pool, then stops the embedded cluster if there is one.
    pub async fn close(self) {
        self.pool.close().await;
        if let Some(cluster) = self.embedded
            && let Err(error) = cluster.stop_unless_shared().await
        {
            tracing::error!("{error:#}");
        }
    }
}

/// A pool with the settings every PriMa process uses.
pub async fn connect(options: PgConnectOptions) -> anyhow::Result<PgPool> {
    PgPoolOptions::new()
        .max_connections(16)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options)
        .await
        .context("could not connect to PostgreSQL")
}

/// Applies pending migrations. sqlx holds an advisory lock meanwhile, so two instances starting
/// at once apply each migration exactly once.
pub async fn migrate(pool: &PgPool) -> anyhow::Result<()> {
    MIGRATOR
        .run(pool)
        .await
        .context("could not apply the database migrations")
}

/// `select 1`, for the readiness probe.
pub async fn ping(pool: &PgPool) -> sqlx::Result<()> {
    sqlx::query_scalar!("select 1 as \"one!\"")
        .fetch_one(pool)
        .await
        .map(drop)
}

/// The content generation now (see `web::cache`): what a job computing pages' data reads
/// instead of a request's.
pub async fn content_generation(pool: &PgPool) -> sqlx::Result<i64> {
    sqlx::query_scalar!(r#"select value as "value!" from content_generation"#)
        .fetch_one(pool)
        .await
}

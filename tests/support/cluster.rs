//! One embedded PostgreSQL cluster per test binary (kept between runs, `fsync` off) and a fresh
//! database per test, copied from a template that holds the migrated schema and the 2020 content.

use std::path::PathBuf;
use std::sync::OnceLock;

use prima::db::embedded::{Durability, EmbeddedOptions, EmbeddedPostgres};
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection, PgPool};

const TEMPLATE: &str = "prima_template";

/// The cluster of this test binary.
#[derive(Debug)]
pub struct TestCluster {
    pub postgres: EmbeddedPostgres,
    pub data_dir: PathBuf,
}

static CLUSTER: OnceLock<TestCluster> = OnceLock::new();

/// Starts (or adopts) the cluster once per binary. Tests run on runtimes of their own, so the
/// start runs on a runtime of its own too and hands out only the process, never a connection.
pub fn cluster() -> &'static TestCluster {
    CLUSTER.get_or_init(|| {
        std::thread::spawn(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for the cluster start")
                .block_on(start())
        })
        .join()
        .expect("the test cluster starts")
    })
}

async fn start() -> TestCluster {
    let data_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("pg")
        .join(env!("CARGO_CRATE_NAME"));
    let postgres = EmbeddedPostgres::start(&EmbeddedOptions {
        data_dir: data_dir.clone(),
        bindir: None,
        durability: Durability::Ephemeral,
        // Counting the queries of a page needs the statement statistics.
        extra_settings: vec![
            "shared_preload_libraries = 'pg_stat_statements'".to_owned(),
            "pg_stat_statements.track = 'all'".to_owned(),
            "pg_stat_statements.track_utility = off".to_owned(),
            // Every test has its own database: room for all their statements, so that none is
            // evicted while a test counts (the default of 5,000 is too few).
            "pg_stat_statements.max = 20000".to_owned(),
        ],
    })
    .await
    .expect("the embedded test cluster starts");
    postgres
        .ensure_database("postgres")
        .await
        .expect("postgres database");
    let mut admin = connect(&postgres, "postgres").await;
    // Databases of earlier runs and a template of an older schema go first.
    let stale: Vec<String> = sqlx::query_scalar(
        "select datname from pg_database where datname like 'test\\_%' or datname = $1",
    )
    .bind(TEMPLATE)
    .fetch_all(&mut admin)
    .await
    .expect("list old test databases");
    for name in stale {
        sqlx::raw_sql(&format!("drop database if exists \"{name}\" with (force)"))
            .execute(&mut admin)
            .await
            .expect("drop an old test database");
    }
    sqlx::raw_sql("create extension if not exists pg_stat_statements")
        .execute(&mut admin)
        .await
        .expect("pg_stat_statements (preloaded; restart a test cluster left running from before)");
    sqlx::raw_sql(&format!("create database {TEMPLATE}"))
        .execute(&mut admin)
        .await
        .expect("create the template database");
    let pool = prima::db::connect(postgres.connect_options(TEMPLATE))
        .await
        .expect("connect to the template");
    prima::db::migrate(&pool).await.expect("migrations apply");

    prima::db::seed::load_strategy_2020(&pool)
        .await
        .expect("the 2020 strategy loads");
    prima::db::criteria::load_default(&pool)
        .await
        .expect("the default criteria catalogue loads");
    pool.close().await;
    admin.close().await.expect("close");
    TestCluster { postgres, data_dir }
}

async fn connect(postgres: &EmbeddedPostgres, database: &str) -> sqlx::PgConnection {
    postgres
        .connect_options(database)
        .disable_statement_logging()
        .connect()
        .await
        .expect("connect to the test cluster")
}

impl TestCluster {
    /// How many statements the database `name` has run so far (pg_stat_statements), counted
    /// from another database so the count does not count itself; with the number of entries
    /// the statistics ever had to evict (a count taken across an eviction is not exact).
    pub async fn statements_run(&self, name: &str) -> (i64, i64) {
        let mut admin = connect(&self.postgres, "postgres").await;
        // The sum is read between two looks at the eviction count: an eviction while it is
        // read (other tests share the cluster) makes it worthless, so it is read again.
        let count = loop {
            let before = evicted(&mut admin).await;
            let sum: i64 = sqlx::query_scalar(
                // The application's own statements: not the driver's type lookups on a
                // connection new to the pool, nor the foreign-key checks inside writes.
                "select coalesce(sum(calls), 0)::bigint
                 from pg_stat_statements
                 where dbid = (select oid from pg_database where datname = $1)
                   and query not like '%pg_catalog.%'
                   and query not like 'SELECT $1::regtype%'
                   and query not like 'SELECT $2 FROM ONLY %'",
            )
            .bind(name)
            .fetch_one(&mut admin)
            .await
            .expect("statement statistics");
            if evicted(&mut admin).await == before {
                break (sum, before);
            }
        };
        admin.close().await.expect("close");
        count
    }

    /// The folder of the cluster's unix socket.
    pub fn socket_dir(&self) -> std::path::PathBuf {
        let pid_file = std::fs::read_to_string(self.postgres.pgdata().join("postmaster.pid"))
            .expect("the running server's pid file");
        std::path::PathBuf::from(pid_file.lines().nth(4).expect("the socket line").trim())
    }

    /// Connection settings for one of its databases.
    pub fn options(&self, database: &str) -> PgConnectOptions {
        self.postgres.connect_options(database)
    }
}

/// A new database with the schema and the 2020 content, for one test.
pub async fn fresh_database() -> (String, PgPool) {
    let cluster = cluster();
    let name = format!("test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = connect(&cluster.postgres, "postgres").await;
    sqlx::raw_sql(&format!("create database \"{name}\" template {TEMPLATE}"))
        .execute(&mut admin)
        .await
        .expect("create a test database");
    admin.close().await.expect("close");
    let pool = prima::db::connect(cluster.options(&name))
        .await
        .expect("connect to the test database");
    (name, pool)
}

/// How many entries `pg_stat_statements` has evicted so far.
async fn evicted(admin: &mut sqlx::PgConnection) -> i64 {
    sqlx::query_scalar("select dealloc from pg_stat_statements_info")
        .fetch_one(admin)
        .await
        .expect("eviction count")
}

//! The embedded PostgreSQL cluster: with no `DATABASE_URL`, PriMa runs a private, durable cluster
//! from the machine's own server programs in its data directory.
//!
//! The server listens only on a unix socket in a folder only its account may enter, so `trust`
//! authentication admits nobody else. The cluster survives PriMa: after a hard kill the next start
//! finds the server still running and reuses it, or lets PostgreSQL clear a stale pid file and
//! recover from its write-ahead log.

mod binaries;
mod layout;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use anyhow::{Context, bail};
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection};
use tokio::process::Command;

pub use layout::{Layout, RunAs};

/// The superuser `initdb` creates; reachable only through the private socket.
const SUPERUSER: &str = "prima";
const PORT: u16 = 5432;

/// How hard the cluster works to keep committed data across a crash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// `fsync` on: what a real installation needs.
    Durable,
    /// `fsync` off: for throw-away test clusters only.
    Ephemeral,
}

/// What to start.
#[derive(Debug, Clone)]
pub struct EmbeddedOptions {
    pub data_dir: PathBuf,
    /// Folder with `initdb` and `pg_ctl`; found automatically when `None`.
    pub bindir: Option<PathBuf>,
    pub durability: Durability,
    /// Further `postgresql.conf` lines, e.g. `shared_preload_libraries = 'pg_stat_statements'`
    /// for tests that count queries.
    pub extra_settings: Vec<String>,
}

/// A running cluster that this process started or adopted.
#[derive(Debug)]
pub struct EmbeddedPostgres {
    bindir: PathBuf,
    layout: Layout,
    run_as: Option<RunAs>,
    /// Where the running server's socket actually is (read from its pid file).
    socket_dir: PathBuf,
    port: u16,
}

impl EmbeddedPostgres {
    /// Starts the cluster of `options.data_dir`, creating it on first use.
    #[tracing::instrument(skip_all, fields(data_dir = %options.data_dir.display()))]
    pub async fn start(options: &EmbeddedOptions) -> anyhow::Result<Self> {
        let bindir = binaries::find(options.bindir.as_deref())?;
        let run_as = RunAs::for_current_user()?;
        std::fs::create_dir_all(&options.data_dir).with_context(|| {
            format!(
                "could not create data directory {}",
                options.data_dir.display()
            )
        })?;
        let layout = Layout::resolve(&options.data_dir, run_as.as_ref())?;
        layout.create(&options.data_dir, run_as.as_ref())?;
        let mut cluster = Self {
            bindir,
            socket_dir: layout.socket_dir.clone(),
            port: PORT,
            layout,
            run_as,
        };
        // Two PriMa processes starting on one data directory take turns here, so that only one
        // runs initdb and the other finds the server running.
        let _lock = cluster.lock().await?;
        if !cluster.layout.pgdata.join("PG_VERSION").is_file() {
            cluster.initdb().await?;
        }
        cluster.write_settings(options.durability, &options.extra_settings)?;
        if cluster.is_running().await? {
            tracing::info!(pgdata = %cluster.layout.pgdata.display(), "reusing the running PostgreSQL server");
        } else {
            cluster.pg_ctl_start().await?;
        }
        cluster.read_pid_file()?;
        tracing::info!(
            pgdata = %cluster.layout.pgdata.display(),
            socket_dir = %cluster.socket_dir.display(),
            run_as = cluster.run_as.as_ref().map_or("current user", |user| user.name.as_str()),
            "embedded PostgreSQL is running"
        );
        Ok(cluster)
    }

    /// An exclusive lock on the cluster's folder, held until the guard is dropped.
    async fn lock(&self) -> anyhow::Result<nix::fcntl::Flock<std::fs::File>> {
        let path = self.layout.root.join("start.lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("could not open {}", path.display()))?;
        tokio::task::spawn_blocking(move || {
            nix::fcntl::Flock::lock(file, nix::fcntl::FlockArg::LockExclusive)
                .map_err(|(_, errno)| errno)
        })
        .await?
        .with_context(|| format!("could not lock {}", path.display()))
    }

    /// Connection settings for one database of the cluster.
    pub fn connect_options(&self, database: &str) -> PgConnectOptions {
        PgConnectOptions::new()
            .socket(&self.socket_dir)
            .port(self.port)
            .username(SUPERUSER)
            .database(database)
            // Tells this process's connections apart from other PriMa processes sharing the
            // cluster; see `stop_unless_shared`.
            .application_name(&application_name())
    }

    /// Creates `name` unless it exists; safe when two processes race.
    pub async fn ensure_database(&self, name: &str) -> anyhow::Result<()> {
        let mut connection = self.connect_with_retry("postgres").await?;
        let exists: bool =
            sqlx::query_scalar("select exists (select 1 from pg_database where datname = $1)")
                .bind(name)
                .fetch_one(&mut connection)
                .await?;
        if !exists {
            let statement = format!("create database \"{}\"", name.replace('"', "\"\""));
            match sqlx::raw_sql(&statement).execute(&mut connection).await {
                Ok(_) => tracing::info!(database = name, "created database"),
                // 42P04: it exists; 23505: another process created it at the same moment.
                Err(sqlx::Error::Database(error))
                    if matches!(error.code().as_deref(), Some("42P04" | "23505")) => {}
                Err(error) => return Err(error).context("could not create the database"),
            }
        }
        connection.close().await?;
        Ok(())
    }

    /// The server's account and pid file say it is up, but it may still be recovering.
    async fn connect_with_retry(&self, database: &str) -> anyhow::Result<sqlx::PgConnection> {
        let options = self.connect_options(database).disable_statement_logging();
        let mut attempt = 0;
        loop {
            match options.connect().await {
                Ok(connection) => return Ok(connection),
                Err(error) if attempt < 100 => {
                    tracing::debug!(%error, "embedded PostgreSQL not accepting connections yet");
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(error) => {
                    return Err(error)
                        .context("the embedded PostgreSQL does not accept connections");
                }
            }
        }
    }

    /// Stops the server unless another PriMa process still has connections to it: the last one
    /// to leave turns off the light. Call it after closing this process's pool.
    pub async fn stop_unless_shared(&self) -> anyhow::Result<()> {
        let _lock = self.lock().await?;
        let others = match self.connect_options("postgres").connect().await {
            Ok(mut connection) => {
                // A process that has just exited can still show in pg_stat_activity for a
                // moment (its backends end after the client has gone): only connections that
                // stay for two seconds belong to a PriMa that is still running.
                let mut others: i64 = 0;
                for _ in 0..20 {
                    others = sqlx::query_scalar(
                        "select count(*) from pg_stat_activity
                         where application_name like 'prima/%' and application_name <> $1",
                    )
                    .bind(application_name())
                    .fetch_one(&mut connection)
                    .await
                    .unwrap_or(0);
                    if others == 0 {
                        break;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                let _ = connection.close().await;
                others
            }
            Err(_) => 0,
        };
        if others > 0 {
            tracing::info!(
                connections = others,
                "other PriMa processes still use the embedded PostgreSQL; leaving it running"
            );
            return Ok(());
        }
        self.stop().await
    }

    /// Stops the server, letting it finish its checkpoint.
    #[tracing::instrument(skip_all)]
    pub async fn stop(&self) -> anyhow::Result<()> {
        let pgdata = self.layout.pgdata.as_os_str();
        let args = [
            "stop".as_ref(),
            "-D".as_ref(),
            pgdata,
            "-m".as_ref(),
            "fast".as_ref(),
            "-w".as_ref(),
            "-t".as_ref(),
            "60".as_ref(),
            "-s".as_ref(),
        ];
        let output = self.run("pg_ctl", &args).await?;
        if !output.status.success() && self.is_running().await? {
            bail!(
                "pg_ctl stop failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        tracing::info!("embedded PostgreSQL stopped");
        Ok(())
    }

    /// The folder of the server's data, e.g. for tests that look at the running process.
    pub fn pgdata(&self) -> &Path {
        &self.layout.pgdata
    }

    async fn initdb(&self) -> anyhow::Result<()> {
        // initdb into a side folder and rename, so that an interrupted first start leaves
        // nothing that looks like a cluster.
        let staging = self.layout.root.join("pgdata.initdb");
        if staging.exists() {
            std::fs::remove_dir_all(&staging)
                .with_context(|| format!("could not clear {}", staging.display()))?;
        }
        tracing::info!(pgdata = %self.layout.pgdata.display(), "creating the embedded PostgreSQL cluster");
        let args = [
            "-D".as_ref(),
            staging.as_os_str(),
            "--username".as_ref(),
            SUPERUSER.as_ref(),
            "--auth-local=trust".as_ref(),
            "--auth-host=reject".as_ref(),
            "--encoding=UTF8".as_ref(),
            "--locale=C.UTF-8".as_ref(),
            "--no-instructions".as_ref(),
        ];
        let output = self.run("initdb", &args).await?;
        if !output.status.success() {
            bail!(
                "initdb failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        let config = staging.join("postgresql.conf");
        let mut text = std::fs::read_to_string(&config)
            .with_context(|| format!("could not read {}", config.display()))?;
        text.push_str("\n# Settings PriMa owns; it rewrites prima.conf at every start.\ninclude_if_exists = 'prima.conf'\n");
        std::fs::write(&config, text)
            .with_context(|| format!("could not write {}", config.display()))?;
        std::fs::rename(&staging, &self.layout.pgdata).with_context(|| {
            format!(
                "could not move the new cluster to {}",
                self.layout.pgdata.display()
            )
        })?;
        Ok(())
    }

    fn write_settings(&self, durability: Durability, extra: &[String]) -> anyhow::Result<()> {
        let socket_dir = self.layout.socket_dir.to_string_lossy().replace('\'', "''");
        let durable = match durability {
            Durability::Durable => "on",
            Durability::Ephemeral => "off",
        };
        let text = format!(
            "# Written by PriMa at every start. Put your own settings into postgresql.conf.\n\
             listen_addresses = ''\n\
             port = {PORT}\n\
             unix_socket_directories = '{socket_dir}'\n\
             unix_socket_permissions = 0700\n\
             fsync = {durable}\n\
             synchronous_commit = {durable}\n\
             full_page_writes = {durable}\n\
             max_connections = 100\n{}",
            extra
                .iter()
                .map(|line| format!("{line}\n"))
                .collect::<String>()
        );
        let path = self.layout.pgdata.join("prima.conf");
        std::fs::write(&path, text)
            .with_context(|| format!("could not write {}", path.display()))?;
        if let Some(user) = &self.run_as {
            std::os::unix::fs::chown(&path, Some(user.uid), Some(user.gid))?;
        }
        Ok(())
    }

    async fn is_running(&self) -> anyhow::Result<bool> {
        let args = [
            "status".as_ref(),
            "-D".as_ref(),
            self.layout.pgdata.as_os_str(),
        ];
        let output = self.run("pg_ctl", &args).await?;
        // pg_ctl status: 0 running, 3 not running, 4 no usable data directory.
        Ok(output.status.success())
    }

    async fn pg_ctl_start(&self) -> anyhow::Result<()> {
        let args = [
            "start".as_ref(),
            "-D".as_ref(),
            self.layout.pgdata.as_os_str(),
            "-l".as_ref(),
            self.layout.log_file.as_os_str(),
            "-w".as_ref(),
            "-t".as_ref(),
            "120".as_ref(),
            "-s".as_ref(),
        ];
        let output = self.run("pg_ctl", &args).await?;
        if output.status.success() {
            return Ok(());
        }
        // Another PriMa on the same data directory may have won the race to start it.
        if self.is_running().await? {
            return Ok(());
        }
        let log = std::fs::read_to_string(&self.layout.log_file).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(10).collect();
        bail!(
            "the embedded PostgreSQL did not start ({}); last lines of {}:\n{}",
            String::from_utf8_lossy(&output.stderr).trim(),
            self.layout.log_file.display(),
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        )
    }

    /// The running server's pid file names its port and socket folder; a server adopted from an
    /// earlier run may use other ones than this start would have chosen.
    fn read_pid_file(&mut self) -> anyhow::Result<()> {
        let path = self.layout.pgdata.join("postmaster.pid");
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("could not read {}", path.display()))?;
        let lines: Vec<&str> = text.lines().collect();
        if let Some(port) = lines.get(3).and_then(|line| line.trim().parse().ok()) {
            self.port = port;
        }
        if let Some(dir) = lines
            .get(4)
            .map(|line| line.trim())
            .filter(|dir| !dir.is_empty())
        {
            self.socket_dir = PathBuf::from(dir);
        }
        Ok(())
    }

    /// Runs one of the server programs, as the server's account when we are root, in a process
    /// group of its own so that a Ctrl-C meant for PriMa does not reach it.
    async fn run(&self, program: &str, args: &[&std::ffi::OsStr]) -> anyhow::Result<Output> {
        let mut command = Command::new(self.bindir.join(program));
        command
            .args(args)
            .current_dir(&self.layout.root)
            .env_remove("PGDATA")
            .env("LC_ALL", "C.UTF-8")
            .process_group(0)
            .kill_on_drop(false);
        if let Some(user) = &self.run_as {
            command
                .uid(user.uid)
                .gid(user.gid)
                .env("HOME", &self.layout.root);
        }
        command
            .output()
            .await
            .with_context(|| format!("could not run {program}"))
    }
}

fn application_name() -> String {
    format!("prima/{}", std::process::id())
}

/// `prima database stop`: stops the cluster of a data directory if one is running there.
pub async fn stop_cluster_of(data_dir: &Path, bindir: Option<&Path>) -> anyhow::Result<()> {
    let bindir = binaries::find(bindir)?;
    let run_as = RunAs::for_current_user()?;
    if !data_dir.is_dir() {
        bail!("{} is not a data directory", data_dir.display());
    }
    let layout = Layout::resolve(data_dir, run_as.as_ref())?;
    let cluster = EmbeddedPostgres {
        bindir,
        socket_dir: layout.socket_dir.clone(),
        port: PORT,
        layout,
        run_as,
    };
    if cluster.is_running().await? {
        cluster.stop().await
    } else {
        tracing::info!(
            "no embedded PostgreSQL is running for {}",
            data_dir.display()
        );
        Ok(())
    }
}

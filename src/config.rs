//! Runtime configuration: one struct, filled from command-line flags or the environment, so that
//! the same settings work in development, in a container and in tests.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

/// Everything the server needs to know at start.
#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// Address and port the web server listens on.
    #[arg(long, env = "PRIMA_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// PostgreSQL connection URL. Without it, PriMa starts its own embedded PostgreSQL cluster in
    /// the data directory.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<Secret>,

    /// Where the embedded PostgreSQL cluster and other local state live.
    #[arg(long, env = "PRIMA_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// Folder with the PostgreSQL server programs for the embedded cluster; found automatically
    /// (`pg_config --bindir`, PATH, `/usr/lib/postgresql/*/bin`) when not set.
    #[arg(long, env = "PRIMA_PG_BINDIR")]
    pub pg_bindir: Option<PathBuf>,

    /// Log filter in `tracing` syntax, e.g. `info` or `prima=debug,tower_http=info`.
    #[arg(long, env = "PRIMA_LOG", default_value = "info")]
    pub log: String,

    /// Log format: `text` for people, `json` for log collectors.
    #[arg(long, env = "PRIMA_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"])]
    pub log_format: String,

    /// The project's own static files (CSS, images).
    #[arg(long, env = "PRIMA_STATIC_DIR", default_value = "static")]
    pub static_dir: PathBuf,

    /// Where `npm ci` put the web dependencies (KERN UX).
    #[arg(long, env = "PRIMA_NODE_MODULES", default_value = "node_modules")]
    pub node_modules_dir: PathBuf,

    /// Minutes a session may stay unused before it ends.
    #[arg(long, env = "PRIMA_SESSION_IDLE_MINUTES", default_value = "30")]
    pub session_idle_minutes: u32,

    /// Hours after which a session ends however much it is used.
    #[arg(long, env = "PRIMA_SESSION_ABSOLUTE_HOURS", default_value = "12")]
    pub session_absolute_hours: u32,

    /// Mark cookies `Secure` (with the `__Host-` prefix): on by default, off by default only in
    /// the embedded development mode (no DATABASE_URL), where PriMa is served over plain http on
    /// loopback.
    #[arg(long, env = "PRIMA_SECURE_COOKIES")]
    pub secure_cookies: Option<bool>,

    /// Send Strict-Transport-Security (for deployments served over https): defaults to the
    /// cookie setting.
    #[arg(long, env = "PRIMA_HSTS")]
    pub hsts: Option<bool>,

    /// Behind one reverse proxy: the client address is the last X-Forwarded-For entry (the one
    /// the proxy appended), and the proxy's X-Request-Id is kept.
    #[arg(long, env = "PRIMA_TRUST_PROXY", default_value = "false")]
    pub trust_proxy: bool,

    /// In the embedded development mode, load the 60 example measures at the first start.
    #[arg(long, env = "PRIMA_DEMO", default_value = "true", action = clap::ArgAction::Set)]
    pub demo: bool,

    /// Seconds a request may take before it is answered with 408.
    #[arg(long, env = "PRIMA_REQUEST_TIMEOUT", default_value = "30", value_parser = parse_seconds)]
    pub request_timeout: Duration,

    /// Days finished jobs (with their files) and uploaded import tables are kept; a committed
    /// import keeps what became of each row, only the uploaded table goes.
    #[arg(long, env = "PRIMA_KEEP_FILES_DAYS", default_value = "7",
          value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub keep_files_days: u32,
}

impl Config {
    /// The embedded development mode: no DATABASE_URL.
    pub fn is_development(&self) -> bool {
        self.database_url.is_none()
    }

    pub fn secure_cookies(&self) -> bool {
        self.secure_cookies.unwrap_or(!self.is_development())
    }
}

fn parse_seconds(value: &str) -> Result<Duration, String> {
    let seconds: u64 = value
        .parse()
        .map_err(|_| format!("expected whole seconds, got {value:?}"))?;
    if seconds == 0 {
        return Err("must be at least one second".to_owned());
    }
    Ok(Duration::from_secs(seconds))
}

/// A value that must never reach a log line: `Debug` and `Display` print a placeholder.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the one place that needs it (e.g. connecting to the database).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl FromStr for Secret {
    type Err = std::convert::Infallible;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Ok(Self::new(value))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_prints_its_value() {
        let secret = Secret::new("postgres://prima:hunter2@db/prima");
        assert!(!format!("{secret:?}").contains("hunter2"));
        assert!(!format!("{secret}").contains("hunter2"));
        assert_eq!(secret.expose(), "postgres://prima:hunter2@db/prima");
    }

    #[test]
    fn a_request_timeout_must_be_positive_whole_seconds() {
        assert_eq!(parse_seconds("5"), Ok(Duration::from_secs(5)));
        assert!(parse_seconds("0").is_err());
        assert!(parse_seconds("1.5").is_err());
    }
}

//! Logging setup: one subscriber for the whole process, text for people or JSON for collectors.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber. Calling it twice (as tests may) is harmless.
pub fn init(filter: &str, format: &str) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    // Logs go to standard error, so that what a command prints (`prima explain`, `prima demo`,
    // one-time passwords) is alone on standard output and can be piped.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let result = if format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
    // An already installed subscriber is fine: the first one wins.
    drop(result);
}

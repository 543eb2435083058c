//! The `prima` command line: `serve` (the default) runs the web application, `migrate` brings a
//! database schema up to date, `database stop` stops an embedded cluster left running.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use prima::config::Config;

#[derive(Debug, Parser)]
#[command(
    name = "prima",
    version,
    about = "PriMa – Maßnahmenkatalog und Prioritätenmanagement"
)]
struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web application (the default).
    Serve,
    /// Apply the database migrations and load the strategy content, then exit.
    Migrate,
    /// Manage the embedded PostgreSQL cluster of the data directory.
    #[command(subcommand)]
    Database(DatabaseCommand),
}

#[derive(Debug, Subcommand)]
enum DatabaseCommand {
    /// Stop the embedded cluster if it is running (e.g. after PriMa was killed).
    Stop,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    prima::telemetry::init(&cli.config.log, &cli.config.log_format);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => prima::server::serve(cli.config).await,
        Command::Migrate => prima::server::migrate_only(cli.config).await,
        Command::Database(DatabaseCommand::Stop) => {
            prima::db::embedded::stop_cluster_of(
                &cli.config.data_dir,
                cli.config.pg_bindir.as_deref(),
            )
            .await
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // `{:#}` prints the whole context chain on one line, which is what an operator needs.
            tracing::error!("{error:#}");
            eprintln!("prima: {error:#}");
            ExitCode::FAILURE
        }
    }
}

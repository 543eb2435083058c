//! The `prima` command line: `serve` (the default) runs the web application, `migrate` brings a
//! database schema up to date, `database stop` stops an embedded cluster left running, `user`
//! manages accounts, `demo` loads example or generated measures, and `explain` shows how
//! PostgreSQL runs a catalogue view.

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
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Fill the database with example measures: the 60 hand-written ones (once), or with
    /// --measures N that many generated ones, the same for the same --seed (for load tests),
    /// and an open prioritisation round of all generated measures assessed by eight officers.
    Demo {
        #[arg(long)]
        measures: Option<usize>,
        #[arg(long, default_value = "1")]
        seed: u64,
        /// With --measures: the measures only, no load-test round (for export benchmarks).
        #[arg(long)]
        without_round: bool,
    },
    /// Show how PostgreSQL runs a catalogue view, given as the query string of its address
    /// (e.g. "suche=Digitalisierung&sortierung=titel&seite=2"): the plan with times and buffers.
    Explain { view: String },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create an account. The password is read from standard input with --password-stdin,
    /// else generated and shown once.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// altona, bergedorf, eimsbuettel, hamburg-mitte, hamburg-nord, harburg, wandsbek, zentral
        #[arg(long)]
        office: String,
        /// staff, district-officer, central-officer, strategy-team, admin (repeatable)
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a person's password (from standard input with --password-stdin, else generated and
    /// shown once) and end their sessions.
    SetPassword {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password_stdin: bool,
    },
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
        Command::User(command) => user_command(cli.config, command).await,
        Command::Demo {
            measures,
            seed,
            without_round,
        } => demo_command(cli.config, measures, seed, !without_round).await,
        Command::Explain { view } => explain_command(cli.config, &view).await,
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

async fn user_command(config: prima::config::Config, command: UserCommand) -> anyhow::Result<()> {
    let database = prima::db::Database::open(&config).await?;
    let result = async {
        database.prepare().await?;
        let common = prima::domain::password::CommonPasswords::load(&config.node_modules_dir)?;
        let pool = database.pool();
        let shown = match command {
            UserCommand::Create {
                email,
                name,
                office,
                roles,
                password_stdin,
            } => {
                let password = password_stdin.then(read_password).transpose()?;
                let shown = prima::accounts::create_user(
                    pool, &common, &email, &name, &office, &roles, password,
                )
                .await?;
                println!("created the account {email}");
                shown
            }
            UserCommand::SetPassword {
                email,
                password_stdin,
            } => {
                let password = password_stdin.then(read_password).transpose()?;
                let shown = prima::accounts::set_password(pool, &common, &email, password).await?;
                println!("set the password of {email}; their sessions are ended");
                shown
            }
        };
        if let Some(password) = shown {
            println!(
                "one-time password (shown once; valid 72 hours, for the first sign-in only, which chooses the person's own): {}",
                password.expose()
            );
        }
        anyhow::Ok(())
    }
    .await;
    database.close().await;
    result
}

/// One line from standard input, without its line break.
fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

async fn explain_command(config: prima::config::Config, view: &str) -> anyhow::Result<()> {
    let query: prima::web::measures::catalogue::CatalogueQuery =
        serde_urlencoded::from_str(view.trim_start_matches('?'))?;
    let database = prima::db::Database::open(&config).await?;
    let result = async {
        database.prepare().await?;
        let plan = prima::db::catalogue::explain(
            database.pool(),
            &query.filter(),
            prima::web::measures::catalogue::PAGE_SIZE,
            query.offset(),
        )
        .await?;
        println!("{}", plan.join("\n"));
        anyhow::Ok(())
    }
    .await;
    database.close().await;
    result
}

async fn demo_command(
    config: prima::config::Config,
    measures: Option<usize>,
    seed: u64,
    with_round: bool,
) -> anyhow::Result<()> {
    let database = prima::db::Database::open(&config).await?;
    let result = async {
        database.prepare().await?;
        let pool = database.pool();
        match measures {
            None => {
                let loaded = prima::demo::load_examples(pool).await?;
                println!("loaded {loaded} example measures");
            }
            Some(count) => {
                let loaded = prima::demo::load_generated(pool, count, seed).await?;
                println!("generated {loaded} measures (seed {seed})");
                if !with_round {
                    return Ok(());
                }
                if let Some(round) = prima::demo::load_test_round(pool, seed).await? {
                    println!(
                        "opened the round \"Lasttest (Startwert {seed})\" of {round} measures, assessed by 8 officers"
                    );
                }
            }
        }
        anyhow::Ok(())
    }
    .await;
    database.close().await;
    result
}

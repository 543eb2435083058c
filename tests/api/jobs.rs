//! Long work as jobs: the strategy report as PDF runs in the background with a progress page,
//! downloads when ready, survives a restart, is retried when its instance dies and given up
//! with a German message after its attempts; two instances never run the same job.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use prima::domain::roles::Role;
use prima::web::jobs::worker::Worker;

use crate::support::accounts::Client;
use crate::support::{pdf, spawn_app};

#[derive(Debug, serde::Deserialize)]
struct Standing {
    status: String,
    step: i32,
    steps: i32,
    text: String,
    download: Option<String>,
}

async fn standing(client: &Client, job: &str) -> Standing {
    let response = client.get(&format!("{job}/stand")).await;
    assert_eq!(response.status, StatusCode::OK);
    serde_json::from_str(&response.body).expect("the job's standing as JSON")
}

/// Polls the job until it is done or failed; every standing seen on the way.
async fn until_finished(client: &Client, job: &str) -> Vec<Standing> {
    let started = Instant::now();
    let mut seen = Vec::new();
    loop {
        let now = standing(client, job).await;
        let finished = now.status == "done" || now.status == "failed";
        seen.push(now);
        if finished {
            return seen;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the job finishes: {seen:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_strategy_report_runs_as_a_job_with_progress_and_downloads_as_pdf_ua() {
    let app = spawn_app().await;
    prima::demo::load_examples(&app.db)
        .await
        .expect("the example measures");
    let team = app.signed_in(Role::StrategyTeam).await;
    // The instance is down while the job is asked for: it waits in the queue.
    app.stop_worker().await;

    let report = team.page("/berichte/strategie").await;
    assert_eq!(
        report.count("form[action='/berichte/strategie/pdf'] button"),
        1
    );
    let started = team.post_form("/berichte/strategie/pdf", &[]).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER);
    let job = started
        .header("location")
        .expect("the job's page")
        .to_owned();
    assert!(job.starts_with("/auftraege/"));

    let waiting = team.page(&job).await;
    assert_eq!(waiting.count("progress[max='3'][value='0']"), 1);
    assert!(waiting.text("[aria-live=polite]").contains("wartet"));
    assert!(
        waiting.links("[data-job-refresh] a").contains(&job),
        "Aktualisieren"
    );
    assert_eq!(waiting.count("meta[http-equiv]"), 0, "no meta refresh");
    assert_eq!(waiting.count(".job__download"), 0);
    let mine = team.page("/auftraege").await;
    assert!(mine.links("td a, th a").contains(&job));

    // A new instance takes the job over.
    *app.worker.lock().await = Some(Worker::start(app.state.clone()));
    let seen = until_finished(&team, &job).await;
    let last = seen.last().expect("a standing");
    assert_eq!(last.status, "done", "{seen:?}");
    assert_eq!((last.step, last.steps), (3, 3));
    assert!(
        seen.windows(2).all(|pair| pair[0].step <= pair[1].step),
        "progress only advances: {seen:?}"
    );

    let done = team.page(&job).await;
    assert_eq!(done.count("progress[max='3'][value='3']"), 1);
    assert_eq!(done.count("[data-job-refresh]"), 0);
    let href = last.download.clone().expect("the file's address");
    assert!(done.links(".job__download").contains(&href));
    let file = team.get(&href).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.header("content-type"), Some("application/pdf"));
    assert!(
        file.header("content-disposition")
            .is_some_and(|value| value.starts_with("attachment; filename=\"strategiebericht-"))
    );
    let found = pdf::assert_accessible(
        &file.bytes,
        "Bericht zur Digitalstrategie „Digitalstrategie der Bezirksämter“",
    );
    assert!(found.figure_alts.len() >= 2, "the charts: {found:?}");
    assert!(found.tags.iter().any(|tag| tag == "TH"));
    // Every measure under a goal, with its status, as the database has it.
    let text = pdf::text(&file.bytes);
    let measures: Vec<(i64, String)> = sqlx::query_as(
        "select distinct m.number, m.title from measures m
         join measure_goals mg on mg.measure_id = m.id
         where m.status not in ('draft', 'merged')",
    )
    .fetch_all(&app.db)
    .await
    .expect("measures");
    assert!(measures.len() > 20);
    for (number, title) in &measures {
        let first_words: String = title
            .split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            text.contains(&format!("M-{number} {first_words}")),
            "M-{number} {title} in the report"
        );
    }
    let goals: Vec<String> = sqlx::query_scalar("select statement from goals")
        .fetch_all(&app.db)
        .await
        .expect("goals");
    for goal in goals {
        let start: String = goal
            .split_whitespace()
            .take(4)
            .collect::<Vec<_>>()
            .join(" ");
        assert!(text.contains(&start), "{start:?} in the report");
    }

    // Nobody else sees the job or its file.
    let other = app.signed_in(Role::Staff).await;
    assert_eq!(other.get(&job).await.status, StatusCode::NOT_FOUND);
    assert_eq!(other.get(&href).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_job_whose_instance_died_is_taken_again_and_given_up_after_its_attempts() {
    let app = spawn_app().await;
    let team = app.signed_in(Role::StrategyTeam).await;
    let owner: uuid::Uuid =
        sqlx::query_scalar("select id from users order by created_at desc limit 1")
            .fetch_one(&app.db)
            .await
            .expect("the team member");
    app.stop_worker().await;
    // Two jobs whose instance stopped answering ten minutes ago: one with attempts left, one
    // on its last.
    let jobs: Vec<(uuid::Uuid, i32)> = sqlx::query_as(
        "insert into jobs (id, kind, owner_id, status, step, steps, phase, attempts, worker,
                           heartbeat_at)
         values (gen_random_uuid(), 'strategy_report', $1, 'running', 1, 3, 'Seiten', 1, 'dead',
                 now() - interval '10 minutes'),
                (gen_random_uuid(), 'strategy_report', $1, 'running', 1, 3, 'Seiten', 3, 'dead',
                 now() - interval '10 minutes')
         returning id, attempts",
    )
    .bind(owner)
    .fetch_all(&app.db)
    .await
    .expect("jobs");
    let retried = format!(
        "/auftraege/{}",
        jobs.iter().find(|job| job.1 == 1).expect("one").0
    );
    let given_up = format!(
        "/auftraege/{}",
        jobs.iter().find(|job| job.1 == 3).expect("one").0
    );

    *app.worker.lock().await = Some(Worker::start(app.state.clone()));
    let seen = until_finished(&team, &retried).await;
    assert_eq!(seen.last().expect("a standing").status, "done", "{seen:?}");
    let attempts: i32 = sqlx::query_scalar("select attempts from jobs where id = $1::uuid")
        .bind(retried.trim_start_matches("/auftraege/"))
        .fetch_one(&app.db)
        .await
        .expect("attempts");
    assert_eq!(attempts, 2);

    let failed = until_finished(&team, &given_up).await;
    let last = failed.last().expect("a standing");
    assert_eq!(last.status, "failed");
    assert!(
        last.text
            .starts_with("Der Auftrag ist mehrmals abgebrochen"),
        "{last:?}"
    );
    let page = team.page(&given_up).await;
    assert!(page.text(".kern-alert--danger").contains("Administration"));
    assert_eq!(
        team.get(&format!("{given_up}/datei")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn two_instances_never_run_the_same_job() {
    let app = spawn_app().await;
    // Three people with two reports each (a person may have three open jobs).
    let mut team = Vec::new();
    for _ in 0..3 {
        team.push(app.signed_in(Role::StrategyTeam).await);
    }
    app.stop_worker().await;
    let mut jobs = Vec::new();
    for member in &team {
        for _ in 0..2 {
            let started = member.post_form("/berichte/strategie/pdf", &[]).await;
            jobs.push((
                member,
                started.header("location").expect("a job").to_owned(),
            ));
        }
    }
    let first = Worker::start(app.state.clone());
    let second = Worker::start(app.state.clone());
    let names = [first.name().to_owned(), second.name().to_owned()];
    for (member, job) in &jobs {
        let seen = until_finished(member, job).await;
        assert_eq!(seen.last().expect("a standing").status, "done");
    }
    first.stop().await;
    second.stop().await;
    let runs: Vec<(i32, Option<String>)> = sqlx::query_as("select attempts, worker from jobs")
        .fetch_all(&app.db)
        .await
        .expect("the jobs");
    assert_eq!(runs.len(), 6);
    for (attempts, worker) in runs {
        assert_eq!(attempts, 1, "each job ran once");
        assert!(names.contains(&worker.expect("who ran it")));
    }
}

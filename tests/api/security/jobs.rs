//! Jobs are shared fairly and do not pile up (issue 21, finding 11): thirty reports of one person
//! delayed another officer's import from 2 s to 35 s, and job files and uploaded tables were kept
//! forever. A person has at most three open jobs, owners take turns, and what outlived
//! `PRIMA_KEEP_FILES_DAYS` is removed.

use axum::http::StatusCode;
use prima::db;
use prima::domain::office::Office;
use prima::domain::roles::Role;

use crate::support::{TestApp, spawn_app};

async fn open_jobs(app: &TestApp, owner: prima::domain::ids::UserId) -> i64 {
    sqlx::query_scalar(
        "select count(*) from jobs where owner_id = $1 and status in ('queued', 'running')",
    )
    .bind(owner.0)
    .fetch_one(&app.db)
    .await
    .expect("a count")
}

#[tokio::test]
async fn a_person_has_at_most_three_open_jobs_and_a_fourth_is_refused_with_a_german_page() {
    let app = spawn_app().await;
    app.stop_worker().await;
    let first = app.create_user(&[Role::StrategyTeam], Office::Altona).await;
    let other = app.create_user(&[Role::StrategyTeam], Office::Altona).await;
    let (member, colleague) = (app.login(&first).await, app.login(&other).await);

    for _ in 0..3 {
        let started = member.post_form("/berichte/strategie/pdf", &[]).await;
        assert_eq!(started.status, StatusCode::SEE_OTHER);
    }
    let refused = member.post_form("/berichte/strategie/pdf", &[]).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.header("retry-after"), Some("30"));
    let page = refused.page();
    assert!(
        page.text("[role=alert]")
            .contains("Sie haben bereits 3 Aufträge, die warten oder laufen"),
        "{}",
        page.text("main")
    );
    assert_eq!(page.count("main tbody tr"), 3, "the open jobs are listed");
    assert_eq!(open_jobs(&app, first.id).await, 3, "nothing was queued");

    // Someone else is not held up by it.
    let theirs = colleague.post_form("/berichte/strategie/pdf", &[]).await;
    assert_eq!(theirs.status, StatusCode::SEE_OTHER);

    // Parallel requests cannot pass the limit between the count and the insert.
    let third = app
        .create_user(&[Role::StrategyTeam], Office::Wandsbek)
        .await;
    let params = serde_json::json!({});
    let created = futures_util::future::join_all(
        (0..10).map(|_| db::jobs::create(&app.db, "strategy_report", &params, third.id, 3)),
    )
    .await;
    let queued = created
        .into_iter()
        .map(|result| result.expect("no database error"))
        .filter(Option::is_some)
        .count();
    assert_eq!(queued, 3);
    assert_eq!(open_jobs(&app, third.id).await, 3);
}

#[tokio::test]
async fn owners_take_turns_so_many_jobs_of_one_person_do_not_delay_another() {
    let app = spawn_app().await;
    app.stop_worker().await;
    let busy = app.create_user(&[Role::StrategyTeam], Office::Altona).await;
    let officer = app
        .create_user(&[Role::DistrictOfficer], Office::Harburg)
        .await;
    let params = serde_json::json!({});
    let (db, params) = (&app.db, &params);
    let queue = |owner| async move {
        db::jobs::create(db, "strategy_report", params, owner, 3)
            .await
            .expect("queued")
            .expect("within the limit")
    };
    let theirs = [
        queue(busy.id).await,
        queue(busy.id).await,
        queue(busy.id).await,
    ];
    let import = queue(officer.id).await;
    // Clearly ordered in time: the busy person's three first, the officer's last.
    for (minutes, id) in [(4, theirs[0]), (3, theirs[1]), (2, theirs[2]), (1, import)] {
        sqlx::query("update jobs set created_at = now() - make_interval(mins => $2) where id = $1")
            .bind(id)
            .bind(minutes)
            .execute(&app.db)
            .await
            .expect("aged");
    }

    let claim = || async {
        db::jobs::claim(&app.db, "probe", 60.0, 3)
            .await
            .expect("a claim")
            .expect("a job to take")
            .id
    };
    assert_eq!(claim().await, theirs[0], "the oldest first");
    assert_eq!(
        claim().await,
        import,
        "the officer's first job before the busy person's second"
    );
    db::jobs::finish(
        &app.db,
        theirs[0],
        "probe",
        "a.pdf",
        "application/pdf",
        b"%PDF",
    )
    .await
    .expect("finished");
    assert_eq!(claim().await, theirs[1]);
    assert_eq!(claim().await, theirs[2]);
}

#[tokio::test]
async fn finished_jobs_and_uploaded_tables_are_removed_after_the_retention_time() {
    let app = spawn_app().await;
    app.stop_worker().await;
    let person = app
        .create_user(&[Role::DistrictOfficer], Office::Harburg)
        .await;
    let officer = app.login(&person).await;
    let finished = |days: i32| {
        sqlx::query_scalar::<_, uuid::Uuid>(
            "insert into jobs (id, kind, owner_id, status, step, steps, result, result_name,
                               result_type, created_at, finished_at)
             values (gen_random_uuid(), 'strategy_report', $1, 'done', 3, 3, '\\x25504446',
                     'bericht.pdf', 'application/pdf', now() - make_interval(days => $2),
                     now() - make_interval(days => $2))
             returning id",
        )
        .bind(person.id.0)
        .bind(days)
        .fetch_one(&app.db)
    };
    let old_job = finished(8).await.expect("an old job");
    let recent_job = finished(6).await.expect("a recent job");

    let csv = "Maßnahme;Kurzbeschreibung\nDigitale Akte;Akten digital führen.\n".as_bytes();
    let mut imports = Vec::new();
    for _ in 0..3 {
        imports.push(crate::imports::upload(&officer, "liste.csv", csv).await);
    }
    let id = |path: &str| {
        path.trim_start_matches("/massnahmen/import/")
            .parse::<uuid::Uuid>()
            .expect("an import id")
    };
    let (forgotten, committed) = (id(&imports[0]), id(&imports[1]));
    sqlx::query("update imports set created_at = now() - interval '9 days' where id = $1")
        .bind(forgotten)
        .execute(&app.db)
        .await
        .expect("aged");
    sqlx::query(
        "update imports set created_at = now() - interval '9 days',
                            committed_at = now() - interval '9 days',
                            created_count = 1, merged_count = 0, skipped_count = 0
         where id = $1",
    )
    .bind(committed)
    .execute(&app.db)
    .await
    .expect("committed long ago");

    prima::web::jobs::worker::housekeep(&app.state).await;

    assert_eq!(
        officer.get(&format!("/auftraege/{old_job}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        officer
            .get(&format!("/auftraege/{recent_job}/datei"))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        officer.get(&imports[0]).await.status,
        StatusCode::NOT_FOUND,
        "an upload never committed goes whole"
    );
    let kept = officer.page(&imports[1]).await;
    assert!(
        kept.text("main")
            .contains("nach Ablauf der Aufbewahrungsfrist gelöscht"),
        "{}",
        kept.text("main")
    );
    assert!(kept.text("main").contains("1 Maßnahme neu angelegt"));
    assert!(
        kept.text("nav.breadcrumb").contains("Übernommen"),
        "the breadcrumb names the step it is at"
    );
    let rows: serde_json::Value = sqlx::query_scalar("select rows from imports where id = $1")
        .bind(committed)
        .fetch_one(&app.db)
        .await
        .expect("the committed import is kept");
    assert_eq!(rows, serde_json::json!([]), "its uploaded table is gone");
    assert_eq!(officer.get(&imports[2]).await.status, StatusCode::OK);

    let list = officer.page("/auftraege").await;
    assert!(list.text("main").contains("der letzten 7 Tage"));
    let upload = officer.page("/massnahmen/import").await;
    assert!(upload.text("main").contains("nach 7 Tagen gelöscht"));
}

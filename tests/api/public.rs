//! The public side: releasing takes two members of the strategy team, the public sees only the
//! reviewed texts of measures in a public status, nothing behind the login reaches the public
//! pages or the open data, and the open data carries validators, a schema and a throttle.

use axum::http::StatusCode;
use prima::domain::office::Office;
use prima::domain::roles::Role;

use crate::support::accounts::Client;
use crate::support::{TestApp, spawn_app};

/// A measure in `status` (slug in the database) with texts; its id and number.
async fn measure(app: &TestApp, title: &str, status: &str) -> (uuid::Uuid, i64) {
    sqlx::query_as(
        "insert into measures (id, title, summary, description, expected_benefit, status,
                               lead_office, contact_person, responsible_unit, cost_euros)
         values (gen_random_uuid(), $1, 'Eine Kurzbeschreibung.', 'Die Beschreibung.',
                 'Der Nutzen.', $2::measure_status, 'altona', 'Erika Kontaktperson',
                 'Referat Geheimhaltung', 98765)
         returning id, number",
    )
    .bind(title)
    .bind(status)
    .fetch_one(&app.db)
    .await
    .expect("a measure")
}

/// The public page as anyone gets it; the page follows a release through a notification, so
/// it is read again until `done` says it shows the change (or a few seconds have passed).
async fn public_page(anonymous: &Client, path: &str, done: impl Fn(&str) -> bool) -> String {
    let mut body = String::new();
    for _ in 0..50 {
        body = anonymous.get(path).await.body;
        if done(&body) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    body
}

async fn step(client: &Client, measure: uuid::Uuid, action: &str, version: &str) -> StatusCode {
    client
        .post_form(
            &format!("/massnahmen/{measure}/veroeffentlichung/{action}"),
            &[("version", version)],
        )
        .await
        .status
}

#[tokio::test]
async fn releasing_takes_two_members_and_the_public_sees_only_the_reviewed_texts() {
    let app = spawn_app().await;
    let (id, number) = measure(&app, "Digitale Bauakte für alle", "accepted").await;
    let (submitted, _) = measure(&app, "Noch nicht angenommen", "submitted").await;
    let first = app.signed_in(Role::StrategyTeam).await;
    let second = app.signed_in(Role::StrategyTeam).await;
    let staff = app.signed_in(Role::Staff).await;
    let officer = app.signed_in(Role::CentralOfficer).await;
    let anonymous = app.anonymous();

    // Only the strategy team, and only measures accepted or later.
    assert_eq!(
        step(&staff, id, "vorschlagen", "0").await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        step(&officer, id, "vorschlagen", "0").await,
        StatusCode::FORBIDDEN
    );
    let refused = first
        .post_form(
            &format!("/massnahmen/{submitted}/veroeffentlichung/vorschlagen"),
            &[("version", "0")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .page()
            .text("#veroeffentlichung")
            .contains("angenommene")
    );
    // The box is the strategy team's alone.
    assert_eq!(
        staff
            .page(&format!("/massnahmen/{id}"))
            .await
            .count("#oeffentlichkeit"),
        0
    );

    assert_eq!(
        step(&first, id, "vorschlagen", "0").await,
        StatusCode::SEE_OTHER
    );
    // Proposed is not public yet.
    assert_eq!(
        anonymous
            .get(&format!("/oeffentlich/massnahmen/{number}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // The proposer cannot release it: four eyes.
    let own = first
        .post_form(
            &format!("/massnahmen/{id}/veroeffentlichung/freigeben"),
            &[("version", "1")],
        )
        .await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(own.page().text("#veroeffentlichung").contains("Vier-Augen"));
    // A release from an old page is refused with what is current.
    assert_eq!(
        step(&second, id, "freigeben", "0").await,
        StatusCode::CONFLICT
    );
    let page = second.page(&format!("/massnahmen/{id}")).await;
    assert!(
        page.text(".publication__proposal")
            .contains("Digitale Bauakte für alle")
    );
    assert_eq!(
        step(&second, id, "freigeben", "1").await,
        StatusCode::SEE_OTHER
    );
    let index = public_page(&anonymous, "/oeffentlich", |body| {
        body.contains("Digitale Bauakte für alle")
    })
    .await;
    assert!(index.contains(&format!("M-{number} Digitale Bauakte für alle")));
    let detail = anonymous
        .get(&format!("/oeffentlich/massnahmen/{number}"))
        .await;
    assert_eq!(detail.status, StatusCode::OK);
    let text = detail.page().text("main");
    assert!(text.contains("Die Beschreibung."), "{text}");
    for internal in ["Erika Kontaktperson", "Referat Geheimhaltung", "98765"] {
        assert!(!detail.body.contains(internal), "{internal} is not public");
    }
    // The history says who took which step.
    let history = first
        .page(&format!("/massnahmen/{id}"))
        .await
        .texts(".history-entry");
    assert!(
        history
            .iter()
            .any(|entry| entry.contains("Für die Öffentlichkeit freigegeben")),
        "{history:?}"
    );

    // An edit after the release reaches the public only through the next review.
    sqlx::query("update measures set title = 'Bauakte mit neuem Titel', version = version + 1 where id = $1")
        .bind(id)
        .execute(&app.db)
        .await
        .expect("an edit");
    let after_edit = public_page(&anonymous, "/oeffentlich", |_| true).await;
    assert!(after_edit.contains("Digitale Bauakte für alle"));
    assert!(!after_edit.contains("Bauakte mit neuem Titel"));
    let box_text = first
        .page(&format!("/massnahmen/{id}"))
        .await
        .text(".publication");
    assert!(
        box_text.contains("seit der Freigabe geändert"),
        "{box_text}"
    );

    // A measure that leaves the public statuses leaves the public page; withdrawing too.
    sqlx::query("update measures set status = 'deferred' where id = $1")
        .bind(id)
        .execute(&app.db)
        .await
        .expect("deferred");
    let gone = public_page(&anonymous, "/oeffentlich", |body| {
        !body.contains("Digitale Bauakte für alle")
    })
    .await;
    assert!(!gone.contains("Digitale Bauakte für alle"));
    sqlx::query("update measures set status = 'in_progress' where id = $1")
        .bind(id)
        .execute(&app.db)
        .await
        .expect("in progress");
    assert_eq!(
        step(&second, id, "zuruecknehmen", "2").await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        anonymous
            .get(&format!("/oeffentlich/massnahmen/{number}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_public_search_is_german_full_text() {
    let app = spawn_app().await;
    let (id, _) = measure(&app, "Online-Terminbuchung im Kundenzentrum", "in_progress").await;
    measure(&app, "Gewerbeanmeldung digital", "accepted").await;
    sqlx::query(
        "insert into measure_publications (measure_id, released, released_at)
         select id, jsonb_build_object('title', title, 'summary', summary,
                                       'description', description,
                                       'expected_benefit', expected_benefit), now()
         from measures",
    )
    .execute(&app.db)
    .await
    .expect("released");
    let anonymous = app.anonymous();
    let found = anonymous.page("/oeffentlich?q=Terminbuchungen").await;
    let titles = found.texts(".public-item h3");
    assert_eq!(titles.len(), 1, "{titles:?}");
    assert!(titles[0].contains("Online-Terminbuchung"));
    assert!(found.text("[role=status]").contains("1 Maßnahme passt"));
    assert_eq!(
        anonymous
            .page("/oeffentlich?q=Bürgerbüro")
            .await
            .count(".public-item"),
        0
    );
    let _ = id;
}

/// Strings that live behind the login and must never reach the public side.
const PLANTED: [&str; 9] = [
    "GEHEIME-INTERNE-NOTIZ",
    "ENTWURF-NIEMALS-OEFFENTLICH",
    "UNVEROEFFENTLICHT-ANGENOMMEN",
    "Erika Kontaktperson",
    "Referat Geheimhaltung",
    "UMSETZUNGSNOTIZ-INTERN",
    "Bea Geheim-Beauftragte",
    "bea.geheim@bezirksamt.invalid",
    "NEUE-FASSUNG-UNGEPRUEFT",
];

#[tokio::test]
async fn nothing_behind_the_login_reaches_the_public_pages_or_the_open_data() {
    let app = spawn_app().await;
    prima::demo::load_examples(&app.db)
        .await
        .expect("the examples, some released");
    let officer_user = app
        .create_user(&[Role::DistrictOfficer], Office::Altona)
        .await;
    sqlx::query("update users set display_name = 'Bea Geheim-Beauftragte', email = 'bea.geheim@bezirksamt.invalid' where id = $1")
        .bind(officer_user.id.0)
        .execute(&app.db)
        .await
        .expect("a named officer");
    let (released, _) = measure(&app, "Öffentliche Maßnahme", "in_progress").await;
    sqlx::query(
        "insert into measure_publications (measure_id, released, released_by, released_at)
         select id, jsonb_build_object('title', title, 'summary', summary,
                                       'description', description,
                                       'expected_benefit', expected_benefit), $2, now()
         from measures where id = $1",
    )
    .bind(released)
    .bind(officer_user.id.0)
    .execute(&app.db)
    .await
    .expect("released");
    // Everything internal about the released measure: a note, the implementation's note, an
    // edit not yet reviewed, a pending proposal, the officer's name on every row.
    sqlx::query(
        "insert into comments (id, measure_id, author_id, body, internal)
         values (gen_random_uuid(), $1, $2, 'GEHEIME-INTERNE-NOTIZ', true)",
    )
    .bind(released)
    .bind(officer_user.id.0)
    .execute(&app.db)
    .await
    .expect("an internal note");
    sqlx::query(
        "insert into measure_implementations (measure_id, office, state, note, updated_by)
         values ($1, 'altona', 'in_progress', 'UMSETZUNGSNOTIZ-INTERN', $2)",
    )
    .bind(released)
    .bind(officer_user.id.0)
    .execute(&app.db)
    .await
    .expect("an implementation row");
    sqlx::query(
        "update measures set summary = 'NEUE-FASSUNG-UNGEPRUEFT', version = version + 1 where id = $1",
    )
    .bind(released)
    .execute(&app.db)
    .await
    .expect("an unreviewed edit");
    sqlx::query(
        "update measure_publications set proposal = jsonb_build_object('title', 'NEUE-FASSUNG-UNGEPRUEFT',
                'summary', '', 'description', '', 'expected_benefit', ''), proposed_at = now(),
                proposed_by = $2
         where measure_id = $1",
    )
    .bind(released)
    .bind(officer_user.id.0)
    .execute(&app.db)
    .await
    .expect("a pending proposal");
    sqlx::query(
        "insert into measures (id, title, status, lead_office, author_id)
         values (gen_random_uuid(), 'ENTWURF-NIEMALS-OEFFENTLICH', 'draft', 'altona', $1)",
    )
    .bind(officer_user.id.0)
    .execute(&app.db)
    .await
    .expect("a draft");
    measure(&app, "UNVEROEFFENTLICHT-ANGENOMMEN", "accepted").await;

    // Signed out: crawl every public page reachable from the public page, and the open data.
    let anonymous = app.anonymous();
    let mut queue = vec![
        "/oeffentlich".to_owned(),
        "/oeffentlich?q=Maßnahme".to_owned(),
        "/oeffentlich?q=GEHEIME".to_owned(),
        "/oeffentlich/leichte-sprache".to_owned(),
        "/offene-daten/massnahmen.json".to_owned(),
        "/offene-daten/massnahmen.csv".to_owned(),
    ];
    let mut seen = std::collections::HashSet::new();
    let mut findings = Vec::new();
    let mut measure_pages = 0;
    while let Some(path) = queue.pop() {
        if !seen.insert(path.clone()) {
            continue;
        }
        let response = anonymous.get(&path).await;
        assert_eq!(response.status, StatusCode::OK, "{path}");
        for planted in PLANTED {
            if response.body.contains(planted) {
                findings.push(format!("{path}: {planted}"));
            }
        }
        if path.starts_with("/oeffentlich/massnahmen/") {
            measure_pages += 1;
        }
        if response
            .header("content-type")
            .is_some_and(|value| value.starts_with("text/html"))
        {
            for link in response.page().links("a") {
                let link = link.split('#').next().unwrap_or_default().to_owned();
                if link.starts_with("/oeffentlich") || link.starts_with("/offene-daten/") {
                    queue.push(link);
                }
            }
        }
    }
    assert!(
        findings.is_empty(),
        "internal strings reached the public: {findings:?}"
    );
    assert!(
        measure_pages > 10,
        "the crawl reached the measures: {measure_pages}"
    );
    // The released measure is there, with its reviewed texts.
    let json: serde_json::Value =
        serde_json::from_str(&anonymous.get("/offene-daten/massnahmen.json").await.body)
            .expect("JSON");
    assert!(
        json["measures"]
            .as_array()
            .expect("measures")
            .iter()
            .any(|m| m["title"] == "Öffentliche Maßnahme"
                && m["summary"] == "Eine Kurzbeschreibung.")
    );
}

#[tokio::test]
async fn the_open_data_validates_carries_validators_and_is_throttled() {
    let app = spawn_app().await;
    prima::demo::load_examples(&app.db)
        .await
        .expect("the examples, some released");
    let anonymous = app.anonymous();
    let response = anonymous.get("/offene-daten/massnahmen.json").await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.header("content-type"), Some("application/json"));
    assert!(
        response.header("set-cookie").is_none(),
        "no cookie: cacheable"
    );
    let document: serde_json::Value = serde_json::from_str(&response.body).expect("JSON");
    let problems = crate::support::schema::problems("open-data.schema.json", &document);
    assert!(problems.is_empty(), "{problems:#?}");
    let released: i64 = sqlx::query_scalar(
        "select count(*) from measure_publications p join measures m on m.id = p.measure_id
         where p.released is not null
           and m.status in ('accepted', 'in_progress', 'implemented', 'discontinued')",
    )
    .fetch_one(&app.db)
    .await
    .expect("a count");
    assert_eq!(
        document["measures"].as_array().map(Vec::len),
        Some(released as usize)
    );
    assert!(released > 0);

    // Validators: the same document is not sent again.
    let etag = response.header("etag").expect("an ETag").to_owned();
    let modified = response
        .header("last-modified")
        .expect("Last-Modified")
        .to_owned();
    let again = anonymous
        .get_with_headers("/offene-daten/massnahmen.json", &[("if-none-match", &etag)])
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    let since = anonymous
        .get_with_headers(
            "/offene-daten/massnahmen.json",
            &[("if-modified-since", &modified)],
        )
        .await;
    assert_eq!(since.status, StatusCode::NOT_MODIFIED);

    // The CSV holds the same measures, read with a real reader.
    let csv = anonymous.get("/offene-daten/massnahmen.csv").await;
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    let body = csv.body.trim_start_matches('\u{feff}').to_owned();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(body.as_bytes());
    let headers = reader.headers().expect("headings").clone();
    assert_eq!(&headers[0], "Nr.");
    assert!(
        headers
            .iter()
            .any(|heading| heading == "Umsetzung Eimsbüttel")
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a row")).collect();
    assert_eq!(rows.len() as i64, released);
    let first_title = document["measures"][0]["title"].as_str().expect("a title");
    assert_eq!(&rows[0][1], first_title);

    // A change of what the public sees changes the validator.
    sqlx::query("delete from measure_publications where measure_id = (select measure_id from measure_publications limit 1)")
        .execute(&app.db)
        .await
        .expect("withdrawn");
    let mut changed = String::new();
    let mut after = None;
    for _ in 0..50 {
        let now = anonymous.get("/offene-daten/massnahmen.json").await;
        changed = now.header("etag").unwrap_or_default().to_owned();
        if changed != etag {
            after = now.header("last-modified").map(str::to_owned);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_ne!(changed, etag);
    assert_eq!(changed.len(), 66, "the whole SHA-256 in quotes: {changed}");
    // The withdrawal is the latest change: the date moves on, never back (issue 22).
    let date = |text: &str| chrono::DateTime::parse_from_rfc2822(text).expect("an HTTP date");
    let after = after.expect("Last-Modified");
    assert!(date(&after) > date(&modified), "{after} after {modified}");
    let revalidated = anonymous
        .get_with_headers(
            "/offene-daten/massnahmen.json",
            &[("if-modified-since", &modified)],
        )
        .await;
    assert_eq!(
        revalidated.status,
        StatusCode::OK,
        "a client revalidating by date sees the withdrawal"
    );

    // A client that keeps fetching is slowed down, with a German message and Retry-After.
    let mut throttled = None;
    for _ in 0..60 {
        let response = anonymous.get("/offene-daten/massnahmen.csv").await;
        if response.status == StatusCode::TOO_MANY_REQUESTS {
            throttled = Some(response);
            break;
        }
    }
    let throttled = throttled.expect("throttled within 60 requests");
    assert!(throttled.header("retry-after").is_some());
    assert!(throttled.body.contains("Zu viele Abrufe"));
    // The public page is not throttled.
    assert_eq!(anonymous.get("/oeffentlich").await.status, StatusCode::OK);
}

#[tokio::test]
async fn no_page_of_the_public_side_sets_a_cookie() {
    let app = spawn_app().await;
    let anonymous = app.anonymous();
    for path in [
        "/oeffentlich",
        "/oeffentlich/leichte-sprache",
        "/barrierefreiheit",
        "/offene-daten/massnahmen.json",
        "/offene-daten/massnahmen.csv",
    ] {
        let response = anonymous.get(path).await;
        assert_eq!(response.status, StatusCode::OK, "{path}");
        assert!(
            response.header("set-cookie").is_none(),
            "{path} sets a cookie"
        );
    }
}

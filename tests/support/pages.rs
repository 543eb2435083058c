//! Every page of the application, for the checks that must hold on all of them (axe, the Nu
//! validator, 320 and 1280 px, no script), taken from the route table. A route with path
//! parameters needs a fixture here, or the checks fail.

use axum::Router;
use axum::http::{Method, StatusCode};
use axum::routing::get;
use prima::domain::ids::{RoundId, UserId};
use prima::domain::office::Office;
use prima::domain::permissions::Permission;
use prima::domain::prioritisation::rounds::Rating;
use prima::domain::roles::Role;
use prima::web::AppState;

use super::http::TestApp;

/// A page to check, the status it answers with, and whether it is seen signed in (as an
/// administrator who is also the central officer, and so sees every page and form) or without
/// an account.
#[derive(Debug, Clone)]
pub struct PageToCheck {
    pub path: String,
    pub status: StatusCode,
    pub signed_in: bool,
}

impl PageToCheck {
    fn ok(path: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            status: StatusCode::OK,
            signed_in: true,
        }
    }

    fn anonymous(path: impl Into<String>) -> Self {
        Self {
            signed_in: false,
            ..Self::ok(path)
        }
    }
}

/// The app every page is checked on: the production pages with the failing routes, and large
/// workbooks starting at four rows, so that the page offering a job is crawled too.
pub async fn spawn_for_pages() -> super::TestApp {
    let settings = prima::web::Settings {
        workbook_rows_in_request: 3,
        ..prima::web::Settings::default()
    };
    super::http::spawn_app_with_settings(with_failing_routes(), settings).await
}

/// Test-only routes that let error pages be reached: they pass the production middleware.
pub fn with_failing_routes() -> Router<AppState> {
    prima::web::pages()
        .route(
            "/test/panic",
            get(|| async {
                panic!("deliberate test panic with internal detail: secret-table-name");
                #[expect(unreachable_code, reason = "the handler needs a response type")]
                ""
            }),
        )
        .route(
            "/test/slow",
            get(|| async {
                tokio::time::sleep(std::time::Duration::from_secs(30)).await;
                "too late"
            }),
        )
}

/// Paths of the route table that are not pages: the probes answer plain text to the
/// orchestrator; the ranking as JSON is checked against its schema (tests/api/rounds.rs), the
/// CSV export with a CSV reader (tests/api/exports.rs).
const NOT_PAGES: [&str; 15] = [
    "/healthz",
    "/strategie/iterationen/{id}/vergleich.json",
    "/offene-daten/massnahmen.json",
    "/offene-daten/massnahmen.csv",
    "/readyz",
    "/priorisierung.json",
    "/massnahmen/export/datei",
    "/massnahmen/umsetzung/export/datei",
    "/priorisierung/export/datei",
    "/priorisierung/runden/{id}/export/datei",
    "/berichte/strategie/pdf",
    "/berichte/bezirksaemter/{office}/pdf",
    "/massnahmen/{id}/steckbrief/pdf",
    "/auftraege/{id}/stand",
    "/auftraege/{id}/datei",
];

/// Public pages that send a signed-in person on (the login goes to the start page).
const ANONYMOUS_ONLY: [&str; 1] = ["/anmelden"];

/// The objects the pages with path parameters are shown for.
struct Fixtures {
    user: uuid::Uuid,
    measure: uuid::Uuid,
    comment: uuid::Uuid,
    /// One of the example measures, with implementation rows, progress and a history.
    example: uuid::Uuid,
    /// The number of an example measure released for the public.
    released: i64,
    /// A Fortschreibung in progress, with a goal reworded, one added and one retired.
    draft: uuid::Uuid,
    /// A pillar, an action dimension, a field and a goal of the draft, for the edit forms.
    draft_parts: [uuid::Uuid; 4],
    /// The iteration in force (read-only).
    published: uuid::Uuid,
    fields: Vec<uuid::Uuid>,
    goals: Vec<uuid::Uuid>,
    rounds: Rounds,
    /// Jobs of the first person: running, done, failed.
    jobs: Vec<uuid::Uuid>,
    /// An import of the first person with good and bad rows, its columns mapped.
    import: uuid::Uuid,
}

/// An open round in which the signed-in person has assessed `assessed` and not `unassessed`,
/// and a frozen one.
struct Rounds {
    open: String,
    frozen: String,
    assessed: uuid::Uuid,
    unassessed: uuid::Uuid,
}

impl Rounds {
    async fn create(app: &TestApp, viewer: uuid::Uuid) -> Self {
        let central = app.signed_in(Role::CentralOfficer).await;
        let open = open_round(&central, "Prüfrunde offen").await;
        let frozen = open_round(&central, "Prüfrunde eingefroren").await;
        let round_id = |path: &str| {
            RoundId(
                path.rsplit('/')
                    .next()
                    .and_then(|id| id.parse().ok())
                    .expect("a round id"),
            )
        };
        let measures = prima::db::rounds::measures(&app.db, round_id(&open))
            .await
            .expect("its measures");
        let (assessed, unassessed) = (measures[0].id, measures[1].id);
        let catalogue = prima::db::criteria::current(&app.db)
            .await
            .expect("read")
            .expect("a catalogue");
        let officer = app
            .create_user(&[Role::DistrictOfficer], Office::Wandsbek)
            .await;
        for (round, rater, office, points) in [
            (&open, UserId(viewer), Office::Central, 8),
            (&open, officer.id, Office::Wandsbek, 2),
            (&frozen, officer.id, Office::Wandsbek, 6),
        ] {
            let ratings: Vec<_> = catalogue
                .criterion_ids
                .iter()
                .map(|id| (*id, Rating::Points(points), "Begründung".to_owned()))
                .collect();
            let written = prima::db::rounds::submit(
                &app.db,
                &prima::db::rounds::Submission {
                    round: round_id(round),
                    measure: assessed,
                    rater,
                    office,
                    ratings: &ratings,
                },
            )
            .await
            .expect("an assessment");
            assert_eq!(written, prima::db::rounds::Written::Saved);
        }
        let response = central
            .post_form(
                &format!("{frozen}/einfrieren"),
                &[
                    ("beschlossen_am", "2026-12-01"),
                    ("gremium", "Konferenz der Bezirksamtsleitungen"),
                ],
            )
            .await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
        prima::db::scenarios::save(
            &app.db,
            round_id(&open),
            "Mehr Entlastung",
            &[15, 40, 15, 10, 5, 10, 5],
            UserId(viewer),
        )
        .await
        .map_err(|error| format!("{error:?}"))
        .expect("a scenario");
        Self {
            open,
            frozen,
            assessed: assessed.0,
            unassessed: unassessed.0,
        }
    }
}

async fn open_round(central: &super::accounts::Client, name: &str) -> String {
    let response = central
        .post_form(
            "/priorisierung/runden/neu",
            &[("name", name), ("frist", "2099-12-31")],
        )
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    response.header("location").expect("the round").to_owned()
}

impl Fixtures {
    /// The concrete paths of the GET route `pattern` (`None`: no fixture for it), with the
    /// views of it worth checking on their own (a filter panel in use, an empty search).
    fn paths(&self, pattern: &str) -> Option<Vec<String>> {
        let one = |path: String| Some(vec![path]);
        match pattern {
            "/anmelden" => Some(vec![
                pattern.to_owned(),
                "/anmelden?abgemeldet=1".to_owned(),
            ]),
            "/verwaltung/konten" => Some(vec![
                pattern.to_owned(),
                "/verwaltung/konten?suche=test".to_owned(),
            ]),
            "/massnahmen" => Some(vec![
                pattern.to_owned(),
                "/massnahmen?suche=Beispiel&schnell=ja".to_owned(),
                "/massnahmen?status=angenommen&amt=altona&sortierung=titel".to_owned(),
            ]),
            "/massnahmen/umsetzung" => Some(vec![
                pattern.to_owned(),
                "/massnahmen/umsetzung?status=in-umsetzung".to_owned(),
            ]),
            "/priorisierung" => Some(vec![
                pattern.to_owned(),
                "/priorisierung?ansicht=matrix".to_owned(),
                "/priorisierung?ansicht=klassen&status=angenommen".to_owned(),
            ]),
            "/massnahmen/export" => one("/massnahmen/export?status=angenommen".to_owned()),
            "/oeffentlich" => Some(vec![
                pattern.to_owned(),
                "/oeffentlich?q=Terminvergaben".to_owned(),
                "/oeffentlich?q=gibtesnicht".to_owned(),
            ]),
            "/strategie/iterationen" => Some(vec![
                "/strategie/iterationen".to_owned(),
                "/strategie/iterationen?verworfen=1".to_owned(),
            ]),
            "/strategie/iterationen/{id}/vergleich" => {
                one(format!("/strategie/iterationen/{}/vergleich", self.draft))
            }
            "/strategie/iterationen/{id}" => Some(vec![
                format!("/strategie/iterationen/{}", self.draft),
                format!("/strategie/iterationen/{}", self.published),
            ]),
            "/strategie/iterationen/{id}/verlauf" => {
                one(format!("/strategie/iterationen/{}/verlauf", self.draft))
            }
            "/strategie/iterationen/{id}/vision" => {
                one(format!("/strategie/iterationen/{}/vision", self.draft))
            }
            "/strategie/iterationen/{id}/felder/neu" => {
                one(format!("/strategie/iterationen/{}/felder/neu", self.draft))
            }
            "/strategie/iterationen/{id}/uebernahme" => {
                one(format!("/strategie/iterationen/{}/uebernahme", self.draft))
            }
            "/strategie/iterationen/{id}/verwerfen" => {
                one(format!("/strategie/iterationen/{}/verwerfen", self.draft))
            }
            "/strategie/saeulen/{id}/bearbeiten" => one(format!(
                "/strategie/saeulen/{}/bearbeiten",
                self.draft_parts[0]
            )),
            "/strategie/dimensionen/{id}/bearbeiten" => one(format!(
                "/strategie/dimensionen/{}/bearbeiten",
                self.draft_parts[1]
            )),
            "/strategie/felder/{id}/bearbeiten" => one(format!(
                "/strategie/felder/{}/bearbeiten",
                self.draft_parts[2]
            )),
            "/strategie/felder/{id}/ziele/neu" => one(format!(
                "/strategie/felder/{}/ziele/neu",
                self.draft_parts[2]
            )),
            "/strategie/ziele/{id}/bearbeiten" => one(format!(
                "/strategie/ziele/{}/bearbeiten",
                self.draft_parts[3]
            )),
            "/oeffentlich/massnahmen/{id}" => {
                one(format!("/oeffentlich/massnahmen/{}", self.released))
            }
            _ if !pattern.contains('{') => one(pattern.to_owned()),
            "/massnahmen/{id}" => Some(vec![
                format!("/massnahmen/{}", self.measure),
                format!("/massnahmen/{}", self.example),
                // Ranked in the frozen round: its score explained.
                format!("/massnahmen/{}", self.rounds.assessed),
            ]),
            "/massnahmen/{id}/steckbrief" => Some(vec![
                format!("/massnahmen/{}/steckbrief", self.example),
                format!("/massnahmen/{}/steckbrief", self.rounds.assessed),
            ]),
            "/massnahmen/{id}/bearbeiten" => {
                one(format!("/massnahmen/{}/bearbeiten", self.measure))
            }
            "/massnahmen/{id}/kommentare/{comment}/bearbeiten" => one(format!(
                "/massnahmen/{}/kommentare/{}/bearbeiten",
                self.measure, self.comment
            )),
            "/verwaltung/konten/{id}" => one(format!("/verwaltung/konten/{}", self.user)),
            "/priorisierung/runden/{id}" => {
                Some(vec![self.rounds.open.clone(), self.rounds.frozen.clone()])
            }
            "/berichte/bezirksaemter/{office}" => Some(vec![
                "/berichte/bezirksaemter/altona".to_owned(),
                "/berichte/bezirksaemter/wandsbek".to_owned(),
            ]),
            "/priorisierung/runden/{id}/export" => {
                one(format!("{}/export?spalten=rang,nr", self.rounds.frozen))
            }
            "/priorisierung/runden/{id}/bewerten" => one(format!("{}/bewerten", self.rounds.open)),
            "/priorisierung/runden/{id}/robustheit" => Some(vec![
                format!("{}/robustheit", self.rounds.open),
                format!(
                    "{}/robustheit?modell=reihenfolge&stichproben=1000&k=3&seed=7",
                    self.rounds.frozen
                ),
            ]),
            "/priorisierung/runden/{id}/was-waere-wenn" => Some(vec![
                format!(
                    "{}/was-waere-wenn?gewicht1=5&gewicht2=20&gewicht3=20&gewicht4=10&gewicht5=25&gewicht6=10&gewicht7=10&k=1",
                    self.rounds.open
                ),
                format!("{}/was-waere-wenn?gewicht1=90&k=0", self.rounds.open),
                format!("{}/was-waere-wenn", self.rounds.frozen),
            ]),
            "/priorisierung/runden/{id}/szenarien" => Some(vec![
                format!("{}/szenarien", self.rounds.open),
                format!("{}/szenarien", self.rounds.frozen),
            ]),
            "/priorisierung/runden/{id}/einfrieren" => {
                one(format!("{}/einfrieren", self.rounds.open))
            }
            "/priorisierung/runden/{id}/massnahmen/{measure}" => Some(vec![
                format!("{}/massnahmen/{}", self.rounds.open, self.rounds.assessed),
                format!("{}/massnahmen/{}", self.rounds.open, self.rounds.unassessed),
                format!("{}/massnahmen/{}", self.rounds.frozen, self.rounds.assessed),
            ]),
            // Version 2 is written by the fixtures, so version 1 shows as an older one.
            "/priorisierung/kriterien/versionen/{version}" => Some(vec![
                "/priorisierung/kriterien/versionen/1".to_owned(),
                "/priorisierung/kriterien/versionen/2".to_owned(),
            ]),
            "/strategie/felder/{id}" => Some(
                self.fields
                    .iter()
                    .map(|id| format!("/strategie/felder/{id}"))
                    .collect(),
            ),
            "/strategie/ziele/{id}" => Some(
                self.goals
                    .iter()
                    .map(|id| format!("/strategie/ziele/{id}"))
                    .collect(),
            ),
            "/massnahmen/import/{id}" => one(format!("/massnahmen/import/{}", self.import)),
            "/massnahmen/import/{id}/vorschau" => {
                one(format!("/massnahmen/import/{}/vorschau", self.import))
            }
            "/auftraege/{id}" => Some(
                self.jobs
                    .iter()
                    .map(|id| format!("/auftraege/{id}"))
                    .collect(),
            ),
            _ => None,
        }
    }

    async fn create(app: &TestApp) -> Self {
        prima::demo::load_examples(&app.db)
            .await
            .expect("the example measures");
        let user: uuid::Uuid =
            sqlx::query_scalar("select id from users order by created_at limit 1")
                .fetch_one(&app.db)
                .await
                .expect("a user");
        // A measure of the first person (the administrator the checks sign in as), with a goal
        // and a Markdown description.
        let measure: uuid::Uuid = sqlx::query_scalar(
            "insert into measures (id, title, summary, description, status, lead_office, author_id)
             select gen_random_uuid(), 'Beispielmaßnahme', 'Kurz gesagt.',
                    E'**Fett** und eine Liste:\\n\\n- eins\\n- zwei', 'accepted', 'altona', $1
             returning id",
        )
        .bind(user)
        .fetch_one(&app.db)
        .await
        .expect("a measure");
        sqlx::query(
            "insert into measure_goals (measure_id, goal_id) select $1, id from goals limit 1",
        )
        .bind(measure)
        .execute(&app.db)
        .await
        .expect("a goal link");
        let comment: uuid::Uuid = sqlx::query_scalar(
            "insert into comments (id, measure_id, author_id, body)
             values (gen_random_uuid(), $1, $2, 'Ein erster Kommentar.')
             returning id",
        )
        .bind(measure)
        .bind(user)
        .fetch_one(&app.db)
        .await
        .expect("a comment");
        sqlx::query(
            "insert into notifications (user_id, measure_id, target_id, kind, message)
             values ($1, $2, $2, 'merged', 'M-1 wurde zusammengeführt.')",
        )
        .bind(user)
        .bind(measure)
        .execute(&app.db)
        .await
        .expect("a notification");
        // A Fortschreibung given up, so the list shows its record.
        let given_up = prima::db::iterations::start(
            &app.db,
            "1.9 – verworfen",
            "Digitalstrategie der Bezirksämter",
            UserId(user),
        )
        .await
        .expect("a Fortschreibung");
        let work = prima::db::iterations::draft_work(&app.db, given_up)
            .await
            .expect("read")
            .expect("the draft");
        prima::db::iterations::discard(&app.db, given_up, &work.mark, UserId(user))
            .await
            .map_err(|error| format!("{error:?}"))
            .expect("discarded");
        let draft = prima::db::iterations::start(
            &app.db,
            "2.0 – 2022",
            "Digitalstrategie der Bezirksämter",
            UserId(user),
        )
        .await
        .expect("a Fortschreibung");
        sqlx::raw_sql(&format!(
            "update goals set statement = statement || ' Das gilt für alle Bezirksämter.'
             where id = (select g.id from goals g join fields f on f.id = g.field_id
                         where f.strategy_id = '{draft}' order by f.position, g.position limit 1);
             update goals set retired_at = now()
             where id = (select g.id from goals g join fields f on f.id = g.field_id
                         where f.strategy_id = '{draft}' order by f.position desc, g.position limit 1);
             insert into goals (id, field_id, position, statement)
             select gen_random_uuid(), f.id, 99, 'Wir veröffentlichen, was wir tun.'
             from fields f where f.strategy_id = '{draft}' order by f.position limit 1;",
            draft = draft.0
        ))
        .execute(&app.db)
        .await
        .expect("a changed draft");
        let draft_parts: (uuid::Uuid, uuid::Uuid, uuid::Uuid, uuid::Uuid, uuid::Uuid) =
            sqlx::query_as(
                "select (select id from pillars where strategy_id = $1 order by position limit 1),
                        (select id from action_dimensions where strategy_id = $1
                         order by position limit 1),
                        f.id, g.id,
                        (select id from strategies where status = 'published')
                 from goals g join fields f on f.id = g.field_id
                 where f.strategy_id = $1 and g.retired_at is null
                 order by f.position, g.position limit 1",
            )
            .bind(draft.0)
            .fetch_one(&app.db)
            .await
            .expect("parts of the draft");
        // Edits through the strategy team's own path, so that the history has lines.
        let dimension = prima::domain::ids::ActionDimensionId(draft_parts.1);
        prima::db::strategy_edit::save_dimension(
            &app.db,
            dimension,
            1,
            &prima::db::strategy_edit::DimensionTexts {
                name: "Technologie & Infrastruktur".to_owned(),
                description: "Die **Grundlage** für alles Weitere.".to_owned(),
                deferred: true,
                deferral_note: Some("Wird in der nächsten Iteration aufgenommen.".to_owned()),
            },
            UserId(user),
        )
        .await
        .expect("a dimension edited");
        let released: i64 = sqlx::query_scalar(
            "select m.number from measure_publications p join measures m on m.id = p.measure_id
             where p.released is not null order by m.number limit 1",
        )
        .fetch_one(&app.db)
        .await
        .expect("a released example");
        let example: uuid::Uuid = sqlx::query_scalar(
            "select m.id from measures m
             where m.status = 'in_progress'
               and exists (select 1 from measure_implementations i where i.measure_id = m.id)
             order by m.number limit 1",
        )
        .fetch_one(&app.db)
        .await
        .expect("an example in progress");
        let mut criteria = prima::db::criteria::current(&app.db)
            .await
            .expect("read the catalogue")
            .expect("the default catalogue")
            .criteria;
        (criteria[0].weight, criteria[1].weight) = (criteria[1].weight, criteria[0].weight);
        prima::db::criteria::add_version(
            &app.db,
            &criteria,
            "Gewichte getauscht",
            Some(UserId(user)),
            None,
        )
        .await
        .expect("a second version");
        let fields = sqlx::query_scalar("select id from fields order by position")
            .fetch_all(&app.db)
            .await
            .expect("fields");
        let goals = sqlx::query_scalar(
            "select g.id from goals g join fields f on f.id = g.field_id
             order by f.position, g.position",
        )
        .fetch_all(&app.db)
        .await
        .expect("goals");
        let rounds = Rounds::create(app, user).await;
        // A fresh heartbeat: the test server's worker leaves the running one alone.
        let jobs = sqlx::query_scalar(
            "insert into jobs (id, kind, owner_id, status, step, steps, phase, attempts, worker,
                               heartbeat_at, result, result_name, result_type, error, finished_at)
             values (gen_random_uuid(), 'strategy_report', $1, 'running', 1, 3,
                     'Die Seiten werden gesetzt.', 1, 'elsewhere', now() + interval '1 hour',
                     null, null, null, null, null),
                    (gen_random_uuid(), 'strategy_report', $1, 'done', 3, 3, '', 1, null, null,
                     '%PDF-', 'strategiebericht-2026-12-02.pdf', 'application/pdf', null, now()),
                    (gen_random_uuid(), 'strategy_report', $1, 'failed', 0, 3, '', 3, null, null,
                     null, null, null, 'Der Auftrag ist mehrmals abgebrochen.', now())
             returning id",
        )
        .bind(user)
        .fetch_all(&app.db)
        .await
        .expect("jobs");
        let headings: Vec<String> = ["Maßnahme", "Federführung", "Kosten"]
            .map(str::to_owned)
            .to_vec();
        let rows: Vec<prima::import::Row> = [
            ["Beispielmaßnahme", "Altona", ""],
            ["", "Altona", ""],
            ["Neue Idee aus der Liste", "Atlantis", "viel"],
            ["Ganz neue Maßnahme", "", "1200"],
        ]
        .iter()
        .enumerate()
        .map(|(index, cells)| prima::import::Row {
            number: index + 2,
            cells: cells.map(str::to_owned).to_vec(),
        })
        .collect();
        let table = prima::import::Table {
            kind: prima::import::Kind::Xlsx,
            headings: headings.clone(),
            rows,
            windows_1252: false,
        };
        let import = prima::db::imports::create(&app.db, "liste.xlsx", UserId(user), &table)
            .await
            .expect("an import");
        prima::db::imports::set_mapping(
            &app.db,
            import,
            &prima::import::mapping::guess(&headings, &[]),
            None,
        )
        .await
        .expect("its mapping");
        Self {
            jobs,
            import,
            user,
            measure,
            comment,
            example,
            released,
            draft: draft.0,
            draft_parts: [draft_parts.0, draft_parts.1, draft_parts.2, draft_parts.3],
            published: draft_parts.4,
            fields,
            goals,
            rounds,
        }
    }
}

/// Every page, taken from the route table: each GET route once per fixture of its path
/// parameters, signed in, and also without an account when it is public; then the error pages.
/// Fails when a GET route has no fixture, so that no page goes unchecked.
pub async fn all(app: &TestApp) -> Vec<PageToCheck> {
    let fixtures = Fixtures::create(app).await;
    let mut pages = Vec::new();
    let mut missing = Vec::new();
    for route in prima::web::route_table() {
        if route.method != Method::GET || NOT_PAGES.contains(&route.path) {
            continue;
        }
        let Some(paths) = fixtures.paths(route.path) else {
            missing.push(route.path);
            continue;
        };
        for path in paths {
            if route.permission == Permission::Public {
                pages.push(PageToCheck::anonymous(path.clone()));
            }
            if !ANONYMOUS_ONLY.contains(&route.path) {
                pages.push(PageToCheck::ok(path));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "GET routes without a fixture in tests/support/pages.rs: {missing:?}"
    );
    for (path, status) in [
        ("/gibt-es-nicht", StatusCode::NOT_FOUND),
        ("/test/panic", StatusCode::INTERNAL_SERVER_ERROR),
    ] {
        pages.push(PageToCheck {
            path: path.to_owned(),
            status,
            signed_in: true,
        });
        pages.push(PageToCheck {
            path: path.to_owned(),
            status,
            signed_in: false,
        });
    }
    // A workbook of more rows than the app writes in a request: the page offering a job.
    pages.push(PageToCheck::ok(
        "/massnahmen/export/datei?spalten=nr,titel&format=xlsx",
    ));
    // A wrong export choice: the export page again with both errors.
    pages.push(PageToCheck {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        ..PageToCheck::ok("/massnahmen/export/datei?status=angenommen&spalten=&format=pdf")
    });
    pages
}

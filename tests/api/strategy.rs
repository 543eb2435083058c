use prima::db::seed::strategy_2020;
use prima::domain::roles::Role;
use prima::domain::strategy::FieldKind;

use crate::support::html::within;
use crate::support::spawn_app;

#[tokio::test]
async fn the_strategy_page_shows_all_39_goals_verbatim_each_under_its_field() {
    let app = spawn_app().await;
    let user = app.signed_in(Role::Staff).await;
    let document = strategy_2020().expect("the shipped content");
    let page = user.page("/strategie").await;

    let sections = page.select("section.field");
    assert_eq!(sections.len(), document.fields.len());
    let mut seen = 0;
    for field in &document.fields {
        let section = sections
            .iter()
            .find(|section| within(**section, "h3") == [field.name.clone()])
            .unwrap_or_else(|| panic!("no section for {}", field.name));
        let expected: Vec<String> = field
            .goals
            .iter()
            .map(|goal| goal.statement.clone())
            .collect();
        assert_eq!(
            within(*section, ".goal"),
            expected,
            "goals of {}",
            field.name
        );
        seen += expected.len();
    }
    assert_eq!(seen, 39);
    // Spot checks against the printed document, independent of the data file.
    let goals = page.texts(".goal");
    assert_eq!(
        goals.first().map(String::as_str),
        Some(
            "Wir verfügen in jedem Bezirksamt über eine zentrale Einheit für Digitalisierung und über \
         ausreichende Ressourcen zur Umsetzung der Digitalstrategie."
        )
    );
    assert_eq!(
        goals.last().map(String::as_str),
        Some("Die Einhaltung der Datenschutzanforderungen ist jederzeit gewährleistet.")
    );
}

#[tokio::test]
async fn the_strategy_page_counts_the_tree_and_marks_the_deferred_dimension() {
    let app = spawn_app().await;
    let user = app.signed_in(Role::Staff).await;
    let page = user.page("/strategie").await;

    assert_eq!(
        page.text(".tree-summary"),
        "3 Handlungsdimensionen, 3 Querschnittsthemen, 6 Gestaltungsfelder und 39 Ziele."
    );
    assert_eq!(
        page.texts("section[aria-labelledby=querschnittsthemen] .field h3"),
        [
            "Ressourcenbedarf",
            "Verantwortlichkeiten",
            "Innovationsmanagement"
        ]
    );
    assert_eq!(
        page.texts("section[aria-labelledby=gestaltungsfelder] .field h3"),
        [
            "Nutzerorientierung",
            "Zusammenarbeit & Vernetzung",
            "Rollen & Organisation",
            "Digitale Kompetenzen",
            "Digitales Arbeiten",
            "Datenmanagement"
        ]
    );
    assert_eq!(page.count(".dimension"), 3);
    let deferred: Vec<String> = page
        .select(".dimension")
        .into_iter()
        .filter(|dimension| !within(*dimension, ".kern-badge").is_empty())
        .flat_map(|dimension| within(dimension, "h3"))
        .collect();
    assert_eq!(deferred, ["Digitale Räume Zurückgestellt"]);
    assert_eq!(
        page.text(".vision-statement"),
        "Wir gestalten die Bezirksverwaltung von morgen."
    );
    assert_eq!(
        page.texts(".pillar dt"),
        ["gemeinsam", "digital", "menschlich"]
    );
}

#[tokio::test]
async fn the_start_page_shows_the_vision_the_pillars_and_what_the_catalogue_holds() {
    let app = spawn_app().await;
    let user = app.signed_in(Role::Staff).await;
    let page = user.page("/").await;

    assert_eq!(
        page.text("h1"),
        "Wir gestalten die Bezirksverwaltung von morgen."
    );
    assert_eq!(
        page.texts(".pillar h3"),
        ["gemeinsam", "digital", "menschlich"]
    );
    assert_eq!(page.text("[data-count=design-fields]"), "6");
    assert_eq!(page.text("[data-count=themes]"), "3");
    assert_eq!(page.text("[data-count=goals]"), "39");
    assert_eq!(page.text("[data-count=measures]"), "0");
    assert!(page.links("a").contains(&"/strategie".to_owned()));
    // The count is kept between changes and follows each one at once.
    assert_eq!(user.page("/").await.text("[data-count=measures]"), "0");
    prima::demo::load_examples(&app.db)
        .await
        .expect("examples load");
    assert_eq!(user.page("/").await.text("[data-count=measures]"), "60");
}

#[tokio::test]
async fn every_field_page_shows_its_text_and_its_goals_in_order() {
    let app = spawn_app().await;
    let user = app.signed_in(Role::Staff).await;
    let document = strategy_2020().expect("the shipped content");

    for field in &document.fields {
        let page = user.page(&format!("/strategie/felder/{}", field.id)).await;
        assert_eq!(page.text("h1"), field.name);
        let kind = match field.kind {
            FieldKind::DesignField => "Gestaltungsfeld",
            FieldKind::CrossCuttingTheme => "Querschnittsthema",
        };
        assert!(
            page.text(".kern-preline").starts_with(kind),
            "{}",
            field.name
        );
        let expected: Vec<String> = field
            .goals
            .iter()
            .map(|goal| goal.statement.clone())
            .collect();
        assert_eq!(page.texts(".goal"), expected);
        let first_paragraph = field.description.split("\n\n").next().unwrap_or_default();
        assert!(
            page.texts("main p")
                .iter()
                .any(|text| text == first_paragraph)
        );
        assert_eq!(
            page.texts("nav.breadcrumb li"),
            ["Start", "Strategie", field.name.as_str()]
        );
    }
}

#[tokio::test]
async fn every_goal_page_names_its_field_and_honestly_shows_no_measures_yet() {
    let app = spawn_app().await;
    let user = app.signed_in(Role::Staff).await;
    let document = strategy_2020().expect("the shipped content");

    for field in &document.fields {
        for (index, goal) in field.goals.iter().enumerate() {
            let page = user.page(&format!("/strategie/ziele/{}", goal.id)).await;
            assert_eq!(page.text("h1"), goal.statement);
            assert_eq!(
                page.text(".kern-preline"),
                format!(
                    "Ziel {} von {} · {} {}",
                    index + 1,
                    field.goals.len(),
                    match field.kind {
                        FieldKind::DesignField => "Gestaltungsfeld",
                        FieldKind::CrossCuttingTheme => "Querschnittsthema",
                    },
                    field.name
                )
            );
            assert_eq!(page.count(".measure"), 0);
            assert_eq!(page.count(".empty-state"), 1);
            assert_eq!(
                page.links("nav.breadcrumb a"),
                [
                    "/",
                    "/strategie",
                    &format!("/strategie/felder/{}", field.id)
                ]
            );
        }
    }
}

#[tokio::test]
async fn a_goal_page_lists_exactly_the_measures_that_pay_into_it() {
    let app = spawn_app().await;
    let user = app.signed_in(Role::Staff).await;
    let document = strategy_2020().expect("the shipped content");
    let goal = &document.fields[8].goals[1];
    let other_goal = &document.fields[8].goals[0];
    let measure = uuid::Uuid::new_v4();
    sqlx::query("insert into measures (id, title, summary) values ($1, $2, $3)")
        .bind(measure)
        .bind("Zentrales Datawarehouse aufbauen")
        .bind("Ein bezirksübergreifendes Datawarehouse für Steuerungsdaten.")
        .execute(&app.db)
        .await
        .expect("insert a measure");
    sqlx::query("insert into measure_goals (measure_id, goal_id) values ($1, $2)")
        .bind(measure)
        .bind(goal.id.0)
        .execute(&app.db)
        .await
        .expect("link it");

    let page = user.page(&format!("/strategie/ziele/{}", goal.id)).await;
    assert_eq!(
        page.texts(".measure .kern-body--bold"),
        ["M-1 Zentrales Datawarehouse aufbauen"]
    );
    assert_eq!(page.count(".empty-state"), 0);
    let other = user
        .page(&format!("/strategie/ziele/{}", other_goal.id))
        .await;
    assert_eq!(other.count(".measure"), 0);
    assert_eq!(user.page("/").await.text("[data-count=measures]"), "1");
}

#[tokio::test]
async fn a_field_added_by_the_strategy_team_appears_without_code_changes() {
    let app = spawn_app().await;
    let user = app.signed_in(Role::Staff).await;
    let strategy: uuid::Uuid = sqlx::query_scalar("select id from strategies")
        .fetch_one(&app.db)
        .await
        .expect("the strategy");
    sqlx::query(
        "insert into fields (id, strategy_id, kind, position, section, name, description)
         values ($1, $2, 'design_field', 10, '3.2.10', 'Digitale Räume in den Quartieren', 'Neu.')",
    )
    .bind(uuid::Uuid::new_v4())
    .bind(strategy)
    .execute(&app.db)
    .await
    .expect("add a field");

    let page = user.page("/strategie").await;
    assert_eq!(
        page.count("section[aria-labelledby=gestaltungsfelder] .field"),
        7
    );
    assert_eq!(
        page.text(".tree-summary"),
        "3 Handlungsdimensionen, 3 Querschnittsthemen, 7 Gestaltungsfelder und 39 Ziele."
    );
    assert_eq!(user.page("/").await.text("[data-count=design-fields]"), "7");
}

#[tokio::test]
async fn loading_the_strategy_again_duplicates_nothing() {
    let app = spawn_app().await;
    let loaded = prima::db::seed::load_strategy_2020(&app.db)
        .await
        .expect("loading again works");
    assert!(!loaded, "the content was there already");
    let counts: (i64, i64, i64, i64) = sqlx::query_as(
        "select (select count(*) from strategies), (select count(*) from fields),
                (select count(*) from goals), (select count(*) from pillars)",
    )
    .fetch_one(&app.db)
    .await
    .expect("counts");
    assert_eq!(counts, (1, 9, 39, 3));
}

#[tokio::test]
async fn pages_carry_no_script_but_the_job_page_s_and_work_without_javascript() {
    let app = crate::support::pages::spawn_for_pages().await;
    let user = app.signed_in(Role::Administrator).await;
    let anonymous = app.anonymous();
    for check in crate::support::pages::all(&app).await {
        let path = check.path.clone();
        let client = if check.signed_in { &user } else { &anonymous };
        let page = client.get(&path).await.page();
        // The only script follows a running job; without it the page offers "Aktualisieren".
        let job_script = "script[src^='/static/js/job.js'][defer]";
        assert_eq!(
            page.count("script"),
            page.count(job_script),
            "{path} has a script"
        );
        if page.count(job_script) > 0 {
            assert_eq!(page.count("[data-job-refresh] a"), 1, "{path}");
        }
        assert_eq!(page.count("html[lang=de]"), 1, "{path}");
        assert_eq!(page.count("main#inhalt"), 1, "{path}");
        assert_eq!(page.links("a.skip-link"), ["#inhalt"], "{path}");
    }
}

#[tokio::test]
async fn a_change_to_the_tree_shows_on_the_next_pages_although_the_tree_is_cached() {
    let app = spawn_app().await;
    let user = app.signed_in(Role::Staff).await;
    let document = strategy_2020().expect("the shipped content");
    let goal = &document.fields[3].goals[0];
    // Read the page until the cache has the tree (the listener starts with the app).
    for _ in 0..3 {
        assert!(
            user.page("/strategie")
                .await
                .texts(".goal")
                .contains(&goal.statement)
        );
    }

    sqlx::query("update goals set statement = $1 where id = $2")
        .bind("Wir denken in Lebenslagen (geändert).")
        .bind(goal.id.0)
        .execute(&app.db)
        .await
        .expect("change a goal");

    let mut shown = Vec::new();
    for _ in 0..100 {
        shown = user.page("/strategie").await.texts(".goal");
        if shown.contains(&"Wir denken in Lebenslagen (geändert).".to_owned()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(shown.contains(&"Wir denken in Lebenslagen (geändert).".to_owned()));
    assert!(!shown.contains(&goal.statement));
    assert!(user.page("/").await.texts(".next-steps a").len() > 1);
}

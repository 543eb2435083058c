//! The measures issue's journeys in a real browser, with the keyboard only: a staff member
//! proposes a measure with two goals, sees the duplicate hint, submits; a colleague finds it in
//! the catalogue, supports and follows it; the central officer reviews and accepts it; the
//! colleague is notified, and it is found in the catalogue and on both goal pages. Also the
//! later issues' journeys: assessing, the PDF report, the import, the public page.

use fantoccini::Client;
use fantoccini::key::Key;
use prima::domain::office::Office;
use prima::domain::roles::Role;

use crate::support::browser::{axe_violations, press, sign_in, value_of, wait_for, with_browser};
use crate::support::pages::with_failing_routes;
use crate::support::spawn_app_with;

async fn type_text(client: &Client, text: &str) {
    client
        .active_element()
        .await
        .expect("a focused element")
        .send_keys(text)
        .await
        .expect("typing works");
}

/// Tabs forward until the focused element has this id or this text; fails after 300 stops.
async fn tab_to(client: &Client, id_or_text: &str) {
    for _ in 0..300 {
        press(client, Key::Tab).await;
        let focused: (String, String) = serde_json::from_value(
            client
                .execute(
                    "const e = document.activeElement; return [e.id || '', (e.textContent || '').trim()];",
                    vec![],
                )
                .await
                .expect("the focused element"),
        )
        .expect("two strings");
        if focused.0 == id_or_text || focused.1 == id_or_text {
            return;
        }
    }
    panic!("{id_or_text} is not reachable with Tab");
}

/// Waits until the element's text is `expected` (the page a key opened has loaded).
async fn wait_for_text(client: &Client, css: &str, expected: &str) {
    wait_for_text_where(client, css, &format!("not {expected:?}"), |text| {
        text == expected
    })
    .await;
}

/// Waits until the element's text contains `needle`: the page a form led to may still be
/// loading when the key press returns, and the page it came from may look alike.
async fn wait_for_text_containing(client: &Client, css: &str, needle: &str) {
    wait_for_text_where(client, css, &format!("without {needle:?}"), |text| {
        text.contains(needle)
    })
    .await;
}

/// Polls the trimmed text of the element `css` for ten seconds until `accepted` says yes.
async fn wait_for_text_where(
    client: &Client,
    css: &str,
    refusal: &str,
    accepted: impl Fn(&str) -> bool,
) {
    let mut last = String::new();
    for _ in 0..100 {
        let value = client
            .execute(
                "const e = document.querySelector(arguments[0]); return e ? e.textContent.trim() : '';",
                vec![serde_json::json!(css)],
            )
            .await
            .expect("a text");
        last = value.as_str().unwrap_or_default().to_owned();
        if accepted(&last) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{css} shows {last:?}, {refusal}");
}

async fn text_of(client: &Client, css: &str) -> String {
    client
        .find(fantoccini::Locator::Css(css))
        .await
        .unwrap_or_else(|error| panic!("{css}: {error}"))
        .text()
        .await
        .expect("its text")
}

#[tokio::test]
async fn a_measure_is_proposed_reviewed_and_found_with_the_keyboard_alone() {
    let app = spawn_app_with(with_failing_routes()).await;
    let staff = app.create_user(&[Role::Staff], Office::Altona).await;
    let colleague = app.create_user(&[Role::Staff], Office::Harburg).await;
    let central = app
        .create_user(&[Role::CentralOfficer], Office::Central)
        .await;
    let document = prima::db::seed::strategy_2020().expect("the strategy");
    let (field_a, goal_a) = (
        document.fields[7].id.to_string(),
        document.fields[7].goals[3].id.to_string(),
    );
    let (field_b, goal_b) = (
        document.fields[3].id.to_string(),
        document.fields[3].goals[0].id.to_string(),
    );
    // A measure like the new one exists already, so the hint has something to show.
    sqlx::query("insert into measures (id, title, summary, status, lead_office) values (gen_random_uuid(), 'Elektronischer Workflow für Mitzeichnungen', '', 'accepted', 'wandsbek')")
        .execute(&app.db)
        .await
        .expect("an existing measure");

    with_browser(move |client| async move {
        sign_in(&client, &app, &staff).await;
        client
            .goto(&app.url("/massnahmen/neu"))
            .await
            .expect("the form loads");
        tab_to(&client, "title").await;
        type_text(&client, "Elektronischer Workflow für Umlaufmappen").await;
        // Each field's goals sit behind its summary: open it, then tick the goal.
        tab_to(&client, &format!("ziele-{field_a}")).await;
        press(&client, Key::Enter).await;
        tab_to(&client, &format!("ziel-{goal_a}")).await;
        press(&client, Key::Space).await;
        tab_to(&client, &format!("ziele-{field_b}")).await;
        press(&client, Key::Enter).await;
        tab_to(&client, &format!("ziel-{goal_b}")).await;
        press(&client, Key::Space).await;
        tab_to(&client, "lead_office").await;
        type_text(&client, "Bezirksamt Altona").await;
        tab_to(&client, "Einreichen").await;
        press(&client, Key::Enter).await;

        wait_for(&client, ".similar-measures").await;
        assert!(
            text_of(&client, ".similar-measures")
                .await
                .contains("Elektronischer Workflow für Mitzeichnungen")
        );
        let violations = axe_violations(&client).await;
        assert!(
            violations.is_empty(),
            "axe on the duplicate hint: {violations:?}"
        );
        tab_to(&client, "Einreichen").await;
        press(&client, Key::Enter).await;
        wait_for_text(&client, ".measure-status", "Eingereicht").await;
        let measure_path = client.current_url().await.expect("a url").path().to_owned();

        // A colleague finds it, supports it and follows it.
        client.delete_all_cookies().await.expect("sign out");
        sign_in(&client, &app, &colleague).await;
        client
            .goto(&app.url("/massnahmen"))
            .await
            .expect("the catalogue loads");
        tab_to(&client, "suche").await;
        type_text(&client, "Umlaufmappen").await;
        press(&client, Key::Enter).await;
        wait_for(&client, "input#suche[value='Umlaufmappen']").await;
        assert_eq!(
            text_of(&client, ".catalogue-list").await,
            text_of(&client, ".catalogue-item").await,
            "one hit"
        );
        tab_to(&client, "Elektronischer Workflow für Umlaufmappen").await;
        press(&client, Key::Enter).await;
        wait_for_text(
            &client,
            ".measure-title",
            "Elektronischer Workflow für Umlaufmappen",
        )
        .await;
        tab_to(&client, "Unterstützen").await;
        press(&client, Key::Enter).await;
        wait_for_text(&client, ".measure-summary .support-count", "1").await;
        tab_to(&client, "Folgen (Benachrichtigungen erhalten)").await;
        press(&client, Key::Enter).await;
        wait_for(&client, "form[action$='/nicht-mehr-folgen']").await;

        client.delete_all_cookies().await.expect("sign out");
        sign_in(&client, &app, &central).await;
        client
            .goto(&app.url(&measure_path))
            .await
            .expect("the measure loads");
        tab_to(&client, "Prüfung beginnen").await;
        press(&client, Key::Enter).await;
        wait_for_text(&client, ".measure-status", "In Prüfung").await;
        tab_to(&client, "Annehmen").await;
        press(&client, Key::Enter).await;
        wait_for_text(&client, ".measure-status", "Angenommen").await;

        // The colleague is told of both steps.
        client.delete_all_cookies().await.expect("sign out");
        sign_in(&client, &app, &colleague).await;
        wait_for_text(&client, ".unread-count", "2").await;
        tab_to(&client, "Benachrichtigungen 2 ungelesen").await;
        press(&client, Key::Enter).await;
        wait_for(&client, ".notification-list").await;
        let told = text_of(&client, ".notification-list").await;
        assert!(told.contains("Angenommen"), "{told}");
        assert!(told.contains("In Prüfung"), "{told}");

        client
            .goto(&app.url("/massnahmen?suche=Umlaufmappe"))
            .await
            .expect("the catalogue loads");
        assert!(
            text_of(&client, ".catalogue-list")
                .await
                .contains("Elektronischer Workflow für Umlaufmappen")
        );
        for goal in [&goal_a, &goal_b] {
            client
                .goto(&app.url(&format!("/strategie/ziele/{goal}")))
                .await
                .expect("the goal page loads");
            assert!(
                text_of(&client, ".measure-list")
                    .await
                    .contains("Elektronischer Workflow für Umlaufmappen")
            );
        }
    })
    .await;
}

#[tokio::test]
async fn an_officer_assesses_and_the_central_officer_sets_a_final_value_freezes_and_weighs_the_result_with_the_keyboard_alone()
 {
    let app = spawn_app_with(with_failing_routes()).await;
    let officer = app
        .create_user(&[Role::DistrictOfficer], Office::Altona)
        .await;
    let central = app
        .create_user(&[Role::CentralOfficer], Office::Central)
        .await;
    let measure: uuid::Uuid = sqlx::query_scalar(
        "insert into measures (id, title, status, lead_office)
         values (gen_random_uuid(), 'Online-Terminbuchung im Kundenzentrum', 'accepted', 'altona')
         returning id",
    )
    .fetch_one(&app.db)
    .await
    .expect("a measure");
    let catalogue = prima::db::criteria::current(&app.db)
        .await
        .expect("read")
        .expect("the default catalogue");
    let name =
        prima::domain::prioritisation::rounds::RoundName::parse("Tastaturrunde").expect("a name");
    let round = prima::db::rounds::open(
        &app.db,
        &prima::db::rounds::NewRound {
            name: &name,
            deadline: chrono::NaiveDate::from_ymd_opt(2099, 1, 31).expect("a date"),
            catalogue_id: catalogue.id,
            measures: &[prima::domain::ids::MeasureId(measure)],
            by: central.id,
            notice: "Bitte bewerten.",
        },
    )
    .await
    .expect("a round");

    with_browser(move |client| async move {
        // The district officer assesses: 0–10 on each criterion with the arrow keys.
        sign_in(&client, &app, &officer).await;
        client
            .goto(&app.url(&format!("/priorisierung/runden/{round}/bewerten")))
            .await
            .expect("my assessments");
        tab_to(&client, "M-1 Online-Terminbuchung im Kundenzentrum").await;
        press(&client, Key::Enter).await;
        wait_for(&client, "form.assessment-form").await;
        let violations = axe_violations(&client).await;
        assert!(
            violations.is_empty(),
            "axe on the assessment form: {violations:?}"
        );
        for (k, points) in [7, 6, 8, 4, 2, 3, 5].into_iter().enumerate() {
            tab_to(&client, &format!("w{k}-0")).await;
            for _ in 0..points {
                press(&client, Key::Right).await;
            }
        }
        tab_to(&client, "b0").await;
        type_text(&client, "Viele Anliegen erreichen uns telefonisch.").await;
        tab_to(&client, "Bewertung speichern").await;
        press(&client, Key::Enter).await;
        wait_for(&client, ".round-values").await;
        // Now the officer sees the values: (25·7 + 20·6 + 20·8 + 10·4 + 5·2 + 10·(10−3) + 10·(10−5)) / 10.
        assert!(
            text_of(&client, ".standing").await.contains("62,50 Punkte"),
            "{}",
            text_of(&client, ".standing").await
        );
        assert_eq!(value_of(&client, "#w0-7").await.as_deref(), Some("7"));

        // After the deadline the central officer sees every value (blind before it: no final
        // value then), sets a final value and freezes the round.
        app.pass_deadline(&round.to_string()).await;
        client.delete_all_cookies().await.expect("sign out");
        sign_in(&client, &app, &central).await;
        client
            .goto(&app.url(&format!(
                "/priorisierung/runden/{round}/massnahmen/{measure}"
            )))
            .await
            .expect("the measure in the round");
        tab_to(&client, "endwert-0").await;
        type_text(&client, "9").await;
        tab_to(&client, "endwert-begruendung-0").await;
        type_text(&client, "In der Runde am 1.12. geklärt").await;
        tab_to(&client, "Endwert setzen").await;
        press(&client, Key::Enter).await;
        for _ in 0..50 {
            // While the form is sent the page is between documents: try again then.
            let legend = match client
                .find(fantoccini::Locator::Css(".final-value legend"))
                .await
            {
                Ok(element) => element.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if legend.contains("Endwert 9") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(
            text_of(&client, ".final-value legend")
                .await
                .contains("Endwert 9")
        );
        client
            .goto(&app.url(&format!("/priorisierung/runden/{round}")))
            .await
            .expect("the round");
        tab_to(&client, "Runde einfrieren").await;
        press(&client, Key::Enter).await;
        wait_for(&client, "#gremium").await;
        tab_to(&client, "gremium").await;
        type_text(&client, "Konferenz der Bezirksamtsleitungen").await;
        tab_to(&client, "Runde einfrieren").await;
        press(&client, Key::Enter).await;
        wait_for(&client, ".decision").await;
        assert!(
            text_of(&client, ".decision")
                .await
                .contains("Konferenz der Bezirksamtsleitungen")
        );
        // 9 instead of 7 on a criterion of 25 %: 5 points more.
        assert_eq!(text_of(&client, ".ranking-row__score").await, "67,50");
        let violations = axe_violations(&client).await;
        assert!(
            violations.is_empty(),
            "axe on the frozen round: {violations:?}"
        );

        // What if the citizens' benefit weighed 15 % and the staff's relief 30 %?
        tab_to(&client, "Was wäre, wenn …").await;
        press(&client, Key::Enter).await;
        wait_for(&client, "form.what-if-form").await;
        tab_to(&client, "gewicht1").await;
        type_text(&client, "15").await;
        tab_to(&client, "gewicht2").await;
        type_text(&client, "30").await;
        tab_to(&client, "Rangfolge berechnen").await;
        press(&client, Key::Enter).await;
        wait_for(&client, ".scenario-save").await;
        // (15·9 + 30·6 + 20·8 + 10·4 + 5·2 + 10·7 + 10·5) / 10
        assert_eq!(
            text_of(&client, ".what-if-row td[data-label=Punkte]").await,
            "64,50"
        );
        let violations = axe_violations(&client).await;
        assert!(violations.is_empty(), "axe on what-if: {violations:?}");
        tab_to(&client, "name").await;
        type_text(&client, "Mehr Entlastung").await;
        tab_to(&client, "Als Szenario speichern").await;
        press(&client, Key::Enter).await;
        wait_for_text(
            &client,
            "h1",
            "Was wäre, wenn … – Szenario „Mehr Entlastung“",
        )
        .await;

        // How robust is the ranking? The first k chosen in the form, sent with Enter.
        client
            .goto(&app.url(&format!("/priorisierung/runden/{round}")))
            .await
            .expect("the round");
        tab_to(&client, "Wie robust ist sie?").await;
        press(&client, Key::Enter).await;
        wait_for(&client, ".robustness-table").await;
        tab_to(&client, "k").await;
        type_text(&client, "1").await;
        tab_to(&client, "Neu berechnen").await;
        press(&client, Key::Enter).await;
        wait_for_text(
            &client,
            ".robustness-table thead th:nth-child(5)",
            "Unter den ersten 1",
        )
        .await;
        assert_eq!(text_of(&client, ".robustness-row__top").await, "100 %");
        let violations = axe_violations(&client).await;
        assert!(violations.is_empty(), "axe on robustness: {violations:?}");
    })
    .await;
}

#[tokio::test]
async fn the_strategy_team_makes_the_pdf_report_follows_its_progress_and_downloads_it() {
    let app = spawn_app_with(with_failing_routes()).await;
    prima::demo::load_examples(&app.db)
        .await
        .expect("the example measures");
    let team = app
        .create_user(&[Role::StrategyTeam], Office::Central)
        .await;

    with_browser(move |client| async move {
        sign_in(&client, &app, &team).await;
        client
            .goto(&app.url("/berichte/strategie"))
            .await
            .expect("the strategy report");
        tab_to(&client, "Bericht als PDF erstellen").await;
        press(&client, Key::Enter).await;
        wait_for(&client, "progress").await;
        assert!(
            client
                .current_url()
                .await
                .expect("a url")
                .path()
                .starts_with("/auftraege/")
        );
        // The script follows the job and offers the file when it is ready.
        client
            .wait()
            .at_most(std::time::Duration::from_secs(60))
            .for_element(fantoccini::Locator::Css(".job__download"))
            .await
            .expect("the download link appears");
        assert!(
            text_of(&client, "[aria-live=polite]")
                .await
                .starts_with("Fertig.")
        );
        let violations = axe_violations(&client).await;
        assert!(violations.is_empty(), "{violations:#?}");
        tab_to(&client, "Datei herunterladen").await;
        // The file as the browser gets it: the link's address, fetched with the session.
        let fetched = client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 fetch(document.activeElement.href).then(async (response) => {
                   const bytes = new Uint8Array(await response.arrayBuffer());
                   let binary = '';
                   for (const byte of bytes) { binary += String.fromCharCode(byte); }
                   done([response.headers.get('content-type'), btoa(binary)]);
                 });",
                vec![],
            )
            .await
            .expect("the file");
        let (content_type, base64): (String, String) =
            serde_json::from_value(fetched).expect("type and bytes");
        assert_eq!(content_type, "application/pdf");
        let bytes = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, base64)
            .expect("base64 as btoa writes it");
        crate::support::pdf::assert_accessible(
            &bytes,
            "Bericht zur Digitalstrategie „Digitalstrategie der Bezirksämter“",
        );
        assert!(crate::support::pdf::text(&bytes).contains("Vision und Säulen"));
    })
    .await;
}

#[tokio::test]
async fn an_officer_imports_a_list_with_the_keyboard_alone() {
    let app = spawn_app_with(with_failing_routes()).await;
    let officer = app
        .create_user(&[Role::DistrictOfficer], Office::Bergedorf)
        .await;
    sqlx::query(
        "insert into measures (id, title, summary, status, lead_office)
         values (gen_random_uuid(), 'Digitale Bauakte', 'Bauakten digital führen.', 'accepted',
                 'bergedorf')",
    )
    .execute(&app.db)
    .await
    .expect("an existing measure");
    let folder = std::env::temp_dir().join(format!("prima-import-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&folder).expect("a folder");
    let file = folder.join("Bergedorfer Liste.csv");
    std::fs::write(
        &file,
        "Maßnahme;Kurzbeschreibung;Kosten\r\nDigitale Bauakte;Bauakten digital führen.;\r\nWLAN im Rathaus;Netz für Gäste.;8000\r\n;Ohne Titel;\r\n",
    )
    .expect("the list");

    with_browser(move |client| async move {
        sign_in(&client, &app, &officer).await;
        client
            .goto(&app.url("/massnahmen"))
            .await
            .expect("the catalogue");
        tab_to(&client, "Bestehende Liste übernehmen").await;
        press(&client, Key::Enter).await;
        wait_for(&client, "input#datei").await;
        let violations = axe_violations(&client).await;
        assert!(violations.is_empty(), "upload: {violations:#?}");
        // Choosing a file is the browser's own dialog; WebDriver types the path into it.
        tab_to(&client, "datei").await;
        type_text(&client, file.to_str().expect("a path")).await;
        tab_to(&client, "Datei hochladen").await;
        press(&client, Key::Enter).await;
        wait_for(&client, "select#titel").await;
        assert_eq!(value_of(&client, "#titel").await.as_deref(), Some("0"));
        let violations = axe_violations(&client).await;
        assert!(violations.is_empty(), "mapping: {violations:#?}");
        tab_to(&client, "Weiter zur Vorschau").await;
        press(&client, Key::Enter).await;
        wait_for(&client, "form.import-preview").await;
        let violations = axe_violations(&client).await;
        assert!(violations.is_empty(), "preview: {violations:#?}");
        assert!(
            text_of(&client, ".import-problem")
                .await
                .contains("Maßnahme")
        );
        // The duplicate: from "merge" (preselected) down to "new", then on to "skip".
        let mut reached = false;
        for _ in 0..100 {
            press(&client, Key::Tab).await;
            let focused: String = serde_json::from_value(
                client
                    .execute("return document.activeElement.name || '';", vec![])
                    .await
                    .expect("the focus"),
            )
            .expect("a name");
            if focused == "zeile_2" {
                reached = true;
                break;
            }
        }
        assert!(reached, "the decision of row 2 is reached with Tab");
        press(&client, Key::Down).await;
        press(&client, Key::Down).await;
        let chosen: String = serde_json::from_value(
            client
                .execute(
                    "return document.querySelector('input[name=zeile_2]:checked').value;",
                    vec![],
                )
                .await
                .expect("the choice"),
        )
        .expect("a value");
        assert_eq!(chosen, "ueberspringen");
        tab_to(&client, "Liste übernehmen").await;
        press(&client, Key::Enter).await;
        // Writing runs as a job: its page follows it and then leads back to the import.
        client
            .wait()
            .at_most(std::time::Duration::from_secs(60))
            .for_element(fantoccini::Locator::Css(".job__download"))
            .await
            .expect("the job finishes");
        let violations = axe_violations(&client).await;
        assert!(violations.is_empty(), "job: {violations:#?}");
        tab_to(&client, "Zur Übernahme mit ihren Zahlen").await;
        press(&client, Key::Enter).await;
        wait_for(&client, ".kern-alert--success").await;
        let result = text_of(&client, ".kern-alert--success").await;
        assert!(
            result.contains(
                "1 Maßnahme neu angelegt, 0 mit bestehenden zusammengeführt, 2 Zeilen übersprungen"
            ),
            "{result}"
        );
        let violations = axe_violations(&client).await;
        assert!(violations.is_empty(), "result: {violations:#?}");
    })
    .await;
}

#[tokio::test]
async fn an_anonymous_reader_finds_a_released_measure_with_the_keyboard_alone() {
    let app = spawn_app_with(with_failing_routes()).await;
    prima::demo::load_examples(&app.db)
        .await
        .expect("the examples, some released");
    let (number, title): (i64, String) = sqlx::query_as(
        "select m.number, p.released ->> 'title' from measure_publications p
         join measures m on m.id = p.measure_id
         where p.released ->> 'title' like '%Terminvergabe%'",
    )
    .fetch_one(&app.db)
    .await
    .expect("a released measure about appointments");

    with_browser(move |client| async move {
        // No account: the public page, its explanation in Leichte Sprache one link away.
        client
            .goto(&app.url("/oeffentlich"))
            .await
            .expect("the public page");
        let violations = axe_violations(&client).await;
        assert!(violations.is_empty(), "{violations:#?}");
        tab_to(&client, "q").await;
        type_text(&client, "Terminvergaben").await;
        press(&client, Key::Enter).await;
        wait_for_text(
            &client,
            "[role=status]",
            "1 Maßnahme passt zu „Terminvergaben“. Alle Maßnahmen zeigen",
        )
        .await;
        let heading = format!("M-{number} {title}");
        tab_to(&client, &heading).await;
        press(&client, Key::Enter).await;
        wait_for_text(&client, "h1", &heading).await;
        assert!(
            text_of(&client, "main")
                .await
                .contains("Umsetzung in den Bezirksämtern")
        );
        let violations = axe_violations(&client).await;
        assert!(violations.is_empty(), "{violations:#?}");
        tab_to(&client, "Leichte Sprache").await;
        press(&client, Key::Enter).await;
        wait_for_text(&client, "h1", "Was die Bezirks·ämter digital machen").await;
    })
    .await;
}

#[tokio::test]
async fn the_strategy_team_carries_the_strategy_into_its_next_iteration_with_the_keyboard_alone() {
    let app = spawn_app_with(with_failing_routes()).await;
    prima::demo::load_examples(&app.db)
        .await
        .expect("the example measures and rounds");
    let team = app
        .create_user(&[Role::StrategyTeam], Office::Central)
        .await;
    let central_user = app
        .create_user(&[Role::CentralOfficer], Office::Central)
        .await;
    let old: uuid::Uuid =
        sqlx::query_scalar("select id from strategies where status = 'published'")
            .fetch_one(&app.db)
            .await
            .expect("the strategy in force");

    with_browser(move |client| async move {
        sign_in(&client, &app, &team).await;
        client
            .goto(&app.url("/strategie/iterationen"))
            .await
            .expect("the iterations");
        tab_to(&client, "version_label").await;
        type_text(&client, "2.0 – 2022").await;
        tab_to(&client, "Fortschreibung beginnen").await;
        press(&client, Key::Enter).await;
        wait_for_text(
            &client,
            ".kern-preline",
            "Version 2.0 – 2022 · Entwurf (Fortschreibung)",
        )
        .await;
        let draft: uuid::Uuid =
            sqlx::query_scalar("select id from strategies where status = 'draft'")
                .fetch_one(&app.db)
                .await
                .expect("the draft");

        // Reword the first goal of the first field.
        let (field, first_goal): (String, uuid::Uuid) = sqlx::query_as(
            "select f.name, g.id from goals g join fields f on f.id = g.field_id
             where f.strategy_id = $1 order by f.position, g.position limit 1",
        )
        .bind(draft)
        .fetch_one(&app.db)
        .await
        .expect("a goal");
        tab_to(&client, &format!("Bearbeiten: Ziel 1 in {field}")).await;
        press(&client, Key::Enter).await;
        wait_for_text(&client, "h1", &format!("Ziel 1 in „{field}“ bearbeiten")).await;
        let violations = axe_violations(&client).await;
        assert!(violations.is_empty(), "{violations:#?}");
        tab_to(&client, "statement").await;
        let select_all = format!("{}a{}", char::from(Key::Control), char::from(Key::Null));
        type_text(&client, &select_all).await;
        type_text(
            &client,
            "Wir stellen gemeinsam die Ressourcen für die Digitalisierung bereit.",
        )
        .await;
        tab_to(&client, "Speichern").await;
        press(&client, Key::Enter).await;
        wait_for(&client, ".draft-banner").await;
        let reworded: String = sqlx::query_scalar("select statement from goals where id = $1")
            .bind(first_goal)
            .fetch_one(&app.db)
            .await
            .expect("the goal");
        assert_eq!(
            reworded,
            "Wir stellen gemeinsam die Ressourcen für die Digitalisierung bereit."
        );

        // Retire a goal that example measures pay into, the one with the fewest.
        let (retired, field, position): (uuid::Uuid, String, i32) = sqlx::query_as(
            "select g.id, f.name, g.position from goals g join fields f on f.id = g.field_id
             join measure_goals mg on mg.goal_id = g.origin_id
             join measures m on m.id = mg.measure_id
              and m.status not in ('draft', 'rejected', 'merged', 'implemented', 'discontinued')
             where f.strategy_id = $1
             group by g.id, f.name, g.position, f.position
             order by count(*), f.position, g.position limit 1",
        )
        .bind(draft)
        .fetch_one(&app.db)
        .await
        .expect("a goal with measures");
        tab_to(
            &client,
            &format!("Entfallen lassen: Ziel {position} in {field}"),
        )
        .await;
        press(&client, Key::Enter).await;
        wait_for_text_containing(&client, &format!("#ziel-{retired}"), "Entfällt").await;

        // Carry the measures over: each whose goal ends is retired or kept, the rest as proposed.
        tab_to(&client, "Maßnahmen übertragen").await;
        press(&client, Key::Enter).await;
        wait_for_text(&client, "h1", "Maßnahmen in Version 2.0 – 2022 übertragen").await;
        let violations = axe_violations(&client).await;
        assert!(violations.is_empty(), "{violations:#?}");
        let overview =
            prima::db::carryover::overview(&app.db, prima::domain::ids::StrategyId(draft))
                .await
                .expect("read")
                .expect("the carry-over");
        let ending: Vec<_> = overview
            .candidates
            .iter()
            .filter(|candidate| candidate.needs_decision())
            .collect();
        assert!(!ending.is_empty());
        for candidate in &ending {
            // Tab reaches a radio group at its checked choice; the arrows choose within it.
            tab_to(&client, &format!("entscheidung-{}-offen", candidate.id)).await;
            let keep = !candidate.proposed().is_empty();
            press(&client, Key::Down).await;
            if !keep {
                press(&client, Key::Down).await;
                press(&client, Key::Down).await;
            }
        }
        tab_to(&client, "Entscheidungen speichern").await;
        press(&client, Key::Enter).await;
        wait_for_text(&client, ".kern-alert--success .kern-title", "Gespeichert").await;
        assert!(
            text_of(&client, ".carryover-summary")
                .await
                .contains("alle entschieden")
        );

        // The open round of the strategy in force holds the publication back until it is frozen.
        tab_to(&client, "Version 2.0 – 2022 veröffentlichen").await;
        press(&client, Key::Enter).await;
        wait_for(&client, ".publish-box .kern-error").await;
        assert!(
            text_of(&client, ".publish-box .kern-error")
                .await
                .contains("eingefroren")
        );
        let round: uuid::Uuid =
            sqlx::query_scalar("select id from prioritisation_rounds where status = 'open'")
                .fetch_one(&app.db)
                .await
                .expect("the open round");
        let frozen = app
            .login(&central_user)
            .await
            .post_form(
                &format!("/priorisierung/runden/{round}/einfrieren"),
                &[
                    ("beschlossen_am", "2026-12-01"),
                    ("gremium", "Konferenz der Bezirksamtsleitungen"),
                ],
            )
            .await;
        assert_eq!(frozen.status.as_u16(), 303, "{}", frozen.body);
        tab_to(&client, "Version 2.0 – 2022 veröffentlichen").await;
        press(&client, Key::Enter).await;
        let mut waited = 0;
        let published: chrono::NaiveDate = loop {
            waited += 1;
            assert!(waited < 200, "the draft was not published");
            // No row until the publication has committed; then its day.
            let day: Option<Option<chrono::NaiveDate>> = sqlx::query_scalar(
                "select published_on from strategies where id = $1 and status = 'published'",
            )
            .bind(draft)
            .fetch_optional(&app.db)
            .await
            .expect("the draft's state");
            if let Some(day) = day.flatten() {
                break day;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        };
        wait_for_text(
            &client,
            ".kern-preline",
            &format!(
                "Version 2.0 – 2022 · in Kraft · veröffentlicht am {}",
                prima::domain::time::day(published)
            ),
        )
        .await;

        // Every example measure decided; the 2020 iteration still reads as it was.
        let statuses: Vec<String> =
            sqlx::query_scalar("select status::text from strategies order by created_at")
                .fetch_all(&app.db)
                .await
                .expect("statuses");
        assert_eq!(statuses, ["archived", "published"]);
        let unlinked: i64 = sqlx::query_scalar(
            "select count(*) from measures m
             where m.status not in ('draft', 'discontinued', 'merged')
               and exists (select 1 from archived_measure_goals a where a.measure_id = m.id)
               and not exists (select 1 from measure_goals mg where mg.measure_id = m.id)",
        )
        .fetch_one(&app.db)
        .await
        .expect("count");
        assert_eq!(unlinked, 0, "every open measure carried over");
        client
            .goto(&app.url(&format!("/strategie/iterationen/{old}")))
            .await
            .expect("the archived iteration");
        assert!(
            text_of(&client, ".archived-banner")
                .await
                .contains("abgelöst")
        );
        let violations = axe_violations(&client).await;
        assert!(violations.is_empty(), "{violations:#?}");
    })
    .await;
}

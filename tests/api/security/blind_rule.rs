//! The blind rule, stated once (issue 21): everything a blind reader gets of a round – its page
//! and JSON, the ranking in every view and as JSON, the exports, what-if, the scenarios, the
//! robustness, the comparison of rounds, every measure's page in the round, their own list and
//! their notifications – is byte for byte the same whatever values the other offices gave to the
//! measures hidden from that reader.

use std::io::Cursor;

use axum::http::StatusCode;
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use prima::domain::office::Office;
use prima::domain::roles::Role;

use crate::rounds::open_round;
use crate::support::accounts::Client;
use crate::support::{TestApp, spawn_app};

/// An accepted measure proposed by a new staff member; `supports` of them back it.
async fn measure(app: &TestApp, title: &str, supports: i32) -> uuid::Uuid {
    let author = app.create_user(&[Role::Staff], Office::Harburg).await;
    sqlx::query_scalar(
        "insert into measures (id, title, status, lead_office, author_id, support_count)
         values (gen_random_uuid(), $1, 'accepted', 'harburg', $2, $3) returning id",
    )
    .bind(title)
    .bind(author.id.0)
    .bind(supports)
    .fetch_one(&app.db)
    .await
    .expect("a measure")
}

/// Submits `points` for the seven criteria of `measure`, which must be taken.
async fn assess(client: &Client, round: &str, measure: uuid::Uuid, points: [&str; 7]) {
    let response = send_assessment(client, round, measure, points).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
}

/// Sends `points` for the seven criteria of `measure`; the answer.
async fn send_assessment(
    client: &Client,
    round: &str,
    measure: uuid::Uuid,
    points: [&str; 7],
) -> crate::support::http::TestResponse {
    let fields: Vec<(String, String)> = points
        .iter()
        .enumerate()
        .flat_map(|(k, value)| {
            [
                (format!("w{k}"), (*value).to_owned()),
                (format!("b{k}"), format!("Begründung {k}")),
            ]
        })
        .collect();
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    client
        .post_form(&format!("{round}/massnahmen/{measure}"), &refs)
        .await
}

/// The bytes with every form's one-time key (fresh with each page, whatever anyone assessed)
/// blanked.
fn without_form_keys(bytes: &[u8]) -> Vec<u8> {
    const MARK: &[u8] = b"name=\"form_key\" value=\"";
    let mut out = bytes.to_vec();
    let mut at = 0;
    while let Some(found) = out[at..]
        .windows(MARK.len())
        .position(|window| window == MARK)
    {
        let start = at + found + MARK.len();
        let end = (start + 36).min(out.len());
        out[start..end].fill(b'0');
        at = end;
    }
    out
}

/// What `reader` gets at each of `paths`: the status and the bytes; an XLSX as its cells (the
/// file itself carries the moment it was written).
async fn capture(reader: &Client, paths: &[String]) -> Vec<(String, StatusCode, Vec<u8>)> {
    let mut taken = Vec::new();
    for path in paths {
        let response = reader.get(path).await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "GET {path}: {}",
            response.body
        );
        let bytes = if path.contains("format=xlsx") {
            let mut workbook: Xlsx<_> =
                open_workbook_from_rs(Cursor::new(response.bytes.to_vec())).expect("an XLSX");
            let mut cells = String::new();
            for name in workbook.sheet_names() {
                let range = workbook.worksheet_range(&name).expect("a sheet");
                for row in range.rows() {
                    let row: Vec<String> = row.iter().map(Data::to_string).collect();
                    cells.push_str(&row.join("\t"));
                    cells.push('\n');
                }
            }
            cells.into_bytes()
        } else {
            without_form_keys(&response.bytes)
        };
        taken.push((path.clone(), response.status, bytes));
    }
    taken
}

/// The others' values (all but the `readers'`) of the hidden measures become `value` for every
/// criterion (null: "nicht beurteilbar"), and the first criterion of the first hidden measure
/// gets the final value `final_value` set by `central` (none: no final value).
async fn set_hidden_values(
    app: &TestApp,
    round: uuid::Uuid,
    hidden: &[uuid::Uuid],
    readers: &[uuid::Uuid],
    value: impl Fn(usize) -> Option<i16>,
    final_value: Option<(i16, uuid::Uuid)>,
) {
    for (n, measure) in hidden.iter().enumerate() {
        sqlx::query(
            "update assessments set value = $4, reason = 'geändert ' || coalesce($4::text, 'nb')
             where round_id = $1 and measure_id = $2 and rater_id <> all($3)",
        )
        .bind(round)
        .bind(measure)
        .bind(readers)
        .bind(value(n))
        .execute(&app.db)
        .await
        .expect("the others' values changed");
    }
    sqlx::query("delete from final_values where round_id = $1")
        .bind(round)
        .execute(&app.db)
        .await
        .expect("no final value");
    if let Some((final_value, central)) = final_value {
        sqlx::query(
            "insert into final_values (round_id, measure_id, criterion_id, value, reason, set_by)
             select $1, $2, k.id, $3, 'Beschluss der Lenkungsgruppe', $4
             from prioritisation_rounds r join criteria k on k.catalogue_id = r.catalogue_id
             where r.id = $1 and k.position = 1",
        )
        .bind(round)
        .bind(hidden[0])
        .bind(final_value)
        .bind(central)
        .execute(&app.db)
        .await
        .expect("a final value");
    }
}

#[tokio::test]
async fn a_blind_reader_gets_the_same_bytes_whatever_the_others_gave_to_what_is_hidden() {
    let app = spawn_app().await;
    let central = app.signed_in(Role::CentralOfficer).await;
    let reader_account = app
        .create_user(&[Role::DistrictOfficer], Office::Altona)
        .await;
    let reader = app.login(&reader_account).await;
    // A round may have several central officers: one who has not assessed a measure is as
    // blind as any officer before the deadline, also to the other's final values.
    let central_account = app
        .create_user(&[Role::CentralOfficer], Office::Central)
        .await;
    let central_reader = app.login(&central_account).await;
    let other_central = app
        .create_user(&[Role::CentralOfficer], Office::Central)
        .await;
    let mut others = Vec::new();
    for office in [Office::Wandsbek, Office::Harburg, Office::Bergedorf] {
        let account = app.create_user(&[Role::DistrictOfficer], office).await;
        others.push(app.login(&account).await);
    }
    let mut measures = Vec::new();
    for n in 0..8 {
        measures.push(measure(&app, &format!("Maßnahme Nummer {n}"), n).await);
    }
    let (visible, hidden) = measures.split_at(3);
    // A visible measure depends on a hidden one, and a hidden one on a visible one: the
    // prerequisite note must not tell where the hidden one stands.
    for (needs, needed) in [(visible[0], hidden[1]), (hidden[2], visible[1])] {
        sqlx::query("insert into measure_dependencies (measure_id, requires_id) values ($1, $2)")
            .bind(needs)
            .bind(needed)
            .execute(&app.db)
            .await
            .expect("a dependency");
    }

    // An earlier round, frozen, to compare with.
    let earlier = open_round(&central, "Runde 2025").await;
    for (n, id) in measures.iter().enumerate() {
        let points = ["0", "2", "4", "6", "8", "10", "5", "7"][n];
        assess(&others[0], &earlier, *id, [points; 7]).await;
    }
    let frozen = central
        .post_form(
            &format!("{earlier}/einfrieren"),
            &[("beschlossen_am", "2026-12-01"), ("gremium", "Konferenz")],
        )
        .await;
    assert_eq!(frozen.status, StatusCode::SEE_OTHER, "{}", frozen.body);

    let round = open_round(&central, "Runde 2027").await;
    let round_id: uuid::Uuid = round
        .rsplit('/')
        .next()
        .and_then(|id| id.parse().ok())
        .expect("the round's id");
    let earlier_id = earlier.rsplit('/').next().expect("an id").to_owned();
    // The reader judges three measures, and one more as "nicht beurteilbar" throughout: that
    // is an assessment, but it must not show the others' values.
    for (id, points) in visible.iter().zip(["6", "4", "8"]) {
        assess(&reader, &round, *id, [points, "5", "5", "5", "5", "5", "5"]).await;
    }
    assess(&reader, &round, hidden[4], ["nb"; 7]).await;
    for (id, points) in visible.iter().zip(["7", "2", "9"]) {
        assess(
            &central_reader,
            &round,
            *id,
            [points, "4", "4", "4", "4", "4", "4"],
        )
        .await;
    }
    for (o, other) in others.iter().enumerate() {
        for (n, id) in measures.iter().enumerate() {
            let points = ((n * 3 + o * 2) % 11).to_string();
            assess(
                other,
                &round,
                *id,
                [points.as_str(), "3", "7", "2", "9", "1", "6"],
            )
            .await;
        }
    }
    let scenario = others[0]
        .post_form(
            &format!("{round}/szenarien"),
            &[
                ("name", "Bürger zuerst"),
                ("gewicht1", "55"),
                ("gewicht2", "10"),
                ("gewicht3", "10"),
                ("gewicht4", "5"),
                ("gewicht5", "5"),
                ("gewicht6", "5"),
                ("gewicht7", "10"),
            ],
        )
        .await;
    assert_eq!(scenario.status, StatusCode::SEE_OTHER, "{}", scenario.body);

    let mut paths: Vec<String> = [
        round.clone(),
        format!("{round}.json"),
        format!("{round}/bewerten"),
        format!("{round}/robustheit"),
        format!("{round}/robustheit?modell=beliebig&stichproben=1000&k=2&seed=7"),
        format!("{round}/was-waere-wenn"),
        format!("{round}/szenarien"),
        format!("{round}/szenarien?k=2"),
        format!("{round}/export/datei?format=csv"),
        format!("{round}/export/datei?format=json"),
        format!("{round}/export/datei?format=xlsx"),
        "/priorisierung".to_owned(),
        "/priorisierung?ansicht=matrix".to_owned(),
        "/priorisierung?ansicht=klassen".to_owned(),
        "/priorisierung?suche=Nummer".to_owned(),
        "/priorisierung.json".to_owned(),
        "/priorisierung/export/datei?format=csv".to_owned(),
        "/priorisierung/export/datei?format=json".to_owned(),
        format!("/priorisierung/vergleich?von={earlier_id}&zu={round_id}"),
        "/benachrichtigungen".to_owned(),
    ]
    .into_iter()
    .collect();
    // What-if with all weight on one criterion at a time: a hidden measure's place between the
    // visible ones would bracket its values.
    for k in 1..=7 {
        let weights: Vec<String> = (1..=7)
            .map(|j| format!("gewicht{j}={}", if j == k { 100 } else { 0 }))
            .collect();
        paths.push(format!("{round}/was-waere-wenn?{}&k=2", weights.join("&")));
    }
    for id in &measures {
        paths.push(format!("{round}/massnahmen/{id}"));
    }

    let hidden_ids = hidden.to_vec();
    let readers = [reader_account.id.0, central_account.id.0];
    let mut central_paths = paths.clone();
    central_paths.push(format!("{round}/einfrieren"));
    set_hidden_values(&app, round_id, &hidden_ids, &readers, |_| Some(10), None).await;
    let mut high = capture(&reader, &paths).await;
    high.extend(capture(&central_reader, &central_paths).await);
    let whole_high = others[0].get(&format!("{round}.json")).await.body;
    set_hidden_values(
        &app,
        round_id,
        &hidden_ids,
        &readers,
        |n| (n % 2 == 0).then_some(0),
        Some((3, other_central.id.0)),
    )
    .await;
    let mut low = capture(&reader, &paths).await;
    low.extend(capture(&central_reader, &central_paths).await);
    let whole_low = others[0].get(&format!("{round}.json")).await.body;
    assert_ne!(
        whole_high, whole_low,
        "the change is real: whoever sees everything sees it"
    );

    let told: Vec<String> = high
        .iter()
        .zip(&low)
        .filter(|((_, status, before), (_, status_after, after))| {
            status != status_after || before != after
        })
        .map(|((path, _, before), (_, _, after))| {
            format!("{path}:\n{}", first_difference(before, after))
        })
        .collect();
    assert!(
        told.is_empty(),
        "{} of {} tell a blind reader about the hidden measures:\n{}",
        told.len(),
        high.len(),
        told.join("\n")
    );

    // And it is the reader's view: the visible three with places 1–3, the hidden five by number.
    let page = reader.page(&round).await;
    assert_eq!(page.texts(".ranking-row__rank"), ["1", "2", "3"]);
    let listed = page.texts(".hidden-list a");
    let mut by_number = listed.clone();
    by_number.sort_by_key(|text| {
        text.trim_start_matches("M-")
            .split(' ')
            .next()
            .and_then(|number| number.parse::<i64>().ok())
    });
    assert_eq!(listed.len(), 5, "{listed:?}");
    assert_eq!(listed, by_number, "hidden measures are listed by number");
    let nb_only = reader
        .page(&format!("{round}/massnahmen/{}", hidden[4]))
        .await;
    assert_eq!(nb_only.count(".round-values"), 0, "all-nb opens nothing");
    assert!(nb_only.text("main").contains("nicht beurteilbar"));
}

/// Where two captures part, with some context, for the failure message.
fn first_difference(before: &[u8], after: &[u8]) -> String {
    let at = before
        .iter()
        .zip(after)
        .position(|(a, b)| a != b)
        .unwrap_or(before.len().min(after.len()));
    let around = |bytes: &[u8]| {
        String::from_utf8_lossy(&bytes[at.saturating_sub(200)..(at + 200).min(bytes.len())])
            .into_owned()
    };
    format!("before: …{}…\nafter:  …{}…", around(before), around(after))
}

#[tokio::test]
async fn a_value_changed_after_seeing_the_others_stays_visible_beside_the_new_one() {
    let app = spawn_app().await;
    let target = measure(&app, "Nachträglich geändert", 0).await;
    let central = app.signed_in(Role::CentralOfficer).await;
    let round = open_round(&central, "Änderungsrunde").await;
    let mut officers = Vec::new();
    for office in [Office::Altona, Office::Wandsbek, Office::Harburg] {
        let account = app.create_user(&[Role::DistrictOfficer], office).await;
        officers.push(app.login(&account).await);
    }
    let (altona, wandsbek, harburg) = (&officers[0], &officers[1], &officers[2]);
    assess(wandsbek, &round, target, ["3"; 7]).await;
    assess(altona, &round, target, ["9"; 7]).await;
    // Altona has seen Wandsbek's 3 and moves towards it.
    assess(altona, &round, target, ["4", "9", "9", "9", "9", "9", "9"]).await;
    // Harburg first could not judge anything, saw nothing, then judged: no revision.
    assess(harburg, &round, target, ["nb"; 7]).await;
    assess(harburg, &round, target, ["5"; 7]).await;
    let page = wandsbek.page(&format!("{round}/massnahmen/{target}")).await;
    let first = &page.texts(".value-row .individual-values")[0];
    assert!(
        first.contains("Altona: 4 (nach Einsicht in die anderen Werte geändert am ")
            && first.contains(", zuvor 9)"),
        "{first}"
    );
    assert!(!first.contains("Harburg: 5 (nach"), "{first}");
    let second = &page.texts(".value-row .individual-values")[1];
    assert!(!second.contains("geändert"), "an unchanged value: {second}");
    let kept: i64 = sqlx::query_scalar("select count(*) from assessment_revisions")
        .fetch_one(&app.db)
        .await
        .expect("a count");
    assert_eq!(kept, 1, "only the changed value, only after seeing");
    // Staff never see who gave which value, nor who changed one.
    let staff = app.signed_in(Role::Staff).await;
    let seen = staff.page(&format!("{round}/massnahmen/{target}")).await;
    assert!(!seen.text("main").contains("zuvor 9"));
}

#[tokio::test]
async fn values_once_given_keep_the_trail_and_a_first_assessment_after_seeing_is_refused() {
    let app = spawn_app().await;
    let target = measure(&app, "Einmal gesehen", 0).await;
    let central = app.signed_in(Role::CentralOfficer).await;
    let round = open_round(&central, "Spurrunde").await;
    let wandsbek = app
        .login(
            &app.create_user(&[Role::DistrictOfficer], Office::Wandsbek)
                .await,
        )
        .await;
    let altona = app
        .login(
            &app.create_user(&[Role::DistrictOfficer], Office::Altona)
                .await,
        )
        .await;
    assess(&wandsbek, &round, target, ["3"; 7]).await;
    // One value unlocks the others' values; "nicht beurteilbar" throughout afterwards does
    // not lock them again, nor does it reset the trail of what changed after seeing them.
    assess(
        &altona,
        &round,
        target,
        ["5", "nb", "nb", "nb", "nb", "nb", "nb"],
    )
    .await;
    assess(&altona, &round, target, ["nb"; 7]).await;
    let still = altona.page(&format!("{round}/massnahmen/{target}")).await;
    assert!(
        still.texts(".value-row .individual-values")[0].contains("Wandsbek: 3"),
        "the values stay shown"
    );
    assess(&altona, &round, target, ["9"; 7]).await;
    let kept: i64 = sqlx::query_scalar("select count(*) from assessment_revisions")
        .fetch_one(&app.db)
        .await
        .expect("a count");
    assert_eq!(kept, 8, "5 → nb, then nb → 9 on each of the seven criteria");
    let page = wandsbek.page(&format!("{round}/massnahmen/{target}")).await;
    let second = &page.texts(".value-row .individual-values")[1];
    assert!(
        second.contains("Altona: 9 (nach Einsicht in die anderen Werte geändert am "),
        "{second}"
    );

    // After the deadline the central officer sees every value without having assessed: a
    // first assessment now would not be blind and is refused; nothing is stored.
    app.pass_deadline(&round).await;
    let offered = central.page(&format!("{round}/massnahmen/{target}")).await;
    assert_eq!(
        offered.count("form.assessment-form"),
        0,
        "no form to fill in vain"
    );
    assert!(offered.text("main").contains("nicht mehr verdeckt"));
    let late = send_assessment(&central, &round, target, ["10"; 7]).await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    assert!(late.page().text("main").contains("nicht mehr verdeckt"));
    let central_rows: i64 = sqlx::query_scalar(
        "select count(*) from assessments a join users u on u.id = a.rater_id
         where 'central_officer' = any(u.roles)",
    )
    .fetch_one(&app.db)
    .await
    .expect("a count");
    assert_eq!(
        central_rows, 0,
        "nothing of the central officer's was stored"
    );
}

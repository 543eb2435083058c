//! Control characters and impossible dates are refused where input comes in, with a German
//! message, and never reach the database as an error.

use axum::http::StatusCode;
use prima::domain::roles::Role;

use crate::measures::{base, propose, two_goals};

#[tokio::test]
async fn control_characters_in_queries_and_forms_are_refused_with_a_german_page() {
    let logs = crate::support::logs::capture();
    let app = crate::support::spawn_app().await;
    let staff = app.signed_in(Role::Staff).await;
    let (goal_a, goal_b) = two_goals();
    let measure = propose(&staff, &base("Mit Kommentaren", &goal_a, &goal_b)).await;

    for path in [
        "/massnahmen?suche=%00",
        "/massnahmen?schlagwort=a%00",
        "/massnahmen/umsetzung?suche=%00",
        "/massnahmen/umsetzung?schlagwort=a%00",
        "/massnahmen?suche=Akte%1B",
        "/verwaltung/sicherheitsprotokoll?person=%00",
    ] {
        let response = staff.get(path).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(
            response.page().text("h1"),
            "Eingabe nicht verwendbar",
            "{path}"
        );
    }
    let comment = format!("/massnahmen/{measure}/kommentare");
    let response = staff.post_form(&comment, &[("body", "a\u{0}b")]).await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert!(response.page().text("main").contains("Steuerzeichen"));
    for field in ["title", "tags", "responsible_unit", "ozg_id", "summary"] {
        let mut fields = base("Harmloser Titel", &goal_a, &goal_b);
        fields.retain(|(key, _)| *key != field);
        fields.push((field, "Wert\u{0}mit Null"));
        let response = staff.post_form("/massnahmen/neu", &fields).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{field}");
    }
    let anonymous = app.anonymous();
    let response = anonymous
        .post_form(
            "/anmelden",
            &[("email", "a\u{0}b"), ("password", "egal, lang genug")],
        )
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);

    // Line breaks and tabs are text, in multi-line fields and elsewhere.
    let response = staff
        .post_form(&comment, &[("body", "Erste Zeile\r\n\tzweite Zeile")])
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);

    // PostgreSQL's refusal ("invalid byte sequence for encoding \"UTF8\": 0x00") never came.
    assert!(
        !logs.text().contains("0x00"),
        "no database error was logged"
    );
    let stored: i64 = sqlx::query_scalar("select count(*) from measures")
        .fetch_one(&app.db)
        .await
        .expect("a count");
    assert_eq!(stored, 1, "nothing was stored");
}

#[tokio::test]
async fn dates_outside_plausible_years_are_refused_next_to_their_field() {
    let app = crate::support::spawn_app().await;
    let staff = app.signed_in(Role::Staff).await;
    let (goal_a, goal_b) = two_goals();
    for (field, value) in [
        ("planned_start", "-4713-01-01"),
        ("planned_end", "0001-01-01"),
        ("planned_start", "31.12.2201"),
    ] {
        let mut fields = base("Mit Datum", &goal_a, &goal_b);
        fields.push((field, value));
        let response = staff.post_form("/massnahmen/neu", &fields).await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{value}");
        let page = response.page();
        assert_eq!(
            page.text(&format!("#{field}-fehler")),
            "Bitte geben Sie ein Datum zwischen 1900 und 2200 an, zum Beispiel 31.12.2026."
        );
        assert_eq!(
            page.select(&format!("#{field}"))[0].value().attr("value"),
            Some(value),
            "the input is kept"
        );
    }
    let admin = app.signed_in(Role::Administrator).await;
    let log = admin
        .page("/verwaltung/sicherheitsprotokoll?von=-4713-01-01")
        .await;
    assert!(log.text("main").contains("zwischen 1900 und 2200"));
}

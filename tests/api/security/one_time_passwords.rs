//! A password an administrator hands out is a one-time password (issue 21): it signs in for 72
//! hours and only to choose one's own; the pages say so.

use axum::http::StatusCode;
use prima::domain::roles::Role;

use crate::support::spawn_app;

#[tokio::test]
async fn a_one_time_password_signs_in_only_to_choose_ones_own_and_only_for_72_hours() {
    let app = spawn_app().await;
    let admin = app.signed_in(Role::Administrator).await;
    let created = admin
        .post_form(
            "/verwaltung/konten/neu",
            &[
                ("name", "Olaf Einmal"),
                ("email", "olaf.einmal@bezirksamt.example"),
                ("office", "harburg"),
                ("roles", "staff"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::OK);
    let page = created.page();
    let one_time = page.text("#einmalpasswort");
    assert!(
        page.text("main").contains("Es gilt 72 Stunden"),
        "{}",
        page.text("main")
    );

    let olaf = app.anonymous();
    let login = |password: String| {
        let olaf = &olaf;
        async move {
            olaf.post_form(
                "/anmelden",
                &[
                    ("email", "olaf.einmal@bezirksamt.example"),
                    ("password", password.as_str()),
                ],
            )
            .await
        }
    };
    let signed_in = login(one_time.clone()).await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
    assert_eq!(
        signed_in.header("location"),
        Some("/konto#passwort-aendern")
    );
    // Until the person has chosen their own, every other page leads there.
    for path in ["/", "/massnahmen", "/priorisierung"] {
        let response = olaf.get(path).await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(response.header("location"), Some("/konto#passwort-aendern"));
    }
    let proposal = olaf
        .post_form("/massnahmen/neu", &[("titel", "Etwas vorschlagen")])
        .await;
    assert_eq!(proposal.status, StatusCode::SEE_OTHER);
    assert_eq!(proposal.header("location"), Some("/konto#passwort-aendern"));
    let account = olaf.page("/konto").await;
    assert!(account.text(".one-time-notice").contains("Einmalpasswort"));

    let own = "mein eigenes langes Passwort am Hafen";
    let changed = olaf
        .post_form(
            "/konto/passwort",
            &[
                ("current_password", one_time.as_str()),
                ("new_password", own),
                ("new_password_repeat", own),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    assert_eq!(olaf.get("/massnahmen").await.status, StatusCode::OK);
    assert_eq!(olaf.page("/konto").await.count(".one-time-notice"), 0);
    // The one-time password is gone, the own one works.
    let again = app.anonymous();
    let old = again
        .post_form(
            "/anmelden",
            &[
                ("email", "olaf.einmal@bezirksamt.example"),
                ("password", one_time.as_str()),
            ],
        )
        .await;
    assert_eq!(old.status, StatusCode::UNPROCESSABLE_ENTITY);

    // A one-time password after its 72 hours signs nobody in, and says why.
    let id: uuid::Uuid =
        sqlx::query_scalar("select id from users where email = 'olaf.einmal@bezirksamt.example'")
            .fetch_one(&app.db)
            .await
            .expect("the account");
    let reset = admin
        .post_form(
            &format!("/verwaltung/konten/{id}/passwort-zuruecksetzen"),
            &[],
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
    let second = reset.page().text("#einmalpasswort");
    sqlx::query("update users set one_time_until = now() - interval '1 hour' where id = $1")
        .bind(id)
        .execute(&app.db)
        .await
        .expect("expired");
    let expired = app
        .anonymous()
        .post_form(
            "/anmelden",
            &[
                ("email", "olaf.einmal@bezirksamt.example"),
                ("password", second.as_str()),
            ],
        )
        .await;
    assert_eq!(expired.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(expired.page().text("#email-fehler").contains("abgelaufen"));
}

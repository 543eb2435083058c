use fantoccini::key::Key;

use prima::domain::office::Office;
use prima::domain::roles::Role;

use crate::support::browser::{
    anonymous_first, axe_violations, press, sign_in, wait_for, with_browser,
};
use crate::support::pages::{all, with_failing_routes};
use crate::support::spawn_app_with;

#[tokio::test]
async fn axe_finds_no_wcag_21_aa_violation_on_any_page() {
    let app = spawn_app_with(with_failing_routes()).await;
    let admin = app
        .create_user(
            &[Role::Administrator, Role::CentralOfficer],
            Office::Central,
        )
        .await;
    let pages = anonymous_first(all(&app).await);
    with_browser(move |client| async move {
        let mut findings = Vec::new();
        for page in &pages {
            if page.signed_in && !signed_in(&client).await {
                sign_in(&client, &app, &admin).await;
            }
            client
                .goto(&app.url(&page.path))
                .await
                .expect("the page loads");
            for violation in axe_violations(&client).await {
                findings.push(format!("{}: {violation}", page.path));
            }
        }
        assert!(
            findings.is_empty(),
            "axe violations:\n{}",
            findings.join("\n")
        );
    })
    .await;
}

/// Whether the browser holds a session (the header then has the logout button).
async fn signed_in(client: &fantoccini::Client) -> bool {
    client
        .find_all(fantoccini::Locator::Css("form.site-logout"))
        .await
        .is_ok_and(|forms| !forms.is_empty())
}

async fn focused(client: &fantoccini::Client) -> (String, String) {
    let value = client
        .execute(
            "const e = document.activeElement; return [e.id || '', (e.textContent || '').trim()];",
            vec![],
        )
        .await
        .expect("the focused element");
    serde_json::from_value(value).expect("two strings")
}

#[tokio::test]
async fn the_skip_link_is_the_first_tab_stop_and_moves_focus_to_the_content() {
    let app = spawn_app_with(with_failing_routes()).await;
    let user = app.create_user(&[Role::Staff], Office::Wandsbek).await;
    with_browser(move |client| async move {
        for path in ["/anmelden", "/barrierefreiheit"] {
            client.goto(&app.url(path)).await.expect("the page loads");
            press(&client, Key::Tab).await;
            assert_eq!(focused(&client).await.1, "Zum Inhalt springen", "{path}");
            press(&client, Key::Enter).await;
            assert_eq!(focused(&client).await.0, "inhalt", "{path}");
        }
        sign_in(&client, &app, &user).await;
        for path in ["/", "/strategie"] {
            client.goto(&app.url(path)).await.expect("the page loads");
            press(&client, Key::Tab).await;
            let (_, text) = focused(&client).await;
            assert_eq!(text, "Zum Inhalt springen", "{path}");
            let visible: bool = serde_json::from_value(
                client
                    .execute(
                        "return document.activeElement.getBoundingClientRect().top >= 0;",
                        vec![],
                    )
                    .await
                    .expect("a position"),
            )
            .expect("a bool");
            assert!(visible, "the focused skip link is on screen ({path})");
            press(&client, Key::Enter).await;
            let (id, _) = focused(&client).await;
            assert_eq!(id, "inhalt", "{path}");
        }
    })
    .await;
}

#[tokio::test]
async fn the_strategy_can_be_walked_with_the_keyboard_alone() {
    let app = spawn_app_with(with_failing_routes()).await;
    let user = app.create_user(&[Role::Staff], Office::Harburg).await;
    with_browser(move |client| async move {
        sign_in(&client, &app, &user).await;
        client.goto(&app.url("/")).await.expect("the page loads");
        // Tab until the main navigation's "Strategie" link has focus, then follow it.
        for _ in 0..10 {
            press(&client, Key::Tab).await;
            if focused(&client).await.1 == "Strategie" {
                break;
            }
        }
        press(&client, Key::Enter).await;
        wait_for(&client, ".tree-summary").await;
        let url = client.current_url().await.expect("a url");
        assert_eq!(url.path(), "/strategie");
        // Onwards to the first design field's first goal, by keyboard.
        for _ in 0..40 {
            press(&client, Key::Tab).await;
            if focused(&client)
                .await
                .1
                .starts_with("Wir denken bürgerinnen- und bürgerorientiert")
            {
                break;
            }
        }
        press(&client, Key::Enter).await;
        wait_for(&client, ".goal-statement").await;
        let heading = client
            .find(fantoccini::Locator::Css("h1"))
            .await
            .expect("a heading")
            .text()
            .await
            .expect("its text");
        assert_eq!(
            heading,
            "Wir denken bürgerinnen- und bürgerorientiert und in Lebenslagen."
        );
    })
    .await;
}

#[tokio::test]
async fn every_page_fits_a_320_pixel_wide_screen() {
    let app = spawn_app_with(with_failing_routes()).await;
    let admin = app
        .create_user(
            &[Role::Administrator, Role::CentralOfficer],
            Office::Central,
        )
        .await;
    let pages = anonymous_first(all(&app).await);
    with_browser(move |client| async move {
        client.set_window_size(320, 800).await.expect("a small window");
        let mut too_wide = Vec::new();
        for page in &pages {
            if page.signed_in && !signed_in(&client).await {
                sign_in(&client, &app, &admin).await;
            }
            client.goto(&app.url(&page.path)).await.expect("the page loads");
            let widths: (u64, u64) = serde_json::from_value(
                client
                    .execute(
                        "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];",
                        vec![],
                    )
                    .await
                    .expect("widths"),
            )
            .expect("two numbers");
            if widths.0 > widths.1 {
                // Name the widest culprits, so the failure says what to fix.
                let culprits = client
                    .execute(
                        "const w = document.documentElement.clientWidth;
                         return [...document.querySelectorAll('body *')]
                           .filter(e => e.getBoundingClientRect().right > w + 1)
                           .slice(0, 1)
                           .map(e => { const chain = []; for (let a = e; a; a = a.parentElement) chain.push(a.tagName.toLowerCase() + '.' + [...a.classList].join('.') + ':' + Math.round(a.getBoundingClientRect().width)); return chain.join(' < '); });",
                        vec![],
                    )
                    .await
                    .expect("culprits");
                too_wide.push(format!("{}: {} > {} {culprits}", page.path, widths.0, widths.1));
            }
        }
        assert!(too_wide.is_empty(), "horizontal scrolling at 320 px:\n{}", too_wide.join("\n"));
    })
    .await;
}

/// Guards the harness itself: a check that cannot fail would prove nothing.
#[tokio::test]
async fn axe_reports_a_page_with_a_known_violation() {
    with_browser(|client| async move {
        client
            .goto("data:text/html,<!DOCTYPE html><html><head><title>x</title></head><body><img src=x.png><a href=/></a></body></html>")
            .await
            .expect("the page loads");
        let violations = axe_violations(&client).await;
        assert!(violations.iter().any(|violation| violation.starts_with("image-alt")), "{violations:?}");
        assert!(violations.iter().any(|violation| violation.starts_with("html-has-lang")), "{violations:?}");
    })
    .await;
}

#[tokio::test]
async fn signing_in_works_with_the_keyboard_alone_and_its_error_state_is_accessible() {
    let app = spawn_app_with(with_failing_routes()).await;
    let user = app.create_user(&[Role::Staff], Office::HamburgMitte).await;
    with_browser(move |client| async move {
        client
            .goto(&app.url("/anmelden"))
            .await
            .expect("the login page loads");
        for _ in 0..10 {
            press(&client, Key::Tab).await;
            if focused(&client).await.0 == "email" {
                break;
            }
        }
        assert_eq!(focused(&client).await.0, "email");
        // Sending the empty form shows the errors next to the fields.
        press(&client, Key::Enter).await;
        wait_for(&client, ".error-summary").await;
        let summary = client
            .find_all(fantoccini::Locator::Css(".error-summary a"))
            .await
            .expect("the error summary");
        assert_eq!(summary.len(), 2);
        let violations = axe_violations(&client).await;
        assert!(
            violations.is_empty(),
            "axe on the login form with errors: {violations:?}"
        );

        let email = client
            .find(fantoccini::Locator::Css("#email"))
            .await
            .expect("the field");
        email.click().await.expect("focus the field");
        let active = client.active_element().await.expect("the focused field");
        active
            .send_keys(&user.email)
            .await
            .expect("type the address");
        press(&client, Key::Tab).await;
        assert_eq!(focused(&client).await.0, "password");
        let active = client.active_element().await.expect("the focused field");
        active
            .send_keys(crate::support::accounts::PASSWORD)
            .await
            .expect("type the password");
        press(&client, Key::Enter).await;
        wait_for(&client, ".hero").await;
        let url = client.current_url().await.expect("a url");
        assert_eq!(url.path(), "/");
        let heading = client
            .find(fantoccini::Locator::Css("h1"))
            .await
            .expect("a heading")
            .text()
            .await
            .expect("its text");
        assert_eq!(heading, "Wir gestalten die Bezirksverwaltung von morgen.");
    })
    .await;
}

#[tokio::test]
async fn the_measure_form_with_errors_is_accessible_and_keeps_the_input() {
    let app = spawn_app_with(with_failing_routes()).await;
    let user = app.create_user(&[Role::Staff], Office::Eimsbuettel).await;
    with_browser(move |client| async move {
        sign_in(&client, &app, &user).await;
        client
            .goto(&app.url("/massnahmen/neu"))
            .await
            .expect("the form loads");
        client
            .find(fantoccini::Locator::Css("#summary"))
            .await
            .expect("the summary field")
            .send_keys("Eine Kurzbeschreibung ohne Titel")
            .await
            .expect("type");
        // Submitted from the keyboard: Enter on the focused button.
        client
            .find(fantoccini::Locator::Css("button[value=einreichen]"))
            .await
            .expect("the submit button")
            .send_keys(&Key::Enter.to_string())
            .await
            .expect("submit");
        wait_for(&client, ".error-summary").await;
        let violations = axe_violations(&client).await;
        assert!(
            violations.is_empty(),
            "axe on the measure form with errors: {violations:?}"
        );
        let summary = client
            .find(fantoccini::Locator::Css("#summary"))
            .await
            .expect("the field")
            .prop("value")
            .await
            .expect("its value");
        assert_eq!(summary.as_deref(), Some("Eine Kurzbeschreibung ohne Titel"));
    })
    .await;
}

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;

use crate::support::browser::{axe_violations, with_browser};
use crate::support::pages::{all, with_failing_routes};
use crate::support::spawn_app_with;

#[tokio::test]
async fn axe_finds_no_wcag_21_aa_violation_on_any_page() {
    let app = spawn_app_with(with_failing_routes()).await;
    let pages = all(&app).await;
    with_browser(move |client| async move {
        let mut findings = Vec::new();
        for page in &pages {
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

async fn press(client: &fantoccini::Client, key: Key) {
    let actions = KeyActions::new("keyboard".to_owned())
        .then(KeyAction::Down { value: key.into() })
        .then(KeyAction::Up { value: key.into() });
    client
        .perform_actions(actions)
        .await
        .expect("the key is pressed");
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
    with_browser(move |client| async move {
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
    with_browser(move |client| async move {
        client.goto(&app.url("/")).await.expect("the page loads");
        // Tab until the main navigation's "Strategie" link has focus, then follow it.
        for _ in 0..10 {
            press(&client, Key::Tab).await;
            if focused(&client).await.1 == "Strategie" {
                break;
            }
        }
        press(&client, Key::Enter).await;
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
    let pages = all(&app).await;
    with_browser(move |client| async move {
        client.set_window_size(320, 800).await.expect("a small window");
        let mut too_wide = Vec::new();
        for page in &pages {
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
                too_wide.push(format!("{}: {} > {}", page.path, widths.0, widths.1));
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

use fantoccini::key::Key;

use prima::domain::office::Office;
use prima::domain::roles::Role;

use crate::support::browser::{
    anonymous_first, axe_violations, errors_shown_accessibly, press, sign_in, value_of, wait_for,
    with_browser,
};
use crate::support::pages::{all, with_failing_routes};
use crate::support::spawn_app_with;

#[tokio::test]
async fn axe_finds_no_wcag_21_aa_violation_on_any_page() {
    let app = crate::support::pages::spawn_for_pages().await;
    let admin = app
        .create_user(
            &[
                Role::Administrator,
                Role::CentralOfficer,
                Role::StrategyTeam,
            ],
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

/// What a person would see wrong with the layout of the open page, at the window's width:
/// the document scrolling sideways (naming the widest culprit), a column header whose text
/// overflows its cell or breaks inside a word ("Alton|a"), a button or summary whose label
/// breaks inside a word ("L|ö|s|c|h|e|n"), and on the catalogue a first result below the first
/// 800 px.
const LAYOUT_PROBLEMS: &str = r#"
const problems = [];
const html = document.documentElement;
if (html.scrollWidth > innerWidth) {
  const culprit = [...document.querySelectorAll('body *')]
    .find(e => e.getBoundingClientRect().right > innerWidth + 1);
  const chain = [];
  for (let a = culprit; a; a = a.parentElement) {
    chain.push(a.tagName.toLowerCase() + [...a.classList].map(c => '.' + c).join('') + ':' + Math.round(a.getBoundingClientRect().width));
  }
  problems.push(`scrolls sideways: ${html.scrollWidth} > ${innerWidth} ${chain.join(' < ')}`);
}
const hidden = e => e.closest('.kern-sr-only') || e.getBoundingClientRect().width <= 1;
for (const th of document.querySelectorAll('th:not([scope=row]), button, summary')) {
  if (hidden(th)) continue;
  const what = th.tagName === 'TH' ? 'header' : th.tagName.toLowerCase();
  const label = th.textContent.trim().replace(/\s+/g, ' ');
  if (th.tagName === 'TH' && th.scrollWidth > th.clientWidth + 1) {
    problems.push(`header "${label}" overflows: ${th.scrollWidth} > ${th.clientWidth}`);
  }
  const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (hidden(node.parentElement)) continue;
    // Words as line breaking sees them: a hyphen ("E-Mail-|Adresse") is a break point.
    for (const match of node.data.matchAll(/[^\s\-\u2010\u2013]+/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const lines = [...range.getClientRects()].filter(r => r.width > 0).length;
      if (lines > 1) problems.push(`${what} "${label}" breaks inside "${match[0]}"`);
    }
  }
}
const first = document.querySelector('.catalogue-item');
if (first && innerWidth >= 1280 && first.getBoundingClientRect().top + scrollY > 800) {
  problems.push(`the first result starts ${Math.round(first.getBoundingClientRect().top + scrollY)} px down`);
}
return problems;
"#;

#[tokio::test]
async fn every_page_fits_320_and_1280_pixel_wide_screens_and_no_header_breaks_inside_a_word() {
    let app = crate::support::pages::spawn_for_pages().await;
    let admin = app
        .create_user(
            &[
                Role::Administrator,
                Role::CentralOfficer,
                Role::StrategyTeam,
            ],
            Office::Central,
        )
        .await;
    let pages = anonymous_first(all(&app).await);
    with_browser(move |client| async move {
        let mut problems = Vec::new();
        let mut catalogue_results = 0;
        for (width, height) in [(320, 800), (1280, 800)] {
            client
                .set_window_size(width, height)
                .await
                .expect("a window");
            client.delete_all_cookies().await.expect("signed out");
            for page in &pages {
                if page.signed_in && !signed_in(&client).await {
                    sign_in(&client, &app, &admin).await;
                }
                client
                    .goto(&app.url(&page.path))
                    .await
                    .expect("the page loads");
                let found: Vec<String> = serde_json::from_value(
                    client
                        .execute(LAYOUT_PROBLEMS, vec![])
                        .await
                        .expect("the layout probe"),
                )
                .expect("a list of problems");
                problems.extend(
                    found
                        .into_iter()
                        .map(|problem| format!("{width} px {}: {problem}", page.path)),
                );
                if page.path == "/massnahmen" && width == 1280 {
                    catalogue_results += client
                        .find_all(fantoccini::Locator::Css(".catalogue-item"))
                        .await
                        .expect("the results")
                        .len();
                }
            }
        }
        assert!(catalogue_results > 0, "the catalogue check saw results");
        assert!(
            problems.is_empty(),
            "layout problems:\n{}",
            problems.join("\n")
        );
    })
    .await;
}

/// Guards the layout probe: a page that scrolls sideways, with a header that breaks inside a
/// word, must be reported.
#[tokio::test]
async fn the_layout_probe_reports_overflow_and_a_header_broken_inside_a_word() {
    with_browser(|client| async move {
        client.set_window_size(320, 800).await.expect("a window");
        client
            .goto("data:text/html;charset=utf-8,<!DOCTYPE html><html lang=de><body style=margin:0><div style=width:400px>breit</div><table><tr><th style='width:3em;overflow-wrap:anywhere'>Bergedorf</th><th class=kern-sr-only>Versteckte Überschrift</th></tr></table></body></html>")
            .await
            .expect("the page loads");
        let found: Vec<String> = serde_json::from_value(
            client.execute(LAYOUT_PROBLEMS, vec![]).await.expect("the layout probe"),
        )
        .expect("a list of problems");
        assert!(found.iter().any(|problem| problem.starts_with("scrolls sideways")), "{found:?}");
        assert!(
            found.iter().any(|problem| problem.contains("breaks inside \"Bergedorf\"")),
            "{found:?}"
        );
        assert!(!found.iter().any(|problem| problem.contains("Versteckte")), "{found:?}");
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
        errors_shown_accessibly(&client, "the measure form").await;
        assert_eq!(
            value_of(&client, "#summary").await.as_deref(),
            Some("Eine Kurzbeschreibung ohne Titel")
        );
    })
    .await;
}

#[tokio::test]
async fn the_criteria_form_with_a_wrong_total_is_accessible_and_keeps_the_input() {
    let app = spawn_app_with(with_failing_routes()).await;
    let central = app
        .create_user(&[Role::CentralOfficer], Office::Central)
        .await;
    with_browser(move |client| async move {
        sign_in(&client, &app, &central).await;
        client
            .goto(&app.url("/priorisierung/kriterien/neu"))
            .await
            .expect("the form loads");
        let weight = client
            .find(fantoccini::Locator::Css("#k0-gewicht"))
            .await
            .expect("the first weight");
        weight.clear().await.expect("clear");
        weight.send_keys("40").await.expect("type");
        // Enter in a field submits the form, as a keyboard user would.
        weight
            .send_keys(&Key::Enter.to_string())
            .await
            .expect("submit");
        errors_shown_accessibly(&client, "the criteria form").await;
        let error = client
            .find(fantoccini::Locator::Css("#gewichte-fehler"))
            .await
            .expect("the error next to the weights")
            .text()
            .await
            .expect("its text");
        assert!(error.contains("115 %"), "{error}");
        assert_eq!(
            value_of(&client, "#k0-gewicht").await.as_deref(),
            Some("40")
        );
    })
    .await;
}

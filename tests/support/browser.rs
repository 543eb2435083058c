//! A real headless Chromium driven over WebDriver, and axe-core inside it.

use std::future::Future;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

use super::process::{KillOnDrop, free_port};

/// The WCAG levels BITV 2.0 asks for.
pub const AXE_TAGS: [&str; 4] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/// chromedriver for one test.
struct Driver {
    _process: KillOnDrop,
    port: u16,
}

fn start_driver() -> Driver {
    let port = free_port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver runs (the test command installs chromium-driver)");
    Driver {
        _process: KillOnDrop(child),
        port,
    }
}

async fn connect(driver: &Driver, profile: &Path) -> Client {
    let capabilities = json!({
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--window-size=1280,900",
                format!("--user-data-dir={}", profile.display()),
            ]
        }
    });
    let capabilities = match capabilities {
        Value::Object(map) => map,
        _ => unreachable!("a JSON object"),
    };
    let url = format!("http://127.0.0.1:{}", driver.port);
    let mut last_error = None;
    for _ in 0..100 {
        match ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities.clone())
            .connect(&url)
            .await
        {
            Ok(client) => return client,
            Err(error) => {
                last_error = Some(error);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    panic!("could not start a browser session: {last_error:?}");
}

/// Runs `test` with a fresh browser and always ends the browser afterwards, then passes on the
/// test's panic if it had one.
pub async fn with_browser<F, Fut>(test: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let driver = start_driver();
    let profile = std::env::temp_dir().join(format!("prima-chromium-{}", uuid::Uuid::new_v4()));
    let client = connect(&driver, &profile).await;
    let outcome = tokio::spawn(test(client.clone())).await;
    let _ = client.close().await;
    drop(driver);
    let _ = std::fs::remove_dir_all(&profile);
    if let Err(error) = outcome {
        std::panic::resume_unwind(error.into_panic());
    }
}

/// axe-core's violations on the current page, as "rule: target …" lines.
pub async fn axe_violations(client: &Client) -> Vec<String> {
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/axe-core/axe.min.js"),
    )
    .expect("axe-core is installed (npm ci)");
    client
        .execute(&format!("{source}\nreturn true;"), vec![])
        .await
        .expect("axe loads");
    let result = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: { type: 'tag', values: arguments[0] } })
                .then(results => done(results.violations.map(v =>
                    v.id + ' (' + v.impact + '): ' + v.help + ' – ' +
                    v.nodes.map(n => n.target.join(' ')).join(', '))))
                .catch(error => done(['axe failed: ' + error]));",
            vec![json!(AXE_TAGS)],
        )
        .await
        .expect("axe runs");
    serde_json::from_value(result).expect("a list of violations")
}

/// Signs `user` in through the login form, as a person would.
pub async fn sign_in(client: &Client, app: &super::TestApp, user: &super::accounts::TestUser) {
    use fantoccini::Locator;
    client
        .goto(&app.url("/anmelden"))
        .await
        .expect("the login page loads");
    client
        .find(Locator::Css("#email"))
        .await
        .expect("the e-mail field")
        .send_keys(&user.email)
        .await
        .expect("type the e-mail address");
    client
        .find(Locator::Css("#password"))
        .await
        .expect("the password field")
        .send_keys(super::accounts::PASSWORD)
        .await
        .expect("type the password");
    client
        .find(Locator::Css("main form button[type=submit]"))
        .await
        .expect("the login button")
        .click()
        .await
        .expect("log in");
    // Under load the navigation may still be under way when the click returns.
    let mut path = String::new();
    for _ in 0..50 {
        path = client.current_url().await.expect("a url").path().to_owned();
        if path != "/anmelden" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if path == "/anmelden" {
        let source = client.source().await.unwrap_or_default();
        let main = source.split("<main").nth(1).unwrap_or_default();
        panic!(
            "the login did not succeed: {}",
            &main[..main.len().min(1500)]
        );
    }
}

/// The pages to visit in order: those without an account first, then those signed in.
pub fn anonymous_first(
    mut pages: Vec<super::pages::PageToCheck>,
) -> Vec<super::pages::PageToCheck> {
    pages.sort_by_key(|page| page.signed_in);
    pages
}

/// Presses and releases one key, as a person on the keyboard.
pub async fn press(client: &Client, key: fantoccini::key::Key) {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    let actions = KeyActions::new("keyboard".to_owned())
        .then(KeyAction::Down { value: key.into() })
        .then(KeyAction::Up { value: key.into() });
    client
        .perform_actions(actions)
        .await
        .expect("the key is pressed");
}

/// Waits until the page that a key or click opened shows `css`.
pub async fn wait_for(client: &Client, css: &str) {
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(fantoccini::Locator::Css(css))
        .await
        .unwrap_or_else(|error| panic!("{css} did not appear: {error}"));
}

/// What the form field `css` holds now.
pub async fn value_of(client: &Client, css: &str) -> Option<String> {
    client
        .find(fantoccini::Locator::Css(css))
        .await
        .unwrap_or_else(|error| panic!("{css}: {error}"))
        .prop("value")
        .await
        .expect("its value")
}

/// Waits for the error summary of a form sent back, and checks it with axe.
pub async fn errors_shown_accessibly(client: &Client, what: &str) {
    wait_for(client, ".error-summary").await;
    let violations = axe_violations(client).await;
    assert!(
        violations.is_empty(),
        "axe on {what} with errors: {violations:?}"
    );
}

//! People for tests: accounts in the test database and a cookie-keeping client that signs in
//! through the real login form.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use axum::body::Bytes;
use axum::http::{Method, StatusCode};
use prima::db::users::NewUser;
use prima::domain::ids::UserId;
use prima::domain::office::Office;
use prima::domain::password::{self, Password};
use prima::domain::roles::Role;
use prima::domain::user::{DisplayName, EmailAddress};

use super::html::Page;
use super::http::{TestApp, TestResponse};

/// The password of every test account.
pub const PASSWORD: &str = "ein sehr langes Testpasswort";

/// Its hash, made once per test binary (Argon2id is slow on purpose).
fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| password::hash(&Password::unchecked(PASSWORD)).expect("hashing works"))
}

#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: UserId,
    pub email: String,
    pub name: String,
}

impl TestApp {
    /// An account with `roles` in `office`.
    pub async fn create_user(&self, roles: &[Role], office: Office) -> TestUser {
        let suffix = uuid::Uuid::new_v4().simple().to_string();
        let email = format!("person.{}@bezirksamt.example", &suffix[..12]);
        let name = format!("Testperson {}", &suffix[..6]);
        let id = prima::db::users::create(
            &self.db,
            &NewUser {
                email: &EmailAddress::parse(&email).expect("an address"),
                display_name: &DisplayName::parse(&name).expect("a name"),
                office,
                roles,
                password_hash: Some(password_hash().to_owned()),
                one_time_until: None,
            },
        )
        .await
        .expect("create a test account");
        TestUser { id, email, name }
    }

    /// A client without an account.
    pub fn anonymous(&self) -> Client {
        Client {
            app: self.clone(),
            cookies: Arc::new(Mutex::new(HashMap::new())),
            csrf: Arc::new(Mutex::new(None)),
            forwarded_for: None,
        }
    }

    /// A new account with `role` (in Altona), signed in.
    pub async fn signed_in(&self, role: Role) -> Client {
        let user = self.create_user(&[role], Office::Altona).await;
        self.login(&user).await
    }

    /// Signs `user` in through the login form.
    pub async fn login(&self, user: &TestUser) -> Client {
        self.login_with(&user.email, PASSWORD).await
    }

    /// Signs in with these credentials, which must work.
    pub async fn login_with(&self, email: &str, password: &str) -> Client {
        let client = self.anonymous();
        let response = client
            .post_form("/anmelden", &[("email", email), ("password", password)])
            .await;
        assert_eq!(
            response.status,
            StatusCode::SEE_OTHER,
            "login of {email}: {}",
            response.body
        );
        client
    }
}

/// A client that keeps cookies like a browser and knows its CSRF token.
#[derive(Debug, Clone)]
pub struct Client {
    pub app: TestApp,
    cookies: Arc<Mutex<HashMap<String, String>>>,
    csrf: Arc<Mutex<Option<String>>>,
    /// Sent as `X-Forwarded-For`, as a reverse proxy would (for apps that trust one).
    forwarded_for: Option<String>,
}

impl Client {
    /// Waits until the job at `job` (its page's address) is done or failed; its last standing.
    pub async fn finished_job(&self, job: &str) -> serde_json::Value {
        for _ in 0..600 {
            let standing: serde_json::Value =
                serde_json::from_str(&self.get(&format!("{job}/stand")).await.body)
                    .expect("the job's standing");
            if standing["status"] == "done" || standing["status"] == "failed" {
                return standing;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("the job {job} does not finish");
    }

    /// This client as if it came through the reverse proxy from `address`.
    pub fn coming_from(mut self, address: &str) -> Self {
        self.forwarded_for = Some(address.to_owned());
        self
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .lock()
            .expect("cookies")
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&self, response: &TestResponse) {
        let mut cookies = self.cookies.lock().expect("cookies");
        for value in response.headers.get_all("set-cookie") {
            let Some((name, rest)) = value.to_str().ok().and_then(|value| value.split_once('='))
            else {
                continue;
            };
            let value = rest.split(';').next().unwrap_or_default();
            if value.is_empty() || rest.contains("Max-Age=0") {
                cookies.remove(name);
            } else {
                cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        // A new session brings a new CSRF token.
        if response.headers.get_all("set-cookie").iter().count() > 0 {
            *self.csrf.lock().expect("csrf") = None;
        }
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.lock().expect("cookies").get(name).cloned()
    }

    pub fn set_cookie(&self, name: &str, value: &str) {
        self.cookies
            .lock()
            .expect("cookies")
            .insert(name.to_owned(), value.to_owned());
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        let cookie = self.cookie_header();
        let mut headers = vec![("cookie", cookie.as_str())];
        if let Some(address) = &self.forwarded_for {
            headers.push(("x-forwarded-for", address));
        }
        let response = self.app.get_with(path, &headers).await;
        self.keep_cookies(&response);
        response
    }

    /// GET with further request headers (validators, say).
    pub async fn get_with_headers(&self, path: &str, extra: &[(&str, &str)]) -> TestResponse {
        let cookie = self.cookie_header();
        let mut headers = vec![("cookie", cookie.as_str())];
        if let Some(address) = &self.forwarded_for {
            headers.push(("x-forwarded-for", address));
        }
        headers.extend_from_slice(extra);
        let response = self.app.get_with(path, &headers).await;
        self.keep_cookies(&response);
        response
    }

    /// GET a page that must answer 200, parsed.
    pub async fn page(&self, path: &str) -> Page {
        let response = self.get(path).await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "GET {path}: {}",
            response.body
        );
        response.page()
    }

    /// The CSRF token this client's forms carry.
    pub async fn csrf_token(&self) -> String {
        if let Some(token) = self.csrf.lock().expect("csrf").clone() {
            return token;
        }
        let login = self.get("/anmelden").await;
        // Signed in, the login page sends on; the account page has forms too.
        let page = if login.status == StatusCode::OK {
            login.page()
        } else {
            self.get("/konto").await.page()
        };
        let token = page
            .select("input[name=csrf_token]")
            .first()
            .and_then(|input| input.value().attr("value"))
            .map(str::to_owned)
            .expect("a form with a CSRF token");
        *self.csrf.lock().expect("csrf") = Some(token.clone());
        token
    }

    /// POSTs a form from this site: with the CSRF token and our Origin.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> TestResponse {
        let token = self.csrf_token().await;
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf_token", &token));
        self.post_raw(path, &all, true).await
    }

    /// POSTs a multipart form with one file (`name`, `file_name`, `bytes`) and `fields`, with
    /// the CSRF token and our Origin, as a browser sends an upload.
    pub async fn post_file(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        (name, file_name, bytes): (&str, &str, &[u8]),
    ) -> TestResponse {
        let token = self.csrf_token().await;
        let boundary = "----PriMaTestGrenze7MA4YWxkTrZu0gW";
        let mut body: Vec<u8> = Vec::new();
        let mut part = |headers: String, content: &[u8]| {
            body.extend_from_slice(format!("--{boundary}\r\n{headers}\r\n\r\n").as_bytes());
            body.extend_from_slice(content);
            body.extend_from_slice(b"\r\n");
        };
        part(
            "Content-Disposition: form-data; name=\"csrf_token\"".to_owned(),
            token.as_bytes(),
        );
        for (key, value) in fields {
            part(
                format!("Content-Disposition: form-data; name=\"{key}\""),
                value.as_bytes(),
            );
        }
        part(
            format!(
                "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream"
            ),
            bytes,
        );
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let cookie = self.cookie_header();
        let origin = format!("http://{}", self.app.address);
        let content_type = format!("multipart/form-data; boundary={boundary}");
        let headers = vec![
            ("cookie", cookie.as_str()),
            ("content-type", content_type.as_str()),
            ("origin", origin.as_str()),
        ];
        let response = self
            .app
            .send(Method::POST, path, &headers, Bytes::from(body))
            .await;
        self.keep_cookies(&response);
        response
    }

    /// POSTs exactly `fields`, with or without our Origin.
    pub async fn post_raw(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        same_origin: bool,
    ) -> TestResponse {
        let body = serde_urlencoded::to_string(fields).expect("a form body");
        let cookie = self.cookie_header();
        let origin = format!("http://{}", self.app.address);
        let mut headers = vec![
            ("cookie", cookie.as_str()),
            ("content-type", "application/x-www-form-urlencoded"),
        ];
        if same_origin {
            headers.push(("origin", origin.as_str()));
        }
        if let Some(address) = &self.forwarded_for {
            headers.push(("x-forwarded-for", address));
        }
        let response = self
            .app
            .send(Method::POST, path, &headers, Bytes::from(body))
            .await;
        self.keep_cookies(&response);
        response
    }
}

//! The embedded PostgreSQL as an operator meets it: the real `prima` binary started, stopped and
//! killed over a data directory of its own.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use prima::db::embedded::{Layout, RunAs};
use sqlx::{ConnectOptions, Connection};

#[path = "support/process.rs"]
mod process;

use process::{KillOnDrop, free_port};

/// A `prima serve` process on a free port; killed if a test leaves it running.
struct Prima {
    process: KillOnDrop,
    port: u16,
}

/// A data directory of one test, removed with its cluster (wherever that lives) at the end.
struct DataDir(PathBuf);

impl std::ops::Deref for DataDir {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        if let Some(pid) = postmaster_pid(&self.0) {
            let _ = kill(Pid::from_raw(pid), Signal::SIGQUIT);
        }
        let _ = std::fs::remove_dir_all(layout(&self.0).root);
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn data_dir(name: &str) -> DataDir {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("embedded")
        .join(format!("{name}-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("a data directory");
    DataDir(dir)
}

fn command(data_dir: &Path) -> Command {
    command_of(
        Path::new(env!("CARGO_BIN_EXE_prima")),
        Path::new(env!("CARGO_MANIFEST_DIR")),
        data_dir,
    )
}

/// The `binary` with the static files and `node_modules` found below `root`.
fn command_of(binary: &Path, root: &Path, data_dir: &Path) -> Command {
    let mut command = Command::new(binary);
    command
        .env_remove("DATABASE_URL")
        .env("PRIMA_DATA_DIR", data_dir)
        .env("PRIMA_STATIC_DIR", root.join("static"))
        .env("PRIMA_NODE_MODULES", root.join("node_modules"))
        .env("PRIMA_LOG", "info")
        // The example measures would change the counts these tests look at; one test turns
        // them back on.
        .env("PRIMA_DEMO", "false")
        .stdout(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(data_dir.join("prima.out"))
                .map(Stdio::from)
                .unwrap_or_else(|_| Stdio::null()),
        )
        .stderr(Stdio::null());
    command
}

fn start(data_dir: &Path) -> Prima {
    let port = free_port();
    let child = command(data_dir)
        .env("PRIMA_LISTEN", format!("127.0.0.1:{port}"))
        .spawn()
        .expect("prima starts");
    let prima = Prima {
        process: KillOnDrop(child),
        port,
    };
    prima.wait_until_ready();
    prima
}

impl Prima {
    /// One HTTP/1.1 request on a fresh connection; the whole response as text.
    fn request(
        &self,
        method: &str,
        path: &str,
        extra_headers: &str,
        body: &str,
    ) -> Option<(u16, String)> {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n{extra_headers}Content-Length: {length}\r\n\r\n{body}",
            port = self.port,
            length = body.len()
        )
        .ok()?;
        let mut response = String::new();
        stream.read_to_string(&mut response).ok()?;
        let status = response.split_whitespace().nth(1)?.parse().ok()?;
        Some((status, response))
    }

    fn get(&self, path: &str) -> Option<(u16, String)> {
        self.request("GET", path, "", "")
    }

    /// Signs in as the demo administrator the first development start printed; returns the
    /// cookie header for further requests.
    fn sign_in_as_demo_admin(&self, data_dir: &Path) -> String {
        let output = std::fs::read_to_string(data_dir.join("prima.out")).expect("the output");
        let line = output
            .lines()
            .find(|line| line.contains("admin@demo.prima.invalid"))
            .expect("the demo admin");
        let password = line.split_whitespace().last().expect("a password");
        let (_, login_page) = self.get("/anmelden").expect("the login page");
        let csrf = login_page
            .split("prima-csrf=")
            .nth(1)
            .and_then(|rest| rest.split(';').next())
            .expect("a CSRF cookie")
            .to_owned();
        let body =
            format!("email=admin%40demo.prima.invalid&password={password}&csrf_token={csrf}");
        let headers = format!(
            "Cookie: prima-csrf={csrf}\r\nOrigin: http://127.0.0.1:{}\r\nContent-Type: application/x-www-form-urlencoded\r\n",
            self.port
        );
        let (status, response) = self
            .request("POST", "/anmelden", &headers, &body)
            .expect("the login answers");
        assert_eq!(status, 303, "{response}");
        let session = response
            .split("prima-session=")
            .nth(1)
            .and_then(|rest| rest.split(';').next())
            .expect("a session cookie");
        format!("Cookie: prima-session={session}\r\n")
    }

    fn get_signed_in(&self, path: &str, cookie: &str) -> Option<(u16, String)> {
        self.request("GET", path, cookie, "")
    }

    fn wait_until_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if self.get("/readyz").is_some_and(|(status, _)| status == 200) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("prima did not become ready");
    }

    fn signal(&self, signal: Signal) {
        kill(Pid::from_raw(self.process.0.id() as i32), signal).expect("signal prima");
    }

    /// SIGTERM, then wait for a clean exit.
    fn terminate(mut self) {
        self.signal(Signal::SIGTERM);
        let status = self.process.0.wait().expect("prima exits");
        assert!(
            status.success(),
            "prima exits cleanly after SIGTERM: {status:?}"
        );
    }
}

fn layout(data_dir: &Path) -> Layout {
    let run_as = RunAs::for_current_user().expect("the current user");
    Layout::resolve(data_dir, run_as.as_ref()).expect("a layout")
}

/// The postmaster's pid from its pid file, if a server runs.
fn postmaster_pid(data_dir: &Path) -> Option<i32> {
    let text = std::fs::read_to_string(layout(data_dir).pgdata.join("postmaster.pid")).ok()?;
    text.lines().next()?.trim().parse().ok()
}

/// Inserts a measure straight into the cluster, as proof of what a later start must find.
async fn insert_marker(data_dir: &Path, title: &str) {
    let layout = layout(data_dir);
    let pid_file = std::fs::read_to_string(layout.pgdata.join("postmaster.pid")).expect("pid file");
    let socket_dir = pid_file
        .lines()
        .nth(4)
        .expect("socket line")
        .trim()
        .to_owned();
    let mut connection = sqlx::postgres::PgConnectOptions::new()
        .socket(socket_dir)
        .username("prima")
        .database("prima")
        .disable_statement_logging()
        .connect()
        .await
        .expect("connect to the embedded cluster");
    sqlx::query("insert into measures (id, title) values ($1, $2)")
        .bind(uuid::Uuid::new_v4())
        .bind(title)
        .execute(&mut connection)
        .await
        .expect("insert a marker");
    connection.close().await.expect("close");
}

fn measure_count(prima: &Prima, data_dir: &Path) -> String {
    let cookie = prima.sign_in_as_demo_admin(data_dir);
    let (_, body) = prima.get_signed_in("/", &cookie).expect("the start page");
    let marker = "data-count=\"measures\">";
    let start = body.find(marker).expect("the measure count") + marker.len();
    body[start..]
        .split('<')
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_second_start_reuses_the_cluster_and_its_data() {
    let dir = data_dir("reuse");
    let first = start(&dir);
    let cookie = first.sign_in_as_demo_admin(&dir);
    let (status, body) = first
        .get_signed_in("/strategie", &cookie)
        .expect("the strategy page");
    assert_eq!(status, 200);
    assert!(body.contains("Wir denken bürgerinnen- und bürgerorientiert und in Lebenslagen."));
    insert_marker(&dir, "Marker aus dem ersten Start").await;
    first.terminate();
    assert_eq!(postmaster_pid(&dir), None, "SIGTERM stops the cluster");

    let second = start(&dir);
    assert_eq!(
        measure_count(&second, &dir),
        "1",
        "the data of the first start is there"
    );
    let cookie = second.sign_in_as_demo_admin(&dir);
    let (_, body) = second
        .get_signed_in("/strategie", &cookie)
        .expect("the strategy page");
    assert_eq!(
        body.matches("class=\"goal\"").count(),
        39,
        "nothing was loaded twice"
    );
    second.terminate();
}

#[tokio::test]
async fn after_a_hard_kill_the_next_start_adopts_the_running_server() {
    let dir = data_dir("kill");
    let first = start(&dir);
    insert_marker(&dir, "Vor dem harten Abbruch").await;
    let postmaster = postmaster_pid(&dir).expect("a running server");
    first.signal(Signal::SIGKILL);
    drop(first);
    assert!(
        kill(Pid::from_raw(postmaster), None).is_ok(),
        "the server outlives a killed PriMa"
    );

    let second = start(&dir);
    assert_eq!(
        postmaster_pid(&dir),
        Some(postmaster),
        "the running server is reused"
    );
    assert_eq!(measure_count(&second, &dir), "1");
    second.terminate();
}

#[tokio::test]
async fn after_the_server_itself_was_killed_the_next_start_recovers() {
    let dir = data_dir("crash");
    let first = start(&dir);
    insert_marker(&dir, "Vor dem Absturz").await;
    let postmaster = postmaster_pid(&dir).expect("a running server");
    first.signal(Signal::SIGKILL);
    drop(first);
    kill(Pid::from_raw(postmaster), Signal::SIGKILL).expect("kill the server");
    let deadline = Instant::now() + Duration::from_secs(10);
    while kill(Pid::from_raw(postmaster), None).is_ok() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        layout(&dir).pgdata.join("postmaster.pid").exists(),
        "a stale pid file is left"
    );

    let second = start(&dir);
    assert_ne!(postmaster_pid(&dir), Some(postmaster));
    assert_eq!(
        measure_count(&second, &dir),
        "1",
        "committed data survives the crash"
    );
    second.terminate();
}

#[tokio::test]
async fn the_server_runs_as_postgres_when_prima_runs_as_root() {
    let dir = data_dir("owner");
    let prima = start(&dir);
    let postmaster = postmaster_pid(&dir).expect("a running server");
    let status = std::fs::read_to_string(format!("/proc/{postmaster}/status")).expect("status");
    let uid: u32 = status
        .lines()
        .find_map(|line| line.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().next())
        .and_then(|id| id.parse().ok())
        .expect("a uid");
    let expected = match RunAs::for_current_user().expect("the current user") {
        Some(postgres) => postgres.uid,
        None => nix::unistd::geteuid().as_raw(),
    };
    assert_eq!(uid, expected);
    if nix::unistd::geteuid().is_root() {
        assert_ne!(uid, 0, "PostgreSQL never runs as root");
    }
    prima.terminate();
}

#[test]
fn without_server_programs_the_message_says_how_to_install_them() {
    let dir = data_dir("nobin");
    let output = command(&dir)
        .stderr(Stdio::piped())
        .env("PRIMA_PG_BINDIR", "/nonexistent/postgresql/bin")
        .env("PRIMA_LISTEN", format!("127.0.0.1:{}", free_port()))
        .output()
        .expect("prima runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("apt-get install postgresql"), "{stderr}");
    assert!(stderr.contains("DATABASE_URL"), "{stderr}");
}

#[tokio::test]
async fn with_database_url_prima_starts_no_cluster_of_its_own() {
    // The cluster of another data directory stands in for an external server.
    let external = data_dir("external");
    let server = start(&external);
    let socket_dir = layout(&external).socket_dir;
    let url = format!(
        "postgres://prima@localhost/prima?host={}",
        socket_dir.display()
    );

    let dir = data_dir("url");
    let port = free_port();
    let child = command(&dir)
        .env("DATABASE_URL", &url)
        .env("PRIMA_LISTEN", format!("127.0.0.1:{port}"))
        .spawn()
        .expect("prima starts");
    let prima = Prima {
        process: KillOnDrop(child),
        port,
    };
    prima.wait_until_ready();
    assert!(
        !dir.join("postgres").exists(),
        "no cluster in the data directory"
    );
    assert_eq!(prima.get("/anmelden").map(|(status, _)| status), Some(200));
    assert_eq!(
        prima.get("/strategie").map(|(status, _)| status),
        Some(303),
        "pages need a login"
    );
    prima.terminate();
    server.terminate();
}

#[tokio::test]
async fn two_instances_starting_at_once_share_one_cluster_and_load_the_strategy_once() {
    let dir = data_dir("twice");
    let spawn = || {
        let port = free_port();
        let child = command(&dir)
            .env("PRIMA_LISTEN", format!("127.0.0.1:{port}"))
            .spawn()
            .expect("prima starts");
        Prima {
            process: KillOnDrop(child),
            port,
        }
    };
    let (first, second) = (spawn(), spawn());
    first.wait_until_ready();
    second.wait_until_ready();
    for prima in [&first, &second] {
        let cookie = prima.sign_in_as_demo_admin(&dir);
        let (_, body) = prima
            .get_signed_in("/strategie", &cookie)
            .expect("the strategy page");
        assert_eq!(body.matches("class=\"goal\"").count(), 39);
    }
    second.terminate();
    assert!(
        postmaster_pid(&dir).is_some(),
        "the first still uses the cluster"
    );
    assert_eq!(first.get("/anmelden").map(|(status, _)| status), Some(200));
    first.terminate();
    assert_eq!(postmaster_pid(&dir), None, "the last one stops the cluster");
}

#[test]
fn an_ordinary_user_runs_the_server_as_themselves() {
    use std::os::unix::process::CommandExt;
    if !nix::unistd::geteuid().is_root() {
        // Every other test here already runs as an ordinary user.
        return;
    }
    let nobody = nix::unistd::User::from_name("nobody")
        .expect("look up nobody")
        .expect("the nobody user exists");
    let dir = std::env::temp_dir().join(format!("prima-user-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("a data directory");
    std::os::unix::fs::chown(&dir, Some(nobody.uid.as_raw()), Some(nobody.gid.as_raw()))
        .expect("hand it to nobody");
    let dir = DataDir(dir);
    // The checkout may sit below a folder only root can enter (`mktemp -d` makes them 0700):
    // give nobody its own copy of what PriMa reads, beside the data directory.
    let app = std::env::temp_dir().join(format!("prima-app-{}", uuid::Uuid::new_v4().simple()));
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for folder in [
        "static",
        "node_modules/@kern-ux/native/dist",
        "node_modules/@zxcvbn-ts/language-common/src",
        "node_modules/@zxcvbn-ts/language-de/src",
    ] {
        copy_tree(&root.join(folder), &app.join(folder));
    }
    let binary = app.join("prima");
    std::fs::copy(env!("CARGO_BIN_EXE_prima"), &binary).expect("a copy of the binary");
    let _app = DataDir(app.clone());
    for path in walk(&app) {
        use std::os::unix::fs::PermissionsExt;
        let mode = if path.is_dir() || path == binary {
            0o755
        } else {
            0o644
        };
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))
            .expect("readable for nobody");
    }
    let port = free_port();
    let child = command_of(&binary, &app, &dir)
        .env("PRIMA_LISTEN", format!("127.0.0.1:{port}"))
        .uid(nobody.uid.as_raw())
        .gid(nobody.gid.as_raw())
        .spawn()
        .expect("prima starts as nobody");
    let prima = Prima {
        process: KillOnDrop(child),
        port,
    };
    prima.wait_until_ready();
    let postmaster = std::fs::read_to_string(dir.join("postgres/pgdata/postmaster.pid"))
        .expect("the cluster is inside the data directory");
    let pid = postmaster.lines().next().expect("a pid").trim();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    let uid = status
        .lines()
        .find_map(|line| line.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().next())
        .expect("a uid");
    assert_eq!(uid, nobody.uid.as_raw().to_string());
    assert_eq!(prima.get("/anmelden").map(|(status, _)| status), Some(200));
    prima.terminate();
}

#[tokio::test]
async fn the_first_development_start_prints_one_demo_account_per_role_once() {
    let dir = data_dir("demo");
    start(&dir).terminate();
    start(&dir).terminate();
    let output = std::fs::read_to_string(dir.join("prima.out")).expect("the output");
    assert_eq!(
        output
            .matches("Demo accounts of the development mode")
            .count(),
        1,
        "{output}"
    );
    for role in [
        "Mitarbeitende",
        "Digitalisierungsbeauftragte",
        "Digitalisierungsverantwortliche",
        "DS-Team",
        "Administration",
    ] {
        assert!(
            output
                .lines()
                .any(|line| line.trim_start().starts_with(role)),
            "{role} in {output}"
        );
    }
    let admin_line = output
        .lines()
        .find(|line| line.contains("admin@demo.prima.invalid"))
        .expect("the administrator's line");
    let password = admin_line.split_whitespace().last().expect("a password");
    assert_eq!(password.chars().count(), 23);
}

#[tokio::test]
async fn a_development_start_shows_a_catalogue_with_the_example_measures() {
    let dir = data_dir("examples");
    let port = free_port();
    let child = command(&dir)
        .env("PRIMA_DEMO", "true")
        .env("PRIMA_LISTEN", format!("127.0.0.1:{port}"))
        .spawn()
        .expect("prima starts");
    let prima = Prima {
        process: KillOnDrop(child),
        port,
    };
    prima.wait_until_ready();
    assert_eq!(measure_count(&prima, &dir), "60");
    prima.terminate();
}

#[tokio::test]
async fn the_demo_generator_and_explain_work_on_the_embedded_cluster() {
    let dir = data_dir("explain");
    let generated = command(&dir)
        .args(["demo", "--measures", "300", "--seed", "3"])
        .stdout(Stdio::piped())
        .output()
        .expect("prima demo runs");
    assert!(generated.status.success());
    assert_eq!(
        String::from_utf8_lossy(&generated.stdout).trim(),
        "generated 300 measures (seed 3)\n\
         opened the round \"Lasttest (Startwert 3)\" of 300 measures, assessed by 8 officers"
    );
    let explained = command(&dir)
        .args(["explain", "?suche=Digitalisierung&sortierung=titel&seite=2"])
        .stdout(Stdio::piped())
        .output()
        .expect("prima explain runs");
    assert!(explained.status.success());
    let plan = String::from_utf8_lossy(&explained.stdout);
    assert!(plan.contains("measure_search"), "{plan}");
    assert!(plan.contains("Execution Time"), "{plan}");
    let refused = command(&dir)
        .args(["explain", "seite=%zz&seite=1"])
        .output()
        .expect("prima explain runs");
    assert!(
        !refused.status.success(),
        "a query string that cannot be read is refused"
    );
    assert_eq!(
        postmaster_pid(&dir),
        None,
        "the commands stop the cluster they started"
    );
}

/// Copies the folder `from` to `to`, with every file below it.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("a folder");
    for entry in std::fs::read_dir(from).expect("a folder to copy") {
        let entry = entry.expect("an entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("a copy");
        }
    }
}

/// `root` and everything below it, folders included.
fn walk(root: &Path) -> Vec<std::path::PathBuf> {
    let mut all = vec![root.to_owned()];
    if root.is_dir() {
        for entry in std::fs::read_dir(root).expect("a folder") {
            all.extend(walk(&entry.expect("an entry").path()));
        }
    }
    all
}

//! Finding the machine's PostgreSQL server programs (`initdb`, `pg_ctl`, `postgres`).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::bail;

const REQUIRED: [&str; 3] = ["initdb", "pg_ctl", "postgres"];

const INSTALL_HINT: &str = "Install the PostgreSQL server (Debian/Ubuntu: `apt-get install postgresql`, \
     Fedora: `dnf install postgresql-server`, macOS: `brew install postgresql`), \
     point PRIMA_PG_BINDIR at the folder holding initdb and pg_ctl, \
     or set DATABASE_URL to use an existing PostgreSQL server";

/// The folder with the server programs: the explicit one if given, else `pg_config --bindir`,
/// else the first folder on PATH that has them, else the newest `/usr/lib/postgresql/*/bin`.
pub fn find(explicit: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(dir) = explicit {
        if has_server_programs(dir) {
            return Ok(dir.to_owned());
        }
        bail!(
            "PRIMA_PG_BINDIR={} does not contain {}. {INSTALL_HINT}.",
            dir.display(),
            REQUIRED.join(", ")
        );
    }
    let candidates = pg_config_bindir()
        .into_iter()
        .chain(path_dirs())
        .chain(debian_bindirs());
    for dir in candidates {
        if has_server_programs(&dir) {
            return Ok(dir);
        }
    }
    bail!("no PostgreSQL server programs (initdb, pg_ctl, postgres) were found. {INSTALL_HINT}.")
}

fn has_server_programs(dir: &Path) -> bool {
    REQUIRED.iter().all(|program| dir.join(program).is_file())
}

fn pg_config_bindir() -> Option<PathBuf> {
    let output = Command::new("pg_config").arg("--bindir").output().ok()?;
    if !output.status.success() {
        return None;
    }
    let dir = String::from_utf8(output.stdout).ok()?;
    Some(PathBuf::from(dir.trim()))
}

fn path_dirs() -> Vec<PathBuf> {
    std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect())
        .unwrap_or_default()
}

/// Debian keeps each major version apart; the newest one wins.
fn debian_bindirs() -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir("/usr/lib/postgresql") else {
        return Vec::new();
    };
    let mut versions: Vec<(u32, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .collect();
    versions.sort_by_key(|(version, _)| std::cmp::Reverse(*version));
    versions.into_iter().map(|(_, dir)| dir).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_explicit_folder_without_the_programs_is_refused_with_an_install_hint() {
        let error = find(Some(Path::new("/nonexistent/pg/bin")))
            .expect_err("a missing folder cannot hold initdb");
        let message = error.to_string();
        assert!(message.contains("apt-get install postgresql"), "{message}");
        assert!(message.contains("DATABASE_URL"), "{message}");
    }
}

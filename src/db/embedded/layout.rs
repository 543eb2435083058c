//! Where an embedded cluster lives on disk, and who may enter it.
//!
//! PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user. That
//! user must be able to enter every parent folder of the cluster; a data directory below root's
//! home folder is not reachable, so its cluster moves to `/var/lib/prima/clusters/<hash>` and a
//! note in the data directory says where it went.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// The server's own account, when PriMa runs as root.
#[derive(Debug, Clone)]
pub struct RunAs {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
}

impl RunAs {
    /// `None` for an ordinary user (the server runs as that user), `postgres` for root.
    pub fn for_current_user() -> anyhow::Result<Option<Self>> {
        if !nix::unistd::geteuid().is_root() {
            return Ok(None);
        }
        let user = nix::unistd::User::from_name("postgres")
            .context("could not look up the postgres user")?;
        let Some(user) = user else {
            bail!(
                "PostgreSQL refuses to run as root and there is no `postgres` user to run it as: \
                 create one (installing PostgreSQL does), run PriMa as an ordinary user, \
                 or set DATABASE_URL"
            );
        };
        Ok(Some(Self {
            name: user.name,
            uid: user.uid.as_raw(),
            gid: user.gid.as_raw(),
        }))
    }
}

/// The paths of one cluster.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Owned by the server's account, mode 0700.
    pub root: PathBuf,
    pub pgdata: PathBuf,
    pub socket_dir: PathBuf,
    pub log_file: PathBuf,
}

const RELOCATED_BASE: &str = "/var/lib/prima/clusters";
/// Unix socket paths are limited to 107 bytes on Linux; leave room for `/.s.PGSQL.5432`.
const MAX_SOCKET_DIR_LEN: usize = 90;

impl Layout {
    /// Works out the paths for `data_dir` (which must exist) without creating anything.
    pub fn resolve(data_dir: &Path, run_as: Option<&RunAs>) -> anyhow::Result<Self> {
        let data_dir = data_dir
            .canonicalize()
            .with_context(|| format!("data directory {} is not usable", data_dir.display()))?;
        let key = short_hash(data_dir.as_os_str().as_encoded_bytes());
        let root = match run_as {
            Some(user) if !can_enter_all(&data_dir, user) => Path::new(RELOCATED_BASE).join(&key),
            _ => data_dir.join("postgres"),
        };
        let socket_dir = if root.join("run").as_os_str().len() <= MAX_SOCKET_DIR_LEN {
            root.join("run")
        } else {
            std::env::temp_dir().join(format!("prima-{key}"))
        };
        Ok(Self {
            pgdata: root.join("pgdata"),
            log_file: root.join("postgres.log"),
            socket_dir,
            root,
        })
    }

    /// Creates the folders with the owner and modes PostgreSQL insists on.
    pub fn create(&self, data_dir: &Path, run_as: Option<&RunAs>) -> anyhow::Result<()> {
        for dir in [&self.root, &self.socket_dir] {
            fs::create_dir_all(dir)
                .with_context(|| format!("could not create {}", dir.display()))?;
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
                .with_context(|| format!("could not restrict {}", dir.display()))?;
            if let Some(user) = run_as {
                std::os::unix::fs::chown(dir, Some(user.uid), Some(user.gid)).with_context(
                    || format!("could not hand {} to {}", dir.display(), user.name),
                )?;
            }
        }
        if !self.root.starts_with(data_dir.canonicalize()?) {
            let note = data_dir.join("postgres-location.txt");
            let text = format!(
                "The embedded PostgreSQL cluster of this data directory lives in {}\n\
                 because the postgres user cannot enter this folder's parents.\n",
                self.root.display()
            );
            fs::write(&note, text)
                .with_context(|| format!("could not write {}", note.display()))?;
        }
        Ok(())
    }
}

/// Whether `user` may pass through `dir` and every folder above it.
fn can_enter_all(dir: &Path, user: &RunAs) -> bool {
    dir.ancestors().all(|folder| {
        let Ok(metadata) = fs::metadata(folder) else {
            return false;
        };
        let mode = metadata.mode();
        if metadata.uid() == user.uid {
            mode & 0o100 != 0
        } else if metadata.gid() == user.gid {
            mode & 0o010 != 0
        } else {
            mode & 0o001 != 0
        }
    })
}

/// FNV-1a: stable across Rust versions, unlike `DefaultHasher`, so a data directory keeps
/// finding its relocated cluster after an upgrade.
fn short_hash(bytes: &[u8]) -> String {
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_of_a_path_is_stable() {
        assert_eq!(
            short_hash(b"/srv/prima/data"),
            short_hash(b"/srv/prima/data")
        );
        assert_ne!(
            short_hash(b"/srv/prima/data"),
            short_hash(b"/srv/prima/data2")
        );
        assert_eq!(short_hash(b""), "cbf29ce484222325");
    }

    #[test]
    fn a_short_data_directory_keeps_its_cluster_inside() {
        let dir = std::env::temp_dir();
        let layout = Layout::resolve(&dir, None).expect("the temp dir exists");
        assert!(layout.root.starts_with(dir.canonicalize().expect("exists")));
        assert_eq!(layout.pgdata, layout.root.join("pgdata"));
    }
}

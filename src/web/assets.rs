//! Static files: the project's own (`static/`) and KERN UX from `node_modules`, with long cache
//! lifetimes; pages link them with a fingerprint so a changed file is fetched at once.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{Context, bail};
use axum::Router;
use axum::http::{HeaderValue, header};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

static VERSION: OnceLock<String> = OnceLock::new();

/// The fingerprint of the assets, for `?v=` in links.
pub fn version() -> &'static str {
    VERSION.get().map_or("0", String::as_str)
}

/// Where the files are.
#[derive(Debug, Clone)]
pub struct Assets {
    pub static_dir: PathBuf,
    pub kern_dir: PathBuf,
}

impl Assets {
    /// Checks that both folders hold what the pages link to.
    pub fn locate(static_dir: &Path, node_modules: &Path) -> anyhow::Result<Self> {
        let own_css = static_dir.join("css/prima.css");
        if !own_css.is_file() {
            bail!(
                "{} is missing: start PriMa from the repository folder or set PRIMA_STATIC_DIR",
                own_css.display()
            );
        }
        let kern_dir = node_modules.join("@kern-ux/native/dist");
        let kern_css = kern_dir.join("kern.min.css");
        if !kern_css.is_file() {
            bail!(
                "{} is missing: run `npm ci` in the repository folder or set PRIMA_NODE_MODULES",
                kern_css.display()
            );
        }
        let mut fingerprint = Vec::new();
        for file in [&own_css, &kern_css, &kern_dir.join("fonts/fira-sans.css")] {
            fingerprint.extend(
                std::fs::read(file)
                    .with_context(|| format!("could not read {}", file.display()))?,
            );
        }
        // The first start decides; tests that build several apps share the same files.
        let _ = VERSION.set(format!("{:08x}", crc32(&fingerprint)));
        Ok(Self {
            static_dir: static_dir.to_owned(),
            kern_dir,
        })
    }
}

/// Serves `/static/kern/…` from KERN UX and everything else below `/static/` from our folder.
pub fn service(assets: &Assets) -> Router {
    Router::new()
        .nest_service("/kern", ServeDir::new(&assets.kern_dir))
        .fallback_service(ServeDir::new(&assets.static_dir))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            cache_only_files,
        ))
}

/// A week in shared caches for files that exist (and "not modified" answers about them); a
/// missing file is not remembered, so that it can appear with the next release.
fn cache_only_files<B>(response: &axum::http::Response<B>) -> Option<HeaderValue> {
    let status = response.status();
    Some(HeaderValue::from_static(
        if status.is_success() || status == axum::http::StatusCode::NOT_MODIFIED {
            "public, max-age=604800"
        } else {
            "no-store"
        },
    ))
}

/// CRC-32 (IEEE), enough to tell versions of a few files apart.
fn crc32(bytes: &[u8]) -> u32 {
    !bytes.iter().fold(!0_u32, |crc, byte| {
        (0..8).fold(crc ^ u32::from(*byte), |crc, _| {
            if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }
}

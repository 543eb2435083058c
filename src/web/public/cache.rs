//! The public page and the open data in memory. They are read by anyone, often, and change when
//! the strategy team releases a measure or a released measure's status or implementation
//! changes; PostgreSQL notifies every instance of such changes (`prima_public_changed`,
//! triggers in `…_publications.sql`) and the documents are dropped at once. As with the
//! strategy cache, the memory is used only while the listener is up: before it listens and
//! after its connection was lost every request builds the document anew, so a missed
//! notification never leaves a stale page behind.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use axum::body::Bytes;
use chrono::{DateTime, Utc};
use sqlx::PgPool;

const CHANNEL: &str = "prima_public_changed";

/// A document as it is sent: its bytes, a strong validator, and when its content last changed.
#[derive(Debug, Clone)]
pub struct Document {
    pub bytes: Bytes,
    pub etag: String,
    pub last_modified: Option<DateTime<Utc>>,
}

impl Document {
    pub fn new(bytes: impl Into<Bytes>, last_modified: Option<DateTime<Utc>>) -> Self {
        let bytes = bytes.into();
        let etag = format!("\"{}\"", digest(&bytes));
        Self {
            bytes,
            etag,
            last_modified,
        }
    }
}

/// The SHA-256 of `bytes` in hex: the strong validator (all of it, as docs/public.md says).
pub fn digest(bytes: &[u8]) -> String {
    hex(&sha2::Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut text, byte| {
        let _ = write!(text, "{byte:02x}");
        text
    })
}

use sha2::Digest;

#[derive(Debug, Default)]
pub struct PublicCache {
    documents: RwLock<HashMap<&'static str, Arc<Document>>>,
    /// Bumped by every invalidation, so a build that raced with a change is not kept.
    generation: AtomicU64,
    listening: AtomicBool,
}

impl PublicCache {
    /// A cache kept current by a listener task on `pool`; the task ends when the pool closes.
    pub fn listening_on(pool: &PgPool) -> Arc<Self> {
        let cache = Arc::new(Self::default());
        tokio::spawn(crate::db::listen::follow(
            Arc::clone(&cache),
            pool.clone(),
            CHANNEL,
        ));
        cache
    }

    /// The document `key`, from memory while it is known to be current, else built by `build`.
    pub async fn get_or_build<E>(
        &self,
        key: &'static str,
        build: impl Future<Output = Result<Document, E>>,
    ) -> Result<Arc<Document>, E> {
        if self.listening.load(Ordering::Acquire)
            && let Some(document) = self.read().get(key).cloned()
        {
            return Ok(document);
        }
        let generation = self.generation.load(Ordering::Acquire);
        let document = Arc::new(build.await?);
        if self.listening.load(Ordering::Acquire)
            && self.generation.load(Ordering::Acquire) == generation
        {
            self.write().insert(key, Arc::clone(&document));
        }
        Ok(document)
    }

    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.write().clear();
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<&'static str, Arc<Document>>> {
        self.documents
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<&'static str, Arc<Document>>> {
        self.documents
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl crate::db::listen::Followed for PublicCache {
    fn set_listening(&self, listening: bool) {
        self.listening.store(listening, Ordering::Release);
        self.invalidate();
    }

    fn invalidate(&self) {
        PublicCache::invalidate(self);
    }
}

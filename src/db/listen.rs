//! Following PostgreSQL notifications for in-memory caches: a cache is used only while its
//! channel is being listened to, and dropped with every notification – and whenever the
//! listening starts or stops, since notifications may have been missed in between.

use std::sync::Arc;
use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::PgListener;

/// A cache kept current by notifications on one channel.
pub trait Followed: Send + Sync + 'static {
    /// Whether the channel is being listened to; a change also drops what is kept.
    fn set_listening(&self, listening: bool);
    /// Drops what is kept: the next read loads it again.
    fn invalidate(&self);
}

/// Listens on `channel` for `cache` until `pool` closes, reconnecting after a lost connection.
pub async fn follow(cache: Arc<impl Followed>, pool: PgPool, channel: &'static str) {
    while !pool.is_closed() {
        match PgListener::connect_with(&pool).await {
            Ok(mut listener) => {
                if let Err(error) = listener.listen(channel).await {
                    tracing::warn!(%error, channel, "could not listen for changes");
                } else {
                    cache.set_listening(true);
                    // `None` means the connection was lost: notifications may be missing.
                    while let Ok(Some(_)) = listener.try_recv().await {
                        cache.invalidate();
                    }
                    cache.set_listening(false);
                }
            }
            Err(error) if !pool.is_closed() => {
                tracing::warn!(%error, channel, "could not connect to listen for changes");
            }
            Err(_) => break,
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

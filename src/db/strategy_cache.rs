//! The strategy tree in memory. It changes a few times a year but is read on most pages, so each
//! instance keeps it and drops it when PostgreSQL notifies a change (triggers on the tree's
//! tables). The cache is used only while the notification channel is listening: before the
//! listener is up, and after its connection was lost, every read goes to the database, so a
//! missed notification can never leave a stale tree behind.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use sqlx::PgPool;

use super::strategy;
use crate::domain::strategy::StrategyTree;

const CHANNEL: &str = "prima_strategy_changed";

#[derive(Debug, Default)]
pub struct StrategyCache {
    tree: RwLock<Option<Arc<StrategyTree>>>,
    /// Bumped by every invalidation, so a load that raced with a change is not stored.
    generation: AtomicU64,
    listening: AtomicBool,
}

impl StrategyCache {
    /// A cache kept current by a listener task on `pool`; the task ends when the pool closes.
    pub fn listening_on(pool: &PgPool) -> Arc<Self> {
        let cache = Arc::new(Self::default());
        tokio::spawn(super::listen::follow(
            Arc::clone(&cache),
            pool.clone(),
            CHANNEL,
        ));
        cache
    }

    /// The tree of the iteration in force, from memory when it is known to be current.
    pub async fn current_tree(&self, pool: &PgPool) -> sqlx::Result<Option<Arc<StrategyTree>>> {
        if self.listening.load(Ordering::Acquire)
            && let Some(tree) = self.read().clone()
        {
            return Ok(Some(tree));
        }
        let generation = self.generation.load(Ordering::Acquire);
        let tree = strategy::current_tree(pool).await?.map(Arc::new);
        if self.listening.load(Ordering::Acquire)
            && self.generation.load(Ordering::Acquire) == generation
        {
            *self.write() = tree.clone();
        }
        Ok(tree)
    }

    /// Whether changes are being listened for (and the cache is therefore in use).
    pub fn is_listening(&self) -> bool {
        self.listening.load(Ordering::Acquire)
    }

    /// Forgets the tree; the next read loads it again.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        *self.write() = None;
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Option<Arc<StrategyTree>>> {
        self.tree
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Option<Arc<StrategyTree>>> {
        self.tree
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl super::listen::Followed for StrategyCache {
    fn set_listening(&self, listening: bool) {
        self.listening.store(listening, Ordering::Release);
        self.invalidate();
    }

    fn invalidate(&self) {
        StrategyCache::invalidate(self);
    }
}

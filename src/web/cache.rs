//! Results kept in memory for the content generation they were computed at.
//!
//! PostgreSQL counts a generation up with every committed change to what the catalogue and
//! measure pages show (`content_generation`, triggers on every table involved), and each request
//! reads the current number together with its session. An entry is served only to a request that
//! saw the same generation it was stored for; the first request that sees a newer one empties
//! the cache. A request therefore never gets an answer older than the data it could read itself
//! at that moment, also right after its own change and with several instances of PriMa.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::db::catalogue::{Filter, Hit};
use crate::db::measures::MeasureListItem;
use crate::domain::ids::{GoalId, MeasureId, RoundId, UserId};
use crate::rounds::RoundData;
use crate::scoring::robustness::{Robustness, Settings};
use crate::web::measures::show;

/// The caches of one instance.
#[derive(Debug)]
pub struct Caches {
    /// Catalogue views without a search text (filters, sorting, page): a few hundred
    /// combinations carry nearly all traffic; searches are too varied to be worth keeping.
    pub catalogue: GenerationCache<(Filter, i64), (Vec<Hit>, i64)>,
    /// What every reader of a measure's page sees, its texts rendered.
    pub measures: GenerationCache<MeasureId, show::Shared>,
    /// How many measures the catalogue holds (the start page).
    pub measure_count: GenerationCache<(), i64>,
    /// The measures of each goal (the goal pages).
    pub goal_measures: GenerationCache<GoalId, Vec<MeasureListItem>>,
    /// Robustness analyses of a round (SMAA-2): seconds of work for large rounds, the same for
    /// the same inputs and settings; kept across generations (see [`RobustnessStore`]).
    pub robustness: RobustnessStore,
    /// A round with its assessments and evaluation: every prioritisation page starts from it,
    /// and for a large round reading and scoring it costs far more than rendering.
    pub rounds: GenerationCache<RoundId, RoundData>,
    /// A round narrowed to what one blind reader sees of it (`RoundData::narrowed`), per round,
    /// reader and whether the deadline has passed.
    pub reader_rounds: GenerationCache<(RoundId, UserId, bool), RoundData>,
    /// The newest round (the ranking page's).
    pub newest_round: GenerationCache<(), Option<RoundId>>,
    /// The ranking page's filtered views of a round, per reader while the round is narrowed
    /// for them (the blind rule), else for everyone.
    pub rankings: GenerationCache<
        (RoundId, Option<UserId>, Filter),
        crate::web::prioritisation::ranking::Filtered,
    >,
    /// What the dashboard counts: a dozen grouped scans over all measures, the same for
    /// every reader.
    pub dashboard: GenerationCache<(), crate::web::reports::dashboard::DashboardData>,
}

impl Default for Caches {
    fn default() -> Self {
        // At most about 20 MB each: a catalogue page is about 20 kB, a measure about 10 kB.
        Self {
            catalogue: GenerationCache::new(1_000),
            measures: GenerationCache::new(2_000),
            measure_count: GenerationCache::new(1),
            goal_measures: GenerationCache::new(500),
            // About 4 MB for a round of 10,000 measures.
            robustness: RobustnessStore::default(),
            // About 60 MB for a round of 10,000 measures assessed by eight officers.
            rounds: GenerationCache::new(4),
            // Blind readers of open rounds only: a few officers at a time, each with a part of
            // a round.
            reader_rounds: GenerationCache::new(32),
            newest_round: GenerationCache::new(1),
            // About 1 MB for a view of 10,000 measures.
            rankings: GenerationCache::new(200),
            dashboard: GenerationCache::new(1),
        }
    }
}

/// Robustness analyses per round and settings, each with the fingerprint of the inputs it was
/// computed from (`RoundData::fingerprint`). An analysis whose inputs have changed since is still
/// served, marked as such, while a new one is computed off the request path; only the very first
/// analysis of a round and settings is computed while a request waits.
///
/// Analyses are bounded in number as well as size: one runs at a time per instance (it uses
/// every core), and the default analysis of each round is kept when the store is full.
#[derive(Debug)]
pub struct RobustnessStore {
    inner: Mutex<StoreInner>,
    running: tokio::sync::Semaphore,
}

impl Default for RobustnessStore {
    fn default() -> Self {
        Self {
            inner: Mutex::default(),
            running: tokio::sync::Semaphore::new(1),
        }
    }
}

/// An analysis of a round, for the whole round or narrowed for one blind reader
/// (`RoundData::reader`), with its settings.
pub type AnalysisKey = (RoundId, Option<UserId>, Settings);

#[derive(Debug, Default)]
struct StoreInner {
    entries: HashMap<AnalysisKey, Stored>,
    /// The analyses being computed in the background.
    computing: std::collections::HashSet<AnalysisKey>,
}

/// A stored analysis and the fingerprint of its inputs.
#[derive(Debug, Clone)]
pub struct Stored {
    pub fingerprint: u64,
    /// The measures the analysis covers, in its order: a stale analysis is shown only for
    /// the same measures (a reader's visible set can change without changing its size).
    pub measures: Vec<crate::domain::ids::MeasureId>,
    pub result: Arc<Robustness>,
}

impl RobustnessStore {
    /// About 4 MB each for a round of 10,000 measures.
    const CAPACITY: usize = 20;

    pub fn get(&self, key: &AnalysisKey) -> Option<Stored> {
        self.lock().entries.get(key).cloned()
    }

    /// Keeps `stored` for `key`; when full, keeps only the analyses `pinned` says to keep (each
    /// round's default one, which every reader of its page needs), else starts again empty.
    pub fn put(&self, key: AnalysisKey, stored: Stored, pinned: impl Fn(&AnalysisKey) -> bool) {
        let mut inner = self.lock();
        if inner.entries.len() >= Self::CAPACITY && !inner.entries.contains_key(&key) {
            inner.entries.retain(|key, _| pinned(key));
            if inner.entries.len() >= Self::CAPACITY {
                inner.entries.clear();
            }
        }
        inner.entries.insert(key, stored);
    }

    /// Takes on computing `key` in the background: false when that is under way already.
    pub fn claim(&self, key: AnalysisKey) -> bool {
        self.lock().computing.insert(key)
    }

    pub fn release(&self, key: &AnalysisKey) {
        self.lock().computing.remove(key);
    }

    /// The one place to run an analysis now, if it is free (a request then answers 503 with
    /// `Retry-After` rather than queue behind others).
    pub fn try_run(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        self.running.try_acquire().ok()
    }

    /// The one place to run an analysis, once it is free (work in the background waits).
    pub async fn run(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        self.running.acquire().await.ok()
    }

    fn lock(&self) -> MutexGuard<'_, StoreInner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[derive(Debug)]
pub struct GenerationCache<K, V> {
    inner: Mutex<Inner<K, V>>,
    capacity: usize,
}

#[derive(Debug)]
struct Inner<K, V> {
    generation: i64,
    entries: HashMap<K, Arc<V>>,
}

impl<K: Eq + Hash, V> GenerationCache<K, V> {
    /// A cache of at most `capacity` entries; when full it starts again empty, which keeps the
    /// memory bounded without bookkeeping on every read.
    pub fn new(capacity: usize) -> Self {
        Self {
            inner: Mutex::new(Inner {
                generation: i64::MIN,
                entries: HashMap::new(),
            }),
            capacity,
        }
    }

    /// The entry for `key` if it was stored at `generation`.
    pub fn get(&self, generation: i64, key: &K) -> Option<Arc<V>> {
        let mut inner = self.lock();
        inner.advance_to(generation);
        (inner.generation == generation)
            .then(|| inner.entries.get(key).cloned())
            .flatten()
    }

    /// Keeps `value`, computed by a request that saw `generation`, unless a newer generation has
    /// been seen since (then it may already be outdated and is not kept).
    pub fn insert(&self, generation: i64, key: K, value: Arc<V>) {
        let mut inner = self.lock();
        inner.advance_to(generation);
        if inner.generation != generation || self.capacity == 0 {
            return;
        }
        if inner.entries.len() >= self.capacity {
            inner.entries.clear();
        }
        inner.entries.insert(key, value);
    }

    /// The entry for `key` at `generation`, computed by `load` when missing. Without a
    /// generation (a visitor without a session does not read one) `load` always runs.
    pub async fn get_or_load<E, F>(
        &self,
        generation: Option<i64>,
        key: K,
        load: F,
    ) -> Result<Arc<V>, E>
    where
        F: Future<Output = Result<V, E>>,
    {
        let Some(generation) = generation else {
            return Ok(Arc::new(load.await?));
        };
        if let Some(value) = self.get(generation, &key) {
            return Ok(value);
        }
        let value = Arc::new(load.await?);
        self.insert(generation, key, Arc::clone(&value));
        Ok(value)
    }

    fn lock(&self) -> MutexGuard<'_, Inner<K, V>> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<K, V> Inner<K, V> {
    fn advance_to(&mut self, generation: i64) {
        if generation > self.generation {
            self.generation = generation;
            self.entries.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_served_only_for_its_generation() {
        let cache = GenerationCache::new(10);
        cache.insert(1, "a", Arc::new(1));
        assert_eq!(cache.get(1, &"a").as_deref(), Some(&1));
        assert_eq!(
            cache.get(2, &"a"),
            None,
            "a newer generation empties the cache"
        );
        assert_eq!(cache.get(1, &"a"), None, "and an older one finds nothing");
    }

    #[test]
    fn a_result_computed_before_a_newer_generation_was_seen_is_not_kept() {
        let cache = GenerationCache::new(10);
        assert_eq!(cache.get(5, &"a"), None);
        // Another request already saw generation 6: what was read at 5 may be outdated.
        assert_eq!(cache.get(6, &"b"), None);
        cache.insert(5, "a", Arc::new(1));
        assert_eq!(cache.get(6, &"a"), None);
        assert_eq!(cache.get(5, &"a"), None);
    }

    #[test]
    fn a_full_cache_starts_again_empty() {
        let cache = GenerationCache::new(2);
        cache.insert(1, 1, Arc::new("one"));
        cache.insert(1, 2, Arc::new("two"));
        cache.insert(1, 3, Arc::new("three"));
        assert_eq!(cache.get(1, &1), None);
        assert_eq!(cache.get(1, &3).as_deref(), Some(&"three"));
    }

    #[test]
    fn a_robustness_analysis_is_kept_across_changes_and_computed_once_at_a_time() {
        use crate::scoring::robustness::{Settings, WeightModel, analyse};
        let settings = Settings {
            samples: 10,
            seed: 1,
            top_k: 1,
            model: WeightModel::Uniform,
            threads: 1,
        };
        let key = (RoundId::new(), None, settings);
        let store = RobustnessStore::default();
        assert!(store.get(&key).is_none());
        let result = Arc::new(analyse(&[], &[], settings));
        store.put(
            key,
            Stored {
                fingerprint: 7,
                measures: Vec::new(),
                result,
            },
            |_| false,
        );
        assert_eq!(store.get(&key).map(|stored| stored.fingerprint), Some(7));
        assert!(store.claim(key), "the first claim wins");
        assert!(!store.claim(key), "a second waits for the first");
        store.release(&key);
        assert!(store.claim(key));
        let running = store.try_run().expect("nothing runs yet");
        assert!(store.try_run().is_none(), "one analysis at a time");
        drop(running);
        assert!(store.try_run().is_some());
    }

    #[test]
    fn many_analyses_with_other_seeds_do_not_evict_the_default_one() {
        use crate::scoring::robustness::{Settings, WeightModel, analyse};
        let settings = |seed| Settings {
            samples: 10,
            seed,
            top_k: 1,
            model: WeightModel::Uniform,
            threads: 1,
        };
        let round = RoundId::new();
        let store = RobustnessStore::default();
        let result = Arc::new(analyse(&[], &[], settings(0)));
        let stored = |fingerprint| Stored {
            fingerprint,
            measures: Vec::new(),
            result: Arc::clone(&result),
        };
        let default = (round, None, settings(0));
        let pinned = |key: &AnalysisKey| key.2.seed == 0;
        store.put(default, stored(0), pinned);
        for seed in 1..=3 * RobustnessStore::CAPACITY as u64 {
            store.put((round, None, settings(seed)), stored(seed), pinned);
        }
        assert_eq!(
            store.get(&default).map(|stored| stored.fingerprint),
            Some(0)
        );
    }

    #[tokio::test]
    async fn a_missing_entry_is_loaded_once_and_then_served() {
        let cache = GenerationCache::new(10);
        let first: Result<_, ()> = cache.get_or_load(Some(1), "k", async { Ok(7) }).await;
        assert_eq!(first.as_deref(), Ok(&7));
        let second: Result<_, ()> = cache.get_or_load(Some(1), "k", async { Ok(8) }).await;
        assert_eq!(second.as_deref(), Ok(&7));
        let unknown: Result<_, ()> = cache.get_or_load(None, "k", async { Ok(9) }).await;
        assert_eq!(
            unknown.as_deref(),
            Ok(&9),
            "without a generation nothing is served"
        );
        let failed: Result<Arc<i32>, &str> =
            cache.get_or_load(Some(1), "x", async { Err("no") }).await;
        assert_eq!(failed, Err("no"));
        assert_eq!(cache.get(1, &"x"), None, "a failure is not kept");
    }
}

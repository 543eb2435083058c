//! The queue in front of Argon2id. Hashing runs on blocking threads one at a time, so logins
//! cannot take the cores from everything else; each client address holds only a few places in
//! the queue, and the queue as a whole is bounded, so that one client sending many passwords at
//! once is told to come back later instead of making everyone else wait behind it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::domain::password::{self, Password};

/// Places one client address may hold at once (waiting or hashing). Many people can share an
/// address (a terminal server, an office's proxy); at 20 logins a second from one address, 4
/// places refused 4 % of them (ten people pressing "Anmelden" in the same few milliseconds),
/// 8 places none. Someone else then waits behind at most 8 hashes of about 15 ms each.
pub const PLACES_PER_CLIENT: usize = 8;
/// Places in all; beyond them every client waits longer than a login should take.
pub const PLACES_IN_ALL: usize = 48;
/// What a client that found the queue full is asked to wait.
pub const RETRY_AFTER: Duration = Duration::from_secs(1);

/// The queue was full for this client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueFull;

#[derive(Debug)]
pub struct HashingQueue {
    running: Semaphore,
    held: Mutex<Held>,
}

#[derive(Debug, Default)]
struct Held {
    per_client: HashMap<String, usize>,
    in_all: usize,
}

impl Default for HashingQueue {
    fn default() -> Self {
        Self {
            running: Semaphore::new(1),
            held: Mutex::default(),
        }
    }
}

impl HashingQueue {
    /// A place in the queue for `client`, or [`QueueFull`] when it already holds its share or
    /// the queue is full.
    pub fn place(&self, client: &str) -> Result<Place<'_>, QueueFull> {
        let mut held = self
            .held
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mine = held.per_client.get(client).copied().unwrap_or(0);
        if mine >= PLACES_PER_CLIENT || held.in_all >= PLACES_IN_ALL {
            return Err(QueueFull);
        }
        held.per_client.insert(client.to_owned(), mine + 1);
        held.in_all += 1;
        Ok(Place {
            queue: self,
            client: client.to_owned(),
        })
    }

    fn release(&self, client: &str) {
        let mut held = self
            .held
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        held.in_all = held.in_all.saturating_sub(1);
        if let Some(count) = held.per_client.get_mut(client) {
            *count -= 1;
            if *count == 0 {
                held.per_client.remove(client);
            }
        }
    }
}

/// A place in the queue; given back when dropped, whatever happened.
#[derive(Debug)]
pub struct Place<'a> {
    queue: &'a HashingQueue,
    client: String,
}

impl Drop for Place<'_> {
    fn drop(&mut self) {
        self.queue.release(&self.client);
    }
}

impl Place<'_> {
    /// Whether `password` matches `stored`, checked when it is this place's turn.
    pub async fn verify(self, password: Password, stored: String) -> bool {
        let Ok(_running) = self.queue.running.acquire().await else {
            return false;
        };
        tokio::task::spawn_blocking(move || password::verify(&password, &stored))
            .await
            .unwrap_or(false)
    }

    /// The Argon2id hash of a new password, made when it is this place's turn.
    pub async fn hash(self, password: Password) -> anyhow::Result<String> {
        let _running = self.queue.running.acquire().await?;
        tokio::task::spawn_blocking(move || password::hash(&password)).await?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_client_holds_a_few_places_and_others_still_get_theirs() {
        let queue = HashingQueue::default();
        let mine: Vec<Place<'_>> = (0..PLACES_PER_CLIENT)
            .map(|_| queue.place("192.0.2.1").expect("a place"))
            .collect();
        assert_eq!(queue.place("192.0.2.1").err(), Some(QueueFull));
        let other = queue.place("198.51.100.7");
        assert!(other.is_ok(), "another client is not starved");
        drop(mine);
        assert!(queue.place("192.0.2.1").is_ok(), "places are given back");
    }

    #[test]
    fn the_queue_as_a_whole_is_bounded() {
        let queue = HashingQueue::default();
        let held: Vec<Place<'_>> = (0..PLACES_IN_ALL)
            .map(|index| queue.place(&format!("client-{index}")).expect("a place"))
            .collect();
        assert_eq!(queue.place("one more").err(), Some(QueueFull));
        drop(held);
        assert!(queue.place("one more").is_ok());
    }

    #[tokio::test]
    async fn a_place_verifies_and_hashes() {
        let queue = HashingQueue::default();
        let hash = queue
            .place("client")
            .expect("a place")
            .hash(Password::unchecked("ein langes Passwort"))
            .await
            .expect("a hash");
        assert!(
            queue
                .place("client")
                .expect("a place")
                .verify(Password::unchecked("ein langes Passwort"), hash.clone())
                .await
        );
        assert!(
            !queue
                .place("client")
                .expect("a place")
                .verify(Password::unchecked("ein anderes Passwort"), hash)
                .await
        );
    }
}

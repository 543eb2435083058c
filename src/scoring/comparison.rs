//! Two rankings compared: which measures are new, which dropped out, which moved up or down and
//! by how many places. Pure: ranks in, the differences out.

use std::collections::HashMap;
use std::hash::Hash;

/// A measure in both rankings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moved<K> {
    pub key: K,
    pub before: usize,
    pub after: usize,
}

impl<K> Moved<K> {
    /// Places moved up (positive) or down (negative).
    pub fn places(&self) -> i64 {
        i64::try_from(self.before).unwrap_or(i64::MAX) - i64::try_from(self.after).unwrap_or(0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison<K> {
    /// Only in the later ranking, by their rank there.
    pub new: Vec<(K, usize)>,
    /// Only in the earlier ranking, by their rank there.
    pub dropped: Vec<(K, usize)>,
    /// Higher now: the largest rise first, then by the later rank.
    pub up: Vec<Moved<K>>,
    /// Lower now: the largest fall first, then by the later rank.
    pub down: Vec<Moved<K>>,
    /// At the same place, by rank.
    pub same: Vec<Moved<K>>,
}

/// Compares the ranks (from 1) of `before` with those of `after`; a key appears at most once in
/// each.
pub fn compare<K: Copy + Eq + Hash>(before: &[(K, usize)], after: &[(K, usize)]) -> Comparison<K> {
    let earlier: HashMap<K, usize> = before.iter().copied().collect();
    let later: HashMap<K, usize> = after.iter().copied().collect();
    let mut new: Vec<(K, usize)> = after
        .iter()
        .filter(|(key, _)| !earlier.contains_key(key))
        .copied()
        .collect();
    new.sort_by_key(|(_, rank)| *rank);
    let mut dropped: Vec<(K, usize)> = before
        .iter()
        .filter(|(key, _)| !later.contains_key(key))
        .copied()
        .collect();
    dropped.sort_by_key(|(_, rank)| *rank);
    let (mut up, mut down, mut same) = (Vec::new(), Vec::new(), Vec::new());
    for (key, after) in after {
        let Some(before) = earlier.get(key) else {
            continue;
        };
        let moved = Moved {
            key: *key,
            before: *before,
            after: *after,
        };
        match moved.places() {
            0 => same.push(moved),
            places if places > 0 => up.push(moved),
            _ => down.push(moved),
        }
    }
    up.sort_by_key(|moved| (-moved.places(), moved.after));
    down.sort_by_key(|moved| (moved.places(), moved.after));
    same.sort_by_key(|moved| moved.after);
    Comparison {
        new,
        dropped,
        up,
        down,
        same,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_dropped_up_down_and_the_same_with_their_amounts() {
        let before = [('a', 1), ('b', 2), ('c', 3), ('d', 4), ('e', 5)];
        let after = [('c', 1), ('a', 2), ('f', 3), ('b', 4), ('e', 5)];
        let result = compare(&before, &after);
        assert_eq!(result.new, [('f', 3)]);
        assert_eq!(result.dropped, [('d', 4)]);
        assert_eq!(
            result.up,
            [Moved {
                key: 'c',
                before: 3,
                after: 1
            }]
        );
        assert_eq!(
            result
                .down
                .iter()
                .map(|m| (m.key, m.places()))
                .collect::<Vec<_>>(),
            [('b', -2), ('a', -1)]
        );
        assert_eq!(result.same.len(), 1);
        assert_eq!(result.same[0].key, 'e');
    }
}

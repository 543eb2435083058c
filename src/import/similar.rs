//! Which existing measures an imported row resembles, for thousands of rows at once: the
//! trigram similarity of PostgreSQL's pg_trgm (the proposal form's duplicate search), computed
//! in memory with an inverted index. One lookup per row in PostgreSQL took seconds per thousand
//! rows; this takes milliseconds.

use std::collections::{HashMap, HashSet};

/// The trigrams of `text` as pg_trgm makes them: lower case, words of letters and digits, each
/// padded with two spaces before and one after.
pub fn trigrams(text: &str) -> HashSet<[char; 3]> {
    let mut found = HashSet::new();
    for word in text
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
    {
        let padded: Vec<char> = "  ".chars().chain(word.chars()).chain([' ']).collect();
        for window in padded.windows(3) {
            found.insert([window[0], window[1], window[2]]);
        }
    }
    found
}

/// pg_trgm's similarity: shared trigrams over all trigrams of both.
pub fn similarity(a: &HashSet<[char; 3]>, b: &HashSet<[char; 3]>) -> f32 {
    let shared = a.intersection(b).count();
    let all = a.len() + b.len() - shared;
    if all == 0 {
        0.0
    } else {
        shared as f32 / all as f32
    }
}

/// The texts to compare with, indexed by their trigrams.
#[derive(Debug, Default)]
pub struct Index {
    sizes: Vec<usize>,
    postings: HashMap<[char; 3], Vec<u32>>,
}

impl Index {
    pub fn new<'a>(texts: impl IntoIterator<Item = &'a str>) -> Self {
        let mut index = Self::default();
        for (position, text) in texts.into_iter().enumerate() {
            let grams = trigrams(text);
            index.sizes.push(grams.len());
            for gram in grams {
                index
                    .postings
                    .entry(gram)
                    .or_default()
                    .push(position as u32);
            }
        }
        index
    }

    /// The positions of the `limit` most similar texts with a similarity of at least
    /// `threshold` (pg_trgm's default is 0.3), most similar first.
    pub fn most_similar(&self, text: &str, threshold: f32, limit: usize) -> Vec<(usize, f32)> {
        self.most_similar_all(&[text], threshold, limit)
            .pop()
            .unwrap_or_default()
    }

    /// [`Index::most_similar`] for many texts, counting shared trigrams in one array (a
    /// hash map per text took seconds for ten thousand rows).
    pub fn most_similar_all(
        &self,
        texts: &[&str],
        threshold: f32,
        limit: usize,
    ) -> Vec<Vec<(usize, f32)>> {
        let mut shared = vec![0u32; self.sizes.len()];
        let mut touched: Vec<u32> = Vec::new();
        texts
            .iter()
            .map(|text| {
                let grams = trigrams(text);
                for gram in &grams {
                    for position in self.postings.get(gram).map_or(&[][..], Vec::as_slice) {
                        let count = &mut shared[*position as usize];
                        if *count == 0 {
                            touched.push(*position);
                        }
                        *count += 1;
                    }
                }
                let mut found: Vec<(usize, f32)> = Vec::new();
                for position in touched.drain(..) {
                    let position = position as usize;
                    let count = std::mem::take(&mut shared[position]) as usize;
                    let score = count as f32 / (grams.len() + self.sizes[position] - count) as f32;
                    if score >= threshold {
                        found.push((position, score));
                    }
                }
                found.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                found.truncate(limit);
                found
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_similarity_is_pg_trgm_s() {
        // The example of PostgreSQL's documentation: similarity('word', 'two words') = 0.363636.
        let score = similarity(&trigrams("word"), &trigrams("two words"));
        assert!((score - 0.363_636).abs() < 1e-5, "{score}");
        assert_eq!(
            trigrams("Cat").len(),
            4,
            "\"  c\", \" ca\", \"cat\", \"at \""
        );
        assert_eq!(
            similarity(&trigrams("Bürgerbüro"), &trigrams("bürgerbüro!")),
            1.0
        );
    }

    #[test]
    fn the_index_finds_the_most_similar_texts_above_the_threshold() {
        let index = Index::new([
            "Online-Terminbuchung im Kundenzentrum",
            "Digitale Bauakte",
            "Terminbuchung online für das Kundenzentrum",
        ]);
        let found = index.most_similar("Online Terminbuchung Kundenzentrum", 0.3, 3);
        let positions: Vec<usize> = found.iter().map(|(position, _)| *position).collect();
        assert_eq!(positions, [0, 2]);
        assert!(found[0].1 > found[1].1);
        assert!(index.most_similar("Etwas ganz anderes", 0.3, 3).is_empty());
    }
}

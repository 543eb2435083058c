//! The blind rule, applied once: a round narrowed to what one reader may see of it.
//!
//! An assessor who has not judged a measure yet must not learn anything of the others' values of
//! it: not the values, and not what follows from them — a place in the ranking, the gap it leaves
//! among the others' places, a sentence naming it, a what-if movement, a robustness share. So
//! every prioritisation page, document and export of a round is made from [`RoundData::narrowed`]:
//! while anything is hidden from the reader, the measures hidden from them are not in it at all
//! (only their number, title and facts that are not values, listed by number), and the others'
//! ranks are their places among what the reader sees. Scores are absolute (no normalisation over
//! the catalogue), so the order of the visible measures among themselves does not depend on the
//! hidden ones; nothing made from this data can.

use std::collections::HashSet;

use super::{RoundData, Standing};
use crate::domain::ids::MeasureId;
use crate::domain::permissions::Actor;
use crate::domain::prioritisation::rounds::{Sight, sight};

impl RoundData {
    /// Per measure (in the order of `measures`) whether `actor` sees its values; none when they
    /// see every measure of the round.
    pub fn hidden_from(&self, actor: &Actor) -> Option<Vec<bool>> {
        let deadline_passed = self.deadline_passed();
        // Whoever sees a measure without having assessed it sees them all.
        if sight(actor, self.round.status, false, deadline_passed) != Sight::Hidden {
            return None;
        }
        let seen: Vec<bool> = self
            .measures
            .iter()
            .map(|measure| {
                let own = self.unlocked_by(actor.user_id, measure.id);
                sight(actor, self.round.status, own, deadline_passed) != Sight::Hidden
            })
            .collect();
        seen.contains(&false).then_some(seen)
    }

    /// The round as `reader` may see it, with `seen` from [`RoundData::hidden_from`]: only the
    /// measures they see, ranked among themselves (places 1, 2, … without gaps), their values
    /// and final values; of the hidden measures only the list `hidden` and the reader's own
    /// assessments and the final values they set themselves (their forms show them; another
    /// central officer's final value would tell the consolidated value). How many measures each
    /// office has assessed stays the round's: a count, not a value.
    pub fn narrowed(&self, reader: &Actor, seen: &[bool]) -> Self {
        let reader = reader.user_id;
        let mut ranked: Vec<usize> = (0..self.measures.len())
            .filter(|index| seen[*index])
            .collect();
        ranked.sort_by_key(|index| self.standings[*index].rank);
        let mut places = vec![0; self.measures.len()];
        for (place, index) in ranked.iter().enumerate() {
            places[*index] = place + 1;
        }
        let kept: HashSet<MeasureId> = self
            .measures
            .iter()
            .zip(seen)
            .filter(|(_, seen)| **seen)
            .map(|(measure, _)| measure.id)
            .collect();
        let (measures, standings) = self
            .measures
            .iter()
            .zip(&self.standings)
            .enumerate()
            .filter(|(index, _)| seen[*index])
            .map(|(index, (measure, standing))| {
                (
                    measure.clone(),
                    Standing {
                        rank: places[index],
                        ..standing.clone()
                    },
                )
            })
            .unzip();
        let assessments = self
            .assessments
            .iter()
            .filter(|row| kept.contains(&row.measure) || row.rater == reader)
            .cloned()
            .collect();
        let finals = self
            .finals
            .iter()
            .filter(|row| kept.contains(&row.measure) || row.set_by_id == Some(reader))
            .cloned()
            .collect();
        let mut hidden: Vec<_> = self
            .measures
            .iter()
            .filter(|measure| !kept.contains(&measure.id))
            .cloned()
            .collect();
        hidden.sort_by_key(|measure| measure.number);
        let mut data = Self::assemble(
            self.round.clone(),
            self.catalogue.clone(),
            measures,
            assessments,
            finals,
            standings,
            self.by_office.clone(),
        );
        data.revisions = self
            .revisions
            .iter()
            .filter(|row| kept.contains(&row.measure))
            .cloned()
            .collect();
        data.hidden = hidden;
        data.reader = Some(reader);
        data
    }
}

//! The difference of two iterations of the strategy (Fortschreibung): which design fields,
//! cross-cutting themes and goals were added, retired, renamed, moved and reworded.
//!
//! Pure: two sides of plain rows in, the changes out. What belongs together across the
//! iterations is told by lineage – each field and goal of the newer iteration remembers the one
//! it was copied from (`origin`) – never by comparing texts, so a goal reworded beyond
//! recognition is still the same goal, and two goals with the same words are still two.
//! Reordering is judged by the order of the surviving siblings (the longest common subsequence
//! of their lineage), so a goal inserted at the top does not make every goal below it "moved".
//! Texts are compared word by word.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use similar::{Algorithm, ChangeTag, DiffOp, TextDiff, capture_diff_slices};

use super::FieldKind;

/// A design field or cross-cutting theme as the comparison needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRow {
    pub id: uuid::Uuid,
    /// The field of the earlier iteration it was copied from.
    pub origin: Option<uuid::Uuid>,
    pub kind: FieldKind,
    pub position: i32,
    pub name: String,
    /// Retired in this iteration: kept for the record, no longer part of the strategy.
    pub retired: bool,
}

/// A goal as the comparison needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoalRow {
    pub id: uuid::Uuid,
    pub origin: Option<uuid::Uuid>,
    pub field: uuid::Uuid,
    pub position: i32,
    pub statement: String,
    pub retired: bool,
}

/// One iteration's fields and goals.
#[derive(Debug, Clone, Default)]
pub struct Side {
    pub fields: Vec<FieldRow>,
    pub goals: Vec<GoalRow>,
}

/// A piece of a compared text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Piece {
    Same(String),
    Removed(String),
    Added(String),
}

/// A text before and after, word by word.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Wording {
    pub before: String,
    pub after: String,
    pub pieces: Vec<Piece>,
}

/// What changed of one field or goal. Ids are those of the earlier (`before`) or the later
/// (`after`) iteration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    FieldAdded {
        after: uuid::Uuid,
        name: String,
    },
    FieldRetired {
        before: uuid::Uuid,
        name: String,
    },
    FieldRenamed {
        before: uuid::Uuid,
        after: uuid::Uuid,
        wording: Wording,
    },
    /// Its place among the surviving fields changed, or it became a theme or a design field.
    FieldMoved {
        before: uuid::Uuid,
        after: uuid::Uuid,
        name: String,
        from_position: i32,
        to_position: i32,
        kind_changed: bool,
    },
    GoalAdded {
        after: uuid::Uuid,
        field: String,
        statement: String,
    },
    GoalRetired {
        before: uuid::Uuid,
        field: String,
        statement: String,
    },
    /// Into another field, or to another place among its surviving siblings.
    GoalMoved {
        before: uuid::Uuid,
        after: uuid::Uuid,
        statement: String,
        from_field: String,
        to_field: String,
        from_position: i32,
        to_position: i32,
    },
    GoalReworded {
        before: uuid::Uuid,
        after: uuid::Uuid,
        field: String,
        wording: Wording,
    },
}

/// The changes from `before` to `after`: fields first, in the later iteration's order (retired
/// ones after them), then goals the same way.
pub fn diff(before: &Side, after: &Side) -> Vec<Change> {
    let mut changes = Vec::new();
    let old_fields: HashMap<uuid::Uuid, &FieldRow> = before
        .fields
        .iter()
        .map(|field| (field.id, field))
        .collect();
    let live_before: Vec<&FieldRow> = sorted(before.fields.iter().filter(|f| !f.retired), |f| {
        (f.position, f.id)
    });
    let live_after: Vec<&FieldRow> = sorted(after.fields.iter().filter(|f| !f.retired), |f| {
        (f.position, f.id)
    });
    // Later field → earlier field, for the surviving ones.
    let field_pairs: HashMap<uuid::Uuid, &FieldRow> = live_after
        .iter()
        .filter_map(|field| {
            let origin = old_fields.get(&field.origin?)?;
            (!origin.retired).then_some((field.id, *origin))
        })
        .collect();
    let survived: HashSet<uuid::Uuid> = field_pairs.values().map(|field| field.id).collect();
    let old_order: Vec<uuid::Uuid> = live_before
        .iter()
        .filter(|field| survived.contains(&field.id))
        .map(|field| field.id)
        .collect();
    let new_order: Vec<uuid::Uuid> = live_after
        .iter()
        .filter_map(|field| field_pairs.get(&field.id).map(|origin| origin.id))
        .collect();
    let reordered = out_of_order(&old_order, &new_order);
    for field in &live_after {
        match field_pairs.get(&field.id) {
            None => changes.push(Change::FieldAdded {
                after: field.id,
                name: field.name.clone(),
            }),
            Some(origin) => {
                if origin.name != field.name {
                    changes.push(Change::FieldRenamed {
                        before: origin.id,
                        after: field.id,
                        wording: wording(&origin.name, &field.name),
                    });
                }
                let kind_changed = origin.kind != field.kind;
                if kind_changed || reordered.contains(&origin.id) {
                    changes.push(Change::FieldMoved {
                        before: origin.id,
                        after: field.id,
                        name: field.name.clone(),
                        from_position: origin.position,
                        to_position: field.position,
                        kind_changed,
                    });
                }
            }
        }
    }
    for field in &live_before {
        if !survived.contains(&field.id) {
            changes.push(Change::FieldRetired {
                before: field.id,
                name: field.name.clone(),
            });
        }
    }
    goals(before, after, &old_fields, &field_pairs, &mut changes);
    changes
}

fn goals(
    before: &Side,
    after: &Side,
    old_fields: &HashMap<uuid::Uuid, &FieldRow>,
    field_pairs: &HashMap<uuid::Uuid, &FieldRow>,
    changes: &mut Vec<Change>,
) {
    let new_fields: HashMap<uuid::Uuid, &FieldRow> =
        after.fields.iter().map(|field| (field.id, field)).collect();
    let name_before = |id: uuid::Uuid| old_fields.get(&id).map_or("", |f| f.name.as_str());
    let name_after = |id: uuid::Uuid| new_fields.get(&id).map_or("", |f| f.name.as_str());
    let field_rank_after = |id: uuid::Uuid| new_fields.get(&id).map_or(i32::MAX, |f| f.position);
    let field_rank_before = |id: uuid::Uuid| old_fields.get(&id).map_or(i32::MAX, |f| f.position);
    // A goal lives while it and its field do.
    let alive_before = |goal: &&GoalRow| {
        !goal.retired
            && old_fields
                .get(&goal.field)
                .is_some_and(|field| !field.retired)
    };
    let alive_after = |goal: &&GoalRow| {
        !goal.retired
            && new_fields
                .get(&goal.field)
                .is_some_and(|field| !field.retired)
    };
    let old_goals: HashMap<uuid::Uuid, &GoalRow> =
        before.goals.iter().map(|goal| (goal.id, goal)).collect();
    let live_before = sorted(before.goals.iter().filter(alive_before), |goal| {
        (field_rank_before(goal.field), goal.position)
    });
    let live_after = sorted(after.goals.iter().filter(alive_after), |goal| {
        (field_rank_after(goal.field), goal.position)
    });
    let pairs: HashMap<uuid::Uuid, &GoalRow> = live_after
        .iter()
        .filter_map(|goal| {
            let origin = old_goals.get(&goal.origin?)?;
            alive_before(origin).then_some((goal.id, *origin))
        })
        .collect();
    let survived: HashSet<uuid::Uuid> = pairs.values().map(|goal| goal.id).collect();
    // Whether a surviving goal stayed in its field's lineage: the later field descends from
    // the earlier one.
    let same_field = |origin: &GoalRow, goal: &GoalRow| {
        field_pairs
            .get(&goal.field)
            .is_some_and(|field| field.id == origin.field)
    };
    // Per earlier field: the order of its goals that stayed in it, before and after.
    let mut reordered: HashSet<uuid::Uuid> = HashSet::new();
    let mut by_field: HashMap<uuid::Uuid, (Vec<uuid::Uuid>, Vec<uuid::Uuid>)> = HashMap::new();
    for goal in &live_after {
        if let Some(origin) = pairs.get(&goal.id)
            && same_field(origin, goal)
        {
            by_field.entry(origin.field).or_default().1.push(origin.id);
        }
    }
    let stayed: HashSet<uuid::Uuid> = by_field
        .values()
        .flat_map(|(_, new)| new)
        .copied()
        .collect();
    for goal in &live_before {
        if stayed.contains(&goal.id) {
            by_field.entry(goal.field).or_default().0.push(goal.id);
        }
    }
    for (old, new) in by_field.values() {
        reordered.extend(out_of_order(old, new));
    }
    for goal in &live_after {
        match pairs.get(&goal.id) {
            None => changes.push(Change::GoalAdded {
                after: goal.id,
                field: name_after(goal.field).to_owned(),
                statement: goal.statement.clone(),
            }),
            Some(origin) => {
                if !same_field(origin, goal) || reordered.contains(&origin.id) {
                    changes.push(Change::GoalMoved {
                        before: origin.id,
                        after: goal.id,
                        statement: goal.statement.clone(),
                        from_field: name_before(origin.field).to_owned(),
                        to_field: name_after(goal.field).to_owned(),
                        from_position: origin.position,
                        to_position: goal.position,
                    });
                }
                if origin.statement != goal.statement {
                    changes.push(Change::GoalReworded {
                        before: origin.id,
                        after: goal.id,
                        field: name_after(goal.field).to_owned(),
                        wording: wording(&origin.statement, &goal.statement),
                    });
                }
            }
        }
    }
    for goal in &live_before {
        if !survived.contains(&goal.id) {
            changes.push(Change::GoalRetired {
                before: goal.id,
                field: name_before(goal.field).to_owned(),
                statement: goal.statement.clone(),
            });
        }
    }
}

fn sorted<'a, T, K: Ord>(rows: impl Iterator<Item = &'a T>, key: impl Fn(&T) -> K) -> Vec<&'a T> {
    let mut rows: Vec<&T> = rows.collect();
    rows.sort_by_key(|row| key(row));
    rows
}

/// The items of `old` that a minimal edit from `old` to `new` (the same items, another order)
/// has to take out and put back elsewhere: those outside a longest common subsequence.
fn out_of_order(old: &[uuid::Uuid], new: &[uuid::Uuid]) -> HashSet<uuid::Uuid> {
    let mut moved = HashSet::new();
    for op in capture_diff_slices(Algorithm::Myers, old, new) {
        if let DiffOp::Delete {
            old_index, old_len, ..
        }
        | DiffOp::Replace {
            old_index, old_len, ..
        } = op
        {
            moved.extend(&old[old_index..old_index + old_len]);
        }
    }
    moved
}

/// Two texts word by word; neighbouring pieces of one kind are joined.
pub fn wording(before: &str, after: &str) -> Wording {
    let diff = TextDiff::from_words(before, after);
    let mut pieces: Vec<Piece> = Vec::new();
    for change in diff.iter_all_changes() {
        let text = change.value();
        match (pieces.last_mut(), change.tag()) {
            (Some(Piece::Same(last)), ChangeTag::Equal)
            | (Some(Piece::Removed(last)), ChangeTag::Delete)
            | (Some(Piece::Added(last)), ChangeTag::Insert) => last.push_str(text),
            (_, ChangeTag::Equal) => pieces.push(Piece::Same(text.to_owned())),
            (_, ChangeTag::Delete) => pieces.push(Piece::Removed(text.to_owned())),
            (_, ChangeTag::Insert) => pieces.push(Piece::Added(text.to_owned())),
        }
    }
    Wording {
        before: before.to_owned(),
        after: after.to_owned(),
        pieces,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> uuid::Uuid {
        uuid::Uuid::from_u128(n)
    }

    fn field(n: u128, origin: Option<u128>, position: i32, name: &str) -> FieldRow {
        FieldRow {
            id: id(n),
            origin: origin.map(id),
            kind: FieldKind::DesignField,
            position,
            name: name.to_owned(),
            retired: false,
        }
    }

    fn goal(n: u128, origin: Option<u128>, field: u128, position: i32, text: &str) -> GoalRow {
        GoalRow {
            id: id(n),
            origin: origin.map(id),
            field: id(field),
            position,
            statement: text.to_owned(),
            retired: false,
        }
    }

    /// The 2020 side: two fields with three and two goals.
    fn earlier() -> Side {
        Side {
            fields: vec![
                field(1, None, 1, "Nutzerorientierung"),
                field(2, None, 2, "Zusammenarbeit"),
            ],
            goals: vec![
                goal(11, None, 1, 1, "Wir denken bürgerorientiert."),
                goal(12, None, 1, 2, "Wir bieten Services digital an."),
                goal(13, None, 1, 3, "Wir messen die Zufriedenheit."),
                goal(21, None, 2, 1, "Wir arbeiten bezirksübergreifend."),
                goal(22, None, 2, 2, "Wir teilen Wissen."),
            ],
        }
    }

    /// An exact copy with lineage, ids offset by 100.
    fn copy() -> Side {
        let old = earlier();
        Side {
            fields: old
                .fields
                .iter()
                .map(|f| FieldRow {
                    id: id(f.id.as_u128() + 100),
                    origin: Some(f.id),
                    ..f.clone()
                })
                .collect(),
            goals: old
                .goals
                .iter()
                .map(|g| GoalRow {
                    id: id(g.id.as_u128() + 100),
                    origin: Some(g.id),
                    field: id(g.field.as_u128() + 100),
                    ..g.clone()
                })
                .collect(),
        }
    }

    #[test]
    fn an_exact_copy_has_no_changes() {
        assert_eq!(diff(&earlier(), &copy()), []);
    }

    #[test]
    fn a_goal_inserted_at_the_top_is_added_and_moves_no_other() {
        let mut later = copy();
        for goal in &mut later.goals {
            if goal.field == id(101) {
                goal.position += 1;
            }
        }
        later
            .goals
            .push(goal(150, None, 101, 1, "Wir sind barrierefrei."));
        assert_eq!(
            diff(&earlier(), &later),
            [Change::GoalAdded {
                after: id(150),
                field: "Nutzerorientierung".to_owned(),
                statement: "Wir sind barrierefrei.".to_owned(),
            }]
        );
    }

    #[test]
    fn renamed_retired_moved_and_reworded_are_told_apart() {
        let mut later = copy();
        // The second field is renamed and becomes the first; the first is retired.
        later.fields[0].retired = true;
        later.fields[1].name = "Zusammenarbeit und Wissen".to_owned();
        later.fields[1].position = 1;
        // Its goals swap places; goal 13 moves into it and is reworded.
        later.goals[3].position = 2; // 121
        later.goals[4].position = 1; // 122
        later.goals[2].field = id(102); // 113
        later.goals[2].position = 3;
        later.goals[2].statement = "Wir messen regelmäßig die Zufriedenheit.".to_owned();
        let changes = diff(&earlier(), &later);
        assert!(changes.contains(&Change::FieldRetired {
            before: id(1),
            name: "Nutzerorientierung".to_owned()
        }));
        assert!(changes.contains(&Change::FieldRenamed {
            before: id(2),
            after: id(102),
            wording: Wording {
                before: "Zusammenarbeit".to_owned(),
                after: "Zusammenarbeit und Wissen".to_owned(),
                pieces: vec![
                    Piece::Same("Zusammenarbeit".to_owned()),
                    Piece::Added(" und Wissen".to_owned()),
                ],
            },
        }));
        // Goals 11 and 12 went with their field.
        let retired: Vec<uuid::Uuid> = changes
            .iter()
            .filter_map(|change| match change {
                Change::GoalRetired { before, .. } => Some(*before),
                _ => None,
            })
            .collect();
        assert_eq!(retired, [id(11), id(12)]);
        let moved: Vec<(uuid::Uuid, &str, &str)> = changes
            .iter()
            .filter_map(|change| match change {
                Change::GoalMoved {
                    before,
                    from_field,
                    to_field,
                    ..
                } => Some((*before, from_field.as_str(), to_field.as_str())),
                _ => None,
            })
            .collect();
        // Of the swapped pair one is out of order (the minimal edit moves one); 13 changed field.
        assert_eq!(moved.len(), 2, "{changes:#?}");
        assert!(moved.contains(&(id(13), "Nutzerorientierung", "Zusammenarbeit und Wissen")));
        let reworded = changes
            .iter()
            .find_map(|change| match change {
                Change::GoalReworded {
                    before, wording, ..
                } if *before == id(13) => Some(wording.pieces.clone()),
                _ => None,
            })
            .expect("goal 13 reworded");
        assert_eq!(
            reworded,
            [
                Piece::Same("Wir messen ".to_owned()),
                Piece::Added("regelmäßig ".to_owned()),
                Piece::Same("die Zufriedenheit.".to_owned()),
            ]
        );
        // No field moved: the renamed one is the only survivor.
        assert!(
            !changes
                .iter()
                .any(|change| matches!(change, Change::FieldMoved { .. }))
        );
    }

    #[test]
    fn lineage_not_wording_decides_what_is_the_same_goal() {
        let mut later = copy();
        // Goal 22's successor is dropped and a new goal with its very words is added.
        later.goals.retain(|goal| goal.id != id(122));
        later
            .goals
            .push(goal(160, None, 102, 2, "Wir teilen Wissen."));
        let changes = diff(&earlier(), &later);
        assert_eq!(changes.len(), 2, "{changes:#?}");
        assert!(matches!(changes[0], Change::GoalAdded { after, .. } if after == id(160)));
        assert!(matches!(changes[1], Change::GoalRetired { before, .. } if before == id(22)));
    }

    #[test]
    fn a_field_that_changes_kind_or_place_is_moved() {
        let mut later = copy();
        later.fields[0].position = 2;
        later.fields[1].position = 1;
        later.fields[1].kind = FieldKind::CrossCuttingTheme;
        let changes = diff(&earlier(), &later);
        let moved: Vec<(uuid::Uuid, bool)> = changes
            .iter()
            .filter_map(|change| match change {
                Change::FieldMoved {
                    before,
                    kind_changed,
                    ..
                } => Some((*before, *kind_changed)),
                _ => None,
            })
            .collect();
        // The swap moves one of them (whichever the minimal edit takes out); the kind change
        // is told of field 2 in any case.
        assert!(moved.contains(&(id(2), true)), "{changes:#?}");
        assert!(moved.len() <= 2, "{changes:#?}");
    }

    #[test]
    fn the_changes_serialise_with_their_kind() {
        let json = serde_json::to_value(Change::FieldAdded {
            after: id(7),
            name: "Daten".to_owned(),
        })
        .expect("json");
        assert_eq!(json["change"], "field_added");
        assert_eq!(json["name"], "Daten");
        let pieces = serde_json::to_value(wording("a b", "a c").pieces).expect("json");
        assert_eq!(pieces[0]["same"], "a ");
    }
}

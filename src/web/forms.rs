//! Errors of a submitted form: one message per field, shown next to the field and linked from
//! the summary at the top; and the options of select fields.

/// One option of a select field (`m::select`): the value sent and the text shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

impl Choice {
    pub fn new(value: impl Into<String>, label: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            label: label.into(),
        }
    }
}

/// No error, for template macros that take an optional one.
pub const NO_ERROR: Option<&str> = None;

/// A field error, linked from the error summary.
#[derive(Debug, Clone)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, Default)]
pub struct FormErrors(Vec<FieldError>);

impl FormErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Just one error.
    pub fn one(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut errors = Self::new();
        errors.add(field, message);
        errors
    }

    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    /// The message for `field`, if it has one.
    pub fn for_field(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|error| error.field == field)
            .map(|error| error.message.as_str())
    }

    pub fn all(&self) -> &[FieldError] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A form's fields as name–value pairs; a field with several values (checkboxes) appears once
/// per value.
pub type Pairs = Vec<(String, String)>;

/// The outcome of [`merge`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Merged {
    /// The fields to show or save: the other person's value where this person left the field
    /// as it was, this person's where only they changed it or where both did.
    pub pairs: Pairs,
    /// Fields both changed, to different values (this person's value is kept in `pairs`).
    pub collisions: Vec<String>,
    /// Fields only the other person changed, whose new value was taken over.
    pub taken: Vec<String>,
}

/// A three-way merge of a form after a version conflict: `base` is what the form was opened
/// with, `mine` what this person sends, `theirs` what was saved in between. A field's values
/// are compared as a set (the order of checkboxes means nothing). Without a base every field
/// that differs is a collision, so nothing is taken over unseen.
pub fn merge(base: Option<&Pairs>, mine: &Pairs, theirs: &Pairs) -> Merged {
    use std::collections::{BTreeMap, BTreeSet};
    fn by_field(pairs: &Pairs) -> BTreeMap<&str, BTreeSet<&str>> {
        let mut fields: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for (name, value) in pairs {
            fields.entry(name).or_default().insert(value);
        }
        fields
    }
    let (mine_by, theirs_by) = (by_field(mine), by_field(theirs));
    let base_by = base.map(by_field);
    // Every field any side names, in the order this person's form has them.
    let mut names: Vec<&str> = Vec::new();
    for (name, _) in mine.iter().chain(theirs).chain(base.into_iter().flatten()) {
        if !names.contains(&name.as_str()) {
            names.push(name);
        }
    }
    let empty = BTreeSet::new();
    let mut merged = Merged::default();
    for name in names {
        let ours = mine_by.get(name).unwrap_or(&empty);
        let other = theirs_by.get(name).unwrap_or(&empty);
        let original = base_by
            .as_ref()
            .map(|base| base.get(name).unwrap_or(&empty));
        let take_theirs = ours != other && original == Some(ours);
        if ours != other && !take_theirs && original != Some(other) {
            merged.collisions.push(name.to_owned());
        }
        if take_theirs {
            merged.taken.push(name.to_owned());
        }
        let values = if take_theirs { other } else { ours };
        merged.pairs.extend(
            values
                .iter()
                .map(|value| (name.to_owned(), (*value).to_owned())),
        );
    }
    merged
}

/// A form's pairs as one hidden field's value (`basis`), and back.
pub fn encode_pairs(pairs: &Pairs) -> String {
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

pub fn decode_pairs(text: &str) -> Option<Pairs> {
    serde_urlencoded::from_str(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Pairs {
        items
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect()
    }

    #[test]
    fn a_merge_takes_over_what_only_the_other_person_changed_and_marks_real_collisions() {
        let base = pairs(&[
            ("title", "Alt"),
            ("summary", "Kurz"),
            ("cost", "3000"),
            ("goals", "a"),
            ("goals", "b"),
            ("unit", "Amt 1"),
        ]);
        // They changed the title, the cost and the goals; I changed the summary and the unit,
        // and the goals' order only.
        let theirs = pairs(&[
            ("title", "Neu"),
            ("summary", "Kurz"),
            ("cost", "4500"),
            ("goals", "c"),
            ("unit", "Amt 2"),
        ]);
        let mine = pairs(&[
            ("title", "Alt"),
            ("summary", "Länger"),
            ("cost", "3000"),
            ("goals", "b"),
            ("goals", "a"),
            ("unit", "Amt 3"),
        ]);
        let merged = merge(Some(&base), &mine, &theirs);
        assert_eq!(
            merged.pairs,
            pairs(&[
                ("title", "Neu"),
                ("summary", "Länger"),
                ("cost", "4500"),
                ("goals", "c"),
                ("unit", "Amt 3"),
            ])
        );
        assert_eq!(merged.taken, ["title", "cost", "goals"]);
        assert_eq!(merged.collisions, ["unit"], "both changed it, differently");

        // Both changed a field the same way: no collision.
        let same = merge(Some(&base), &theirs, &theirs);
        assert!(same.collisions.is_empty() && same.taken.is_empty());
        // A field emptied on one side (an unchecked box is absent) is a change as well.
        let emptied = merge(Some(&base), &pairs(&[("title", "Alt")]), &base);
        assert_eq!(emptied.pairs, pairs(&[("title", "Alt")]));
        // Without a base, nothing is taken over unseen.
        let blind = merge(None, &mine, &theirs);
        assert_eq!(blind.pairs, {
            let mut sorted = mine.clone();
            sorted.swap(3, 4);
            sorted
        });
        assert_eq!(
            blind.collisions,
            ["title", "summary", "cost", "goals", "unit"]
        );
        assert!(blind.taken.is_empty());
    }

    #[test]
    fn pairs_travel_in_one_hidden_field() {
        let original = pairs(&[
            ("title", "Bürger & Büro = 100 %"),
            ("goals", "a"),
            ("goals", "b"),
        ]);
        assert_eq!(decode_pairs(&encode_pairs(&original)), Some(original));
    }
}

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

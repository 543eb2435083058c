//! People with an account: parsed e-mail addresses and names, and the account as stored.

use chrono::{DateTime, Utc};

use super::ids::UserId;
use super::office::Office;
use super::permissions::Actor;
use super::roles::Role;

/// An e-mail address as entered, trimmed. Uniqueness is case-insensitive (in the database).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(value: &str) -> Result<Self, &'static str> {
        let value = value.trim();
        if value.is_empty() {
            return Err("Bitte geben Sie eine E-Mail-Adresse ein.");
        }
        if value.chars().count() > 254 {
            return Err("Die E-Mail-Adresse darf höchstens 254 Zeichen lang sein.");
        }
        let valid = match value.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !value.chars().any(|c| c.is_whitespace() || c.is_control())
                    && !domain.contains('@')
            }
            None => false,
        };
        if valid {
            Ok(Self(value.to_owned()))
        } else {
            Err("Bitte geben Sie eine E-Mail-Adresse im Format name@beispiel.de ein.")
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A display name: one to 100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(value: &str) -> Result<Self, &'static str> {
        let value = value.trim();
        if value.is_empty() {
            return Err("Bitte geben Sie einen Namen ein.");
        }
        if value.chars().count() > 100 {
            return Err("Der Name darf höchstens 100 Zeichen lang sein.");
        }
        if value.chars().any(char::is_control) {
            return Err("Der Name darf keine Steuerzeichen enthalten.");
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An account as the application sees it (never with its password hash).
#[derive(Debug, Clone)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub office: Office,
    pub roles: Vec<Role>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

impl User {
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.id,
            office: self.office,
            roles: self.roles.clone(),
        }
    }

    pub fn role_labels(&self) -> String {
        Role::list(&self.roles)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_email_address_is_trimmed_and_checked() {
        assert_eq!(
            EmailAddress::parse("  Kim.Muster@Bezirksamt-Altona.Hamburg.de ").map(|e| e.0),
            Ok("Kim.Muster@Bezirksamt-Altona.Hamburg.de".to_owned())
        );
        for bad in [
            "",
            "kim",
            "kim@",
            "@hamburg.de",
            "kim@hamburg",
            "kim muster@hamburg.de",
            "a@b@c.de",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_name_is_required_and_has_no_control_characters() {
        assert!(DisplayName::parse("Kim Musterperson").is_ok());
        assert!(DisplayName::parse("   ").is_err());
        assert!(DisplayName::parse("Kim\nAdmin").is_err());
        assert!(DisplayName::parse(&"a".repeat(101)).is_err());
    }
}

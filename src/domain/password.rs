//! Passwords: the policy (ASVS 5: length, not composition; no common or personal passwords) and
//! Argon2id hashing with the parameters OWASP recommends (m = 19456 KiB, t = 2, p = 1).

use std::collections::HashSet;
use std::fmt;
use std::path::Path;

use anyhow::Context;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

pub const MIN_LENGTH: usize = 12;
pub const MAX_LENGTH: usize = 256;

/// A password as typed. `Debug` never shows it.
#[derive(Clone)]
pub struct Password(String);

impl fmt::Debug for Password {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("Password([redacted])")
    }
}

impl Password {
    /// Wraps a password for checking against a stored hash (no policy: old passwords stay valid).
    pub fn unchecked(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Why a new password is refused, in German for the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort,
    TooLong,
    Common,
    ContainsPersonalData,
    /// Repetitions, sequences, a doubled word and the like: quickly guessed despite the length.
    TooGuessable,
}

impl PasswordProblem {
    pub fn message(self) -> &'static str {
        match self {
            Self::TooShort => "Das Passwort muss mindestens 12 Zeichen lang sein.",
            Self::TooLong => "Das Passwort darf höchstens 256 Zeichen lang sein.",
            Self::Common => {
                "Dieses Passwort ist zu verbreitet und leicht zu erraten. Bitte wählen Sie ein \
                 anderes, zum Beispiel einen Satz aus mehreren Wörtern."
            }
            Self::ContainsPersonalData => {
                "Das Passwort darf Ihren Namen oder Ihre E-Mail-Adresse nicht enthalten."
            }
            Self::TooGuessable => {
                "Dieses Passwort ist trotz seiner Länge leicht zu erraten, zum Beispiel wegen \
                 Wiederholungen („aaaa“, „abcabc“), Folgen („12345“) oder eines verdoppelten \
                 Wortes. Bitte wählen Sie einen Satz aus mehreren Wörtern."
            }
        }
    }
}

/// The list of passwords nobody may choose: zxcvbn's common passwords and German common words
/// (from npm), and German passwords the project keeps itself.
#[derive(Debug, Default)]
pub struct CommonPasswords(HashSet<String>);

const GERMAN_PASSWORDS: &str = include_str!("../../content/common-passwords-de.txt");

impl CommonPasswords {
    /// Loads the lists below `node_modules`.
    pub fn load(node_modules: &Path) -> anyhow::Result<Self> {
        let mut words = HashSet::new();
        for file in [
            "@zxcvbn-ts/language-common/src/passwords.json",
            "@zxcvbn-ts/language-de/src/commonWords.json",
        ] {
            let path = node_modules.join(file);
            let text = std::fs::read_to_string(&path).with_context(|| {
                format!(
                    "{} is missing: run `npm ci` in the repository folder",
                    path.display()
                )
            })?;
            let list: Vec<String> = serde_json::from_str(&text)
                .with_context(|| format!("{} is not a list of words", path.display()))?;
            words.extend(list.into_iter().map(|word| word.to_lowercase()));
        }
        words.extend(
            GERMAN_PASSWORDS
                .lines()
                .map(str::trim)
                .filter(|line| !line.is_empty() && !line.starts_with('#'))
                .map(str::to_lowercase),
        );
        Ok(Self(words))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `password`, or `password` without the digits and signs people append
    /// ("hamburg2024!"), is on the list.
    pub fn contains(&self, password: &str) -> bool {
        let lower = password.to_lowercase();
        let stem = lower.trim_end_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation());
        self.0.contains(&lower) || (!stem.is_empty() && self.0.contains(stem))
    }
}

/// Checks a new password against the policy. `personal` holds the person's name and e-mail.
pub fn check_new(
    password: &str,
    personal: &[&str],
    common: &CommonPasswords,
) -> Result<Password, PasswordProblem> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(PasswordProblem::TooShort);
    }
    if length > MAX_LENGTH {
        return Err(PasswordProblem::TooLong);
    }
    if common.contains(password) {
        return Err(PasswordProblem::Common);
    }
    let lower = password.to_lowercase();
    let personal_parts = personal.iter().flat_map(|value| {
        let value = value.to_lowercase();
        let local = value.split('@').next().unwrap_or_default().to_owned();
        let mut parts: Vec<String> = value
            .split(|c: char| !c.is_alphanumeric())
            .map(str::to_owned)
            .collect();
        parts.push(local);
        parts.push(value);
        parts
    });
    for part in personal_parts {
        if part.chars().count() >= 3 && lower.contains(&part) {
            return Err(PasswordProblem::ContainsPersonalData);
        }
    }
    if !hard_to_guess(password, personal) {
        return Err(PasswordProblem::TooGuessable);
    }
    Ok(Password(password.to_owned()))
}

/// The least zxcvbn score a new password needs: 3, "safely unguessable" (about 10¹⁰ guesses),
/// what zxcvbn's authors advise against offline attacks on a slow hash like Argon2id.
pub const MIN_STRENGTH: zxcvbn::Score = zxcvbn::Score::Three;

/// zxcvbn's effort grows with the length; its matchers see the first this many characters,
/// which is where repetitions and sequences give a password away.
const STRENGTH_CHECKED_CHARACTERS: usize = 64;

/// Whether zxcvbn (dictionaries, repetitions, sequences, keyboard patterns, dates, the person's
/// own name and e-mail) estimates the password at [`MIN_STRENGTH`] or more.
fn hard_to_guess(password: &str, personal: &[&str]) -> bool {
    let checked: String = password.chars().take(STRENGTH_CHECKED_CHARACTERS).collect();
    zxcvbn::zxcvbn(&checked, personal).score() >= MIN_STRENGTH
}

fn argon2() -> Argon2<'static> {
    // The parameters are constants that Params accepts; a failure would be a programming error
    // caught by the tests, so fall back to the (stronger) library default rather than panic.
    let params = Params::new(19_456, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password (CPU-heavy: call it off the async worker threads).
pub fn hash(password: &Password) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.expose().as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| anyhow::anyhow!("could not hash a password: {error}"))
}

/// Whether `password` matches `stored` (CPU-heavy: call it off the async worker threads).
pub fn verify(password: &Password, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|hash| {
        argon2()
            .verify_password(password.expose().as_bytes(), &hash)
            .is_ok()
    })
}

/// A hash of no one's password, verified against when an account does not exist, so that the
/// answer takes as long as for a real account. Made once per process.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash(&generate()).unwrap_or_default())
}

/// How long a generated password signs in: long enough to reach the person over a weekend,
/// short enough that one lying in a mailbox is soon worth nothing.
pub const ONE_TIME_VALIDITY: chrono::Duration = chrono::Duration::hours(72);

/// Until when a one-time password generated at `now` signs in.
pub fn one_time_until(now: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
    now + ONE_TIME_VALIDITY
}

/// A random password for accounts created by an administrator or the command line, shown once:
/// a one-time password ([`ONE_TIME_VALIDITY`], then the person chooses their own).
pub fn generate() -> Password {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    let groups: Vec<String> = (0..4)
        .map(|_| {
            (0..5)
                .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
                .collect()
        })
        .collect();
    Password(groups.join("-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn common() -> CommonPasswords {
        CommonPasswords(
            ["passwort", "hallo", "bezirksamt", "sommersonne123"]
                .map(String::from)
                .into(),
        )
    }

    #[test]
    fn length_is_the_only_composition_rule() {
        assert_eq!(
            check_new("kurz", &[], &common()).err(),
            Some(PasswordProblem::TooShort)
        );
        assert!(check_new("alles klein und lang", &[], &common()).is_ok());
        assert!(check_new("Ärger über 🚲-Wege", &[], &common()).is_ok());
        assert_eq!(
            check_new(&"x".repeat(257), &[], &common()).err(),
            Some(PasswordProblem::TooLong)
        );
    }

    #[test]
    fn common_passwords_are_refused_also_with_appended_digits() {
        assert_eq!(
            check_new("Bezirksamt2024!", &[], &common()).err(),
            Some(PasswordProblem::Common)
        );
        assert_eq!(
            check_new("SOMMERSONNE123", &[], &common()).err(),
            Some(PasswordProblem::Common)
        );
    }

    #[test]
    fn a_password_with_the_name_or_email_is_refused() {
        let personal = ["Kim Musterperson", "kim.muster@bezirksamt.example"];
        assert_eq!(
            check_new("ich-bin-musterperson!", &personal, &common()).err(),
            Some(PasswordProblem::ContainsPersonalData)
        );
        assert_eq!(
            check_new("kim.muster plus etwas", &personal, &common()).err(),
            Some(PasswordProblem::ContainsPersonalData)
        );
        assert!(check_new("ganz etwas anderes hier", &personal, &common()).is_ok());
    }

    #[test]
    fn trivially_repetitive_passwords_are_refused_whatever_their_length() {
        for weak in [
            "aaaaaaaaaaaa",
            "111111111111",
            "abcabcabcabc",
            "passwortpasswort",
            "hamburghamburg",
            "123456789012",
            "qwertzuiopasdf",
            "abcdefghijklmnop",
            "ääääääääääääääää",
            "Sommer2024Sommer2024",
            &"ab".repeat(128),
        ] {
            assert_eq!(
                check_new(weak, &[], &common()).err(),
                Some(PasswordProblem::TooGuessable),
                "{weak}"
            );
        }
        for fine in [
            "ein sehr langes Testpasswort",
            "die neue Losung vom Hafen",
            "ganz neues Passwort hier",
            "Elbphilharmonie bei Nebel",
            "richtig langes Passwort 🔐",
        ] {
            assert!(check_new(fine, &[], &common()).is_ok(), "{fine}");
        }
        assert!(check_new(generate().expose(), &[], &common()).is_ok());
    }

    #[test]
    fn a_hash_is_argon2id_with_the_owasp_parameters_and_verifies() {
        let password = Password::unchecked("richtig langes Passwort 🔐");
        let stored = hash(&password).expect("hashing works");
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert!(verify(&password, &stored));
        assert!(!verify(&Password::unchecked("falsch"), &stored));
        assert!(!verify(&password, dummy_hash()));
    }

    #[test]
    fn a_password_never_shows_in_debug_output() {
        assert!(!format!("{:?}", Password::unchecked("geheim-geheim")).contains("geheim"));
    }

    #[test]
    fn generated_passwords_are_long_and_differ() {
        let (a, b) = (generate(), generate());
        assert_eq!(a.expose().chars().count(), 23);
        assert_ne!(a.expose(), b.expose());
    }
}

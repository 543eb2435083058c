//! Typed ids, so that a goal id can never be passed where a field id is expected.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[derive(serde::Serialize, serde::Deserialize, sqlx::Type)]
        #[serde(transparent)]
        #[sqlx(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            pub fn new() -> Self {
                Self(Uuid::new_v4())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(formatter)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(value).map(Self)
            }
        }

        impl From<Uuid> for $name {
            fn from(value: Uuid) -> Self {
                Self(value)
            }
        }
    };
}

id_type!(
    /// An iteration of the strategy ("Version 1.0 – 2020").
    StrategyId
);
id_type!(PillarId);
id_type!(ActionDimensionId);
id_type!(
    /// A design field or a cross-cutting theme.
    FieldId
);
id_type!(GoalId);
id_type!(MeasureId);
id_type!(
    /// A person with an account.
    UserId
);
id_type!(
    /// A prioritisation round.
    RoundId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_round_trips_through_its_text() {
        let id = GoalId::new();
        assert_eq!(id.to_string().parse::<GoalId>().ok(), Some(id));
    }

    #[test]
    fn a_malformed_id_does_not_parse() {
        assert!("not-a-uuid".parse::<FieldId>().is_err());
        assert!("".parse::<FieldId>().is_err());
    }
}

//! Types and rules of the prioritisation: the versioned criteria catalogue, rounds and the
//! assessments in them (who may see which value when). The maths is `crate::scoring`.

pub mod criteria;
pub mod rounds;

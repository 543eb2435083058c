//! Plain types and rules of the domain, free of HTTP and SQL: the strategy tree and the ids of
//! everything that has one.

pub mod ids;
pub mod strategy;

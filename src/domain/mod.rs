//! Plain types and rules of the domain, free of HTTP and SQL: the strategy tree, measures (their
//! content and its checks, the lifecycle, the implementation in the offices, comments and the
//! history's wording), people and their roles, the permission model, the password policy, time,
//! and the ids of everything that has one.

pub mod comments;
pub mod history;
pub mod ids;
pub mod implementation;
pub mod lifecycle;
pub mod markdown;
pub mod measure;
pub mod office;
pub mod password;
pub mod permissions;
pub mod prioritisation;
pub mod publication;
pub mod roles;
pub mod strategy;
pub mod throttle;
pub mod time;
pub mod user;

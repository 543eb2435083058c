//! PriMa prioritisation: pure functions that turn assessments, criteria and weights into a
//! ranking. No I/O and no HTTP live here; handlers call in with plain data. Filled by the
//! prioritisation issue.

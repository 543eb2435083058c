//! Writers of what leaves PriMa: pure functions and types, data in, bytes out (no I/O, no
//! database); the handlers feed them and stream what they write.

pub mod csv;

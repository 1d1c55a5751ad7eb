//! AOF: the append-only log. `resp` reads and writes its records (RESP arrays of bulk
//! strings and `#` annotations); `manifest` reads and writes the Redis 7 multi-part
//! manifest.

pub mod check;
pub mod manifest;
pub mod repair;
pub mod resp;

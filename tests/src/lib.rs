//! Test harness for the real-server tests of `rdbtool` / `aoftool`.
//!
//! - [`server`]: start Redis 7.0, Redis 6.2 and Valkey 8.1 servers on free loopback ports
//!   (binaries from `scripts/install-test-deps.sh`), stopped by pid on drop;
//! - [`resp`]: a small blocking RESP2 client with pipelining;
//! - [`populate`]: a deterministic dataset with every type and encoding a server writes;
//! - [`model`]: one comparable dataset model, built from `rdbtool dump --format jsonl`,
//!   from a live server, or from a fixture's `*.expected.json`;
//! - [`oracle`]: the engine answering clients next to a real Redis 7.0 (replies, change
//!   counts, digests, propagation);
//! - [`bin`]: the workspace's built binaries, running them, the shared fixtures folder.

pub mod bin;
pub mod model;
pub mod oracle;
pub mod populate;
pub mod resp;
pub mod server;

pub use model::{KeyModel, Model, StreamId, StreamModel, ValueModel};
pub use populate::{PopulateOpts, Populated, populate};
pub use resp::{Client, Reply};
pub use server::{Server, ServerKind};

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("system clock before 1970");
    d.as_millis() as i64
}

//! Redis persistence formats: streaming readers (and, in time, writers) for RDB snapshots
//! and AOF logs, the Redis CRC-64 and LZF.
//!
//! Which API do I want?
//! - [`rdb::Reader`]: stream an RDB from any [`std::io::Read`] in bounded memory and push
//!   every record into an [`rdb::Visitor`]. Collections arrive element by element, so a
//!   ten-million-element list needs no more memory than one element.
//! - [`rdb::encodings`]: the compact encodings (listpack, ziplist, intset, zipmap) on a
//!   complete blob, with Redis's deep validation.
//! - [`lzf`], [`crc`]: the two algorithms every RDB uses.
//! - [`glob`]: Redis's `KEYS`/`SCAN MATCH` pattern semantics.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::indexing_slicing))]

pub mod aof;
pub mod atomic;
pub mod crc;
pub mod engine;
pub mod error;
pub mod escape;
pub mod glob;
pub mod limits;
pub mod lzf;
pub mod rdb;
mod source;

#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "cli")]
pub mod jsonl;

pub use error::{Context, Doing, Error, ErrorKind, KeyPreview, Result};
pub use limits::Limits;

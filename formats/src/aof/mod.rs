//! AOF: the append-only log. `resp` reads and writes its records (RESP arrays of bulk
//! strings and `#` annotations); `manifest` reads and writes the Redis 7 multi-part
//! manifest.

pub mod check;
pub mod commands;
pub mod manifest;
pub mod repair;
pub mod resp;

use commands::{COMMANDS, Command, SUBCOMMANDS};

/// The table entry of a command name (any case).
pub fn command(name: &[u8]) -> Option<&'static Command> {
    let lower = name.to_ascii_lowercase();
    COMMANDS
        .binary_search_by(|c| c.name.as_bytes().cmp(&lower))
        .ok()
        .and_then(|i| COMMANDS.get(i))
}

/// The arity of `container sub` (for example `xgroup create`), if the table knows it.
pub fn subcommand_arity(container: &[u8], sub: &[u8]) -> Option<i32> {
    let mut key = container.to_ascii_lowercase();
    key.push(b'|');
    key.extend(sub.to_ascii_lowercase());
    SUBCOMMANDS
        .binary_search_by(|(n, _)| n.as_bytes().cmp(&key))
        .ok()
        .and_then(|i| SUBCOMMANDS.get(i))
        .map(|&(_, a)| a)
}

/// Whether `argc` arguments (the name included) fit `arity` as Redis counts it.
pub fn arity_ok(arity: i32, argc: usize) -> bool {
    let argc = i64::try_from(argc).unwrap_or(i64::MAX);
    let arity = i64::from(arity);
    if arity >= 0 {
        argc == arity
    } else {
        argc >= -arity
    }
}

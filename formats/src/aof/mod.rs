//! AOF: the append-only log. `resp` reads and writes its records (RESP arrays of bulk
//! strings and `#` annotations); `manifest` reads and writes the Redis 7 multi-part
//! manifest.

pub mod check;
pub mod commands;
pub mod live;
pub mod manifest;
pub mod read;
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

/// Indexes of the key arguments of a command (`args[0]` is the name), from the command
/// table's key positions, and for commands whose keys move, from their `numkeys`,
/// `STORE` or `STREAMS` arguments. Unknown commands have no keys.
pub fn key_positions(args: &[&[u8]]) -> Vec<usize> {
    let Some(name) = args.first() else {
        return Vec::new();
    };
    let Some(c) = command(name) else {
        return Vec::new();
    };
    let n = args.len();
    let numkeys = |at: usize| -> usize {
        args.get(at)
            .and_then(|a| std::str::from_utf8(a).ok()?.parse::<usize>().ok())
            .unwrap_or(0)
    };
    let range = |from: usize, count: usize| (from..(from + count).min(n)).collect::<Vec<_>>();
    if c.movable {
        match c.name {
            "eval" | "evalsha" | "eval_ro" | "evalsha_ro" | "fcall" | "fcall_ro" => {
                return range(3, numkeys(2));
            }
            "zunionstore" | "zinterstore" | "zdiffstore" => {
                let mut v = vec![1];
                v.extend(range(3, numkeys(2)));
                return v;
            }
            "sintercard" | "zintercard" | "zunion" | "zinter" | "zdiff" | "lmpop" | "zmpop" => {
                return range(2, numkeys(1));
            }
            "blmpop" | "bzmpop" => return range(3, numkeys(2)),
            "sort" | "sort_ro" => {
                let mut v = vec![1];
                if let Some(i) = args.iter().position(|a| a.eq_ignore_ascii_case(b"store")) {
                    v.extend(range(i + 1, 1));
                }
                return v;
            }
            "xread" | "xreadgroup" => {
                let Some(s) = args.iter().position(|a| a.eq_ignore_ascii_case(b"streams")) else {
                    return Vec::new();
                };
                return range(s + 1, (n - s - 1) / 2);
            }
            _ => {}
        }
    }
    if c.first <= 0 {
        return Vec::new();
    }
    let first = c.first as usize;
    let last = if c.last < 0 {
        n as i64 + i64::from(c.last)
    } else {
        i64::from(c.last)
    };
    let step = c.step.max(1) as usize;
    (first..=usize::try_from(last).unwrap_or(0))
        .step_by(step)
        .filter(|&i| i < n)
        .collect()
}

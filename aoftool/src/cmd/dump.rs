//! `aoftool dump`: the commands of an AOF in load order, as RESP, text or JSON Lines,
//! filtered by database, key or command name.

use std::io::Write;
use std::os::unix::ffi::OsStrExt;

use anyhow::{Context as _, Result};
use formats::aof::check;
use formats::aof::read::{self, Source};
use formats::aof::resp::append_command;
use formats::cli::output::Output;
use formats::cli::{Exit, json};
use formats::glob::Pattern;

use crate::cli::{DumpArgs, DumpFormat};

const FLUSH_AT: usize = 1 << 20;

pub fn run(a: DumpArgs) -> Result<Exit> {
    let layout =
        check::detect(&a.input).with_context(|| format!("reading {}", a.input.display()))?;
    let glob = a.key.as_ref().map(|k| Pattern::new(k.as_bytes()));
    let names: Vec<Vec<u8>> = a
        .commands
        .iter()
        .map(|c| c.to_ascii_lowercase().into_bytes())
        .collect();
    let filtered = glob.is_some() || !names.is_empty() || !a.dbs.is_empty();
    let mut out = Output::open(a.output.as_deref()).context("opening the output")?;
    let mut buf: Vec<u8> = Vec::with_capacity(FLUSH_AT + 4096);
    // resp output: the db the last SELECT written selected.
    let mut selected: Option<u64> = None;
    let walked = read::walk(&layout, |src: &Source<'_>, args: &[&[u8]]| {
        let name = args.first().copied().unwrap_or_default();
        let lower = name.to_ascii_lowercase();
        let is_select = lower == b"select";
        // resp output writes its own SELECTs before the commands it keeps; with a filter
        // every line carries its db, so the SELECTs as written are left out.
        if is_select && (a.format == DumpFormat::Resp || filtered) {
            return Ok(());
        }
        if filtered {
            if !a.dbs.is_empty() && !a.dbs.contains(&src.db) {
                return Ok(());
            }
            if !names.is_empty() && !names.contains(&lower) {
                return Ok(());
            }
            // Transactions are delivered whole; with a filter they lose their wrapper.
            if names.is_empty() && (lower == b"multi" || lower == b"exec") {
                return Ok(());
            }
            if let Some(g) = &glob {
                let keys = formats::aof::key_positions(args);
                if !keys
                    .iter()
                    .any(|&i| args.get(i).is_some_and(|k| g.matches(k)))
                {
                    return Ok(());
                }
            }
        }
        match a.format {
            DumpFormat::Resp => {
                let has_db = !matches!(
                    lower.as_slice(),
                    b"multi" | b"exec" | b"function" | b"flushall" | b"swapdb"
                );
                if has_db && selected != Some(src.db) {
                    append_command(&mut buf, &[b"SELECT", src.db.to_string().as_bytes()]);
                    selected = Some(src.db);
                }
                append_command(&mut buf, args);
            }
            DumpFormat::Text => {
                buf.extend_from_slice(
                    src.file
                        .file_name()
                        .map(|n| n.as_bytes())
                        .unwrap_or_default(),
                );
                buf.extend_from_slice(format!(":{} db={}", src.offset, src.db).as_bytes());
                if src.from_rdb {
                    buf.extend_from_slice(b" (rdb)");
                }
                for arg in args {
                    buf.push(b' ');
                    quote(&mut buf, arg);
                }
                buf.push(b'\n');
            }
            DumpFormat::Jsonl => {
                buf.extend_from_slice(b"{\"file\":");
                json::write_str(&mut buf, &src.file.display().to_string());
                buf.extend_from_slice(b",\"offset\":");
                json::write_u64(&mut buf, src.offset);
                buf.extend_from_slice(b",\"db\":");
                json::write_u64(&mut buf, src.db);
                buf.extend_from_slice(b",\"ts\":");
                match src.ts {
                    Some(t) => json::write_i64(&mut buf, t),
                    None => buf.extend_from_slice(b"null"),
                }
                buf.extend_from_slice(b",\"args\":[");
                for (i, arg) in args.iter().enumerate() {
                    if i > 0 {
                        buf.push(b',');
                    }
                    json::write_bytes(&mut buf, arg);
                }
                buf.extend_from_slice(b"]}\n");
            }
        }
        if buf.len() >= FLUSH_AT {
            out.write_all(&buf)?;
            buf.clear();
        }
        Ok(())
    });
    out.write_all(&buf)?;
    let walked = match walked {
        Ok(w) => w,
        Err(e) if formats::cli::is_broken_pipe(&e) => return Ok(Exit::Ok),
        Err(e) => {
            return Err(anyhow::Error::new(e).context(format!("reading {}", a.input.display())));
        }
    };
    out.finish().context("writing output")?;
    if let Some((file, at)) = walked.cut {
        eprintln!(
            "aoftool: {} is cut at offset {at}: the incomplete tail is left out, as Redis does with aof-load-truncated yes",
            file.display()
        );
    }
    Ok(Exit::Ok)
}

/// An argument as redis-cli shows it: plain when it is printable without spaces or
/// quotes, else in double quotes with escapes.
fn quote(out: &mut Vec<u8>, arg: &[u8]) {
    let plain = !arg.is_empty()
        && arg
            .iter()
            .all(|&c| (0x21..=0x7e).contains(&c) && c != b'"' && c != b'\\' && c != b'\'');
    if plain {
        out.extend_from_slice(arg);
    } else {
        out.extend_from_slice(formats::escape::quoted(arg).as_bytes());
    }
}

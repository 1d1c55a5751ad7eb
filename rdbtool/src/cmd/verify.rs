//! `rdbtool verify`: exit 0 valid, 1 invalid, 2 unreadable (the file cannot be opened
//! or read from).

use std::io::Write;

use anyhow::Result;
use formats::cli::progress::Progress;
use formats::cli::{Exit, json};
use formats::rdb::read::{ChecksumStatus, ReaderBuilder};

use super::stats::{Stats, checksum_error};
use crate::cli::VerifyArgs;
use crate::input;

pub fn run(a: VerifyArgs) -> Result<Exit> {
    let path = input::resolve(a.input.input.as_deref())?;
    if looks_like_aof(&path) {
        return verify_aof(&a, &path);
    }
    let inp = input::open(&path)?;
    let progress = Progress::new(inp.size, !a.quiet && inp.size.is_some());
    let mut stats = Stats::new(a.all, progress);
    stats.check_lzf_in_parallel();
    let mut reader = ReaderBuilder::new()
        .allow_future_version(a.input.allow_future_version)
        .build(inp.reader);
    let result = reader.run(&mut stats);
    stats.progress.finish();
    let mut io_failure = false;
    let mut trailing: Option<u64> = None;
    match result {
        Ok(_) => {
            // Redis stops reading at the checksum; say what follows (a concatenated
            // file, or the RESP part of an AOF with an RDB preamble).
            let (mut rest, ahead) = reader.into_parts();
            let more = std::io::copy(&mut rest, &mut std::io::sink()).unwrap_or(0);
            trailing = Some(ahead.len() as u64 + more);
        }
        Err(e) => {
            io_failure = e.is_io();
            stats.fatal(e);
        }
    }
    stats.finish_lzf();
    if let Some(e) = stats.checksum.and_then(checksum_error) {
        stats.errors.push(e);
    }
    let mut out = std::io::stdout().lock();
    if a.json {
        let mut b = Vec::new();
        b.extend_from_slice(b"{\"ok\":");
        b.extend_from_slice(if stats.ok() { b"true" } else { b"false" });
        b.extend_from_slice(b",\"format\":\"rdb\",\"version\":");
        match stats.version {
            Some(v) => json::write_u64(&mut b, u64::from(v.number)),
            None => b.extend_from_slice(b"null"),
        }
        b.extend_from_slice(b",\"keys\":");
        json::write_u64(&mut b, stats.keys);
        b.extend_from_slice(b",\"expires\":");
        json::write_u64(&mut b, stats.expires);
        b.extend_from_slice(b",\"checksum\":");
        match stats.checksum {
            Some(c) => json::write_str(&mut b, c.name()),
            None => b.extend_from_slice(b"null"),
        }
        if let Some(t) = trailing {
            b.extend_from_slice(b",\"trailing_bytes\":");
            json::write_u64(&mut b, t);
        }
        b.extend_from_slice(b",\"errors\":[");
        for (i, e) in stats.errors.iter().enumerate() {
            if i > 0 {
                b.push(b',');
            }
            json::write_error(&mut b, e, &inp.name);
        }
        b.extend_from_slice(b"]}\n");
        out.write_all(&b)?;
    } else {
        let mut s = String::new();
        s.push_str(&inp.name);
        match stats.version {
            Some(v) => {
                s.push_str(&format!(": RDB version {} ({})", v.number, v.magic()));
                if let Some(w) = stats.writer() {
                    s.push_str(&format!(", {w}"));
                }
            }
            None => s.push_str(": not readable as an RDB"),
        }
        s.push('\n');
        s.push_str(&format!(
            "  keys: {} in {} database(s), {} with an expire ({} already expired)\n",
            stats.keys,
            stats.dbs.len(),
            stats.expires,
            stats.expired
        ));
        if let Some(c) = stats.checksum {
            let text = match c {
                ChecksumStatus::Ok(v) => format!("ok (0x{v:016x})"),
                ChecksumStatus::Disabled => {
                    "disabled (saved with rdbchecksum no): not checked".into()
                }
                ChecksumStatus::Mismatch { stored, computed } => {
                    format!("MISMATCH: stored 0x{stored:016x}, computed 0x{computed:016x}")
                }
                ChecksumStatus::Absent => "none (RDB version < 5 has no checksum)".into(),
                ChecksumStatus::NotChecked => "not checked".into(),
            };
            s.push_str(&format!("  checksum: {text}\n"));
        }
        if let Some(t @ 1..) = trailing {
            s.push_str(&format!(
                "  note: {t} bytes follow the end of the RDB (Redis ignores them; an AOF with an RDB preamble looks like this)\n"
            ));
        }
        for e in &stats.errors {
            s.push_str(&format!("  error: {e}\n"));
        }
        if stats.ok() {
            s.push_str("OK\n");
        } else {
            let n = stats.errors.len();
            s.push_str(&format!(
                "INVALID: {n} problem{}\n",
                if n == 1 { "" } else { "s" }
            ));
            if !a.all && n > 0 {
                s.push_str(
                    "  (stopped at the first problem; --all goes on where the framing allows)\n",
                );
            }
        }
        out.write_all(s.as_bytes())?;
    }
    out.flush()?;
    Ok(if io_failure {
        Exit::Error
    } else if stats.ok() {
        Exit::Ok
    } else {
        Exit::Negative
    })
}

/// An AOF by content: a directory (`appendonlydir`), or a file starting like RESP
/// (`*`), an annotation (`#`) or a manifest (`file `). An RDB-preamble AOF starts like an
/// RDB and is checked as one (what follows its end is reported as trailing bytes).
fn looks_like_aof(path: &std::path::Path) -> bool {
    if path.as_os_str() == "-" {
        return false;
    }
    if path.is_dir() {
        return true;
    }
    let mut head = [0u8; 5];
    let n = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .unwrap_or(0);
    matches!(head.get(..n), Some([b'*' | b'#', ..])) || head.get(..n) == Some(b"file ")
}

/// `verify` of an AOF: the same checks and report as `aoftool verify`.
fn verify_aof(a: &VerifyArgs, path: &std::path::Path) -> Result<Exit> {
    use formats::cli::aof_report;
    let name = path.display().to_string();
    let mut out = std::io::stdout().lock();
    let report = match formats::aof::check::check(path) {
        Ok(r) => r,
        Err(e) if e.is_io() => {
            return Err(anyhow::Error::new(e).context(format!("reading {name}")));
        }
        Err(e) => {
            if a.json {
                out.write_all(&aof_report::unloadable_json(&e, &name))?;
            } else {
                writeln!(out, "{name}: {e}\nINVALID")?;
            }
            return Ok(Exit::Negative);
        }
    };
    if a.json {
        out.write_all(&aof_report::report_json(&report))?;
    } else {
        out.write_all(aof_report::report_text(&report).as_bytes())?;
    }
    out.flush()?;
    Ok(if report.ok() {
        Exit::Ok
    } else {
        Exit::Negative
    })
}

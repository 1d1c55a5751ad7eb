//! The report of an AOF check (`formats::aof::check`) for people and as contract.md's
//! `verify --json` object; shared by `aoftool verify` and `rdbtool verify`.

use crate::aof::check::{FileReport, Layout, Report};
use crate::aof::manifest::FileType;
use crate::cli::json;

fn kind_name(k: Option<FileType>) -> &'static str {
    match k {
        Some(FileType::Base) => "BASE",
        Some(FileType::Incr) => "INCR",
        Some(FileType::History) => "HISTORY",
        None => "AOF",
    }
}

fn file_name(f: &FileReport) -> String {
    f.path.display().to_string()
}

pub fn report_text(r: &Report) -> String {
    let mut s = String::new();
    match &r.layout {
        Layout::Resp(p) => s.push_str(&format!("{}: AOF (RESP)\n", p.display())),
        Layout::RdbPreamble(p) => {
            s.push_str(&format!("{}: AOF with an RDB preamble\n", p.display()))
        }
        Layout::MultiPart {
            manifest_path,
            manifest,
            ..
        } => s.push_str(&format!(
            "{}: multi-part AOF, {} file(s) to load, {} in history\n",
            manifest_path.display(),
            manifest.base().into_iter().count() + manifest.incrs().count(),
            r.history.len()
        )),
    }
    let last = r.files.len().saturating_sub(1);
    for (i, f) in r.files.iter().enumerate() {
        s.push_str(&format!("  {} {}", kind_name(f.kind), file_name(f)));
        if !f.exists {
            s.push_str(": MISSING\n");
            continue;
        }
        s.push_str(&format!(": {} bytes", f.size));
        if let Some(p) = &f.rdb {
            s.push_str(&format!(
                ", RDB version {} with {} keys ({} with an expire), checksum {}",
                p.version,
                p.keys,
                p.expires,
                p.checksum.map_or("-", |c| c.name())
            ));
        }
        s.push_str(&format!(", {} commands", f.commands));
        if !f.by_db.is_empty() {
            let dbs: Vec<String> = f
                .by_db
                .iter()
                .map(|(d, n)| format!("db {d}: {n}"))
                .collect();
            s.push_str(&format!(" ({})", dbs.join(", ")));
        }
        if let (Some(a), Some(b)) = (f.first_ts, f.last_ts) {
            s.push_str(&format!(
                ", #TS {} .. {}",
                crate::cli::time::iso8601_ms(a * 1000),
                crate::cli::time::iso8601_ms(b * 1000)
            ));
        }
        s.push('\n');
        if !f.by_name.is_empty() {
            let mut names: Vec<_> = f.by_name.iter().collect();
            names.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
            let top: Vec<String> = names
                .iter()
                .take(12)
                .map(|(n, c)| format!("{n} {c}"))
                .collect();
            s.push_str(&format!(
                "    commands: {}{}\n",
                top.join(", "),
                if names.len() > 12 { ", ..." } else { "" }
            ));
        }
        if !f.unknown.is_empty() || f.bad_arity > 0 {
            let unknown: Vec<String> = f.unknown.iter().map(|(n, c)| format!("{n} x{c}")).collect();
            s.push_str(&format!(
                "    warnings: {} unknown command(s){}{}; {} with a wrong argument count\n",
                f.unknown.values().sum::<u64>(),
                if unknown.is_empty() { "" } else { ": " },
                unknown.join(", "),
                f.bad_arity
            ));
            for (off, w) in &f.warnings {
                s.push_str(&format!("      offset {off}: {w}\n"));
            }
        }
        s.push_str(&format!(
            "    valid up to offset {} (stopped at line {})",
            f.valid_up_to, f.valid_up_to_line
        ));
        match &f.error {
            None => s.push_str(": valid\n"),
            Some(e) => {
                s.push_str(&format!(
                    ", {} bytes after it\n    error: {e}\n",
                    f.size.saturating_sub(f.valid_up_to)
                ));
                if f.truncated {
                    s.push_str(if i == last {
                        "    (a cut tail: Redis loads the file with aof-load-truncated yes, dropping it)\n"
                    } else {
                        "    (a cut tail in a file that is not the last of its set: Redis refuses to load)\n"
                    });
                }
            }
        }
    }
    for h in &r.history {
        s.push_str(&format!("  history (not loaded): {}\n", h.display()));
    }
    s.push_str(if r.ok() { "OK\n" } else { "INVALID\n" });
    s
}

pub fn report_json(r: &Report) -> Vec<u8> {
    let mut b = Vec::new();
    let rdb = r.files.iter().find_map(|f| f.rdb.as_ref());
    b.extend_from_slice(b"{\"ok\":");
    b.extend_from_slice(if r.ok() { b"true" } else { b"false" });
    b.extend_from_slice(b",\"format\":");
    json::write_str(&mut b, r.format_name());
    b.extend_from_slice(b",\"version\":");
    match rdb {
        Some(p) => json::write_u64(&mut b, u64::from(p.version)),
        None => b.extend_from_slice(b"null"),
    }
    b.extend_from_slice(b",\"keys\":");
    json::write_u64(&mut b, rdb.map_or(0, |p| p.keys));
    b.extend_from_slice(b",\"expires\":");
    json::write_u64(&mut b, rdb.map_or(0, |p| p.expires));
    b.extend_from_slice(b",\"checksum\":");
    json::write_str(
        &mut b,
        rdb.and_then(|p| p.checksum).map_or("absent", |c| c.name()),
    );
    b.extend_from_slice(b",\"files\":[");
    for (i, f) in r.files.iter().enumerate() {
        if i > 0 {
            b.push(b',');
        }
        b.extend_from_slice(b"{\"file\":");
        json::write_str(&mut b, &file_name(f));
        b.extend_from_slice(b",\"kind\":");
        json::write_str(&mut b, &kind_name(f.kind).to_ascii_lowercase());
        b.extend_from_slice(format!(
            ",\"exists\":{},\"size\":{},\"valid_up_to\":{},\"valid_up_to_line\":{},\"commands\":{},\"truncated\":{}",
            f.exists, f.size, f.valid_up_to, f.valid_up_to_line, f.commands, f.truncated
        ).as_bytes());
        b.extend_from_slice(b",\"by_name\":");
        json::write_counts(&mut b, &f.by_name);
        b.extend_from_slice(b",\"by_db\":");
        json::write_counts(&mut b, &f.by_db);
        b.extend_from_slice(b",\"unknown_commands\":");
        json::write_counts(&mut b, &f.unknown);
        b.extend_from_slice(b",\"bad_arity\":");
        json::write_u64(&mut b, f.bad_arity);
        b.extend_from_slice(b",\"warnings\":[");
        for (j, (off, w)) in f.warnings.iter().enumerate() {
            if j > 0 {
                b.push(b',');
            }
            b.extend_from_slice(b"{\"offset\":");
            json::write_u64(&mut b, *off);
            b.extend_from_slice(b",\"message\":");
            json::write_str(&mut b, w);
            b.push(b'}');
        }
        b.extend_from_slice(b"],\"ts\":");
        match (f.first_ts, f.last_ts) {
            (Some(a), Some(z)) => {
                b.extend_from_slice(format!("{{\"first\":{a},\"last\":{z}}}").as_bytes())
            }
            _ => b.extend_from_slice(b"null"),
        }
        b.push(b'}');
    }
    b.extend_from_slice(b"],\"history\":[");
    for (i, h) in r.history.iter().enumerate() {
        if i > 0 {
            b.push(b',');
        }
        json::write_str(&mut b, &h.display().to_string());
    }
    b.extend_from_slice(b"],\"errors\":[");
    let mut first = true;
    for f in &r.files {
        if let Some(e) = &f.error {
            if !first {
                b.push(b',');
            }
            first = false;
            json::write_error(&mut b, e, &file_name(f));
        }
    }
    b.extend_from_slice(b"]}\n");
    b
}

/// The JSON object for an AOF that cannot even be laid out (no manifest, a manifest
/// Redis would refuse).
pub fn unloadable_json(e: &crate::Error, name: &str) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(b"{\"ok\":false,\"format\":\"aof-dir\",\"version\":null,\"keys\":0,\"expires\":0,\"checksum\":\"absent\",\"files\":[],\"errors\":[");
    json::write_error(&mut b, e, name);
    b.extend_from_slice(b"]}\n");
    b
}

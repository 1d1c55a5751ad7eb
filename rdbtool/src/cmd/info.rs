//! `rdbtool info`: version, aux fields, function libraries, module aux, per-db key
//! counts, counts by type and encoding, expires, checksum.

use std::cell::RefCell;
use std::io::Write;
use std::path::Path;

use anyhow::{Context as _, Result};
use formats::aof::read::RdbParts as _;
use formats::cli::progress::Progress;
use formats::cli::{Exit, json};
use formats::engine::digest::{dataset_digest, hex};
use formats::engine::{Keyspace, RdbLoader};
use formats::escape::quoted;
use formats::rdb::read::{ChecksumStatus, ReaderBuilder};

use super::stats::{Stats, flavor_name};
use crate::cli::InfoArgs;
use crate::dataset::{self, Kind, Source};
use crate::input;

pub fn run(a: InfoArgs) -> Result<Exit> {
    let path = input::resolve(a.input.input.as_deref())?;
    let digest = if a.digest {
        if path.as_os_str() == "-" {
            anyhow::bail!("--digest reads the dataset twice: give its path, not standard input");
        }
        let (kind, ks) = load_keyspace(&path, a.input.allow_future_version, a.skip_unknown)?;
        let d = hex(&dataset_digest(&ks));
        if kind != Kind::Rdb {
            return print_digest_only(&a, &path, kind, &ks, &d);
        }
        Some(d)
    } else {
        None
    };
    let inp = input::open(&path)?;
    let progress = Progress::new(inp.size, !a.quiet && inp.size.is_some());
    let mut stats = Stats::new(false, progress);
    let mut reader = ReaderBuilder::new()
        .allow_future_version(a.input.allow_future_version)
        .build(inp.reader);
    let result = reader.run(&mut stats);
    stats.progress.finish();
    result.with_context(|| format!("reading {}", inp.name))?;
    let v = stats.version.context("no header")?;
    let mut out = std::io::stdout().lock();
    if a.json {
        let mut b = Vec::new();
        b.extend_from_slice(b"{\"file\":");
        json::write_str(&mut b, &inp.name);
        b.extend_from_slice(b",\"format\":\"rdb\",\"magic\":");
        json::write_str(&mut b, &v.magic());
        b.extend_from_slice(b",\"flavor\":");
        json::write_str(&mut b, flavor_name(&v));
        b.extend_from_slice(b",\"version\":");
        json::write_u64(&mut b, u64::from(v.number));
        b.extend_from_slice(b",\"aux\":{");
        for (i, (k, val)) in stats.aux.iter().enumerate() {
            if i > 0 {
                b.push(b',');
            }
            json::write_str(&mut b, &String::from_utf8_lossy(k));
            b.push(b':');
            json::write_bytes(&mut b, val);
        }
        b.extend_from_slice(b"},\"functions\":[");
        for (i, (name, engine, len)) in stats.functions.iter().enumerate() {
            if i > 0 {
                b.push(b',');
            }
            b.extend_from_slice(b"{\"library\":");
            json::write_str(&mut b, name);
            b.extend_from_slice(b",\"engine\":");
            json::write_str(&mut b, engine);
            b.extend_from_slice(b",\"code_bytes\":");
            json::write_u64(&mut b, *len as u64);
            b.push(b'}');
        }
        b.extend_from_slice(b"],\"module_aux\":[");
        for (i, m) in stats.module_aux.iter().enumerate() {
            if i > 0 {
                b.push(b',');
            }
            b.extend_from_slice(b"{\"module\":");
            json::write_str(&mut b, &m.name);
            b.extend_from_slice(b",\"module_id\":");
            json::write_u64(&mut b, m.module_id);
            b.extend_from_slice(b",\"when\":");
            match m.when {
                Some(w) => json::write_u64(&mut b, w),
                None => b.extend_from_slice(b"null"),
            }
            b.extend_from_slice(b",\"bytes\":");
            json::write_u64(&mut b, m.bytes as u64);
            b.push(b'}');
        }
        b.extend_from_slice(b"],\"keys\":");
        json::write_u64(&mut b, stats.keys);
        b.extend_from_slice(b",\"expires\":");
        json::write_u64(&mut b, stats.expires);
        b.extend_from_slice(b",\"already_expired\":");
        json::write_u64(&mut b, stats.expired);
        b.extend_from_slice(b",\"dbs\":[");
        for (i, (db, d)) in stats.dbs.iter().enumerate() {
            if i > 0 {
                b.push(b',');
            }
            b.extend_from_slice(b"{\"db\":");
            json::write_u64(&mut b, *db);
            b.extend_from_slice(b",\"keys\":");
            json::write_u64(&mut b, d.keys);
            b.extend_from_slice(b",\"expires\":");
            json::write_u64(&mut b, d.expires);
            b.extend_from_slice(b",\"resize_hint\":");
            match d.resize_hint {
                Some((k, e)) => {
                    b.extend_from_slice(format!("{{\"keys\":{k},\"expires\":{e}}}").as_bytes())
                }
                None => b.extend_from_slice(b"null"),
            }
            b.push(b'}');
        }
        b.extend_from_slice(b"],\"types\":{");
        let mut by_type: std::collections::BTreeMap<&str, Vec<(&str, u64)>> = Default::default();
        for ((t, e), n) in &stats.by_encoding() {
            by_type.entry(t).or_default().push((e, *n));
        }
        for (i, (t, encs)) in by_type.iter().enumerate() {
            if i > 0 {
                b.push(b',');
            }
            json::write_str(&mut b, t);
            b.extend_from_slice(b":{\"keys\":");
            json::write_u64(&mut b, encs.iter().map(|e| e.1).sum());
            b.extend_from_slice(b",\"encodings\":{");
            for (j, (e, n)) in encs.iter().enumerate() {
                if j > 0 {
                    b.push(b',');
                }
                json::write_str(&mut b, e);
                b.push(b':');
                json::write_u64(&mut b, *n);
            }
            b.extend_from_slice(b"}}");
        }
        b.extend_from_slice(b"},\"modules\":");
        json::write_counts(&mut b, &stats.modules);
        b.extend_from_slice(b",\"slot_info_records\":");
        json::write_u64(&mut b, stats.slot_infos);
        b.extend_from_slice(b",\"keys_with_idle\":");
        json::write_u64(&mut b, stats.with_idle);
        b.extend_from_slice(b",\"keys_with_freq\":");
        json::write_u64(&mut b, stats.with_freq);
        b.extend_from_slice(b",\"checksum\":");
        json::write_str(&mut b, stats.checksum.map_or("absent", |c| c.name()));
        if let Some(ChecksumStatus::Ok(c) | ChecksumStatus::Mismatch { stored: c, .. }) =
            stats.checksum
        {
            b.extend_from_slice(b",\"checksum_value\":");
            json::write_str(&mut b, &format!("{c:016x}"));
        }
        if let Some(d) = &digest {
            b.extend_from_slice(b",\"digest\":");
            json::write_str(&mut b, d);
        }
        b.extend_from_slice(b"}\n");
        out.write_all(&b)?;
        return Ok(Exit::Ok);
    }
    let mut s = String::new();
    s.push_str(&format!("file:      {}\n", inp.name));
    s.push_str(&format!(
        "format:    RDB version {} ({}, {} flavor)\n",
        v.number,
        v.magic(),
        flavor_name(&v)
    ));
    if !stats.aux.is_empty() {
        s.push_str("aux:\n");
        for (k, val) in &stats.aux {
            s.push_str(&format!(
                "  {:<16} {}\n",
                String::from_utf8_lossy(k),
                quoted(val)
            ));
        }
    }
    if !stats.functions.is_empty() {
        s.push_str(&format!(
            "functions: {} librar{}\n",
            stats.functions.len(),
            if stats.functions.len() == 1 {
                "y"
            } else {
                "ies"
            }
        ));
        for (name, engine, len) in &stats.functions {
            s.push_str(&format!("  {name} ({engine}, {len} bytes)\n"));
        }
    }
    for m in &stats.module_aux {
        s.push_str(&format!(
            "module aux: {} (id {}, when {}, {} bytes)\n",
            m.name,
            m.module_id,
            m.when.map_or("-".into(), |w| w.to_string()),
            m.bytes
        ));
    }
    s.push_str(&format!(
        "keys:      {} ({} with an expire, {} already expired)\n",
        stats.keys, stats.expires, stats.expired
    ));
    for (db, d) in &stats.dbs {
        s.push_str(&format!(
            "  db {db}: {} keys, {} expires",
            d.keys, d.expires
        ));
        if let Some((k, e)) = d.resize_hint {
            s.push_str(&format!(" (resizedb hint {k}/{e})"));
        }
        s.push('\n');
    }
    if stats.keys > 0 {
        s.push_str("types:\n");
        for ((t, e), n) in &stats.by_encoding() {
            s.push_str(&format!("  {t:<7} {e:<12} {n}\n"));
        }
    }
    for (m, n) in &stats.modules {
        s.push_str(&format!("module values: {m}: {n}\n"));
    }
    if stats.slot_infos > 0 {
        s.push_str(&format!("slot info records: {}\n", stats.slot_infos));
    }
    if stats.with_idle > 0 || stats.with_freq > 0 {
        s.push_str(&format!(
            "keys with LRU idle: {}, with LFU freq: {}\n",
            stats.with_idle, stats.with_freq
        ));
    }
    let c = match stats.checksum {
        Some(ChecksumStatus::Ok(v)) => format!("ok (0x{v:016x})"),
        Some(ChecksumStatus::Mismatch { stored, computed }) => {
            format!("MISMATCH (stored 0x{stored:016x}, computed 0x{computed:016x})")
        }
        Some(other) => other.name().to_string(),
        None => "-".into(),
    };
    s.push_str(&format!("checksum:  {c}\n"));
    if let Some(d) = &digest {
        s.push_str(&format!("digest:    {d}\n"));
    }
    out.write_all(s.as_bytes())?;
    Ok(Exit::Ok)
}

/// Loads the dataset at `path` into the keyspace engine and drops the keys already
/// expired, as a master loading an RDB does.
fn load_keyspace(path: &Path, allow_future: bool, skip_unknown: bool) -> Result<(Kind, Keyspace)> {
    let mut src = Source::open(path)?;
    src.allow_future = allow_future;
    src.skip_unknown = skip_unknown;
    let kind = src.kind;
    let mut ks = match kind {
        Kind::Aof => dataset::load_aof(&src)?.ks,
        Kind::Rdb | Kind::Jsonl => {
            let cell = RefCell::new(Keyspace::default());
            let mut loader = RdbLoader::new(&cell);
            dataset::feed(src, loader.visitor(), false)?;
            drop(loader);
            cell.into_inner()
        }
    };
    let now = crate::filter::now_ms();
    for db in &mut ks.dbs {
        let gone: Vec<Vec<u8>> = db
            .iter()
            .filter(|e| e.expire_ms().is_some_and(|t| t <= now))
            .map(|e| e.key().to_vec())
            .collect();
        for k in gone {
            db.remove(&k);
        }
    }
    Ok((kind, ks))
}

/// `info --digest` of an AOF or JSON Lines: what the engine loaded, and the digest.
fn print_digest_only(
    a: &InfoArgs,
    path: &Path,
    kind: Kind,
    ks: &Keyspace,
    digest: &str,
) -> Result<Exit> {
    let name = path.display().to_string();
    let (format, label) = match kind {
        Kind::Aof => ("aof", "AOF"),
        _ => ("jsonl", "JSON Lines"),
    };
    let mut out = std::io::stdout().lock();
    if a.json {
        let mut b = Vec::new();
        b.extend_from_slice(b"{\"file\":");
        json::write_str(&mut b, &name);
        b.extend_from_slice(b",\"format\":");
        json::write_str(&mut b, format);
        b.extend_from_slice(b",\"keys\":");
        json::write_u64(&mut b, ks.key_count() as u64);
        b.extend_from_slice(b",\"digest\":");
        json::write_str(&mut b, digest);
        b.extend_from_slice(b"}\n");
        out.write_all(&b)?;
    } else {
        let s = format!(
            "file:      {name}\nformat:    {label}\nkeys:      {} (expired ones dropped)\ndigest:    {digest}\n",
            ks.key_count()
        );
        out.write_all(s.as_bytes())?;
    }
    Ok(Exit::Ok)
}

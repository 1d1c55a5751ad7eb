//! The keyspace engine against Redis 7.0 on one workload mixing every command family:
//! strings, bits, lists, sets, sorted sets, hashes, streams with consumer groups,
//! HyperLogLog, GEO, expiries, MULTI/EXEC, Lua scripts and functions (replicated as their
//! effects), SELECT, SWAPDB, MOVE, COPY, RENAME, and a BGREWRITEAOF half-way, so the
//! AOF directory has an RDB BASE and an INCR file. Commands that fail (wrong types,
//! bad arguments) fail on the server and never reach its AOF.
//!
//! Then the AOF the server wrote is rewritten by `aoftool rewrite` (RDB and RESP bases)
//! and converted by `rdbtool convert` to an RDB; a fresh Redis 7.0 loading each must
//! report the `DEBUG DIGEST` of Redis 7.0 loading the original AOF, and hold the same
//! data. (That is the source's digest, except for what 7.0 never writes into an AOF,
//! such as a consumer group's entries_read after XREADGROUP.) A RESP base is held to
//! what Redis's own RESP rewrite (`aof-use-rdb-preamble no`) keeps.
//!
//! The same commands are also written as a live AOF (`formats::aof::live`, as `rdbtool
//! capture` writes one), with rewrites from the engine while writes go on; Redis 7.0
//! loading that directory must report the same digest.
//!
//! The seed changes every run and is printed; `ENGINE_MIXED_SEED=<n>` replays one.

use std::collections::BTreeMap;
use std::path::Path;

use e2e::bin::{aoftool, copy_dir, rdbtool, run};
use e2e::model::{Model, ValueModel};
use e2e::populate::Rng;
use e2e::{Server, ServerKind};

type Cmd = Vec<Vec<u8>>;

const STRS: [&str; 6] = ["s0", "s1", "s2", "n0", "n1", "f0"];
const LISTS: [&str; 3] = ["l0", "l1", "l2"];
const SETS: [&str; 3] = ["set0", "set1", "set2"];
const ZSETS: [&str; 3] = ["z0", "z1", "z2"];
const HASHES: [&str; 3] = ["h0", "h1", "h2"];
const STREAMS: [&str; 2] = ["x0", "x1"];
const HLLS: [&str; 2] = ["p0", "p1"];
const GEOS: [&str; 2] = ["g0", "g1"];
const GROUPS: [&str; 2] = ["grp0", "grp1"];
const CONSUMERS: [&str; 3] = ["alice", "bob", "carol"];

/// Lua scripts (their effects are what Redis 7.0 replicates) and their key counts.
const SCRIPTS: [(&str, usize); 3] = [
    (
        "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('INCR', KEYS[2])",
        2,
    ),
    (
        "redis.call('RPUSH', KEYS[1], ARGV[1], ARGV[1]); redis.call('LPOP', KEYS[1]); \
         return redis.call('LLEN', KEYS[1])",
        1,
    ),
    (
        "local n = redis.call('ZINCRBY', KEYS[1], ARGV[1], 'm'); \
         redis.call('HSET', KEYS[2], 'score', n); return n",
        2,
    ),
];

const LIBRARY: &str = "#!lua name=mixlib\n\
    redis.register_function('bump', function(keys, args) \
    redis.call('HINCRBY', keys[1], 'calls', 1); \
    return redis.call('SADD', keys[2], args[1]) end)";

fn c(parts: &[String]) -> Cmd {
    parts.iter().map(|p| p.as_bytes().to_vec()).collect()
}

macro_rules! cmd {
    ($($x:expr),* $(,)?) => { c(&[$($x.to_string()),*]) };
}

fn elem(r: &mut Rng) -> String {
    match r.below(10) {
        0 => "x".repeat(70 + r.below(40) as usize),
        1 => r.below(1000).to_string(),
        _ => format!("e{}", r.below(40)),
    }
}

fn key_any(r: &mut Rng) -> String {
    let pools: [&[&str]; 8] = [
        &STRS, &LISTS, &SETS, &ZSETS, &HASHES, &STREAMS, &HLLS, &GEOS,
    ];
    let pool = *r.pick(&pools);
    (*r.pick(pool)).to_string()
}

/// A score. Not `-0`: a skiplist-encoded set keeps it, but Redis turns it into `0` when
/// it loads such a set small enough for a listpack (`rdbLoadObject` converts it), so not
/// even its own BGREWRITEAOF and reload keeps it (engine_collections covers -0 itself).
fn score(r: &mut Rng) -> String {
    match r.below(6) {
        0 => format!("{:.3}", r.uniform(-100.0, 100.0)),
        1 => "0".to_string(),
        2 => "+inf".to_string(),
        _ => r.below(50).to_string(),
    }
}

fn future_ms() -> i64 {
    e2e::now_ms() + 3_600_000
}

fn one(r: &mut Rng) -> Cmd {
    let p = |r: &mut Rng, v: &[&str]| (*r.pick(v)).to_string();
    match r.below(60) {
        0..=2 => {
            let mut v = vec!["SET".to_string(), p(r, &STRS), elem(r)];
            match r.below(5) {
                0 => v.extend(["EX".to_string(), (1000 + r.below(1000)).to_string()]),
                1 => v.push("KEEPTTL".to_string()),
                2 => v.push("NX".to_string()),
                _ => {}
            }
            c(&v)
        }
        3 => cmd!("APPEND", p(r, &STRS), elem(r)),
        4 => cmd!("SETRANGE", p(r, &STRS), r.below(40), elem(r)),
        5 => cmd!("INCRBY", p(r, &["n0", "n1"]), r.below(100) as i64 - 50),
        6 => cmd!("INCRBYFLOAT", "f0", format!("{:.4}", r.uniform(-5.0, 5.0))),
        7 => cmd!("SETBIT", p(r, &["s0", "s1"]), r.below(300), r.below(2)),
        8 => cmd!(
            "BITFIELD",
            p(r, &["s1", "s2"]),
            "INCRBY",
            "u8",
            r.below(64),
            r.below(300)
        ),
        9 => cmd!("BITOP", p(r, &["AND", "OR", "XOR"]), "s2", "s0", "s1"),
        10 => cmd!("GETEX", p(r, &STRS), "PERSIST"),
        11..=13 => {
            let mut v = vec![p(r, &["LPUSH", "RPUSH"]), p(r, &LISTS)];
            for _ in 0..1 + r.below(4) {
                v.push(elem(r));
            }
            c(&v)
        }
        14 => cmd!(p(r, &["LPOP", "RPOP"]), p(r, &LISTS), 1 + r.below(3)),
        15 => cmd!(
            "LINSERT",
            p(r, &LISTS),
            p(r, &["BEFORE", "AFTER"]),
            elem(r),
            elem(r)
        ),
        16 => cmd!("LREM", p(r, &LISTS), r.below(5) as i64 - 2, elem(r)),
        17 => cmd!("LTRIM", p(r, &LISTS), r.below(3), r.below(20) as i64 - 5),
        18 => cmd!(
            "LMOVE",
            p(r, &LISTS),
            p(r, &LISTS),
            p(r, &["LEFT", "RIGHT"]),
            p(r, &["LEFT", "RIGHT"])
        ),
        19..=20 => {
            let mut v = vec!["SADD".to_string(), p(r, &SETS)];
            for _ in 0..1 + r.below(5) {
                v.push(elem(r));
            }
            c(&v)
        }
        21 => cmd!("SREM", p(r, &SETS), elem(r), elem(r)),
        22 => cmd!("SPOP", p(r, &SETS), 1 + r.below(2)),
        23 => cmd!(
            p(r, &["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"]),
            p(r, &SETS),
            p(r, &SETS),
            p(r, &SETS)
        ),
        24 => cmd!("SMOVE", p(r, &SETS), p(r, &SETS), elem(r)),
        25..=27 => {
            let mut v = vec!["ZADD".to_string(), p(r, &ZSETS)];
            if r.chance(20) {
                v.push(p(r, &["NX", "XX", "GT", "LT", "CH"]));
            }
            for _ in 0..1 + r.below(4) {
                v.push(score(r));
                v.push(elem(r));
            }
            c(&v)
        }
        28 => cmd!("ZINCRBY", p(r, &ZSETS), score(r), elem(r)),
        29 => cmd!("ZREM", p(r, &ZSETS), elem(r)),
        30 => cmd!(p(r, &["ZPOPMIN", "ZPOPMAX"]), p(r, &ZSETS), 1 + r.below(2)),
        31 => cmd!(
            p(r, &["ZUNIONSTORE", "ZINTERSTORE"]),
            p(r, &ZSETS),
            2,
            p(r, &ZSETS),
            p(r, &["set0", "z1"]),
            "AGGREGATE",
            p(r, &["SUM", "MIN", "MAX"])
        ),
        32 => cmd!("ZREMRANGEBYRANK", p(r, &ZSETS), 0, r.below(2)),
        33..=35 => {
            let mut v = vec!["HSET".to_string(), p(r, &HASHES)];
            for _ in 0..1 + r.below(4) {
                v.push(format!("f{}", r.below(30)));
                v.push(elem(r));
            }
            c(&v)
        }
        36 => cmd!("HDEL", p(r, &HASHES), format!("f{}", r.below(30))),
        37 => cmd!("HINCRBY", p(r, &HASHES), "cnt", r.below(10)),
        38 => cmd!(
            "HINCRBYFLOAT",
            p(r, &HASHES),
            "flt",
            format!("{:.3}", r.uniform(-2.0, 2.0))
        ),
        39..=40 => {
            let mut v = vec!["XADD".to_string(), p(r, &STREAMS)];
            if r.chance(15) {
                v.extend(["MAXLEN".to_string(), "~".to_string(), "20".to_string()]);
            }
            v.extend(["*".to_string(), "f".to_string(), elem(r)]);
            c(&v)
        }
        41 => cmd!(
            "XGROUP",
            "CREATE",
            p(r, &STREAMS),
            p(r, &GROUPS),
            p(r, &["0", "$"]),
            "MKSTREAM"
        ),
        42..=43 => cmd!(
            "XREADGROUP",
            "GROUP",
            p(r, &GROUPS),
            p(r, &CONSUMERS),
            "COUNT",
            1 + r.below(3),
            "STREAMS",
            p(r, &STREAMS),
            ">"
        ),
        44 => cmd!(
            "XAUTOCLAIM",
            p(r, &STREAMS),
            p(r, &GROUPS),
            p(r, &CONSUMERS),
            0,
            "0-0",
            "COUNT",
            2
        ),
        45 => cmd!("XTRIM", p(r, &STREAMS), "MAXLEN", 10 + r.below(10)),
        46 => cmd!(
            "XGROUP",
            "DELCONSUMER",
            p(r, &STREAMS),
            p(r, &GROUPS),
            p(r, &CONSUMERS)
        ),
        47 => cmd!("PFADD", p(r, &HLLS), elem(r), elem(r), elem(r)),
        48 => cmd!("PFMERGE", p(r, &HLLS), "p0", "p1"),
        49 => cmd!(
            "GEOADD",
            p(r, &GEOS),
            format!("{:.5}", r.uniform(-10.0, 10.0)),
            format!("{:.5}", r.uniform(40.0, 50.0)),
            elem(r)
        ),
        50 => cmd!(
            "GEOSEARCHSTORE",
            "g1",
            "g0",
            "FROMLONLAT",
            0,
            45,
            "BYRADIUS",
            800,
            "km",
            "ASC"
        ),
        51 => cmd!(
            "PEXPIREAT",
            key_any(r),
            future_ms() + r.below(100_000) as i64
        ),
        52 => cmd!("EXPIRE", key_any(r), 100 + r.below(10_000)),
        53 => cmd!("PERSIST", key_any(r)),
        54 => cmd!(p(r, &["DEL", "UNLINK"]), key_any(r)),
        55 => {
            let k = key_any(r);
            let mut other = k.clone();
            other.push('r');
            if r.chance(50) {
                cmd!("RENAME", k, other)
            } else {
                cmd!("RENAME", other, k)
            }
        }
        56 => {
            let k = key_any(r);
            cmd!("COPY", k, format!("{k}c"), "DB", r.below(3), "REPLACE")
        }
        57 => cmd!("MOVE", key_any(r), r.below(3)),
        58 => {
            let (script, n) = *r.pick(&SCRIPTS);
            let mut v = vec!["EVAL".to_string(), script.to_string(), n.to_string()];
            match n {
                1 => v.push(p(r, &LISTS)),
                _ if script.contains("ZINCRBY") => {
                    v.push(p(r, &ZSETS));
                    v.push(p(r, &HASHES));
                }
                _ => {
                    v.push(p(r, &["s0", "s1"]));
                    v.push(p(r, &["n0", "n1"]));
                }
            }
            v.push(r.below(100).to_string());
            c(&v)
        }
        _ => cmd!("FCALL", "bump", 2, p(r, &HASHES), p(r, &SETS), elem(r)),
    }
}

/// The workload: single commands, MULTI/EXEC blocks, SELECT and SWAPDB.
fn workload(r: &mut Rng, n: usize) -> Vec<Cmd> {
    let mut out = vec![cmd!("FUNCTION", "LOAD", LIBRARY)];
    while out.len() < n {
        match r.below(100) {
            0..=3 => out.push(cmd!("SELECT", r.below(3))),
            4 => out.push(cmd!("SWAPDB", r.below(3), r.below(3))),
            5..=9 => {
                out.push(cmd!("MULTI"));
                for _ in 0..2 + r.below(3) {
                    out.push(one(r));
                }
                out.push(cmd!("EXEC"));
            }
            10 if r.chance(10) => out.push(cmd!("FLUSHDB")),
            _ => out.push(one(r)),
        }
    }
    out
}

/// Redis 7.0 loading the AOF directory `appendonlydir` in `dir`.
fn aof_server(dir: tempfile::TempDir) -> Server {
    Server::start_in(
        ServerKind::Redis70,
        dir,
        &["--appendonly", "yes", "--appenddirname", "appendonlydir"],
    )
}

fn digest(s: &Server) -> String {
    s.client().cmd_str(&[b"DEBUG", b"DIGEST"])
}

fn model(s: &Server) -> Model {
    Model::from_server_all(&mut s.client())
        .without_consumer_times()
        .without_delivery_times()
}

/// The model without consumers that have no pending entries. Redis 7.0 replaying its
/// own RESP rewrite drops a consumer whose pending entries all point at deleted stream
/// entries (its XCLAIM creates the consumer only on a claim); the engine follows 7.2+,
/// where XCLAIM creates it anyway, so a RESP base keeps such consumers.
fn without_idle_consumers(mut m: Model) -> Model {
    for k in m.keys.values_mut() {
        if let ValueModel::Stream(s) = &mut k.value {
            for g in &mut s.groups {
                g.consumers.retain(|c| !c.pel.is_empty());
            }
        }
    }
    m
}

/// Replays the commands of the AOF at `src` into the engine and, as a server with
/// `appendonly yes` writes them, into a live AOF at `dir`: rewritten a third of the way
/// (the base made from the engine while later commands go to the new INCR file), a
/// failed rewrite at two thirds (one more INCR file), then the rest.
fn live_aof(src: &Path, dir: &Path) {
    use formats::aof::live::{Fsync, LiveAof, write_base};
    use formats::engine::{Keyspace, Session};

    let layout = formats::aof::check::detect(src).expect("the server's AOF");
    // The server's RDB base is loaded as the records it holds, as a full sync hands
    // them over (commands rebuilding it could not hold a pending entry whose stream
    // entry was deleted); the commands after it are the stream a live AOF gets.
    let cell = std::cell::RefCell::new(Keyspace::default());
    let mut loader = formats::engine::RdbLoader::new(&cell);
    let mut cmds: Vec<(u64, Vec<Vec<u8>>)> = Vec::new();
    formats::aof::read::walk_with(&layout, Some(&mut loader), |at, args| {
        cmds.push((at.db, args.iter().map(|a| a.to_vec()).collect()));
        Ok(())
    })
    .expect("walking the server's AOF");
    drop(loader);
    let mut ks = cell.into_inner();
    let mut session = Session::new();
    let mut aof = LiveAof::open(dir, "appendonly.aof", Fsync::EverySec, true).unwrap();
    let n = cmds.len();
    let mut rewrites = 0;
    for (i, (db, args)) in cmds.iter().enumerate() {
        // At a third and at two thirds, or just after the transaction there.
        if (rewrites == 0 && i >= n / 3 || rewrites == 1 && i >= 2 * n / 3) && !aof.in_transaction()
        {
            let rw = aof.begin_rewrite().unwrap();
            rewrites += 1;
            let ok = rewrites == 1;
            if ok {
                write_base(&ks, &rw, e2e::now_ms()).expect("writing the base");
            }
            aof.finish_rewrite(rw, ok).unwrap();
        }
        let args: Vec<&[u8]> = args.iter().map(Vec::as_slice).collect();
        session
            .execute(&mut ks, &args)
            .unwrap_or_else(|e| panic!("command {i} of the server's AOF: {e}"));
        if !args
            .first()
            .is_some_and(|c| c.eq_ignore_ascii_case(b"SELECT"))
        {
            aof.append(*db, &args);
        }
        if i % 100 == 0 {
            aof.flush().unwrap();
        }
    }
    aof.flush().unwrap();
    assert!(aof.has_base());
}

fn seed() -> u64 {
    std::env::var("ENGINE_MIXED_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| e2e::now_ms() as u64)
}

/// `DEBUG DIGEST-VALUE` of every key in databases 0 to 2: db, key -> digest.
fn key_digests(s: &Server) -> BTreeMap<(u8, Vec<u8>), String> {
    let mut c = s.client();
    let mut out = BTreeMap::new();
    for db in 0..3u8 {
        c.cmd(&[b"SELECT", db.to_string().as_bytes()]);
        for k in c.cmd(&[b"KEYS", b"*"]).into_array().unwrap_or_default() {
            let k = k.as_bytes().unwrap_or_default().to_vec();
            let d = c.cmd(&[b"DEBUG", b"DIGEST-VALUE", &k]).text();
            out.insert((db, k), d);
        }
    }
    out
}

fn check(
    seed: u64,
    (want_digest, want_keys): (&str, &BTreeMap<(u8, Vec<u8>), String>),
    want: &Model,
    dst: &Server,
    what: &str,
) {
    // The data first: its differences say more than a digest.
    let mut got = model(dst);
    if what.contains("none base") {
        got = without_idle_consumers(got);
    }
    got.assert_same(want, &format!("seed {seed}: {what}"));
    let got_digest = digest(dst);
    if got_digest != want_digest {
        let keys = key_digests(dst);
        let differ: Vec<String> = want_keys
            .iter()
            .filter(|(k, d)| keys.get(*k) != Some(*d))
            .map(|((db, k), _)| format!("db {db} {:?}", String::from_utf8_lossy(k)))
            .collect();
        eprintln!("engine_mixed: seed {seed}: {what}: keys whose DIGEST-VALUE differs: {differ:?}");
    }
    assert_eq!(
        got_digest, want_digest,
        "seed {seed} (ENGINE_MIXED_SEED={seed} replays it): {what}: DEBUG DIGEST"
    );
}

#[test]
fn mixed_workload_rewrites_and_converts_like_redis70() {
    let seed = seed();
    eprintln!("engine_mixed: seed {seed} (ENGINE_MIXED_SEED={seed} replays it)");
    let src = Server::start(
        ServerKind::Redis70,
        &["--appendonly", "yes", "--appendfsync", "always"],
    );
    let mut r = Rng::new(seed);
    let cmds = workload(&mut r, 6000);
    let mut client = src.client();
    let (first, second) = cmds.split_at(cmds.len() / 2);
    let mut failed = 0;
    for part in [first, second] {
        for chunk in part.chunks(200) {
            failed += client
                .pipeline(chunk)
                .iter()
                .filter(|x| x.is_error())
                .count();
        }
        if std::ptr::eq(part, first) {
            src.rewrite_aof();
        }
    }
    eprintln!(
        "engine_mixed: seed {seed}: {} commands, {failed} refused by the server",
        cmds.len()
    );
    let aof = src.dir().join("appendonlydir");
    // The oracle is Redis 7.0 loading the AOF it wrote: what an AOF holds is all a rewrite
    // can keep (7.0 does not propagate a consumer group's entries_read on XREADGROUP, for
    // one, so its own reload loses it too).
    let copy = tempfile::tempdir().unwrap();
    copy_dir(&aof, &copy.path().join("appendonlydir"));
    let reloaded = aof_server(copy);
    let want_digest = digest(&reloaded);
    let want = model(&reloaded);
    let want_keys = key_digests(&reloaded);
    if want_digest != digest(&src) {
        eprintln!("engine_mixed: seed {seed}: Redis 7.0 reloading its own AOF has another digest");
    }
    let keys: usize = (0..3).map(|db| want.count_in(db)).sum();
    assert!(keys > 20, "seed {seed}: the workload left only {keys} keys");
    // For a RESP base the oracle is Redis's own RESP rewrite, reloaded: the commands of a
    // rewrite cannot hold everything an RDB holds (a consumer group's pending entry whose
    // stream entry was deleted is dropped by the XCLAIM that would restore it).
    reloaded
        .client()
        .cmd_ok(&[b"CONFIG", b"SET", b"aof-use-rdb-preamble", b"no"]);
    reloaded.rewrite_aof();
    let resp_copy = tempfile::tempdir().unwrap();
    copy_dir(
        &reloaded.dir().join("appendonlydir"),
        &resp_copy.path().join("appendonlydir"),
    );
    reloaded.stop();
    let resp = aof_server(resp_copy);
    let want_resp = (
        digest(&resp),
        key_digests(&resp),
        without_idle_consumers(model(&resp)),
    );
    resp.stop();

    for base in ["rdb", "none"] {
        let (want_digest, want_keys, want) = match base {
            "rdb" => (&want_digest, &want_keys, &want),
            _ => (&want_resp.0, &want_resp.1, &want_resp.2),
        };
        let out = tempfile::tempdir().unwrap();
        let new = out.path().join("appendonlydir");
        run(
            &aoftool(),
            [
                "rewrite".as_ref(),
                "-q".as_ref(),
                "--preamble".as_ref(),
                base.as_ref(),
                aof.as_os_str(),
                "-o".as_ref(),
                new.as_os_str(),
            ],
        )
        .expect_success();
        let dst = aof_server(out);
        check(
            seed,
            (want_digest, want_keys),
            want,
            &dst,
            &format!("rewritten, {base} base"),
        );
        dst.stop();
    }

    // An RDB base (a RESP base of the state a third of the way loses what RESP cannot
    // hold there, which no oracle here has; the RESP form is checked above).
    let out = tempfile::tempdir().unwrap();
    live_aof(&aof, &out.path().join("appendonlydir"));
    let dst = aof_server(out);
    check(
        seed,
        (&want_digest, &want_keys),
        &want,
        &dst,
        "written live, rdb base",
    );
    dst.stop();

    let tmp = tempfile::tempdir().unwrap();
    let rdb = tmp.path().join("out.rdb");
    run(
        &rdbtool(),
        [Path::new("convert"), Path::new("-q"), &aof, &rdb],
    )
    .expect_success();
    let dst = Server::start_with_rdb(ServerKind::Redis70, &rdb, &[]);
    check(
        seed,
        (&want_digest, &want_keys),
        &want,
        &dst,
        "converted to RDB",
    );
    dst.stop();
    src.stop();
}

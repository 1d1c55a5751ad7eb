//! `formats::engine::digest` against Redis 7.0's own `DEBUG DIGEST-VALUE` and `DEBUG
//! DIGEST`: a server filled by `populate` (every type and encoding, binary keys, TTLs,
//! several dbs) plus zset scores that test the `%.17g` text, big lists and hashes,
//! streams with groups, pending entries and consumers; its RDB loaded into the engine
//! must give every key's digest and the dataset's. `rdbtool info --digest` must print
//! the server's digest for that RDB, for the AOF directory the server wrote, and for
//! JSON Lines converted from the RDB, and drop keys already expired as a loading master.

use std::path::Path;

use e2e::bin::{rdbtool, run};
use e2e::{PopulateOpts, Server, ServerKind, populate};
use formats::engine::digest::{dataset_digest, hex, value_digest};

fn b(s: &str) -> Vec<u8> {
    s.as_bytes().to_vec()
}

fn cmd(parts: &[&str]) -> Vec<Vec<u8>> {
    parts.iter().map(|p| b(p)).collect()
}

/// Keys beyond `populate`'s, written after the AOF rewrite (so they are in its INCR file).
fn extra_commands() -> Vec<Vec<Vec<u8>>> {
    let mut v = Vec::new();
    let scores = [
        "0.1",
        "1e300",
        "-0.0",
        "inf",
        "-inf",
        "3",
        "12345678901234567",
        "1.5e-7",
        "0.3",
        "-2.5",
        "1e17",
        "1e16",
        "0.0001",
        "0.00001",
        "3.14159",
    ];
    for (key, pad) in [("dz:small", 0), ("dz:big", 200)] {
        let mut c = cmd(&["ZADD", key]);
        for (i, s) in scores.iter().enumerate() {
            c.push(b(s));
            c.push(format!("m{i}").into_bytes());
        }
        for i in 0..pad {
            c.push(format!("{}", f64::from(i) / 7.0).into_bytes());
            c.push(format!("pad{i}").into_bytes());
        }
        v.push(c);
    }
    v.push(cmd(&["ZADD", "dz:ints", "1", "100", "2", "-5", "3", "x"]));
    let mut list = cmd(&["RPUSH", "dl:big"]);
    for i in 0..6000 {
        list.push(if i % 3 == 0 {
            i.to_string().into_bytes()
        } else {
            format!("element-{i}-{}", "x".repeat(i % 50)).into_bytes()
        });
    }
    v.push(list);
    let mut hash = cmd(&["HSET", "dh:many"]);
    for i in 0..1500 {
        hash.push(format!("f{i}").into_bytes());
        hash.push(i.to_string().into_bytes());
    }
    v.push(hash);
    v.push(cmd(&["HSET", "dh:small", "a", "1", "b", "two"]));
    for i in 0..40 {
        v.push(cmd(&[
            "XADD",
            "dx",
            &format!("{}-{}", 1000 + i / 3, i % 3),
            "f",
            &i.to_string(),
            "g",
            "v",
        ]));
    }
    v.push(cmd(&["XGROUP", "CREATE", "dx", "g1", "0"]));
    v.push(cmd(&["XGROUP", "CREATE", "dx", "g2", "$"]));
    v.push(cmd(&[
        "XREADGROUP",
        "GROUP",
        "g1",
        "alice",
        "COUNT",
        "10",
        "STREAMS",
        "dx",
        ">",
    ]));
    v.push(cmd(&[
        "XREADGROUP",
        "GROUP",
        "g1",
        "bob",
        "COUNT",
        "5",
        "STREAMS",
        "dx",
        ">",
    ]));
    v.push(cmd(&["XACK", "dx", "g1", "1000-0", "1000-1"]));
    v.push(cmd(&["XGROUP", "CREATECONSUMER", "dx", "g2", "carol"]));
    v.push(cmd(&["XDEL", "dx", "1001-1", "1005-0"]));
    v.push(cmd(&["SET", "ds:int", "-1234567"]));
    v.push(cmd(&["SET", "ds:ttl", "v", "PX", "900000000"]));
    v.push(cmd(&["SADD", "dset:ints", "1", "2", "3", "-40"]));
    v.push(cmd(&["SELECT", "7"]));
    v.push(cmd(&["SET", "only-in-7", "x", "EX", "100000"]));
    v.push(cmd(&["SELECT", "0"]));
    v
}

fn info_digest(path: &Path) -> String {
    let out = run(
        &rdbtool(),
        ["info".as_ref(), "--digest".as_ref(), path.as_os_str()],
    );
    out.expect_success();
    let text = out.stdout_str();
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("digest:"))
        .unwrap_or_else(|| panic!("no digest line in `rdbtool info --digest`:\n{text}"));
    line.trim().to_string()
}

#[test]
fn engine_digests_match_redis_70() {
    let s = Server::start(
        ServerKind::Redis70,
        &["--appendonly", "yes", "--appenddirname", "appendonlydir"],
    );
    let mut c = s.client();
    let pop = populate(&mut c, ServerKind::Redis70, &PopulateOpts::default());
    s.rewrite_aof();
    for r in c.pipeline(&extra_commands()) {
        assert!(!r.is_error(), "extra command failed: {r}");
    }
    let rdb = s.save_rdb();
    let want = c.cmd_str(&[b"DEBUG", b"DIGEST"]);
    assert_ne!(want, "0".repeat(40));

    let (ks, _) = formats::engine::load_rdb(std::fs::File::open(&rdb).unwrap()).unwrap();

    // Every key of every db.
    let mut checked = 0;
    let mut bad = Vec::new();
    for db in 0..16usize {
        c.cmd_ok(&[b"SELECT", db.to_string().as_bytes()]);
        let keys: Vec<Vec<u8>> = c
            .cmd(&[b"KEYS", b"*"])
            .into_array()
            .unwrap_or_default()
            .iter()
            .map(|k| k.as_bytes().unwrap_or_default().to_vec())
            .collect();
        let cmds: Vec<Vec<Vec<u8>>> = keys
            .iter()
            .map(|k| vec![b("DEBUG"), b("DIGEST-VALUE"), k.clone()])
            .collect();
        let replies = c.pipeline(&cmds);
        for (k, r) in keys.iter().zip(replies) {
            let server = r
                .into_array()
                .and_then(|a| a.first().map(e2e::Reply::text))
                .unwrap_or_default();
            let ty = c.cmd_str(&[b"TYPE", k]);
            let got = ks
                .db(db)
                .and_then(|d| d.get(k))
                .map(|e| hex(&value_digest(e)));
            checked += 1;
            if got.as_deref() != Some(server.as_str()) {
                bad.push(format!(
                    "db {db} {} ({ty}): server {server}, engine {got:?}",
                    e2e::resp::show_arg(k)
                ));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "{} of {checked} keys differ; first ones:\n{}",
        bad.len(),
        bad.iter().take(10).cloned().collect::<Vec<_>>().join("\n")
    );
    assert!(checked >= pop.key_count(), "{checked} keys checked");
    assert_eq!(ks.key_count(), checked);
    assert_eq!(hex(&dataset_digest(&ks)), want, "DEBUG DIGEST");

    // rdbtool info --digest on the RDB (text and JSON), the AOF directory, JSON Lines.
    assert_eq!(info_digest(&rdb), want, "info --digest on the RDB");
    let out = run(
        &rdbtool(),
        [
            "info".as_ref(),
            "--digest".as_ref(),
            "--json".as_ref(),
            rdb.as_os_str(),
        ],
    );
    out.expect_success();
    assert!(
        out.stdout_str().contains(&format!("\"digest\":\"{want}\"")),
        "{}",
        out.stdout_str()
    );
    let aof = s.dir().join("appendonlydir");
    assert_eq!(
        info_digest(&aof),
        want,
        "info --digest on the AOF directory"
    );
    let tmp = tempfile::tempdir().unwrap();
    let jsonl = tmp.path().join("d.jsonl");
    run(
        &rdbtool(),
        [
            "convert".as_ref(),
            rdb.as_os_str(),
            jsonl.as_os_str(),
            "--to".as_ref(),
            "jsonl".as_ref(),
        ],
    )
    .expect_success();
    assert_eq!(info_digest(&jsonl), want, "info --digest on JSON Lines");
}

/// Keys already expired in the RDB: `rdbtool info --digest` drops them, as Redis 7.0
/// loading the RDB as a master does, so it prints the loading server's digest (not the
/// saving server's, which still holds them).
#[test]
fn info_digest_drops_expired_keys_as_a_loading_master() {
    let s = Server::start(ServerKind::Redis70, &[]);
    let mut c = s.client();
    let pop = populate(
        &mut c,
        ServerKind::Redis70,
        &PopulateOpts::default().with_expired(),
    );
    assert!(!pop.expired.is_empty());
    let rdb = s.save_rdb();
    let before = c.cmd_str(&[b"DEBUG", b"DIGEST"]);
    let loaded = Server::start_with_rdb(ServerKind::Redis70, &rdb, &[]);
    let want = loaded.client().cmd_str(&[b"DEBUG", b"DIGEST"]);
    assert_ne!(
        before, want,
        "the saving server still holds the expired keys"
    );
    assert_eq!(info_digest(&rdb), want);
}

//! Real servers as the oracle: each of Redis 7.0, Redis 6.2 and Valkey 8.1 generates a
//! dataset with every type and encoding it writes, saves it, and:
//! - `rdbtool dump` of the RDB equals what the server holds;
//! - `rdbtool verify` says valid, and agrees with the key count;
//! - `rdbtool dump --format resp` piped into a fresh server of the same kind rebuilds the
//!   same dataset (`DEBUG DIGEST` equal, and the full model equal, stream groups included).

use e2e::bin::{rdbtool, run};
use e2e::model::Model;
use e2e::{PopulateOpts, Server, ServerKind, now_ms, populate};

/// Keys whose `DEBUG DIGEST-VALUE` differs between two servers (for failure messages).
fn differing_keys(a: &Server, b: &Server, model: &Model) -> Vec<String> {
    let (mut ca, mut cb) = (a.client(), b.client());
    let mut out = Vec::new();
    for (db, key) in model.keys.keys() {
        let db = db.to_string();
        ca.cmd_ok(&[b"SELECT", db.as_bytes()]);
        cb.cmd_ok(&[b"SELECT", db.as_bytes()]);
        let da = ca.cmd(&[b"DEBUG", b"DIGEST-VALUE", key]);
        let dbb = cb.cmd(&[b"DEBUG", b"DIGEST-VALUE", key]);
        if da != dbb {
            out.push(format!("db {db} {}", String::from_utf8_lossy(key)));
        }
    }
    out
}

fn digest(s: &Server) -> Vec<u8> {
    let mut c = s.client();
    c.cmd_bulk(&[b"DEBUG", b"DIGEST"])
        .expect("DEBUG DIGEST reply")
}

fn round_trip(kind: ServerKind, opts: PopulateOpts) {
    let src = Server::start(kind, &[]);
    let populated = populate(&mut src.client(), kind, &opts);
    let rdb = src.save_rdb();
    let head = std::fs::read(&rdb).expect("read rdb");
    assert!(
        head.starts_with(kind.rdb_magic()),
        "{kind:?} wrote {:?}",
        &head[..9]
    );

    // What the file says == what the server holds.
    let out = run(
        &rdbtool(),
        ["dump".as_ref(), "-q".as_ref(), rdb.as_os_str()],
    );
    out.expect_success();
    let dumped = Model::from_dump_jsonl(&String::from_utf8_lossy(&out.stdout));
    let live = Model::from_server_all(&mut src.client());
    assert!(
        live.len() >= populated.key_count(),
        "server holds {} keys",
        live.len()
    );
    dumped.without_expired(now_ms()).assert_same(
        &live.without_functions(),
        &format!("{kind:?}: dump vs server"),
    );

    // verify agrees.
    let v = run(
        &rdbtool(),
        [
            "verify".as_ref(),
            "-q".as_ref(),
            "--json".as_ref(),
            rdb.as_os_str(),
        ],
    );
    v.expect_success();
    let j: serde_json::Value = serde_json::from_slice(&v.stdout).expect("verify json");
    assert_eq!(j["ok"], true, "{j}");
    assert_eq!(j["checksum"], "ok", "{j}");
    assert_eq!(j["keys"].as_u64(), Some(dumped.len() as u64), "{j}");
    assert_eq!(
        j["version"].as_u64(),
        Some(u64::from(kind.rdb_version())),
        "{j}"
    );

    // RESP output rebuilds the same dataset in a fresh server.
    let resp = run(
        &rdbtool(),
        [
            "dump".as_ref(),
            "-q".as_ref(),
            "--format".as_ref(),
            "resp".as_ref(),
            rdb.as_os_str(),
        ],
    );
    resp.expect_success();
    let dst = Server::start(kind, &[]);
    dst.pipe(&resp.stdout);
    let rebuilt = Model::from_server_all(&mut dst.client());
    rebuilt
        .without_consumer_times()
        .without_delivery_times()
        .assert_same(
            &live.without_consumer_times().without_delivery_times(),
            &format!("{kind:?}: rebuilt from RESP"),
        );
    assert_eq!(
        String::from_utf8_lossy(&digest(&dst)),
        String::from_utf8_lossy(&digest(&src)),
        "{kind:?}: DEBUG DIGEST after loading our RESP output; keys that differ: {:?}",
        differing_keys(&src, &dst, &live)
    );
}

#[test]
fn redis70_dump_verify_and_resp_round_trip() {
    round_trip(
        ServerKind::Redis70,
        PopulateOpts::scale(1).with_expired().with_big(),
    );
}

#[test]
fn redis62_dump_verify_and_resp_round_trip() {
    round_trip(ServerKind::Redis62, PopulateOpts::scale(1).with_expired());
}

#[test]
fn valkey81_dump_verify_and_resp_round_trip() {
    round_trip(ServerKind::Valkey81, PopulateOpts::scale(1).with_expired());
}

/// The file read from a pipe gives exactly what the file read from disk gives.
#[test]
fn stdin_and_file_give_identical_output() {
    let s = Server::start(ServerKind::Redis70, &[]);
    populate(
        &mut s.client(),
        ServerKind::Redis70,
        &PopulateOpts::scale(1),
    );
    let rdb = s.save_rdb();
    let from_file = run(
        &rdbtool(),
        ["dump".as_ref(), "-q".as_ref(), rdb.as_os_str()],
    );
    from_file.expect_success();
    let bytes = std::fs::read(&rdb).expect("rdb");
    let from_pipe = e2e::bin::run_with_stdin(&rdbtool(), ["dump", "-q", "-"], &bytes);
    from_pipe.expect_success();
    assert!(
        from_file.stdout == from_pipe.stdout,
        "stdin and file dumps differ"
    );
}

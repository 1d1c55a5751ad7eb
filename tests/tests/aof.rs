//! `aoftool verify` against `redis-check-aof`: the verdicts recorded next to the
//! generated AOF fixtures, the real `redis-check-aof` 7.0 on every other AOF, and on
//! copies cut and corrupted at random offsets. Validity, `ok_up_to` and
//! `ok_up_to_line` must agree.

use std::path::{Path, PathBuf};
use std::process::Command;

use e2e::bin::{aoftool, run, shared_fixtures};
use e2e::server::tool;
use serde_json::Value;

/// (file name, size, ok_up_to, ok_up_to_line) from `AOF analyzed: ...` lines.
fn analyzed(text: &str) -> Vec<(String, u64, u64, u64)> {
    text.lines()
        .filter_map(|l| l.strip_prefix("AOF analyzed: "))
        .map(|l| {
            let get = |k: &str| {
                l.split(", ")
                    .find_map(|kv| kv.strip_prefix(&format!("{k}=")))
                    .unwrap_or("")
                    .to_string()
            };
            let num = |k: &str| {
                get(k)
                    .parse::<u64>()
                    .unwrap_or_else(|_| panic!("{k} in {l}"))
            };
            let name = get("filename");
            let base = Path::new(&name)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or(name);
            (base, num("size"), num("ok_up_to"), num("ok_up_to_line"))
        })
        .collect()
}

fn ours(path: &Path) -> (i32, Value) {
    let out = run(
        &aoftool(),
        ["verify".as_ref(), "--json".as_ref(), path.as_os_str()],
    );
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{}: no JSON ({e}): {}", path.display(), out.stderr));
    (out.code, v)
}

fn our_files(v: &Value) -> Vec<(String, u64, u64, u64)> {
    v["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| {
            let name = f["file"].as_str().unwrap_or_default();
            let base = Path::new(name)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (
                base,
                f["size"].as_u64().unwrap(),
                f["valid_up_to"].as_u64().unwrap(),
                f["valid_up_to_line"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn generated_aof_dirs_match_their_recorded_redis_check_aof_verdicts() {
    let Some(root) = shared_fixtures() else {
        return;
    };
    let mut checked = 0;
    for server in ["redis-7.0", "valkey-8.1", "redis-7.4"] {
        for e in std::fs::read_dir(root.join(server)).unwrap() {
            let d = e.unwrap().path();
            let dir = d.join("appendonlydir");
            if !dir.is_dir() {
                continue;
            }
            let check = std::fs::read_to_string(d.join("check.txt")).unwrap();
            let want_ok = check.contains("# exit status: 0");
            let (code, v) = ours(&dir);
            assert_eq!(code, if want_ok { 0 } else { 1 }, "{}: {v}", dir.display());
            assert_eq!(v["ok"], want_ok, "{}", dir.display());
            assert_eq!(our_files(&v), analyzed(&check), "{}", dir.display());
            // The manifest itself gives the same report.
            let (_, v2) = ours(&dir.join("appendonly.aof.manifest"));
            assert_eq!(our_files(&v2), our_files(&v));
            checked += 1;
        }
    }
    assert!(checked >= 8, "{checked}");
}

fn redis_check_aof(path: &Path) -> (i32, Vec<(String, u64, u64, u64)>) {
    let bin = tool("REDIS_CHECK_AOF")
        .expect("redis-check-aof not found: run scripts/install-test-deps.sh");
    let out = Command::new(bin)
        .arg(path)
        .output()
        .expect("redis-check-aof");
    (
        out.status.code().unwrap_or(-1),
        analyzed(&String::from_utf8_lossy(&out.stdout)),
    )
}

fn single_file_aofs(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                if !p.ends_with("appendonlydir") {
                    stack.push(p);
                }
            } else if p.extension().is_some_and(|x| x == "aof") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn assert_agrees(path: &Path) {
    let (code, theirs) = redis_check_aof(path);
    let (our_code, v) = ours(path);
    assert_eq!(
        our_code,
        if code == 0 { 0 } else { 1 },
        "{}: redis-check-aof exit {code}, ours {v}",
        path.display()
    );
    // redis-check-aof prints no "AOF analyzed" line when the RDB part is bad.
    if let Some(t) = theirs.last() {
        let o = our_files(&v);
        let o = o.last().expect("one file");
        assert_eq!(
            (o.1, o.2, o.3),
            (t.1, t.2, t.3),
            "{}: size, ok_up_to, ok_up_to_line",
            path.display()
        );
    }
}

#[test]
fn single_file_aofs_agree_with_redis_check_aof() {
    let Some(root) = shared_fixtures() else {
        return;
    };
    let files = single_file_aofs(&root);
    assert!(files.len() >= 12, "{}", files.len());
    for f in &files {
        assert_agrees(f);
    }
}

#[test]
fn cut_and_corrupted_copies_agree_with_redis_check_aof() {
    let Some(root) = shared_fixtures() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let sources = [
        root.join("redis-7.0/aof-resp/appendonlydir/appendonly.aof.2.incr.aof"),
        root.join("redis-7.0/aof-timestamp/appendonlydir/appendonly.aof.2.incr.aof"),
        root.join("redis-6.2/aof-preamble/appendonly.aof"),
    ];
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for src in &sources {
        let data = std::fs::read(src).unwrap();
        for i in 0..12 {
            let mut d = data.clone();
            let at = (next() as usize) % d.len();
            if i % 2 == 0 {
                d.truncate(at);
            } else {
                d[at] ^= (next() as u8) | 1;
            }
            let p = dir.path().join(format!("case-{i}.aof"));
            std::fs::write(&p, &d).unwrap();
            assert_agrees(&p);
        }
    }
}

/// Copies a fixture folder into a fresh temporary directory (writable).
fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let p = e.unwrap().path();
        let to = dst.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &to);
        } else {
            std::fs::write(&to, std::fs::read(&p).unwrap()).unwrap();
        }
    }
}

fn fix(args: &[&str], path: &Path) -> e2e::bin::RunOutput {
    let mut a: Vec<std::ffi::OsString> = vec!["verify".into()];
    a.extend(args.iter().map(Into::into));
    a.push(path.as_os_str().into());
    run(&aoftool(), a)
}

/// Starts Redis 7.0 on the AOF directory in `dir`, refusing cut files.
fn load(dir: tempfile::TempDir) -> e2e::Server {
    e2e::Server::start_in(
        e2e::ServerKind::Redis70,
        dir,
        &[
            "--appendonly",
            "yes",
            "--appenddirname",
            "appendonlydir",
            "--aof-load-truncated",
            "no",
        ],
    )
}

#[test]
fn fix_cuts_the_tail_keeps_a_backup_and_redis_loads_the_result() {
    let Some(root) = shared_fixtures() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(
        &root.join("redis-7.0/aof-truncated/appendonlydir"),
        &tmp.path().join("appendonlydir"),
    );
    let incr = tmp.path().join("appendonlydir/appendonly.aof.2.incr.aof");
    let original = std::fs::read(&incr).unwrap();
    let aof = tmp.path().join("appendonlydir");
    assert_eq!(fix(&[], &aof).code, 1);
    // Without a terminal and without --yes nothing changes.
    let refused = fix(&["--fix"], &aof);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert_eq!(std::fs::read(&incr).unwrap(), original);
    let fixed = fix(&["--fix", "--yes"], &aof);
    assert_eq!(fixed.code, 0, "{}", fixed.stderr);
    assert_eq!(std::fs::read(&incr).unwrap(), original[..1601]);
    // The backup is the original, byte for byte.
    let backup = std::fs::read_dir(&aof)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains(".incr.aof.bak-"))
        .expect("backup");
    assert_eq!(std::fs::read(&backup).unwrap(), original);
    std::fs::remove_file(&backup).unwrap();
    // Redis, refusing cut files, loads exactly the commands before the cut.
    let server = load(tmp);
    let held = e2e::Model::from_server_all(&mut server.client());
    let want =
        e2e::Model::from_expected_json(&root.join("redis-7.0/aof-truncated/loaded.expected.json"));
    held.without_consumer_times().assert_same(
        &want.without_consumer_times().without_expired(e2e::now_ms()),
        "after --fix",
    );
}

#[test]
fn fix_in_a_middle_incr_moves_later_files_to_history() {
    let Some(root) = shared_fixtures() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let aof = tmp.path().join("appendonlydir");
    copy_dir(&root.join("redis-7.0/aof-resp/appendonlydir"), &aof);
    let incr2 = aof.join("appendonly.aof.2.incr.aof");
    let data = std::fs::read(&incr2).unwrap();
    std::fs::write(&incr2, &data[..data.len() - 5]).unwrap();
    std::fs::write(
        aof.join("appendonly.aof.3.incr.aof"),
        b"*3\r\n$3\r\nSET\r\n$5\r\nlater\r\n$1\r\nx\r\n",
    )
    .unwrap();
    let manifest = aof.join("appendonly.aof.manifest");
    let mut m = std::fs::read(&manifest).unwrap();
    m.extend_from_slice(b"file appendonly.aof.3.incr.aof seq 3 type i\n");
    std::fs::write(&manifest, &m).unwrap();
    let (code, v) = ours(&aof);
    assert_eq!(code, 1, "{v}");
    let fixed = fix(&["--fix", "--yes", "--no-backup"], &aof);
    assert_eq!(fixed.code, 0, "{}", fixed.stderr);
    assert!(
        fixed.stderr.contains("no longer be loaded"),
        "{}",
        fixed.stderr
    );
    let text = String::from_utf8(std::fs::read(&manifest).unwrap()).unwrap();
    assert!(
        text.contains("file appendonly.aof.3.incr.aof seq 3 type h"),
        "{text}"
    );
    assert!(
        text.ends_with("file appendonly.aof.2.incr.aof seq 2 type i\n"),
        "{text}"
    );
    assert!(
        !std::fs::read_dir(&aof).unwrap().any(|e| e
            .unwrap()
            .path()
            .to_string_lossy()
            .contains(".bak-"))
    );
    let server = load(tmp);
    let mut c = server.client();
    assert!(
        c.cmd(&[b"EXISTS", b"later"]).as_int() == Some(0),
        "a history file was loaded"
    );
    assert!(c.cmd(&[b"DBSIZE"]).as_int().unwrap_or(0) > 0);
}

#[test]
fn truncate_to_timestamp_cuts_at_the_first_later_annotation() {
    let Some(root) = shared_fixtures() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let aof = tmp.path().join("appendonlydir");
    copy_dir(&root.join("redis-7.0/aof-timestamp/appendonlydir"), &aof);
    let (_, v) = ours(&aof);
    let incr = &v["files"][1];
    let (first, last) = (
        incr["ts"]["first"].as_i64().unwrap(),
        incr["ts"]["last"].as_i64().unwrap(),
    );
    assert!(last > first);
    let cut = fix(
        &[
            "--truncate-to-timestamp",
            &first.to_string(),
            "--yes",
            "--no-backup",
        ],
        &aof,
    );
    assert_eq!(cut.code, 0, "{}", cut.stderr);
    let (code, v) = ours(&aof);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["files"][1]["ts"]["last"].as_i64(), Some(first), "{v}");
    // Nothing later than the newest annotation: nothing to cut.
    let none = fix(
        &["--truncate-to-timestamp", &(last + 10).to_string(), "--yes"],
        &aof,
    );
    assert!(none.stderr.contains("nothing to cut"), "{}", none.stderr);
    let server = load(tmp);
    assert!(server.client().cmd(&[b"DBSIZE"]).as_int().unwrap_or(0) > 0);
}

#[test]
fn unknown_commands_and_wrong_arity_are_warnings() {
    let Some(root) = shared_fixtures() else {
        return;
    };
    // Real AOFs: nothing unknown but module commands.
    for f in single_file_aofs(&root) {
        let (_, v) = ours(&f);
        for file in v["files"].as_array().unwrap() {
            let unknown: Vec<&String> = file["unknown_commands"]
                .as_object()
                .unwrap()
                .keys()
                .collect();
            assert!(
                unknown.iter().all(|n| n.contains('.')),
                "{}: {unknown:?}",
                f.display()
            );
            assert_eq!(file["bad_arity"], 0, "{}", f.display());
        }
    }
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("w.aof");
    std::fs::write(&p, b"*2\r\n$3\r\nSET\r\n$1\r\nk\r\n*1\r\n$7\r\nFOOBAR!\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n").unwrap();
    let (code, v) = ours(&p);
    assert_eq!(code, 0, "warnings do not make a file invalid: {v}");
    let f = &v["files"][0];
    assert_eq!(f["bad_arity"], 1, "{v}");
    assert_eq!(f["unknown_commands"]["foobar!"], 1, "{v}");
    assert_eq!(f["warnings"][0]["offset"], 0, "{v}");
}

fn digest(s: &e2e::Server) -> Vec<u8> {
    s.client()
        .cmd_bulk(&[b"DEBUG", b"DIGEST"])
        .expect("DEBUG DIGEST")
}

/// What a server loads from an AOF equals what our RESP dump of it rebuilds.
#[test]
fn dump_resp_rebuilds_what_the_server_loads_from_the_aof() {
    let Some(root) = shared_fixtures() else {
        return;
    };
    let cases: &[(e2e::ServerKind, &str, &[&str])] = &[
        (
            e2e::ServerKind::Redis70,
            "redis-7.0/aof-preamble",
            &["--appenddirname", "appendonlydir"],
        ),
        (
            e2e::ServerKind::Redis70,
            "redis-7.0/aof-resp",
            &["--appenddirname", "appendonlydir"],
        ),
        (
            e2e::ServerKind::Redis70,
            "redis-7.0/aof-timestamp",
            &["--appenddirname", "appendonlydir"],
        ),
        (
            e2e::ServerKind::Redis70,
            "redis-7.0/aof-truncated",
            &["--appenddirname", "appendonlydir"],
        ),
        (
            e2e::ServerKind::Valkey81,
            "valkey-8.1/aof-preamble",
            &["--appenddirname", "appendonlydir"],
        ),
        (
            e2e::ServerKind::Valkey81,
            "valkey-8.1/aof-resp",
            &["--appenddirname", "appendonlydir"],
        ),
        (
            e2e::ServerKind::Redis62,
            "redis-6.2/aof-preamble",
            &["--appendfilename", "appendonly.aof"],
        ),
        (
            e2e::ServerKind::Redis62,
            "redis-6.2/aof-resp",
            &["--appendfilename", "appendonly.aof"],
        ),
    ];
    for (kind, dir, args) in cases {
        let src = root.join(dir);
        let tmp = tempfile::tempdir().unwrap();
        let input = if src.join("appendonlydir").is_dir() {
            copy_dir(
                &src.join("appendonlydir"),
                &tmp.path().join("appendonlydir"),
            );
            tmp.path().join("appendonlydir")
        } else {
            std::fs::write(
                tmp.path().join("appendonly.aof"),
                std::fs::read(src.join("appendonly.aof")).unwrap(),
            )
            .unwrap();
            tmp.path().join("appendonly.aof")
        };
        let dumped = run(
            &aoftool(),
            [
                "dump".as_ref(),
                "-f".as_ref(),
                "resp".as_ref(),
                input.as_os_str(),
            ],
        );
        dumped.expect_success();
        let mut a = vec!["--appendonly", "yes"];
        a.extend_from_slice(args);
        let loaded = e2e::Server::start_in(*kind, tmp, &a);
        let fresh = e2e::Server::start(*kind, &[]);
        fresh.pipe(&dumped.stdout);
        // The fixtures' keys expire on fixed dates: loading keeps one whose time has
        // passed, a client's command deletes it at once.
        loaded.purge_expired();
        fresh.purge_expired();
        assert_eq!(
            String::from_utf8_lossy(&digest(&fresh)),
            String::from_utf8_lossy(&digest(&loaded)),
            "{dir}: DEBUG DIGEST"
        );
        let want = e2e::Model::from_server_all(&mut loaded.client());
        let got = e2e::Model::from_server_all(&mut fresh.client());
        got.without_consumer_times()
            .without_delivery_times()
            .assert_same(&want.without_consumer_times().without_delivery_times(), dir);
    }
}

#[test]
fn dump_filters_and_formats() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("f.aof");
    let mut data = Vec::new();
    data.extend_from_slice(b"#TS:1700000000\r\n");
    for (args, db) in [
        (&[&b"SELECT"[..], b"0"][..], 0),
        (&[b"SET", b"user:1", b"a"], 0),
        (&[b"MULTI"], 0),
        (&[b"SET", b"user:2", b"b"], 0),
        (&[b"INCR", b"counter"], 0),
        (&[b"EXEC"], 0),
        (&[b"SELECT", b"5"], 5),
        (&[b"SET", b"user:\xff", b"c d"], 5),
    ] {
        let _ = db;
        formats_free_write(&mut data, args);
    }
    std::fs::write(&p, &data).unwrap();
    let dump = |extra: &[&str]| {
        let mut a: Vec<std::ffi::OsString> = vec!["dump".into()];
        a.extend(extra.iter().map(Into::into));
        a.push(p.as_os_str().into());
        let o = run(&aoftool(), a);
        o.expect_success();
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let text = dump(&["--key", "user:*"]);
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(
        text.lines()
            .last()
            .unwrap()
            .ends_with("db=5 SET \"user:\\xff\" \"c d\""),
        "{text}"
    );
    assert_eq!(dump(&["--db", "5"]).lines().count(), 1);
    assert_eq!(dump(&["--command", "incr"]).lines().count(), 1);
    let j: Vec<Value> = dump(&["-f", "jsonl", "--command", "SET"])
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(j.len(), 3);
    assert_eq!(j[0]["ts"], 1700000000);
    assert_eq!(j[2]["args"][1], serde_json::json!({"base64": "dXNlcjr/"}));
    assert_eq!(j[2]["db"], 5);
    // resp keeps the transaction when unfiltered, and selects databases itself.
    let resp = dump(&["-f", "resp"]);
    assert!(
        resp.starts_with("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET"),
        "{resp:?}"
    );
    assert!(resp.contains("MULTI") && resp.contains("EXEC"));
}

fn formats_free_write(out: &mut Vec<u8>, args: &[&[u8]]) {
    out.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}

/// Redis 7.0 writes AOFs in each mode, with several rewrite generations and history
/// kept; our verify agrees with redis-check-aof, and our dump rebuilds what Redis loads.
#[test]
fn live_redis_aofs_in_every_mode() {
    let modes: &[&[&str]] = &[
        &["--aof-use-rdb-preamble", "yes"],
        &["--aof-use-rdb-preamble", "no"],
        &[
            "--aof-use-rdb-preamble",
            "no",
            "--aof-timestamp-enabled",
            "yes",
        ],
    ];
    for mode in modes {
        let mut args = vec![
            "--appendonly",
            "yes",
            "--appenddirname",
            "appendonlydir",
            "--aof-disable-auto-gc",
            "yes",
            "--appendfsync",
            "always",
            // Small thresholds: Redis rewrites on its own too.
            "--auto-aof-rewrite-percentage",
            "10",
            "--auto-aof-rewrite-min-size",
            "64kb",
        ];
        args.extend_from_slice(mode);
        let s = e2e::Server::start(e2e::ServerKind::Redis70, &args);
        let mut c = s.client();
        e2e::populate(
            &mut c,
            e2e::ServerKind::Redis70,
            &e2e::PopulateOpts::scale(1),
        );
        for round in 0..3 {
            let mut batch: Vec<Vec<Vec<u8>>> = Vec::new();
            for i in 0..200 {
                let r = |s: String| s.into_bytes();
                batch.push(vec![
                    r("SET".into()),
                    r(format!("k:{round}:{i}")),
                    r(format!("v{i}")),
                ]);
                batch.push(vec![
                    r("RPUSH".into()),
                    r(format!("l:{round}")),
                    r(i.to_string()),
                ]);
                batch.push(vec![
                    r("HSET".into()),
                    r(format!("h:{round}")),
                    r(format!("f{i}")),
                    r("v".into()),
                ]);
                batch.push(vec![
                    r("ZADD".into()),
                    r(format!("z:{round}")),
                    r(i.to_string()),
                    r(format!("m{i}")),
                ]);
                batch.push(vec![
                    r("XADD".into()),
                    r(format!("s:{round}")),
                    r("*".into()),
                    r("f".into()),
                    r(i.to_string()),
                ]);
                batch.push(vec![
                    r("INCRBY".into()),
                    r("counter".into()),
                    r(i.to_string()),
                ]);
                if i % 7 == 0 {
                    batch.push(vec![r("DEL".into()), r(format!("k:{round}:{}", i / 2))]);
                    batch.push(vec![
                        r("EXPIRE".into()),
                        r(format!("k:{round}:{i}")),
                        r("100000".into()),
                    ]);
                }
            }
            c.pipeline_ok(&batch);
            c.cmd(&[b"BGREWRITEAOF"]);
            // Wait for the rewrite to finish.
            for _ in 0..200 {
                let info = String::from_utf8_lossy(
                    &c.cmd_bulk(&[b"INFO", b"persistence"]).unwrap_or_default(),
                )
                .into_owned();
                if info.contains("aof_rewrite_in_progress:0")
                    && info.contains("aof_rewrite_scheduled:0")
                {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            c.cmd_ok(&[b"SET", format!("after:{round}").as_bytes(), b"y"]);
        }
        let dir = s.dir().join("appendonlydir");
        let (code, v) = ours(&dir);
        assert_eq!(code, 0, "{mode:?}: {v}");
        assert!(
            !v["history"].as_array().unwrap().is_empty(),
            "{mode:?}: no history kept: {v}"
        );
        let manifest = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|x| x == "manifest"))
            .unwrap();
        let (theirs, _) = redis_check_aof(&manifest);
        assert_eq!(theirs, 0, "{mode:?}: redis-check-aof disagrees");
        // Dump and replay into a fresh server: the same dataset as the live one.
        let dumped = run(
            &aoftool(),
            [
                "dump".as_ref(),
                "-f".as_ref(),
                "resp".as_ref(),
                dir.as_os_str(),
            ],
        );
        dumped.expect_success();
        let fresh = e2e::Server::start(e2e::ServerKind::Redis70, &[]);
        fresh.pipe(&dumped.stdout);
        assert_eq!(digest(&fresh), digest(&s), "{mode:?}: DEBUG DIGEST");
        // Cut the last INCR file anywhere: verify and redis-check-aof agree.
        let incr = v["files"].as_array().unwrap().last().unwrap()["file"]
            .as_str()
            .unwrap()
            .to_string();
        let data = std::fs::read(&incr).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let cut = tmp.path().join("cut.aof");
        for frac in [3, 5, 7] {
            std::fs::write(&cut, &data[..data.len() * frac / 10]).unwrap();
            assert_agrees(&cut);
        }
    }
}

/// On a terminal, --fix asks; "n" changes nothing, "y" repairs. (`script` gives the
/// command a pseudo-terminal.)
#[test]
fn fix_asks_on_a_terminal() {
    let Some(root) = shared_fixtures() else {
        return;
    };
    for (answer, code, cut) in [("n", 1, false), ("y", 0, true)] {
        let tmp = tempfile::tempdir().unwrap();
        let aof = tmp.path().join("appendonlydir");
        copy_dir(&root.join("redis-7.0/aof-truncated/appendonlydir"), &aof);
        let incr = aof.join("appendonly.aof.2.incr.aof");
        let cmdline = format!(
            "'{}' verify --fix --no-backup '{}'",
            aoftool().display(),
            aof.display()
        );
        let mut child = Command::new("script")
            .args(["-qec", &cmdline, "/dev/null"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("script (util-linux) runs the command on a pseudo-terminal");
        {
            use std::io::Write as _;
            let mut stdin = child.stdin.take().unwrap();
            std::thread::sleep(std::time::Duration::from_millis(300));
            stdin.write_all(format!("{answer}\n").as_bytes()).unwrap();
        }
        let out = child.wait_with_output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("Continue? [y/N]"), "{text}");
        assert_eq!(out.status.code(), Some(code), "{answer}: {text}");
        assert_eq!(
            std::fs::metadata(&incr).unwrap().len() == 1601,
            cut,
            "{answer}: {text}"
        );
    }
}

/// contract.md: `rdbtool verify` accepts AOF datasets too, with the same report.
#[test]
fn rdbtool_verify_checks_aofs_like_aoftool() {
    let Some(root) = shared_fixtures() else {
        return;
    };
    let mut inputs: Vec<PathBuf> = [
        "redis-7.0/aof-resp",
        "redis-7.0/aof-truncated",
        "valkey-8.1/aof-preamble",
    ]
    .iter()
    .map(|d| root.join(d).join("appendonlydir"))
    .collect();
    inputs.push(root.join("redis-7.0/aof-resp/appendonlydir/appendonly.aof.manifest"));
    inputs.push(root.join("external/HDT3213__rdb/memory.aof"));
    for p in inputs {
        let a = run(
            &aoftool(),
            ["verify".as_ref(), "--json".as_ref(), p.as_os_str()],
        );
        let r = run(
            &e2e::bin::rdbtool(),
            ["verify".as_ref(), "--json".as_ref(), p.as_os_str()],
        );
        assert_eq!(a.code, r.code, "{}", p.display());
        assert_eq!(a.stdout, r.stdout, "{}", p.display());
    }
}

//! The keyspace engine against a real Redis 7.0: a server writes an AOF (every type,
//! with a rewrite so the directory has a BASE and INCR files), and
//! - `rdbtool convert` of that AOF gives an RDB that a fresh Redis 7.0 loads with the
//!   source's `DEBUG DIGEST` and data;
//! - `aoftool rewrite` (to a new directory, and `--in-place`; RDB and RESP bases) gives
//!   an AOF a fresh Redis 7.0 loads with the same digest and data.

use std::path::Path;

use e2e::bin::{aoftool, copy_dir, rdbtool, run};
use e2e::model::Model;
use e2e::{PopulateOpts, Server, ServerKind, populate};

fn digest(s: &Server) -> String {
    s.client().cmd_str(&[b"DEBUG", b"DIGEST"])
}

/// Starts Redis 7.0 on the AOF directory `appendonlydir` in `dir`.
fn load_aof_dir(dir: tempfile::TempDir) -> Server {
    Server::start_in(
        ServerKind::Redis70,
        dir,
        &["--appendonly", "yes", "--appenddirname", "appendonlydir"],
    )
}

fn source(preamble: &str) -> Server {
    let s = Server::start(
        ServerKind::Redis70,
        &[
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
            "--aof-use-rdb-preamble",
            preamble,
        ],
    );
    let mut c = s.client();
    populate(&mut c, ServerKind::Redis70, &PopulateOpts::default());
    s.rewrite_aof();
    // Writes after the rewrite land in the new INCR file.
    for i in 0..200 {
        let k = format!("after:{i}");
        c.cmd_ok(&[b"SET", k.as_bytes(), b"v"]);
        c.cmd(&[b"RPUSH", b"after:list", k.as_bytes()]);
        c.cmd(&[b"HSET", b"after:hash", k.as_bytes(), b"x"]);
        if i % 3 == 0 {
            c.cmd(&[b"DEL", format!("after:{}", i / 2).as_bytes()]);
        }
    }
    c.cmd(&[b"PEXPIREAT", b"after:7", b"4102444800000"]);
    s
}

fn model(s: &Server) -> Model {
    Model::from_server_all(&mut s.client())
        .without_consumer_times()
        .without_delivery_times()
}

fn check(src: &Server, dst: &Server, what: &str) {
    assert_eq!(digest(dst), digest(src), "{what}: DEBUG DIGEST");
    model(dst).assert_same(&model(src), what);
}

fn aof_to_rdb_and_rewrite(preamble: &str) {
    let src = source(preamble);
    let aof = src.dir().join("appendonlydir");
    let tmp = tempfile::tempdir().unwrap();

    let rdb = tmp.path().join("out.rdb");
    run(
        &rdbtool(),
        [Path::new("convert"), Path::new("-q"), &aof, &rdb],
    )
    .expect_success();
    let dst = Server::start_with_rdb(ServerKind::Redis70, &rdb, &[]);
    check(
        &src,
        &dst,
        &format!("preamble {preamble}: AOF converted to RDB"),
    );
    dst.stop();

    for base in ["rdb", "none"] {
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
        let dst = load_aof_dir(out);
        check(
            &src,
            &dst,
            &format!("preamble {preamble}: rewritten, {base} base"),
        );
        dst.stop();
    }

    let copy = tempfile::tempdir().unwrap();
    copy_dir(&aof, &copy.path().join("appendonlydir"));
    let inplace = copy.path().join("appendonlydir");
    run(
        &aoftool(),
        [
            "rewrite".as_ref(),
            "-q".as_ref(),
            "--in-place".as_ref(),
            inplace.as_os_str(),
        ],
    )
    .expect_success();
    let files: Vec<String> = std::fs::read_dir(&inplace)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files.len(), 3, "old files are deleted: {files:?}");
    let dst = load_aof_dir(copy);
    check(
        &src,
        &dst,
        &format!("preamble {preamble}: rewritten in place"),
    );
}

#[test]
fn redis70_aof_with_rdb_preamble_converts_and_rewrites() {
    aof_to_rdb_and_rewrite("yes");
}

#[test]
fn redis70_resp_aof_converts_and_rewrites() {
    aof_to_rdb_and_rewrite("no");
}

#[test]
fn unknown_commands_are_named_unless_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    let aof = tmp.path().join("x.aof");
    std::fs::write(
        &aof,
        b"*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$9\r\nNOSUCHCMD\r\n$1\r\na\r\n",
    )
    .unwrap();
    let out = tmp.path().join("x.rdb");
    let r = run(
        &rdbtool(),
        [Path::new("convert"), Path::new("-q"), &aof, &out],
    );
    r.expect_code(2);
    assert!(
        r.stderr.contains("NOSUCHCMD") && r.stderr.contains("offset 27"),
        "{}",
        r.stderr
    );
    let r = run(
        &rdbtool(),
        [
            Path::new("convert"),
            Path::new("--skip-unknown"),
            &aof,
            &out,
        ],
    );
    r.expect_success();
    assert!(
        r.stderr.contains("skipped 1 unknown command(s) NOSUCHCMD"),
        "{}",
        r.stderr
    );
    let rewritten = tmp.path().join("y.aof");
    let r = run(
        &aoftool(),
        [
            "rewrite".as_ref(),
            "--skip-unknown".as_ref(),
            "-q".as_ref(),
            aof.as_os_str(),
            "-o".as_ref(),
            rewritten.as_os_str(),
        ],
    );
    r.expect_success();
    assert!(std::fs::read(&rewritten).unwrap().starts_with(b"REDIS"));
}

/// A multi-part AOF of plain SETs and DELs (what every engine version replays), large
/// enough that a rewrite takes a while.
fn big_set_aof(dir: &Path) {
    use std::io::Write as _;
    std::fs::create_dir_all(dir).unwrap();
    let mut incr = std::io::BufWriter::new(
        std::fs::File::create(dir.join("appendonly.aof.1.incr.aof")).unwrap(),
    );
    formats::aof::resp::write_command(&mut incr, &[b"SELECT", b"0"]).unwrap();
    for i in 0..300_000u32 {
        let k = format!("key:{i}");
        let v = format!("value {i} {}", "x".repeat((i % 50) as usize));
        formats::aof::resp::write_command(&mut incr, &[b"SET", k.as_bytes(), v.as_bytes()])
            .unwrap();
        if i % 10 == 0 {
            let d = format!("key:{}", i / 2);
            formats::aof::resp::write_command(&mut incr, &[b"DEL", d.as_bytes()]).unwrap();
        }
    }
    incr.flush().unwrap();
    std::fs::write(dir.join("appendonly.aof.1.base.aof"), b"").unwrap();
    std::fs::write(
        dir.join("appendonly.aof.manifest"),
        "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n",
    )
    .unwrap();
}

#[test]
fn in_place_rewrite_killed_at_any_moment_leaves_a_loadable_aof() {
    let tmp = tempfile::tempdir().unwrap();
    let orig = tmp.path().join("orig");
    big_set_aof(&orig);
    let want = {
        let d = tempfile::tempdir().unwrap();
        copy_dir(&orig, &d.path().join("appendonlydir"));
        let s = load_aof_dir(d);
        let dg = digest(&s);
        s.stop();
        dg
    };
    // Kill -9 after increasing delays, until a run completes.
    let mut delay_ms = 5u64;
    let mut completed = false;
    for _ in 0..12 {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path().join("appendonlydir");
        copy_dir(&orig, &dir);
        let mut child = std::process::Command::new(aoftool())
            .args(["rewrite", "-q", "--in-place"])
            .arg(&dir)
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let finished = child.try_wait().unwrap().is_some();
        if !finished {
            child.kill().unwrap();
        }
        child.wait().unwrap();
        completed |= finished;
        let s = load_aof_dir(d);
        assert_eq!(digest(&s), want, "killed after {delay_ms} ms");
        s.stop();
        if finished {
            break;
        }
        delay_ms = delay_ms * 2 + 7;
    }
    assert!(
        completed,
        "the rewrite never finished within the delays tried"
    );
}

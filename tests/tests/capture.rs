//! `rdbtool capture` following a real Redis 7.0 master: the master holds data of every
//! type (`e2e::populate`), capture connects as a replica, a paced write workload of every
//! type (MULTI/EXEC, expiries, Lua effects, SELECT of other dbs, RENAME, COPY, MOVE)
//! runs while it follows, and the link is cut half-way (`CLIENT KILL TYPE replica`), so
//! capture must come back with a partial resync. Once capture's ACKed offset equals the
//! master's, SIGTERM makes it write its final snapshot and exit 0; a fresh Redis 7.0
//! loading that snapshot must report the master's `DEBUG DIGEST`.
//!
//! Both transfers of the full resync are run: disk-based (`$<len>`) and diskless
//! (`$EOF:<mark>`). Every snapshot seen under the final name while the workload runs
//! (read every 5 ms) must be a whole RDB, and loads in Redis (point in time: never a
//! partial file under that name).
//!
//! Also: a second run started from the first one's snapshot resyncs partially, then
//! fully once the master's backlog is gone; kill -9 of the snapshot child and of capture
//! itself; AUTH and refusals; and, against a master played by the test, unknown
//! commands, `--skip-unknown`, GETACK, a malformed stream and a payload that is not an
//! RDB.

use std::fs;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use e2e::bin::{copy_dir, rdbtool, run_full};
use e2e::populate::Rng;
use e2e::server::info_map;
use e2e::{Client, PopulateOpts, Reply, Server, ServerKind, populate};
use formats::rdb::read::ChecksumStatus;

type Cmd = Vec<Vec<u8>>;

fn c(parts: &[String]) -> Cmd {
    parts.iter().map(|p| p.as_bytes().to_vec()).collect()
}

macro_rules! cmd {
    ($($x:expr),* $(,)?) => { c(&[$($x.to_string()),*]) };
}

/// An expiry far enough ahead that nothing expires during the test (an expired key is
/// left out by the server loading the snapshot, but still counted in the master's digest).
const TTL: u64 = 3600;

fn elem(r: &mut Rng) -> String {
    match r.below(8) {
        0 => "v".repeat(30 + r.below(100) as usize),
        1 => r.below(100_000).to_string(),
        _ => format!("e{}", r.below(50)),
    }
}

/// One write of a random type; the key pools are per type, so nearly every command
/// succeeds (one that fails is not propagated, which is fine too).
fn one(r: &mut Rng) -> Cmd {
    let k = r.below(8);
    let e = elem(r);
    match r.below(24) {
        0 => cmd!("SET", format!("w:s{k}"), e),
        1 => cmd!("APPEND", format!("w:s{k}"), e),
        2 => cmd!("INCRBY", format!("w:n{k}"), r.below(1000)),
        3 => cmd!("SET", format!("w:t{k}"), e, "EX", TTL),
        4 => cmd!("RPUSH", format!("w:l{k}"), e, elem(r)),
        5 => cmd!("LPOP", format!("w:l{k}")),
        6 => cmd!("LPUSH", format!("w:l{k}"), e),
        7 => cmd!("SADD", format!("w:set{k}"), e, r.below(600)),
        8 => cmd!("SREM", format!("w:set{k}"), e),
        9 => cmd!("ZADD", format!("w:z{k}"), r.below(1000) as f64 / 7.0, e),
        10 => cmd!("ZINCRBY", format!("w:z{k}"), 1.5, e),
        11 => cmd!("ZREM", format!("w:z{k}"), e),
        12 => cmd!("HSET", format!("w:h{k}"), format!("f{}", r.below(200)), e),
        13 => cmd!("HINCRBY", format!("w:h{k}"), "counter", r.below(10)),
        14 => cmd!("HDEL", format!("w:h{k}"), format!("f{}", r.below(200))),
        15 => cmd!("XADD", format!("w:x{k}"), "*", "f", e),
        16 => cmd!("EXPIRE", format!("w:l{k}"), TTL),
        17 => cmd!("PERSIST", format!("w:l{k}")),
        18 => cmd!("DEL", format!("w:s{k}")),
        19 => cmd!("PFADD", format!("w:p{k}"), e),
        20 => cmd!("SETRANGE", format!("w:s{k}"), r.below(20), e),
        21 => cmd!("COPY", format!("w:h{k}"), format!("w:hc{k}"), "REPLACE"),
        22 => cmd!(
            "EVAL",
            "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('INCR', KEYS[2])",
            2,
            format!("w:ls{k}"),
            format!("w:ln{k}"),
            e
        ),
        _ => cmd!("RENAME", format!("w:s{k}"), format!("w:r{k}")),
    }
}

/// A batch of writes: single commands, MULTI/EXEC blocks, writes in other dbs (the
/// connection's SELECT is put back to 0 at the end of the batch).
fn batch(r: &mut Rng, n: usize) -> Vec<Cmd> {
    let mut out = Vec::with_capacity(n + 16);
    while out.len() < n {
        match r.below(20) {
            0 => {
                out.push(cmd!("MULTI"));
                for _ in 0..1 + r.below(5) {
                    out.push(one(r));
                }
                out.push(cmd!("EXEC"));
            }
            1 => {
                let db = 1 + r.below(3);
                out.push(cmd!("SELECT", db));
                for _ in 0..1 + r.below(10) {
                    out.push(one(r));
                }
                out.push(cmd!("SELECT", 0));
            }
            2 => out.push(cmd!("MOVE", format!("w:r{}", r.below(8)), 5)),
            _ => out.push(one(r)),
        }
    }
    out
}

fn digest(c: &mut Client) -> String {
    c.cmd_str(&[b"DEBUG", b"DIGEST"])
}

/// The offset the first replica ACKed and the master's offset.
fn offsets(c: &mut Client) -> (Option<u64>, u64) {
    let info = info_map(&c.cmd_str(&[b"INFO", b"replication"]));
    let replica = info.get("slave0").and_then(|s| {
        s.split(',')
            .find_map(|kv| kv.strip_prefix("offset="))
            .and_then(|v| v.parse().ok())
    });
    let master = info["master_repl_offset"]
        .parse()
        .expect("master_repl_offset");
    (replica, master)
}

/// Waits (up to 30 s) until capture is an online replica of the master (its full resync
/// done).
fn wait_online(mc: &mut Client, cap: &mut Capture) {
    let until = Instant::now() + Duration::from_secs(30);
    loop {
        let info = info_map(&mc.cmd_str(&[b"INFO", b"replication"]));
        if info
            .get("slave0")
            .is_some_and(|s| s.contains("state=online"))
        {
            return;
        }
        cap.assert_running();
        assert!(
            Instant::now() < until,
            "capture is not an online replica after 30 s:\n{}",
            cap.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits (up to 30 s) until capture's ACKed offset is the master's.
fn wait_caught_up(mc: &mut Client, cap: &mut Capture) {
    let until = Instant::now() + Duration::from_secs(30);
    loop {
        let (replica, master_off) = offsets(mc);
        if replica == Some(master_off) {
            return;
        }
        cap.assert_running();
        assert!(
            Instant::now() < until,
            "capture's offset {replica:?} did not reach the master's {master_off}:\n{}",
            cap.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn stat(c: &mut Client, name: &str) -> u64 {
    info_map(&c.cmd_str(&[b"INFO", b"stats"]))[name]
        .parse()
        .expect("a number")
}

/// A running `rdbtool capture`, its stderr in a file; killed if the test fails.
struct Capture {
    child: Option<Child>,
    stderr: PathBuf,
}

impl Capture {
    fn start(args: &[&str], stderr: PathBuf) -> Capture {
        let err = fs::File::create(&stderr).expect("stderr file");
        let child = Command::new(rdbtool())
            .arg("capture")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(err)
            .spawn()
            .expect("start rdbtool capture");
        Capture {
            child: Some(child),
            stderr,
        }
    }

    fn log(&self) -> String {
        fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    fn assert_running(&mut self) {
        let status = self
            .child
            .as_mut()
            .and_then(|c| c.try_wait().ok().flatten());
        assert!(
            status.is_none(),
            "capture exited ({status:?}):\n{}",
            self.log()
        );
    }

    /// SIGTERM, then waits (up to 30 s) for the exit code.
    fn terminate(&mut self) -> i32 {
        let mut child = self.child.take().expect("running");
        signal(&child, "TERM");
        let until = Instant::now() + Duration::from_secs(30);
        while Instant::now() < until {
            if let Some(s) = child.try_wait().expect("try_wait") {
                return s.code().unwrap_or(-1);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!(
            "capture did not exit within 30 s of SIGTERM:\n{}",
            self.log()
        );
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Sends a signal to a child we started, by its pid (the harness's way: the shell's kill).
fn signal(child: &Child, sig: &str) {
    let pid = child.id().to_string();
    let ok = Command::new("sh")
        .args(["-c", &format!("kill -{sig} \"$1\""), "sh", &pid])
        .status()
        .expect("run kill");
    assert!(ok.success(), "kill -{sig} {pid} failed");
}

/// Reads `path` every few milliseconds until `stop`: each new content must be a complete
/// RDB (read to its end, checksum right) and is copied into `into`; returns the copies.
fn watch_snapshots(
    path: PathBuf,
    into: PathBuf,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<Vec<PathBuf>> {
    std::thread::spawn(move || {
        let mut copies = Vec::new();
        let mut last = Vec::new();
        while !stop.load(Ordering::Relaxed) {
            if let Ok(bytes) = fs::read(&path)
                && bytes != last
            {
                if let Err(e) = whole_rdb(&bytes) {
                    panic!("{} is not a whole RDB: {e}", path.display());
                }
                let p = into.join(format!("snap-{}.rdb", copies.len()));
                fs::write(&p, &bytes).expect("write copy");
                copies.push(p);
                last = bytes;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        copies
    })
}

fn follow_master(diskless: bool, seed: u64) {
    let yes_no = if diskless { "yes" } else { "no" };
    let master = Server::start(
        ServerKind::Redis70,
        &[
            "--repl-diskless-sync",
            yes_no,
            "--repl-diskless-sync-delay",
            "0",
        ],
    );
    let mut mc = master.client();
    populate(&mut mc, ServerKind::Redis70, &PopulateOpts::default());

    let work = tempfile::tempdir().expect("tempdir");
    let dir = work.path().join("out");
    fs::create_dir(&dir).expect("mkdir");
    let copies_dir = work.path().join("copies");
    fs::create_dir(&copies_dir).expect("mkdir");
    let addr = format!("127.0.0.1:{}", master.port());
    let d = dir.to_str().expect("utf-8 path");
    // The diskless run takes flags, the disk-based one the same settings (and a few a
    // Redis config has that capture ignores) from a redis.conf-style file.
    let conf = work.path().join("capture.conf");
    fs::write(
        &conf,
        format!(
            "# capture settings\nport 7777\nreplicaof {} {}\ndir \"{d}\"\nsave 1 1\n\
             appendonly yes\nappendfsync everysec\nmaxmemory 1gb\n\
             auto-aof-rewrite-min-size 64kb\nauto-aof-rewrite-percentage 10\n",
            "127.0.0.1",
            master.port()
        ),
    )
    .expect("write the config");
    let flags = [
        "--replicaof",
        &addr,
        "--dir",
        d,
        "--save",
        "1 1",
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
        // Small, so that the AOF is rewritten during the workload.
        "--auto-aof-rewrite-min-size",
        "64kb",
        "--auto-aof-rewrite-percentage",
        "10",
    ];
    let from_file = ["--config", conf.to_str().expect("utf-8 path")];
    let mut cap = Capture::start(
        if diskless { &flags[..] } else { &from_file[..] },
        work.path().join("capture.err"),
    );

    // Wait for the full resync.
    wait_online(&mut mc, &mut cap);
    let partial_before = stat(&mut mc, "sync_partial_ok");

    let snap = dir.join("dump.rdb");
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = watch_snapshots(snap.clone(), copies_dir, Arc::clone(&stop));
    let mut r = Rng::new(seed);
    let batches = 20;
    for i in 0..batches {
        mc.pipeline(&batch(&mut r, 200));
        if i == batches / 2 {
            mc.cmd_ok(&[b"CLIENT", b"KILL", b"TYPE", b"replica"]);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    cap.assert_running();

    wait_caught_up(&mut mc, &mut cap);
    stop.store(true, Ordering::Relaxed);
    let copies = watcher.join().expect("every snapshot seen is a whole RDB");
    let want = digest(&mut mc);
    assert!(
        stat(&mut mc, "sync_partial_ok") > partial_before,
        "no partial resync after the link was killed:\n{}",
        cap.log()
    );
    assert_eq!(stat(&mut mc, "sync_full"), 1, "one full resync only");

    let code = cap.terminate();
    let log = cap.log();
    assert_eq!(code, 0, "capture's exit code after SIGTERM:\n{log}");
    assert!(log.contains("partial resync with"), "{log}");
    assert!(log.contains("snapshot saved: "), "{log}");
    // Each child reports what the fork cost in copied pages.
    assert!(log.contains(" kB"), "no copy-on-write reported:\n{log}");
    assert!(
        log.lines()
            .filter(|l| l.starts_with("snapshot saved") || l.starts_with("AOF rewritten"))
            .all(|l| l.contains(", copy-on-write ")),
        "{log}"
    );
    let mut left: Vec<_> = fs::read_dir(&dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    left.sort();
    assert_eq!(
        left,
        vec!["appendonlydir", "dump.rdb"],
        "only the snapshot and the AOF are left in --dir"
    );
    // The AOF: rewritten after the full resync and as it grew; Redis loads it.
    let rewrites = log.matches("AOF rewritten: ").count();
    assert!(rewrites >= 2, "{rewrites} AOF rewrite(s):\n{log}");
    let aof_copy = tempfile::tempdir().expect("tempdir");
    copy_dir(
        &dir.join("appendonlydir"),
        &aof_copy.path().join("appendonlydir"),
    );
    let from_aof = Server::start_in(
        ServerKind::Redis70,
        aof_copy,
        &["--appendonly", "yes", "--appenddirname", "appendonlydir"],
    );
    assert_eq!(
        digest(&mut from_aof.client()),
        want,
        "the AOF does not have the master's data\n{log}"
    );
    drop(from_aof);

    let fresh = Server::start_with_rdb(ServerKind::Redis70, &snap, &[]);
    assert_eq!(
        digest(&mut fresh.client()),
        want,
        "the final snapshot does not have the master's data\n{log}"
    );
    drop(fresh);

    // Every snapshot seen during the workload loads (at most four of them, spread out).
    assert!(
        copies.len() >= 2,
        "only {} snapshot(s) seen during the workload:\n{log}",
        copies.len()
    );
    let step = copies.len().div_ceil(4);
    for p in copies.iter().step_by(step) {
        let s = Server::start_with_rdb(ServerKind::Redis70, p, &[]);
        let keys = s.client().cmd_int(&[b"DBSIZE"]);
        assert!(keys > 0, "{} loaded empty", p.display());
    }
    eprintln!(
        "{} transfer: {} snapshots seen during the workload\n{log}",
        if diskless { "diskless" } else { "disk-based" },
        copies.len()
    );
}

#[test]
fn capture_follows_a_disk_based_master_through_a_partial_resync() {
    follow_master(false, 0xCA9_0001);
}

#[test]
fn capture_follows_a_diskless_master_through_a_partial_resync() {
    follow_master(true, 0xCA9_0002);
}

/// A second run started from the first one's snapshot (`--load`) continues with a
/// partial resync (the snapshot records the replication id and offset); when the
/// master's backlog no longer holds what capture missed, the partial resync is refused
/// and a full one replaces the keyspace.
#[test]
fn capture_resumes_from_its_snapshot_and_falls_back_to_a_full_resync() {
    let master = Server::start(
        ServerKind::Redis70,
        &[
            "--repl-diskless-sync",
            "yes",
            "--repl-diskless-sync-delay",
            "0",
        ],
    );
    let mut mc = master.client();
    let mut r = Rng::new(0xCA9_0003);
    mc.pipeline(&batch(&mut r, 500));
    let work = tempfile::tempdir().expect("tempdir");
    let dir = work.path().join("out");
    fs::create_dir(&dir).expect("mkdir");
    let d = dir.to_str().expect("utf-8 path");
    let snap = dir.join("dump.rdb");
    let addr = format!("127.0.0.1:{}", master.port());
    let args = ["--replicaof", &addr, "--dir", d, "--save", "1 1"];

    let mut cap = Capture::start(&args, work.path().join("first.err"));
    wait_online(&mut mc, &mut cap);
    mc.pipeline(&batch(&mut r, 500));
    wait_caught_up(&mut mc, &mut cap);
    assert_eq!(cap.terminate(), 0, "{}", cap.log());

    // Missed while no capture runs: still in the master's backlog.
    mc.pipeline(&batch(&mut r, 500));
    let partial_before = stat(&mut mc, "sync_partial_ok");
    let snap_arg = snap.to_str().expect("utf-8 path");
    let mut with_load = args.to_vec();
    with_load.extend(["--load", snap_arg]);
    let mut cap = Capture::start(&with_load, work.path().join("second.err"));
    wait_online(&mut mc, &mut cap);
    wait_caught_up(&mut mc, &mut cap);
    assert_eq!(
        stat(&mut mc, "sync_partial_ok"),
        partial_before + 1,
        "the run started from the snapshot did not resync partially:\n{}",
        cap.log()
    );
    assert_eq!(stat(&mut mc, "sync_full"), 1);

    // Cut the link and write more than the (shrunk) backlog holds before capture is back.
    mc.cmd_ok(&[b"CONFIG", b"SET", b"repl-backlog-size", b"16384"]);
    let mut burst = vec![cmd!("CLIENT", "KILL", "TYPE", "replica")];
    for i in 0..12 {
        burst.push(cmd!("SET", format!("big{i}"), "b".repeat(40_000)));
    }
    burst.push(cmd!("FLUSHDB"));
    mc.pipeline_ok(&burst);
    mc.pipeline(&batch(&mut r, 300));
    let until = Instant::now() + Duration::from_secs(30);
    while stat(&mut mc, "sync_full") < 2 {
        cap.assert_running();
        assert!(Instant::now() < until, "no full resync:\n{}", cap.log());
        std::thread::sleep(Duration::from_millis(50));
    }
    wait_online(&mut mc, &mut cap);
    mc.pipeline(&batch(&mut r, 300));
    wait_caught_up(&mut mc, &mut cap);
    let want = digest(&mut mc);
    assert_eq!(cap.terminate(), 0, "{}", cap.log());
    let log = cap.log();
    assert!(log.contains("partial resync with"), "{log}");
    assert!(log.contains("full resync with"), "{log}");
    eprintln!("{log}");
    let fresh = Server::start_with_rdb(ServerKind::Redis70, &snap, &[]);
    assert_eq!(digest(&mut fresh.client()), want, "{log}");
}

#[test]
fn capture_refused_by_the_master_exits_2() {
    let master = Server::start(ServerKind::Redis70, &[]);
    // Set after the start: the harness's readiness check does not authenticate.
    master
        .client()
        .cmd_ok(&[b"CONFIG", b"SET", b"requirepass", b"sesame"]);
    let addr = format!("127.0.0.1:{}", master.port());
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path().to_str().expect("utf-8 path");
    let t = Duration::from_secs(30);
    let out = run_full(
        &rdbtool(),
        ["capture", "--replicaof", &addr, "--dir", d],
        None,
        t,
    );
    out.expect_code(2);
    assert!(out.stderr.contains("NOAUTH"), "{}", out.stderr);
    let out = run_full(
        &rdbtool(),
        [
            "capture",
            "--replicaof",
            &addr,
            "--dir",
            d,
            "--password",
            "nope",
        ],
        None,
        t,
    );
    out.expect_code(2);
    assert!(out.stderr.contains("refused AUTH"), "{}", out.stderr);
    // Nobody listening: a clear error, no retry forever before a first sync.
    let out = run_full(
        &rdbtool(),
        ["capture", "--replicaof", "127.0.0.1:1", "--dir", d],
        None,
        t,
    );
    out.expect_code(2);
    assert!(out.stderr.contains("cannot connect"), "{}", out.stderr);
    assert_eq!(fs::read_dir(dir.path()).expect("dir").count(), 0);

    // With the password (and an ACL user), capture syncs and saves at SIGTERM.
    let mut mc = master.client();
    mc.cmd_ok(&[b"AUTH", b"sesame"]);
    mc.cmd_ok(&[b"SET", b"k", b"v"]);
    mc.cmd_ok(&[b"CONFIG", b"SET", b"repl-diskless-sync-delay", b"0"]);
    mc.cmd_ok(&[b"ACL", b"SETUSER", b"repl", b"on", b">pw", b"+@all", b"~*"]);
    let mut cap = Capture::start(
        &[
            "--replicaof",
            &addr,
            "--dir",
            d,
            "--user",
            "repl",
            "--password",
            "pw",
        ],
        dir.path().join("capture.err"),
    );
    wait_online(&mut mc, &mut cap);
    assert_eq!(cap.terminate(), 0, "{}", cap.log());
    let fresh = Server::start_with_rdb(ServerKind::Redis70, &dir.path().join("dump.rdb"), &[]);
    assert_eq!(
        fresh.client().cmd_bulk(&[b"GET", b"k"]).as_deref(),
        Some(&b"v"[..])
    );
}

/// A master played by the test, for what a real one never sends: it answers the
/// handshake, sends `rdb` as a disk-based payload (after a keep-alive newline) and then
/// `stream`, and reports every offset capture ACKs.
struct FakeMaster {
    port: u16,
    acks: std::sync::mpsc::Receiver<u64>,
    thread: Option<std::thread::JoinHandle<()>>,
}

fn read_cmd(r: &mut impl std::io::BufRead) -> Option<Vec<Vec<u8>>> {
    let mut line = String::new();
    if r.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let n: usize = line.trim().strip_prefix('*')?.parse().ok()?;
    let mut out = Vec::new();
    for _ in 0..n {
        line.clear();
        r.read_line(&mut line).ok()?;
        let len: usize = line.trim().strip_prefix('$')?.parse().ok()?;
        let mut b = vec![0; len + 2];
        r.read_exact(&mut b).ok()?;
        b.truncate(len);
        out.push(b);
    }
    Some(out)
}

impl FakeMaster {
    fn start(rdb: Vec<u8>, stream: Vec<u8>) -> FakeMaster {
        use std::io::{BufReader, Write};
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = l.local_addr().expect("addr").port();
        let (tx, acks) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let (sock, _) = l.accept().expect("accept");
            let mut w = sock.try_clone().expect("clone");
            let mut r = BufReader::new(sock);
            while let Some(cmd) = read_cmd(&mut r) {
                let name = String::from_utf8_lossy(&cmd[0]).to_ascii_uppercase();
                match name.as_str() {
                    "PING" => w.write_all(b"+PONG\r\n").expect("write"),
                    "PSYNC" => {
                        let mut out =
                            format!("+FULLRESYNC {} 0\r\n\n", "f".repeat(40)).into_bytes();
                        out.extend_from_slice(format!("${}\r\n", rdb.len()).as_bytes());
                        out.extend_from_slice(&rdb);
                        out.extend_from_slice(&stream);
                        w.write_all(&out).expect("write");
                    }
                    "REPLCONF" if cmd[1].eq_ignore_ascii_case(b"ACK") => {
                        let off = String::from_utf8_lossy(&cmd[2]).parse().expect("offset");
                        let _ = tx.send(off);
                    }
                    _ => w.write_all(b"+OK\r\n").expect("write"),
                }
            }
        });
        FakeMaster {
            port,
            acks,
            thread: Some(thread),
        }
    }

    /// Waits (up to 30 s) for an ACK of `offset`.
    fn wait_ack(&self, offset: u64, cap: &mut Capture) {
        let until = Instant::now() + Duration::from_secs(30);
        while Instant::now() < until {
            match self.acks.recv_timeout(Duration::from_millis(100)) {
                Ok(o) if o == offset => return,
                _ => cap.assert_running(),
            }
        }
        panic!("no ACK of offset {offset}:\n{}", cap.log());
    }
}

impl Drop for FakeMaster {
    fn drop(&mut self) {
        if let Some(t) = self.thread.take()
            && !std::thread::panicking()
        {
            t.join().expect("fake master thread");
        }
    }
}

fn resp(args: &[&str]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend_from_slice(format!("${}\r\n{a}\r\n", a.len()).as_bytes());
    }
    out
}

/// An empty RDB as Redis 7.0 saves it.
fn empty_rdb() -> Vec<u8> {
    let s = Server::start(ServerKind::Redis70, &[]);
    fs::read(s.save_rdb()).expect("read the RDB")
}

#[test]
fn capture_stops_on_what_it_cannot_apply_and_skips_unknown_commands_if_asked() {
    let rdb = empty_rdb();
    let mut stream = resp(&["SELECT", "0"]);
    stream.extend(resp(&["SET", "a", "b"]));
    stream.extend(resp(&["PING"]));
    stream.extend(resp(&["FOOBARX", "1"]));
    stream.extend(resp(&["PUBLISH", "ch", "hello"]));
    stream.extend(resp(&["MULTI"]));
    stream.extend(resp(&["RPUSH", "l", "x"]));
    stream.extend(resp(&["FOOBARX", "2"]));
    stream.extend(resp(&["EXEC"]));
    stream.extend(resp(&["REPLCONF", "GETACK", "*"]));
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path().to_str().expect("utf-8 path");
    let t = Duration::from_secs(30);

    // An unknown command stops capture, naming it; no snapshot is written.
    let m = FakeMaster::start(rdb.clone(), stream.clone());
    let addr = format!("127.0.0.1:{}", m.port);
    let out = run_full(
        &rdbtool(),
        ["capture", "--replicaof", &addr, "--dir", d],
        None,
        t,
    );
    out.expect_code(2);
    assert!(out.stderr.contains("\"FOOBARX\""), "{}", out.stderr);
    assert!(out.stderr.contains("--skip-unknown"), "{}", out.stderr);
    drop(m);
    assert_eq!(fs::read_dir(dir.path()).expect("dir").count(), 0);

    // Skipped with a warning; the GETACK is answered with the whole stream's offset.
    let m = FakeMaster::start(rdb.clone(), stream.clone());
    let addr = format!("127.0.0.1:{}", m.port);
    let mut cap = Capture::start(
        &["--replicaof", &addr, "--dir", d, "--skip-unknown"],
        dir.path().join("capture.err"),
    );
    m.wait_ack(stream.len() as u64, &mut cap);
    assert_eq!(cap.terminate(), 0, "{}", cap.log());
    drop(m);
    let log = cap.log();
    assert_eq!(log.matches("FOOBARX").count(), 1, "warned once:\n{log}");
    let s = Server::start_with_rdb(ServerKind::Redis70, &dir.path().join("dump.rdb"), &[]);
    let mut sc = s.client();
    assert_eq!(sc.cmd_bulk(&[b"GET", b"a"]).as_deref(), Some(&b"b"[..]));
    assert_eq!(sc.cmd_int(&[b"LLEN", b"l"]), 1);
    drop(s);

    // A malformed stream and a payload that is not an RDB: exit 2, said clearly.
    for (rdb, stream, what) in [
        (rdb.clone(), b"hello\r\n".to_vec(), "malformed"),
        (b"NOT AN RDB".to_vec(), Vec::new(), "cannot be loaded"),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path().to_str().expect("utf-8 path");
        let m = FakeMaster::start(rdb, stream);
        let addr = format!("127.0.0.1:{}", m.port);
        let out = run_full(
            &rdbtool(),
            ["capture", "--replicaof", &addr, "--dir", d],
            None,
            t,
        );
        out.expect_code(2);
        assert!(out.stderr.contains(what), "{}", out.stderr);
        assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
        drop(m);
    }
}

/// The pid of the snapshot child writing `dir/temp-<pid>.rdb` (checked to be a child of
/// `parent`), waiting up to 20 s for one to appear.
fn snapshot_child(dir: &std::path::Path, parent: u32, cap: &mut Capture) -> u32 {
    let until = Instant::now() + Duration::from_secs(20);
    while Instant::now() < until {
        for e in fs::read_dir(dir).expect("read dir") {
            let name = e.expect("entry").file_name().to_string_lossy().into_owned();
            let Some(pid) = name
                .strip_prefix("temp-")
                .and_then(|r| r.strip_suffix(".rdb"))
                .and_then(|p| p.parse::<u32>().ok())
            else {
                continue;
            };
            let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
            if status.lines().any(|l| l == format!("PPid:\t{parent}")) {
                return pid;
            }
        }
        cap.assert_running();
        std::thread::sleep(Duration::from_millis(1));
    }
    panic!("no snapshot child writing in 20 s:\n{}", cap.log());
}

fn kill9(pid: u32) {
    let ok = Command::new("sh")
        .args(["-c", "kill -KILL \"$1\"", "sh", &pid.to_string()])
        .status()
        .expect("run kill");
    assert!(ok.success(), "kill -KILL {pid} failed");
}

/// Whether `bytes` are a whole RDB (read to its end, checksum right).
fn whole_rdb(bytes: &[u8]) -> Result<(), String> {
    struct Noop;
    impl formats::rdb::Visitor for Noop {}
    let s = formats::rdb::Reader::new(bytes)
        .run(&mut Noop)
        .map_err(|e| e.to_string())?;
    if !matches!(s.checksum, ChecksumStatus::Ok(_)) || s.end_offset != bytes.len() as u64 {
        return Err(format!("checksum {:?}, end {}", s.checksum, s.end_offset));
    }
    Ok(())
}

/// kill -9 of the snapshot child: the parent reaps it, says so, removes its temporary
/// file, keeps the last snapshot and tries again; kill -9 of the parent while a child
/// writes: the child still completes its snapshot. The final name always holds a whole
/// RDB.
#[test]
fn capture_survives_kill_9_of_the_snapshot_child_and_of_itself() {
    let master = Server::start(
        ServerKind::Redis70,
        &[
            "--repl-diskless-sync",
            "yes",
            "--repl-diskless-sync-delay",
            "0",
        ],
    );
    let mut mc = master.client();
    // Big enough that writing a snapshot takes a while.
    mc.cmd_ok(&[b"DEBUG", b"POPULATE", b"300000", b"key", b"64"]);
    let work = tempfile::tempdir().expect("tempdir");
    let dir = work.path().join("out");
    fs::create_dir(&dir).expect("mkdir");
    let d = dir.to_str().expect("utf-8 path");
    let snap = dir.join("dump.rdb");
    let addr = format!("127.0.0.1:{}", master.port());
    let mut cap = Capture::start(
        &["--replicaof", &addr, "--dir", d, "--save", "1 1"],
        work.path().join("capture.err"),
    );
    wait_online(&mut mc, &mut cap);
    let parent = cap.child.as_ref().expect("running").id();

    // The first snapshot's child, killed while it writes.
    let child = snapshot_child(&dir, parent, &mut cap);
    kill9(child);
    let until = Instant::now() + Duration::from_secs(20);
    while !cap.log().contains("snapshot failed (killed by signal 9)") {
        cap.assert_running();
        assert!(
            Instant::now() < until,
            "no failure reported:\n{}",
            cap.log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        !dir.join(format!("temp-{child}.rdb")).exists(),
        "the killed child's temporary file is removed"
    );
    assert!(!snap.exists(), "no snapshot was complete yet");

    // Retried after 5 s, and completed.
    mc.cmd_ok(&[b"SET", b"after", b"kill"]);
    let until = Instant::now() + Duration::from_secs(30);
    while !cap.log().contains("snapshot saved") {
        cap.assert_running();
        assert!(
            Instant::now() < until,
            "no snapshot after the retry:\n{}",
            cap.log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    whole_rdb(&fs::read(&snap).expect("read the snapshot")).expect("the snapshot is whole");

    // kill -9 of capture itself while a child writes: the orphan finishes its snapshot.
    mc.cmd_ok(&[b"SET", b"more", b"writes"]);
    let child = snapshot_child(&dir, parent, &mut cap);
    let mut c = cap.child.take().expect("running");
    kill9(parent);
    let _ = c.wait();
    let temp = dir.join(format!("temp-{child}.rdb"));
    let until = Instant::now() + Duration::from_secs(30);
    while temp.exists() && fs::metadata(format!("/proc/{child}")).is_ok() {
        assert!(Instant::now() < until, "the orphaned child did not finish");
        std::thread::sleep(Duration::from_millis(20));
    }
    whole_rdb(&fs::read(&snap).expect("read the snapshot"))
        .expect("the snapshot is whole after kill -9 of capture");
    let fresh = Server::start_with_rdb(ServerKind::Redis70, &snap, &[]);
    // Which of the last writes it holds depends on when the rule fired.
    assert!(fresh.client().cmd_int(&[b"DBSIZE"]) >= 300_000);
}

/// kill -9 of capture at moments spread over a workload with frequent AOF rewrites and
/// snapshots: the AOF directory always loads in Redis 7.0 with the data of the base at
/// least, and a restarted capture on the same directory goes on with it.
#[test]
fn capture_aof_loads_after_kill_9_at_any_moment() {
    let master = Server::start(ServerKind::Redis70, &[]);
    let mut mc = master.client();
    mc.cmd_ok(&[b"DEBUG", b"POPULATE", b"50000", b"key", b"32"]);
    let work = tempfile::tempdir().expect("tempdir");
    let dir = work.path().join("out");
    fs::create_dir(&dir).expect("mkdir");
    let d = dir.to_str().expect("utf-8 path");
    let addr = format!("127.0.0.1:{}", master.port());
    let mut r = Rng::new(0xCA9_0003);
    for (round, ms) in [150u64, 450, 800, 1300].into_iter().enumerate() {
        let mut cap = Capture::start(
            &[
                "--replicaof",
                &addr,
                "--dir",
                d,
                "--save",
                "1 1",
                "--appendonly",
                "yes",
                "--auto-aof-rewrite-min-size",
                "16kb",
                "--auto-aof-rewrite-percentage",
                "1",
            ],
            work.path().join(format!("capture-{round}.err")),
        );
        let until = Instant::now() + Duration::from_secs(30);
        while !cap.log().contains("AOF rewritten") {
            cap.assert_running();
            assert!(Instant::now() < until, "no AOF base:\n{}", cap.log());
            std::thread::sleep(Duration::from_millis(10));
        }
        let stop_at = Instant::now() + Duration::from_millis(ms);
        while Instant::now() < stop_at {
            mc.pipeline(&batch(&mut r, 100));
        }
        let mut c = cap.child.take().expect("running");
        kill9(c.id());
        let _ = c.wait();
        // An orphaned child ends on its own; its temporary file is never loaded.
        std::thread::sleep(Duration::from_millis(300));
        let copy = tempfile::tempdir().expect("tempdir");
        copy_dir(
            &dir.join("appendonlydir"),
            &copy.path().join("appendonlydir"),
        );
        let s = Server::start_in(
            ServerKind::Redis70,
            copy,
            &["--appendonly", "yes", "--appenddirname", "appendonlydir"],
        );
        let keys = s.client().cmd_int(&[b"DBSIZE"]);
        assert!(
            keys >= 50_000,
            "round {round} (kill after {ms} ms): the AOF loads with {keys} keys"
        );
    }
}

/// Connects to capture's `--listen` port (up to 30 s: it binds before the first sync).
fn listen_client(port: u16, cap: &mut Capture) -> Client {
    let until = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(c) = Client::connect(port) {
            return c;
        }
        cap.assert_running();
        assert!(Instant::now() < until, "no --listen port:\n{}", cap.log());
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A reply with its array elements sorted (SMEMBERS: set order is the table's), or its
/// field/value pairs sorted (HGETALL).
fn sorted(r: Reply, pairs: bool) -> Reply {
    let Some(a) = r.clone().into_array() else {
        return r;
    };
    let key = |x: &Reply| x.as_bytes().map(<[u8]>::to_vec).unwrap_or_default();
    if pairs {
        let mut p: Vec<(Reply, Reply)> = a
            .chunks(2)
            .map(|c| (c[0].clone(), c.get(1).cloned().unwrap_or(Reply::Int(0))))
            .collect();
        p.sort_by_key(|(f, _)| key(f));
        Reply::Array(Some(p.into_iter().flat_map(|(f, v)| [f, v]).collect()))
    } else {
        let mut a = a;
        a.sort_by_key(key);
        Reply::Array(Some(a))
    }
}

#[test]
fn capture_listen_serves_the_masters_data_read_only() {
    let master = Server::start(ServerKind::Redis70, &["--repl-diskless-sync-delay", "0"]);
    let mut mc = master.client();
    let pop = populate(&mut mc, ServerKind::Redis70, &PopulateOpts::default());
    let work = tempfile::tempdir().expect("tempdir");
    let addr = format!("127.0.0.1:{}", master.port());
    let (mut cap, mut cc, port) =
        start_listening(work.path(), &["--replicaof", &addr, "--save", ""]);
    wait_online(&mut mc, &mut cap);
    wait_caught_up(&mut mc, &mut cap);

    let mut db = u64::MAX;
    for (kdb, key) in &pop.keys {
        if *kdb != db {
            db = *kdb;
            let n = db.to_string();
            mc.cmd_ok(&[b"SELECT", n.as_bytes()]);
            cc.cmd_ok(&[b"SELECT", n.as_bytes()]);
        }
        let k = key.as_slice();
        let t = mc.cmd_str(&[b"TYPE", k]);
        assert_eq!(cc.cmd_str(&[b"TYPE", k]), t, "TYPE of {key:?}");
        let (read, pairs): (&[&[u8]], bool) = match t.as_str() {
            "string" => (&[b"GET"], false),
            "hash" => (&[b"HGETALL"], true),
            "list" => (&[b"LRANGE", b"0", b"-1"], false),
            "set" => (&[b"SMEMBERS"], false),
            "zset" => (&[b"ZRANGE", b"0", b"-1", b"WITHSCORES"], false),
            "stream" => (&[b"XRANGE", b"-", b"+"], false),
            other => panic!("populate made a {other} at {key:?}"),
        };
        let mut args = vec![read[0], k];
        args.extend_from_slice(&read[1..]);
        let want = mc.cmd(&args);
        let got = cc.cmd(&args);
        let unordered = t == "set" || t == "hash";
        if unordered {
            assert_eq!(sorted(got, pairs), sorted(want, pairs), "{t} {key:?}");
        } else {
            assert_eq!(got, want, "{t} {key:?}");
        }
        // The other reads, and errors, as the master words them.
        let first = |r: Reply| {
            r.into_array()
                .and_then(|a| a.into_iter().next())
                .and_then(|x| x.as_bytes().map(<[u8]>::to_vec))
                .unwrap_or_default()
        };
        let member = match t.as_str() {
            "hash" => first(mc.cmd(&[b"HGETALL", k])),
            "set" => first(mc.cmd(&[b"SMEMBERS", k])),
            "zset" => first(mc.cmd(&[b"ZRANGE", k, b"0", b"0"])),
            _ => Vec::new(),
        };
        let m = member.as_slice();
        let more: Vec<Vec<&[u8]>> = match t.as_str() {
            "string" => vec![
                vec![b"STRLEN", k],
                vec![b"MGET", k, b"no-such-key", k],
                vec![b"EXISTS", k, b"no-such-key", k],
                vec![b"HGETALL", k],
            ],
            "hash" => vec![
                vec![b"HLEN", k],
                vec![b"HGET", k, m],
                vec![b"HGET", k, b"no-such-field"],
                vec![b"GET", k],
            ],
            "list" => vec![
                vec![b"LLEN", k],
                vec![b"LRANGE", k, b"1", b"2"],
                vec![b"LRANGE", k, b"-3", b"-1"],
                vec![b"LRANGE", k, b"5", b"1"],
                vec![b"LRANGE", k, b"x", b"1"],
            ],
            "set" => vec![
                vec![b"SCARD", k],
                vec![b"SISMEMBER", k, m],
                vec![b"SISMEMBER", k, b"no-such-member"],
            ],
            "zset" => vec![
                vec![b"ZCARD", k],
                vec![b"ZSCORE", k, m],
                vec![b"ZSCORE", k, b"no-such-member"],
                vec![b"ZRANGE", k, b"-2", b"-1", b"WITHSCORES"],
                vec![b"LLEN", k],
            ],
            _ => vec![
                vec![b"XLEN", k],
                vec![b"XRANGE", k, b"-", b"+", b"COUNT", b"2"],
                vec![b"SCARD", k],
            ],
        };
        for args in more
            .iter()
            .chain(&[vec![&b"DEBUG"[..], b"DIGEST-VALUE", k]])
        {
            assert_eq!(cc.cmd(args), mc.cmd(args), "{}", e2e::resp::show_cmd(args));
        }
        let ttl = cc.cmd_int(&[b"TTL", k]);
        let master_ttl = mc.cmd_int(&[b"TTL", k]);
        assert!(
            (ttl - master_ttl).abs() <= 2,
            "TTL of {key:?}: {ttl} against {master_ttl}"
        );
    }
    cc.cmd_ok(&[b"SELECT", b"0"]);
    mc.cmd_ok(&[b"SELECT", b"0"]);
    assert_eq!(cc.cmd_int(&[b"DBSIZE"]), mc.cmd_int(&[b"DBSIZE"]));
    assert_eq!(digest(&mut cc), digest(&mut mc), "DEBUG DIGEST");
    assert!(cc.cmd(&[b"GET", b"no-such-key"]).is_nil());
    for args in [
        &[&b"PING"[..]][..],
        &[b"PING", b"hi"],
        &[b"ECHO", b"hi"],
        &[b"GET"],
        &[b"SELECT", b"99"],
        &[b"TYPE", b"no-such-key"],
    ] {
        assert_eq!(cc.cmd(args), mc.cmd(args), "{}", e2e::resp::show_cmd(args));
    }
    let keys = sorted(mc.cmd(&[b"KEYS", b"*"]), false);
    assert_eq!(sorted(cc.cmd(&[b"KEYS", b"*"]), false), keys);
    // SCAN visits every key once.
    let mut seen = Vec::new();
    let mut cursor = b"0".to_vec();
    loop {
        let r = cc
            .cmd(&[b"SCAN", &cursor, b"COUNT", b"7"])
            .into_array()
            .expect("array");
        cursor = r[0].as_bytes().expect("cursor").to_vec();
        seen.extend(r[1].as_array().expect("keys").iter().cloned());
        if cursor == b"0" {
            break;
        }
    }
    assert_eq!(sorted(Reply::Array(Some(seen)), false), keys, "SCAN");
    assert_eq!(cc.cmd_int(&[b"TTL", b"no-such-key"]), -2);

    // Writes are refused as a replica refuses them; unknown commands as Redis words it.
    let r = cc.cmd(&[b"SET", b"k", b"v"]);
    assert_eq!(
        r,
        Reply::Error(b"READONLY You can't write against a read only replica.".to_vec())
    );
    let r = cc.cmd(&[b"NOSUCH", b"a"]);
    assert_eq!(
        r.text(),
        "ERR unknown command 'NOSUCH', with args beginning with: 'a' "
    );

    let repl = info_map(&cc.cmd_str(&[b"INFO", b"replication"]));
    assert_eq!(repl["role"], "slave");
    assert_eq!(repl["master_link_status"], "up");
    assert_eq!(repl["master_port"], master.port().to_string());
    let master_repl = info_map(&mc.cmd_str(&[b"INFO", b"replication"]));
    assert_eq!(repl["master_replid"], master_repl["master_replid"]);
    assert_eq!(repl["slave_repl_offset"], master_repl["master_repl_offset"]);
    let pers = info_map(&cc.cmd_str(&[b"INFO", b"persistence"]));
    for f in [
        "rdb_changes_since_last_save",
        "rdb_last_save_time",
        "rdb_last_cow_size",
        "aof_last_bgrewrite_status",
    ] {
        assert!(pers.contains_key(f), "INFO persistence has no {f}");
    }
    assert_eq!(pers["rdb_bgsave_in_progress"], "0");
    assert_eq!(pers["rdb_last_bgsave_status"], "ok");
    assert_eq!(pers["aof_enabled"], "0");
    let cfg = cc.cmd(&[b"CONFIG", b"GET", b"dbfilename"]);
    assert_eq!(cfg.as_array().map(|a| a[1].text()), Some("dump.rdb".into()));
    cc.cmd_ok(&[b"CONFIG", b"SET", b"save", b"3600 1"]);
    let cfg = cc.cmd(&[b"CONFIG", b"GET", b"save"]);
    assert_eq!(cfg.as_array().map(|a| a[1].text()), Some("3600 1".into()));

    // BGSAVE: LASTSAVE moves on and the snapshot has the master's data.
    let before = cc.cmd_int(&[b"LASTSAVE"]);
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(cc.cmd_str(&[b"BGSAVE"]), "Background saving started");
    let until = Instant::now() + Duration::from_secs(30);
    while cc.cmd_int(&[b"LASTSAVE"]) == before {
        assert!(Instant::now() < until, "no snapshot:\n{}", cap.log());
        std::thread::sleep(Duration::from_millis(50));
    }
    let want = digest(&mut mc);
    let fresh = Server::start_with_rdb(ServerKind::Redis70, &work.path().join("dump.rdb"), &[]);
    assert_eq!(digest(&mut fresh.client()), want, "the BGSAVE snapshot");
    drop(fresh);

    // Inline commands, and a client that ends its input early still gets every reply.
    {
        use std::io::{Read, Write};
        let mut raw = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
        raw.write_all(b"PING\r\nGET no-such-key\r\n*1\r\n$4\r\nPING\r\n")
            .expect("write");
        raw.shutdown(std::net::Shutdown::Write).expect("shutdown");
        let mut got = Vec::new();
        raw.read_to_end(&mut got).expect("read");
        assert_eq!(got, b"+PONG\r\n$-1\r\n+PONG\r\n");
    }
    // redis-cli talks to it.
    let cli = e2e::server::tool("REDIS_CLI").expect("redis-cli");
    let out = Command::new(cli)
        .args(["-p", &port.to_string(), "DBSIZE"])
        .output()
        .expect("run redis-cli");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        mc.cmd_int(&[b"DBSIZE"]).to_string()
    );

    // SHUTDOWN NOSAVE: capture exits 0.
    shutdown(&mut cc, &mut cap, &["NOSAVE"]);
}

#[test]
fn capture_listen_rewrites_the_aof_on_request_and_saves_at_shutdown_save() {
    let master = Server::start(ServerKind::Redis70, &["--repl-diskless-sync-delay", "0"]);
    let mut mc = master.client();
    for i in 0..50 {
        let k = format!("k{i}");
        mc.cmd_ok(&[b"SET", k.as_bytes(), b"v"]);
    }
    let work = tempfile::tempdir().expect("tempdir");
    let addr = format!("127.0.0.1:{}", master.port());
    let (mut cap, mut cc, _) = start_listening(
        work.path(),
        &["--replicaof", &addr, "--save", "", "--appendonly", "yes"],
    );
    wait_online(&mut mc, &mut cap);
    wait_caught_up(&mut mc, &mut cap);
    let pers = |cc: &mut Client| info_map(&cc.cmd_str(&[b"INFO", b"persistence"]));
    // The rewrite capture starts itself after the full resync ends first.
    let until = Instant::now() + Duration::from_secs(30);
    while pers(&mut cc)["aof_rewrite_in_progress"] != "0" {
        assert!(Instant::now() < until, "{}", cap.log());
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        cc.cmd_str(&[b"BGREWRITEAOF"]),
        "Background append only file rewriting started"
    );
    let p = pers(&mut cc);
    assert_eq!(p["aof_enabled"], "1");
    assert!(p.contains_key("aof_base_size") && p.contains_key("aof_current_size"));
    let cfg = cc.cmd(&[b"CONFIG", b"GET", b"appendonly"]);
    assert_eq!(cfg.as_array().map(|a| a[1].text()), Some("yes".into()));
    cc.cmd_ok(&[b"CONFIG", b"SET", b"appendfsync", b"always"]);
    let cfg = cc.cmd(&[b"CONFIG", b"GET", b"appendfsync"]);
    assert_eq!(cfg.as_array().map(|a| a[1].text()), Some("always".into()));
    assert!(cc.cmd(&[b"CONFIG", b"SET", b"dir", b"/"]).is_error());

    // SHUTDOWN SAVE: a final snapshot even with no save rules, then exit 0.
    shutdown(&mut cc, &mut cap, &["SAVE"]);
    let want = digest(&mut mc);
    let fresh = Server::start_with_rdb(ServerKind::Redis70, &work.path().join("dump.rdb"), &[]);
    assert_eq!(
        digest(&mut fresh.client()),
        want,
        "the SHUTDOWN SAVE snapshot"
    );
}

/// `batch` without scripts, which the engine does not run (a primary refuses them, and
/// a transaction holding one is refused whole).
fn batch_no_scripts(r: &mut Rng, n: usize) -> Vec<Cmd> {
    batch(r, n)
        .into_iter()
        .filter(|c| c.first().map(Vec::as_slice) != Some(b"EVAL"))
        .collect()
}

/// Starts capture with `--listen` on a free port and `--dir dir`, then `extra` flags
/// (a primary without `--replicaof`); returns it and a client of its port.
fn start_listening(dir: &std::path::Path, extra: &[&str]) -> (Capture, Client, u16) {
    let port = e2e::server::free_port();
    let listen = format!("127.0.0.1:{port}");
    let d = dir.to_str().expect("utf-8 path");
    let mut args = vec!["--listen", listen.as_str(), "--dir", d];
    args.extend_from_slice(extra);
    let mut cap = Capture::start(&args, dir.join(format!("capture-{port}.err")));
    let cc = listen_client(port, &mut cap);
    (cap, cc, port)
}

/// Waits (up to 60 s) until `field` of `INFO persistence` is `0`.
fn wait_info_zero(cc: &mut Client, field: &str, cap: &mut Capture) {
    let until = Instant::now() + Duration::from_secs(60);
    while info_map(&cc.cmd_str(&[b"INFO", b"persistence"]))[field] != "0" {
        cap.assert_running();
        assert!(Instant::now() < until, "{field} stays set:\n{}", cap.log());
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// SHUTDOWN (with `how`: SAVE, NOSAVE or nothing) through the port; capture must exit
/// 0 within 30 s.
fn shutdown(cc: &mut Client, cap: &mut Capture, how: &[&str]) {
    let mut cmd = vec!["SHUTDOWN"];
    cmd.extend_from_slice(how);
    let _ = cc.try_cmd(&cmd);
    let mut child = cap.child.take().expect("running");
    let until = Instant::now() + Duration::from_secs(30);
    let code = loop {
        if let Some(s) = child.try_wait().expect("try_wait") {
            break s.code();
        }
        assert!(Instant::now() < until, "no shutdown:\n{}", cap.log());
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(code, Some(0), "{}", cap.log());
}

/// A fresh Redis 7.0 loading the AOF directory capture wrote in `dir`.
fn redis_from_aof(dir: &std::path::Path) -> Server {
    let copy = tempfile::tempdir().expect("tempdir");
    copy_dir(
        &dir.join("appendonlydir"),
        &copy.path().join("appendonlydir"),
    );
    Server::start_in(
        ServerKind::Redis70,
        copy,
        &["--appendonly", "yes", "--appenddirname", "appendonlydir"],
    )
}

#[test]
fn capture_primary_snapshots_the_instant_of_the_fork_while_clients_write() {
    let seed = 0xC0FFEE ^ e2e::now_ms() as u64;
    eprintln!("seed {seed}");
    let mut r = Rng::new(seed);
    let work = tempfile::tempdir().expect("tempdir");
    let (mut cap, mut cc, port) = start_listening(
        work.path(),
        &[
            "--save",
            "",
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
        ],
    );
    // Enough data that the snapshot child runs a while: 150k strings of 400 bytes.
    let big = "x".repeat(400);
    for chunk in 0..15 {
        let cmds: Vec<Cmd> = (0..10_000)
            .map(|i| cmd!("SET", format!("fill:{chunk}:{i}"), big))
            .collect();
        cc.pipeline_ok(&cmds);
    }
    let cmds = batch_no_scripts(&mut r, 3000);
    let replies = cc.pipeline(&cmds);
    for (c, rep) in cmds.iter().zip(&replies) {
        // A RENAME or MOVE of a key the workload has not made yet is refused, as by Redis.
        if let Reply::Error(e) = rep {
            let e = String::from_utf8_lossy(e);
            assert!(
                e == "ERR no such key" || e.starts_with("WRONGTYPE"),
                "{}: {e}",
                e2e::resp::show_cmd(c)
            );
        }
    }
    let at_fork = cc.pipeline(&[cmd!("DEBUG", "DIGEST"), cmd!("BGSAVE")]);
    assert_eq!(at_fork[1].text(), "Background saving started");
    let at_fork = at_fork[0].text();
    // Writes while the child runs.
    let mut during = 0;
    loop {
        cc.pipeline(&batch_no_scripts(&mut r, 200));
        let p = info_map(&cc.cmd_str(&[b"INFO", b"persistence"]));
        if p["rdb_bgsave_in_progress"] == "0" {
            assert_eq!(p["rdb_last_bgsave_status"], "ok", "{}", cap.log());
            break;
        }
        during += 1;
        assert!(
            cc.cmd(&[b"BGSAVE"]).is_error(),
            "a second BGSAVE while one runs"
        );
    }
    assert!(during > 0, "no write landed while the child ran");
    let now = digest(&mut cc);
    assert_ne!(
        now, at_fork,
        "the writes during the snapshot changed nothing"
    );
    let snap = Server::start_with_rdb(ServerKind::Redis70, &work.path().join("dump.rdb"), &[]);
    assert_eq!(
        digest(&mut snap.client()),
        at_fork,
        "the snapshot is not the data at the fork ({during} write batches during the child)"
    );
    drop(snap);

    // A rewrite, more writes, then the AOF loads with the data at shutdown.
    let rw = cc.cmd_str(&[b"BGREWRITEAOF"]);
    assert!(
        rw.starts_with("Background append only file rewriting"),
        "{rw}"
    );
    cc.pipeline(&batch_no_scripts(&mut r, 2000));
    wait_info_zero(&mut cc, "aof_rewrite_in_progress", &mut cap);
    cc.pipeline(&batch_no_scripts(&mut r, 1000));
    let last = digest(&mut cc);
    let keys = cc.cmd_int(&[b"DBSIZE"]);
    shutdown(&mut cc, &mut cap, &[]);
    let from_aof = redis_from_aof(work.path());
    assert_eq!(
        digest(&mut from_aof.client()),
        last,
        "the AOF does not have capture's data"
    );
    drop(from_aof);

    // Restarted on the same --dir, capture loads its AOF.
    let (mut cap, mut cc, _) = start_listening(work.path(), &["--save", "", "--appendonly", "yes"]);
    assert_eq!(
        digest(&mut cc),
        last,
        "restarted from its AOF:\n{}",
        cap.log()
    );
    assert_eq!(cc.cmd_int(&[b"DBSIZE"]), keys);
    let _ = port;
    shutdown(&mut cc, &mut cap, &[]);
}

#[test]
fn capture_primary_serves_redis_benchmark_during_snapshots() {
    let work = tempfile::tempdir().expect("tempdir");
    let (mut cap, mut cc, port) = start_listening(
        work.path(),
        &[
            "--save",
            "1 1",
            "--appendonly",
            "yes",
            "--auto-aof-rewrite-min-size",
            "1mb",
            "--auto-aof-rewrite-percentage",
            "50",
        ],
    );
    let cli = e2e::server::tool("REDIS_CLI").expect("redis-cli: run scripts/install-test-deps.sh");
    let bench = cli.with_file_name("redis-benchmark");
    assert!(bench.is_file(), "{} missing (redis-tools)", bench.display());
    let out = Command::new(&bench)
        .args(["-h", "127.0.0.1", "-p", &port.to_string()])
        .args(["-n", "60000", "-c", "8", "-P", "8", "-r", "5000", "-q"])
        .args([
            "-t",
            "ping,set,get,incr,lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100,mset",
        ])
        .output()
        .expect("run redis-benchmark");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "redis-benchmark failed:\n{text}");
    assert!(
        !text.to_ascii_lowercase().contains("error"),
        "redis-benchmark saw errors:\n{text}"
    );
    let results: Vec<&str> = text
        .split(['\r', '\n'])
        .map(str::trim)
        .filter(|l| l.contains("requests per second"))
        .collect();
    for t in [
        "SET:",
        "GET:",
        "LPUSH:",
        "SPOP:",
        "ZPOPMIN:",
        "MSET (10 keys):",
    ] {
        assert!(
            results.iter().any(|l| l.starts_with(t)),
            "no {t} result:\n{text}"
        );
    }
    eprintln!("{text}");
    // The save rule ("1 1") fires every second of the run.
    let log = cap.log();
    let saves = log.matches("snapshot saved").count();
    assert!(
        saves >= 2,
        "{saves} snapshot(s) during the benchmark:\n{log}"
    );
    wait_info_zero(&mut cc, "rdb_bgsave_in_progress", &mut cap);
    wait_info_zero(&mut cc, "aof_rewrite_in_progress", &mut cap);
    let last = digest(&mut cc);
    shutdown(&mut cc, &mut cap, &[]);
    let from_aof = redis_from_aof(work.path());
    assert_eq!(
        digest(&mut from_aof.client()),
        last,
        "the AOF after the benchmark"
    );
    drop(from_aof);
    let snap = Server::start_with_rdb(ServerKind::Redis70, &work.path().join("dump.rdb"), &[]);
    assert_eq!(digest(&mut snap.client()), last, "the final snapshot");
}

#[test]
fn capture_primary_blocks_watches_and_expires_as_redis() {
    let work = tempfile::tempdir().expect("tempdir");
    let (mut cap, mut a, port) =
        start_listening(work.path(), &["--save", "", "--appendonly", "yes"]);
    let mut b = listen_client(port, &mut cap);

    // BLPOP waits for a push from another client; its timeout answers nil.
    let t = Instant::now();
    assert!(a.call(&["BLPOP", "q", "0.3"]).is_nil(), "BLPOP timeout");
    assert!(
        t.elapsed() >= Duration::from_millis(250),
        "{:?}",
        t.elapsed()
    );
    let waiter = std::thread::spawn(move || {
        let r = a.call(&["BLPOP", "nothing", "q", "0"]);
        (a, r)
    });
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(b.call(&["RPUSH", "q", "x", "y"]).as_int(), Some(2));
    let (mut a, got) = waiter.join().expect("BLPOP thread");
    assert_eq!(got, Reply::Array(Some(vec![bulk("q"), bulk("x")])));
    assert_eq!(
        b.call(&["LRANGE", "q", "0", "-1"]),
        Reply::Array(Some(vec![bulk("y")]))
    );

    // WATCH: another client's write fails the transaction; an untouched key does not.
    a.call_ok(&["WATCH", "w"]);
    b.call_ok(&["SET", "w", "1"]);
    a.call_ok(&["MULTI"]);
    a.call(&["INCR", "w"]);
    assert!(
        a.call(&["EXEC"]).is_nil(),
        "EXEC after a watched key changed"
    );
    a.call_ok(&["WATCH", "w"]);
    b.call_ok(&["SET", "other", "1"]);
    a.call_ok(&["MULTI"]);
    a.call(&["INCR", "w"]);
    assert_eq!(a.call(&["EXEC"]), Reply::Array(Some(vec![Reply::Int(2)])));
    // A command refused while queued fails the whole EXEC.
    a.call_ok(&["MULTI"]);
    assert!(a.call(&["NOSUCHCOMMAND"]).is_error());
    assert!(a.call(&["EXEC"]).text().starts_with("EXECABORT"));

    // Expired keys vanish without being read (active expiry), and the AOF says so.
    for i in 0..50 {
        a.call_ok(&["SET", &format!("e{i}"), "v", "PX", "100"]);
    }
    let until = Instant::now() + Duration::from_secs(10);
    while b.call(&["DBSIZE"]).as_int() != Some(3) {
        assert!(Instant::now() < until, "expired keys stay:\n{}", cap.log());
        std::thread::sleep(Duration::from_millis(50));
    }
    let last = digest(&mut b);
    shutdown(&mut b, &mut cap, &[]);
    let aof = redis_from_aof(work.path());
    let mut c = aof.client();
    assert_eq!(c.call(&["DBSIZE"]).as_int(), Some(3), "the AOF's DELs");
    assert_eq!(digest(&mut c), last);
    drop(a);
}

fn bulk(s: &str) -> Reply {
    Reply::Bulk(Some(s.as_bytes().to_vec()))
}

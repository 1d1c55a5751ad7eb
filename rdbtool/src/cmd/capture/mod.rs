//! `rdbtool capture`: follow a live Redis as one of its replicas, or serve clients that
//! write to it (`--listen` alone: a primary, [`server`]), and write point-in-time RDB
//! snapshots and an AOF by fork.
//!
//! The replica side of Redis's replication: the handshake (PING, AUTH, REPLCONF
//! listening-port and capa, PSYNC), a full resynchronisation streamed into the keyspace
//! engine (both the disk-based `$<len>` and the diskless `$EOF:<mark>` transfer), then
//! the command stream applied as it arrives, with the processed offset acknowledged
//! every second and on `REPLCONF GETACK`. A dropped link is retried with backoff and a
//! `PSYNC <replid> <offset+1>`. Snapshots: [`snapshot`].
//!
//! Everything runs on the main thread (the snapshot child is forked from it).

mod aof;
mod child;
mod config;
mod conn;
mod server;
mod snapshot;
mod status;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use formats::aof::live::LiveAof;
use formats::cli::Exit;
use formats::cli::interrupt;
use formats::engine::{ExecError, Keyspace, Session, load_rdb};
use formats::rdb::{Flavor, Version};

use crate::cli::CaptureArgs;
use aof::Aof;
use config::Settings;
use conn::{Conn, Filled, Framing, Payload};
use snapshot::{Meta, SaveRules, Saver};
use status::{Status, say};

/// Whether SIGTERM or SIGINT arrived.
pub(crate) fn stop_requested() -> bool {
    interrupt::interrupted() || server::shutdown_requested()
}

/// Why following the master stopped.
enum Failure {
    /// The link dropped or timed out: reconnect (once a first sync succeeded).
    Link(anyhow::Error),
    /// The master is not ready (loading, no link to its own master, its snapshot for us
    /// failed): try again later, even before a first sync.
    Retry(anyhow::Error),
    /// The master refused us, or sent what cannot be applied: stop (exit 2).
    Fatal(anyhow::Error),
    /// SIGTERM / SIGINT.
    Stop,
}

fn link(e: impl Into<anyhow::Error>) -> Failure {
    if stop_requested() {
        Failure::Stop
    } else {
        Failure::Link(e.into())
    }
}

/// The replica's state: the data, the replication id and processed offset, the
/// master's connection state (selected db, an open MULTI), the changes since the last
/// snapshot.
struct State {
    ks: Keyspace,
    /// Whether `ks` holds data worth saving (a completed sync or `--load`).
    have_data: bool,
    session: Session,
    /// Commands of an open MULTI, applied one by one at EXEC.
    multi: Option<Vec<Vec<Vec<u8>>>>,
    replid: String,
    /// The offset of the last command applied (outside a transaction).
    offset: u64,
    /// Bytes read since `offset` (an open transaction).
    pending: u64,
    version: Version,
    dirty: u64,
    skip_unknown: bool,
    warned: BTreeSet<String>,
    /// Whether the master ever took capture as a replica (answered the handshake up to
    /// PSYNC): until then a link error stops capture (a wrong address should not be
    /// retried forever); after, it is retried. (A diskless master answers PSYNC itself
    /// only when its transfer starts, after `repl-diskless-sync-delay`.)
    reached: bool,
    /// `--appendonly yes`.
    aof: Option<Aof>,
    /// The line kept on a terminal.
    status: Status,
    /// `--listen`: the clients' server.
    server: Option<server::Server>,
}

/// Length of a replication id (`CONFIG_RUN_ID_SIZE`).
const REPLID_LEN: usize = 40;

const REDIS70: Version = Version {
    flavor: Flavor::Redis,
    number: 10,
};

impl State {
    fn meta(&self) -> Meta {
        Meta {
            keys: self.ks.key_count(),
            offset: self.offset,
            replid: self.replid.clone(),
            db: self.session.db,
            version: self.version,
        }
    }

    /// Applies one command of the stream, `len` bytes long. Returns whether the master
    /// asked for an ACK.
    fn apply(&mut self, args: &[&[u8]], len: usize) -> Result<bool, Failure> {
        self.pending += len as u64;
        let mut getack = false;
        if let Some(first) = args.first() {
            // Upper-cased on the stack: this runs for every command of the stream.
            let mut buf = [0u8; 8];
            let name: &[u8] = match buf.get_mut(..first.len()) {
                Some(b) => {
                    b.copy_from_slice(first);
                    b.make_ascii_uppercase();
                    b
                }
                // Longer than every name handled here.
                None => b"",
            };
            match name {
                // Counted in the offset, never applied.
                b"PING" | b"PUBLISH" | b"SPUBLISH" => {}
                b"REPLCONF" => {
                    getack = args
                        .get(1)
                        .is_some_and(|a| a.eq_ignore_ascii_case(b"GETACK"));
                }
                b"MULTI" => {
                    if self.multi.is_some() {
                        return Err(Failure::Fatal(anyhow!(
                            "the master sent MULTI inside a transaction"
                        )));
                    }
                    self.multi = Some(Vec::new());
                }
                b"DISCARD" => self.multi = None,
                b"EXEC" => {
                    let queued = self.multi.take().ok_or_else(|| {
                        Failure::Fatal(anyhow!("the master sent EXEC without MULTI"))
                    })?;
                    // In the AOF as one transaction, as Redis writes it.
                    let db = self.session.db as u64;
                    if let Some(a) = &mut self.aof {
                        a.live.append(db, &[b"MULTI"]);
                    }
                    for cmd in queued {
                        let a: Vec<&[u8]> = cmd.iter().map(Vec::as_slice).collect();
                        self.execute(&a)?;
                    }
                    let db = self.session.db as u64;
                    if let Some(a) = &mut self.aof {
                        a.live.append(db, &[b"EXEC"]);
                    }
                }
                _ => {
                    if let Some(q) = &mut self.multi {
                        q.push(args.iter().map(|a| a.to_vec()).collect());
                    } else {
                        self.execute(args)?;
                    }
                }
            }
        }
        if self.multi.is_none() {
            self.offset += self.pending;
            self.pending = 0;
        }
        Ok(getack)
    }

    fn execute(&mut self, args: &[&[u8]]) -> Result<(), Failure> {
        let is_select = args
            .first()
            .is_some_and(|a| a.eq_ignore_ascii_case(b"SELECT"));
        match self.session.execute(&mut self.ks, args) {
            Ok(()) => {
                if !is_select {
                    self.dirty += 1;
                    if let Some(a) = &mut self.aof {
                        a.live.append(self.session.db as u64, args);
                    }
                }
                Ok(())
            }
            Err(ExecError::Unknown(name)) if self.skip_unknown => {
                if self.warned.insert(name.clone()) {
                    say!(
                        "rdbtool: warning: skipping the command {name:?} (unknown to the \
                         engine) and any later one of that name"
                    );
                }
                Ok(())
            }
            Err(ExecError::Unknown(name)) => Err(Failure::Fatal(anyhow!(
                "the master sent the command {name:?}, which the engine does not know \
                 (--skip-unknown goes on without it)"
            ))),
            Err(e) => Err(Failure::Fatal(anyhow!(
                "the master sent a command the engine cannot apply at offset {}: {e}",
                self.offset
            ))),
        }
    }
}

pub fn run(args: CaptureArgs) -> Result<Exit> {
    let r = capture(args);
    status::clear();
    r
}

fn capture(args: CaptureArgs) -> Result<Exit> {
    let a = Settings::resolve(args)?;
    interrupt::install();
    let rules = SaveRules::parse(&a.save)?;
    let primary = a.replicaof.is_empty();
    if !primary && !a.replicaof.contains(':') {
        bail!("--replicaof {:?}: expected HOST:PORT", a.replicaof);
    }
    if a.dbfilename.is_empty() || a.dbfilename.contains('/') || a.dbfilename == ".." {
        bail!(
            "--dbfilename {:?}: a file name, not a path (the folder is --dir)",
            a.dbfilename
        );
    }
    if !a.dir.is_dir() {
        bail!("--dir {}: not a folder", a.dir.display());
    }
    let mut st = State {
        ks: Keyspace::default(),
        have_data: false,
        session: Session::new(),
        multi: None,
        replid: String::new(),
        offset: 0,
        pending: 0,
        version: REDIS70,
        dirty: 0,
        skip_unknown: a.skip_unknown,
        warned: BTreeSet::new(),
        reached: false,
        aof: None,
        status: Status::new(a.quiet),
        server: None,
    };
    if let Some(addr) = &a.listen {
        st.server = Some(server::Server::bind(addr, a.clone())?);
    }
    // A primary restarts from what it wrote, as Redis does: its AOF, else its snapshot.
    let restart = if primary && a.load.is_none() {
        let manifest = a
            .dir
            .join(&a.appenddirname)
            .join(format!("{}.manifest", a.appendfilename));
        let rdb = a.dir.join(&a.dbfilename);
        if a.appendonly && manifest.is_file() {
            Some(manifest)
        } else {
            (!a.appendonly && rdb.is_file()).then_some(rdb)
        }
    } else {
        None
    };
    if primary {
        st.have_data = true;
        st.replid = new_replid();
    }
    if let Some(p) = a.load.as_ref().or(restart.as_ref()) {
        let (ks, v) = load(p)?;
        st.ks = ks;
        st.version = v.unwrap_or(REDIS70);
        st.have_data = true;
        let resume = (v.is_some() && !primary).then(|| repl_info(p)).flatten();
        if let Some((id, off, db)) = &resume {
            st.replid.clone_from(id);
            st.offset = *off;
            st.session.db = *db;
        }
        if !a.quiet {
            say!(
                "loaded {}: {} keys{}",
                p.display(),
                st.ks.key_count(),
                resume.map_or(String::new(), |(id, off, _)| format!(
                    ", replication id {id} offset {off} (a partial resync is asked for)"
                ))
            );
        }
    }
    if a.appendonly {
        let dir = a.dir.join(&a.appenddirname);
        let mut live = LiveAof::open(
            &dir,
            &a.appendfilename,
            a.appendfsync,
            a.aof_use_rdb_preamble,
        )
        .with_context(|| format!("cannot open the AOF in {}", dir.display()))?;
        // What is on disk stays until a base of this run's data replaces it.
        live.reset()
            .with_context(|| format!("cannot write the AOF in {}", dir.display()))?;
        st.aof = Some(Aof::new(
            live,
            a.auto_aof_rewrite_percentage,
            a.auto_aof_rewrite_min_size,
            a.quiet,
        ));
    }
    let mut saver = Saver::new(a.dir.clone(), a.dbfilename.clone(), rules, a.quiet);
    let mut backoff = Duration::from_millis(100);
    let outcome = if primary {
        serve_clients(&mut st, &mut saver);
        Ok(())
    } else {
        loop {
            if stop_requested() {
                break Ok(());
            }
            let r = connect(&a, &mut st, &mut saver).and_then(|mut c| {
                backoff = Duration::from_millis(100);
                saver.link_fd = Some(c.raw_fd());
                let r = follow(&mut c, &mut st, &mut saver);
                saver.link_fd = None;
                r
            });
            match r {
                Ok(()) | Err(Failure::Stop) => break Ok(()),
                Err(Failure::Fatal(e)) => break Err(e),
                Err(Failure::Link(e)) if !st.reached => {
                    break Err(e.context(format!("cannot replicate from {}", a.replicaof)));
                }
                Err(Failure::Link(e)) => {
                    wait_to_retry(&a, &mut st, &mut saver, &mut backoff, "lost", &e);
                }
                Err(Failure::Retry(e)) => {
                    wait_to_retry(&a, &mut st, &mut saver, &mut backoff, "not ready", &e);
                }
            }
        }
    };
    // Shutdown: wait for a running child, then the final snapshot (if rules are set).
    if let Some(d) = saver.reap(true) {
        st.dirty = st.dirty.saturating_sub(d);
    }
    let aof_done = finish_aof(&mut st, &saver);
    // After an error the data may not be what the master holds: no final snapshot.
    let final_save = if outcome.is_err() || server::nosave() {
        Ok(())
    } else if st.have_data && (!saver.rules.is_empty() || server::save_forced()) {
        saver
            .save_now(&st.ks, st.meta())
            .context("the final snapshot failed")
    } else {
        if !a.quiet && !saver.rules.is_empty() {
            say!("rdbtool: no data received from the master: no snapshot written");
        }
        Ok(())
    };
    outcome?;
    final_save?;
    aof_done?;
    Ok(Exit::Ok)
}

/// At shutdown: a running rewrite is waited for; an AOF that has no base of this run's
/// data yet gets one (the directory must hold the whole dataset); then everything is
/// written and fsynced.
fn finish_aof(st: &mut State, saver: &Saver) -> Result<()> {
    let Some(a) = &mut st.aof else {
        return Ok(());
    };
    a.reap(true);
    if st.have_data && !a.live.has_base() {
        a.start(&st.ks, saver.link_fd)
            .context("the final AOF rewrite could not start")?;
        a.reap(true);
    }
    a.live.sync_all().context("writing the AOF")?;
    if st.have_data && !a.live.has_base() {
        bail!("the AOF has no complete base: the final rewrite failed");
    }
    Ok(())
}

/// Logs why the link is down, waits `backoff` (snapshots go on meanwhile), doubles it.
fn wait_to_retry(
    a: &Settings,
    st: &mut State,
    saver: &mut Saver,
    backoff: &mut Duration,
    what: &str,
    e: &anyhow::Error,
) {
    if !a.quiet {
        say!(
            "rdbtool: master {} {what}: {e:#}; reconnecting in {} ms",
            a.replicaof,
            backoff.as_millis()
        );
    }
    // A transaction cut by the drop is discarded; the master resends it.
    st.multi = None;
    st.pending = 0;
    let until = Instant::now() + *backoff;
    while Instant::now() < until && !stop_requested() {
        tick(st, saver);
        if st.server.is_some() {
            serve(st, saver, None, 20);
        } else {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    *backoff = (*backoff * 2).min(Duration::from_secs(5));
}

/// Loads `--load`: an RDB or an AOF.
fn load(p: &Path) -> Result<(Keyspace, Option<Version>)> {
    use crate::dataset::{Kind, Source, load_aof};
    let src = Source::open(p)?;
    match src.kind {
        Kind::Rdb => {
            let (ks, v) =
                load_rdb(src.reader).with_context(|| format!("loading {}", p.display()))?;
            Ok((ks, Some(v)))
        }
        Kind::Aof => {
            let l = load_aof(&src)?;
            Ok((l.ks, l.rdb_version))
        }
        Kind::Jsonl => bail!(
            "--load {}: JSON Lines is not a dataset capture loads",
            p.display()
        ),
    }
}

/// The replication id, offset and stream db a replica's snapshot records in its aux
/// fields (`repl-id`, `repl-offset`, `repl-stream-db`), if `p` is such an RDB.
fn repl_info(p: &Path) -> Option<(String, u64, usize)> {
    use formats::rdb::read::Visitor;
    /// Collects the aux fields and stops the read at the first record after them.
    #[derive(Default)]
    struct Aux(Vec<(Vec<u8>, Vec<u8>)>);
    fn stop() -> formats::Error {
        formats::Error::new(formats::ErrorKind::Invalid("aux fields read".into()))
    }
    impl Visitor for Aux {
        fn aux(&mut self, k: &[u8], v: &[u8]) -> formats::Result<()> {
            self.0.push((k.to_vec(), v.to_vec()));
            Ok(())
        }
        fn select_db(&mut self, _: u64) -> formats::Result<()> {
            Err(stop())
        }
        fn function(&mut self, _: &[u8]) -> formats::Result<()> {
            Err(stop())
        }
        fn begin_key(&mut self, _: &formats::rdb::read::KeyInfo<'_>) -> formats::Result<()> {
            Err(stop())
        }
    }
    let f = std::fs::File::open(p).ok()?;
    let mut aux = Aux::default();
    let _ = formats::rdb::Reader::new(std::io::BufReader::new(f)).run(&mut aux);
    let get = |k: &[u8]| {
        aux.0
            .iter()
            .find(|(key, _)| key == k)
            .and_then(|(_, v)| std::str::from_utf8(v).ok())
    };
    let id = get(b"repl-id").filter(|id| id.len() == REPLID_LEN)?;
    let off = get(b"repl-offset")?.parse().ok()?;
    let db = get(b"repl-stream-db")
        .and_then(|d| d.parse().ok())
        .unwrap_or(0);
    Some((id.to_string(), off, db))
}

/// Serves `--listen` clients for up to `timeout_ms`; whether `master` became readable.
fn serve(
    st: &mut State,
    saver: &mut Saver,
    master: Option<std::os::fd::RawFd>,
    timeout_ms: i32,
) -> bool {
    let Some(mut srv) = st.server.take() else {
        return true;
    };
    srv.link_up = master.is_some();
    let ready = srv.serve(st, saver, master, timeout_ms);
    st.server = Some(srv);
    ready
}

/// A new random replication id (40 hex digits), as a primary has one.
fn new_replid() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut id = String::with_capacity(REPLID_LEN);
    while id.len() < REPLID_LEN {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(std::time::UNIX_EPOCH.elapsed().map_or(0, |d| d.as_nanos()));
        h.write_u32(std::process::id());
        id.push_str(&format!("{:016x}", h.finish()));
    }
    id.truncate(REPLID_LEN);
    id
}

/// A primary: serves the clients until SIGTERM, SIGINT or SHUTDOWN.
fn serve_clients(st: &mut State, saver: &mut Saver) {
    let mut cursors = Vec::new();
    let mut last_expire = Instant::now();
    while !stop_requested() {
        serve(st, saver, None, 100);
        if last_expire.elapsed() >= Duration::from_millis(100) {
            expire_cycle(st, &mut cursors);
            last_expire = Instant::now();
        }
        tick(st, saver);
    }
}

/// A primary's active expiry, ten times a second: a few segments of each db are
/// walked and their expired keys deleted, each deletion propagated as `DEL`, as Redis
/// does (a replica gets those from its master instead).
fn expire_cycle(st: &mut State, cursors: &mut Vec<usize>) {
    let now = crate::filter::now_ms();
    cursors.resize(st.ks.dbs.len(), 0);
    for (db, (d, cur)) in st.ks.dbs.iter_mut().zip(cursors.iter_mut()).enumerate() {
        if d.is_empty() {
            continue;
        }
        for k in d.expire_some(cur, 4, now) {
            if let Some(a) = &mut st.aof {
                a.live.append(db as u64, &[b"DEL", &k]);
            }
        }
    }
}

/// Reaps a finished snapshot child and starts one when a save rule fires.
fn tick(st: &mut State, saver: &mut Saver) {
    if let Some(d) = saver.reap(false) {
        st.dirty = st.dirty.saturating_sub(d);
    }
    if let Some(a) = &mut st.aof {
        a.reap(false);
        if let Err(e) = a.live.flush() {
            say!("rdbtool: writing the AOF: {e}");
        }
        // One child at a time; a rewrite waits for a snapshot, as Redis schedules it.
        if st.have_data
            && !saver.busy()
            && a.due()
            && let Err(e) = a.start(&st.ks, saver.link_fd)
        {
            say!("rdbtool: AOF rewrite not started: {e:#}");
        }
    }
    let (keys, saves, aof) = (
        st.ks.key_count(),
        saver.saves,
        st.aof.as_ref().map(|a| a.live.current_size()),
    );
    st.status.update(st.offset, || {
        let mut s = format!("{keys} keys, {saves} snapshot(s)");
        if let Some(b) = aof {
            s.push_str(&format!(", AOF {:.1} MiB", b as f64 / f64::from(1 << 20)));
        }
        s
    });
    let aof_busy = st.aof.as_ref().is_some_and(Aof::busy);
    if st.have_data && !aof_busy && saver.due(st.dirty) {
        let meta = st.meta();
        if let Err(e) = saver.bgsave(&st.ks, meta, st.dirty) {
            say!("rdbtool: snapshot not started: {e:#}");
        }
    }
}

/// A refusal during the handshake: retry on what a master says while it is not ready,
/// stop on anything else.
fn refused(step: &str, reply: &[u8]) -> Failure {
    let text = String::from_utf8_lossy(reply).into_owned();
    let e = anyhow!("the master refused {step}: {text}");
    let transient = [
        "-LOADING",
        "-BUSY",
        "-MASTERDOWN",
        "-NOMASTERLINK",
        "-TRYAGAIN",
    ];
    if transient.iter().any(|t| text.starts_with(t)) {
        Failure::Retry(e)
    } else {
        Failure::Fatal(e)
    }
}

/// A replication id as a master sends it: 40 characters.
fn replid(b: &[u8]) -> Option<String> {
    (b.len() == REPLID_LEN && b.iter().all(u8::is_ascii_alphanumeric))
        .then(|| String::from_utf8_lossy(b).into_owned())
}

/// Connects and runs the handshake up to a completed full or partial resync.
fn connect(a: &Settings, st: &mut State, saver: &mut Saver) -> Result<Conn, Failure> {
    let mut c = Conn::connect(&a.replicaof)
        .map_err(|e| link(anyhow!(e).context(format!("cannot connect to {}", a.replicaof))))?;
    let r = c.request(&[b"PING"]).map_err(link)?;
    // A master with requirepass answers PING with -NOAUTH: AUTH follows.
    if r.starts_with(b"-") && !r.starts_with(b"-NOAUTH") && !r.starts_with(b"-NOPERM") {
        return Err(refused("PING", &r));
    }
    if let Some(pw) = &a.password {
        let mut auth: Vec<&[u8]> = vec![b"AUTH"];
        if let Some(u) = &a.user {
            auth.push(u.as_bytes());
        }
        auth.push(pw.as_bytes());
        let r = c.request(&auth).map_err(link)?;
        if r.starts_with(b"-") {
            return Err(refused("AUTH", &r));
        }
    } else if r.starts_with(b"-") {
        return Err(refused("PING (no --password given)", &r));
    }
    for args in [
        &[&b"REPLCONF"[..], b"listening-port", b"0"][..],
        &[b"REPLCONF", b"capa", b"eof", b"capa", b"psync2"],
    ] {
        let r = c.request(args).map_err(link)?;
        if r.starts_with(b"-NOAUTH") || r.starts_with(b"-NOPERM") {
            return Err(refused("REPLCONF", &r));
        }
        if r.starts_with(b"-") && !a.quiet {
            say!(
                "rdbtool: warning: the master does not understand {}: {}",
                String::from_utf8_lossy(&args.join(&b' ')),
                String::from_utf8_lossy(&r)
            );
        }
    }
    st.reached = true;
    let (id, off) = if st.replid.is_empty() {
        ("?".to_string(), "-1".to_string())
    } else {
        (st.replid.clone(), (st.offset + 1).to_string())
    };
    let r = c
        .request(&[b"PSYNC", id.as_bytes(), off.as_bytes()])
        .map_err(link)?;
    let words: Vec<&[u8]> = r.split(|&b| b == b' ').collect();
    match words.as_slice() {
        [w, rest @ ..] if *w == b"+CONTINUE" => {
            if let Some(new_id) = rest.first().and_then(|id| replid(id)) {
                if !a.quiet && new_id != st.replid {
                    say!("the master's replication id changed to {new_id}");
                }
                st.replid = new_id;
            }
            if !a.quiet {
                say!(
                    "partial resync with {}: continuing at offset {}",
                    a.replicaof,
                    st.offset
                );
            }
            Ok(c)
        }
        [w, id, off] if *w == b"+FULLRESYNC" => {
            let id = replid(id).ok_or_else(|| refused("PSYNC", &r))?;
            let off: u64 = std::str::from_utf8(off)
                .ok()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| refused("PSYNC", &r))?;
            full_sync(&mut c, st, saver, a.quiet)?;
            st.replid = id;
            st.offset = off;
            if !a.quiet {
                say!(
                    "full resync with {}: {} keys, replication id {}, offset {off}",
                    a.replicaof,
                    st.ks.key_count(),
                    st.replid
                );
            }
            Ok(c)
        }
        _ => Err(refused("PSYNC", &r)),
    }
}

/// Reads the RDB payload of a full resync into a new keyspace, which replaces the old one
/// once it is complete.
fn full_sync(c: &mut Conn, st: &mut State, saver: &mut Saver, quiet: bool) -> Result<(), Failure> {
    // Newlines keep the link alive while the master prepares the RDB.
    let header = loop {
        let line = c.read_line().map_err(link)?;
        if !line.is_empty() {
            break line;
        }
        tick(st, saver);
    };
    if header.starts_with(b"-") {
        // The master could not produce its snapshot for us: a Redis replica retries.
        return Err(Failure::Retry(anyhow!(
            "the master aborted the full resync: {}",
            String::from_utf8_lossy(&header)
        )));
    }
    let framing = Framing::parse(&header).map_err(|e| Failure::Fatal(anyhow!(e)))?;
    let mut p = Payload::new(c, framing);
    let loaded = load_rdb(&mut p);
    let (ks, version) = match loaded {
        Ok(x) => x,
        Err(e) => {
            return Err(match p.link_error.take() {
                Some(l) => link(anyhow!("{l} (during the RDB transfer)")),
                None => Failure::Fatal(anyhow!(e).context("the master's RDB cannot be loaded")),
            });
        }
    };
    // Whatever follows the RDB's end inside the payload is not data.
    let mut extra = 0u64;
    let mut sink = [0u8; 8192];
    loop {
        match std::io::Read::read(&mut p, &mut sink) {
            Ok(0) => break,
            Ok(n) => extra += n as u64,
            Err(e) => return Err(link(e)),
        }
    }
    if extra > 0 && !quiet {
        say!("rdbtool: warning: {extra} bytes after the end of the master's RDB ignored");
    }
    st.ks = ks;
    st.version = version;
    st.have_data = true;
    // The AOF on disk describes the old data: a new base replaces it.
    if let Some(a) = &mut st.aof {
        // A rewrite of the old data is of no use any more.
        a.abort();
        a.live
            .reset()
            .map_err(|e| Failure::Fatal(anyhow!(e).context("writing the AOF")))?;
        a.schedule();
    }
    st.session = Session::new();
    st.multi = None;
    st.pending = 0;
    // Everything is new: the next rule counts from the whole dataset.
    st.dirty = st.dirty.saturating_add(1);
    Ok(())
}

/// Applies the command stream until the link drops or a signal asks to stop.
fn follow(c: &mut Conn, st: &mut State, saver: &mut Saver) -> Result<(), Failure> {
    let ack = |c: &mut Conn, off: u64| c.send(&[b"REPLCONF", b"ACK", off.to_string().as_bytes()]);
    // The first ACK puts a diskless replica online.
    ack(c, st.offset).map_err(link)?;
    let mut last_ack = Instant::now();
    let mut last_data = Instant::now();
    let mut ranges = Vec::new();
    loop {
        let mut n = 0u32;
        loop {
            let len = match c.next_command(&mut ranges) {
                Ok(Some(len)) => len,
                Ok(None) => break,
                Err(e) => {
                    return Err(Failure::Fatal(anyhow!(
                        "the replication stream is malformed at offset {}: {e}",
                        st.offset + st.pending
                    )));
                }
            };
            let buf = c.buffered();
            let args: Vec<&[u8]> = ranges
                .iter()
                .map(|r| buf.get(r.clone()).unwrap_or_default())
                .collect();
            let getack = st.apply(&args, len)?;
            c.consume(len);
            if getack {
                ack(c, st.offset).map_err(link)?;
                last_ack = Instant::now();
            }
            n += 1;
            if n.is_multiple_of(1024)
                && (last_ack.elapsed() >= Duration::from_secs(1) || stop_requested())
            {
                break;
            }
        }
        if stop_requested() {
            return Err(Failure::Stop);
        }
        tick(st, saver);
        if last_ack.elapsed() >= Duration::from_secs(1) {
            ack(c, st.offset).map_err(link)?;
            last_ack = Instant::now();
        }
        if !c.buffered().is_empty() && n > 0 && c.next_command(&mut ranges).ok().flatten().is_some()
        {
            continue;
        }
        // With clients, wait on the link and them together; read the link once it is ready.
        let fill = if st.server.is_some() && !serve(st, saver, Some(c.raw_fd()), 50) {
            Ok(Filled::Nothing)
        } else {
            c.fill()
        };
        match fill {
            Ok(Filled::Data) => last_data = Instant::now(),
            Ok(Filled::Nothing) => {
                if last_data.elapsed() > conn::REPL_TIMEOUT {
                    return Err(link(anyhow!(
                        "the master sent nothing for {} s",
                        conn::REPL_TIMEOUT.as_secs()
                    )));
                }
            }
            Err(e) => return Err(link(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, Parser};

    fn parse(args: &[&str]) -> Result<CaptureArgs, clap::Error> {
        let cli = crate::cli::Cli::try_parse_from(["rdbtool", "capture"].iter().chain(args))?;
        match cli.cmd {
            crate::cli::Command::Capture(a) => Ok(a),
            other => panic!("parsed as {other:?}"),
        }
    }

    #[test]
    fn capture_arguments_take_redis_defaults() {
        crate::cli::Cli::command().debug_assert();
        let a = Settings::resolve(parse(&["--replicaof", "h:1"]).unwrap()).unwrap();
        assert_eq!(a.dir, Path::new("."));
        assert_eq!(a.dbfilename, "dump.rdb");
        assert_eq!(
            SaveRules::parse(&a.save).unwrap().0,
            vec![(3600, 1), (300, 100), (60, 10000)]
        );
        assert!(!a.appendonly);
        assert_eq!(a.auto_aof_rewrite_min_size, 64 << 20);
        assert!(
            Settings::resolve(parse(&[]).unwrap()).is_err(),
            "--replicaof or --listen is required"
        );
        assert!(Settings::resolve(parse(&["--replicaof", "h:1", "--user", "u"]).unwrap()).is_err());
        let a = Settings::resolve(parse(&["--listen", "127.0.0.1:0"]).unwrap()).unwrap();
        assert!(a.replicaof.is_empty(), "--listen alone: a primary");
        let a =
            Settings::resolve(parse(&["--replicaof", "h:1", "--listen", "127.0.0.1:0"]).unwrap());
        assert_eq!(a.unwrap().listen.as_deref(), Some("127.0.0.1:0"));
    }

    fn state() -> State {
        State {
            ks: Keyspace::default(),
            have_data: true,
            session: Session::new(),
            multi: None,
            replid: String::new(),
            offset: 100,
            pending: 0,
            version: REDIS70,
            dirty: 0,
            skip_unknown: false,
            warned: BTreeSet::new(),
            reached: false,
            aof: None,
            status: Status::new(true),
            server: None,
        }
    }

    #[test]
    fn capture_writes_applied_commands_to_the_aof_with_transactions_whole() {
        use formats::aof::live::Fsync;
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("appendonlydir");
        let mut st = state();
        let live = LiveAof::open(&dir, "appendonly.aof", Fsync::Always, true).unwrap();
        st.aof = Some(Aof::new(live, 100, 1 << 20, true));
        for cmd in [
            &[&b"SELECT"[..], b"2"][..],
            &[b"SET", b"a", b"1"],
            &[b"PING"],
            &[b"MULTI"],
            &[b"INCR", b"a"],
            &[b"SET", b"b", b"x"],
            &[b"EXEC"],
        ] {
            st.apply(cmd, 10).ok().unwrap();
        }
        let a = st.aof.as_mut().unwrap();
        a.live.flush().unwrap();
        let text = std::fs::read(dir.join("temp-appendonly.aof.incr")).unwrap();
        let text = String::from_utf8(text).unwrap().replace("\r\n", " ");
        assert_eq!(
            text,
            "*2 $6 SELECT $1 2 *3 $3 SET $1 a $1 1 *1 $5 MULTI *2 $4 INCR $1 a \
             *3 $3 SET $1 b $1 x *1 $4 EXEC "
        );
    }

    #[test]
    fn capture_offsets_count_every_byte_and_a_transaction_only_at_exec() {
        let mut st = state();
        assert!(!st.apply(&[b"PING"], 14).ok().unwrap());
        assert_eq!(st.offset, 114);
        st.apply(&[b"MULTI"], 15).ok().unwrap();
        st.apply(&[b"SET", b"k", b"v"], 29).ok().unwrap();
        assert_eq!(st.offset, 114, "an open transaction is not acknowledged");
        assert_eq!(st.ks.key_count(), 0);
        st.apply(&[b"EXEC"], 14).ok().unwrap();
        assert_eq!(st.offset, 114 + 15 + 29 + 14);
        assert_eq!(st.ks.key_count(), 1);
        assert_eq!(st.dirty, 1);
        assert!(st.apply(&[b"REPLCONF", b"GETACK", b"*"], 37).ok().unwrap());
        st.apply(&[b"SELECT", b"3"], 20).ok().unwrap();
        assert_eq!((st.session.db, st.dirty), (3, 1), "SELECT is not a change");

        match st.apply(&[b"NOSUCHCMD"], 20) {
            Err(Failure::Fatal(e)) => assert!(e.to_string().contains("NOSUCHCMD"), "{e}"),
            _ => panic!("an unknown command must stop capture"),
        }
        st.skip_unknown = true;
        st.apply(&[b"NOSUCHCMD"], 20).ok().unwrap();
        match st.apply(&[b"EXEC"], 14) {
            Err(Failure::Fatal(e)) => assert!(e.to_string().contains("EXEC without MULTI")),
            _ => panic!("EXEC without MULTI must stop capture"),
        }
    }
}

//! `--listen ADDR`: a RESP server. On a replica it serves clients as a Redis replica
//! does: reads, `DEBUG DIGEST`, the persistence commands and `INFO`; writes are refused
//! with `-READONLY`. Without a master (a primary) the writes go to the engine
//! (`Session::call`), each client with its own session; what they propagate goes to the
//! AOF, and their changes count for the save rules. Transactions (MULTI/EXEC, WATCH)
//! and blocking commands are handled here, across clients. Replies are RESP2, worded
//! as Redis 7.0 words them.
//!
//! Single-threaded like the rest of capture: the listener and the clients are
//! non-blocking sockets polled (`libc::poll`) together with the master link.
//! `SCAN` walks the keys in the order the db iterates them; its cursor is a position in
//! that order, so keys added or removed between calls may be missed or repeated.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::ops::Range;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use formats::engine::digest::{dataset_digest, fmt_g17, hex, value_digest};
use formats::engine::reply::{error_text, flatten_transactions};
use formats::engine::{Entry, ExecError, Obj, Out, Prop, Session};
use formats::glob::Pattern;

use super::State;
use super::conn::parse_command;
use super::snapshot::{SaveRules, Saver};
use crate::filter::now_ms;

/// `SHUTDOWN` was asked for.
static SHUTDOWN: AtomicBool = AtomicBool::new(false);
/// `SHUTDOWN NOSAVE`: no final snapshot.
static NOSAVE: AtomicBool = AtomicBool::new(false);
/// `SHUTDOWN SAVE`: a final snapshot even without save rules.
static SAVE: AtomicBool = AtomicBool::new(false);

pub fn shutdown_requested() -> bool {
    SHUTDOWN.load(Ordering::Relaxed)
}

pub fn nosave() -> bool {
    NOSAVE.load(Ordering::Relaxed)
}

pub fn save_forced() -> bool {
    SAVE.load(Ordering::Relaxed)
}

/// A client's input beyond this without a whole command closes it (Redis's
/// `client-query-buffer-limit` default is 1 GiB; reads need far less).
const MAX_QUERY: usize = 64 << 20;

struct Client {
    sock: TcpStream,
    id: u64,
    rbuf: Vec<u8>,
    wbuf: Vec<u8>,
    /// The engine's view of the connection: its selected db.
    session: Session,
    /// Where the engine writes replies, changes and propagation.
    eng: Out,
    /// What this client's commands propagated and the AOF has not got yet.
    props: Vec<Prop>,
    /// Commands queued by MULTI.
    multi: Option<Vec<Vec<Vec<u8>>>>,
    /// A command was refused while queued: the EXEC fails.
    multi_failed: bool,
    /// WATCHed keys (db, key), and whether one changed since.
    watched: Vec<(usize, Vec<u8>)>,
    watch_dirty: bool,
    /// Running the commands of an EXEC (which never block).
    in_exec: bool,
    /// Waiting in a blocking command (BLPOP, ...): no other input runs meanwhile.
    blocked: Option<Blocked>,
    name: Option<Vec<u8>>,
    /// Close once `wbuf` is written (QUIT, a protocol error).
    closing: bool,
}

pub struct Server {
    listener: TcpListener,
    clients: Vec<Client>,
    next_id: u64,
    master_host: String,
    master_port: String,
    /// Whether the master link is up (`master_link_status`).
    pub link_up: bool,
    settings: super::config::Settings,
}

impl Server {
    pub fn bind(addr: &str, settings: super::config::Settings) -> Result<Server> {
        let listener = TcpListener::bind(addr).with_context(|| format!("--listen {addr}"))?;
        listener.set_nonblocking(true)?;
        let (host, port) = settings
            .replicaof
            .rsplit_once(':')
            .map(|(h, p)| (h.to_string(), p.to_string()))
            .unwrap_or_default();
        Ok(Server {
            listener,
            clients: Vec::new(),
            next_id: 1,
            master_host: host,
            master_port: port,
            link_up: false,
            settings,
        })
    }

    /// Waits up to `timeout_ms` for the master link (`master`), new clients or client
    /// input, and serves what arrived. Returns whether the master link is readable.
    pub fn serve(
        &mut self,
        st: &mut State,
        saver: &mut Saver,
        master: Option<RawFd>,
        timeout_ms: i32,
    ) -> bool {
        let mut fds = Vec::with_capacity(self.clients.len() + 2);
        let ev = |fd: RawFd, events: libc::c_short| libc::pollfd {
            fd,
            events,
            revents: 0,
        };
        fds.push(ev(self.listener.as_raw_fd(), libc::POLLIN));
        fds.push(ev(master.unwrap_or(-1), libc::POLLIN));
        for c in &self.clients {
            let mut e = libc::POLLIN;
            if !c.wbuf.is_empty() {
                e |= libc::POLLOUT;
            }
            fds.push(ev(c.sock.as_raw_fd(), e));
        }
        // SAFETY: `fds` is a valid array of `fds.len()` pollfd structs for the call.
        #[allow(unsafe_code)]
        let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout_ms) };
        // Nothing ready (or an interrupted poll): only blocked clients' timeouts.
        let ready = |i: usize| {
            if n <= 0 {
                0
            } else {
                fds.get(i).map_or(0, |f| f.revents)
            }
        };
        let master_ready = master.is_some() && ready(1) != 0;
        let mut closed = Vec::new();
        let mut touched = Vec::new();
        let ctx = Ctx {
            settings: &self.settings,
            master_host: &self.master_host,
            master_port: &self.master_port,
            link_up: self.link_up,
            primary: self.settings.replicaof.is_empty(),
        };
        let mut wrote = false;
        for i in 0..self.clients.len() {
            let r = ready(i + 2);
            if r == 0 {
                continue;
            }
            let Some(c) = self.clients.get_mut(i) else {
                continue;
            };
            if !c.on_ready(r, st, saver, &ctx, &mut touched) {
                closed.push(i);
            }
            wrote |= spread(&mut self.clients, &mut touched);
        }
        // Blocked clients: served when a write may have given them data, or answered
        // at their timeout.
        let now = Instant::now();
        while self.clients.iter().any(|c| {
            c.blocked
                .as_ref()
                .is_some_and(|b| wrote || b.timed_out(now))
        }) {
            wrote = false;
            for i in 0..self.clients.len() {
                let Some(c) = self.clients.get_mut(i) else {
                    continue;
                };
                if c.blocked.is_none() || closed.contains(&i) {
                    continue;
                }
                c.unblock(st, saver, &ctx, now, &mut touched);
                if !c.flush() {
                    closed.push(i);
                }
                wrote |= spread(&mut self.clients, &mut touched);
            }
        }
        closed.sort_unstable();
        for i in closed.into_iter().rev() {
            self.clients.remove(i);
        }
        if ready(0) != 0 {
            while let Ok((sock, _)) = self.listener.accept() {
                if sock.set_nonblocking(true).is_err() {
                    continue;
                }
                let _ = sock.set_nodelay(true);
                self.clients.push(Client {
                    sock,
                    id: self.next_id,
                    rbuf: Vec::new(),
                    wbuf: Vec::new(),
                    session: Session::new(),
                    eng: Out::client(),
                    props: Vec::new(),
                    multi: None,
                    multi_failed: false,
                    watched: Vec::new(),
                    watch_dirty: false,
                    in_exec: false,
                    blocked: None,
                    name: None,
                    closing: false,
                });
                self.next_id += 1;
            }
        }
        master_ready
    }
}

/// Hands the writes in `touched` to every client's WATCHes and forgets them; whether
/// there were any.
fn spread(clients: &mut [Client], touched: &mut Vec<Prop>) -> bool {
    if touched.is_empty() {
        return false;
    }
    for c in clients.iter_mut() {
        c.touch(touched);
    }
    touched.clear();
    true
}

/// A client waiting in a blocking command.
struct Blocked {
    args: Vec<Vec<u8>>,
    /// None: no timeout.
    deadline: Option<Instant>,
    /// The reply at the timeout.
    nil: Vec<u8>,
}

impl Blocked {
    fn timed_out(&self, now: Instant) -> bool {
        self.deadline.is_some_and(|d| d <= now)
    }
}

/// The timeout (seconds, 0 for none) of a blocking command, None when `name` does not
/// block (or XREADGROUP without BLOCK).
fn block_timeout(name: &str, args: &[&[u8]]) -> Option<f64> {
    let secs = |a: &[u8]| std::str::from_utf8(a).ok()?.parse::<f64>().ok();
    match name {
        "blpop" | "brpop" | "bzpopmin" | "bzpopmax" => secs(args.last()?),
        "brpoplpush" => secs(args.get(3)?),
        "blmove" => secs(args.get(5)?),
        "blmpop" | "bzmpop" => secs(args.get(1)?),
        "xreadgroup" => {
            let i = args.iter().position(|a| a.eq_ignore_ascii_case(b"BLOCK"))?;
            Some(secs(args.get(i + 1)?)? / 1000.0)
        }
        _ => None,
    }
}

/// What one command needs besides the data.
struct Ctx<'a> {
    settings: &'a super::config::Settings,
    master_host: &'a str,
    master_port: &'a str,
    link_up: bool,
    /// No master: clients write.
    primary: bool,
}

impl Client {
    /// Reads, runs and answers; false when the client is gone.
    #[allow(clippy::too_many_arguments)]
    fn on_ready(
        &mut self,
        revents: libc::c_short,
        st: &mut State,
        saver: &mut Saver,
        ctx: &Ctx<'_>,
        touched: &mut Vec<Prop>,
    ) -> bool {
        if revents & (libc::POLLIN | libc::POLLHUP | libc::POLLERR) != 0 && !self.closing {
            let mut tmp = [0u8; 16 << 10];
            let mut eof = false;
            loop {
                match self.sock.read(&mut tmp) {
                    Ok(0) => {
                        // What came before the end is still answered (a piped client).
                        eof = true;
                        break;
                    }
                    Ok(n) => self
                        .rbuf
                        .extend_from_slice(tmp.get(..n).unwrap_or_default()),
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(_) => return false,
                }
            }
            self.run_buffered(st, saver, ctx, touched);
            if eof {
                self.closing = true;
            }
        }
        self.flush()
    }

    fn run_buffered(
        &mut self,
        st: &mut State,
        saver: &mut Saver,
        ctx: &Ctx<'_>,
        touched: &mut Vec<Prop>,
    ) {
        // The input and output buffers are taken while the commands run, so that the
        // arguments borrow the input and the replies go straight to the output.
        let rbuf = std::mem::take(&mut self.rbuf);
        let mut out = std::mem::take(&mut self.wbuf);
        let mut ranges: Vec<Range<usize>> = Vec::new();
        let mut args: Vec<&[u8]> = Vec::new();
        let mut used = 0;
        while !self.closing && self.blocked.is_none() {
            let rest = rbuf.get(used..).unwrap_or_default();
            if rest.is_empty() {
                break;
            }
            args.clear();
            if rest.first() != Some(&b'*') && !rest.starts_with(b"\r") && !rest.starts_with(b"\n") {
                // An inline command (redis-cli over a pipe, telnet): one line.
                let Some(i) = memchr::memchr(b'\n', rest) else {
                    break;
                };
                let line = rest.get(..i).unwrap_or_default();
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                args.extend(line.split(|&b| b == b' ').filter(|w| !w.is_empty()));
                used += i + 1;
            } else {
                match parse_command(rest, &mut ranges) {
                    Ok(Some(len)) => {
                        args.extend(
                            ranges
                                .iter()
                                .map(|r| rest.get(r.clone()).unwrap_or_default()),
                        );
                        used += len;
                    }
                    Ok(None) => break,
                    Err(e) => {
                        out.extend_from_slice(format!("-ERR Protocol error: {e}\r\n").as_bytes());
                        self.closing = true;
                        break;
                    }
                }
            }
            if !args.is_empty() {
                self.command(&args, st, saver, ctx, &mut out);
                self.emit(st, touched);
            }
        }
        self.wbuf = out;
        self.rbuf = rbuf;
        self.rbuf.drain(..used.min(self.rbuf.len()));
        if self.rbuf.len() > MAX_QUERY {
            self.closing = true;
        }
        // Written before the replies go out, as Redis writes its AOF before replying.
        if let Some(a) = &mut st.aof
            && let Err(e) = a.live.flush()
        {
            super::status::say!("rdbtool: writing the AOF: {e}");
        }
    }

    /// HELLO [2 [AUTH user pass] [SETNAME name]]: RESP2 only; asking for 3 gets
    /// -NOPROTO, on which client libraries fall back to RESP2.
    fn hello(&mut self, args: &[&[u8]], ctx: &Ctx<'_>, out: &mut Vec<u8>) {
        if let Some(v) = args.get(1) {
            match int_arg(v) {
                Some(2) => {}
                // RESP3 too: capture speaks RESP2 only.
                Some(_) => {
                    err(out, "NOPROTO unsupported protocol version");
                    return;
                }
                None => {
                    err(
                        out,
                        "ERR Protocol version is not an integer or out of range",
                    );
                    return;
                }
            }
        }
        let mut i = 2;
        while i < args.len() {
            let opt = args.get(i).copied().unwrap_or_default();
            if opt.eq_ignore_ascii_case(b"SETNAME") && i + 1 < args.len() {
                self.name = args.get(i + 1).map(|n| n.to_vec());
                i += 2;
            } else if opt.eq_ignore_ascii_case(b"AUTH") && i + 2 < args.len() {
                // No password is set: Redis's default user takes any.
                i += 3;
            } else {
                err(
                    out,
                    &format!(
                        "ERR Syntax error in HELLO option '{}'",
                        String::from_utf8_lossy(opt)
                    ),
                );
                return;
            }
        }
        array(out, 14);
        for (k, v) in [("server", "redis"), ("version", "7.0.15")] {
            bulk(out, k.as_bytes());
            bulk(out, v.as_bytes());
        }
        bulk(out, b"proto");
        int(out, 2);
        bulk(out, b"id");
        int(out, self.id as i64);
        bulk(out, b"mode");
        bulk(out, b"standalone");
        bulk(out, b"role");
        bulk(out, if ctx.primary { b"master" } else { b"replica" });
        bulk(out, b"modules");
        array(out, 0);
    }

    /// A blocked client whose keys may have data now, or whose timeout passed: its
    /// command runs again (and blocks again if there is still nothing), or gets the
    /// timeout's reply; then the rest of its input runs.
    fn unblock(
        &mut self,
        st: &mut State,
        saver: &mut Saver,
        ctx: &Ctx<'_>,
        now: Instant,
        touched: &mut Vec<Prop>,
    ) {
        let Some(b) = self.blocked.take() else {
            return;
        };
        let args: Vec<&[u8]> = b.args.iter().map(Vec::as_slice).collect();
        let mut out = Vec::new();
        self.command(&args, st, saver, ctx, &mut out);
        if let Some(again) = &mut self.blocked {
            if b.timed_out(now) {
                self.blocked = None;
                out.extend_from_slice(&b.nil);
            } else {
                again.deadline = b.deadline;
                return;
            }
        }
        self.wbuf.extend_from_slice(&out);
        self.emit(st, touched);
        self.run_buffered(st, saver, ctx, touched);
    }

    /// Hands what the last command propagated to the AOF, and to the WATCHes (this
    /// client's own now; the others' through `touched`).
    fn emit(&mut self, st: &mut State, touched: &mut Vec<Prop>) {
        if self.props.is_empty() {
            return;
        }
        let props = std::mem::take(&mut self.props);
        if let Some(a) = &mut st.aof {
            for p in &props {
                let args: Vec<&[u8]> = p.args.iter().map(Vec::as_slice).collect();
                a.live.append(p.db as u64, &args);
            }
        }
        self.touch(&props);
        touched.extend(props);
    }

    /// Marks this client's transaction as failed if `props` change a key it watches
    /// (any argument naming it counts; a flush or a swap counts for every key).
    fn touch(&mut self, props: &[Prop]) {
        if self.watched.is_empty() || self.watch_dirty {
            return;
        }
        self.watch_dirty = props.iter().any(|p| {
            let name = p.args.first().map(Vec::as_slice).unwrap_or_default();
            if [&b"FLUSHALL"[..], b"FLUSHDB", b"SWAPDB"]
                .iter()
                .any(|n| name.eq_ignore_ascii_case(n))
            {
                return true;
            }
            self.watched
                .iter()
                .any(|(db, k)| *db == p.db && p.args.iter().skip(1).any(|a| a == k))
        });
    }

    /// A command for the engine (a primary's; one it does not know gets Redis's
    /// unknown-command reply): its reply goes to `out`, its changes to the save rules'
    /// count, what it propagates to `props`.
    fn engine(&mut self, args: &[&[u8]], st: &mut State, out: &mut Vec<u8>) {
        let before = self.eng.dirty();
        match self.session.call(&mut st.ks, args, &mut self.eng) {
            Ok(()) => {}
            Err(ExecError::Unknown(_)) => unknown(out, args),
            Err(e) => self.eng.exec_error(&e),
        }
        out.extend_from_slice(self.eng.reply());
        self.eng.clear_reply();
        st.dirty = st
            .dirty
            .saturating_add(self.eng.dirty().wrapping_sub(before));
        self.props.extend(self.eng.drain_propagated());
    }

    /// MULTI, EXEC, DISCARD, WATCH, UNWATCH, and queueing inside a transaction; false
    /// when `name` is none of those and runs now.
    fn transaction(
        &mut self,
        name: &str,
        args: &[&[u8]],
        st: &mut State,
        saver: &mut Saver,
        ctx: &Ctx<'_>,
        out: &mut Vec<u8>,
    ) -> bool {
        match name {
            "multi" if args.len() == 1 => {
                if self.multi.is_some() {
                    err(out, "ERR MULTI calls can not be nested");
                } else {
                    self.multi = Some(Vec::new());
                    self.multi_failed = false;
                    simple(out, "OK");
                }
            }
            "discard" if args.len() == 1 => {
                if self.multi.take().is_some() {
                    self.watched.clear();
                    self.watch_dirty = false;
                    simple(out, "OK");
                } else {
                    err(out, "ERR DISCARD without MULTI");
                }
            }
            "exec" if args.len() == 1 => {
                let Some(queued) = self.multi.take() else {
                    err(out, "ERR EXEC without MULTI");
                    return true;
                };
                let aborted = std::mem::take(&mut self.watch_dirty);
                self.watched.clear();
                if std::mem::take(&mut self.multi_failed) {
                    err(
                        out,
                        "EXECABORT Transaction discarded because of previous errors.",
                    );
                } else if aborted {
                    out.extend_from_slice(b"*-1\r\n");
                } else {
                    array(out, queued.len());
                    let (db, mark) = (self.session.db, self.props.len());
                    self.in_exec = true;
                    for q in &queued {
                        let a: Vec<&[u8]> = q.iter().map(Vec::as_slice).collect();
                        self.command(&a, st, saver, ctx, out);
                    }
                    self.in_exec = false;
                    // One transaction in the AOF, as Redis propagates it.
                    flatten_transactions(&mut self.props, mark);
                    if self.props.len() > mark {
                        self.props.insert(
                            mark,
                            Prop {
                                db,
                                args: vec![b"MULTI".to_vec()],
                            },
                        );
                        self.props.push(Prop {
                            db: self.session.db,
                            args: vec![b"EXEC".to_vec()],
                        });
                    }
                }
            }
            "watch" if args.len() >= 2 => {
                if self.multi.is_some() {
                    err(out, "ERR WATCH inside MULTI is not allowed");
                } else {
                    let db = self.session.db;
                    self.watched
                        .extend(args.iter().skip(1).map(|k| (db, k.to_vec())));
                    simple(out, "OK");
                }
            }
            "unwatch" if args.len() == 1 => {
                self.watched.clear();
                self.watch_dirty = false;
                simple(out, "OK");
            }
            "multi" | "discard" | "exec" | "watch" | "unwatch" => {
                err(
                    out,
                    &format!("ERR wrong number of arguments for '{name}' command"),
                );
                if self.multi.is_some() {
                    self.multi_failed = true;
                }
            }
            _ => {
                let Some(q) = &mut self.multi else {
                    return false;
                };
                if name == "quit" {
                    return false;
                }
                let engine_knows = Session::check(args);
                if server_knows(name) || engine_knows.is_ok() {
                    q.push(args.iter().map(|a| a.to_vec()).collect());
                    simple(out, "QUEUED");
                } else {
                    self.multi_failed = true;
                    match engine_knows {
                        Err(ExecError::Unknown(_)) => unknown(out, args),
                        Err(e) => err(out, &error_text(&e)),
                        Ok(()) => {}
                    }
                }
            }
        }
        true
    }

    /// Writes what the socket takes; false when the client is to be dropped.
    fn flush(&mut self) -> bool {
        while !self.wbuf.is_empty() {
            match self.sock.write(&self.wbuf) {
                Ok(0) => return false,
                Ok(n) => {
                    self.wbuf.drain(..n);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return true,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return false,
            }
        }
        !self.closing
    }

    fn command(
        &mut self,
        args: &[&[u8]],
        st: &mut State,
        saver: &mut Saver,
        ctx: &Ctx<'_>,
        out: &mut Vec<u8>,
    ) {
        let Some(first) = args.first() else {
            return;
        };
        // Lower-cased on the stack (no command name is longer); a longer or non-UTF-8
        // name matches nothing and gets the unknown-command reply.
        let mut buf = [0u8; 32];
        let name = lower(first, &mut buf);
        if self.transaction(name, args, st, saver, ctx, out) {
            return;
        }
        let now = now_ms();
        let db = self.session.db;
        let get = |k: &[u8]| -> Option<&Entry> {
            st.ks
                .db(db)
                .and_then(|d| d.get(k))
                .filter(|e| e.expire_ms().is_none_or(|t| t > now))
        };
        let argc = args.len();
        let arity_ok = match name {
            "ping" => argc <= 2,
            "echo" | "select" | "dbsize" | "keys" | "lastsave" | "save" => {
                matches!(
                    (name, argc),
                    ("echo" | "select" | "keys", 2) | ("dbsize" | "lastsave" | "save", 1)
                )
            }
            "get" | "type" | "ttl" | "pttl" | "strlen" | "hgetall" | "hlen" | "llen"
            | "smembers" | "scard" | "zcard" | "xlen" => argc == 2,
            "hget" | "sismember" | "zscore" => argc == 3,
            "mget" | "exists" => argc >= 2,
            "lrange" => argc == 4,
            "zrange" => argc >= 4,
            "xrange" => argc == 4 || argc == 6,
            "scan" => argc >= 2,
            _ => true,
        };
        if !arity_ok {
            err(
                out,
                &format!("ERR wrong number of arguments for '{name}' command"),
            );
            return;
        }
        let arg = |i: usize| args.get(i).copied().unwrap_or_default();
        match name {
            "ping" => match args.get(1) {
                Some(m) => bulk(out, m),
                None => simple(out, "PONG"),
            },
            "echo" => bulk(out, arg(1)),
            "quit" => {
                simple(out, "OK");
                self.closing = true;
            }
            "command" => out.extend_from_slice(b"*0\r\n"),
            "select" => match int_arg(arg(1)) {
                Some(n) if n >= 0 && (n as usize) < st.ks.dbs.len() => {
                    self.session.db = n as usize;
                    simple(out, "OK");
                }
                Some(_) => err(out, "ERR DB index is out of range"),
                None => err(out, "ERR value is not an integer or out of range"),
            },
            "client" => {
                let sub = String::from_utf8_lossy(arg(1)).to_ascii_lowercase();
                match (sub.as_str(), argc) {
                    ("setname", 3) => {
                        self.name = (!arg(2).is_empty()).then(|| arg(2).to_vec());
                        simple(out, "OK");
                    }
                    ("getname", 2) => match &self.name {
                        Some(n) => bulk(out, n),
                        None => nil(out),
                    },
                    ("id", 2) => int(out, self.id as i64),
                    // Client libraries announce themselves (redis-py, go-redis).
                    ("setinfo", 4) => simple(out, "OK"),
                    _ => err(
                        out,
                        &format!(
                            "ERR unknown subcommand or wrong number of arguments for '{}'. Try CLIENT HELP.",
                            String::from_utf8_lossy(arg(1))
                        ),
                    ),
                }
            }
            "hello" => self.hello(args, ctx, out),
            "get" => match get(arg(1)).map(|e| &e.obj) {
                None => nil(out),
                Some(Obj::Str(s)) => bulk(out, s),
                Some(_) => wrongtype(out),
            },
            "mget" => {
                array(out, argc - 1);
                for k in args.iter().skip(1) {
                    match get(k).map(|e| &e.obj) {
                        Some(Obj::Str(s)) => bulk(out, s),
                        _ => nil(out),
                    }
                }
            }
            "exists" => {
                let n = args.iter().skip(1).filter(|k| get(k).is_some()).count();
                int(out, n as i64);
            }
            "type" => simple(out, get(arg(1)).map_or("none", |e| type_name(&e.obj))),
            "ttl" | "pttl" => int(
                out,
                match get(arg(1)) {
                    None => -2,
                    Some(e) => match e.expire_ms() {
                        None => -1,
                        Some(t) if name == "ttl" => (t - now + 500) / 1000,
                        Some(t) => t - now,
                    },
                },
            ),
            "dbsize" => int(out, st.ks.db(db).map_or(0, |d| d.len()) as i64),
            "keys" => {
                let p = Pattern::new(arg(1));
                let keys: Vec<&[u8]> = st
                    .ks
                    .db(db)
                    .into_iter()
                    .flat_map(|d| d.iter())
                    .filter(|e| e.expire_ms().is_none_or(|t| t > now) && p.matches(e.key()))
                    .map(Entry::key)
                    .collect();
                array(out, keys.len());
                for k in keys {
                    bulk(out, k);
                }
            }
            "scan" => scan(out, st, db, now, args),
            "strlen" => match get(arg(1)).map(|e| &e.obj) {
                None => int(out, 0),
                Some(Obj::Str(s)) => int(out, s.len() as i64),
                Some(_) => wrongtype(out),
            },
            "hget" | "hgetall" | "hlen" => match get(arg(1)).map(|e| &e.obj) {
                None if name == "hget" => nil(out),
                None if name == "hlen" => int(out, 0),
                None => array(out, 0),
                Some(Obj::Hash(h)) => match name {
                    "hget" => match h.get(arg(2)) {
                        Some(f) => bulk(out, f.value),
                        None => nil(out),
                    },
                    "hlen" => int(out, h.len() as i64),
                    _ => {
                        array(out, h.len() * 2);
                        for (f, v) in h.iter() {
                            bulk(out, f);
                            bulk(out, v.value);
                        }
                    }
                },
                Some(_) => wrongtype(out),
            },
            "lrange" | "llen" => match get(arg(1)).map(|e| &e.obj) {
                None if name == "llen" => int(out, 0),
                None => array(out, 0),
                Some(Obj::List(l)) if name == "llen" => int(out, l.len() as i64),
                Some(Obj::List(l)) => match (int_arg(arg(2)), int_arg(arg(3))) {
                    (Some(a), Some(b)) => {
                        let r = rank_range(a, b, l.len());
                        array(out, r.len());
                        for v in l.iter().skip(r.start).take(r.len()) {
                            bulk(out, v);
                        }
                    }
                    _ => err(out, "ERR value is not an integer or out of range"),
                },
                Some(_) => wrongtype(out),
            },
            "smembers" | "scard" | "sismember" => match get(arg(1)).map(|e| &e.obj) {
                None if name == "smembers" => array(out, 0),
                None => int(out, 0),
                Some(Obj::Set(s)) => match name {
                    "smembers" => {
                        array(out, s.len());
                        for m in s.iter() {
                            bulk(out, m);
                        }
                    }
                    "scard" => int(out, s.len() as i64),
                    _ => int(out, i64::from(s.contains(arg(2)))),
                },
                Some(_) => wrongtype(out),
            },
            "zrange" => zrange(out, get(arg(1)).map(|e| &e.obj), args),
            "zcard" | "zscore" => match get(arg(1)).map(|e| &e.obj) {
                None if name == "zcard" => int(out, 0),
                None => nil(out),
                Some(Obj::Zset(z)) if name == "zcard" => int(out, z.len() as i64),
                Some(Obj::Zset(z)) => match z.score(arg(2)) {
                    Some(s) => bulk(out, fmt_g17(s).as_bytes()),
                    None => nil(out),
                },
                Some(_) => wrongtype(out),
            },
            "xrange" | "xlen" => match get(arg(1)).map(|e| &e.obj) {
                None if name == "xlen" => int(out, 0),
                None => array(out, 0),
                Some(Obj::Stream(s)) if name == "xlen" => int(out, s.entries.len() as i64),
                Some(Obj::Stream(s)) => xrange(out, s, args),
                Some(_) => wrongtype(out),
            },
            "debug" => {
                let sub = String::from_utf8_lossy(arg(1)).to_ascii_lowercase();
                match sub.as_str() {
                    "digest" => simple(out, &hex(&dataset_digest(&st.ks))),
                    "digest-value" => {
                        array(out, argc - 2);
                        for k in args.iter().skip(2) {
                            // Redis digests what the key holds, expired or not.
                            match st.ks.db(db).and_then(|d| d.get(k)) {
                                Some(e) => simple(out, &hex(&value_digest(e))),
                                None => simple(out, &"0".repeat(40)),
                            }
                        }
                    }
                    // Only the digests: the issue asks for no other DEBUG subcommand.
                    _ => err(
                        out,
                        &format!(
                            "ERR unknown subcommand '{}'. Try DEBUG HELP.",
                            String::from_utf8_lossy(arg(1))
                        ),
                    ),
                }
            }
            "save" => {
                if saver.busy() {
                    err(out, "ERR Background save already in progress");
                } else {
                    match saver.save_now(&st.ks, st.meta()) {
                        Ok(()) => {
                            st.dirty = 0;
                            simple(out, "OK");
                        }
                        Err(_) => err(out, "ERR"),
                    }
                }
            }
            "bgsave" => {
                if saver.busy() {
                    err(out, "ERR Background save already in progress");
                } else if st.aof.as_ref().is_some_and(super::aof::Aof::busy) {
                    err(
                        out,
                        "ERR Another child process is active (AOF?): can't BGSAVE right now. \
                         Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.",
                    );
                } else {
                    match saver.bgsave(&st.ks, st.meta(), st.dirty) {
                        Ok(()) => simple(out, "Background saving started"),
                        Err(e) => err(out, &format!("ERR {e:#}")),
                    }
                }
            }
            "bgrewriteaof" => match &mut st.aof {
                None => err(out, "ERR capture runs without an AOF (--appendonly no)"),
                Some(a) if a.busy() => err(
                    out,
                    "ERR Background append only file rewriting already in progress",
                ),
                Some(a) if saver.busy() => {
                    a.schedule();
                    simple(out, "Background append only file rewriting scheduled");
                }
                Some(a) => match a.start(&st.ks, saver.link_fd) {
                    Ok(()) => simple(out, "Background append only file rewriting started"),
                    Err(e) => err(out, &format!("ERR {e:#}")),
                },
            },
            "lastsave" => int(out, saver.last_save_unix as i64),
            "info" => {
                let text = info(st, saver, ctx, args.get(1).copied());
                bulk(out, text.as_bytes());
            }
            "config" => config(out, st, saver, ctx, args),
            "shutdown" => {
                let how = String::from_utf8_lossy(arg(1)).to_ascii_lowercase();
                match how.as_str() {
                    "" => {}
                    "save" => SAVE.store(true, Ordering::Relaxed),
                    "nosave" => NOSAVE.store(true, Ordering::Relaxed),
                    _ => {
                        err(out, "ERR syntax error");
                        return;
                    }
                }
                SHUTDOWN.store(true, Ordering::Relaxed);
                self.closing = true;
            }
            n if is_write(n) && !ctx.primary => {
                err(out, "READONLY You can't write against a read only replica.");
            }
            _ if ctx.primary => {
                let (start, props, dirty) = (out.len(), self.props.len(), self.eng.dirty());
                self.engine(args, st, out);
                // A blocking command that found nothing waits (not inside a transaction,
                // as in Redis): its "nothing" reply is kept for its timeout.
                let nothing = matches!(out.get(start..), Some(b"*-1\r\n" | b"$-1\r\n"));
                if nothing
                    && !self.in_exec
                    && self.props.len() == props
                    && self.eng.dirty() == dirty
                    && let Some(t) = block_timeout(name, args)
                {
                    self.blocked = Some(Blocked {
                        args: args.iter().map(|a| a.to_vec()).collect(),
                        deadline: (t > 0.0).then(|| Instant::now() + Duration::from_secs_f64(t)),
                        nil: out.split_off(start),
                    });
                }
            }
            _ => unknown(out, args),
        }
    }
}

fn type_name(o: &Obj) -> &'static str {
    match o {
        Obj::Str(_) => "string",
        Obj::List(_) => "list",
        Obj::Set(_) => "set",
        Obj::Zset(_) => "zset",
        Obj::Hash(_) => "hash",
        Obj::Stream(_) => "stream",
        Obj::Module(_) => "module",
    }
}

fn is_write(name: &str) -> bool {
    const WRITES: &[&str] = &[
        "set",
        "setnx",
        "setex",
        "psetex",
        "append",
        "del",
        "unlink",
        "incr",
        "decr",
        "incrby",
        "decrby",
        "incrbyfloat",
        "getset",
        "getdel",
        "getex",
        "mset",
        "msetnx",
        "setrange",
        "setbit",
        "bitop",
        "bitfield",
        "hset",
        "hsetnx",
        "hmset",
        "hdel",
        "hincrby",
        "hincrbyfloat",
        "lpush",
        "rpush",
        "lpushx",
        "rpushx",
        "lpop",
        "rpop",
        "linsert",
        "lset",
        "lrem",
        "ltrim",
        "rpoplpush",
        "lmove",
        "blpop",
        "brpop",
        "brpoplpush",
        "blmove",
        "lmpop",
        "blmpop",
        "sadd",
        "srem",
        "spop",
        "smove",
        "sinterstore",
        "sunionstore",
        "sdiffstore",
        "zadd",
        "zincrby",
        "zrem",
        "zremrangebyscore",
        "zremrangebyrank",
        "zremrangebylex",
        "zpopmin",
        "zpopmax",
        "bzpopmin",
        "bzpopmax",
        "zmpop",
        "bzmpop",
        "zunionstore",
        "zinterstore",
        "zdiffstore",
        "zrangestore",
        "xadd",
        "xdel",
        "xtrim",
        "xgroup",
        "xack",
        "xclaim",
        "xautoclaim",
        "xsetid",
        "xreadgroup",
        "expire",
        "pexpire",
        "expireat",
        "pexpireat",
        "persist",
        "rename",
        "renamenx",
        "move",
        "copy",
        "restore",
        "flushdb",
        "flushall",
        "pfadd",
        "pfmerge",
        "pfdebug",
        "geoadd",
        "georadius",
        "georadiusbymember",
        "geosearchstore",
        "sort",
        "swapdb",
        "function",
        "eval",
        "evalsha",
        "fcall",
    ];
    WRITES.contains(&name)
}

fn int_arg(a: &[u8]) -> Option<i64> {
    std::str::from_utf8(a).ok()?.parse().ok()
}

/// Redis's start/stop rank clamping (LRANGE, ZRANGE).
fn rank_range(start: i64, stop: i64, len: usize) -> Range<usize> {
    let len = len as i64;
    let s = if start < 0 {
        (len + start).max(0)
    } else {
        start
    };
    let e = if stop < 0 {
        len + stop
    } else {
        stop.min(len - 1)
    };
    if s > e || s >= len {
        return 0..0;
    }
    s as usize..(e + 1) as usize
}

fn zrange(out: &mut Vec<u8>, o: Option<&Obj>, args: &[&[u8]]) {
    let mut withscores = false;
    for a in args.iter().skip(4) {
        if a.eq_ignore_ascii_case(b"WITHSCORES") {
            withscores = true;
        } else {
            err(out, "ERR syntax error");
            return;
        }
    }
    let (Some(a), Some(b)) = (
        args.get(2).and_then(|a| int_arg(a)),
        args.get(3).and_then(|a| int_arg(a)),
    ) else {
        err(out, "ERR value is not an integer or out of range");
        return;
    };
    match o {
        None => array(out, 0),
        Some(Obj::Zset(z)) => {
            let r = rank_range(a, b, z.len());
            array(out, r.len() * if withscores { 2 } else { 1 });
            for (m, s) in z.iter().skip(r.start).take(r.len()) {
                bulk(out, m);
                if withscores {
                    bulk(out, fmt_g17(s).as_bytes());
                }
            }
        }
        Some(_) => wrongtype(out),
    }
}

/// A stream id argument: `-`, `+`, `ms` or `ms-seq` (a missing seq is 0 for the start
/// and the maximum for the end).
fn stream_id(a: &[u8], end: bool) -> Option<(u64, u64)> {
    match a {
        b"-" => Some((0, 0)),
        b"+" => Some((u64::MAX, u64::MAX)),
        _ => {
            let s = std::str::from_utf8(a).ok()?;
            match s.split_once('-') {
                Some((ms, seq)) => Some((ms.parse().ok()?, seq.parse().ok()?)),
                None => Some((s.parse().ok()?, if end { u64::MAX } else { 0 })),
            }
        }
    }
}

fn xrange(out: &mut Vec<u8>, s: &formats::engine::Stream, args: &[&[u8]]) {
    let (Some(lo), Some(hi)) = (
        args.get(2).and_then(|a| stream_id(a, false)),
        args.get(3).and_then(|a| stream_id(a, true)),
    ) else {
        err(
            out,
            "ERR Invalid stream ID specified as stream command argument",
        );
        return;
    };
    let mut count = usize::MAX;
    if args.len() == 6 {
        if !args
            .get(4)
            .is_some_and(|a| a.eq_ignore_ascii_case(b"COUNT"))
        {
            err(out, "ERR syntax error");
            return;
        }
        match args.get(5).and_then(|a| int_arg(a)) {
            Some(n) if n < 0 => count = 0,
            Some(n) => count = n as usize,
            None => {
                err(out, "ERR value is not an integer or out of range");
                return;
            }
        }
    }
    let items: Vec<_> = s
        .entries
        .iter()
        .filter(|(id, _)| (id.ms, id.seq) >= lo && (id.ms, id.seq) <= hi)
        .take(count)
        .collect();
    array(out, items.len());
    for (id, fields) in items {
        array(out, 2);
        bulk(out, format!("{}-{}", id.ms, id.seq).as_bytes());
        array(out, fields.len() * 2);
        for (f, v) in fields {
            bulk(out, f);
            bulk(out, v);
        }
    }
}

fn scan(out: &mut Vec<u8>, st: &State, db: usize, now: i64, args: &[&[u8]]) {
    let Some(cursor) = args.get(1).and_then(|a| int_arg(a)).filter(|c| *c >= 0) else {
        err(out, "ERR invalid cursor");
        return;
    };
    let (mut count, mut pattern, mut kind) = (10usize, None, None);
    let mut i = 2;
    while i < args.len() {
        let opt = args.get(i).copied().unwrap_or_default();
        let val = args.get(i + 1).copied();
        match (opt.to_ascii_lowercase().as_slice(), val) {
            (b"count", Some(v)) => match int_arg(v) {
                Some(n) if n >= 1 => count = n as usize,
                Some(_) => {
                    err(out, "ERR syntax error");
                    return;
                }
                None => {
                    err(out, "ERR value is not an integer or out of range");
                    return;
                }
            },
            (b"match", Some(v)) => pattern = Some(Pattern::new(v)),
            (b"type", Some(v)) => kind = Some(String::from_utf8_lossy(v).to_ascii_lowercase()),
            _ => {
                err(out, "ERR syntax error");
                return;
            }
        }
        i += 2;
    }
    let Some(d) = st.ks.db(db) else {
        out.extend_from_slice(b"*2\r\n$1\r\n0\r\n*0\r\n");
        return;
    };
    let start = cursor as usize;
    let mut keys = Vec::new();
    let mut next = 0;
    for (n, e) in d.iter().enumerate().skip(start) {
        if n >= start + count {
            next = n;
            break;
        }
        let live = e.expire_ms().is_none_or(|t| t > now);
        let m = pattern.as_ref().is_none_or(|p| p.matches(e.key()));
        let t = kind.as_deref().is_none_or(|k| k == type_name(&e.obj));
        if live && m && t {
            keys.push(e.key());
        }
    }
    array(out, 2);
    bulk(out, next.to_string().as_bytes());
    array(out, keys.len());
    for k in keys {
        bulk(out, k);
    }
}

fn save_text(rules: &SaveRules) -> String {
    rules
        .0
        .iter()
        .map(|(s, c)| format!("{s} {c}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn config(out: &mut Vec<u8>, st: &mut State, saver: &mut Saver, ctx: &Ctx<'_>, args: &[&[u8]]) {
    let sub =
        String::from_utf8_lossy(args.get(1).copied().unwrap_or_default()).to_ascii_lowercase();
    let s = ctx.settings;
    let yes = |b: bool| if b { "yes" } else { "no" }.to_string();
    let (pct, min, fsync) = match &st.aof {
        Some(a) => (
            a.auto_pct,
            a.auto_min,
            a.live.fsync_policy().name().to_string(),
        ),
        None => (
            s.auto_aof_rewrite_percentage,
            s.auto_aof_rewrite_min_size,
            s.appendfsync.name().to_string(),
        ),
    };
    let params: Vec<(&str, String)> = vec![
        ("save", save_text(&saver.rules)),
        ("dir", s.dir.display().to_string()),
        ("dbfilename", s.dbfilename.clone()),
        ("appendonly", yes(st.aof.is_some())),
        ("appendfsync", fsync),
        ("appenddirname", s.appenddirname.clone()),
        ("appendfilename", s.appendfilename.clone()),
        ("aof-use-rdb-preamble", yes(s.aof_use_rdb_preamble)),
        ("auto-aof-rewrite-percentage", pct.to_string()),
        ("auto-aof-rewrite-min-size", min.to_string()),
    ];
    match sub.as_str() {
        "get" if args.len() >= 3 => {
            let pats: Vec<Pattern> = args
                .iter()
                .skip(2)
                .map(|p| Pattern::new_nocase(p))
                .collect();
            let hits: Vec<&(&str, String)> = params
                .iter()
                .filter(|(n, _)| pats.iter().any(|p| p.matches(n.as_bytes())))
                .collect();
            array(out, hits.len() * 2);
            for (n, v) in hits {
                bulk(out, n.as_bytes());
                bulk(out, v.as_bytes());
            }
        }
        "set" if args.len() == 4 => {
            let name = String::from_utf8_lossy(args.get(2).copied().unwrap_or_default())
                .to_ascii_lowercase();
            let val =
                String::from_utf8_lossy(args.get(3).copied().unwrap_or_default()).into_owned();
            let bad = |out: &mut Vec<u8>| {
                err(
                    out,
                    &format!(
                        "ERR CONFIG SET failed (possibly related to argument '{name}') - argument couldn't be parsed into an integer"
                    ),
                );
            };
            match name.as_str() {
                "save" => match SaveRules::parse(&val) {
                    Ok(r) => {
                        saver.rules = r;
                        simple(out, "OK");
                    }
                    Err(_) => err(
                        out,
                        "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters",
                    ),
                },
                "appendfsync" => match (formats::aof::live::Fsync::parse(&val), &mut st.aof) {
                    (Some(f), Some(a)) => {
                        a.live.set_fsync_policy(f);
                        simple(out, "OK");
                    }
                    (Some(_), None) => simple(out, "OK"),
                    (None, _) => err(
                        out,
                        "ERR CONFIG SET failed (possibly related to argument 'appendfsync') - argument(s) must be one of the following: always, everysec, no",
                    ),
                },
                "auto-aof-rewrite-percentage" | "auto-aof-rewrite-min-size" => {
                    match val.parse::<u64>() {
                        Ok(n) => {
                            if let Some(a) = &mut st.aof {
                                if name == "auto-aof-rewrite-percentage" {
                                    a.auto_pct = n;
                                } else {
                                    a.auto_min = n;
                                }
                            }
                            simple(out, "OK");
                        }
                        Err(_) => bad(out),
                    }
                }
                _ if params.iter().any(|(n, _)| *n == name) => err(
                    out,
                    &format!(
                        "ERR CONFIG SET failed (possibly related to argument '{name}') - can't set immutable config"
                    ),
                ),
                _ => err(
                    out,
                    &format!("ERR Unknown option or number of arguments for CONFIG SET - '{name}'"),
                ),
            }
        }
        _ => err(
            out,
            &format!(
                "ERR unknown subcommand or wrong number of arguments for '{}'. Try CONFIG HELP.",
                String::from_utf8_lossy(args.get(1).copied().unwrap_or_default())
            ),
        ),
    }
}

fn info(st: &State, saver: &Saver, ctx: &Ctx<'_>, section: Option<&[u8]>) -> String {
    let want = section.map(|s| String::from_utf8_lossy(s).to_ascii_lowercase());
    let show = |name: &str| {
        want.as_deref()
            .is_none_or(|w| w == name || w == "all" || w == "default" || w == "everything")
    };
    let mut s = String::new();
    let aof = st.aof.as_ref();
    if show("persistence") {
        s.push_str("# Persistence\r\n");
        s.push_str(&format!(
            "loading:0\r\nrdb_changes_since_last_save:{}\r\n",
            st.dirty
        ));
        s.push_str(&format!(
            "rdb_bgsave_in_progress:{}\r\n",
            u8::from(saver.busy())
        ));
        s.push_str(&format!("rdb_last_save_time:{}\r\n", saver.last_save_unix));
        s.push_str(&format!(
            "rdb_last_bgsave_status:{}\r\n",
            if saver.last_ok() { "ok" } else { "err" }
        ));
        s.push_str(&format!(
            "rdb_last_cow_size:{}\r\n",
            saver.last_cow.unwrap_or(0)
        ));
        s.push_str(&format!("aof_enabled:{}\r\n", u8::from(aof.is_some())));
        s.push_str(&format!(
            "aof_rewrite_in_progress:{}\r\n",
            u8::from(aof.is_some_and(super::aof::Aof::busy))
        ));
        s.push_str(&format!(
            "aof_last_bgrewrite_status:{}\r\n",
            if aof.is_none_or(|a| a.last_ok) {
                "ok"
            } else {
                "err"
            }
        ));
        s.push_str(&format!(
            "aof_last_cow_size:{}\r\n",
            aof.and_then(|a| a.last_cow).unwrap_or(0)
        ));
        if let Some(a) = aof {
            s.push_str(&format!("aof_current_size:{}\r\n", a.live.current_size()));
            s.push_str(&format!("aof_base_size:{}\r\n", a.live.base_size()));
        }
        s.push_str("\r\n");
    }
    if show("stats") {
        let fork = saver
            .latest_fork_us
            .max(aof.map_or(0, |a| a.latest_fork_us));
        s.push_str(&format!("# Stats\r\nlatest_fork_usec:{fork}\r\n\r\n"));
    }
    if show("replication") && ctx.primary {
        s.push_str("# Replication\r\nrole:master\r\nconnected_slaves:0\r\n");
        s.push_str(&format!(
            "master_replid:{}\r\nmaster_repl_offset:0\r\n\r\n",
            st.replid
        ));
    } else if show("replication") {
        s.push_str("# Replication\r\nrole:slave\r\n");
        s.push_str(&format!("master_host:{}\r\n", ctx.master_host));
        s.push_str(&format!("master_port:{}\r\n", ctx.master_port));
        s.push_str(&format!(
            "master_link_status:{}\r\n",
            if ctx.link_up { "up" } else { "down" }
        ));
        s.push_str(&format!("slave_repl_offset:{}\r\n", st.offset));
        s.push_str("slave_read_only:1\r\n");
        s.push_str(&format!("master_replid:{}\r\n\r\n", st.replid));
    }
    if show("keyspace") {
        s.push_str("# Keyspace\r\n");
        for (i, d) in st.ks.dbs.iter().enumerate() {
            if d.is_empty() {
                continue;
            }
            let expires = d.iter().filter(|e| e.expire_ms().is_some()).count();
            s.push_str(&format!(
                "db{i}:keys={},expires={expires},avg_ttl=0\r\n",
                d.len()
            ));
        }
    }
    s
}

/// `name` lower-cased in `buf`; empty when it is longer than `buf` or not UTF-8.
fn lower<'b>(name: &[u8], buf: &'b mut [u8; 32]) -> &'b str {
    let Some(b) = buf.get_mut(..name.len()) else {
        return "";
    };
    for (d, c) in b.iter_mut().zip(name) {
        *d = c.to_ascii_lowercase();
    }
    std::str::from_utf8(b).unwrap_or("")
}

/// Redis's reply to a command it does not know.
fn unknown(out: &mut Vec<u8>, args: &[&[u8]]) {
    let first = args.first().copied().unwrap_or_default();
    let mut text = format!(
        "ERR unknown command '{}', with args beginning with: ",
        String::from_utf8_lossy(first)
    );
    for a in args.iter().skip(1) {
        text.push_str(&format!("'{}' ", String::from_utf8_lossy(a)));
    }
    err(out, &text);
}

/// Whether the server answers `name` itself (reads and administration), beside the
/// engine's writes.
fn server_knows(name: &str) -> bool {
    matches!(
        name,
        "ping"
            | "echo"
            | "quit"
            | "command"
            | "select"
            | "client"
            | "hello"
            | "get"
            | "mget"
            | "exists"
            | "type"
            | "ttl"
            | "pttl"
            | "dbsize"
            | "keys"
            | "scan"
            | "strlen"
            | "hget"
            | "hgetall"
            | "hlen"
            | "lrange"
            | "llen"
            | "smembers"
            | "scard"
            | "sismember"
            | "zrange"
            | "zcard"
            | "zscore"
            | "xrange"
            | "xlen"
            | "debug"
            | "save"
            | "bgsave"
            | "bgrewriteaof"
            | "lastsave"
            | "info"
            | "config"
            | "shutdown"
    )
}

fn simple(out: &mut Vec<u8>, s: &str) {
    out.push(b'+');
    out.extend_from_slice(s.as_bytes());
    out.extend_from_slice(b"\r\n");
}

fn err(out: &mut Vec<u8>, s: &str) {
    out.push(b'-');
    out.extend_from_slice(s.as_bytes());
    out.extend_from_slice(b"\r\n");
}

fn int(out: &mut Vec<u8>, n: i64) {
    out.extend_from_slice(format!(":{n}\r\n").as_bytes());
}

fn nil(out: &mut Vec<u8>) {
    out.extend_from_slice(b"$-1\r\n");
}

fn array(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(format!("*{n}\r\n").as_bytes());
}

fn bulk(out: &mut Vec<u8>, b: &[u8]) {
    out.extend_from_slice(format!("${}\r\n", b.len()).as_bytes());
    out.extend_from_slice(b);
    out.extend_from_slice(b"\r\n");
}

fn wrongtype(out: &mut Vec<u8>) {
    err(
        out,
        "WRONGTYPE Operation against a key holding the wrong kind of value",
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capture_listen_ranks_clamp_as_redis_does() {
        assert_eq!(rank_range(0, -1, 5), 0..5);
        assert_eq!(rank_range(-2, -1, 5), 3..5);
        assert_eq!(rank_range(1, 100, 5), 1..5);
        assert_eq!(rank_range(3, 1, 5), 0..0);
        assert_eq!(rank_range(-100, 0, 5), 0..1);
        assert_eq!(rank_range(5, 10, 5), 0..0);
        assert_eq!(rank_range(0, -1, 0), 0..0);
    }

    #[test]
    fn capture_listen_stream_ids_parse_as_xrange_takes_them() {
        assert_eq!(stream_id(b"-", false), Some((0, 0)));
        assert_eq!(stream_id(b"+", true), Some((u64::MAX, u64::MAX)));
        assert_eq!(stream_id(b"5", false), Some((5, 0)));
        assert_eq!(stream_id(b"5", true), Some((5, u64::MAX)));
        assert_eq!(stream_id(b"5-3", true), Some((5, 3)));
        assert_eq!(stream_id(b"x", true), None);
    }
}

//! The engine answering clients next to a real Redis 7.0: every command goes to both,
//! and their replies, their change counts (`rdb_changes_since_last_save`) and in the
//! end their `DEBUG DIGEST` must be equal; what the engine propagated, replayed into a
//! fresh Redis, must give that digest too.
//!
//! Commands whose outcome is random or depends on the clock (SPOP, XADD `*`, ...) go
//! to the engine first with [`Oracle::run_engine_first`]; the server then gets what the
//! engine propagated, which keeps both on the same data and checks the propagation.

use formats::engine::digest::{dataset_digest, hex};
use formats::engine::{Keyspace, Out, Prop, Session};

use crate::resp::{Client, Reply, parse_replies, show_cmd};
use crate::server::{Server, ServerKind};

pub struct Oracle {
    _server: Server,
    client: Client,
    pub ks: Keyspace,
    session: Session,
    out: Out,
    props: Vec<Prop>,
    failures: Vec<String>,
    /// The server's `rdb_changes_since_last_save` after the last command.
    server_dirty: i64,
    /// Whether change counts are compared (the default).
    pub check_dirty: bool,
}

impl Default for Oracle {
    fn default() -> Self {
        Oracle::new()
    }
}

impl Oracle {
    /// Starts a Redis 7.0 (no save rules, DEBUG enabled) and an empty engine.
    pub fn new() -> Oracle {
        let server = Server::start(
            ServerKind::Redis70,
            &["--save", "", "--enable-debug-command", "yes"],
        );
        let client = server.client();
        Oracle {
            _server: server,
            client,
            ks: Keyspace::default(),
            session: Session::new(),
            out: Out::client(),
            props: Vec::new(),
            failures: Vec::new(),
            server_dirty: 0,
            check_dirty: true,
        }
    }

    /// The server's connection (e.g. to read something both sides should agree on).
    pub fn server(&mut self) -> &mut Client {
        &mut self.client
    }

    /// Runs `args` on the engine and returns its reply (every command gives exactly
    /// one, an error included).
    fn engine(&mut self, args: &[&[u8]]) -> Reply {
        let r = self.session.call(&mut self.ks, args, &mut self.out);
        if let Err(e) = &r {
            self.out.exec_error(e);
        }
        let bytes = self.out.drain_reply();
        self.props.extend(self.out.drain_propagated());
        let mut replies = match parse_replies(&bytes) {
            Ok(r) => r,
            Err(e) => {
                self.fail(args, format!("the engine wrote bad RESP ({e}): {bytes:?}"));
                return Reply::Error(b"bad RESP".to_vec());
            }
        };
        if replies.len() != 1 {
            self.fail(
                args,
                format!("the engine wrote {} replies: {replies:?}", replies.len()),
            );
        }
        replies.pop().unwrap_or(Reply::Bulk(None))
    }

    fn fail(&mut self, args: &[&[u8]], what: String) {
        self.failures.push(format!("{}: {what}", show_cmd(args)));
    }

    /// The server's change count since the last call.
    fn server_changes(&mut self) -> i64 {
        let info = self.client.call(&["INFO", "persistence"]).text();
        let now: i64 = info
            .lines()
            .find_map(|l| l.strip_prefix("rdb_changes_since_last_save:"))
            .and_then(|v| v.trim().parse().ok())
            .expect("INFO persistence has rdb_changes_since_last_save");
        std::mem::replace(&mut self.server_dirty, now)
            .checked_sub(now)
            .map_or(0, |d| -d)
    }

    /// Sends `args` to both; records a failure when the replies or the change counts
    /// differ. Returns the server's reply.
    pub fn run(&mut self, args: &[&[u8]]) -> Reply {
        let before = self.out.dirty();
        let mine = self.engine(args);
        let theirs = self.client.call(args);
        if mine != theirs {
            self.fail(args, format!("engine replied {mine}, Redis {theirs}"));
        }
        if self.check_dirty {
            let (a, b) = ((self.out.dirty() - before) as i64, self.server_changes());
            if a != b {
                self.fail(args, format!("engine counted {a} changes, Redis {b}"));
            }
        }
        theirs
    }

    /// `run` with `&str` arguments.
    pub fn run_str(&mut self, args: &[&str]) -> Reply {
        let a: Vec<&[u8]> = args.iter().map(|s| s.as_bytes()).collect();
        self.run(&a)
    }

    /// Runs `args` on the engine only, then sends the server what the engine
    /// propagated; returns the engine's reply. For commands whose outcome is random or
    /// depends on the clock.
    pub fn run_engine_first(&mut self, args: &[&[u8]]) -> Reply {
        let from = self.props.len();
        let mine = self.engine(args);
        let props = self.props[from..].to_vec();
        self.send_props(&props);
        if self.check_dirty {
            self.server_changes();
        }
        mine
    }

    fn send_props(&mut self, props: &[Prop]) {
        let db = self.session.db;
        let f = send_props(&mut self.client, props, db);
        self.failures.extend(f);
    }

    /// Failures so far.
    pub fn failures(&self) -> &[String] {
        &self.failures
    }

    /// Compares the digests, replays the propagation into a fresh Redis 7.0 and
    /// compares its digest; panics listing every failure.
    pub fn finish(mut self) {
        let mine = hex(&dataset_digest(&self.ks));
        let theirs = self.client.call(&["DEBUG", "DIGEST"]).text();
        if mine != theirs {
            self.failures
                .push(format!("DEBUG DIGEST: engine {mine}, Redis {theirs}"));
        }
        let fresh = Server::start(
            ServerKind::Redis70,
            &["--save", "", "--enable-debug-command", "yes"],
        );
        let mut c = fresh.client();
        let props = std::mem::take(&mut self.props);
        let f = send_props(&mut c, &props, 0);
        self.failures.extend(f);
        let replayed = c.call(&["DEBUG", "DIGEST"]).text();
        if replayed != theirs {
            self.failures.push(format!(
                "DEBUG DIGEST of the propagated commands replayed: {replayed}, Redis {theirs} \
                 ({} commands propagated)",
                props.len()
            ));
        }
        if !self.failures.is_empty() {
            let n = self.failures.len();
            let list: Vec<&str> = self.failures.iter().take(40).map(String::as_str).collect();
            panic!("{n} failure(s):\n{}", list.join("\n"));
        }
    }
}

/// Sends `props` to `c`, each on its db, then selects `back_db`; returns the commands
/// the server refused.
fn send_props(c: &mut Client, props: &[Prop], back_db: usize) -> Vec<String> {
    let mut failures = Vec::new();
    for p in props {
        let db = p.db.to_string();
        let r = c.call(&["SELECT", db.as_str()]);
        assert!(!r.is_error(), "SELECT {db}: {r:?}");
        let r = c.call(&p.args);
        if r.is_error() {
            failures.push(format!(
                "propagated {} refused by Redis: {r:?}",
                show_cmd(&p.args)
            ));
        }
    }
    let db = back_db.to_string();
    c.call(&["SELECT", db.as_str()]);
    failures
}

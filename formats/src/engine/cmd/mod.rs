//! Command dispatch and the helpers every command family uses. Each family lives in its
//! own module and answers `lookup(name)` with its handler and Redis's arity for the
//! names it implements.
// Handlers index their arguments: the arity is checked before dispatch, and optional
// arguments are checked against the length where they are read.
#![allow(clippy::indexing_slicing)]

mod bits;
mod cfloat;
mod hashes;
mod keys;
mod lists;
mod restore;
mod sets;
mod streams;
mod strings;
mod zsets;

pub(crate) use restore::library_name;

use super::reply::{Out, Prop};
use super::{Db, Entry, Keyspace, Obj, Session};

/// Why a command could not be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExecError {
    /// The engine does not know this command.
    Unknown(String),
    /// The command is known but its arguments are not what Redis accepts, or it does not
    /// apply to the data (wrong type, not an integer, ...). Redis itself would have
    /// refused it, so it cannot come from a consistent AOF.
    Invalid { cmd: String, msg: String },
}

impl std::fmt::Display for ExecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExecError::Unknown(c) => write!(f, "unknown command {c:?}"),
            ExecError::Invalid { cmd, msg } => write!(f, "{cmd}: {msg}"),
        }
    }
}

impl std::error::Error for ExecError {}

const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";

/// A command implementation.
pub(crate) type Handler = fn(&mut Ctx<'_>, &[&[u8]]) -> Result<(), ExecError>;

/// What a handler works on: the keyspace, the session's db, the command's name, and
/// where its reply, changes and propagation go.
///
/// Every handler, when it returns `Ok`, has written exactly one reply to `out` (a
/// silent `Out` drops it), counted its changes as Redis counts them (`changed`), and,
/// when what it did must be propagated otherwise than as sent, said so (`propagate`).
/// An `Err` is the reply instead; whatever the handler wrote before it is dropped.
pub(crate) struct Ctx<'a> {
    pub ks: &'a mut Keyspace,
    pub db: usize,
    pub name: &'a str,
    pub out: &'a mut Out,
}

/// The upper-case name of a command, in `buf` (no command name is longer), if it is
/// UTF-8.
fn upper<'b>(name: &[u8], buf: &'b mut [u8; 32]) -> Option<&'b str> {
    let b = buf.get_mut(..name.len())?;
    for (d, s) in b.iter_mut().zip(name) {
        *d = s.to_ascii_uppercase();
    }
    std::str::from_utf8(b).ok()
}

fn lookup(name: &str) -> Option<(Handler, i32)> {
    keys::lookup(name)
        .or_else(|| strings::lookup(name))
        .or_else(|| lists::lookup(name))
        .or_else(|| sets::lookup(name))
        .or_else(|| zsets::lookup(name))
        .or_else(|| hashes::lookup(name))
        .or_else(|| streams::lookup(name))
        .or_else(|| bits::lookup(name))
        .or_else(|| restore::lookup(name))
}

pub(super) fn execute(
    s: &mut Session,
    ks: &mut Keyspace,
    args: &[&[u8]],
    out: &mut Out,
) -> Result<(), ExecError> {
    let mut buf = [0u8; 32];
    let name = command_name(args, &mut buf)?;
    match name {
        "MULTI" => {
            if s.multi.is_some() {
                return Err(invalid("MULTI", "MULTI calls can not be nested"));
            }
            s.multi = Some(Vec::new());
            s.multi_failed = false;
            out.ok();
            return Ok(());
        }
        "DISCARD" => {
            if out.is_on() && s.multi.is_none() {
                return Err(invalid("DISCARD", "DISCARD without MULTI"));
            }
            s.multi = None;
            out.ok();
            return Ok(());
        }
        "EXEC" => {
            let queued = s
                .multi
                .take()
                .ok_or_else(|| invalid("EXEC", "EXEC without MULTI"))?;
            if out.is_on() {
                return exec_for_client(s, ks, queued, out);
            }
            for cmd in queued {
                let a: Vec<&[u8]> = cmd.iter().map(Vec::as_slice).collect();
                execute(s, ks, &a, out)?;
            }
            return Ok(());
        }
        _ => {}
    }
    if let Some(q) = &mut s.multi {
        // A replayed transaction applies whole, so its unknown commands are found at
        // EXEC; a client's are refused as they are queued, and fail the EXEC.
        if out.is_on() {
            if let Err(e) = known(name, args) {
                s.multi_failed = true;
                return Err(e);
            }
            out.simple("QUEUED");
        }
        q.push(args.iter().map(|a| a.to_vec()).collect());
        return Ok(());
    }
    if name == "SELECT" {
        let db = args
            .get(1)
            .and_then(|a| parse_i64(a))
            .ok_or_else(|| invalid("SELECT", "value is not an integer or out of range"))?;
        if !(0..db_limit(ks, out)).contains(&db) {
            return Err(invalid("SELECT", "DB index is out of range"));
        }
        s.db = db as usize;
        ks.db_mut(s.db);
        out.ok();
        return Ok(());
    }
    let handler = known(name, args)?;
    if !out.is_on() {
        let mut ctx = Ctx {
            ks,
            db: s.db,
            name,
            out,
        };
        return handler(&mut ctx, args);
    }
    // A client's command sees no expired key: those it names are deleted first.
    let now = now_ms();
    expire_named(ks, s.db, args, out, now);
    let (dirty, reply, props) = (out.dirty(), out.reply().len(), out.propagated().len());
    out.own = false;
    let mut ctx = Ctx {
        ks,
        db: s.db,
        name,
        out,
    };
    let r = handler(&mut ctx, args);
    match &r {
        Ok(()) => {
            if !out.own && out.dirty() != dirty {
                out.push_prop(Prop {
                    db: s.db,
                    args: args.iter().map(|a| a.to_vec()).collect(),
                });
            }
            // Several commands standing for one go as a transaction, as Redis wraps
            // what one command propagates: a cut AOF tail then drops all or none.
            if out.propagated().len() > props + 1 {
                out.insert_prop(
                    props,
                    Prop {
                        db: s.db,
                        args: vec![b"MULTI".to_vec()],
                    },
                );
                out.push_prop(Prop {
                    db: s.db,
                    args: vec![b"EXEC".to_vec()],
                });
            }
            if out.reply().len() == reply {
                out.error("ERR internal error: the command gave no reply");
            }
            // An expiry set in the past deletes the key at once, as in Redis.
            expire_named(ks, s.db, args, out, now);
        }
        Err(_) => out.truncate(reply, props),
    }
    r
}

/// The upper-case name of the command `args`, in `buf`.
fn command_name<'b>(args: &[&[u8]], buf: &'b mut [u8; 32]) -> Result<&'b str, ExecError> {
    let first = args.first().copied().unwrap_or_default();
    upper(first, buf)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ExecError::Unknown(String::from_utf8_lossy(first).into_owned()))
}

/// See [`Session::check`].
pub(super) fn check(args: &[&[u8]]) -> Result<(), ExecError> {
    let mut buf = [0u8; 32];
    let name = command_name(args, &mut buf)?;
    match name {
        "MULTI" | "EXEC" | "DISCARD" | "SELECT" => Ok(()),
        _ => known(name, args).map(|_| ()),
    }
}

/// Redis's error for a command called with a number of arguments it does not take.
fn wrong_arity(name: &str) -> ExecError {
    invalid(
        name,
        format!(
            "wrong number of arguments for '{}' command",
            name.to_ascii_lowercase()
        ),
    )
}

/// The handler of a known command called with an arity Redis accepts.
fn known(name: &str, args: &[&[u8]]) -> Result<Handler, ExecError> {
    let (handler, arity) = lookup(name).ok_or_else(|| ExecError::Unknown(name.to_string()))?;
    let n = args.len() as i32;
    if (arity > 0 && n != arity) || (arity < 0 && n < -arity) {
        return Err(wrong_arity(name));
    }
    Ok(handler)
}

/// EXEC for a client: every queued command runs and its reply (or error) goes in the
/// EXEC's array; what they propagate is wrapped in MULTI/EXEC.
fn exec_for_client(
    s: &mut Session,
    ks: &mut Keyspace,
    queued: Vec<Vec<Vec<u8>>>,
    out: &mut Out,
) -> Result<(), ExecError> {
    if std::mem::take(&mut s.multi_failed) {
        return Err(invalid(
            "EXEC",
            "EXECABORT Transaction discarded because of previous errors.",
        ));
    }
    out.array(queued.len());
    let (db, mark) = (s.db, out.propagated().len());
    for cmd in queued {
        let a: Vec<&[u8]> = cmd.iter().map(Vec::as_slice).collect();
        if let Err(e) = execute(s, ks, &a, out) {
            out.exec_error(&e);
        }
    }
    out.flatten_transactions(mark);
    if out.propagated().len() > mark {
        out.insert_prop(
            mark,
            Prop {
                db,
                args: vec![b"MULTI".to_vec()],
            },
        );
        out.push_prop(Prop {
            db: s.db,
            args: vec![b"EXEC".to_vec()],
        });
    }
    Ok(())
}

/// Deletes the keys among `args` (every argument is looked up: a value that happens to
/// name an expired key only deletes it sooner) whose expiry has passed, and propagates
/// their deletion as Redis does (`DEL`).
fn expire_named(ks: &mut Keyspace, db: usize, args: &[&[u8]], out: &mut Out, now: i64) {
    for k in args.iter().skip(1) {
        expire_if_due(ks, db, k, out, now);
    }
}

/// Deletes `key` from db `db` if its expiry is at or before `now`, propagating `DEL`
/// (Redis's expireIfNeeded on a lookup); whether it did.
pub(crate) fn expire_if_due(
    ks: &mut Keyspace,
    db: usize,
    key: &[u8],
    out: &mut Out,
    now: i64,
) -> bool {
    let d = ks.db_mut(db);
    if d.get(key)
        .and_then(Entry::expire_ms)
        .is_none_or(|t| t > now)
    {
        return false;
    }
    d.remove(key);
    out.push_prop(Prop {
        db,
        args: vec![b"DEL".to_vec(), key.to_vec()],
    });
    true
}

/// How many databases a command may name: a client has the keyspace's (16 by
/// default); a replayed AOF may come from a server with more.
pub(crate) fn db_limit(ks: &Keyspace, out: &Out) -> i64 {
    if out.is_on() {
        ks.dbs.len() as i64
    } else {
        i64::from(u16::MAX) + 1
    }
}

pub(crate) fn invalid(cmd: &str, msg: impl Into<String>) -> ExecError {
    ExecError::Invalid {
        cmd: cmd.to_string(),
        msg: msg.into(),
    }
}

/// Redis's `string2ll`: a canonical decimal integer.
pub(crate) fn parse_i64(b: &[u8]) -> Option<i64> {
    crate::rdb::encodings::parse_canonical_i64(b)
}

/// Redis's `string2ld`/`strtod` for scores and floats: decimal or `inf`/`-inf`
/// (case-insensitive), no spaces, never NaN.
pub(crate) fn parse_f64(b: &[u8]) -> Option<f64> {
    let s = std::str::from_utf8(b).ok()?;
    if s.is_empty() || s.starts_with(char::is_whitespace) || s.ends_with(char::is_whitespace) {
        return None;
    }
    let v = match s.to_ascii_lowercase().as_str() {
        "inf" | "+inf" | "infinity" | "+infinity" => f64::INFINITY,
        "-inf" | "-infinity" => f64::NEG_INFINITY,
        other => other.parse::<f64>().ok()?,
    };
    (!v.is_nan()).then_some(v)
}

/// Case-insensitive option match.
pub(crate) fn is(arg: &[u8], word: &str) -> bool {
    arg.eq_ignore_ascii_case(word.as_bytes())
}

impl Ctx<'_> {
    /// Counts `n` changes (Redis's `server.dirty += n`).
    pub fn changed(&mut self, n: u64) {
        self.out.changed(n);
    }

    /// Propagates `args` (on this command's db) in place of the command; see [`Out`].
    pub fn propagate(&mut self, args: &[&[u8]]) {
        self.out.propagate(self.db, args);
    }

    pub fn err(&self, msg: impl Into<String>) -> ExecError {
        invalid(self.name, msg)
    }

    /// Redis's wrong-number-of-arguments error for this command (for the arities the
    /// dispatcher's table cannot express: pairs, an upper bound).
    pub fn wrong_arity(&self) -> ExecError {
        wrong_arity(self.name)
    }

    pub fn wrong_type(&self) -> ExecError {
        self.err(WRONGTYPE)
    }

    pub fn db(&mut self) -> &mut Db {
        self.ks.db_mut(self.db)
    }

    pub fn entry(&mut self, key: &[u8]) -> Option<&mut Entry> {
        self.db().get_mut(key)
    }

    /// Deletes `key` if it is a collection with no elements left.
    pub fn drop_if_empty(&mut self, key: &[u8]) {
        let db = self.db();
        if db.get(key).is_some_and(|e| e.obj.is_empty_collection()) {
            db.remove(key);
        }
    }

    /// The value at `key` if it is of the type `pick` selects; `make` creates it when the
    /// key does not exist (None: do not create). A key of another type is WRONGTYPE.
    pub fn typed<T>(
        &mut self,
        key: &[u8],
        make: Option<fn() -> Obj>,
        pick: fn(&mut Obj) -> Option<&mut T>,
    ) -> Result<Option<&mut T>, ExecError> {
        let name = self.name;
        let db = self.ks.db_mut(self.db);
        // One lookup, and no error built unless it is returned.
        let e = match make {
            Some(m) => Some(db.get_or_insert_with(key, m)),
            None => db.get_mut(key),
        };
        match e {
            Some(e) => pick(&mut e.obj)
                .map(Some)
                .ok_or_else(|| invalid(name, WRONGTYPE)),
            None => Ok(None),
        }
    }

    pub fn list(
        &mut self,
        key: &[u8],
        create: bool,
    ) -> Result<Option<&mut super::List>, ExecError> {
        self.typed(
            key,
            create.then_some((|| Obj::list(super::List::new())) as fn() -> Obj),
            |o| match o {
                Obj::List(l) => Some(l),
                _ => None,
            },
        )
    }

    pub fn set(&mut self, key: &[u8], create: bool) -> Result<Option<&mut super::Set>, ExecError> {
        self.typed(
            key,
            create.then_some((|| Obj::set(super::Set::new())) as fn() -> Obj),
            |o| match o {
                Obj::Set(s) => Some(s),
                _ => None,
            },
        )
    }

    pub fn zset(
        &mut self,
        key: &[u8],
        create: bool,
    ) -> Result<Option<&mut super::Zset>, ExecError> {
        self.typed(
            key,
            create.then_some((|| Obj::zset(super::Zset::default())) as fn() -> Obj),
            |o| match o {
                Obj::Zset(z) => Some(z),
                _ => None,
            },
        )
    }

    pub fn hash(
        &mut self,
        key: &[u8],
        create: bool,
    ) -> Result<Option<&mut super::Hash>, ExecError> {
        self.typed(
            key,
            create.then_some((|| Obj::hash(super::Hash::default())) as fn() -> Obj),
            |o| match o {
                Obj::Hash(h) => Some(h),
                _ => None,
            },
        )
    }

    pub fn stream(
        &mut self,
        key: &[u8],
        create: bool,
    ) -> Result<Option<&mut super::Stream>, ExecError> {
        self.typed(
            key,
            create.then_some((|| Obj::Stream(Box::default())) as fn() -> Obj),
            |o| match o {
                Obj::Stream(s) => Some(&mut **s),
                _ => None,
            },
        )
    }

    /// A string key's value (None when missing), WRONGTYPE for other types; for
    /// reading it (or checking the type), without making it growable.
    pub fn string_bytes(
        &mut self,
        key: &[u8],
        create: bool,
    ) -> Result<Option<&mut super::Bytes>, ExecError> {
        self.typed(
            key,
            create.then_some((|| Obj::Str(super::Bytes::new())) as fn() -> Obj),
            |o| match o {
                Obj::Str(s) => Some(s),
                _ => None,
            },
        )
    }

    /// The bytes of a string key to change in place (None when missing), WRONGTYPE
    /// for other types.
    pub fn string(&mut self, key: &[u8], create: bool) -> Result<Option<&mut Vec<u8>>, ExecError> {
        Ok(self.string_bytes(key, create)?.map(super::Bytes::make_mut))
    }
}

/// The current time in Unix ms (for relative expiries in legacy AOFs).
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::{Keyspace, Session};

    /// Runs space-separated commands (no quoting) on a fresh keyspace.
    pub fn run(cmds: &[&str]) -> Keyspace {
        let mut ks = Keyspace::default();
        let mut s = Session::new();
        for c in cmds {
            let args: Vec<&[u8]> = c.split(' ').map(str::as_bytes).collect();
            s.execute(&mut ks, &args)
                .unwrap_or_else(|e| panic!("{c}: {e}"));
        }
        ks
    }

    /// The error of `cmd` (split on spaces) after `setup`.
    pub fn error_of(setup: &[&str], cmd: &str) -> String {
        let mut ks = run(setup);
        let args: Vec<&[u8]> = cmd.split(' ').map(str::as_bytes).collect();
        Session::new()
            .execute(&mut ks, &args)
            .expect_err(cmd)
            .to_string()
    }

    /// Runs `setup`, then `cmd`, which must fail and leave the keyspace unchanged.
    pub fn fails(setup: &[&str], cmd: &str) -> String {
        let mut ks = run(setup);
        let before = ks.clone();
        let args: Vec<&[u8]> = cmd.split(' ').map(str::as_bytes).collect();
        let e = Session::new()
            .execute(&mut ks, &args)
            .expect_err(cmd)
            .to_string();
        assert_eq!(ks, before, "{cmd} changed the keyspace");
        e
    }

    /// Whether db 0 holds `k`.
    pub fn exists(ks: &Keyspace, k: &str) -> bool {
        ks.dbs[0].get(k.as_bytes()).is_some()
    }

    #[test]
    fn multi_queues_until_exec_and_select_switches_db() {
        let ks = run(&["MULTI", "SET a 1", "SELECT 3", "SET b 2", "EXEC", "SET c 3"]);
        assert_eq!(ks.dbs[0].len(), 1);
        assert_eq!(ks.dbs[3].len(), 2, "SELECT inside MULTI applies at EXEC");
    }

    #[test]
    fn active_expiry_walks_a_few_segments_at_a_time() {
        let mut ks = Keyspace::default();
        for i in 0..40_000 {
            let exp = (i % 2 == 0).then_some(1);
            ks.dbs[0].set(
                format!("k{i}").as_bytes(),
                super::Obj::Str(b"v".as_slice().into()),
                exp,
            );
        }
        let mut cursor = 0;
        let first = ks.dbs[0].expire_some(&mut cursor, 1, 10).len();
        assert!(first > 0 && first < 20_000, "one segment: {first}");
        let mut gone = first;
        for _ in 0..16 {
            gone += ks.dbs[0].expire_some(&mut cursor, 1, 10).len();
        }
        assert_eq!((gone, ks.dbs[0].len()), (20_000, 20_000));
        assert!(ks.dbs[0].iter().all(|e| e.expire_ms().is_none()));
    }

    /// Every command with random arguments (option words, numbers, ids, ranges) on keys
    /// of every type, as a client may send them: a reply or an error, never a panic
    /// (a panic would take every client of `capture --listen` down with it), and
    /// exactly one reply.
    #[test]
    fn random_client_commands_never_panic() {
        const NAMES: &str = "APPEND BITFIELD BITFIELD_RO BITOP BLMOVE BLMPOP BLPOP BRPOP \
            BRPOPLPUSH BZMPOP BZPOPMAX BZPOPMIN COPY DECR DECRBY DEL EXPIRE EXPIREAT FLUSHDB \
            FUNCTION GEOADD GEODIST GEOHASH GEOPOS GEORADIUS GEORADIUSBYMEMBER \
            GEORADIUSBYMEMBER_RO GEORADIUS_RO GEOSEARCH GEOSEARCHSTORE GETDEL GETEX GETSET HDEL \
            HEXPIRE HEXPIREAT HGETDEL HGETEX HINCRBY HINCRBYFLOAT HMSET HPERSIST HPEXPIRE \
            HPEXPIREAT HSET HSETEX HSETNX INCR INCRBY INCRBYFLOAT LINSERT LMOVE LMPOP LPOP LPUSH \
            LPUSHX LREM LSET LTRIM MOVE MSET MSETNX PERSIST PEXPIRE PEXPIREAT PFADD PFCOUNT \
            PFDEBUG PFMERGE PSETEX RENAME RENAMENX RESTORE RPOP RPOPLPUSH RPUSH RPUSHX SADD \
            SDIFFSTORE SET SETBIT SETEX SETNX SETRANGE SINTERSTORE SMOVE SORT SORT_RO SPOP SREM \
            SUNIONSTORE SWAPDB UNLINK XACK XADD XAUTOCLAIM XCLAIM XDEL XGROUP XREADGROUP \
            XSETID XTRIM ZADD ZDIFFSTORE ZINCRBY ZINTERSTORE ZMPOP ZPOPMAX ZPOPMIN ZRANGESTORE \
            ZREM ZREMRANGEBYLEX ZREMRANGEBYRANK ZREMRANGEBYSCORE ZUNIONSTORE MULTI EXEC \
            DISCARD SELECT";
        const WORDS: &str = "s l set z h x p g missing NX XX GT LT CH INCR GET KEEPTTL EX \
            PX EXAT PXAT PERSIST COUNT LIMIT BYSCORE BYLEX REV WITHSCORES WEIGHTS AGGREGATE \
            SUM MIN MAX LEFT RIGHT BEFORE AFTER STORE STOREDIST WITHDIST WITHCOORD WITHHASH \
            ASC DESC ANY FROMMEMBER FROMLONLAT BYRADIUS BYBOX km m BY GET ALPHA # nosort \
            FIELDS FNX FXX MAXLEN MINID ~ = * $ > - + 0-1 1-1 5-0 GROUP STREAMS NOACK BLOCK \
            JUSTID FORCE TIME RETRYCOUNT LASTID IDLE MKSTREAM ENTRIESREAD CREATE SETID \
            DESTROY CREATECONSUMER DELCONSUMER HELP REPLACE ABSTTL IDLETIME FREQ DB LOAD \
            DELETE FLUSH ASYNC SYNC AND OR XOR NOT OVERFLOW WRAP SAT FAIL u8 i16 #1 u63 \
            GETREG TODENSE ENCODING DECODE NOMKSTREAM 0 1 -1 2 3 10 -10 100 1000000 \
            9223372036854775807 -9223372036854775808 inf -inf +inf nan 1.5 -0 0x10 (1 [a \
            (a a b c 13.36 38.11";
        let names: Vec<&str> = NAMES.split_whitespace().collect();
        let words: Vec<&str> = WORDS.split_whitespace().collect();
        let setup = [
            "SET s 10",
            "RPUSH l a b c 1 2",
            "SADD set a b 1 2",
            "ZADD z 1 a 2 b 3 c",
            "HSET h a 1 b 2",
            "XADD x 1-1 f v",
            "XADD x 2-1 f v",
            "XGROUP CREATE x g 0",
            "PFADD p a b c",
            "GEOADD g 13.36 38.11 a 15.08 37.50 b",
        ];
        let base = run(&setup);
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let mut ks = base.clone();
        let mut s = Session::new();
        let mut oks = 0;
        for i in 0..60_000 {
            if i % 500 == 0 {
                ks = base.clone();
                s = Session::new();
            }
            let name = names[next(names.len())];
            let mut args: Vec<&[u8]> = vec![name.as_bytes()];
            for _ in 0..next(9) {
                args.push(words[next(words.len())].as_bytes());
            }
            let mut out = super::Out::client();
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                s.call(&mut ks, &args, &mut out)
            }));
            let show = || {
                args.iter()
                    .map(|a| String::from_utf8_lossy(a).into_owned())
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            match r {
                Err(_) => panic!("panicked on: {}", show()),
                Ok(Ok(())) => {
                    oks += 1;
                    assert!(!out.reply().is_empty(), "no reply: {}", show());
                }
                Ok(Err(_)) => assert!(out.reply().is_empty(), "reply and error: {}", show()),
            }
        }
        eprintln!("{oks} of 60000 random commands applied");
        assert!(oks > 5_000, "too few random commands were valid: {oks}");
    }

    #[test]
    fn unknown_commands_are_errors() {
        let mut ks = Keyspace::default();
        let e = Session::new()
            .execute(&mut ks, &[b"NOSUCH", b"x"])
            .unwrap_err();
        assert_eq!(e.to_string(), "unknown command \"NOSUCH\"");
    }
}

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

/// What a handler works on: the keyspace, the session's db, the command's name.
pub(crate) struct Ctx<'a> {
    pub ks: &'a mut Keyspace,
    pub db: usize,
    pub name: &'a str,
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

pub(super) fn execute(s: &mut Session, ks: &mut Keyspace, args: &[&[u8]]) -> Result<(), ExecError> {
    let Some(first) = args.first() else {
        return Err(ExecError::Unknown(String::new()));
    };
    let mut buf = [0u8; 32];
    let name = upper(first, &mut buf)
        .ok_or_else(|| ExecError::Unknown(String::from_utf8_lossy(first).into_owned()))?;
    match name {
        "MULTI" => {
            if s.multi.is_some() {
                return Err(invalid("MULTI", "MULTI calls can not be nested"));
            }
            s.multi = Some(Vec::new());
            return Ok(());
        }
        "DISCARD" => {
            s.multi = None;
            return Ok(());
        }
        "EXEC" => {
            let queued = s
                .multi
                .take()
                .ok_or_else(|| invalid("EXEC", "EXEC without MULTI"))?;
            for cmd in queued {
                let a: Vec<&[u8]> = cmd.iter().map(Vec::as_slice).collect();
                execute(s, ks, &a)?;
            }
            return Ok(());
        }
        _ => {}
    }
    if let Some(q) = &mut s.multi {
        // Unknown commands inside MULTI are found at EXEC, as the whole unit applies.
        q.push(args.iter().map(|a| a.to_vec()).collect());
        return Ok(());
    }
    if name == "SELECT" {
        let db = args
            .get(1)
            .and_then(|a| parse_i64(a))
            .filter(|&d| (0..=i64::from(u16::MAX)).contains(&d))
            .ok_or_else(|| invalid("SELECT", "invalid DB index"))?;
        s.db = db as usize;
        ks.db_mut(s.db);
        return Ok(());
    }
    let (handler, arity) = lookup(name).ok_or_else(|| ExecError::Unknown(name.to_string()))?;
    let n = args.len() as i32;
    if (arity > 0 && n != arity) || (arity < 0 && n < -arity) {
        return Err(invalid(name, "wrong number of arguments"));
    }
    let mut ctx = Ctx { ks, db: s.db, name };
    handler(&mut ctx, args)
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
    pub fn err(&self, msg: impl Into<String>) -> ExecError {
        invalid(self.name, msg)
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
    fn unknown_commands_are_errors() {
        let mut ks = Keyspace::default();
        let e = Session::new()
            .execute(&mut ks, &[b"NOSUCH", b"x"])
            .unwrap_err();
        assert_eq!(e.to_string(), "unknown command \"NOSUCH\"");
    }
}

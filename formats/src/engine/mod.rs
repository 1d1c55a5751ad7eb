//! The keyspace engine: databases of typed values with absolute expiries, and the
//! replay of the write commands Redis puts in an AOF or a replication stream, with
//! Redis's semantics.
//!
//! [`Keyspace`] holds the data; [`Session`] is one connection's state (selected db, an
//! open MULTI). [`Session::execute`] applies one command; a command the engine does not
//! know is an [`ExecError::Unknown`], never skipped silently.
//!
//! Replay follows loading rules: nothing expires while commands are applied (a
//! `PEXPIREAT` in the past stores the key with that expiry, as Redis does while
//! loading); expired keys are left out when the keyspace is written
//! ([`Keyspace::records`]).

pub mod bytes;
mod cmd;
pub mod digest;
mod hash;
mod list;
mod load;
mod obj;
pub mod pack;
pub mod reply;
mod set;
mod table;
pub mod write;
mod zset;

use std::collections::BTreeMap;

pub use bytes::Bytes;

pub use cmd::ExecError;
pub use load::{LoadReport, RdbLoader, load_aof, load_rdb};
pub use obj::{Consumer, Group, Hash, HashField, List, Obj, Pending, Set, Stream, Zset};
pub use reply::{Out, Prop};

use crate::rdb::value::Record;

/// One key: its name, value and expiry (one allocation per key, 56 bytes plus what
/// does not fit inline).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    key: Bytes,
    pub obj: Obj,
    /// Absolute expiry in Unix ms; `NO_EXPIRE` for none.
    expire: i64,
}

const NO_EXPIRE: i64 = i64::MIN;

impl Entry {
    pub fn new(key: &[u8], obj: Obj, expire_ms: Option<i64>) -> Entry {
        let mut e = Entry {
            key: Bytes::from(key),
            obj,
            expire: NO_EXPIRE,
        };
        e.set_expire_ms(expire_ms);
        e
    }

    pub fn key(&self) -> &[u8] {
        &self.key
    }

    /// Absolute expiry in Unix ms.
    pub fn expire_ms(&self) -> Option<i64> {
        (self.expire != NO_EXPIRE).then_some(self.expire)
    }

    pub fn set_expire_ms(&mut self, at: Option<i64>) {
        // i64::MIN stands for "none": the one instant before it is as far in the past.
        self.expire = at.map_or(NO_EXPIRE, |t| t.max(NO_EXPIRE + 1));
    }

    /// Heap bytes this key holds (its entry, key and value), as asked of the allocator.
    pub fn heap_size(&self) -> usize {
        std::mem::size_of::<Entry>() + self.key.heap_size() + self.obj.heap_size()
    }
}

/// One database.
#[derive(Debug, Clone, Default)]
pub struct Db {
    keys: table::Table,
}

impl Db {
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn get(&self, key: &[u8]) -> Option<&Entry> {
        self.keys.get(key)
    }

    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut Entry> {
        self.keys.get_mut(key)
    }

    pub fn contains(&self, key: &[u8]) -> bool {
        self.keys.contains(key)
    }

    /// The entry of `key`, created with `make()` as its value (no expiry) when missing.
    pub fn get_or_insert_with(&mut self, key: &[u8], make: impl FnOnce() -> Obj) -> &mut Entry {
        self.keys
            .get_or_insert_with(key, || Box::new(Entry::new(key, make(), None)))
    }

    pub fn remove(&mut self, key: &[u8]) -> Option<Entry> {
        self.keys.remove(key).map(|b| *b)
    }

    /// Stores `obj` under `key`, replacing any value and expiry.
    pub fn set(&mut self, key: &[u8], obj: Obj, expire_ms: Option<i64>) {
        self.keys.insert(Box::new(Entry::new(key, obj, expire_ms)));
    }

    /// Stores a value taken from another key (RENAME, MOVE, COPY) under `key`.
    pub fn put(&mut self, key: &[u8], e: Entry) {
        let Entry { obj, expire, .. } = e;
        self.keys.insert(Box::new(Entry {
            key: Bytes::from(key),
            obj,
            expire,
        }));
    }

    pub fn clear(&mut self) {
        self.keys.clear();
    }

    /// Every key, in the table's order (the same for the same history).
    pub fn iter(&self) -> impl Iterator<Item = &Entry> + '_ {
        self.keys.iter()
    }

    /// Deletes the keys whose expiry is at or before `now_ms` in `n` of the table's
    /// segments, starting at `*cursor` (which moves on, wrapping around): the active
    /// expiry of a live server, a bounded amount of work at a time. Returns the
    /// deleted keys.
    pub fn expire_some(&mut self, cursor: &mut usize, n: usize, now_ms: i64) -> Vec<Vec<u8>> {
        let segs = self.keys.segments();
        let mut gone = Vec::new();
        for _ in 0..n.min(segs) {
            *cursor = (*cursor + 1) % segs;
            gone.extend(
                self.keys
                    .segment(*cursor)
                    .filter(|e| e.expire_ms().is_some_and(|t| t <= now_ms))
                    .map(|e| e.key().to_vec()),
            );
        }
        for k in &gone {
            self.keys.remove(k);
        }
        gone
    }

    /// Heap bytes held by this database: its tables and every key.
    pub fn heap_size(&self) -> usize {
        self.keys.table_bytes() + self.keys.iter().map(Entry::heap_size).sum::<usize>()
    }
}

impl PartialEq for Db {
    fn eq(&self, o: &Db) -> bool {
        self.len() == o.len() && self.iter().all(|e| o.get(e.key()) == Some(e))
    }
}

/// Every database (16 by default, more on demand as SELECT asks) and the function
/// libraries.
#[derive(Debug, Clone, PartialEq)]
pub struct Keyspace {
    pub dbs: Vec<Db>,
    /// Library name -> its full `FUNCTION LOAD` source.
    pub functions: BTreeMap<Vec<u8>, Vec<u8>>,
}

impl Default for Keyspace {
    fn default() -> Self {
        Keyspace::new(16)
    }
}

impl Keyspace {
    pub fn new(databases: usize) -> Self {
        Keyspace {
            dbs: (0..databases.max(1)).map(|_| Db::default()).collect(),
            functions: BTreeMap::new(),
        }
    }

    pub fn db(&self, i: usize) -> Option<&Db> {
        self.dbs.get(i)
    }

    /// Database `i`, created (with those before it) when it does not exist yet: an
    /// AOF from a server with more databases than the default selects them.
    pub fn db_mut(&mut self, i: usize) -> &mut Db {
        if i >= self.dbs.len() {
            self.dbs.resize_with(i + 1, Db::default);
        }
        let n = self.dbs.len() - 1;
        // In range: the vector was just grown past `i`.
        #[allow(clippy::indexing_slicing)]
        &mut self.dbs[i.min(n)]
    }

    /// Total keys in every database.
    pub fn key_count(&self) -> usize {
        self.dbs.iter().map(Db::len).sum()
    }

    /// Heap bytes held by the data (databases and function libraries).
    pub fn heap_size(&self) -> usize {
        self.dbs.iter().map(Db::heap_size).sum::<usize>()
            + self
                .functions
                .iter()
                .map(|(k, v)| k.capacity() + v.capacity() + 64)
                .sum::<usize>()
    }

    /// Calls `f` with every key as a [`Record`], db by db, in the table's order (the
    /// same for the same commands, so outputs are reproducible); keys whose expiry is at
    /// or before `now_ms` are left out unless `keep_expired`.
    pub fn records<F>(&self, now_ms: i64, keep_expired: bool, mut f: F) -> crate::Result<()>
    where
        F: FnMut(&Record) -> crate::Result<()>,
    {
        let mut rec = Record::default();
        for (db, d) in self.dbs.iter().enumerate() {
            for e in d.iter() {
                if !keep_expired && e.expire_ms().is_some_and(|t| t <= now_ms) {
                    continue;
                }
                e.obj
                    .fill_record(db as u64, e.key(), e.expire_ms(), &mut rec);
                if rec_is_empty(&rec) {
                    continue;
                }
                f(&rec)?;
            }
        }
        Ok(())
    }
}

fn rec_is_empty(r: &Record) -> bool {
    use crate::rdb::value::Value;
    match &r.value {
        Value::List(s) | Value::Set(s) => s.is_empty(),
        Value::Zset(z) => z.is_empty(),
        Value::Hash(h) => h.is_empty(),
        _ => false,
    }
}

/// One connection's state.
#[derive(Debug, Clone, Default)]
pub struct Session {
    pub db: usize,
    /// Commands queued after MULTI, applied at EXEC.
    pub multi: Option<Vec<Vec<Vec<u8>>>>,
    /// A client's command was refused while queued: the EXEC fails.
    multi_failed: bool,
    /// The `Out` of replayed commands, which records nothing.
    silent: Out,
}

impl Session {
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies one command to `ks`. MULTI queues until EXEC (DISCARD drops the queue);
    /// SELECT changes this session's database.
    pub fn execute(&mut self, ks: &mut Keyspace, args: &[&[u8]]) -> Result<(), ExecError> {
        let mut out = std::mem::take(&mut self.silent);
        let r = cmd::execute(self, ks, args, &mut out);
        self.silent = out;
        r
    }

    /// Whether the engine knows the command `args` and takes that many arguments (what
    /// Redis checks when a client queues a command in a transaction).
    pub fn check(args: &[&[u8]]) -> Result<(), ExecError> {
        cmd::check(args)
    }

    /// Runs one command a client sent: as [`Session::execute`], but with Redis's
    /// semantics for a live server (expired keys are gone, a transaction's commands are
    /// checked as they are queued and each gets its reply at EXEC), and with the reply,
    /// the changes and the propagation recorded in `out` (made by [`Out::client`]). An
    /// `Err` is the command's error reply (see [`reply::error_text`]); `out` holds no
    /// part of it.
    pub fn call(
        &mut self,
        ks: &mut Keyspace,
        args: &[&[u8]],
        out: &mut Out,
    ) -> Result<(), ExecError> {
        cmd::execute(self, ks, args, out)
    }
}

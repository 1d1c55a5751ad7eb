//! Whole key records: the encoding a target Redis would choose for a value, by its
//! own thresholds ([`Rules`]), and the bytes of that encoding.
//!
//! "What Redis would choose" is what a server of the target version holds after the
//! value was built by appending its elements in order (RPUSH, SADD, ZADD, HSET, XADD)
//! with default configuration: compact encodings (listpack, ziplist, intset) while the
//! element count and element sizes stay within the limits, quicklist nodes filled by
//! the same size rule as `quicklistPush`, zset scores in the text form of that
//! version's `d2string`.
//!
//! Values a target cannot hold are found by [`losses`] before writing; [`degrade`]
//! turns a record into its closest equivalent for `--lossy`.

use std::io::Write;

use super::score::{self, ScoreStyle};
use super::{Writer, write_error};
use crate::error::Result;
use crate::rdb::encodings::{Elem, EncError, intset, listpack, parse_canonical_i64, ziplist};
use crate::rdb::read::StreamId;
use crate::rdb::value::{HashValue, Record, Strings, Value, ZsetValue};
use crate::rdb::{Flavor, Opcode, TypeId, Version};

/// The thresholds that decide compact encodings (Redis's configuration names and
/// defaults, the same from Redis 2.6 to 8.x unless noted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// `hash-max-listpack-entries` (`hash-max-ziplist-entries`).
    pub hash_max_listpack_entries: usize,
    /// `hash-max-listpack-value`.
    pub hash_max_listpack_value: usize,
    /// `list-max-ziplist-entries` (Redis 2.6–3.0, RDB 6 targets).
    pub list_max_ziplist_entries: usize,
    /// `list-max-ziplist-value` (Redis 2.6–3.0).
    pub list_max_ziplist_value: usize,
    /// `list-max-listpack-size` (`list-max-ziplist-size`, 3.2+): negative = node byte
    /// limit class, positive = entries per node.
    pub list_max_listpack_size: i32,
    /// `set-max-intset-entries`.
    pub set_max_intset_entries: usize,
    /// `set-max-listpack-entries` (7.2+).
    pub set_max_listpack_entries: usize,
    /// `set-max-listpack-value` (7.2+).
    pub set_max_listpack_value: usize,
    /// `zset-max-listpack-entries` (`zset-max-ziplist-entries`).
    pub zset_max_listpack_entries: usize,
    /// `zset-max-listpack-value`.
    pub zset_max_listpack_value: usize,
    /// `stream-node-max-bytes`.
    pub stream_node_max_bytes: usize,
    /// `stream-node-max-entries`.
    pub stream_node_max_entries: usize,
    /// List elements larger than a node's limit get their own PLAIN node (Redis 7.4+,
    /// Valkey 8.0+); before, only elements of 1 GiB or more did.
    pub list_plain_over_limit: bool,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            hash_max_listpack_entries: 512,
            hash_max_listpack_value: 64,
            list_max_ziplist_entries: 512,
            list_max_ziplist_value: 64,
            list_max_listpack_size: -2,
            set_max_intset_entries: 512,
            set_max_listpack_entries: 128,
            set_max_listpack_value: 64,
            zset_max_listpack_entries: 128,
            zset_max_listpack_value: 64,
            stream_node_max_bytes: 4096,
            stream_node_max_entries: 100,
            list_plain_over_limit: true,
        }
    }
}

impl Rules {
    /// Redis's defaults for a target: `valkey` when the target is a Valkey release
    /// (Valkey 8 writes RDB 11 like Redis 7.2, but stores big list elements as Redis 7.4
    /// does).
    pub fn for_target(v: Version, valkey: bool) -> Rules {
        Rules {
            list_plain_over_limit: valkey || v.flavor == Flavor::Valkey || v.number >= 12,
            ..Rules::default()
        }
    }

    /// Sets a threshold by its Redis configuration name (old aliases accepted).
    pub fn set(&mut self, name: &str, value: i64) -> std::result::Result<(), String> {
        let n = || usize::try_from(value).map_err(|_| format!("{name} must be >= 0"));
        match name.to_ascii_lowercase().as_str() {
            "hash-max-listpack-entries" | "hash-max-ziplist-entries" => {
                self.hash_max_listpack_entries = n()?
            }
            "hash-max-listpack-value" | "hash-max-ziplist-value" => {
                self.hash_max_listpack_value = n()?
            }
            "list-max-ziplist-entries" => self.list_max_ziplist_entries = n()?,
            "list-max-ziplist-value" => self.list_max_ziplist_value = n()?,
            "list-max-listpack-size" | "list-max-ziplist-size" => {
                self.list_max_listpack_size =
                    i32::try_from(value).map_err(|_| format!("{name} out of range"))?
            }
            "set-max-intset-entries" => self.set_max_intset_entries = n()?,
            "set-max-listpack-entries" => self.set_max_listpack_entries = n()?,
            "set-max-listpack-value" => self.set_max_listpack_value = n()?,
            "zset-max-listpack-entries" | "zset-max-ziplist-entries" => {
                self.zset_max_listpack_entries = n()?
            }
            "zset-max-listpack-value" | "zset-max-ziplist-value" => {
                self.zset_max_listpack_value = n()?
            }
            "stream-node-max-bytes" => self.stream_node_max_bytes = n()?,
            "stream-node-max-entries" => self.stream_node_max_entries = n()?,
            _ => return Err(format!("unknown encoding setting {name:?}")),
        }
        Ok(())
    }
}

/// The release a server writing `v` reports (`redis-ver` / `valkey-ver`): the first
/// release of that RDB version (Redis 3.0.7 for RDB 6, the last of its line).
pub fn default_release(v: Version) -> &'static str {
    match (v.flavor, v.number) {
        (Flavor::Valkey, _) => "9.0.0",
        (_, ..=6) => "3.0.7",
        (_, 7) => "3.2.0",
        (_, 8) => "4.0.0",
        (_, 9) => "6.2.0",
        (_, 10) => "7.0.0",
        (_, 11) => "7.2.0",
        (_, 12) => "7.4.0",
        _ => "8.6.0",
    }
}

/// The type byte a record was written with and its encoding name (as `dump` reports).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Encoded {
    pub type_id: TypeId,
    pub encoding: &'static str,
}

/// Something a target version cannot hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Loss {
    /// Streams need RDB 9 (Redis 5.0).
    Stream,
    /// Module values need RDB 8 (Redis 4.0).
    Module,
    /// Per-field hash expiries need RDB 12 (Redis 7.4) or Valkey 9.
    FieldTtls,
    /// first-id, max-deleted-id and entries-added need RDB 10 (Redis 7.0).
    StreamMeta,
    /// Consumer-group entries-read needs RDB 10.
    GroupEntriesRead,
    /// Consumer active-time needs RDB 11 (Redis 7.2).
    ConsumerActiveTime,
    /// Idempotent-producer state needs RDB 13 (Redis 8.6).
    StreamIdmp,
    /// NACKed pending entries need RDB 14 (Redis 8.8).
    StreamNack,
    /// Key metadata needs RDB 13 (Redis 8.6).
    KeyMeta,
}

impl Loss {
    /// What cannot be written, for messages.
    pub fn describe(&self) -> &'static str {
        match self {
            Loss::Stream => "a stream (needs RDB 9, Redis 5.0)",
            Loss::Module => "a module value (needs RDB 8, Redis 4.0)",
            Loss::FieldTtls => "hash field expirations (need RDB 12, Redis 7.4, or Valkey 9)",
            Loss::StreamMeta => {
                "the stream's first-id / max-deleted-id / entries-added (need RDB 10, Redis 7.0)"
            }
            Loss::GroupEntriesRead => "consumer-group entries-read (needs RDB 10, Redis 7.0)",
            Loss::ConsumerActiveTime => "consumer active-time (needs RDB 11, Redis 7.2)",
            Loss::StreamIdmp => "idempotent-producer state (needs RDB 13, Redis 8.6)",
            Loss::StreamNack => "NACKed pending entries (need RDB 14, Redis 8.8)",
            Loss::KeyMeta => "key metadata (needs RDB 13, Redis 8.6)",
        }
    }

    /// What `--lossy` does about it.
    pub fn remedy(&self) -> &'static str {
        match self {
            Loss::Stream | Loss::Module => "key left out",
            Loss::FieldTtls => "field expirations dropped (fields kept without TTL)",
            Loss::StreamMeta => "recomputed by the loader from the entries",
            Loss::GroupEntriesRead => "left for the loader to estimate",
            Loss::ConsumerActiveTime => "set to the seen-time",
            Loss::StreamIdmp => "dropped",
            Loss::StreamNack => "NACKed entries removed from the pending list",
            Loss::KeyMeta => "dropped",
        }
    }
}

fn redis_at_least(v: Version, n: u32) -> bool {
    v.flavor == Flavor::Valkey || v.number >= n
}

/// Everything about `rec` that `v` cannot hold, in a stable order.
pub fn losses(rec: &Record, v: Version) -> Vec<Loss> {
    let mut out = Vec::new();
    let redis = v.flavor == Flavor::Redis;
    if rec.key_meta.is_some() && !(redis && v.number >= 13) {
        out.push(Loss::KeyMeta);
    }
    match &rec.value {
        Value::Module(_) if !redis_at_least(v, 8) => out.push(Loss::Module),
        Value::Hash(h) if h.has_ttls() && redis && v.number < 12 => out.push(Loss::FieldTtls),
        Value::Stream(_) if !redis_at_least(v, 9) => out.push(Loss::Stream),
        Value::Stream(s) => {
            let groups = &s.groups;
            if redis && v.number < 10 {
                let m = &s.meta;
                let first = s.ids.first().copied().unwrap_or_default();
                if m.stored_meta
                    && (m.first_id != first
                        || m.max_deleted_id != StreamId::default()
                        || m.entries_added != m.length)
                {
                    out.push(Loss::StreamMeta);
                }
                if groups.iter().any(|g| g.entries_read.is_some()) {
                    out.push(Loss::GroupEntriesRead);
                }
            }
            if redis && v.number < 11 {
                let differs = groups
                    .iter()
                    .flat_map(|g| &g.consumers)
                    .any(|c| c.active_time_ms.is_some_and(|a| a != c.seen_time_ms));
                if differs {
                    out.push(Loss::ConsumerActiveTime);
                }
            }
            if s.meta.idmp.is_some() && !(redis && v.number >= 13) {
                out.push(Loss::StreamIdmp);
            }
            if groups.iter().flat_map(|g| &g.pel).any(|p| p.nacked) {
                out.push(Loss::StreamNack);
            }
        }
        _ => {}
    }
    out
}

/// Rewrites `rec` into its closest equivalent that `v` can hold (for `--lossy`).
/// Returns false when nothing of the key can be written (a stream before RDB 9, a
/// module value before RDB 8).
pub fn degrade(rec: &mut Record, v: Version) -> bool {
    for loss in losses(rec, v) {
        match loss {
            Loss::Stream | Loss::Module => return false,
            Loss::KeyMeta => rec.key_meta = None,
            Loss::FieldTtls => {
                if let Value::Hash(h) = &mut rec.value {
                    h.ttls.iter_mut().for_each(|t| *t = None);
                }
            }
            Loss::StreamMeta => {
                if let Value::Stream(s) = &mut rec.value {
                    s.meta.stored_meta = false;
                    s.meta.first_id = s.ids.first().copied().unwrap_or_default();
                    s.meta.max_deleted_id = StreamId::default();
                    s.meta.entries_added = s.meta.length;
                }
            }
            Loss::GroupEntriesRead => {
                if let Value::Stream(s) = &mut rec.value {
                    s.groups.iter_mut().for_each(|g| g.entries_read = None);
                }
            }
            Loss::ConsumerActiveTime => {
                if let Value::Stream(s) = &mut rec.value {
                    for c in s.groups.iter_mut().flat_map(|g| g.consumers.iter_mut()) {
                        c.active_time_ms = None;
                    }
                }
            }
            Loss::StreamIdmp => {
                if let Value::Stream(s) = &mut rec.value {
                    s.meta.idmp = None;
                }
            }
            Loss::StreamNack => {
                if let Value::Stream(s) = &mut rec.value {
                    for g in &mut s.groups {
                        g.pel.retain(|p| !p.nacked);
                    }
                }
            }
        }
    }
    true
}

fn enc(type_id: TypeId, encoding: &'static str) -> Encoded {
    Encoded { type_id, encoding }
}

fn all_canonical_ints(s: &Strings) -> bool {
    s.iter().all(|m| parse_canonical_i64(m).is_some())
}

/// The type byte and encoding `v` would write `value` with (assuming no [`losses`]).
pub fn choose(value: &Value, v: Version, rules: &Rules) -> Encoded {
    let n = v.number;
    let redis = v.flavor == Flavor::Redis;
    let v10 = !redis || n >= 10;
    match value {
        Value::String(_) => enc(TypeId::String, "string"),
        Value::List(l) => {
            if redis && n < 7 {
                if l.len() <= rules.list_max_ziplist_entries
                    && l.max_len() <= rules.list_max_ziplist_value
                {
                    enc(TypeId::ListZiplist, "ziplist")
                } else {
                    enc(TypeId::List, "linkedlist")
                }
            } else if v10 {
                enc(TypeId::ListQuicklist2, "quicklist2")
            } else {
                enc(TypeId::ListQuicklist, "quicklist")
            }
        }
        Value::Set(s) => {
            if s.len() <= rules.set_max_intset_entries && all_canonical_ints(s) {
                enc(TypeId::SetIntset, "intset")
            } else if (!redis || n >= 11)
                && s.len() <= rules.set_max_listpack_entries
                && s.max_len() <= rules.set_max_listpack_value
            {
                enc(TypeId::SetListpack, "listpack")
            } else {
                enc(TypeId::Set, "hashtable")
            }
        }
        Value::Zset(z) => {
            let compact = z.len() <= rules.zset_max_listpack_entries
                && z.members.max_len() <= rules.zset_max_listpack_value;
            match (compact, v10) {
                (true, true) => enc(TypeId::ZsetListpack, "listpack"),
                (true, false) => enc(TypeId::ZsetZiplist, "ziplist"),
                (false, _) if redis && n < 8 => enc(TypeId::Zset, "skiplist"),
                (false, _) => enc(TypeId::Zset2, "skiplist"),
            }
        }
        Value::Hash(h) => {
            let compact = h.len() <= rules.hash_max_listpack_entries
                && h.fields.max_len() <= rules.hash_max_listpack_value
                && h.values.max_len() <= rules.hash_max_listpack_value;
            let ttls = h.has_ttls();
            if !redis && ttls {
                enc(TypeId::HashMetadataPreGaOrHash2, "hashtable")
            } else if ttls && compact {
                enc(TypeId::HashListpackEx, "listpack_ex")
            } else if ttls {
                enc(TypeId::HashMetadata, "hashtable")
            } else if compact && v10 {
                enc(TypeId::HashListpack, "listpack")
            } else if compact {
                enc(TypeId::HashZiplist, "ziplist")
            } else {
                enc(TypeId::Hash, "hashtable")
            }
        }
        Value::Stream(_) => {
            let t = match (redis, n) {
                (false, _) | (true, 11 | 12) => TypeId::StreamListpacks3,
                (true, ..=9) => TypeId::StreamListpacks,
                (true, 10) => TypeId::StreamListpacks2,
                (true, 13) => TypeId::StreamListpacks4,
                (true, _) => TypeId::StreamListpacks5,
            };
            enc(t, "stream")
        }
        Value::Module(_) => enc(TypeId::Module2, "module"),
    }
}

fn enc_error(e: EncError, what: &str, offset: u64) -> crate::error::Error {
    write_error(&format!("{what}: {}", e.reason), offset)
}

/// The `d2string` flavour a target's zset compact encodings use.
fn score_style(v: Version) -> ScoreStyle {
    match (v.flavor, v.number) {
        (Flavor::Valkey, _) => ScoreStyle::Redis72,
        (_, ..=9) => ScoreStyle::Redis2,
        (_, 10) => ScoreStyle::Redis70,
        _ => ScoreStyle::Redis72,
    }
}

/// The byte limit and entry limit of a quicklist node for `fill` (`quicklistNodeLimit`).
fn node_limit(fill: i32) -> (usize, usize) {
    const LEVELS: [usize; 5] = [4096, 8192, 16384, 32768, 65536];
    if fill >= 0 {
        (usize::MAX, usize::try_from(fill.max(1)).unwrap_or(1))
    } else {
        let i = usize::try_from(-(fill as i64) - 1).unwrap_or(0).min(4);
        (LEVELS.get(i).copied().unwrap_or(8192), usize::MAX)
    }
}

/// `quicklistNodeExceedsLimit`: whether a node of `new_sz` bytes and `count` entries
/// is over the limits of `fill` (the 8 KiB safety limit applies to entry-count fills).
fn exceeds(fill: i32, new_sz: usize, count: usize) -> bool {
    let (sz_limit, count_limit) = node_limit(fill);
    if sz_limit != usize::MAX {
        new_sz > sz_limit
    } else {
        new_sz > 8192 || count > count_limit
    }
}

/// The blob of a compact encoding being built: a listpack, or a ziplist for RDB < 10.
enum Blob {
    Listpack(listpack::write::Writer),
    Ziplist(ziplist::write::Writer),
}

impl Blob {
    fn new(listpack: bool, rdb_version: u32) -> Self {
        if listpack {
            Blob::Listpack(listpack::write::Writer::new())
        } else {
            Blob::Ziplist(ziplist::write::Writer::for_rdb_version(rdb_version))
        }
    }

    /// Appends one entry's elements (a member, a field and value, ...); `at` and
    /// `what` name the record for an error.
    fn push(&mut self, elems: &[Elem<'_>], what: &str, at: u64) -> Result<()> {
        for &e in elems {
            let r = match self {
                Blob::Listpack(lp) => lp.try_push(e),
                Blob::Ziplist(zl) => zl.try_push(e),
            };
            r.map_err(|err| enc_error(err, what, at))?;
        }
        Ok(())
    }

    fn finish(self) -> Vec<u8> {
        match self {
            Blob::Listpack(lp) => lp.finish(),
            Blob::Ziplist(zl) => zl.finish(),
        }
    }
}

/// Elements of at least this size get a PLAIN quicklist node (`packed_threshold`).
const PLAIN_THRESHOLD: usize = 1 << 30;

impl<W: Write> Writer<W> {
    /// A whole key record as the target version writes it: expiry, LRU/LFU, key
    /// metadata, type byte, key and value. The record must have no [`losses`] for
    /// this version (see [`degrade`]); empty collections are refused.
    pub fn record(&mut self, rec: &Record, rules: &Rules) -> Result<Encoded> {
        let v = self.version;
        if let Some(l) = losses(rec, v).first() {
            return Err(write_error(
                &format!("RDB {} cannot hold {}", v.number, l.describe()),
                self.offset(),
            ));
        }
        let empty = match &rec.value {
            Value::List(s) | Value::Set(s) => s.is_empty(),
            Value::Zset(z) => z.is_empty(),
            Value::Hash(h) => h.is_empty(),
            _ => false,
        };
        if empty {
            return Err(write_error(
                "an empty collection cannot be written",
                self.offset(),
            ));
        }
        let e = choose(&rec.value, v, rules);
        if let Some(ms) = rec.expire_ms {
            self.expire_ms(ms)?;
        }
        if let Some(idle) = rec.idle_s {
            self.idle(idle)?;
        }
        if let Some(freq) = rec.freq {
            self.freq(freq)?;
        }
        if let Some(meta) = &rec.key_meta {
            self.raw(&[Opcode::KeyMetaOrSlotImport as u8])?;
            self.raw(meta)?;
        }
        self.key(e.type_id, &rec.key)?;
        match &rec.value {
            Value::String(s) => self.string(s)?,
            Value::List(l) => self.list_value(l, e.type_id, rules)?,
            Value::Set(s) => self.set_value(s, e.type_id)?,
            Value::Zset(z) => self.zset_value(z, e.type_id)?,
            Value::Hash(h) => self.hash_value(h, e.type_id)?,
            Value::Stream(s) => self.stream_value(
                s,
                e.type_id,
                rules.stream_node_max_bytes,
                rules.stream_node_max_entries,
            )?,
            Value::Module(m) => {
                self.length(m.module_id)?;
                self.raw(&m.raw)?;
            }
        }
        Ok(e)
    }

    fn strings(&mut self, s: &Strings) -> Result<()> {
        self.length(s.len() as u64)?;
        for e in s.iter() {
            self.string(e)?;
        }
        Ok(())
    }

    fn list_value(&mut self, l: &Strings, t: TypeId, rules: &Rules) -> Result<()> {
        match t {
            TypeId::List => self.strings(l),
            TypeId::ListZiplist => {
                let mut b = Blob::new(false, self.version.number);
                let at = self.offset();
                for e in l.iter() {
                    b.push(&[Elem::Bytes(e)], "list ziplist", at)?;
                }
                self.string(&b.finish())
            }
            TypeId::ListQuicklist => self.quicklist_v1(l, rules.list_max_listpack_size),
            _ => self.quicklist_v2(l, rules),
        }
    }

    /// Quicklist of ziplists (RDB 7–9): nodes filled as Redis 3.2–6.2's
    /// `_quicklistNodeAllowInsert` does (its ziplist overhead estimate per element).
    fn quicklist_v1(&mut self, l: &Strings, fill: i32) -> Result<()> {
        let v = self.version.number;
        let mut nodes: Vec<Vec<u8>> = Vec::new();
        let mut cur: Option<ziplist::write::Writer> = None;
        for e in l.iter() {
            let sz = e.len();
            let allow = cur.as_ref().is_some_and(|z| {
                let overhead = if sz < 254 { 1 } else { 5 }
                    + if sz < 64 {
                        1
                    } else if sz < 16384 {
                        2
                    } else {
                        5
                    };
                let new_sz = z.byte_len() + sz + overhead;
                let (sz_limit, _) = node_limit(fill);
                if fill < 0 && new_sz <= sz_limit {
                    true
                } else if new_sz > 8192 {
                    false
                } else {
                    fill >= 0 && z.len() < usize::try_from(fill).unwrap_or(0)
                }
            });
            if !allow && let Some(z) = cur.take() {
                nodes.push(z.finish());
            }
            let z = cur.get_or_insert_with(|| ziplist::write::Writer::for_rdb_version(v));
            let at = self.offset();
            z.try_push(Elem::Bytes(e))
                .map_err(|err| enc_error(err, "quicklist node", at))?;
        }
        if let Some(z) = cur {
            nodes.push(z.finish());
        }
        self.length(nodes.len() as u64)?;
        for n in &nodes {
            self.string(n)?;
        }
        Ok(())
    }

    /// Quicklist of listpacks (RDB 10+): PACKED nodes filled as `quicklistPush` does
    /// (8-byte overhead estimate), as when Redis loads a list or takes a multi-element
    /// RPUSH; PLAIN nodes for elements of 1 GiB or more, or (Redis 7.4+, Valkey 8+)
    /// larger than a node's limit.
    fn quicklist_v2(&mut self, l: &Strings, rules: &Rules) -> Result<()> {
        let fill = rules.list_max_listpack_size;
        let plain_from = if rules.list_plain_over_limit {
            let (sz, _) = node_limit(fill);
            // Entry-count fills fall back on the 8 KiB safety limit.
            let limit = if sz == usize::MAX { 8192 } else { sz };
            limit.saturating_add(1).min(PLAIN_THRESHOLD)
        } else {
            PLAIN_THRESHOLD
        };
        enum Node {
            Packed(listpack::write::Writer),
            Plain(usize),
        }
        let mut nodes: Vec<Node> = Vec::new();
        for (i, e) in l.iter().enumerate() {
            let sz = e.len();
            if sz >= plain_from {
                nodes.push(Node::Plain(i));
                continue;
            }
            let allow = match nodes.last() {
                Some(Node::Packed(lp)) => !exceeds(fill, lp.byte_len() + sz + 8, lp.len() + 1),
                _ => false,
            };
            if !allow {
                nodes.push(Node::Packed(listpack::write::Writer::new()));
            }
            if let Some(Node::Packed(lp)) = nodes.last_mut() {
                let at = self.offset();
                lp.try_push(Elem::Bytes(e))
                    .map_err(|err| enc_error(err, "quicklist node", at))?;
            }
        }
        self.length(nodes.len() as u64)?;
        for n in nodes {
            match n {
                Node::Plain(i) => {
                    self.length(1)?;
                    self.string(l.get(i))?;
                }
                Node::Packed(lp) => {
                    self.length(2)?;
                    self.string(&lp.finish())?;
                }
            }
        }
        Ok(())
    }

    fn set_value(&mut self, s: &Strings, t: TypeId) -> Result<()> {
        match t {
            TypeId::SetIntset => {
                let mut w = intset::write::Writer::new();
                for m in s.iter() {
                    if let Some(i) = parse_canonical_i64(m) {
                        w.push(i);
                    }
                }
                self.string(&w.finish())
            }
            TypeId::SetListpack => {
                let mut b = Blob::new(true, self.version.number);
                let at = self.offset();
                for m in s.iter() {
                    b.push(&[Elem::Bytes(m)], "set listpack", at)?;
                }
                self.string(&b.finish())
            }
            _ => self.strings(s),
        }
    }

    fn zset_value(&mut self, z: &ZsetValue, t: TypeId) -> Result<()> {
        let order = z.ascending();
        let mut text = Vec::with_capacity(32);
        match t {
            TypeId::ZsetZiplist | TypeId::ZsetListpack => {
                let style = score_style(self.version);
                let listpack = t == TypeId::ZsetListpack;
                let mut b = Blob::new(listpack, self.version.number);
                let at = self.offset();
                for &i in &order {
                    let m = z.members.get(i);
                    let s = z.scores.get(i).copied().unwrap_or_default();
                    text.clear();
                    let int = if listpack { score::double2ll(s) } else { None };
                    if int.is_none() {
                        score::d2string(s, style, &mut text);
                    }
                    let score = match int {
                        Some(i) => Elem::Int(i),
                        None => Elem::Bytes(&text),
                    };
                    b.push(&[Elem::Bytes(m), score], "zset", at)?;
                }
                self.string(&b.finish())
            }
            _ => {
                // Skiplists are written tail to head: descending.
                self.length(order.len() as u64)?;
                for &i in order.iter().rev() {
                    self.string(z.members.get(i))?;
                    let s = z.scores.get(i).copied().unwrap_or_default();
                    if t == TypeId::Zset {
                        text.clear();
                        score::rdb_text_double(s, &mut text);
                        self.raw(&text)?;
                    } else {
                        self.raw(&s.to_le_bytes())?;
                    }
                }
                Ok(())
            }
        }
    }

    fn hash_value(&mut self, h: &HashValue, t: TypeId) -> Result<()> {
        let pairs = || h.fields.iter().zip(h.values.iter());
        match t {
            TypeId::HashZiplist | TypeId::HashListpack => {
                let mut b = Blob::new(t == TypeId::HashListpack, self.version.number);
                let at = self.offset();
                for (f, v) in pairs() {
                    b.push(&[Elem::Bytes(f), Elem::Bytes(v)], "hash", at)?;
                }
                self.string(&b.finish())
            }
            TypeId::HashListpackEx => {
                // Fields with a TTL first, ascending (stable), then the others in order.
                let mut order: Vec<usize> = (0..h.len()).collect();
                order.sort_by_key(|&i| match h.ttls.get(i).copied().flatten() {
                    Some(t) => (0, t),
                    None => (1, 0),
                });
                let min = h.ttls.iter().flatten().min().copied().unwrap_or(0);
                self.raw(&min.to_le_bytes())?;
                let mut b = Blob::new(true, self.version.number);
                let at = self.offset();
                for i in order {
                    let ttl = h.ttls.get(i).copied().flatten().unwrap_or(0);
                    let (f, v) = (h.fields.get(i), h.values.get(i));
                    b.push(
                        &[Elem::Bytes(f), Elem::Bytes(v), Elem::Int(ttl)],
                        "hash listpack-ex",
                        at,
                    )?;
                }
                self.string(&b.finish())
            }
            TypeId::HashMetadata => {
                let min = h.ttls.iter().flatten().min().copied().unwrap_or(0);
                self.raw(&min.to_le_bytes())?;
                self.length(h.len() as u64)?;
                for (i, (f, v)) in pairs().enumerate() {
                    let rel = match h.ttls.get(i).copied().flatten() {
                        Some(t) => t.wrapping_sub(min).wrapping_add(1) as u64,
                        None => 0,
                    };
                    self.length(rel)?;
                    self.string(f)?;
                    self.string(v)?;
                }
                Ok(())
            }
            TypeId::HashMetadataPreGaOrHash2 => {
                // Valkey HASH_2: field, value, 8-byte expiry (-1 = none).
                self.length(h.len() as u64)?;
                for (i, (f, v)) in pairs().enumerate() {
                    self.string(f)?;
                    self.string(v)?;
                    let t = h.ttls.get(i).copied().flatten().unwrap_or(-1);
                    self.raw(&t.to_le_bytes())?;
                }
                Ok(())
            }
            _ => {
                self.length(h.len() as u64)?;
                for (f, v) in pairs() {
                    self.string(f)?;
                    self.string(v)?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rdb::read::Reader;
    use crate::rdb::value::{HashValue, ZsetValue};
    use crate::rdb::write::WriterOptions;

    fn redis(n: u32) -> Version {
        Version {
            flavor: Flavor::Redis,
            number: n,
        }
    }

    const VALKEY9: Version = Version {
        flavor: Flavor::Valkey,
        number: 80,
    };

    fn write(v: Version, recs: &[Record]) -> (Vec<u8>, Vec<Encoded>) {
        let mut w = Writer::new(Vec::new(), v, WriterOptions::default()).unwrap();
        w.select_db(0).unwrap();
        let encs = recs
            .iter()
            .map(|r| w.record(r, &Rules::default()).unwrap())
            .collect();
        (w.finish().unwrap(), encs)
    }

    fn read(bytes: &[u8]) -> Vec<(Record, TypeId)> {
        let mut out = Vec::new();
        let mut v = crate::rdb::value::Records::new(|r: &Record, t, _| {
            out.push((r.clone(), t));
            Ok(())
        });
        Reader::new(bytes).run(&mut v).unwrap();
        out
    }

    fn rec(key: &str, value: Value) -> Record {
        Record {
            key: key.as_bytes().to_vec(),
            value,
            ..Record::default()
        }
    }

    fn strings<S: AsRef<[u8]>>(items: impl IntoIterator<Item = S>) -> Strings {
        let mut s = Strings::new();
        for i in items {
            s.push(i.as_ref());
        }
        s
    }

    /// A zset in the order the reader gives it back: ascending for compact encodings,
    /// descending for skiplists.
    fn zset_sorted(z: &ZsetValue, descending: bool) -> Vec<(Vec<u8>, u64)> {
        let mut idx = z.ascending();
        if descending {
            idx.reverse();
        }
        idx.into_iter()
            // Text scores (type 3) lose the sign of zero, as in Redis.
            .map(|i| (z.members.get(i).to_vec(), (z.scores[i] + 0.0).to_bits()))
            .collect()
    }

    fn sample() -> Vec<Record> {
        let mut out = vec![
            rec("s", Value::String(b"hello".to_vec())),
            rec("n", Value::String(b"-123456".to_vec())),
            rec("big", Value::String(vec![b'x'; 5000])),
            rec("l-small", Value::List(strings(["a", "1", "", "zz"]))),
            rec(
                "l-big",
                Value::List(strings((0..3000).map(|i| format!("element-{i}")))),
            ),
            rec(
                "l-wide",
                Value::List(strings([vec![b'w'; 100], vec![b'v'; 20_000]])),
            ),
            rec(
                "set-int",
                Value::Set(strings(["3", "-1", "70000", "5000000000"])),
            ),
            rec("set-str", Value::Set(strings(["a", "b", "c"]))),
            rec(
                "set-big",
                Value::Set(strings((0..600).map(|i| format!("m{i}")))),
            ),
            rec(
                "set-int-big",
                Value::Set(strings((0..600).map(|i| i.to_string()))),
            ),
        ];
        let mut z = ZsetValue::default();
        for (m, s) in [
            ("a", 1.5),
            ("b", -2.0),
            ("c", 1e300),
            ("d", 0.1),
            ("e", 3.0),
        ] {
            z.push(m.as_bytes(), s);
        }
        z.push(b"inf", f64::INFINITY);
        z.push(b"-inf", f64::NEG_INFINITY);
        out.push(rec("z-small", Value::Zset(z)));
        let mut z = ZsetValue::default();
        for i in 0..200 {
            z.push(format!("member:{i}").as_bytes(), f64::from(i) / 3.0);
        }
        out.push(rec("z-big", Value::Zset(z)));
        let mut h = HashValue::default();
        h.push(b"f1", b"v1", None);
        h.push(b"f2", b"12", None);
        out.push(rec("h-small", Value::Hash(h)));
        let mut h = HashValue::default();
        for i in 0..600 {
            h.push(format!("field{i}").as_bytes(), b"v", None);
        }
        out.push(rec("h-big", Value::Hash(h)));
        let mut r = rec("expiring", Value::String(b"x".to_vec()));
        r.expire_ms = Some(1_900_000_000_123);
        out.push(r);
        out
    }

    fn hfe() -> Vec<Record> {
        let mut h = HashValue::default();
        h.push(b"a", b"1", Some(1_900_000_000_000));
        h.push(b"b", b"2", None);
        h.push(b"c", b"3", Some(1_800_000_000_000));
        let mut big = HashValue::default();
        for i in 0..600 {
            let t = (i % 3 == 0).then_some(1_900_000_000_000 + i64::from(i));
            big.push(format!("f{i}").as_bytes(), b"v", t);
        }
        vec![rec("hfe", Value::Hash(h)), rec("hfe-big", Value::Hash(big))]
    }

    /// Values as the reader gives them back, normalised for comparison.
    fn normal(r: &Record, t: TypeId) -> String {
        let v = match &r.value {
            Value::Zset(z) => format!(
                "{:?}",
                zset_sorted(z, matches!(t, TypeId::Zset2 | TypeId::Zset))
            ),
            Value::Set(s) => {
                let mut m: Vec<&[u8]> = s.iter().collect();
                m.sort();
                format!("{m:?}")
            }
            Value::Hash(h) => {
                let mut m: Vec<_> = (0..h.len())
                    .map(|i| (h.fields.get(i), h.values.get(i), h.ttls[i]))
                    .collect();
                m.sort();
                format!("{m:?}")
            }
            other => format!("{other:?}"),
        };
        format!("{:?} {:?} {v}", r.key, r.expire_ms)
    }

    fn round_trip(v: Version, recs: &[Record]) -> Vec<Encoded> {
        let (bytes, encs) = write(v, recs);
        let back = read(&bytes);
        assert_eq!(back.len(), recs.len());
        for ((got, t), (want, e)) in back.iter().zip(recs.iter().zip(&encs)) {
            assert_eq!(*t, e.type_id, "key {:?} for {v:?}", want.key);
            assert_eq!(normal(got, *t), normal(want, *t), "for {v:?}");
        }
        encs
    }

    #[test]
    fn every_version_reads_back_what_was_written() {
        for n in 6..=13 {
            round_trip(redis(n), &sample());
        }
        round_trip(VALKEY9, &sample());
        round_trip(redis(12), &hfe());
        round_trip(redis(13), &hfe());
        round_trip(VALKEY9, &hfe());
    }

    fn types(v: Version) -> Vec<TypeId> {
        let recs = sample();
        recs.iter()
            .map(|r| choose(&r.value, v, &Rules::default()).type_id)
            .collect()
    }

    #[test]
    fn encodings_follow_the_target_and_the_thresholds() {
        use TypeId::*;
        // s n big l-small l-big l-wide set-int set-str set-big set-int-big z-small z-big
        // h-small h-big expiring
        assert_eq!(
            types(redis(6)),
            vec![
                String,
                String,
                String,
                ListZiplist,
                List,
                List,
                SetIntset,
                Set,
                Set,
                Set,
                ZsetZiplist,
                Zset,
                HashZiplist,
                Hash,
                String
            ]
        );
        assert_eq!(
            types(redis(9)),
            vec![
                String,
                String,
                String,
                ListQuicklist,
                ListQuicklist,
                ListQuicklist,
                SetIntset,
                Set,
                Set,
                Set,
                ZsetZiplist,
                Zset2,
                HashZiplist,
                Hash,
                String
            ]
        );
        assert_eq!(
            types(redis(10)),
            vec![
                String,
                String,
                String,
                ListQuicklist2,
                ListQuicklist2,
                ListQuicklist2,
                SetIntset,
                Set,
                Set,
                Set,
                ZsetListpack,
                Zset2,
                HashListpack,
                Hash,
                String
            ]
        );
        assert_eq!(
            types(redis(11)),
            vec![
                String,
                String,
                String,
                ListQuicklist2,
                ListQuicklist2,
                ListQuicklist2,
                SetIntset,
                SetListpack,
                Set,
                Set,
                ZsetListpack,
                Zset2,
                HashListpack,
                Hash,
                String
            ]
        );
        let hv = hfe();
        let t = |v| {
            hv.iter()
                .map(|r| choose(&r.value, v, &Rules::default()).type_id)
                .collect::<Vec<_>>()
        };
        assert_eq!(t(redis(12)), vec![HashListpackEx, HashMetadata]);
        assert_eq!(
            t(VALKEY9),
            vec![HashMetadataPreGaOrHash2, HashMetadataPreGaOrHash2]
        );
        let mut rules = Rules::default();
        rules.set("hash-max-ziplist-entries", 1).unwrap();
        assert!(rules.set("no-such-thing", 1).is_err());
        assert_eq!(
            choose(&sample()[12].value, redis(10), &rules).type_id,
            TypeId::Hash
        );
    }

    fn quicklist_nodes(bytes: &[u8]) -> usize {
        // Count nodes by reading the node count after the key "l-big" (a 1-byte length).
        let at = bytes
            .windows(6)
            .position(|w| w == b"\x05l-big")
            .expect("key present");
        let b = bytes[at + 6];
        assert!(b < 0x40 || (0x40..0x80).contains(&b));
        if b < 0x40 {
            usize::from(b)
        } else {
            (usize::from(b & 0x3f) << 8) | usize::from(bytes[at + 7])
        }
    }

    #[test]
    fn quicklist_nodes_hold_about_eight_kilobytes() {
        let l = rec(
            "l-big",
            Value::List(strings((0..3000).map(|i| format!("element-{i}")))),
        );
        // 3000 elements of ~12 bytes: about 14 bytes each in a listpack or ziplist.
        for n in [7, 9, 10, 11] {
            let (bytes, _) = write(redis(n), std::slice::from_ref(&l));
            let nodes = quicklist_nodes(&bytes);
            assert!((5..=7).contains(&nodes), "RDB {n}: {nodes} nodes");
        }
    }

    #[test]
    fn field_ttls_are_ordered_and_relative_as_redis_writes_them() {
        let (bytes, encs) = write(redis(12), &hfe()[..1]);
        assert_eq!(encs[0].type_id, TypeId::HashListpackEx);
        // minExpire then a listpack: c (earliest TTL), a, then b without TTL.
        let back = read(&bytes);
        let Value::Hash(h) = &back[0].0.value else {
            panic!()
        };
        let order: Vec<&[u8]> = h.fields.iter().collect();
        assert_eq!(order, vec![&b"c"[..], b"a", b"b"]);
    }

    #[test]
    fn losses_are_found_and_degraded() {
        let mut r = hfe().remove(0);
        assert_eq!(losses(&r, redis(11)), vec![Loss::FieldTtls]);
        assert!(losses(&r, redis(12)).is_empty());
        assert!(losses(&r, VALKEY9).is_empty());
        assert!(degrade(&mut r, redis(11)));
        assert!(losses(&r, redis(11)).is_empty());
        let m = rec(
            "m",
            Value::Module(crate::rdb::value::ModuleValue {
                name: "x".into(),
                module_id: 1,
                raw: vec![0],
            }),
        );
        assert_eq!(losses(&m, redis(7)), vec![Loss::Module]);
        let mut m2 = m.clone();
        assert!(!degrade(&mut m2, redis(7)));
        // The writer refuses what the target cannot hold.
        let mut w = Writer::new(Vec::new(), redis(7), WriterOptions::default()).unwrap();
        let err = w.record(&m, &Rules::default()).unwrap_err();
        assert!(err.to_string().contains("module value"), "{err}");
    }

    #[test]
    fn empty_collections_are_refused() {
        let mut w = Writer::new(Vec::new(), redis(10), WriterOptions::default()).unwrap();
        let err = w
            .record(&rec("e", Value::List(Strings::new())), &Rules::default())
            .unwrap_err();
        assert!(err.to_string().contains("empty"), "{err}");
    }

    mod prop {
        use super::*;
        use proptest::prelude::*;

        fn bytes() -> impl Strategy<Value = Vec<u8>> {
            prop_oneof![
                (-200_000i64..200_000).prop_map(|i| i.to_string().into_bytes()),
                any::<i64>().prop_map(|i| i.to_string().into_bytes()),
                proptest::collection::vec(any::<u8>(), 0..12),
                proptest::collection::vec(any::<u8>(), 60..70),
                proptest::collection::vec(b'a'..b'c', 200..9000),
            ]
        }

        fn unique(v: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
            let mut seen = std::collections::BTreeSet::new();
            v.into_iter().filter(|b| seen.insert(b.clone())).collect()
        }

        fn score() -> impl Strategy<Value = f64> {
            prop_oneof![
                (-1000i32..1000).prop_map(f64::from),
                any::<f64>().prop_filter("not nan", |f| !f.is_nan()),
                Just(f64::INFINITY),
                Just(f64::NEG_INFINITY),
                Just(-0.0),
            ]
        }

        fn value() -> impl Strategy<Value = Value> {
            let coll = |max| proptest::collection::vec(bytes(), 1..max);
            prop_oneof![
                bytes().prop_map(Value::String),
                coll(700).prop_map(|v| Value::List(strings(v))),
                coll(700).prop_map(|v| Value::Set(strings(unique(v)))),
                proptest::collection::vec((bytes(), score()), 1..300).prop_map(|v| {
                    let mut z = ZsetValue::default();
                    let mut seen = std::collections::BTreeSet::new();
                    for (m, s) in v {
                        if seen.insert(m.clone()) {
                            z.push(&m, s);
                        }
                    }
                    Value::Zset(z)
                }),
                proptest::collection::vec((bytes(), bytes()), 1..700).prop_map(|v| {
                    let mut h = HashValue::default();
                    let mut seen = std::collections::BTreeSet::new();
                    for (f, val) in v {
                        if seen.insert(f.clone()) {
                            h.push(&f, &val, None);
                        }
                    }
                    Value::Hash(h)
                }),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(64))]
            #[test]
            fn random_values_read_back_in_every_version(
                vals in proptest::collection::vec(value(), 1..6),
                expire in proptest::option::of(0i64..4_102_444_800_000),
            ) {
                let recs: Vec<Record> = vals
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let mut r = rec(&format!("k{i}"), v);
                        r.expire_ms = expire;
                        r
                    })
                    .collect();
                for v in (6..=13).map(redis).chain([VALKEY9]) {
                    let encs = round_trip(v, &recs);
                    for (r, e) in recs.iter().zip(&encs) {
                        // The compact forms hold only what their limits allow.
                        match (&r.value, e.encoding) {
                            (Value::Set(s), "intset") => prop_assert!(s.len() <= 512),
                            (Value::Set(s), "listpack") => {
                                prop_assert!(s.len() <= 128 && s.max_len() <= 64)
                            }
                            (Value::Hash(h), "listpack" | "ziplist") => prop_assert!(
                                h.len() <= 512
                                    && h.fields.max_len() <= 64
                                    && h.values.max_len() <= 64
                            ),
                            (Value::Zset(z), "listpack" | "ziplist") => {
                                prop_assert!(z.len() <= 128 && z.members.max_len() <= 64)
                            }
                            (Value::List(l), "ziplist") => {
                                prop_assert!(l.len() <= 512 && l.max_len() <= 64)
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
    }
}

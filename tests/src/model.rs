//! One normalized, comparable model of a dataset, and three ways to build it:
//!
//! - [`Model::from_dump_jsonl`]: the output of `rdbtool dump --format jsonl`
//!   (schema: `shared/docs/contract.md`);
//! - [`Model::from_server`]: what a live server holds (SCAN, TYPE, PEXPIRETIME, values,
//!   `XINFO STREAM key FULL COUNT 0`, FUNCTION LIST);
//! - [`Model::from_expected_json`]: a fixture's `*.expected.json`
//!   (format: `shared/fixtures/redis-7.0/MANIFEST.md`, "Expected-file format").
//!
//! Normalization: sets sorted by bytes; zsets sorted by (score, member) with -0 stored as
//! 0 (scores are compared as exact doubles: `"0.10000000000000001"`, `0.1` and
//! `"0.1"` are the same); hashes sorted by field, each with its field TTL or `None`;
//! stream groups sorted by name, PEL by ID, consumers by name. Fields some sources do not
//! have are `Option`s that compare equal when either side is `None` (Redis 6.2 has no
//! stream `first_id` / `max_deleted_id` / `entries_added` / `entries_read`, no consumer
//! active time; a jsonl dump has no functions). Layout (`encoding`, quicklist / listpack
//! node counts) is not part of the model. Expiries compare exactly unless one side is
//! approximate ([`KeyModel::expire_approx`]), then within ±2000 ms.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use base64::Engine;
use serde_json::Value;

use crate::args;
use crate::populate::detect_caps;
use crate::resp::{Client, Reply, show_arg};

pub type Bytes = Vec<u8>;

/// Tolerance of an approximate expire time.
pub const APPROX_EXPIRE_MS: i64 = 2000;
/// Tolerance of LRU idle times (the RDB's IDLE may be 1 s more than OBJECT IDLETIME said).
pub const IDLE_TOLERANCE_S: u64 = 2;

/// A stream entry ID `ms-seq`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StreamId {
    pub ms: u64,
    pub seq: u64,
}

impl StreamId {
    pub fn new(ms: u64, seq: u64) -> StreamId {
        StreamId { ms, seq }
    }

    /// Parses `ms-seq`.
    pub fn parse(s: &str) -> Result<StreamId, String> {
        let (a, b) = s
            .split_once('-')
            .ok_or_else(|| format!("bad stream ID {s:?}"))?;
        Ok(StreamId {
            ms: a.parse().map_err(|_| format!("bad stream ID {s:?}"))?,
            seq: b.parse().map_err(|_| format!("bad stream ID {s:?}"))?,
        })
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.ms, self.seq)
    }
}

/// A dataset: (db, key) -> key, plus the function libraries when the source has them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Model {
    pub keys: BTreeMap<(u64, Bytes), KeyModel>,
    /// Library name -> code; `None` when the source does not say (a jsonl dump, Redis 6.2).
    pub functions: Option<BTreeMap<String, String>>,
}

/// One key.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyModel {
    /// `string`, `list`, `set`, `zset`, `hash`, `stream`, `module`.
    pub ty: String,
    /// Absolute expire time in Unix ms.
    pub expire_ms: Option<i64>,
    /// `expire_ms` is approximate (a 6.2 server read without an exact reading): compared
    /// within ±[`APPROX_EXPIRE_MS`].
    pub expire_approx: bool,
    pub value: ValueModel,
    /// Expected files: the key had expired when the file was saved (a loading master drops
    /// it). Not compared.
    pub expired_at_save: bool,
    /// LFU counter (jsonl `freq`, expected `lfu_freq`); compared when both sides have it.
    pub lfu_freq: Option<u64>,
    /// LRU idle seconds (jsonl `idle_s`, expected `lru_idle_s`); compared within
    /// ±[`IDLE_TOLERANCE_S`] when both sides have it.
    pub lru_idle_s: Option<u64>,
}

/// A value, normalized (see the module docs).
#[derive(Clone, Debug, PartialEq)]
pub enum ValueModel {
    String(Bytes),
    List(Vec<Bytes>),
    /// Sorted by bytes.
    Set(Vec<Bytes>),
    /// Sorted by (score, member); -0 stored as 0.
    ZSet(Vec<(Bytes, f64)>),
    /// Sorted by field: (field, value, field expire time in ms).
    Hash(Vec<(Bytes, Bytes, Option<i64>)>),
    Stream(StreamModel),
    /// jsonl only.
    Module {
        name: String,
        id: Option<u64>,
        raw: Bytes,
    },
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct StreamModel {
    pub length: u64,
    pub last_id: StreamId,
    pub first_id: Option<StreamId>,
    pub max_deleted_id: Option<StreamId>,
    pub entries_added: Option<u64>,
    /// In ID order.
    pub entries: Vec<(StreamId, Vec<(Bytes, Bytes)>)>,
    /// Sorted by name.
    pub groups: Vec<GroupModel>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct GroupModel {
    pub name: Bytes,
    pub last_id: StreamId,
    /// `None`: the source does not say; `Some(None)`: the server says "unknown" (nil).
    pub entries_read: Option<Option<u64>>,
    /// Sorted by ID.
    pub pel: Vec<PelEntry>,
    /// Sorted by name.
    pub consumers: Vec<ConsumerModel>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct PelEntry {
    pub id: StreamId,
    pub consumer: Bytes,
    /// Compared when both sides have it.
    pub delivery_time_ms: Option<i64>,
    pub delivery_count: u64,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConsumerModel {
    pub name: Bytes,
    /// Compared when both sides have it.
    pub seen_time_ms: Option<i64>,
    /// Compared when both sides have it (-1 = never active).
    pub active_time_ms: Option<i64>,
    /// Sorted.
    pub pel: Vec<StreamId>,
}

// ------------------------------------------------------------------ normalization

fn norm_score(s: f64) -> f64 {
    if s == 0.0 {
        0.0
    } else if s.is_nan() {
        f64::NAN
    } else {
        s
    }
}

fn score_eq(a: f64, b: f64) -> bool {
    norm_score(a).to_bits() == norm_score(b).to_bits()
}

impl ValueModel {
    /// Sorts and normalizes (idempotent). Constructors in this module call it.
    pub fn normalize(&mut self) {
        match self {
            ValueModel::Set(v) => v.sort(),
            ValueModel::ZSet(v) => {
                for (_, s) in v.iter_mut() {
                    *s = norm_score(*s);
                }
                v.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
            }
            ValueModel::Hash(v) => v.sort(),
            ValueModel::Stream(s) => {
                s.entries.sort_by_key(|e| e.0);
                s.groups.sort_by(|a, b| a.name.cmp(&b.name));
                for g in &mut s.groups {
                    g.pel.sort_by_key(|p| p.id);
                    g.consumers.sort_by(|a, b| a.name.cmp(&b.name));
                    for c in &mut g.consumers {
                        c.pel.sort();
                    }
                }
            }
            _ => {}
        }
    }

    /// The type name for this value.
    pub fn type_name(&self) -> &'static str {
        match self {
            ValueModel::String(_) => "string",
            ValueModel::List(_) => "list",
            ValueModel::Set(_) => "set",
            ValueModel::ZSet(_) => "zset",
            ValueModel::Hash(_) => "hash",
            ValueModel::Stream(_) => "stream",
            ValueModel::Module { .. } => "module",
        }
    }

    /// Number of elements (bytes for a string, entries for a stream).
    pub fn len(&self) -> usize {
        match self {
            ValueModel::String(b) => b.len(),
            ValueModel::List(v) | ValueModel::Set(v) => v.len(),
            ValueModel::ZSet(v) => v.len(),
            ValueModel::Hash(v) => v.len(),
            ValueModel::Stream(s) => s.entries.len(),
            ValueModel::Module { raw, .. } => raw.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

// ------------------------------------------------------------------ Model API

fn key_name(k: &(u64, Bytes)) -> String {
    format!("db {} \"{}\"", k.0, show_arg(&k.1))
}

impl Model {
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn get(&self, db: u64, key: &[u8]) -> Option<&KeyModel> {
        self.keys.get(&(db, key.to_vec()))
    }

    /// `get`, panicking if the key is missing.
    pub fn key(&self, db: u64, key: &[u8]) -> &KeyModel {
        self.get(db, key)
            .unwrap_or_else(|| panic!("key {} not in the model", key_name(&(db, key.to_vec()))))
    }

    /// The dbs that have keys.
    pub fn dbs(&self) -> Vec<u64> {
        let s: BTreeSet<u64> = self.keys.keys().map(|k| k.0).collect();
        s.into_iter().collect()
    }

    pub fn count_in(&self, db: u64) -> usize {
        self.keys.keys().filter(|k| k.0 == db).count()
    }

    /// Keys for which `keep(db, key, value)` is true.
    pub fn filter(&self, keep: impl Fn(u64, &[u8], &KeyModel) -> bool) -> Model {
        Model {
            keys: self
                .keys
                .iter()
                .filter(|((db, k), v)| keep(*db, k, v))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            functions: self.functions.clone(),
        }
    }

    pub fn only_dbs(&self, dbs: &[u64]) -> Model {
        self.filter(|db, _, _| dbs.contains(&db))
    }

    /// What a server that loads this dataset at `now_ms` holds: keys marked
    /// `expired_at_save` or whose expire time is <= `now_ms` removed, hash fields whose
    /// TTL is <= `now_ms` removed (and hashes left empty by that).
    pub fn without_expired(&self, now_ms: i64) -> Model {
        let mut m =
            self.filter(|_, _, v| !v.expired_at_save && v.expire_ms.is_none_or(|t| t > now_ms));
        m.keys.retain(|_, v| {
            if let ValueModel::Hash(fields) = &mut v.value {
                fields.retain(|f| f.2.is_none_or(|t| t > now_ms));
                return !fields.is_empty();
            }
            true
        });
        m
    }

    /// Clears stream consumer seen / active times (an AOF replay does not reproduce them).
    pub fn without_consumer_times(&self) -> Model {
        let mut m = self.clone();
        for v in m.keys.values_mut() {
            if let ValueModel::Stream(s) = &mut v.value {
                for g in &mut s.groups {
                    for c in &mut g.consumers {
                        c.seen_time_ms = None;
                        c.active_time_ms = None;
                    }
                }
            }
        }
        m
    }

    /// Clears PEL delivery times.
    pub fn without_delivery_times(&self) -> Model {
        let mut m = self.clone();
        for v in m.keys.values_mut() {
            if let ValueModel::Stream(s) = &mut v.value {
                for g in &mut s.groups {
                    for p in &mut g.pel {
                        p.delivery_time_ms = None;
                    }
                }
            }
        }
        m
    }

    /// Forgets LFU / LRU data.
    pub fn without_lru_lfu(&self) -> Model {
        let mut m = self.clone();
        for v in m.keys.values_mut() {
            v.lfu_freq = None;
            v.lru_idle_s = None;
        }
        m
    }

    /// Forgets the function libraries (compared only when both sides have them).
    pub fn without_functions(&self) -> Model {
        Model {
            keys: self.keys.clone(),
            functions: None,
        }
    }

    /// Human-readable differences between `self` ("left") and `other` ("right"); empty if
    /// they hold the same data.
    pub fn diff(&self, other: &Model) -> Vec<String> {
        let mut out = Vec::new();
        if let (Some(a), Some(b)) = (&self.functions, &other.functions) {
            for (name, code) in a {
                match b.get(name) {
                    None => out.push(format!("function library {name:?}: only in left")),
                    Some(c) if c != code => {
                        out.push(format!("function library {name:?}: code differs"))
                    }
                    Some(_) => {}
                }
            }
            for name in b.keys().filter(|n| !a.contains_key(*n)) {
                out.push(format!("function library {name:?}: only in right"));
            }
        }
        for (k, a) in &self.keys {
            match other.keys.get(k) {
                None => out.push(format!("{}: only in left ({})", key_name(k), a.ty)),
                Some(b) => diff_key(&key_name(k), a, b, &mut out),
            }
        }
        for (k, b) in &other.keys {
            if !self.keys.contains_key(k) {
                out.push(format!("{}: only in right ({})", key_name(k), b.ty));
            }
        }
        out
    }

    /// Panics, listing the first 20 differences, unless `self` and `other` hold the same
    /// data; `what` says what was compared ("rdbtool dump vs server").
    pub fn assert_same(&self, other: &Model, what: &str) {
        let d = self.diff(other);
        if !d.is_empty() {
            panic!(
                "{what}: {} difference(s) (left {} keys, right {} keys); first {}:\n  {}",
                d.len(),
                self.len(),
                other.len(),
                d.len().min(20),
                d[..d.len().min(20)].join("\n  ")
            );
        }
    }
}

// ------------------------------------------------------------------ diff

fn show_opt<T: fmt::Display>(o: &Option<T>) -> String {
    match o {
        Some(v) => v.to_string(),
        None => "none".into(),
    }
}

fn diff_key(name: &str, a: &KeyModel, b: &KeyModel, out: &mut Vec<String>) {
    if a.ty != b.ty || a.value.type_name() != b.value.type_name() {
        out.push(format!(
            "{name}: type differs: left {} vs right {}",
            a.ty, b.ty
        ));
        return;
    }
    let exp_ok = match (a.expire_ms, b.expire_ms) {
        (None, None) => true,
        (Some(x), Some(y)) if a.expire_approx || b.expire_approx => {
            (x - y).abs() <= APPROX_EXPIRE_MS
        }
        (x, y) => x == y,
    };
    if !exp_ok {
        out.push(format!(
            "{name}: expire_ms differs: left {}{} vs right {}{}",
            show_opt(&a.expire_ms),
            if a.expire_approx { " (approx)" } else { "" },
            show_opt(&b.expire_ms),
            if b.expire_approx { " (approx)" } else { "" }
        ));
    }
    if let (Some(x), Some(y)) = (a.lfu_freq, b.lfu_freq)
        && x != y
    {
        out.push(format!("{name}: LFU freq differs: left {x} vs right {y}"));
    }
    if let (Some(x), Some(y)) = (a.lru_idle_s, b.lru_idle_s)
        && x.abs_diff(y) > IDLE_TOLERANCE_S
    {
        out.push(format!(
            "{name}: LRU idle differs: left {x} s vs right {y} s"
        ));
    }
    if let Some(d) = diff_value(&a.value, &b.value) {
        out.push(format!("{name}: {} value differs: {d}", a.ty));
    }
}

fn q(b: &[u8]) -> String {
    format!("\"{}\"", show_arg(b))
}

/// Description of the first difference, or None.
fn diff_value(a: &ValueModel, b: &ValueModel) -> Option<String> {
    match (a, b) {
        (ValueModel::String(x), ValueModel::String(y)) => (x != y).then(|| {
            format!(
                "left {} bytes {} vs right {} bytes {}",
                x.len(),
                q(x),
                y.len(),
                q(y)
            )
        }),
        (ValueModel::List(x), ValueModel::List(y)) => diff_seq(x, y, |e| q(e), "element"),
        (ValueModel::Set(x), ValueModel::Set(y)) => {
            if x == y {
                return None;
            }
            let xs: BTreeSet<&Bytes> = x.iter().collect();
            let ys: BTreeSet<&Bytes> = y.iter().collect();
            let only_x: Vec<_> = xs.difference(&ys).collect();
            let only_y: Vec<_> = ys.difference(&xs).collect();
            Some(format!(
                "{} members vs {}; {} only in left (first {}), {} only in right (first {})",
                x.len(),
                y.len(),
                only_x.len(),
                only_x.first().map_or("-".into(), |m| q(m)),
                only_y.len(),
                only_y.first().map_or("-".into(), |m| q(m))
            ))
        }
        (ValueModel::ZSet(x), ValueModel::ZSet(y)) => {
            let same = x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|(p, r)| p.0 == r.0 && score_eq(p.1, r.1));
            if same {
                return None;
            }
            let xm: BTreeMap<&Bytes, f64> = x.iter().map(|(m, s)| (m, *s)).collect();
            let ym: BTreeMap<&Bytes, f64> = y.iter().map(|(m, s)| (m, *s)).collect();
            for (m, s) in &xm {
                match ym.get(m) {
                    None => return Some(format!("member {} (score {s:?}) only in left", q(m))),
                    Some(t) if !score_eq(*s, *t) => {
                        return Some(format!("member {}: score left {s:?} vs right {t:?}", q(m)));
                    }
                    _ => {}
                }
            }
            let extra = ym.iter().find(|(m, _)| !xm.contains_key(*m));
            Some(match extra {
                Some((m, s)) => format!("member {} (score {s:?}) only in right", q(m)),
                None => format!("{} members vs {} (duplicate members?)", x.len(), y.len()),
            })
        }
        (ValueModel::Hash(x), ValueModel::Hash(y)) => {
            if x == y {
                return None;
            }
            let xm: BTreeMap<&Bytes, (&Bytes, Option<i64>)> =
                x.iter().map(|(f, v, t)| (f, (v, *t))).collect();
            let ym: BTreeMap<&Bytes, (&Bytes, Option<i64>)> =
                y.iter().map(|(f, v, t)| (f, (v, *t))).collect();
            for (f, (v, t)) in &xm {
                match ym.get(f) {
                    None => return Some(format!("field {} only in left", q(f))),
                    Some((w, _)) if w != v => {
                        return Some(format!("field {}: left {} vs right {}", q(f), q(v), q(w)));
                    }
                    Some((_, u)) if u != t => {
                        return Some(format!(
                            "field {}: field expire_ms left {} vs right {}",
                            q(f),
                            show_opt(t),
                            show_opt(u)
                        ));
                    }
                    _ => {}
                }
            }
            let extra = ym.keys().find(|f| !xm.contains_key(*f));
            Some(match extra {
                Some(f) => format!("field {} only in right", q(f)),
                None => format!("{} fields vs {} (duplicate fields?)", x.len(), y.len()),
            })
        }
        (ValueModel::Stream(x), ValueModel::Stream(y)) => diff_stream(x, y),
        (
            ValueModel::Module {
                name: n1,
                id: i1,
                raw: r1,
            },
            ValueModel::Module {
                name: n2,
                id: i2,
                raw: r2,
            },
        ) => {
            if n1 != n2 {
                Some(format!("module name left {n1:?} vs right {n2:?}"))
            } else if i1.is_some() && i2.is_some() && i1 != i2 {
                Some(format!(
                    "module id left {} vs right {}",
                    show_opt(i1),
                    show_opt(i2)
                ))
            } else if r1 != r2 {
                Some(format!(
                    "module payload differs ({} vs {} bytes)",
                    r1.len(),
                    r2.len()
                ))
            } else {
                None
            }
        }
        _ => Some(format!("left {} vs right {}", a.type_name(), b.type_name())),
    }
}

fn diff_seq<T: PartialEq>(
    x: &[T],
    y: &[T],
    show: impl Fn(&T) -> String,
    what: &str,
) -> Option<String> {
    if x == y {
        return None;
    }
    let i = x
        .iter()
        .zip(y)
        .position(|(a, b)| a != b)
        .unwrap_or(x.len().min(y.len()));
    Some(format!(
        "{} vs {} {what}s; first difference at index {i}: left {} vs right {}",
        x.len(),
        y.len(),
        x.get(i).map_or("(end)".into(), &show),
        y.get(i).map_or("(end)".into(), &show)
    ))
}

fn opt_differs<T: PartialEq>(a: &Option<T>, b: &Option<T>) -> bool {
    matches!((a, b), (Some(x), Some(y)) if x != y)
}

fn diff_stream(x: &StreamModel, y: &StreamModel) -> Option<String> {
    if x.length != y.length {
        return Some(format!("length left {} vs right {}", x.length, y.length));
    }
    if x.last_id != y.last_id {
        return Some(format!("last_id left {} vs right {}", x.last_id, y.last_id));
    }
    if opt_differs(&x.first_id, &y.first_id) {
        return Some(format!(
            "first_id left {} vs right {}",
            show_opt(&x.first_id),
            show_opt(&y.first_id)
        ));
    }
    if opt_differs(&x.max_deleted_id, &y.max_deleted_id) {
        return Some(format!(
            "max_deleted_id left {} vs right {}",
            show_opt(&x.max_deleted_id),
            show_opt(&y.max_deleted_id)
        ));
    }
    if opt_differs(&x.entries_added, &y.entries_added) {
        return Some(format!(
            "entries_added left {} vs right {}",
            show_opt(&x.entries_added),
            show_opt(&y.entries_added)
        ));
    }
    let show_entry = |e: &(StreamId, Vec<(Bytes, Bytes)>)| {
        let fv: Vec<String> =
            e.1.iter()
                .map(|(f, v)| format!("{} {}", q(f), q(v)))
                .collect();
        format!("{} [{}]", e.0, fv.join(", "))
    };
    if let Some(d) = diff_seq(&x.entries, &y.entries, show_entry, "entrie") {
        return Some(format!("entries: {d}"));
    }
    let xn: Vec<&Bytes> = x.groups.iter().map(|g| &g.name).collect();
    let yn: Vec<&Bytes> = y.groups.iter().map(|g| &g.name).collect();
    if xn != yn {
        let show = |v: &[&Bytes]| v.iter().map(|n| q(n)).collect::<Vec<_>>().join(", ");
        return Some(format!(
            "groups left [{}] vs right [{}]",
            show(&xn),
            show(&yn)
        ));
    }
    for (g, h) in x.groups.iter().zip(&y.groups) {
        let gn = format!("group {}", q(&g.name));
        if g.last_id != h.last_id {
            return Some(format!(
                "{gn}: last_id left {} vs right {}",
                g.last_id, h.last_id
            ));
        }
        if let (Some(a), Some(b)) = (&g.entries_read, &h.entries_read)
            && a != b
        {
            return Some(format!(
                "{gn}: entries_read left {} vs right {}",
                show_opt(a),
                show_opt(b)
            ));
        }
        if g.pel.len() != h.pel.len() {
            return Some(format!(
                "{gn}: PEL has {} entries vs {}",
                g.pel.len(),
                h.pel.len()
            ));
        }
        for (p, r) in g.pel.iter().zip(&h.pel) {
            if p.id != r.id || p.consumer != r.consumer || p.delivery_count != r.delivery_count {
                return Some(format!(
                    "{gn}: PEL entry left {} {} count {} vs right {} {} count {}",
                    p.id,
                    q(&p.consumer),
                    p.delivery_count,
                    r.id,
                    q(&r.consumer),
                    r.delivery_count
                ));
            }
            if opt_differs(&p.delivery_time_ms, &r.delivery_time_ms) {
                return Some(format!(
                    "{gn}: PEL entry {}: delivery_time_ms left {} vs right {}",
                    p.id,
                    show_opt(&p.delivery_time_ms),
                    show_opt(&r.delivery_time_ms)
                ));
            }
        }
        let cx: Vec<&Bytes> = g.consumers.iter().map(|c| &c.name).collect();
        let cy: Vec<&Bytes> = h.consumers.iter().map(|c| &c.name).collect();
        if cx != cy {
            let show = |v: &[&Bytes]| v.iter().map(|n| q(n)).collect::<Vec<_>>().join(", ");
            return Some(format!(
                "{gn}: consumers left [{}] vs right [{}]",
                show(&cx),
                show(&cy)
            ));
        }
        for (c, d) in g.consumers.iter().zip(&h.consumers) {
            let cn = format!("{gn} consumer {}", q(&c.name));
            if c.pel != d.pel {
                return Some(format!(
                    "{cn}: PEL has {} IDs vs {}",
                    c.pel.len(),
                    d.pel.len()
                ));
            }
            if opt_differs(&c.seen_time_ms, &d.seen_time_ms) {
                return Some(format!(
                    "{cn}: seen_time_ms left {} vs right {}",
                    show_opt(&c.seen_time_ms),
                    show_opt(&d.seen_time_ms)
                ));
            }
            if opt_differs(&c.active_time_ms, &d.active_time_ms) {
                return Some(format!(
                    "{cn}: active_time_ms left {} vs right {}",
                    show_opt(&c.active_time_ms),
                    show_opt(&d.active_time_ms)
                ));
            }
        }
    }
    None
}

// ------------------------------------------------------------------ JSON helpers

/// A byte string: a JSON string (its UTF-8 bytes) or `{"base64": ...}` / `{"b64": ...}`.
pub fn json_bytes(v: &Value) -> Result<Bytes, String> {
    match v {
        Value::String(s) => Ok(s.as_bytes().to_vec()),
        Value::Object(o) if o.len() == 1 => {
            let (k, b) = o.iter().next().expect("one entry");
            let s = b.as_str().filter(|_| k == "base64" || k == "b64");
            let s = s.ok_or_else(|| format!("not a byte string: {v}"))?;
            base64::engine::general_purpose::STANDARD
                .decode(s)
                .map_err(|e| format!("bad base64 in {v}: {e}"))
        }
        _ => Err(format!("not a byte string: {}", short(v))),
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() <= 120 {
        return s;
    }
    let mut end = 120;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

/// A score: a JSON number, or a string (`inf`, `-inf`, `nan`, or decimal text).
pub fn parse_score_json(v: &Value) -> Result<f64, String> {
    match v {
        Value::Number(n) => n.as_f64().ok_or_else(|| format!("bad score {n}")),
        Value::String(s) => parse_score(s),
        _ => Err(format!("bad score {}", short(v))),
    }
}

/// Parses score text as Redis prints it (`%.17g`, shortest round-trip, `inf`, `-inf`).
pub fn parse_score(s: &str) -> Result<f64, String> {
    match s.to_ascii_lowercase().as_str() {
        "inf" | "+inf" | "infinity" | "+infinity" => Ok(f64::INFINITY),
        "-inf" | "-infinity" => Ok(f64::NEG_INFINITY),
        "nan" => Ok(f64::NAN),
        t => t.parse::<f64>().map_err(|_| format!("bad score {s:?}")),
    }
}

fn field<'a>(o: &'a serde_json::Map<String, Value>, name: &str) -> Result<&'a Value, String> {
    o.get(name).ok_or_else(|| format!("no \"{name}\""))
}

fn as_arr<'a>(v: &'a Value, what: &str) -> Result<&'a Vec<Value>, String> {
    v.as_array()
        .ok_or_else(|| format!("{what} is not an array: {}", short(v)))
}

fn as_obj<'a>(v: &'a Value, what: &str) -> Result<&'a serde_json::Map<String, Value>, String> {
    v.as_object()
        .ok_or_else(|| format!("{what} is not an object: {}", short(v)))
}

fn as_u64(v: &Value, what: &str) -> Result<u64, String> {
    v.as_u64()
        .ok_or_else(|| format!("{what} is not an unsigned integer: {}", short(v)))
}

fn as_i64(v: &Value, what: &str) -> Result<i64, String> {
    v.as_i64()
        .ok_or_else(|| format!("{what} is not an integer: {}", short(v)))
}

/// An optional integer field: absent or null -> None.
fn opt_i64(o: &serde_json::Map<String, Value>, name: &str) -> Result<Option<i64>, String> {
    match o.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => as_i64(v, name).map(Some),
    }
}

fn opt_u64(o: &serde_json::Map<String, Value>, name: &str) -> Result<Option<u64>, String> {
    match o.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => as_u64(v, name).map(Some),
    }
}

fn json_id(v: &Value, what: &str) -> Result<StreamId, String> {
    StreamId::parse(
        v.as_str()
            .ok_or_else(|| format!("{what} is not a string: {}", short(v)))?,
    )
}

fn opt_id(o: &serde_json::Map<String, Value>, name: &str) -> Result<Option<StreamId>, String> {
    match o.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => json_id(v, name).map(Some),
    }
}

fn pairs_of(arr: &[Value], what: &str) -> Result<Vec<(Bytes, Bytes)>, String> {
    arr.iter()
        .map(|p| {
            let p = as_arr(p, what)?;
            if p.len() != 2 {
                return Err(format!(
                    "{what}: expected [field, value], got {} items",
                    p.len()
                ));
            }
            Ok((json_bytes(&p[0])?, json_bytes(&p[1])?))
        })
        .collect()
}

/// Hash value `[[field, value] | [field, value, expire_ms], ...]` (both formats).
fn json_hash(v: &Value) -> Result<ValueModel, String> {
    let mut out = Vec::new();
    for p in as_arr(v, "hash value")? {
        let p = as_arr(p, "hash entry")?;
        let ttl = match p.len() {
            2 => None,
            3 => match &p[2] {
                Value::Null => None,
                t => Some(as_i64(t, "hash field expire_ms")?),
            },
            n => return Err(format!("hash entry with {n} items")),
        };
        out.push((json_bytes(&p[0])?, json_bytes(&p[1])?, ttl));
    }
    Ok(ValueModel::Hash(out))
}

fn json_list(v: &Value, what: &str) -> Result<Vec<Bytes>, String> {
    as_arr(v, what)?.iter().map(json_bytes).collect()
}

fn json_zset(v: &Value) -> Result<ValueModel, String> {
    let mut out = Vec::new();
    for p in as_arr(v, "zset value")? {
        let p = as_arr(p, "zset entry")?;
        if p.len() != 2 {
            return Err(format!("zset entry with {} items", p.len()));
        }
        out.push((json_bytes(&p[0])?, parse_score_json(&p[1])?));
    }
    Ok(ValueModel::ZSet(out))
}

fn finish_key(ty: &str, mut value: ValueModel) -> Result<ValueModel, String> {
    if value.type_name() != ty {
        return Err(format!("type {ty:?} with a {} value", value.type_name()));
    }
    value.normalize();
    Ok(value)
}

// ------------------------------------------------------------------ jsonl dumps

impl Model {
    /// Parses `rdbtool dump --format jsonl` output; panics (with the line number) on
    /// anything that does not follow the contract.
    pub fn from_dump_jsonl(text: &str) -> Model {
        Model::try_from_dump_jsonl(text).unwrap_or_else(|e| panic!("bad jsonl dump: {e}"))
    }

    /// `from_dump_jsonl` returning the error.
    pub fn try_from_dump_jsonl(text: &str) -> Result<Model, String> {
        let mut m = Model::default();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let v: Value =
                serde_json::from_str(line).map_err(|e| format!("line {}: {e}", i + 1))?;
            let (k, km) =
                jsonl_key(&v).map_err(|e| format!("line {}: {e}: {}", i + 1, short(&v)))?;
            if m.keys.contains_key(&k) {
                return Err(format!("line {}: duplicate key {}", i + 1, key_name(&k)));
            }
            m.keys.insert(k, km);
        }
        Ok(m)
    }
}

fn jsonl_key(v: &Value) -> Result<((u64, Bytes), KeyModel), String> {
    let o = as_obj(v, "record")?;
    let db = as_u64(field(o, "db")?, "db")?;
    let key = json_bytes(field(o, "key")?)?;
    let ty = field(o, "type")?
        .as_str()
        .ok_or("type is not a string")?
        .to_string();
    let expire_ms = match field(o, "expire_ms")? {
        Value::Null => None,
        t => Some(as_i64(t, "expire_ms")?),
    };
    let val = field(o, "value")?;
    let value = match ty.as_str() {
        "string" => ValueModel::String(json_bytes(val)?),
        "list" => ValueModel::List(json_list(val, "list value")?),
        "set" => ValueModel::Set(json_list(val, "set value")?),
        "zset" => json_zset(val)?,
        "hash" => json_hash(val)?,
        "stream" => ValueModel::Stream(jsonl_stream(val)?),
        "module" => {
            let mo = as_obj(val, "module value")?;
            ValueModel::Module {
                name: field(mo, "module")?
                    .as_str()
                    .ok_or("module name is not a string")?
                    .to_string(),
                id: opt_u64(mo, "module_id")?,
                raw: json_bytes(field(mo, "raw")?)?,
            }
        }
        other => return Err(format!("unknown type {other:?}")),
    };
    let value = finish_key(&ty, value)?;
    Ok((
        (db, key),
        KeyModel {
            ty,
            expire_ms,
            expire_approx: false,
            value,
            expired_at_save: false,
            lfu_freq: opt_u64(o, "freq")?,
            lru_idle_s: opt_u64(o, "idle_s")?,
        },
    ))
}

fn jsonl_stream(v: &Value) -> Result<StreamModel, String> {
    let o = as_obj(v, "stream value")?;
    let mut s = StreamModel {
        length: as_u64(field(o, "length")?, "length")?,
        last_id: json_id(field(o, "last_id")?, "last_id")?,
        first_id: opt_id(o, "first_id")?,
        max_deleted_id: opt_id(o, "max_deleted_id")?,
        entries_added: opt_u64(o, "entries_added")?,
        ..Default::default()
    };
    for e in as_arr(field(o, "entries")?, "entries")? {
        let e = as_obj(e, "stream entry")?;
        let id = json_id(field(e, "id")?, "entry id")?;
        let fv = pairs_of(as_arr(field(e, "fields")?, "entry fields")?, "entry field")?;
        s.entries.push((id, fv));
    }
    for g in as_arr(field(o, "groups")?, "groups")? {
        let g = as_obj(g, "group")?;
        let mut gm = GroupModel {
            name: json_bytes(field(g, "name")?)?,
            last_id: json_id(field(g, "last_id")?, "group last_id")?,
            // null = "not in the file" or "unknown": not comparable
            entries_read: opt_u64(g, "entries_read")?.map(Some),
            ..Default::default()
        };
        for p in as_arr(field(g, "pel")?, "group pel")? {
            let p = as_obj(p, "PEL entry")?;
            gm.pel.push(PelEntry {
                id: json_id(field(p, "id")?, "PEL id")?,
                consumer: json_bytes(field(p, "consumer")?)?,
                delivery_time_ms: opt_i64(p, "delivery_time_ms")?,
                delivery_count: as_u64(field(p, "delivery_count")?, "delivery_count")?,
            });
        }
        for c in as_arr(field(g, "consumers")?, "consumers")? {
            let c = as_obj(c, "consumer")?;
            gm.consumers.push(ConsumerModel {
                name: json_bytes(field(c, "name")?)?,
                seen_time_ms: opt_i64(c, "seen_time_ms")?,
                active_time_ms: opt_i64(c, "active_time_ms")?,
                pel: as_arr(field(c, "pel")?, "consumer pel")?
                    .iter()
                    .map(|i| json_id(i, "consumer PEL id"))
                    .collect::<Result<_, _>>()?,
            });
        }
        s.groups.push(gm);
    }
    Ok(s)
}

// ------------------------------------------------------------------ expected files

impl Model {
    /// Reads a fixture's `*.expected.json`; panics (naming the file and key) on errors.
    pub fn from_expected_json(path: &Path) -> Model {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        Model::try_from_expected_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// Parses the content of an expected file.
    pub fn try_from_expected_str(text: &str) -> Result<Model, String> {
        let doc: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let doc = as_obj(&doc, "document")?;
        if let Some(f) = doc.get("format").and_then(Value::as_str)
            && f != "redis-fixture-expected/v1"
        {
            return Err(format!("unknown format {f:?}"));
        }
        let mut m = Model::default();
        if let Some(fs) = doc.get("functions") {
            let mut libs = BTreeMap::new();
            for f in as_arr(fs, "functions")? {
                let f = as_obj(f, "function library")?;
                let name = field(f, "library")?
                    .as_str()
                    .ok_or("library is not a string")?;
                let code = field(f, "code")?.as_str().ok_or("code is not a string")?;
                libs.insert(name.to_string(), code.to_string());
            }
            m.functions = Some(libs);
        }
        for (i, k) in as_arr(field(doc, "keys")?, "keys")?.iter().enumerate() {
            let (key, km) = expected_key(k).map_err(|e| format!("keys[{i}]: {e}: {}", short(k)))?;
            if m.keys.contains_key(&key) {
                return Err(format!("keys[{i}]: duplicate key {}", key_name(&key)));
            }
            m.keys.insert(key, km);
        }
        Ok(m)
    }
}

fn expected_key(v: &Value) -> Result<((u64, Bytes), KeyModel), String> {
    let o = as_obj(v, "key entry")?;
    let db = as_u64(field(o, "db")?, "db")?;
    let key = json_bytes(field(o, "key")?)?;
    let ty = field(o, "type")?
        .as_str()
        .ok_or("type is not a string")?
        .to_string();
    let expire_ms = opt_i64(o, "expire_ms")?;
    let val = field(o, "value")?;
    let value = match ty.as_str() {
        "string" => ValueModel::String(json_bytes(val)?),
        "list" => ValueModel::List(json_list(val, "list value")?),
        "set" => ValueModel::Set(json_list(val, "set value")?),
        "zset" => json_zset(val)?,
        "hash" => json_hash(val)?,
        "stream" => ValueModel::Stream(expected_stream(val)?),
        other => return Err(format!("unknown type {other:?}")),
    };
    let value = finish_key(&ty, value)?;
    Ok((
        (db, key),
        KeyModel {
            ty,
            expire_ms,
            expire_approx: false,
            value,
            expired_at_save: o
                .get("expired_at_save")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            lfu_freq: opt_u64(o, "lfu_freq")?,
            lru_idle_s: opt_u64(o, "lru_idle_s")?,
        },
    ))
}

fn expected_stream(v: &Value) -> Result<StreamModel, String> {
    let o = as_obj(v, "stream value")?;
    let mut s = StreamModel {
        length: as_u64(field(o, "length")?, "length")?,
        last_id: json_id(field(o, "last_id")?, "last_id")?,
        first_id: opt_id(o, "recorded_first_entry_id")?,
        max_deleted_id: opt_id(o, "max_deleted_entry_id")?,
        entries_added: opt_u64(o, "entries_added")?,
        ..Default::default()
    };
    for e in as_arr(field(o, "entries")?, "entries")? {
        let e = as_arr(e, "stream entry")?;
        if e.len() != 2 {
            return Err("stream entry is not [id, [field, value, ...]]".into());
        }
        let flat = json_list(&e[1], "entry fields")?;
        if flat.len() % 2 != 0 {
            return Err("odd number of items in a stream entry's field list".into());
        }
        let fv = flat
            .chunks(2)
            .map(|p| (p[0].clone(), p[1].clone()))
            .collect();
        s.entries.push((json_id(&e[0], "entry id")?, fv));
    }
    for g in as_arr(field(o, "groups")?, "groups")? {
        let g = as_obj(g, "group")?;
        let mut gm = GroupModel {
            name: json_bytes(field(g, "name")?)?,
            last_id: json_id(field(g, "last_delivered_id")?, "last_delivered_id")?,
            // absent: 6.2 (not comparable); null: the server said "unknown"
            entries_read: match g.get("entries_read") {
                None => None,
                Some(Value::Null) => Some(None),
                Some(n) => Some(Some(as_u64(n, "entries_read")?)),
            },
            ..Default::default()
        };
        for p in as_arr(field(g, "pel")?, "group pel")? {
            let p = as_arr(p, "PEL entry")?;
            if p.len() != 4 {
                return Err(
                    "PEL entry is not [id, consumer, delivery_time_ms, delivery_count]".into(),
                );
            }
            gm.pel.push(PelEntry {
                id: json_id(&p[0], "PEL id")?,
                consumer: json_bytes(&p[1])?,
                delivery_time_ms: Some(as_i64(&p[2], "delivery_time_ms")?),
                delivery_count: as_u64(&p[3], "delivery_count")?,
            });
        }
        for c in as_arr(field(g, "consumers")?, "consumers")? {
            let c = as_obj(c, "consumer")?;
            gm.consumers.push(ConsumerModel {
                name: json_bytes(field(c, "name")?)?,
                seen_time_ms: opt_i64(c, "seen_time_ms")?,
                active_time_ms: opt_i64(c, "active_time_ms")?,
                pel: as_arr(field(c, "pel")?, "consumer pel")?
                    .iter()
                    .map(|i| json_id(i, "consumer PEL id"))
                    .collect::<Result<_, _>>()?,
            });
        }
        s.groups.push(gm);
    }
    Ok(s)
}

// ------------------------------------------------------------------ live servers

/// Reads PTTL and the server clock in one script (6.2 has no PEXPIRETIME).
const LUA_PTTL: &str = "local a = redis.call('TIME') local p = redis.call('PTTL', KEYS[1]) \
                        local b = redis.call('TIME') return {a[1], a[2], p, b[1], b[2]}";

/// (expire, exact) from one LUA_PTTL reply: exact when both TIME readings fall in the
/// same millisecond (then PTTL was computed in it too).
fn lua_expire(r: &Reply) -> Result<(Option<i64>, bool), String> {
    let a = r
        .as_array()
        .filter(|a| a.len() == 5)
        .ok_or_else(|| format!("PTTL script answered {r}"))?;
    let n = |i: usize| {
        a[i].as_int()
            .ok_or_else(|| format!("PTTL script answered {r}"))
    };
    let p = n(2)?;
    if p < 0 {
        return Ok((None, true));
    }
    let t1 = n(0)? * 1_000_000 + n(1)?;
    let t2 = n(3)? * 1_000_000 + n(4)?;
    Ok((Some(t1 / 1000 + p), t1 / 1000 == t2 / 1000))
}

fn reply_id(r: &Reply, what: &str) -> Result<StreamId, String> {
    StreamId::parse(&String::from_utf8_lossy(
        r.as_bytes().ok_or_else(|| format!("{what}: {r}"))?,
    ))
}

/// A RESP2 map reply (flat array of name, value) as name -> value.
fn reply_map<'a>(r: &'a Reply, what: &str) -> Result<BTreeMap<String, &'a Reply>, String> {
    let a = r
        .as_array()
        .ok_or_else(|| format!("{what} is not an array: {r}"))?;
    if a.len() % 2 != 0 {
        return Err(format!("{what}: odd number of items"));
    }
    Ok(a.chunks(2).map(|p| (p[0].text(), &p[1])).collect())
}

fn get<'a>(m: &BTreeMap<String, &'a Reply>, name: &str, what: &str) -> Result<&'a Reply, String> {
    m.get(name)
        .copied()
        .ok_or_else(|| format!("{what} has no {name:?}"))
}

fn int_of(r: &Reply, what: &str) -> Result<i64, String> {
    r.as_int()
        .ok_or_else(|| format!("{what} is not an integer: {r}"))
}

fn bytes_of(r: &Reply, what: &str) -> Result<Bytes, String> {
    r.as_bytes()
        .map(<[u8]>::to_vec)
        .ok_or_else(|| format!("{what} is not a string: {r}"))
}

fn arr_of<'a>(r: &'a Reply, what: &str) -> Result<&'a [Reply], String> {
    r.as_array()
        .ok_or_else(|| format!("{what} is not an array: {r}"))
}

/// Parses `XINFO STREAM key FULL COUNT 0` (RESP2), any of 6.2 / 7.0 / 7.2+ / Valkey.
pub fn parse_xinfo_full(r: &Reply) -> Result<StreamModel, String> {
    let m = reply_map(r, "XINFO STREAM FULL")?;
    let opt_id = |name: &str| -> Result<Option<StreamId>, String> {
        m.get(name).map(|r| reply_id(r, name)).transpose()
    };
    let mut s = StreamModel {
        length: int_of(get(&m, "length", "stream")?, "length")? as u64,
        last_id: reply_id(get(&m, "last-generated-id", "stream")?, "last-generated-id")?,
        first_id: opt_id("recorded-first-entry-id")?,
        max_deleted_id: opt_id("max-deleted-entry-id")?,
        entries_added: m
            .get("entries-added")
            .map(|r| int_of(r, "entries-added"))
            .transpose()?
            .map(|n| n as u64),
        ..Default::default()
    };
    for e in arr_of(get(&m, "entries", "stream")?, "entries")? {
        let e = arr_of(e, "entry")?;
        if e.len() != 2 {
            return Err(format!("entry with {} items", e.len()));
        }
        let flat = arr_of(&e[1], "entry fields")?;
        let fv = flat
            .chunks(2)
            .map(|p| {
                Ok((
                    bytes_of(&p[0], "field")?,
                    bytes_of(p.get(1).ok_or("odd fields")?, "value")?,
                ))
            })
            .collect::<Result<Vec<_>, String>>()?;
        s.entries.push((reply_id(&e[0], "entry id")?, fv));
    }
    for g in arr_of(get(&m, "groups", "stream")?, "groups")? {
        let g = reply_map(g, "group")?;
        let mut gm = GroupModel {
            name: bytes_of(get(&g, "name", "group")?, "group name")?,
            last_id: reply_id(get(&g, "last-delivered-id", "group")?, "last-delivered-id")?,
            entries_read: match g.get("entries-read") {
                None => None,
                Some(r) if r.is_nil() => Some(None),
                Some(r) => Some(Some(int_of(r, "entries-read")? as u64)),
            },
            ..Default::default()
        };
        for p in arr_of(get(&g, "pending", "group")?, "group pending")? {
            let p = arr_of(p, "PEL entry")?;
            if p.len() != 4 {
                return Err(format!("group PEL entry with {} items", p.len()));
            }
            gm.pel.push(PelEntry {
                id: reply_id(&p[0], "PEL id")?,
                consumer: bytes_of(&p[1], "PEL consumer")?,
                delivery_time_ms: Some(int_of(&p[2], "delivery time")?),
                delivery_count: int_of(&p[3], "delivery count")? as u64,
            });
        }
        for c in arr_of(get(&g, "consumers", "group")?, "consumers")? {
            let c = reply_map(c, "consumer")?;
            gm.consumers.push(ConsumerModel {
                name: bytes_of(get(&c, "name", "consumer")?, "consumer name")?,
                seen_time_ms: Some(int_of(get(&c, "seen-time", "consumer")?, "seen-time")?),
                active_time_ms: c
                    .get("active-time")
                    .map(|r| int_of(r, "active-time"))
                    .transpose()?,
                pel: arr_of(get(&c, "pending", "consumer")?, "consumer pending")?
                    .iter()
                    .map(|p| {
                        reply_id(
                            arr_of(p, "consumer PEL entry")?.first().ok_or("empty")?,
                            "id",
                        )
                    })
                    .collect::<Result<_, _>>()?,
            });
        }
        s.groups.push(gm);
    }
    Ok(s)
}

/// The dbs that have keys (INFO keyspace).
pub fn server_dbs(c: &mut Client) -> Vec<u64> {
    let info = c.cmd_str(&[b"INFO", b"keyspace"]);
    info.lines()
        .filter_map(|l| l.strip_prefix("db")?.split_once(':')?.0.parse().ok())
        .collect()
}

fn scan_keys(c: &mut Client) -> Vec<Bytes> {
    let mut keys = BTreeSet::new();
    let mut cursor = b"0".to_vec();
    loop {
        let r = c.call_ok(&[b"SCAN".as_slice(), &cursor, b"COUNT", b"1000"]);
        let a = r
            .as_array()
            .filter(|a| a.len() == 2)
            .unwrap_or_else(|| panic!("SCAN answered {r}"));
        cursor = a[0].as_bytes().expect("SCAN cursor").to_vec();
        for k in a[1].as_array().expect("SCAN keys") {
            keys.insert(k.as_bytes().expect("SCAN key").to_vec());
        }
        if cursor == b"0" {
            break;
        }
    }
    keys.into_iter().collect()
}

fn pairs_from_flat(r: &Reply, what: &str) -> Result<Vec<(Bytes, Bytes)>, String> {
    let a = arr_of(r, what)?;
    if a.len() % 2 != 0 {
        return Err(format!("{what}: odd number of items"));
    }
    a.chunks(2)
        .map(|p| Ok((bytes_of(&p[0], what)?, bytes_of(&p[1], what)?)))
        .collect()
}

impl Model {
    /// Everything the server behind `c` holds in `dbs` (leaves db 0 selected), plus its
    /// function libraries (7.0+). Expire times come from PEXPIRETIME; on 6.2, from PTTL
    /// and TIME read in one script (exact when both TIME readings share a millisecond,
    /// otherwise marked approximate). Reading touches the keys' LRU/LFU data and deletes
    /// keys that have logically expired.
    pub fn from_server(c: &mut Client, dbs: &[u64]) -> Model {
        let caps = detect_caps(c);
        let mut m = Model::default();
        for &db in dbs {
            c.call_ok(&[b"SELECT".to_vec(), db.to_string().into_bytes()]);
            let keys = scan_keys(c);
            for chunk in keys.chunks(500) {
                read_chunk(c, &caps, db, chunk, &mut m);
            }
        }
        c.cmd_ok(&[b"SELECT", b"0"]);
        if caps.functions {
            let r = c.cmd_ok(&[b"FUNCTION", b"LIST", b"WITHCODE"]);
            let mut libs = BTreeMap::new();
            for lib in r
                .as_array()
                .unwrap_or_else(|| panic!("FUNCTION LIST answered {r}"))
            {
                let l = reply_map(lib, "library").unwrap_or_else(|e| panic!("FUNCTION LIST: {e}"));
                let name = l
                    .get("library_name")
                    .map(|r| r.text())
                    .expect("library_name");
                let code = l
                    .get("library_code")
                    .map(|r| r.text())
                    .expect("library_code");
                libs.insert(name, code);
            }
            m.functions = Some(libs);
        }
        m
    }

    /// `from_server` for every db that has keys (INFO keyspace).
    pub fn from_server_all(c: &mut Client) -> Model {
        let dbs = server_dbs(c);
        Model::from_server(c, &dbs)
    }
}

fn read_chunk(
    c: &mut Client,
    caps: &crate::populate::Caps,
    db: u64,
    keys: &[Bytes],
    m: &mut Model,
) {
    let types: Vec<String> = c
        .pipeline_ok(&keys.iter().map(|k| args!["TYPE", k]).collect::<Vec<_>>())
        .iter()
        .map(Reply::text)
        .collect();
    // expire times
    let mut expires: Vec<(Option<i64>, bool)> = Vec::with_capacity(keys.len());
    if caps.pexpiretime {
        for r in c.pipeline_ok(
            &keys
                .iter()
                .map(|k| args!["PEXPIRETIME", k])
                .collect::<Vec<_>>(),
        ) {
            let t = r
                .as_int()
                .unwrap_or_else(|| panic!("PEXPIRETIME answered {r}"));
            expires.push(((t >= 0).then_some(t), true));
        }
    } else {
        let script = |k: &Bytes| args!["EVAL", LUA_PTTL, "1", k];
        let replies = c.pipeline_ok(&keys.iter().map(script).collect::<Vec<_>>());
        for (k, r) in keys.iter().zip(&replies) {
            let mut got = lua_expire(r).unwrap_or_else(|e| panic!("{e}"));
            for _ in 0..100 {
                if got.1 {
                    break;
                }
                got = lua_expire(&c.call_ok(&script(k))).unwrap_or_else(|e| panic!("{e}"));
            }
            expires.push(got);
        }
    }
    // values
    let mut cmds = Vec::new();
    let mut which = Vec::new();
    for (i, (k, t)) in keys.iter().zip(&types).enumerate() {
        let cmd = match t.as_str() {
            "none" => continue, // deleted (or expired) since SCAN
            "string" => args!["GET", k],
            "list" => args!["LRANGE", k, "0", "-1"],
            "set" => args!["SMEMBERS", k],
            "zset" => args!["ZRANGE", k, "0", "-1", "WITHSCORES"],
            "hash" => args!["HGETALL", k],
            "stream" => args!["XINFO", "STREAM", k, "FULL", "COUNT", "0"],
            other => panic!(
                "from_server: db {db} key \"{}\" has type {other:?}, which the model cannot read",
                show_arg(k)
            ),
        };
        cmds.push(cmd);
        which.push(i);
    }
    let replies = c.pipeline_ok(&cmds);
    // hash field TTLs (7.4+)
    let mut field_ttls: BTreeMap<usize, Vec<Option<i64>>> = BTreeMap::new();
    if caps.hfe {
        let mut hcmds = Vec::new();
        let mut hidx = Vec::new();
        for (j, &i) in which.iter().enumerate() {
            if types[i] == "hash" {
                let a = replies[j].as_array().unwrap_or_default();
                if a.is_empty() {
                    continue;
                }
                let mut cmd = args!["HPEXPIRETIME", keys[i], "FIELDS", (a.len() / 2).to_string()];
                cmd.extend(
                    a.iter()
                        .step_by(2)
                        .map(|f| f.as_bytes().unwrap_or_default().to_vec()),
                );
                hcmds.push(cmd);
                hidx.push(j);
            }
        }
        for (j, r) in hidx.into_iter().zip(c.pipeline_ok(&hcmds)) {
            let ttls = r
                .as_array()
                .unwrap_or_default()
                .iter()
                .map(|t| t.as_int().filter(|&t| t >= 0))
                .collect();
            field_ttls.insert(j, ttls);
        }
    }
    for (j, &i) in which.iter().enumerate() {
        let r = &replies[j];
        if r.is_nil() {
            continue; // vanished between TYPE and the read
        }
        let what = format!("db {db} key \"{}\"", show_arg(&keys[i]));
        let value: Result<ValueModel, String> = (|| {
            Ok(match types[i].as_str() {
                "string" => ValueModel::String(bytes_of(r, "GET")?),
                "list" => ValueModel::List(
                    arr_of(r, "LRANGE")?
                        .iter()
                        .map(|e| bytes_of(e, "element"))
                        .collect::<Result<_, _>>()?,
                ),
                "set" => ValueModel::Set(
                    arr_of(r, "SMEMBERS")?
                        .iter()
                        .map(|e| bytes_of(e, "member"))
                        .collect::<Result<_, _>>()?,
                ),
                "zset" => ValueModel::ZSet(
                    pairs_from_flat(r, "ZRANGE")?
                        .into_iter()
                        .map(|(m, s)| Ok((m, parse_score(&String::from_utf8_lossy(&s))?)))
                        .collect::<Result<_, String>>()?,
                ),
                "hash" => {
                    let pairs = pairs_from_flat(r, "HGETALL")?;
                    let ttls = field_ttls.get(&j);
                    ValueModel::Hash(
                        pairs
                            .into_iter()
                            .enumerate()
                            .map(|(n, (f, v))| {
                                (f, v, ttls.and_then(|t| t.get(n).copied().flatten()))
                            })
                            .collect(),
                    )
                }
                "stream" => ValueModel::Stream(parse_xinfo_full(r)?),
                _ => unreachable!("filtered above"),
            })
        })();
        let mut value = value.unwrap_or_else(|e| panic!("from_server: {what}: {e}"));
        value.normalize();
        let (expire_ms, exact) = expires[i];
        m.keys.insert(
            (db, keys[i].clone()),
            KeyModel {
                ty: types[i].clone(),
                expire_ms,
                expire_approx: !exact,
                value,
                expired_at_save: false,
                lfu_freq: None,
                lru_idle_s: None,
            },
        );
    }
}

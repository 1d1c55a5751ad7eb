//! One key held whole: [`Record`] is what the converter keeps in memory between reading
//! a key and writing it (one value at a time, never the dataset). Collections keep their
//! elements back to back in one buffer ([`Strings`]), so a million-member set is two
//! allocations, not a million; buffers are reused from key to key.
//!
//! [`Collector`] builds a [`Record`] from the reader's [`Visitor`] callbacks.

use super::encodings::Elem;
use super::read::{KeyInfo, ModuleData, StreamGroup, StreamId, StreamMeta, Visitor};
use super::{DataType, TypeId};
use crate::error::Result;

/// Byte strings stored back to back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Strings {
    data: Vec<u8>,
    ends: Vec<usize>,
}

impl Strings {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, b: &[u8]) {
        self.data.extend_from_slice(b);
        self.ends.push(self.data.len());
    }

    /// Pushes an element, integers as their decimal text.
    pub fn push_elem(&mut self, e: Elem<'_>) {
        e.append_to(&mut self.data);
        self.ends.push(self.data.len());
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Total bytes of all elements.
    pub fn byte_len(&self) -> usize {
        self.data.len()
    }

    pub fn get(&self, i: usize) -> &[u8] {
        let start = if i == 0 {
            0
        } else {
            self.ends.get(i - 1).copied().unwrap_or(0)
        };
        let end = self.ends.get(i).copied().unwrap_or(start);
        self.data.get(start..end).unwrap_or_default()
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = &[u8]> + '_ {
        (0..self.len()).map(move |i| self.get(i))
    }

    /// Length of the longest element.
    pub fn max_len(&self) -> usize {
        let mut prev = 0;
        let mut max = 0;
        for &e in &self.ends {
            max = max.max(e - prev);
            prev = e;
        }
        max
    }

    pub fn clear(&mut self) {
        self.data.clear();
        self.ends.clear();
    }
}

/// A sorted set: members with their scores, in the order given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ZsetValue {
    pub members: Strings,
    pub scores: Vec<f64>,
}

impl ZsetValue {
    pub fn len(&self) -> usize {
        self.scores.len()
    }

    pub fn is_empty(&self) -> bool {
        self.scores.is_empty()
    }

    pub fn push(&mut self, member: &[u8], score: f64) {
        self.members.push(member);
        self.scores.push(score);
    }

    /// Indices in Redis's order: ascending by score, then by member bytes.
    pub fn ascending(&self) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..self.len()).collect();
        idx.sort_by(|&a, &b| {
            let (sa, sb) = (self.scores.get(a), self.scores.get(b));
            sa.partial_cmp(&sb)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then_with(|| self.members.get(a).cmp(self.members.get(b)))
        });
        idx
    }

    pub fn clear(&mut self) {
        self.members.clear();
        self.scores.clear();
    }
}

/// A hash: fields, values and per-field absolute expiries (hash field expiration).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HashValue {
    pub fields: Strings,
    pub values: Strings,
    pub ttls: Vec<Option<i64>>,
}

impl HashValue {
    pub fn len(&self) -> usize {
        self.ttls.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ttls.is_empty()
    }

    pub fn push(&mut self, field: &[u8], value: &[u8], ttl: Option<i64>) {
        self.fields.push(field);
        self.values.push(value);
        self.ttls.push(ttl);
    }

    /// Whether any field has its own expiry.
    pub fn has_ttls(&self) -> bool {
        self.ttls.iter().any(Option::is_some)
    }

    pub fn clear(&mut self) {
        self.fields.clear();
        self.values.clear();
        self.ttls.clear();
    }
}

/// A stream: its live entries, stream-level fields and consumer groups.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamValue {
    pub ids: Vec<StreamId>,
    /// Number of field-value pairs of each entry.
    pub nfields: Vec<u32>,
    /// Field, value, field, value ... of every entry, back to back.
    pub fv: Strings,
    pub meta: StreamMeta,
    pub groups: Vec<StreamGroup>,
}

impl StreamValue {
    pub fn push_entry<'a>(
        &mut self,
        id: StreamId,
        fields: impl IntoIterator<Item = (&'a [u8], &'a [u8])>,
    ) {
        let mut n = 0u32;
        for (f, v) in fields {
            self.fv.push(f);
            self.fv.push(v);
            n += 1;
        }
        self.ids.push(id);
        self.nfields.push(n);
    }

    /// The entries in order: id and the index of its first field in `fv`.
    pub fn entries(&self) -> impl Iterator<Item = (StreamId, StreamEntry<'_>)> + '_ {
        let mut at = 0usize;
        self.ids.iter().zip(&self.nfields).map(move |(&id, &n)| {
            let e = StreamEntry {
                fv: &self.fv,
                start: at,
                n: n as usize,
            };
            at += 2 * n as usize;
            (id, e)
        })
    }

    pub fn clear(&mut self) {
        self.ids.clear();
        self.nfields.clear();
        self.fv.clear();
        self.meta = StreamMeta::default();
        self.groups.clear();
    }
}

/// The fields of one stream entry.
#[derive(Debug, Clone, Copy)]
pub struct StreamEntry<'a> {
    fv: &'a Strings,
    start: usize,
    n: usize,
}

impl<'a> StreamEntry<'a> {
    pub fn len(&self) -> usize {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    pub fn field(&self, i: usize) -> &'a [u8] {
        self.fv.get(self.start + 2 * i)
    }

    pub fn value(&self, i: usize) -> &'a [u8] {
        self.fv.get(self.start + 2 * i + 1)
    }

    pub fn pairs(&self) -> impl Iterator<Item = (&'a [u8], &'a [u8])> + '_ {
        (0..self.n).map(|i| (self.field(i), self.value(i)))
    }
}

/// A module value, opaque.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModuleValue {
    pub name: String,
    pub module_id: u64,
    /// The serialized payload after the module id (EOF marker included).
    pub raw: Vec<u8>,
}

/// A value of any type.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    String(Vec<u8>),
    List(Strings),
    Set(Strings),
    Zset(ZsetValue),
    Hash(HashValue),
    Stream(Box<StreamValue>),
    Module(ModuleValue),
}

impl Value {
    pub fn data_type(&self) -> DataType {
        match self {
            Value::String(_) => DataType::String,
            Value::List(_) => DataType::List,
            Value::Set(_) => DataType::Set,
            Value::Zset(_) => DataType::Zset,
            Value::Hash(_) => DataType::Hash,
            Value::Stream(_) => DataType::Stream,
            Value::Module(_) => DataType::Module,
        }
    }

    /// An empty value of `t`, reusing `self`'s buffers when it already has that type.
    fn reset(&mut self, t: DataType) {
        match (t, &mut *self) {
            (DataType::String, Value::String(s)) => s.clear(),
            (DataType::List, Value::List(s)) | (DataType::Set, Value::Set(s)) => s.clear(),
            (DataType::Zset, Value::Zset(z)) => z.clear(),
            (DataType::Hash, Value::Hash(h)) => h.clear(),
            (DataType::Stream, Value::Stream(s)) => s.clear(),
            (DataType::Module, Value::Module(m)) => m.raw.clear(),
            (t, v) => *v = Value::empty(t),
        }
    }

    pub fn empty(t: DataType) -> Value {
        match t {
            DataType::String => Value::String(Vec::new()),
            DataType::List => Value::List(Strings::new()),
            DataType::Set => Value::Set(Strings::new()),
            DataType::Zset => Value::Zset(ZsetValue::default()),
            DataType::Hash => Value::Hash(HashValue::default()),
            DataType::Stream => Value::Stream(Box::default()),
            DataType::Module => Value::Module(ModuleValue::default()),
        }
    }
}

/// One key with everything the file says about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub db: u64,
    pub key: Vec<u8>,
    pub expire_ms: Option<i64>,
    pub idle_s: Option<u64>,
    pub freq: Option<u8>,
    /// Raw KEY_META payload (Redis 8.6+), after the opcode.
    pub key_meta: Option<Vec<u8>>,
    pub value: Value,
}

impl Default for Record {
    fn default() -> Self {
        Record {
            db: 0,
            key: Vec::new(),
            expire_ms: None,
            idle_s: None,
            freq: None,
            key_meta: None,
            value: Value::String(Vec::new()),
        }
    }
}

impl Record {
    /// Starts a record of type `t`, reusing this one's buffers.
    pub fn reset(&mut self, db: u64, key: &[u8], t: DataType) {
        self.db = db;
        self.key.clear();
        self.key.extend_from_slice(key);
        self.expire_ms = None;
        self.idle_s = None;
        self.freq = None;
        self.key_meta = None;
        self.value.reset(t);
    }
}

/// Builds a [`Record`] from the reader's per-key callbacks. The owner forwards
/// `begin_key`, the value callbacks and reads [`Collector::record`] at `end_key`.
#[derive(Debug, Default)]
pub struct Collector {
    rec: Record,
}

impl Collector {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn record(&self) -> &Record {
        &self.rec
    }

    pub fn record_mut(&mut self) -> &mut Record {
        &mut self.rec
    }

    pub fn begin_key(&mut self, k: &KeyInfo<'_>) {
        self.rec.reset(k.db, k.key, k.data_type);
        self.rec.expire_ms = k.expire_ms;
        self.rec.idle_s = k.idle_s;
        self.rec.freq = k.freq;
        self.rec.key_meta = k.key_meta.map(<[u8]>::to_vec);
    }

    pub fn string(&mut self, v: &[u8]) {
        if let Value::String(s) = &mut self.rec.value {
            s.extend_from_slice(v);
        }
    }

    pub fn list_element(&mut self, e: &[u8]) {
        if let Value::List(s) = &mut self.rec.value {
            s.push(e);
        }
    }

    pub fn set_member(&mut self, m: &[u8]) {
        if let Value::Set(s) = &mut self.rec.value {
            s.push(m);
        }
    }

    pub fn zset_member(&mut self, m: &[u8], score: f64) {
        if let Value::Zset(z) = &mut self.rec.value {
            z.push(m, score);
        }
    }

    pub fn hash_field(&mut self, f: &[u8], v: &[u8], ttl: Option<i64>) {
        if let Value::Hash(h) = &mut self.rec.value {
            h.push(f, v, ttl);
        }
    }

    pub fn stream_entry(&mut self, id: StreamId, fields: &[(Elem<'_>, Elem<'_>)]) {
        if let Value::Stream(s) = &mut self.rec.value {
            for (f, v) in fields {
                s.fv.push_elem(*f);
                s.fv.push_elem(*v);
            }
            s.ids.push(id);
            s.nfields.push(fields.len() as u32);
        }
    }

    pub fn stream_meta(&mut self, m: &StreamMeta) {
        if let Value::Stream(s) = &mut self.rec.value {
            s.meta = m.clone();
        }
    }

    pub fn stream_group(&mut self, g: &StreamGroup) {
        if let Value::Stream(s) = &mut self.rec.value {
            s.groups.push(g.clone());
        }
    }

    pub fn module_value(&mut self, m: &ModuleData<'_>) {
        if let Value::Module(v) = &mut self.rec.value {
            v.name.clear();
            v.name.push_str(m.name);
            v.module_id = m.module_id;
            v.raw.extend_from_slice(m.raw);
        }
    }
}

/// A [`Visitor`] that hands every key to `f` whole, with the type byte it was stored as
/// and its file offset: the simplest way to read an RDB one record at a time.
pub struct Records<F> {
    col: Collector,
    key: Option<(TypeId, u64)>,
    f: F,
    version: Option<super::Version>,
    functions: Vec<Vec<u8>>,
}

impl<F: FnMut(&Record, TypeId, u64) -> Result<()>> Records<F> {
    pub fn new(f: F) -> Self {
        Records {
            col: Collector::new(),
            key: None,
            f,
            version: None,
            functions: Vec::new(),
        }
    }

    /// The file's version, once its header was read.
    pub fn version(&self) -> Option<super::Version> {
        self.version
    }

    /// The function libraries read so far (FUNCTION2 records), taken.
    pub fn take_functions(&mut self) -> Vec<Vec<u8>> {
        std::mem::take(&mut self.functions)
    }
}

impl<F: FnMut(&Record, TypeId, u64) -> Result<()>> Visitor for Records<F> {
    fn header(&mut self, v: super::Version) -> Result<()> {
        self.version = Some(v);
        Ok(())
    }
    fn function(&mut self, code: &[u8]) -> Result<()> {
        self.functions.push(code.to_vec());
        Ok(())
    }
    fn begin_key(&mut self, k: &KeyInfo<'_>) -> Result<()> {
        self.key = Some((k.type_id, k.offset));
        self.col.begin_key(k);
        Ok(())
    }
    fn string(&mut self, v: &[u8]) -> Result<()> {
        self.col.string(v);
        Ok(())
    }
    fn list_element(&mut self, e: &[u8]) -> Result<()> {
        self.col.list_element(e);
        Ok(())
    }
    fn set_member(&mut self, m: &[u8]) -> Result<()> {
        self.col.set_member(m);
        Ok(())
    }
    fn zset_member(&mut self, m: &[u8], score: f64) -> Result<()> {
        self.col.zset_member(m, score);
        Ok(())
    }
    fn hash_field(&mut self, f: &[u8], v: &[u8], ttl: Option<i64>) -> Result<()> {
        self.col.hash_field(f, v, ttl);
        Ok(())
    }
    fn stream_entry(&mut self, id: StreamId, fields: &[(Elem<'_>, Elem<'_>)]) -> Result<()> {
        self.col.stream_entry(id, fields);
        Ok(())
    }
    fn stream_meta(&mut self, m: &StreamMeta) -> Result<()> {
        self.col.stream_meta(m);
        Ok(())
    }
    fn stream_group(&mut self, g: &StreamGroup) -> Result<()> {
        self.col.stream_group(g);
        Ok(())
    }
    fn module_value(&mut self, m: &ModuleData<'_>) -> Result<()> {
        self.col.module_value(m);
        Ok(())
    }
    fn end_key(&mut self) -> Result<()> {
        match self.key.take() {
            Some((t, offset)) => (self.f)(self.col.record(), t, offset),
            None => Ok(()),
        }
    }
}

/// Delivers a held record to a visitor as the reader would have: `begin_key`, the
/// value callbacks, `end_key`. `type_id` and `encoding` are what the record is said to
/// have been stored as; `offset` is where it came from (a file offset or line).
pub fn replay<V: Visitor + ?Sized>(
    rec: &Record,
    type_id: TypeId,
    encoding: &'static str,
    offset: u64,
    v: &mut V,
) -> Result<()> {
    v.begin_key(&KeyInfo {
        db: rec.db,
        key: &rec.key,
        type_id,
        data_type: rec.value.data_type(),
        encoding,
        expire_ms: rec.expire_ms,
        idle_s: rec.idle_s,
        freq: rec.freq,
        key_meta: rec.key_meta.as_deref(),
        offset,
    })?;
    match &rec.value {
        Value::String(s) => v.string(s)?,
        Value::List(l) => l.iter().try_for_each(|e| v.list_element(e))?,
        Value::Set(s) => s.iter().try_for_each(|m| v.set_member(m))?,
        Value::Zset(z) => {
            for (m, &s) in z.members.iter().zip(&z.scores) {
                v.zset_member(m, s)?;
            }
        }
        Value::Hash(h) => {
            for ((f, val), &t) in h.fields.iter().zip(h.values.iter()).zip(&h.ttls) {
                v.hash_field(f, val, t)?;
            }
        }
        Value::Stream(s) => {
            let mut pairs = Vec::new();
            for (id, e) in s.entries() {
                pairs.clear();
                pairs.extend(e.pairs().map(|(f, val)| (Elem::Bytes(f), Elem::Bytes(val))));
                v.stream_entry(id, &pairs)?;
            }
            v.stream_meta(&s.meta)?;
            for g in &s.groups {
                v.stream_group(g)?;
            }
        }
        Value::Module(m) => v.module_value(&ModuleData {
            name: &m.name,
            module_id: m.module_id,
            encver: (m.module_id & 1023) as u16,
            when: None,
            raw: &m.raw,
        })?,
    }
    v.end_key()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_hold_elements_back_to_back() {
        let mut s = Strings::new();
        s.push(b"a");
        s.push(b"");
        s.push_elem(Elem::Int(-12));
        assert_eq!(s.len(), 3);
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![&b"a"[..], b"", b"-12"]);
        assert_eq!(s.max_len(), 3);
        assert_eq!(s.get(7), b"");
        s.clear();
        assert!(s.is_empty());
    }

    #[test]
    fn zset_ascending_orders_by_score_then_member() {
        let mut z = ZsetValue::default();
        z.push(b"b", 1.0);
        z.push(b"a", 1.0);
        z.push(b"c", -2.5);
        let order: Vec<&[u8]> = z
            .ascending()
            .into_iter()
            .map(|i| z.members.get(i))
            .collect();
        assert_eq!(order, vec![&b"c"[..], b"a", b"b"]);
    }

    #[test]
    fn record_reset_reuses_the_buffers_of_the_same_type() {
        let mut r = Record::default();
        r.reset(0, b"k", DataType::List);
        if let Value::List(s) = &mut r.value {
            s.push(b"x");
        }
        r.reset(1, b"k2", DataType::List);
        assert_eq!(r.value, Value::List(Strings::new()));
        r.reset(1, b"k3", DataType::Hash);
        assert_eq!(r.value.data_type(), DataType::Hash);
    }
}

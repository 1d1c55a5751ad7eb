//! The engine's values and their conversion to and from [`Record`]s (what the RDB
//! reader gives and the RDB writer takes).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use crate::rdb::DataType;
use crate::rdb::read::{PelEntry, StreamConsumer, StreamGroup, StreamId, StreamMeta};
use crate::rdb::value::{HashValue, ModuleValue, Record, StreamValue, Value, ZsetValue};

/// A score with a total order (NaN never stored: Redis refuses NaN scores).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score(pub f64);

impl Eq for Score {}

impl PartialOrd for Score {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Score {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        // -0 and 0 are the same score in Redis.
        (self.0 + 0.0).total_cmp(&(other.0 + 0.0))
    }
}

/// A sorted set: member -> score, and (score, member) in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Zset {
    pub scores: HashMap<Vec<u8>, f64>,
    pub order: BTreeSet<(Score, Vec<u8>)>,
}

impl Zset {
    pub fn len(&self) -> usize {
        self.scores.len()
    }

    pub fn is_empty(&self) -> bool {
        self.scores.is_empty()
    }

    /// Adds or updates a member; returns whether it was new.
    pub fn insert(&mut self, member: &[u8], score: f64) -> bool {
        match self.scores.get_mut(member) {
            Some(old) => {
                if old.to_bits() != score.to_bits() {
                    self.order.remove(&(Score(*old), member.to_vec()));
                    self.order.insert((Score(score), member.to_vec()));
                    *old = score;
                }
                false
            }
            None => {
                self.scores.insert(member.to_vec(), score);
                self.order.insert((Score(score), member.to_vec()));
                true
            }
        }
    }

    pub fn remove(&mut self, member: &[u8]) -> Option<f64> {
        let s = self.scores.remove(member)?;
        self.order.remove(&(Score(s), member.to_vec()));
        Some(s)
    }

    pub fn score(&self, member: &[u8]) -> Option<f64> {
        self.scores.get(member).copied()
    }
}

/// A hash field: value and its own absolute expiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashField {
    pub value: Vec<u8>,
    pub expire_ms: Option<i64>,
}

/// A hash. Field order is kept as inserted (what listpack-encoded hashes show).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hash {
    pub fields: indexed::IndexMap,
}

/// A pending entry of a consumer group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub delivery_time_ms: i64,
    pub delivery_count: u64,
    /// Owner; `None` for NACKed entries.
    pub consumer: Option<Vec<u8>>,
    pub nacked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consumer {
    pub seen_time_ms: i64,
    pub active_time_ms: Option<i64>,
    pub pel: BTreeSet<StreamId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub last_id: StreamId,
    pub entries_read: Option<u64>,
    pub pel: BTreeMap<StreamId, Pending>,
    pub consumers: BTreeMap<Vec<u8>, Consumer>,
}

/// A stream entry's field-value pairs.
pub type Fields = Vec<(Vec<u8>, Vec<u8>)>;

/// A stream.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stream {
    pub entries: BTreeMap<StreamId, Fields>,
    pub last_id: StreamId,
    pub max_deleted_id: StreamId,
    pub entries_added: u64,
    pub groups: BTreeMap<Vec<u8>, Group>,
}

/// A value.
#[derive(Debug, Clone, PartialEq)]
pub enum Obj {
    Str(Vec<u8>),
    List(VecDeque<Vec<u8>>),
    Set(HashSet<Vec<u8>>),
    Zset(Zset),
    Hash(Hash),
    Stream(Box<Stream>),
    Module(Box<ModuleValue>),
}

impl Obj {
    pub fn data_type(&self) -> DataType {
        match self {
            Obj::Str(_) => DataType::String,
            Obj::List(_) => DataType::List,
            Obj::Set(_) => DataType::Set,
            Obj::Zset(_) => DataType::Zset,
            Obj::Hash(_) => DataType::Hash,
            Obj::Stream(_) => DataType::Stream,
            Obj::Module(_) => DataType::Module,
        }
    }

    /// Whether a collection has no elements left (Redis deletes such keys).
    pub fn is_empty_collection(&self) -> bool {
        match self {
            Obj::List(l) => l.is_empty(),
            Obj::Set(s) => s.is_empty(),
            Obj::Zset(z) => z.is_empty(),
            Obj::Hash(h) => h.fields.is_empty(),
            _ => false,
        }
    }

    /// Writes this value into `rec` (reusing its buffers).
    pub fn fill_record(&self, db: u64, key: &[u8], expire_ms: Option<i64>, rec: &mut Record) {
        rec.reset(db, key, self.data_type());
        rec.expire_ms = expire_ms;
        match (self, &mut rec.value) {
            (Obj::Str(s), Value::String(v)) => v.extend_from_slice(s),
            (Obj::List(l), Value::List(v)) => l.iter().for_each(|e| v.push(e)),
            (Obj::Set(s), Value::Set(v)) => {
                let mut m: Vec<&Vec<u8>> = s.iter().collect();
                m.sort_unstable();
                m.into_iter().for_each(|e| v.push(e));
            }
            (Obj::Zset(z), Value::Zset(v)) => {
                for (s, m) in &z.order {
                    v.push(m, s.0);
                }
            }
            (Obj::Hash(h), Value::Hash(v)) => {
                for (f, hf) in h.fields.iter() {
                    v.push(f, &hf.value, hf.expire_ms);
                }
            }
            (Obj::Stream(s), Value::Stream(v)) => s.fill(v),
            (Obj::Module(m), Value::Module(v)) => v.clone_from(m),
            _ => {}
        }
    }

    /// The value of a record.
    pub fn from_record(rec: &Record) -> Obj {
        match &rec.value {
            Value::String(s) => Obj::Str(s.clone()),
            Value::List(l) => Obj::List(l.iter().map(<[u8]>::to_vec).collect()),
            Value::Set(s) => Obj::Set(s.iter().map(<[u8]>::to_vec).collect()),
            Value::Zset(z) => Obj::Zset(zset_from(z)),
            Value::Hash(h) => Obj::Hash(hash_from(h)),
            Value::Stream(s) => Obj::Stream(Box::new(Stream::from_value(s))),
            Value::Module(m) => Obj::Module(Box::new(m.clone())),
        }
    }
}

fn zset_from(z: &ZsetValue) -> Zset {
    let mut out = Zset::default();
    for (m, &s) in z.members.iter().zip(&z.scores) {
        out.insert(m, s);
    }
    out
}

fn hash_from(h: &HashValue) -> Hash {
    let mut out = Hash::default();
    for ((f, v), &t) in h.fields.iter().zip(h.values.iter()).zip(&h.ttls) {
        out.fields.insert(
            f,
            HashField {
                value: v.to_vec(),
                expire_ms: t,
            },
        );
    }
    out
}

impl Stream {
    fn fill(&self, v: &mut StreamValue) {
        for (id, fields) in &self.entries {
            v.push_entry(
                *id,
                fields.iter().map(|(f, x)| (f.as_slice(), x.as_slice())),
            );
        }
        v.meta = StreamMeta {
            length: self.entries.len() as u64,
            last_id: self.last_id,
            first_id: self.entries.keys().next().copied().unwrap_or_default(),
            max_deleted_id: self.max_deleted_id,
            entries_added: self.entries_added,
            stored_meta: true,
            idmp: None,
        };
        for (name, g) in &self.groups {
            let consumers: Vec<(&Vec<u8>, &Consumer)> = g.consumers.iter().collect();
            let index: HashMap<&[u8], usize> = consumers
                .iter()
                .enumerate()
                .map(|(i, (n, _))| (n.as_slice(), i))
                .collect();
            v.groups.push(StreamGroup {
                name: name.clone(),
                last_id: g.last_id,
                entries_read: g.entries_read,
                pel: g
                    .pel
                    .iter()
                    .map(|(id, p)| PelEntry {
                        id: *id,
                        delivery_time_ms: p.delivery_time_ms,
                        delivery_count: p.delivery_count,
                        consumer: p.consumer.as_deref().and_then(|c| index.get(c).copied()),
                        nacked: p.nacked,
                    })
                    .collect(),
                consumers: consumers
                    .iter()
                    .map(|(n, c)| StreamConsumer {
                        name: (*n).clone(),
                        seen_time_ms: c.seen_time_ms,
                        active_time_ms: c.active_time_ms,
                        pel: c.pel.iter().copied().collect(),
                    })
                    .collect(),
            });
        }
    }

    fn from_value(s: &StreamValue) -> Stream {
        let mut out = Stream {
            last_id: s.meta.last_id,
            max_deleted_id: s.meta.max_deleted_id,
            entries_added: s.meta.entries_added,
            ..Stream::default()
        };
        for (id, e) in s.entries() {
            out.entries.insert(
                id,
                e.pairs().map(|(f, v)| (f.to_vec(), v.to_vec())).collect(),
            );
        }
        for g in &s.groups {
            let mut group = Group {
                last_id: g.last_id,
                entries_read: g.entries_read,
                pel: BTreeMap::new(),
                consumers: BTreeMap::new(),
            };
            for c in &g.consumers {
                group.consumers.insert(
                    c.name.clone(),
                    Consumer {
                        seen_time_ms: c.seen_time_ms,
                        active_time_ms: c.active_time_ms,
                        pel: c.pel.iter().copied().collect(),
                    },
                );
            }
            for p in &g.pel {
                group.pel.insert(
                    p.id,
                    Pending {
                        delivery_time_ms: p.delivery_time_ms,
                        delivery_count: p.delivery_count,
                        consumer: p
                            .consumer
                            .and_then(|i| g.consumers.get(i))
                            .map(|c| c.name.clone()),
                        nacked: p.nacked,
                    },
                );
            }
            out.groups.insert(g.name.clone(), group);
        }
        out
    }
}

/// An insertion-ordered map of byte strings to hash fields (fields keep the order they
/// were added in; removal keeps the order of the others).
pub mod indexed {
    use std::collections::HashMap;

    use super::HashField;

    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct IndexMap {
        index: HashMap<Vec<u8>, usize>,
        items: Vec<(Vec<u8>, HashField)>,
    }

    impl IndexMap {
        pub fn len(&self) -> usize {
            self.items.len()
        }

        pub fn is_empty(&self) -> bool {
            self.items.is_empty()
        }

        pub fn get(&self, k: &[u8]) -> Option<&HashField> {
            self.index
                .get(k)
                .and_then(|&i| self.items.get(i))
                .map(|(_, v)| v)
        }

        pub fn get_mut(&mut self, k: &[u8]) -> Option<&mut HashField> {
            match self.index.get(k) {
                Some(&i) => self.items.get_mut(i).map(|(_, v)| v),
                None => None,
            }
        }

        /// Inserts or replaces; returns whether the field was new.
        pub fn insert(&mut self, k: &[u8], v: HashField) -> bool {
            match self.index.get(k) {
                Some(&i) => {
                    if let Some(slot) = self.items.get_mut(i) {
                        slot.1 = v;
                    }
                    false
                }
                None => {
                    self.index.insert(k.to_vec(), self.items.len());
                    self.items.push((k.to_vec(), v));
                    true
                }
            }
        }

        /// Removes a field, keeping the order of the others.
        pub fn remove(&mut self, k: &[u8]) -> Option<HashField> {
            let i = self.index.remove(k)?;
            if i >= self.items.len() {
                return None;
            }
            let (_, v) = self.items.remove(i);
            for slot in self.index.values_mut() {
                if *slot > i {
                    *slot -= 1;
                }
            }
            Some(v)
        }

        pub fn iter(&self) -> impl Iterator<Item = (&[u8], &HashField)> + '_ {
            self.items.iter().map(|(k, v)| (k.as_slice(), v))
        }

        pub fn iter_mut(&mut self) -> impl Iterator<Item = (&[u8], &mut HashField)> + '_ {
            self.items.iter_mut().map(|(k, v)| (k.as_slice(), v))
        }

        pub fn retain(&mut self, mut keep: impl FnMut(&[u8], &HashField) -> bool) {
            self.items.retain(|(k, v)| keep(k, v));
            self.index = self
                .items
                .iter()
                .enumerate()
                .map(|(i, (k, _))| (k.clone(), i))
                .collect();
        }
    }
}

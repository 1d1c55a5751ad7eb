//! The engine's values and their conversion to and from [`Record`]s (what the RDB
//! reader gives and the RDB writer takes).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::Bytes;
use crate::rdb::DataType;
use crate::rdb::read::{PelEntry, StreamConsumer, StreamGroup, StreamId, StreamMeta};
use crate::rdb::value::{ModuleValue, Record, StreamValue, Value};

pub use super::hash::{Field as HashField, Hash};
pub use super::list::List;
pub use super::set::Set;
pub use super::zset::Zset;

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

/// A value: 24 bytes, a string inline or behind one allocation, every other type
/// behind one pointer.
#[derive(Debug, Clone, PartialEq)]
pub enum Obj {
    Str(Bytes),
    List(Box<List>),
    Set(Box<Set>),
    Zset(Box<Zset>),
    Hash(Box<Hash>),
    Stream(Box<Stream>),
    Module(Box<ModuleValue>),
}

impl Obj {
    pub fn list(l: List) -> Obj {
        Obj::List(Box::new(l))
    }

    pub fn set(s: Set) -> Obj {
        Obj::Set(Box::new(s))
    }

    pub fn zset(z: Zset) -> Obj {
        Obj::Zset(Box::new(z))
    }

    pub fn hash(h: Hash) -> Obj {
        Obj::Hash(Box::new(h))
    }

    /// Heap bytes held by the value (an estimate for the types not yet compact).
    pub fn heap_size(&self) -> usize {
        use std::mem::size_of;
        match self {
            Obj::Str(b) => b.heap_size(),
            Obj::List(l) => size_of::<List>() + l.heap_size(),
            Obj::Set(s) => size_of::<Set>() + s.heap_size(),
            Obj::Zset(z) => size_of::<Zset>() + z.heap_size(),
            Obj::Hash(h) => size_of::<Hash>() + h.heap_size(),
            Obj::Stream(_) | Obj::Module(_) => 0,
        }
    }

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
            Obj::Hash(h) => h.is_empty(),
            _ => false,
        }
    }

    /// Writes this value into `rec` (reusing its buffers).
    pub fn fill_record(&self, db: u64, key: &[u8], expire_ms: Option<i64>, rec: &mut Record) {
        rec.reset(db, key, self.data_type());
        rec.expire_ms = expire_ms;
        match (self, &mut rec.value) {
            (Obj::Str(s), Value::String(v)) => v.extend_from_slice(s.as_slice()),
            (Obj::List(l), Value::List(v)) => l.fill(v),
            (Obj::Set(s), Value::Set(v)) => s.fill(v),
            (Obj::Zset(z), Value::Zset(v)) => z.fill(v),
            (Obj::Hash(h), Value::Hash(v)) => h.fill(v),
            (Obj::Stream(s), Value::Stream(v)) => s.fill(v),
            (Obj::Module(m), Value::Module(v)) => v.clone_from(m),
            _ => {}
        }
    }

    /// The value of a record.
    pub fn from_record(rec: &Record) -> Obj {
        match &rec.value {
            Value::String(s) => Obj::Str(Bytes::from(s.as_slice())),
            Value::List(l) => Obj::list(List::from_value(l)),
            Value::Set(s) => Obj::set(Set::from_value(s)),
            Value::Zset(z) => Obj::zset(Zset::from_value(z)),
            Value::Hash(h) => Obj::hash(Hash::from_value(h)),
            Value::Stream(s) => Obj::Stream(Box::new(Stream::from_value(s))),
            Value::Module(m) => Obj::Module(Box::new(m.clone())),
        }
    }
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

//! The push model: [`Visitor`] receives every record of an RDB as the reader meets it,
//! borrowed from the reader's buffer. Collections arrive element by element.

use std::fmt;

use crate::error::{Error, Result};
use crate::rdb::encodings::Elem;
use crate::rdb::{DataType, TypeId, Version};

/// A stream entry ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct StreamId {
    pub ms: u64,
    pub seq: u64,
}

impl StreamId {
    /// Decodes the 16-byte raw form (ms big-endian, seq big-endian).
    pub fn from_raw(raw: [u8; 16]) -> Self {
        let (ms, seq) = raw.split_at(8);
        StreamId {
            ms: be_u64(ms),
            seq: be_u64(seq),
        }
    }

    pub fn to_raw(self) -> [u8; 16] {
        let mut out = [0u8; 16];
        let (a, b) = out.split_at_mut(8);
        a.copy_from_slice(&self.ms.to_be_bytes());
        b.copy_from_slice(&self.seq.to_be_bytes());
        out
    }
}

fn be_u64(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(b.get(..8).unwrap_or(&[0; 8]));
    u64::from_be_bytes(a)
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.ms, self.seq)
    }
}

/// Everything known about a key before its value: the record prefix and the key itself.
#[derive(Debug, Clone, Copy)]
pub struct KeyInfo<'a> {
    pub db: u64,
    pub key: &'a [u8],
    pub type_id: TypeId,
    pub data_type: DataType,
    /// The encoding name for output (`listpack`, `quicklist2`, ...).
    pub encoding: &'static str,
    pub expire_ms: Option<i64>,
    pub idle_s: Option<u64>,
    pub freq: Option<u8>,
    /// Raw KEY_META record (Redis 8.6+), if the key had one.
    pub key_meta: Option<&'a [u8]>,
    /// File offset of the key's first byte (its first prefix opcode, or its type byte).
    pub offset: u64,
}

/// Stream-level fields, delivered after the stream's entries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamMeta {
    pub length: u64,
    pub last_id: StreamId,
    /// Stored from RDB 10 (`STREAM_LISTPACKS_2`); for older files the first live entry.
    pub first_id: StreamId,
    pub max_deleted_id: StreamId,
    pub entries_added: u64,
    /// Whether `first_id`, `max_deleted_id` and `entries_added` come from the file (v2+)
    /// rather than being derived as Redis does when loading a v1 stream.
    pub stored_meta: bool,
    /// IDMP state (`STREAM_LISTPACKS_4`+), kept raw.
    pub idmp: Option<StreamIdmp>,
}

/// One IDMP producer: its id and its (idempotency id, entry id) pairs.
pub type IdmpProducer = (Vec<u8>, Vec<(Vec<u8>, StreamId)>);

/// Idempotent-producer state of a stream (Redis 8.6), kept for round trips.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamIdmp {
    pub duration_s: u64,
    pub max_entries: u64,
    pub producers: Vec<IdmpProducer>,
    pub iids_added: u64,
    pub iids_duplicates: u64,
}

/// One pending entry of a consumer group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PelEntry {
    pub id: StreamId,
    pub delivery_time_ms: i64,
    pub delivery_count: u64,
    /// Index into [`StreamGroup::consumers`] of the owner, if any consumer owns it.
    pub consumer: Option<usize>,
    /// In the group's NACK zone (`STREAM_LISTPACKS_5`).
    pub nacked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamConsumer {
    pub name: Vec<u8>,
    pub seen_time_ms: i64,
    /// Stored from RDB 11 (`STREAM_LISTPACKS_3`).
    pub active_time_ms: Option<i64>,
    pub pel: Vec<StreamId>,
}

/// A consumer group, complete (its PEL and consumers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamGroup {
    pub name: Vec<u8>,
    pub last_id: StreamId,
    /// `None` when unknown (stored as -1, or not stored before RDB 10).
    pub entries_read: Option<u64>,
    pub pel: Vec<PelEntry>,
    pub consumers: Vec<StreamConsumer>,
}

/// A module value or module aux payload, kept opaque.
#[derive(Debug, Clone, Copy)]
pub struct ModuleData<'a> {
    /// The 9-character module type name decoded from the id.
    pub name: &'a str,
    pub module_id: u64,
    /// The module's encoding version (low 10 bits of the id).
    pub encver: u16,
    /// MODULE_AUX only: 1 = before the keyspace, 2 = after.
    pub when: Option<u64>,
    /// The serialized payload after the module id (the opcode stream, EOF marker included).
    pub raw: &'a [u8],
}

/// A function library as written by Redis 7.0 release candidates (opcode 246).
#[derive(Debug, Clone, Copy)]
pub struct FunctionPreGa<'a> {
    pub name: &'a [u8],
    pub engine: &'a [u8],
    pub desc: Option<&'a [u8]>,
    pub code: &'a [u8],
}

/// How the trailer checksum turned out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChecksumStatus {
    /// Stored and equal to what we computed.
    Ok(u64),
    /// Eight zero bytes: saved with `rdbchecksum no`.
    Disabled,
    Mismatch {
        stored: u64,
        computed: u64,
    },
    /// RDB before version 5 has no trailer.
    Absent,
    /// The reader was told not to compute it.
    NotChecked,
}

impl ChecksumStatus {
    pub fn name(&self) -> &'static str {
        match self {
            ChecksumStatus::Ok(_) => "ok",
            ChecksumStatus::Disabled => "disabled",
            ChecksumStatus::Mismatch { .. } => "mismatch",
            ChecksumStatus::Absent => "absent",
            ChecksumStatus::NotChecked => "not-checked",
        }
    }
}

/// Receives an RDB's records in file order. Every method has a default that ignores the
/// record, except [`Visitor::key_error`], which stops the read.
///
/// For each key: [`begin_key`](Visitor::begin_key), then the value callbacks for its
/// type, then either [`end_key`](Visitor::end_key) or, if the value turned out to be
/// damaged while its framing stayed intact, [`key_error`](Visitor::key_error) (elements
/// delivered before the damage was found must then be discarded by the visitor).
#[allow(unused_variables)]
pub trait Visitor {
    fn header(&mut self, version: Version) -> Result<()> {
        Ok(())
    }
    fn aux(&mut self, key: &[u8], value: &[u8]) -> Result<()> {
        Ok(())
    }
    fn module_aux(&mut self, aux: &ModuleData<'_>) -> Result<()> {
        Ok(())
    }
    /// A FUNCTION2 record: the library's full `FUNCTION LOAD` source.
    fn function(&mut self, code: &[u8]) -> Result<()> {
        Ok(())
    }
    fn function_pre_ga(&mut self, f: &FunctionPreGa<'_>) -> Result<()> {
        Ok(())
    }
    fn select_db(&mut self, db: u64) -> Result<()> {
        Ok(())
    }
    fn resize_db(&mut self, db_size: u64, expires_size: u64) -> Result<()> {
        Ok(())
    }
    fn slot_info(&mut self, slot: u64, size: u64, expires: u64) -> Result<()> {
        Ok(())
    }
    /// Valkey 9 SLOT_IMPORT: job name and slot ranges.
    fn slot_import(&mut self, job: &[u8], ranges: &[(u64, u64)]) -> Result<()> {
        Ok(())
    }
    fn begin_key(&mut self, key: &KeyInfo<'_>) -> Result<()> {
        Ok(())
    }
    fn string(&mut self, value: &[u8]) -> Result<()> {
        Ok(())
    }
    /// Whether [`Visitor::string`] needs the bytes of string values. A visitor that only
    /// checks or counts answers false: compressed values are then validated without
    /// being decompressed (the same checks, from the LZF control bytes alone).
    fn wants_string_values(&self) -> bool {
        true
    }
    /// Only when [`Visitor::wants_string_values`] is false: a string value stored
    /// LZF-compressed (`compressed` decompresses to `ulen` bytes; `offset` is where the
    /// string starts in the file). Return true to take over checking it, for example on
    /// another thread; false (the default) and the reader checks it itself.
    fn compressed_string(&mut self, compressed: &[u8], ulen: usize, offset: u64) -> Result<bool> {
        Ok(false)
    }
    /// A list element, head first.
    fn list_element(&mut self, element: &[u8]) -> Result<()> {
        Ok(())
    }
    fn set_member(&mut self, member: &[u8]) -> Result<()> {
        Ok(())
    }
    /// A sorted-set member in file order (ascending for compact encodings, descending
    /// for `ZSET_2` as Redis writes it, unordered for old `ZSET`).
    fn zset_member(&mut self, member: &[u8], score: f64) -> Result<()> {
        Ok(())
    }
    /// A hash field; `expire_ms` is the field's own expiry (hash field expiration).
    fn hash_field(&mut self, field: &[u8], value: &[u8], expire_ms: Option<i64>) -> Result<()> {
        Ok(())
    }
    /// A live (not deleted) stream entry, in ID order.
    fn stream_entry(&mut self, id: StreamId, fields: &[(Elem<'_>, Elem<'_>)]) -> Result<()> {
        Ok(())
    }
    fn stream_meta(&mut self, meta: &StreamMeta) -> Result<()> {
        Ok(())
    }
    fn stream_group(&mut self, group: &StreamGroup) -> Result<()> {
        Ok(())
    }
    fn module_value(&mut self, value: &ModuleData<'_>) -> Result<()> {
        Ok(())
    }
    fn end_key(&mut self) -> Result<()> {
        Ok(())
    }
    /// The current key's value is damaged but the file can be read on (salvage). Return
    /// `Ok` to go on with the next record, or the error to stop.
    fn key_error(&mut self, err: Error) -> Result<()> {
        Err(err)
    }
    fn end(&mut self, checksum: ChecksumStatus) -> Result<()> {
        Ok(())
    }
}

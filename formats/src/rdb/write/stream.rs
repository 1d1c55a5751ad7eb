//! Stream values (`STREAM_LISTPACKS` 1 to 5, formats.md 2.7) as Redis writes them.
//!
//! The entries are packed into macro nodes exactly as `streamAppendItem` (`t_stream.c`,
//! the same from Redis 5.0 to 8.x) packs them when they are XADDed in order to an empty
//! stream: a node is closed when its listpack plus the new entry's field and value bytes
//! would reach `stream-node-max-bytes`, or when it holds `stream-node-max-entries`
//! entries. Each node is a master entry (`count`, `deleted`, the field names of its
//! first entry, `0`) followed by its entries (`flags`, ID deltas from the node's master
//! ID, values only when the field names equal the master's, else the field count and
//! pairs, then `lp-count`). Then come the stream fields, the consumer groups and (v4+)
//! the IDMP state, in the order of `rdbSaveObject` (`rdb.c`).

use std::collections::{HashMap, HashSet};
use std::io::Write;

use super::{Writer, write_error};
use crate::error::{Error, Result};
use crate::escape::quoted;
use crate::rdb::TypeId;
use crate::rdb::encodings::{Elem, EncError, listpack};
use crate::rdb::read::{PelEntry, StreamGroup, StreamId, StreamIdmp};
use crate::rdb::value::{StreamEntry, StreamValue};

/// `STREAM_ITEM_FLAG_SAMEFIELDS`: the entry has the master entry's field names, in order.
const FLAG_SAMEFIELDS: i64 = 2;
/// `STREAM_LISTPACK_MAX_SIZE`: the node byte limit when `stream-node-max-bytes` is 0 or
/// larger than this.
const LISTPACK_MAX_SIZE: usize = 1 << 30;
/// `stream-idmp-duration` and `stream-idmp-maxsize` defaults (Redis 8.6): what a stream
/// without IDMP state is written with in the v4+ layouts.
const IDMP_DEFAULT_DURATION_S: u64 = 100;
const IDMP_DEFAULT_MAX_ENTRIES: u64 = 100;
/// The ranges Redis accepts on load for the IDMP settings.
const IDMP_DURATION_RANGE: std::ops::RangeInclusive<u64> = 1..=86_400;
const IDMP_MAX_ENTRIES_RANGE: std::ops::RangeInclusive<u64> = 1..=10_000;

/// The layout level of a stream type (1 for `STREAM_LISTPACKS` to 5 for
/// `STREAM_LISTPACKS_5`) and the first Redis RDB version that has it.
fn layout(t: TypeId) -> Option<(u8, u32)> {
    match t {
        TypeId::StreamListpacks => Some((1, 9)),
        TypeId::StreamListpacks2 => Some((2, 10)),
        TypeId::StreamListpacks3 => Some((3, 11)),
        TypeId::StreamListpacks4 => Some((4, 13)),
        TypeId::StreamListpacks5 => Some((5, 14)),
        _ => None,
    }
}

impl<W: Write> Writer<W> {
    /// Writes a stream's value (after the type byte and key) in the layout of `t`
    /// (TypeId::StreamListpacks = v1/type 15, StreamListpacks2 = 19, StreamListpacks3 = 21,
    /// StreamListpacks4 = 26, StreamListpacks5 = 27).
    ///
    /// The nodes are those Redis builds with `stream-node-max-bytes = node_max_bytes` and
    /// `stream-node-max-entries = node_max_entries` (defaults 4096 and 100; 0 means no
    /// limit, and the byte limit is capped at 1 GiB as Redis caps it). The stream length
    /// and the other stream fields come from `s.meta`;
    /// those the layout lacks are left out. Group PELs and consumer PELs are written in
    /// ascending ID order, consumers in the order given; a consumer without an active
    /// time (layouts before v3) gets its seen time. A v4+ layout without IDMP state gets
    /// Redis's defaults (100 s, 100 entries, no producers).
    ///
    /// Refuses (with nothing written) values that Redis would reject on load or could
    /// not hold: entries out of ID order, duplicate group or consumer names, a pending
    /// entry listed twice, owned by two consumers, owned by none (except NACKed entries
    /// in the v5 layout), or missing from its group's PEL; NACKed entries before v5;
    /// IDMP settings out of Redis's ranges.
    pub fn stream_value(
        &mut self,
        s: &StreamValue,
        t: TypeId,
        node_max_bytes: usize,
        node_max_entries: usize,
    ) -> Result<()> {
        let Some((level, since)) = layout(t) else {
            return Err(write_error(
                &format!("type {} is not a stream type", t as u8),
                self.offset(),
            ));
        };
        self.need(since, &format!("stream type {}", t as u8))?;
        check(s, level).map_err(|m| write_error(&m, self.offset()))?;
        let at = self.offset();
        // The node count comes first, so a measuring pass finds the boundaries; each
        // node is then built again, its count known, and written before the next.
        let starts =
            node_starts(s, node_max_bytes, node_max_entries).map_err(|e| node_error(&e, at))?;

        self.length(starts.len() as u64)?;
        let total = s.ids.len();
        let ends = starts.iter().skip(1).copied().chain(std::iter::once(total));
        let mut entries = s.entries();
        for (start, end) in starts.iter().copied().zip(ends) {
            let count = end.saturating_sub(start);
            let mut node: Option<Node<'_>> = None;
            for (id, e) in entries.by_ref().take(count) {
                if node.is_none() {
                    let n = Node::new(id, e, Some(count)).map_err(|e| node_error(&e, at))?;
                    node = Some(n);
                }
                if let Some(n) = node.as_mut() {
                    n.append(id, e).map_err(|e| node_error(&e, at))?;
                }
            }
            if let Some(node) = node {
                self.string(&node.master.to_raw())?;
                self.string(&node.lp.finish())?;
            }
        }

        let m = &s.meta;
        // The stored length, as read: Redis reports it (XLEN) even where it disagrees
        // with the live entries (files from old Redis releases do).
        self.length(m.length)?;
        self.stream_id(m.last_id)?;
        if level >= 2 {
            self.stream_id(m.first_id)?;
            self.stream_id(m.max_deleted_id)?;
            self.length(m.entries_added)?;
        }
        self.length(s.groups.len() as u64)?;
        for g in &s.groups {
            self.stream_group(g, level)?;
        }
        if level >= 4 {
            match &m.idmp {
                Some(i) => self.stream_idmp(i)?,
                None => self.stream_idmp(&StreamIdmp {
                    duration_s: IDMP_DEFAULT_DURATION_S,
                    max_entries: IDMP_DEFAULT_MAX_ENTRIES,
                    ..StreamIdmp::default()
                })?,
            }
        }
        Ok(())
    }

    /// An ID as two lengths (ms, seq).
    fn stream_id(&mut self, id: StreamId) -> Result<()> {
        self.length(id.ms)?;
        self.length(id.seq)
    }

    /// One consumer group (`rdbSaveObject`, `rdbSaveStreamPEL`, `rdbSaveStreamConsumers`).
    fn stream_group(&mut self, g: &StreamGroup, level: u8) -> Result<()> {
        self.string(&g.name)?;
        self.stream_id(g.last_id)?;
        if level >= 2 {
            // Redis saves the `long long` -1 (unknown) through rdbSaveLen's uint64_t:
            // the 64-bit length 2^64 - 1.
            self.length(g.entries_read.unwrap_or(u64::MAX))?;
        }
        let mut pel: Vec<&PelEntry> = g.pel.iter().collect();
        pel.sort_unstable_by_key(|p| p.id);
        self.length(pel.len() as u64)?;
        for p in &pel {
            self.raw(&p.id.to_raw())?;
            self.raw(&p.delivery_time_ms.to_le_bytes())?;
            self.length(p.delivery_count)?;
        }
        self.length(g.consumers.len() as u64)?;
        let mut ids: Vec<StreamId> = Vec::new();
        for c in &g.consumers {
            self.string(&c.name)?;
            self.raw(&c.seen_time_ms.to_le_bytes())?;
            if level >= 3 {
                let active = c.active_time_ms.unwrap_or(c.seen_time_ms);
                self.raw(&active.to_le_bytes())?;
            }
            ids.clear();
            ids.extend_from_slice(&c.pel);
            ids.sort_unstable();
            self.length(ids.len() as u64)?;
            for id in &ids {
                self.raw(&id.to_raw())?;
            }
        }
        if level >= 5 {
            let nacked = pel.iter().filter(|p| p.nacked).count();
            self.length(nacked as u64)?;
            for p in pel.iter().filter(|p| p.nacked) {
                self.raw(&p.id.to_raw())?;
            }
        }
        Ok(())
    }

    /// The v4+ IDMP trailer.
    fn stream_idmp(&mut self, i: &StreamIdmp) -> Result<()> {
        self.length(i.duration_s)?;
        self.length(i.max_entries)?;
        self.length(i.producers.len() as u64)?;
        for (pid, iids) in &i.producers {
            self.string(pid)?;
            self.length(iids.len() as u64)?;
            for (iid, id) in iids {
                self.string(iid)?;
                self.stream_id(*id)?;
            }
        }
        self.length(i.iids_added)?;
        self.length(i.iids_duplicates)
    }
}

fn node_error(e: &EncError, at: u64) -> Error {
    write_error(&format!("stream node: {}", e.reason), at)
}

/// The checks promised by [`Writer::stream_value`]; the message says what is wrong.
fn check(s: &StreamValue, level: u8) -> std::result::Result<(), String> {
    let fields: usize = s.nfields.iter().map(|&n| n as usize).sum();
    if s.nfields.len() != s.ids.len() || Some(s.fv.len()) != fields.checked_mul(2) {
        return Err(format!(
            "stream value has {} IDs, {} field counts and {} field/value strings",
            s.ids.len(),
            s.nfields.len(),
            s.fv.len()
        ));
    }
    for pair in s.ids.windows(2) {
        if let [a, b] = pair
            && a >= b
        {
            return Err(format!("stream entry {b} follows {a}: IDs must ascend"));
        }
    }
    let mut names = HashSet::new();
    for g in &s.groups {
        let gname = quoted(&g.name);
        if !names.insert(&g.name[..]) {
            return Err(format!("duplicate consumer group {gname}"));
        }
        let mut pel: HashMap<StreamId, &PelEntry> = HashMap::new();
        for p in &g.pel {
            if pel.insert(p.id, p).is_some() {
                return Err(format!(
                    "pending entry {} listed twice in group {gname}",
                    p.id
                ));
            }
        }
        let mut consumers = HashSet::new();
        let mut owned = HashSet::new();
        for c in &g.consumers {
            let cname = quoted(&c.name);
            if !consumers.insert(&c.name[..]) {
                return Err(format!("duplicate consumer {cname} in group {gname}"));
            }
            for id in &c.pel {
                if !pel.contains_key(id) {
                    return Err(format!(
                        "consumer {cname} of group {gname} has pending entry {id}, \
                         which is not in the group's PEL"
                    ));
                }
                if !owned.insert(*id) {
                    return Err(format!(
                        "pending entry {id} of group {gname} is owned twice"
                    ));
                }
            }
        }
        for p in &g.pel {
            match (owned.contains(&p.id), p.nacked) {
                (true, true) => {
                    return Err(format!(
                        "NACKed entry {} of group {gname} is owned by a consumer",
                        p.id
                    ));
                }
                (false, true) if level < 5 => {
                    return Err(format!(
                        "NACKed entry {} of group {gname} needs the v5 stream layout \
                         (type 27)",
                        p.id
                    ));
                }
                (false, false) => {
                    return Err(format!(
                        "pending entry {} of group {gname} has no consumer",
                        p.id
                    ));
                }
                _ => {}
            }
        }
    }
    if level >= 4
        && let Some(i) = &s.meta.idmp
    {
        if !IDMP_DURATION_RANGE.contains(&i.duration_s) {
            return Err(format!(
                "IDMP duration {} s is outside 1..=86400",
                i.duration_s
            ));
        }
        if !IDMP_MAX_ENTRIES_RANGE.contains(&i.max_entries) {
            return Err(format!(
                "IDMP max entries {} is outside 1..=10000",
                i.max_entries
            ));
        }
    }
    Ok(())
}

/// Where `streamAppendItem` starts a new node when the entries of `s` are XADDed in
/// order to an empty stream: the index of each node's first entry.
fn node_starts(
    s: &StreamValue,
    max_bytes: usize,
    max_entries: usize,
) -> std::result::Result<Vec<usize>, EncError> {
    let max_bytes = if max_bytes == 0 || max_bytes > LISTPACK_MAX_SIZE {
        LISTPACK_MAX_SIZE
    } else {
        max_bytes
    };
    let mut starts = Vec::new();
    let mut node: Option<Node<'_>> = None;
    for (i, (id, e)) in s.entries().enumerate() {
        // `totelelen`: the raw bytes of the entry's fields and values.
        let elelen = e.pairs().fold(0usize, |n, (f, v)| {
            n.saturating_add(f.len()).saturating_add(v.len())
        });
        // The checks run before the new entry bumps the master entry's count.
        let full = node.as_ref().is_none_or(|n| {
            n.lp_bytes().saturating_add(elelen) >= max_bytes
                || (max_entries != 0 && n.count >= max_entries)
        });
        if full {
            starts.push(i);
            node = Some(Node::new(id, e, None)?);
        }
        if let Some(n) = node.as_mut() {
            n.append(id, e)?;
        }
    }
    Ok(starts)
}

/// One macro node being filled.
struct Node<'a> {
    /// The node key: the ID of its first entry.
    master: StreamId,
    /// The first entry, whose field names are the master fields.
    first: StreamEntry<'a>,
    /// Entries appended so far.
    count: usize,
    lp: listpack::write::Writer,
    /// Whether `lp` begins with the final `count` element. Without it the node only
    /// measures (the count is not known until the node is full).
    with_count: bool,
}

fn int(n: usize) -> Elem<'static> {
    Elem::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

/// Bytes of the listpack element holding integer `n` (encoding, payload and backlen).
fn int_elem_len(n: usize) -> usize {
    let mut w = listpack::write::Writer::new();
    match w.try_push(int(n)) {
        // an empty listpack is 7 bytes
        Ok(()) => w.byte_len().saturating_sub(7),
        Err(_) => 0,
    }
}

impl<'a> Node<'a> {
    /// A node whose master entry takes its field names from `first`; `count` is the
    /// final number of entries if known.
    fn new(
        master: StreamId,
        first: StreamEntry<'a>,
        count: Option<usize>,
    ) -> std::result::Result<Self, EncError> {
        let mut lp = listpack::write::Writer::new();
        if let Some(c) = count {
            lp.try_push(int(c))?;
        }
        lp.try_push(Elem::Int(0))?; // deleted
        lp.try_push(int(first.len()))?;
        for i in 0..first.len() {
            lp.try_push(Elem::Bytes(first.field(i)))?;
        }
        lp.try_push(Elem::Int(0))?; // master entry terminator
        Ok(Node {
            master,
            first,
            count: 0,
            lp,
            with_count: count.is_some(),
        })
    }

    /// `lpBytes` of the node as Redis holds it, its count element saying `self.count`.
    fn lp_bytes(&self) -> usize {
        if self.with_count {
            self.lp.byte_len()
        } else {
            self.lp.byte_len().saturating_add(int_elem_len(self.count))
        }
    }

    fn same_fields(&self, e: &StreamEntry<'_>) -> bool {
        e.len() == self.first.len() && (0..e.len()).all(|i| e.field(i) == self.first.field(i))
    }

    fn append(&mut self, id: StreamId, e: StreamEntry<'_>) -> std::result::Result<(), EncError> {
        let same = self.same_fields(&e);
        let n = e.len();
        let lp = &mut self.lp;
        lp.try_push(Elem::Int(if same { FLAG_SAMEFIELDS } else { 0 }))?;
        lp.try_push(Elem::Int(id.ms.wrapping_sub(self.master.ms) as i64))?;
        lp.try_push(Elem::Int(id.seq.wrapping_sub(self.master.seq) as i64))?;
        if !same {
            lp.try_push(int(n))?;
        }
        for (f, v) in e.pairs() {
            if !same {
                lp.try_push(Elem::Bytes(f))?;
            }
            lp.try_push(Elem::Bytes(v))?;
        }
        // lp-count: the entry's elements before it (flags, two deltas, values; plus the
        // field count and names when they are not the master's).
        let lp_count = if same { n + 3 } else { 2 * n + 4 };
        lp.try_push(int(lp_count))?;
        self.count += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rdb::encodings::listpack::read::Iter;
    use crate::rdb::read::{KeyInfo, ReaderBuilder, StreamConsumer, StreamMeta, Visitor};
    use crate::rdb::value::{Collector, Value};
    use crate::rdb::write::WriterOptions;
    use crate::rdb::{Flavor, Version};

    const TYPES: [TypeId; 5] = [
        TypeId::StreamListpacks,
        TypeId::StreamListpacks2,
        TypeId::StreamListpacks3,
        TypeId::StreamListpacks4,
        TypeId::StreamListpacks5,
    ];

    fn rdb_version(t: TypeId) -> u32 {
        layout(t).unwrap().1
    }

    fn id(ms: u64, seq: u64) -> StreamId {
        StreamId { ms, seq }
    }

    /// A whole RDB holding the stream `s` under key "s".
    fn write_file(
        s: &StreamValue,
        t: TypeId,
        max_bytes: usize,
        max_entries: usize,
        compress: bool,
    ) -> Vec<u8> {
        let mut w = Writer::new(
            Vec::new(),
            Version {
                flavor: Flavor::Redis,
                number: rdb_version(t),
            },
            WriterOptions {
                compress,
                ..WriterOptions::default()
            },
        )
        .unwrap();
        w.key(t, b"s").unwrap();
        // Tests build entries only: the stored length is their count.
        let mut s = s.clone();
        if s.meta.length == 0 {
            s.meta.length = s.ids.len() as u64;
        }
        w.stream_value(&s, t, max_bytes, max_entries).unwrap();
        w.finish().unwrap()
    }

    /// The value bytes of a file from [`write_file`]: after magic, type and key "s",
    /// before EOF and CRC.
    fn value_bytes(file: &[u8]) -> &[u8] {
        &file[12..file.len() - 9]
    }

    #[derive(Default)]
    struct Got {
        col: Collector,
        t: Option<TypeId>,
    }

    impl Visitor for Got {
        fn begin_key(&mut self, k: &KeyInfo<'_>) -> Result<()> {
            self.t = Some(k.type_id);
            self.col.begin_key(k);
            Ok(())
        }
        fn stream_entry(&mut self, id: StreamId, f: &[(Elem<'_>, Elem<'_>)]) -> Result<()> {
            self.col.stream_entry(id, f);
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
    }

    fn read_back(file: &[u8]) -> (StreamValue, TypeId) {
        let mut got = Got::default();
        ReaderBuilder::new()
            .allow_future_version(true)
            .build(file)
            .run(&mut got)
            .unwrap_or_else(|e| panic!("{e}"));
        match &got.col.record().value {
            Value::Stream(s) => ((**s).clone(), got.t.unwrap()),
            v => panic!("not a stream: {v:?}"),
        }
    }

    /// What reading `s` back from layout `level` gives: the fields the layout lacks
    /// become what the reader derives, the ones it adds get their defaults.
    fn expected(s: &StreamValue, level: u8) -> StreamValue {
        let mut e = s.clone();
        let m = &mut e.meta;
        m.length = s.ids.len() as u64;
        if level == 1 {
            m.stored_meta = false;
            m.first_id = s.ids.first().copied().unwrap_or_default();
            m.max_deleted_id = StreamId::default();
            m.entries_added = m.length;
        } else {
            m.stored_meta = true;
        }
        m.idmp = if level >= 4 {
            Some(m.idmp.clone().unwrap_or(StreamIdmp {
                duration_s: 100,
                max_entries: 100,
                ..StreamIdmp::default()
            }))
        } else {
            None
        };
        for g in &mut e.groups {
            if level == 1 {
                g.entries_read = None;
            }
            g.pel.sort_by_key(|p| p.id);
            for c in &mut g.consumers {
                c.active_time_ms =
                    (level >= 3).then_some(c.active_time_ms.unwrap_or(c.seen_time_ms));
                c.pel.sort();
            }
            let owners: HashMap<StreamId, usize> = g
                .consumers
                .iter()
                .enumerate()
                .flat_map(|(i, c)| c.pel.iter().map(move |&id| (id, i)))
                .collect();
            for p in &mut g.pel {
                p.consumer = owners.get(&p.id).copied();
            }
        }
        e
    }

    fn pel(id: StreamId, t: i64, n: u64, consumer: Option<usize>, nacked: bool) -> PelEntry {
        PelEntry {
            id,
            delivery_time_ms: t,
            delivery_count: n,
            consumer,
            nacked,
        }
    }

    /// `n` entries with IDs that jump in ms and go down in seq, mostly the same two
    /// fields, some with other fields (count, order, integer names), every 37th with a
    /// 5000-byte value; two groups with consumers and pending entries.
    fn sample(n: usize, level: u8) -> StreamValue {
        let mut s = StreamValue::default();
        for i in 0..n {
            // pairs share an ms (seq 7 then 9: the next pair's master-relative seq
            // delta is negative); every 50 entries the ms jumps by more than 2^23
            let ms = 1_700_000_000_000 + i as u64 / 2 + (i as u64 / 50) * 10_000_000;
            let sid = id(ms, if i % 2 == 0 { 7 } else { 9 });
            let name = format!("user{i}");
            let num = (i as i64 * 7919 - 100_000).to_string();
            let big = "v".repeat(5000);
            let pairs: Vec<(&[u8], &[u8])> = match i % 37 {
                36 => vec![(b"name", big.as_bytes()), (b"n", num.as_bytes())],
                _ if i % 5 == 4 => vec![(b"name", name.as_bytes()), (b"other", b"x")],
                _ if i % 7 == 6 => vec![(b"n", num.as_bytes()), (b"name", name.as_bytes())],
                _ if i % 11 == 10 => vec![(b"1", b"-1"), (b"2", b"")],
                _ if i % 13 == 12 => vec![(b"only", b"one")],
                _ => vec![(b"name", name.as_bytes()), (b"n", num.as_bytes())],
            };
            s.push_entry(sid, pairs);
        }
        let ids = s.ids.clone();
        let at = |i: usize| ids[i];
        let mut g1 = StreamGroup {
            name: b"g1".to_vec(),
            last_id: at(9),
            entries_read: Some(10),
            pel: vec![
                pel(at(0), 1_700_000_000_123, 1, None, false),
                pel(at(3), 1_700_000_000_456, 3, None, false),
                pel(at(1), -5, 0, None, false),
                pel(at(7), 1_700_000_000_999, 70_000, None, false),
            ],
            consumers: vec![
                StreamConsumer {
                    name: b"zed".to_vec(),
                    seen_time_ms: 1_700_000_001_000,
                    active_time_ms: Some(1_700_000_000_999),
                    pel: vec![at(3), at(0)],
                },
                StreamConsumer {
                    name: b"alice".to_vec(),
                    seen_time_ms: 1_700_000_002_000,
                    active_time_ms: None,
                    pel: vec![at(1), at(7)],
                },
                StreamConsumer {
                    name: b"idle".to_vec(),
                    seen_time_ms: 0,
                    active_time_ms: Some(-1),
                    pel: vec![],
                },
            ],
        };
        if level >= 5 {
            g1.pel.push(pel(at(5), 0, 2, None, true));
            g1.pel.push(pel(at(2), 0, 1, None, true));
        }
        let g2 = StreamGroup {
            name: b"g2 \xff".to_vec(),
            last_id: id(0, 0),
            entries_read: None,
            pel: vec![],
            consumers: vec![],
        };
        s.groups = vec![g1, g2];
        s.meta = StreamMeta {
            length: n as u64,
            last_id: s.ids.last().copied().unwrap_or_default(),
            first_id: s.ids.first().copied().unwrap_or_default(),
            max_deleted_id: id(3, 4),
            entries_added: n as u64 + 17,
            stored_meta: true,
            idmp: (level >= 4).then(|| StreamIdmp {
                duration_s: 300,
                max_entries: 1000,
                producers: vec![
                    (
                        b"p1".to_vec(),
                        vec![(b"i1".to_vec(), at(0)), (b"i0".to_vec(), at(2))],
                    ),
                    (b"p0".to_vec(), vec![]),
                ],
                iids_added: 2,
                iids_duplicates: 5,
            }),
        };
        s
    }

    /// The nodes of a value written without compression: (node key, listpack).
    fn nodes(value: &[u8]) -> Vec<(StreamId, Vec<u8>)> {
        fn len(b: &[u8], at: &mut usize) -> usize {
            let first = b[*at];
            match first >> 6 {
                0 => {
                    *at += 1;
                    usize::from(first & 0x3F)
                }
                1 => {
                    let n = (usize::from(first & 0x3F) << 8) | usize::from(b[*at + 1]);
                    *at += 2;
                    n
                }
                _ => {
                    assert_eq!(first, 0x80, "32-bit length expected");
                    let n = u32::from_be_bytes(b[*at + 1..*at + 5].try_into().unwrap());
                    *at += 5;
                    n as usize
                }
            }
        }
        let mut at = 0;
        let n = len(value, &mut at);
        let mut out = Vec::new();
        for _ in 0..n {
            assert_eq!(len(value, &mut at), 16);
            let key = StreamId::from_raw(value[at..at + 16].try_into().unwrap());
            at += 16;
            let l = len(value, &mut at);
            out.push((key, value[at..at + l].to_vec()));
            at += l;
        }
        out
    }

    fn int_of(it: &mut Iter<'_>) -> i64 {
        it.next().unwrap().unwrap().as_int().unwrap()
    }

    /// For each entry of a node listpack: the byte offset where it starts. Also checks
    /// the master entry and every entry's layout.
    fn entry_offsets(lp: &[u8], master_fields: usize) -> Vec<usize> {
        let mut it = Iter::new(lp);
        let count = int_of(&mut it) as usize;
        assert_eq!(int_of(&mut it), 0, "deleted");
        assert_eq!(int_of(&mut it) as usize, master_fields);
        for _ in 0..master_fields {
            it.next().unwrap().unwrap();
        }
        assert_eq!(int_of(&mut it), 0, "master terminator");
        let mut out = Vec::new();
        for _ in 0..count {
            out.push(it.offset());
            let flags = int_of(&mut it);
            int_of(&mut it);
            int_of(&mut it);
            let n = if flags == FLAG_SAMEFIELDS {
                master_fields
            } else {
                assert_eq!(flags, 0);
                2 * int_of(&mut it) as usize
            };
            for _ in 0..n {
                it.next().unwrap().unwrap();
            }
            int_of(&mut it);
        }
        assert!(it.next().is_none());
        out
    }

    /// Checks the node boundaries against `streamAppendItem`'s rule: before each entry
    /// inside a node the node was not full, before each node's first entry (but the
    /// stream's first) the previous node was. Counts must stay below 128 for the
    /// "not full" half (the count element is then one size throughout).
    fn assert_boundaries(s: &StreamValue, value: &[u8], max_bytes: usize, max_entries: usize) {
        let nodes = nodes(value);
        let elelen: Vec<usize> = s
            .entries()
            .map(|(_, e)| e.pairs().map(|(f, v)| f.len() + v.len()).sum())
            .collect();
        let mut next = 0;
        for (k, (key, lp)) in nodes.iter().enumerate() {
            assert_eq!(*key, s.ids[next], "node {k} key");
            let master_fields = s.entries().nth(next).unwrap().1.len();
            let offsets = entry_offsets(lp, master_fields);
            for (j, &off) in offsets.iter().enumerate().skip(1) {
                let before = off + 1; // the listpack as it was, with its terminator
                assert!(
                    before + elelen[next + j] < max_bytes && (max_entries == 0 || j < max_entries),
                    "node {k} was full before its entry {j}"
                );
            }
            next += offsets.len();
            if let Some(&l) = elelen.get(next) {
                assert!(
                    lp.len() + l >= max_bytes || (max_entries != 0 && offsets.len() >= max_entries),
                    "node {k} ({} bytes, {} entries) was closed early",
                    lp.len(),
                    offsets.len()
                );
            }
        }
        assert_eq!(next, s.ids.len());
    }

    #[test]
    fn every_layout_reads_back_equal() {
        for t in TYPES {
            let level = layout(t).unwrap().0;
            for compress in [true, false] {
                let s = sample(260, level);
                let file = write_file(&s, t, 4096, 100, compress);
                let (got, got_t) = read_back(&file);
                assert_eq!(got_t, t);
                assert_eq!(got, expected(&s, level), "type {}", t as u8);
                if !compress {
                    assert_boundaries(&s, value_bytes(&file), 4096, 100);
                }
            }
        }
    }

    #[test]
    fn node_limits_small_and_unlimited() {
        for (max_bytes, max_entries) in [(300, 7), (1, 1), (0, 50), (10_000, 127), (200, 0)] {
            let s = sample(150, 2);
            let file = write_file(&s, TypeId::StreamListpacks2, max_bytes, max_entries, false);
            assert_eq!(read_back(&file).0, expected(&s, 2));
            let max_bytes = if max_bytes == 0 {
                LISTPACK_MAX_SIZE
            } else {
                max_bytes
            };
            assert_boundaries(&s, value_bytes(&file), max_bytes, max_entries);
        }
    }

    #[test]
    fn entry_limit_makes_nodes_of_100() {
        let mut s = StreamValue::default();
        for i in 0..250u64 {
            s.push_entry(id(i + 1, 0), [(&b"f"[..], &b"v"[..])]);
        }
        let file = write_file(&s, TypeId::StreamListpacks3, 4096, 100, false);
        let counts: Vec<usize> = nodes(value_bytes(&file))
            .iter()
            .map(|(_, lp)| entry_offsets(lp, 1).len())
            .collect();
        assert_eq!(counts, [100, 100, 50]);
    }

    #[test]
    fn count_past_127_changes_the_count_element_size() {
        // No entry limit and a byte limit that a 300-entry node reaches: the node grows
        // past 127 entries, so its count element takes 3 bytes instead of 2, and the
        // byte check must see that.
        let mut s = StreamValue::default();
        for i in 0..300u64 {
            s.push_entry(id(1, i), [(&b"f"[..], &b"v"[..])]);
        }
        let one = write_file(&s, TypeId::StreamListpacks2, 0, 0, false);
        let lps = nodes(value_bytes(&one));
        assert_eq!(lps.len(), 1);
        assert_eq!(read_back(&one).0, expected(&s, 2));
        // The check before the last entry sees the node as it was (its count element
        // already 3 bytes wide, as count is 299) plus the entry's 2 bytes of field and
        // value: it stays only while that sum is below the limit.
        let before = entry_offsets(&lps[0].1, 1)[299] + 1;
        for (limit, want) in [(before + 3, 1), (before + 2, 2)] {
            let file = write_file(&s, TypeId::StreamListpacks2, limit, 0, false);
            let n = nodes(value_bytes(&file));
            assert_eq!(n.len(), want, "limit {limit}");
            assert_eq!(entry_offsets(&n[0].1, 1).len(), 300 + 1 - want);
            assert_boundaries(&s, value_bytes(&file), limit, 0);
        }
    }

    #[test]
    fn large_entries_get_nodes_of_their_own() {
        let mut s = StreamValue::default();
        let big = vec![b'x'; 5000];
        for i in 0..4u64 {
            s.push_entry(id(i + 1, 0), [(&b"f"[..], &big[..])]);
        }
        s.push_entry(id(9, 0), [(&b"f"[..], &b"small"[..])]);
        s.push_entry(id(9, 1), [(&b"f"[..], &b"small"[..])]);
        let file = write_file(&s, TypeId::StreamListpacks2, 4096, 100, false);
        let counts: Vec<usize> = nodes(value_bytes(&file))
            .iter()
            .map(|(_, lp)| entry_offsets(lp, 1).len())
            .collect();
        // the small entry after a big one cannot join its >4096-byte node
        assert_eq!(counts, [1, 1, 1, 1, 2]);
    }

    #[test]
    fn tiny_stream_bytes() {
        // formats.md 2.7's example node: master [count, 0, 1, "message", 0], entries
        // [2, 0, seq delta, value, 4] (SAMEFIELDS).
        let mut s = StreamValue::default();
        s.push_entry(id(5, 0), [(&b"message"[..], &b"Message1"[..])]);
        s.push_entry(id(5, 1), [(&b"message"[..], &b"Message2"[..])]);
        s.meta = StreamMeta {
            length: 2,
            last_id: id(5, 1),
            first_id: id(5, 0),
            max_deleted_id: id(0, 0),
            entries_added: 2,
            stored_meta: true,
            idmp: None,
        };
        s.groups = vec![StreamGroup {
            name: b"g".to_vec(),
            last_id: id(5, 0),
            entries_read: None,
            pel: vec![pel(id(5, 0), 1234, 1, Some(0), false)],
            consumers: vec![StreamConsumer {
                name: b"c".to_vec(),
                seen_time_ms: 1234,
                active_time_ms: None,
                pel: vec![id(5, 0)],
            }],
        }];
        let raw = |ms: u8, seq: u8| {
            let mut r = vec![0u8; 16];
            r[7] = ms;
            r[15] = seq;
            r
        };
        let mut lp: Vec<u8> = vec![60, 0, 0, 0, 15, 0]; // 60 bytes, 15 elements
        lp.extend([0x02, 0x01]); // count 2
        lp.extend([0x00, 0x01]); // deleted 0
        lp.extend([0x01, 0x01]); // 1 master field
        lp.extend([0x87]);
        lp.extend(b"message");
        lp.extend([0x08]);
        lp.extend([0x00, 0x01]); // master terminator
        for seq in [0u8, 1] {
            lp.extend([0x02, 0x01]); // SAMEFIELDS
            lp.extend([0x00, 0x01]); // ms delta
            lp.extend([seq, 0x01]); // seq delta
            lp.extend([0x88]);
            lp.extend(b"Message");
            lp.extend([b'1' + seq, 0x09]);
            lp.extend([0x04, 0x01]); // lp-count
        }
        lp.push(0xFF);
        assert_eq!(lp.len(), 60);
        let mut want: Vec<u8> = vec![0x01, 0x10]; // 1 node; 16-byte key
        want.extend(raw(5, 0));
        want.push(60);
        want.extend(&lp);
        want.extend([0x02, 0x05, 0x01]); // length, last id
        want.extend([0x05, 0x00, 0x00, 0x00, 0x02]); // first id, max deleted, added
        want.extend([0x01, 0x01, b'g', 0x05, 0x00]); // 1 group "g", last id 5-0
        want.push(0x81); // entries_read -1: the 64-bit length 2^64-1
        want.extend([0xFF; 8]);
        want.push(0x01); // PEL: 5-0, delivered at 1234, once
        want.extend(raw(5, 0));
        want.extend(1234i64.to_le_bytes());
        want.push(0x01);
        want.extend([0x01, 0x01, b'c']); // 1 consumer "c"
        want.extend(1234i64.to_le_bytes());
        want.push(0x01);
        want.extend(raw(5, 0));

        let file = write_file(&s, TypeId::StreamListpacks2, 4096, 100, false);
        assert_eq!(value_bytes(&file), &want[..]);
        assert_eq!(read_back(&file).0, expected(&s, 2));

        // v3 adds the active time (the seen time here), v4 the default IDMP trailer,
        // v5 an empty NACK zone; v1 has none of the v2 fields.
        let v3 = write_file(&s, TypeId::StreamListpacks3, 4096, 100, false);
        let mut want3 = want.clone();
        want3.splice(want.len() - 17..want.len() - 17, 1234i64.to_le_bytes());
        assert_eq!(value_bytes(&v3), &want3[..]);
        let v4 = write_file(&s, TypeId::StreamListpacks4, 4096, 100, false);
        let mut want4 = want3.clone();
        want4.extend([0x40, 100, 0x40, 100, 0, 0, 0]); // 100 s, 100 entries, no producers, 0, 0
        assert_eq!(value_bytes(&v4), &want4[..]);
        let v5 = write_file(&s, TypeId::StreamListpacks5, 4096, 100, false);
        let mut want5 = want3.clone();
        want5.push(0); // no NACKed entries
        want5.extend([0x40, 100, 0x40, 100, 0, 0, 0]);
        assert_eq!(value_bytes(&v5), &want5[..]);
        let v1 = write_file(&s, TypeId::StreamListpacks, 4096, 100, false);
        let mut want1 = want.clone();
        let groups_at = 2 + 16 + 1 + 60 + 3;
        want1.drain(groups_at..groups_at + 5); // first id, max deleted, added
        let er = groups_at + 5; // after group count, name, last id
        want1.drain(er..er + 9); // entries_read
        assert_eq!(value_bytes(&v1), &want1[..]);
    }

    #[test]
    fn empty_stream_has_no_nodes() {
        let mut s = StreamValue::default();
        s.meta.last_id = id(7, 7);
        s.meta.entries_added = 3;
        s.meta.max_deleted_id = id(7, 7);
        s.meta.stored_meta = true;
        for t in TYPES {
            let level = layout(t).unwrap().0;
            let file = write_file(&s, t, 4096, 100, true);
            assert_eq!(value_bytes(&file)[0], 0, "no nodes");
            let mut want = expected(&s, level);
            if level == 1 {
                want.meta.first_id = StreamId::default();
            }
            assert_eq!(read_back(&file).0, want);
        }
    }

    #[test]
    fn refuses_what_redis_would_reject() {
        let base = sample(20, 5);
        let cases: Vec<(StreamValue, TypeId, &str)> = vec![
            (base.clone(), TypeId::Hash, "not a stream type"),
            (base.clone(), TypeId::StreamListpacks4, "needs the v5"),
            (
                {
                    let mut s = base.clone();
                    s.ids.swap(3, 4);
                    s
                },
                TypeId::StreamListpacks5,
                "IDs must ascend",
            ),
            (
                {
                    let mut s = base.clone();
                    s.groups[0].consumers[0].pel.push(id(1, 1));
                    s
                },
                TypeId::StreamListpacks5,
                "not in the group's PEL",
            ),
            (
                {
                    let mut s = base.clone();
                    let p = s.groups[0].consumers[0].pel[0];
                    s.groups[0].consumers[1].pel.push(p);
                    s
                },
                TypeId::StreamListpacks5,
                "owned twice",
            ),
            (
                {
                    let mut s = base.clone();
                    s.groups[0].consumers[0].pel.clear();
                    s
                },
                TypeId::StreamListpacks5,
                "has no consumer",
            ),
            (
                {
                    let mut s = base.clone();
                    s.groups[1].name = b"g1".to_vec();
                    s
                },
                TypeId::StreamListpacks5,
                "duplicate consumer group",
            ),
            (
                {
                    let mut s = base.clone();
                    s.meta.idmp.as_mut().unwrap().duration_s = 0;
                    s
                },
                TypeId::StreamListpacks5,
                "IDMP duration",
            ),
            (
                {
                    let mut s = base.clone();
                    s.nfields.push(1);
                    s
                },
                TypeId::StreamListpacks5,
                "field counts",
            ),
        ];
        for (s, t, want) in cases {
            let mut w = Writer::new(
                Vec::new(),
                Version {
                    flavor: Flavor::Redis,
                    number: 14,
                },
                WriterOptions::default(),
            )
            .unwrap();
            let before = w.offset();
            let e = w.stream_value(&s, t, 4096, 100).unwrap_err();
            assert!(e.to_string().contains(want), "{want}: {e}");
            assert_eq!(w.offset(), before, "{want}: nothing written");
        }
        // a layout newer than the file
        let mut w = Writer::new(
            Vec::new(),
            Version {
                flavor: Flavor::Redis,
                number: 10,
            },
            WriterOptions::default(),
        )
        .unwrap();
        let e = w
            .stream_value(&sample(20, 3), TypeId::StreamListpacks3, 4096, 100)
            .unwrap_err();
        assert!(e.to_string().contains("RDB 10 cannot hold"), "{e}");
    }
}

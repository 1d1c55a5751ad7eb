//! Stream values (`STREAM_LISTPACKS` 1 to 5): listpack nodes of entries, then the
//! stream metadata, then consumer groups with their PELs and consumers.

use std::collections::{HashMap, HashSet};
use std::io::Read;

use super::value::{Step, content, elem_bytes};
use super::{
    PelEntry, Reader, StreamConsumer, StreamGroup, StreamId, StreamIdmp, StreamMeta, Visitor,
    read_string_loc,
};
use crate::error::Result;
use crate::escape::quoted;
use crate::rdb::TypeId;
use crate::rdb::encodings::{Elem, EncError, listpack};

const FLAG_DELETED: i64 = 1;
const FLAG_SAMEFIELDS: i64 = 2;

impl<R: Read> Reader<R> {
    pub(super) fn read_stream<V: Visitor + ?Sized>(&mut self, t: TypeId, v: &mut V) -> Result<()> {
        let level = match t {
            TypeId::StreamListpacks => 1,
            TypeId::StreamListpacks2 => 2,
            TypeId::StreamListpacks3 => 3,
            TypeId::StreamListpacks4 => 4,
            _ => 5,
        };
        let nodes_at = self.src.offset();
        let nodes = self.read_count()?;
        let mut first_live: Option<StreamId> = None;
        let mut node_keys: HashSet<[u8; 16]> = HashSet::new();
        for _ in 0..nodes {
            let key_at = self.src.offset();
            let mut raw = [0u8; 16];
            {
                let k = super::read_string(&mut self.src, &mut self.scratch, self.version)?;
                match <[u8; 16]>::try_from(k) {
                    Ok(r) => raw = r,
                    Err(_) => {
                        if self.damaged.is_none() {
                            let msg = format!("stream node key is {} bytes, not 16", k.len());
                            let e = self.invalid_at(key_at, msg);
                            self.damage(e);
                        }
                    }
                }
            }
            if self.opts.deep && !node_keys.insert(raw) && self.damaged.is_none() {
                let e = self.invalid_at(key_at, "duplicate stream node key");
                self.damage(e);
            }
            let master = StreamId::from_raw(raw);
            let at = self.src.offset();
            let (data_at, step) = {
                let (data_at, blob) =
                    read_string_loc(&mut self.src, &mut self.scratch, self.version)?;
                (data_at, walk_node(blob, master, v, &mut first_live))
            };
            self.settle(step, at, data_at)?;
        }
        let length = self.read_count()?;
        if nodes == 0 && length > 0 && self.damaged.is_none() {
            let e = self.invalid_at(nodes_at, format!("stream length {length} but no nodes"));
            self.damage(e);
        }
        let last_id = self.read_id()?;
        let mut meta = StreamMeta {
            length,
            last_id,
            ..StreamMeta::default()
        };
        if level >= 2 {
            meta.first_id = self.read_id()?;
            meta.max_deleted_id = self.read_id()?;
            meta.entries_added = self.read_count()?;
            meta.stored_meta = true;
        } else {
            meta.first_id = first_live.unwrap_or_default();
            meta.entries_added = length;
        }
        let ngroups = self.read_count()?;
        let mut groups = Vec::new();
        let mut group_names = HashSet::new();
        for _ in 0..ngroups {
            let g = self.read_group(level)?;
            if !group_names.insert(g.name.clone()) && self.damaged.is_none() {
                let msg = format!("duplicate consumer group {}", quoted(&g.name));
                let e = self.invalid_at(nodes_at, msg);
                self.damage(e);
            }
            groups.push(g);
        }
        if level >= 4 {
            meta.idmp = Some(self.read_idmp()?);
        }
        v.stream_meta(&meta)?;
        for g in &groups {
            v.stream_group(g)?;
        }
        Ok(())
    }

    fn read_id(&mut self) -> Result<StreamId> {
        let ms = self.read_count()?;
        let seq = self.read_count()?;
        Ok(StreamId { ms, seq })
    }

    fn read_raw_id(&mut self) -> Result<StreamId> {
        Ok(StreamId::from_raw(self.src.array()?))
    }

    fn read_group(&mut self, level: u8) -> Result<StreamGroup> {
        let at = self.src.offset();
        let mut name = Vec::new();
        self.read_string_into(&mut name)?;
        let last_id = self.read_id()?;
        let entries_read = if level >= 2 {
            // -1 (unknown) is stored as the 64-bit length 2^64-1.
            Some(self.read_count()?).filter(|&n| n != u64::MAX)
        } else {
            None
        };
        let npel = self.read_count()?;
        let mut pel: Vec<PelEntry> = Vec::new();
        let mut index: HashMap<StreamId, usize> = HashMap::new();
        for _ in 0..npel {
            let id_at = self.src.offset();
            let id = self.read_raw_id()?;
            let delivery_time_ms = i64::from_le_bytes(self.src.array()?);
            let delivery_count = self.read_count()?;
            if index.insert(id, pel.len()).is_some() {
                if self.damaged.is_none() {
                    let e = self.invalid_at(
                        id_at,
                        format!("duplicate PEL entry {id} in group {}", quoted(&name)),
                    );
                    self.damage(e);
                }
                continue;
            }
            pel.push(PelEntry {
                id,
                delivery_time_ms,
                delivery_count,
                consumer: None,
                nacked: false,
            });
        }
        let nconsumers = self.read_count()?;
        let mut consumers: Vec<StreamConsumer> = Vec::new();
        let mut consumer_names = HashSet::new();
        for _ in 0..nconsumers {
            let c_at = self.src.offset();
            let mut cname = Vec::new();
            self.read_string_into(&mut cname)?;
            let seen_time_ms = i64::from_le_bytes(self.src.array()?);
            let active_time_ms = if level >= 3 {
                Some(i64::from_le_bytes(self.src.array()?))
            } else {
                None
            };
            let n = self.read_count()?;
            let ci = consumers.len();
            let mut ids = Vec::new();
            for _ in 0..n {
                let id_at = self.src.offset();
                let id = self.read_raw_id()?;
                match index.get(&id).and_then(|&i| pel.get_mut(i)) {
                    Some(p) if p.consumer.is_none() => p.consumer = Some(ci),
                    Some(_) => {
                        if self.damaged.is_none() {
                            let e = self.invalid_at(
                                id_at,
                                format!("PEL entry {id} owned by two consumers"),
                            );
                            self.damage(e);
                        }
                    }
                    None => {
                        if self.damaged.is_none() {
                            let msg = format!(
                                "consumer {} has PEL entry {id} that is not in the group PEL",
                                quoted(&cname)
                            );
                            let e = self.invalid_at(id_at, msg);
                            self.damage(e);
                        }
                    }
                }
                ids.push(id);
            }
            if !consumer_names.insert(cname.clone()) && self.damaged.is_none() {
                let msg = format!(
                    "duplicate consumer {} in group {}",
                    quoted(&cname),
                    quoted(&name)
                );
                let e = self.invalid_at(c_at, msg);
                self.damage(e);
            }
            consumers.push(StreamConsumer {
                name: cname,
                seen_time_ms,
                active_time_ms,
                pel: ids,
            });
        }
        if level >= 5 {
            let n = self.read_count()?;
            for _ in 0..n {
                let id_at = self.src.offset();
                let id = self.read_raw_id()?;
                match index.get(&id).and_then(|&i| pel.get_mut(i)) {
                    Some(p) if p.consumer.is_none() => p.nacked = true,
                    _ => {
                        if self.damaged.is_none() {
                            let e = self.invalid_at(
                                id_at,
                                format!("NACK entry {id} is not an unowned PEL entry"),
                            );
                            self.damage(e);
                        }
                    }
                }
            }
        }
        if let Some(p) = pel
            .iter()
            .find(|p| self.opts.deep && p.consumer.is_none() && !p.nacked)
            && self.damaged.is_none()
        {
            let msg = format!(
                "PEL entry {} of group {} has no consumer",
                p.id,
                quoted(&name)
            );
            let e = self.invalid_at(at, msg);
            self.damage(e);
        }
        Ok(StreamGroup {
            name,
            last_id,
            entries_read,
            pel,
            consumers,
        })
    }

    fn read_idmp(&mut self) -> Result<StreamIdmp> {
        let duration_s = self.read_count()?;
        let max_entries = self.read_count()?;
        let nproducers = self.read_count()?;
        let mut producers = Vec::new();
        for _ in 0..nproducers {
            let mut pid = Vec::new();
            self.read_string_into(&mut pid)?;
            let n = self.read_count()?;
            let mut iids = Vec::new();
            for _ in 0..n {
                let mut iid = Vec::new();
                self.read_string_into(&mut iid)?;
                let id = self.read_id()?;
                iids.push((iid, id));
            }
            producers.push((pid, iids));
        }
        let iids_added = self.read_count()?;
        let iids_duplicates = self.read_count()?;
        Ok(StreamIdmp {
            duration_s,
            max_entries,
            producers,
            iids_added,
            iids_duplicates,
        })
    }
}

fn next_int(it: &mut listpack::read::Iter<'_>, what: &str) -> Result<i64, Step> {
    let at = it.offset();
    match it.next() {
        Some(Ok(Elem::Int(i))) => Ok(i),
        Some(Ok(Elem::Bytes(b))) => match crate::rdb::encodings::parse_canonical_i64(b) {
            Some(i) => Ok(i),
            None => Err(content(
                at,
                format!("stream node: {what} is not an integer"),
            )),
        },
        Some(Err(e)) => Err(e.into()),
        None => Err(content(at, format!("stream node ends before {what}"))),
    }
}

fn next_elem<'a>(it: &mut listpack::read::Iter<'a>) -> Result<Elem<'a>, Step> {
    let at = it.offset();
    match it.next() {
        Some(r) => Ok(r?),
        None => Err(content(at, "stream node ends inside an entry")),
    }
}

/// Walks one node listpack: the master entry, then every entry.
fn walk_node<V: Visitor + ?Sized>(
    blob: &[u8],
    master: StreamId,
    v: &mut V,
    first_live: &mut Option<StreamId>,
) -> Result<(), Step> {
    let mut it = listpack::read::Iter::new(blob);
    if blob.len() <= 7 {
        return Err(Step::from(EncError::new(
            0,
            "empty listpack in a stream node",
        )));
    }
    let count = next_int(&mut it, "entry count")?;
    let deleted = next_int(&mut it, "deleted count")?;
    let nfields = next_int(&mut it, "master field count")?;
    if count < 0 || deleted < 0 || nfields < 0 {
        return Err(content(0, "stream node: negative count"));
    }
    let mut master_fields: Vec<Elem<'_>> = Vec::new();
    for _ in 0..nfields {
        master_fields.push(next_elem(&mut it)?);
    }
    let term_at = it.offset();
    if next_int(&mut it, "master terminator")? != 0 {
        return Err(content(
            term_at,
            "stream node: master entry terminator is not 0",
        ));
    }
    let mut pairs: Vec<(Elem<'_>, Elem<'_>)> = Vec::new();
    let total = count.saturating_add(deleted);
    let mut live = 0i64;
    for _ in 0..total {
        let at = it.offset();
        let flags = next_int(&mut it, "entry flags")?;
        let ms_delta = next_int(&mut it, "entry ms delta")?;
        let seq_delta = next_int(&mut it, "entry seq delta")?;
        pairs.clear();
        let expect_lp_count = if flags & FLAG_SAMEFIELDS != 0 {
            for f in &master_fields {
                pairs.push((*f, next_elem(&mut it)?));
            }
            nfields + 3
        } else {
            let n = next_int(&mut it, "entry field count")?;
            if n < 0 {
                return Err(content(at, "stream entry: negative field count"));
            }
            for _ in 0..n {
                let f = next_elem(&mut it)?;
                let val = next_elem(&mut it)?;
                pairs.push((f, val));
            }
            n.saturating_mul(2).saturating_add(4)
        };
        let lp_count = next_int(&mut it, "entry lp-count")?;
        if lp_count != expect_lp_count {
            return Err(content(
                at,
                format!("stream entry lp-count {lp_count}, expected {expect_lp_count}"),
            ));
        }
        let id = StreamId {
            ms: master.ms.wrapping_add(ms_delta as u64),
            seq: master.seq.wrapping_add(seq_delta as u64),
        };
        if flags & FLAG_DELETED == 0 {
            live += 1;
            first_live.get_or_insert(id);
            v.stream_entry(id, &pairs)?;
        }
    }
    if live != count {
        return Err(content(
            0,
            format!("stream node: header says {count} live entries, found {live}"),
        ));
    }
    match it.next() {
        None => Ok(()),
        Some(Err(e)) => Err(e.into()),
        Some(Ok(e)) => {
            let mut b = itoa::Buffer::new();
            Err(content(
                it.offset(),
                format!(
                    "stream node: trailing element {}",
                    quoted(elem_bytes(&e, &mut b))
                ),
            ))
        }
    }
}

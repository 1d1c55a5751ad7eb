//! An RDB as the commands that rebuild it: [`Emitter`] is a [`Visitor`] that turns each
//! record into commands for a [`Sink`], in the forms Redis's own AOF rewrite uses:
//! `SELECT`, `FUNCTION LOAD`, `SET`, `RPUSH`/`SADD`/`ZADD`/`HSET` in batches,
//! `HPEXPIREAT` for field TTLs, `XADD`/`XSETID`/`XGROUP`/`XCLAIM` for streams, `RESTORE`
//! for module values, `PEXPIREAT` for key TTLs. Used by `rdbtool dump --format resp` and
//! to expand RDB parts of AOFs.

use super::encodings::Elem;
use super::read::{KeyInfo, ModuleData, StreamGroup, StreamId, StreamMeta, Visitor};
use super::{DataType, TypeId, Version};
use crate::error::{Error, Result};

/// Elements per RPUSH/SADD/ZADD/HSET command.
pub const BATCH: usize = 128;
/// Argument bytes per batched command before it is sent anyway.
const BATCH_BYTES: usize = 1 << 20;

/// Where an emitted command comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin {
    /// The database the command applies to.
    pub db: u64,
    /// File offset of the record it comes from (the key, or the function library).
    pub offset: u64,
}

/// Receives commands.
pub trait Sink {
    fn command(&mut self, origin: Origin, args: &[&[u8]]) -> Result<()>;
    /// The commands sent for the current key must be forgotten (the key is damaged).
    fn discard_key(&mut self) {}
}

/// Turns RDB records into commands.
pub struct Emitter<S> {
    sink: S,
    version: u32,
    /// The db the last SELECT was sent for.
    selected: Option<u64>,
    db: u64,
    offset: u64,
    key: Vec<u8>,
    data_type: DataType,
    expire_ms: Option<i64>,
    /// Pending batch: flat argument bytes and their lengths.
    args: Vec<u8>,
    lens: Vec<usize>,
    items: usize,
    field_ttls: Vec<(Vec<u8>, i64)>,
    stream_entries: u64,
}

impl<S: Sink> Emitter<S> {
    pub fn new(sink: S) -> Self {
        Emitter {
            sink,
            version: 0,
            selected: None,
            db: 0,
            offset: 0,
            key: Vec::new(),
            data_type: DataType::String,
            expire_ms: None,
            args: Vec::new(),
            lens: Vec::new(),
            items: 0,
            field_ttls: Vec::new(),
            stream_entries: 0,
        }
    }

    pub fn sink(&self) -> &S {
        &self.sink
    }

    pub fn sink_mut(&mut self) -> &mut S {
        &mut self.sink
    }

    pub fn into_sink(self) -> S {
        self.sink
    }

    /// Forgets the current key's pending commands (it turned out damaged).
    pub fn discard_key(&mut self) {
        self.args.clear();
        self.lens.clear();
        self.items = 0;
        self.field_ttls.clear();
        self.sink.discard_key();
    }

    fn origin(&self) -> Origin {
        Origin {
            db: self.db,
            offset: self.offset,
        }
    }

    fn send(&mut self, args: &[&[u8]]) -> Result<()> {
        let o = self.origin();
        self.sink.command(o, args)
    }

    fn push_item(&mut self, parts: &[&[u8]]) -> Result<()> {
        for p in parts {
            self.args.extend_from_slice(p);
            self.lens.push(p.len());
        }
        self.items += 1;
        if self.items >= BATCH || self.args.len() >= BATCH_BYTES {
            self.flush_batch()?;
        }
        Ok(())
    }

    fn flush_batch(&mut self) -> Result<()> {
        if self.items == 0 {
            return Ok(());
        }
        let cmd: &[u8] = match self.data_type {
            DataType::List => b"RPUSH",
            DataType::Set => b"SADD",
            DataType::Zset => b"ZADD",
            _ => b"HSET",
        };
        let args = std::mem::take(&mut self.args);
        let lens = std::mem::take(&mut self.lens);
        let key = std::mem::take(&mut self.key);
        let mut v: Vec<&[u8]> = Vec::with_capacity(lens.len() + 2);
        v.push(cmd);
        v.push(&key);
        let mut at = 0;
        for n in &lens {
            v.push(args.get(at..at + n).unwrap_or_default());
            at += n;
        }
        let r = self.send(&v);
        drop(v);
        self.key = key;
        self.args = args;
        self.lens = lens;
        self.args.clear();
        self.lens.clear();
        self.items = 0;
        r
    }
}

/// A score as Redis prints it: `inf`/`-inf`, integers without a fraction (keeping the
/// sign of -0), else the shortest text that reads back as the same double.
pub fn score_text(score: f64) -> String {
    if score.is_infinite() {
        if score > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        }
    } else if score.fract() == 0.0 && score.abs() < 1e17 {
        format!("{score}")
    } else {
        ryu::Buffer::new().format(score).to_string()
    }
}

/// A RESTORE payload for a module value: type byte, module id, payload, RDB version
/// (2 bytes LE), CRC-64 (8 bytes LE) over everything before it.
pub fn module_dump_payload(m: &ModuleData<'_>, version: u32) -> Vec<u8> {
    let mut p = vec![TypeId::Module2 as u8, 0x81];
    p.extend_from_slice(&m.module_id.to_be_bytes());
    p.extend_from_slice(m.raw);
    p.extend_from_slice(&(version.min(u32::from(u16::MAX)) as u16).to_le_bytes());
    let crc = crate::crc::crc64(&p);
    p.extend_from_slice(&crc.to_le_bytes());
    p
}

impl<S: Sink> Visitor for Emitter<S> {
    fn header(&mut self, v: Version) -> Result<()> {
        self.version = v.number;
        Ok(())
    }

    fn function(&mut self, code: &[u8]) -> Result<()> {
        self.send(&[b"FUNCTION", b"LOAD", code])
    }

    fn select_db(&mut self, db: u64) -> Result<()> {
        self.db = db;
        Ok(())
    }

    fn begin_key(&mut self, k: &KeyInfo<'_>) -> Result<()> {
        self.db = k.db;
        self.offset = k.offset;
        if self.selected != Some(k.db) {
            let db = k.db.to_string();
            self.send(&[b"SELECT", db.as_bytes()])?;
            self.selected = Some(k.db);
        }
        self.key.clear();
        self.key.extend_from_slice(k.key);
        self.data_type = k.data_type;
        self.expire_ms = k.expire_ms;
        self.args.clear();
        self.lens.clear();
        self.items = 0;
        self.field_ttls.clear();
        self.stream_entries = 0;
        Ok(())
    }

    fn string(&mut self, value: &[u8]) -> Result<()> {
        let key = std::mem::take(&mut self.key);
        let r = self.send(&[b"SET", &key, value]);
        self.key = key;
        r
    }

    fn list_element(&mut self, e: &[u8]) -> Result<()> {
        self.push_item(&[e])
    }

    fn set_member(&mut self, m: &[u8]) -> Result<()> {
        self.push_item(&[m])
    }

    fn zset_member(&mut self, m: &[u8], score: f64) -> Result<()> {
        let s = score_text(score);
        self.push_item(&[s.as_bytes(), m])
    }

    fn hash_field(&mut self, f: &[u8], v: &[u8], expire_ms: Option<i64>) -> Result<()> {
        if let Some(e) = expire_ms {
            self.field_ttls.push((f.to_vec(), e));
        }
        self.push_item(&[f, v])
    }

    fn stream_entry(&mut self, id: StreamId, fields: &[(Elem<'_>, Elem<'_>)]) -> Result<()> {
        self.stream_entries += 1;
        let idt = id.to_string();
        let mut bufs = Vec::with_capacity(fields.len() * 2);
        for (f, v) in fields {
            let mut fb = Vec::new();
            f.append_to(&mut fb);
            let mut vb = Vec::new();
            v.append_to(&mut vb);
            bufs.push(fb);
            bufs.push(vb);
        }
        let key = std::mem::take(&mut self.key);
        let mut args: Vec<&[u8]> = vec![b"XADD", &key, idt.as_bytes()];
        args.extend(bufs.iter().map(Vec::as_slice));
        let r = self.send(&args);
        drop(args);
        self.key = key;
        r
    }

    fn stream_meta(&mut self, m: &StreamMeta) -> Result<()> {
        let key = std::mem::take(&mut self.key);
        let last = m.last_id.to_string();
        let r = (|| {
            if self.stream_entries == 0 {
                // An empty stream: create it with an entry trimmed away at once (as
                // Redis's AOF rewrite does); XSETID below sets the real last ID.
                self.send(&[b"XADD", &key, b"MAXLEN", b"0", b"0-1", b"x", b"y"])?;
            }
            let added = m.entries_added.to_string();
            let maxdel = m.max_deleted_id.to_string();
            let mut args: Vec<&[u8]> = vec![b"XSETID", &key, last.as_bytes()];
            // Streams from RDB 10+ carry these; Redis 6.2's XSETID has no such arguments.
            if m.stored_meta {
                args.extend_from_slice(&[
                    b"ENTRIESADDED",
                    added.as_bytes(),
                    b"MAXDELETEDID",
                    maxdel.as_bytes(),
                ]);
            }
            self.send(&args)
        })();
        self.key = key;
        r
    }

    fn stream_group(&mut self, g: &StreamGroup) -> Result<()> {
        let key = std::mem::take(&mut self.key);
        let r = (|| {
            let last = g.last_id.to_string();
            let er = g.entries_read.map(|n| n.to_string());
            let mut args: Vec<&[u8]> = vec![b"XGROUP", b"CREATE", &key, &g.name, last.as_bytes()];
            if let Some(er) = &er {
                args.extend_from_slice(&[b"ENTRIESREAD", er.as_bytes()]);
            }
            self.send(&args)?;
            for c in &g.consumers {
                self.send(&[b"XGROUP", b"CREATECONSUMER", &key, &g.name, &c.name])?;
            }
            for p in &g.pel {
                let Some(c) = p.consumer.and_then(|c| g.consumers.get(c)) else {
                    continue;
                };
                let id = p.id.to_string();
                let time = p.delivery_time_ms.to_string();
                let count = p.delivery_count.to_string();
                self.send(&[
                    b"XCLAIM",
                    &key,
                    &g.name,
                    &c.name,
                    b"0",
                    id.as_bytes(),
                    b"TIME",
                    time.as_bytes(),
                    b"RETRYCOUNT",
                    count.as_bytes(),
                    b"FORCE",
                    b"JUSTID",
                ])?;
            }
            Ok(())
        })();
        self.key = key;
        r
    }

    fn module_value(&mut self, m: &ModuleData<'_>) -> Result<()> {
        let payload = module_dump_payload(m, if self.version == 0 { 10 } else { self.version });
        let key = std::mem::take(&mut self.key);
        let r = self.send(&[b"RESTORE", &key, b"0", &payload, b"REPLACE"]);
        self.key = key;
        r
    }

    fn end_key(&mut self) -> Result<()> {
        self.flush_batch()?;
        let key = std::mem::take(&mut self.key);
        let r = (|| {
            for (field, t) in std::mem::take(&mut self.field_ttls) {
                let t = t.to_string();
                self.send(&[b"HPEXPIREAT", &key, t.as_bytes(), b"FIELDS", b"1", &field])?;
            }
            if let Some(e) = self.expire_ms {
                let t = e.to_string();
                self.send(&[b"PEXPIREAT", &key, t.as_bytes()])?;
            }
            Ok(())
        })();
        self.key = key;
        r
    }

    fn key_error(&mut self, err: Error) -> Result<()> {
        self.discard_key();
        Err(err)
    }
}

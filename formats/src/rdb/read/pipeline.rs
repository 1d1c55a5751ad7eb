//! Two threads for one read: the reader thread parses (I/O, CRC, LZF, encodings) and
//! records what it finds into batches; the caller's thread replays the batches into the
//! visitor (formatting, output). On a machine with two cores this roughly halves the
//! wall time of a formatting-heavy visitor. Memory stays bounded: at most [`DEPTH`]
//! batches of about [`BATCH`] bytes are in flight (a batch holds at least one record,
//! so a huge string makes one huge batch).

use std::io::Read;
use std::sync::mpsc;

use super::visit::{
    ChecksumStatus, FunctionPreGa, KeyInfo, ModuleData, StreamGroup, StreamId, StreamMeta, Visitor,
};
use super::{Reader, Summary};
use crate::error::{Error, ErrorKind, Result};
use crate::rdb::encodings::Elem;
use crate::rdb::{DataType, Flavor, TypeId, Version};

/// Bytes of records per batch.
pub const BATCH: usize = 1 << 20;
/// Batches in flight.
pub const DEPTH: usize = 4;

/// What crosses between the threads: simple records as bytes, the few structured ones
/// (stream metadata and groups, errors) as owned values in order of use.
#[derive(Default)]
struct Batch {
    bytes: Vec<u8>,
    metas: Vec<StreamMeta>,
    groups: Vec<StreamGroup>,
    errors: Vec<Error>,
}

#[repr(u8)]
#[derive(Clone, Copy)]
enum Tag {
    Header,
    Aux,
    ModuleAux,
    Function,
    FunctionPreGa,
    SelectDb,
    ResizeDb,
    SlotInfo,
    SlotImport,
    BeginKey,
    String,
    ListElement,
    SetMember,
    ZsetMember,
    HashField,
    StreamEntry,
    StreamMeta,
    StreamGroup,
    ModuleValue,
    EndKey,
    KeyError,
    End,
}

const TAGS: [Tag; 22] = [
    Tag::Header,
    Tag::Aux,
    Tag::ModuleAux,
    Tag::Function,
    Tag::FunctionPreGa,
    Tag::SelectDb,
    Tag::ResizeDb,
    Tag::SlotInfo,
    Tag::SlotImport,
    Tag::BeginKey,
    Tag::String,
    Tag::ListElement,
    Tag::SetMember,
    Tag::ZsetMember,
    Tag::HashField,
    Tag::StreamEntry,
    Tag::StreamMeta,
    Tag::StreamGroup,
    Tag::ModuleValue,
    Tag::EndKey,
    Tag::KeyError,
    Tag::End,
];

/// Records into batches on the reader thread.
struct Recorder {
    batch: Batch,
    tx: mpsc::SyncSender<Batch>,
    /// Stop at the first damaged key (the visitor would), or carry it over.
    keep_going: bool,
    wants_strings: bool,
}

impl Recorder {
    fn tag(&mut self, t: Tag) {
        self.batch.bytes.push(t as u8);
    }
    fn u64(&mut self, v: u64) {
        self.batch.bytes.extend_from_slice(&v.to_le_bytes());
    }
    fn bytes(&mut self, b: &[u8]) {
        self.u64(b.len() as u64);
        self.batch.bytes.extend_from_slice(b);
    }
    fn opt(&mut self, v: Option<u64>) {
        match v {
            Some(v) => {
                self.batch.bytes.push(1);
                self.u64(v);
            }
            None => self.batch.bytes.push(0),
        }
    }
    /// Sends the batch if it is big enough (after a whole record).
    fn maybe_send(&mut self) -> Result<()> {
        if self.batch.bytes.len() >= BATCH {
            self.send()?;
        }
        Ok(())
    }
    fn send(&mut self) -> Result<()> {
        let b = std::mem::take(&mut self.batch);
        self.tx.send(b).map_err(|_| {
            // The replaying side stopped (its visitor failed): stop reading.
            Error::new(ErrorKind::Io(std::io::Error::other("output side stopped")))
        })
    }
    fn module(&mut self, m: &ModuleData<'_>) {
        self.bytes(m.name.as_bytes());
        self.u64(m.module_id);
        self.u64(u64::from(m.encver));
        self.opt(m.when);
        self.bytes(m.raw);
    }
}

impl Visitor for Recorder {
    fn header(&mut self, v: Version) -> Result<()> {
        self.tag(Tag::Header);
        self.batch
            .bytes
            .push(matches!(v.flavor, Flavor::Valkey) as u8);
        self.u64(u64::from(v.number));
        Ok(())
    }
    fn aux(&mut self, k: &[u8], v: &[u8]) -> Result<()> {
        self.tag(Tag::Aux);
        self.bytes(k);
        self.bytes(v);
        self.maybe_send()
    }
    fn module_aux(&mut self, m: &ModuleData<'_>) -> Result<()> {
        self.tag(Tag::ModuleAux);
        self.module(m);
        self.maybe_send()
    }
    fn function(&mut self, code: &[u8]) -> Result<()> {
        self.tag(Tag::Function);
        self.bytes(code);
        self.maybe_send()
    }
    fn function_pre_ga(&mut self, f: &FunctionPreGa<'_>) -> Result<()> {
        self.tag(Tag::FunctionPreGa);
        self.bytes(f.name);
        self.bytes(f.engine);
        self.opt(f.desc.map(|_| 1));
        self.bytes(f.desc.unwrap_or_default());
        self.bytes(f.code);
        self.maybe_send()
    }
    fn select_db(&mut self, db: u64) -> Result<()> {
        self.tag(Tag::SelectDb);
        self.u64(db);
        Ok(())
    }
    fn resize_db(&mut self, a: u64, b: u64) -> Result<()> {
        self.tag(Tag::ResizeDb);
        self.u64(a);
        self.u64(b);
        Ok(())
    }
    fn slot_info(&mut self, a: u64, b: u64, c: u64) -> Result<()> {
        self.tag(Tag::SlotInfo);
        self.u64(a);
        self.u64(b);
        self.u64(c);
        Ok(())
    }
    fn slot_import(&mut self, job: &[u8], ranges: &[(u64, u64)]) -> Result<()> {
        self.tag(Tag::SlotImport);
        self.bytes(job);
        self.u64(ranges.len() as u64);
        for &(a, b) in ranges {
            self.u64(a);
            self.u64(b);
        }
        Ok(())
    }
    fn begin_key(&mut self, k: &KeyInfo<'_>) -> Result<()> {
        self.tag(Tag::BeginKey);
        self.u64(k.db);
        self.bytes(k.key);
        self.batch.bytes.push(k.type_id as u8);
        self.opt(k.expire_ms.map(|e| e as u64));
        self.opt(k.idle_s);
        self.opt(k.freq.map(u64::from));
        self.opt(k.key_meta.map(|_| 1));
        self.bytes(k.key_meta.unwrap_or_default());
        self.u64(k.offset);
        Ok(())
    }
    fn string(&mut self, v: &[u8]) -> Result<()> {
        self.tag(Tag::String);
        self.bytes(v);
        self.maybe_send()
    }
    fn wants_string_values(&self) -> bool {
        self.wants_strings
    }
    fn list_element(&mut self, e: &[u8]) -> Result<()> {
        self.tag(Tag::ListElement);
        self.bytes(e);
        self.maybe_send()
    }
    fn set_member(&mut self, m: &[u8]) -> Result<()> {
        self.tag(Tag::SetMember);
        self.bytes(m);
        self.maybe_send()
    }
    fn zset_member(&mut self, m: &[u8], score: f64) -> Result<()> {
        self.tag(Tag::ZsetMember);
        self.bytes(m);
        self.u64(score.to_bits());
        self.maybe_send()
    }
    fn hash_field(&mut self, f: &[u8], v: &[u8], e: Option<i64>) -> Result<()> {
        self.tag(Tag::HashField);
        self.bytes(f);
        self.bytes(v);
        self.opt(e.map(|e| e as u64));
        self.maybe_send()
    }
    fn stream_entry(&mut self, id: StreamId, fields: &[(Elem<'_>, Elem<'_>)]) -> Result<()> {
        self.tag(Tag::StreamEntry);
        self.u64(id.ms);
        self.u64(id.seq);
        self.u64(fields.len() as u64);
        let (mut a, mut b) = (itoa::Buffer::new(), itoa::Buffer::new());
        for (f, v) in fields {
            self.bytes(f.as_bytes(&mut a));
            self.bytes(v.as_bytes(&mut b));
        }
        self.maybe_send()
    }
    fn stream_meta(&mut self, m: &StreamMeta) -> Result<()> {
        self.tag(Tag::StreamMeta);
        self.batch.metas.push(m.clone());
        Ok(())
    }
    fn stream_group(&mut self, g: &StreamGroup) -> Result<()> {
        self.tag(Tag::StreamGroup);
        self.batch.groups.push(g.clone());
        self.maybe_send()
    }
    fn module_value(&mut self, m: &ModuleData<'_>) -> Result<()> {
        self.tag(Tag::ModuleValue);
        self.module(m);
        self.maybe_send()
    }
    fn end_key(&mut self) -> Result<()> {
        self.tag(Tag::EndKey);
        self.maybe_send()
    }
    fn key_error(&mut self, err: Error) -> Result<()> {
        if !self.keep_going {
            return Err(err);
        }
        self.tag(Tag::KeyError);
        self.batch.errors.push(err);
        self.maybe_send()
    }
    fn end(&mut self, c: ChecksumStatus) -> Result<()> {
        self.tag(Tag::End);
        let (kind, a, b) = match c {
            ChecksumStatus::Ok(v) => (0, v, 0),
            ChecksumStatus::Disabled => (1, 0, 0),
            ChecksumStatus::Mismatch { stored, computed } => (2, stored, computed),
            ChecksumStatus::Absent => (3, 0, 0),
            ChecksumStatus::NotChecked => (4, 0, 0),
        };
        self.batch.bytes.push(kind);
        self.u64(a);
        self.u64(b);
        Ok(())
    }
}

/// Reads records back from a batch.
struct Cursor<'a> {
    b: &'a [u8],
}

fn corrupt_batch() -> Error {
    Error::new(ErrorKind::Invalid(
        "internal: malformed record batch".into(),
    ))
}

impl<'a> Cursor<'a> {
    fn u8(&mut self) -> Result<u8> {
        let (&x, rest) = self.b.split_first().ok_or_else(corrupt_batch)?;
        self.b = rest;
        Ok(x)
    }
    fn u64(&mut self) -> Result<u64> {
        let (x, rest) = self.b.split_first_chunk::<8>().ok_or_else(corrupt_batch)?;
        self.b = rest;
        Ok(u64::from_le_bytes(*x))
    }
    fn bytes(&mut self) -> Result<&'a [u8]> {
        let n = usize::try_from(self.u64()?).map_err(|_| corrupt_batch())?;
        let (x, rest) = self.b.split_at_checked(n).ok_or_else(corrupt_batch)?;
        self.b = rest;
        Ok(x)
    }
    fn opt(&mut self) -> Result<Option<u64>> {
        Ok(match self.u8()? {
            0 => None,
            _ => Some(self.u64()?),
        })
    }
    fn module(&mut self) -> Result<ModuleData<'a>> {
        let name = std::str::from_utf8(self.bytes()?).map_err(|_| corrupt_batch())?;
        let module_id = self.u64()?;
        let encver = self.u64()? as u16;
        let when = self.opt()?;
        Ok(ModuleData {
            name,
            module_id,
            encver,
            when,
            raw: self.bytes()?,
        })
    }
}

fn replay<V: Visitor + ?Sized>(
    batch: Batch,
    v: &mut V,
    fields: &mut Vec<(Vec<u8>, Vec<u8>)>,
) -> Result<()> {
    let mut c = Cursor { b: &batch.bytes };
    let mut metas = batch.metas.into_iter();
    let mut groups = batch.groups.into_iter();
    let mut errors = batch.errors.into_iter();
    while let Ok(t) = c.u8() {
        let tag = TAGS
            .get(usize::from(t))
            .copied()
            .ok_or_else(corrupt_batch)?;
        match tag {
            Tag::Header => {
                let flavor = if c.u8()? == 1 {
                    Flavor::Valkey
                } else {
                    Flavor::Redis
                };
                v.header(Version {
                    flavor,
                    number: c.u64()? as u32,
                })?;
            }
            Tag::Aux => {
                let k = c.bytes()?;
                v.aux(k, c.bytes()?)?;
            }
            Tag::ModuleAux | Tag::ModuleValue => {
                let m = c.module()?;
                if let Tag::ModuleAux = tag {
                    v.module_aux(&m)?
                } else {
                    v.module_value(&m)?
                }
            }
            Tag::Function => v.function(c.bytes()?)?,
            Tag::FunctionPreGa => {
                let name = c.bytes()?;
                let engine = c.bytes()?;
                let has_desc = c.opt()?.is_some();
                let desc = c.bytes()?;
                let code = c.bytes()?;
                v.function_pre_ga(&FunctionPreGa {
                    name,
                    engine,
                    desc: has_desc.then_some(desc),
                    code,
                })?;
            }
            Tag::SelectDb => v.select_db(c.u64()?)?,
            Tag::ResizeDb => {
                let a = c.u64()?;
                v.resize_db(a, c.u64()?)?;
            }
            Tag::SlotInfo => {
                let (a, b) = (c.u64()?, c.u64()?);
                v.slot_info(a, b, c.u64()?)?;
            }
            Tag::SlotImport => {
                let job = c.bytes()?;
                let n = c.u64()?;
                let mut ranges = Vec::new();
                for _ in 0..n {
                    ranges.push((c.u64()?, c.u64()?));
                }
                v.slot_import(job, &ranges)?;
            }
            Tag::BeginKey => {
                let db = c.u64()?;
                let key = c.bytes()?;
                let type_id = TypeId::try_from(c.u8()?).map_err(|_| corrupt_batch())?;
                let expire_ms = c.opt()?.map(|e| e as i64);
                let idle_s = c.opt()?;
                let freq = c.opt()?.map(|f| f as u8);
                let has_meta = c.opt()?.is_some();
                let meta = c.bytes()?;
                let offset = c.u64()?;
                let data_type: DataType = type_id.data_type();
                v.begin_key(&KeyInfo {
                    db,
                    key,
                    type_id,
                    data_type,
                    encoding: type_id.encoding_name(),
                    expire_ms,
                    idle_s,
                    freq,
                    key_meta: has_meta.then_some(meta),
                    offset,
                })?;
            }
            Tag::String => v.string(c.bytes()?)?,
            Tag::ListElement => v.list_element(c.bytes()?)?,
            Tag::SetMember => v.set_member(c.bytes()?)?,
            Tag::ZsetMember => {
                let m = c.bytes()?;
                v.zset_member(m, f64::from_bits(c.u64()?))?;
            }
            Tag::HashField => {
                let f = c.bytes()?;
                let val = c.bytes()?;
                v.hash_field(f, val, c.opt()?.map(|e| e as i64))?;
            }
            Tag::StreamEntry => {
                let id = StreamId {
                    ms: c.u64()?,
                    seq: c.u64()?,
                };
                let n = c.u64()?;
                fields.clear();
                for _ in 0..n {
                    let f = c.bytes()?;
                    fields.push((f.to_vec(), c.bytes()?.to_vec()));
                }
                let view: Vec<(Elem<'_>, Elem<'_>)> = fields
                    .iter()
                    .map(|(f, x)| (Elem::Bytes(f), Elem::Bytes(x)))
                    .collect();
                v.stream_entry(id, &view)?;
            }
            Tag::StreamMeta => v.stream_meta(&metas.next().ok_or_else(corrupt_batch)?)?,
            Tag::StreamGroup => v.stream_group(&groups.next().ok_or_else(corrupt_batch)?)?,
            Tag::EndKey => v.end_key()?,
            Tag::KeyError => v.key_error(errors.next().ok_or_else(corrupt_batch)?)?,
            Tag::End => {
                let kind = c.u8()?;
                let (a, b) = (c.u64()?, c.u64()?);
                v.end(match kind {
                    0 => ChecksumStatus::Ok(a),
                    1 => ChecksumStatus::Disabled,
                    2 => ChecksumStatus::Mismatch {
                        stored: a,
                        computed: b,
                    },
                    3 => ChecksumStatus::Absent,
                    _ => ChecksumStatus::NotChecked,
                })?;
            }
        }
    }
    Ok(())
}

impl<R: Read + Send> Reader<R> {
    /// Like [`Reader::run`], with parsing on a second thread and `v` on this one. The
    /// visitor sees the same calls in the same order. `keep_going` says whether damaged
    /// keys are handed to [`Visitor::key_error`] (true) or end the read at once (false:
    /// what the default `key_error` does).
    pub fn run_threaded<V: Visitor + ?Sized>(
        &mut self,
        v: &mut V,
        keep_going: bool,
    ) -> Result<Summary> {
        let wants_strings = v.wants_string_values();
        let (tx, rx) = mpsc::sync_channel::<Batch>(DEPTH);
        std::thread::scope(|scope| {
            let reader = scope.spawn(move || {
                let mut rec = Recorder {
                    batch: Batch::default(),
                    tx,
                    keep_going,
                    wants_strings,
                };
                let r = self.run(&mut rec);
                // Deliver what was read before any error.
                let sent = rec.send();
                r.and_then(|s| sent.map(|()| s))
            });
            let mut fields = Vec::new();
            let mut replayed: Result<()> = Ok(());
            for batch in rx.iter() {
                if let Err(e) = replay(batch, v, &mut fields) {
                    replayed = Err(e);
                    break;
                }
            }
            // Dropping the receiver unblocks the reader if the visitor stopped early.
            drop(rx);
            let read = reader.join().unwrap_or_else(|_| {
                Err(Error::new(ErrorKind::Invalid(
                    "internal: reader thread panicked".into(),
                )))
            });
            replayed?;
            read
        })
    }
}

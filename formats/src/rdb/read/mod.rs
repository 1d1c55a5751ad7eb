//! Streaming RDB reader: [`Reader`] walks an RDB from any [`Read`] in a bounded buffer
//! and pushes every record into a [`Visitor`].
//!
//! Memory is O(largest single item): one string, or one encoded node (listpack,
//! ziplist, intset, quicklist node). Collections stored element by element (hashtable
//! sets and hashes, skiplist zsets, linked lists) are delivered element by element.
//! The exceptions are small per-element fingerprints for duplicate checks in deep mode
//! and a stream consumer group's PEL, which is held while its consumers are read.

mod dedupe;
mod pipeline;

mod stream;
mod value;
pub mod visit;

use std::io::Read;

use crate::error::{Context, Doing, Error, ErrorKind, KeyPreview, Result};
use crate::limits::Limits;
use crate::lzf;
use crate::rdb::{Flavor, NEWEST_REDIS_VERSION, NEWEST_VALKEY_VERSION, Opcode, TypeId, Version};

use crate::source::Source;
use dedupe::Dedupe;
pub use visit::{
    ChecksumStatus, FunctionPreGa, IdmpProducer, KeyInfo, ModuleData, PelEntry, StreamConsumer,
    StreamGroup, StreamId, StreamIdmp, StreamMeta, Visitor,
};

/// Options for a [`Reader`].
#[derive(Debug, Clone, Copy)]
pub struct ReaderBuilder {
    allow_future_version: bool,
    deep: bool,
    verify_checksum: bool,
    limits: Limits,
}

impl Default for ReaderBuilder {
    fn default() -> Self {
        ReaderBuilder {
            allow_future_version: false,
            deep: true,
            verify_checksum: true,
            limits: Limits::default(),
        }
    }
}

impl ReaderBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Read versions newer than the newest known as best effort instead of refusing.
    pub fn allow_future_version(mut self, yes: bool) -> Self {
        self.allow_future_version = yes;
        self
    }

    /// Deep validation as `sanitize-dump-payload yes` (duplicate members and fields,
    /// PEL ownership). On by default; off trades those checks for speed.
    pub fn deep(mut self, yes: bool) -> Self {
        self.deep = yes;
        self
    }

    /// Compute and compare the CRC-64 trailer (on by default).
    pub fn verify_checksum(mut self, yes: bool) -> Self {
        self.verify_checksum = yes;
        self
    }

    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    pub fn build<R: Read>(self, inner: R) -> Reader<R> {
        Reader {
            src: Source::new(inner, self.limits, self.verify_checksum),
            opts: self,
            version: Version {
                flavor: Flavor::Redis,
                number: 0,
            },
            scratch: Scratch::default(),
            tmp: Vec::new(),
            key: Vec::new(),
            key_meta: Vec::new(),
            ctx: Context::default(),
            in_key: false,
            damaged: None,
            dedupe: Dedupe::new(),
        }
    }
}

/// What a complete read found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub version: Version,
    pub checksum: ChecksumStatus,
    /// Offset just past the trailer (or past EOF for RDB < 5).
    pub end_offset: u64,
}

/// Scratch space for decoding one string (LZF output, integer text).
#[derive(Default)]
struct Scratch {
    lzf: Vec<u8>,
    int: itoa::Buffer,
}

/// A length field: a plain length, or a special string encoding id (`11xxxxxx`).
enum Len {
    Len(u64),
    Enc(u8),
}

/// Streaming RDB reader. Build with [`ReaderBuilder`], then [`Reader::run`].
pub struct Reader<R> {
    src: Source<R>,
    opts: ReaderBuilder,
    version: Version,
    scratch: Scratch,
    /// Reused buffer for the first string of a pair.
    tmp: Vec<u8>,
    key: Vec<u8>,
    key_meta: Vec<u8>,
    ctx: Context,
    /// Whether `key` holds the key being read (for error context).
    in_key: bool,
    /// First content problem of the current key (framing still intact).
    damaged: Option<Error>,
    dedupe: Dedupe,
}

impl<R: Read> Reader<R> {
    /// A reader with default options.
    pub fn new(inner: R) -> Self {
        ReaderBuilder::new().build(inner)
    }

    /// File offset of the next byte to be read.
    pub fn offset(&self) -> u64 {
        self.src.offset()
    }

    /// The underlying reader and any bytes read ahead past the RDB's end.
    pub fn into_parts(self) -> (R, Vec<u8>) {
        self.src.into_parts()
    }

    fn err_at(&self, kind: ErrorKind, offset: u64) -> Error {
        Error::at(kind, offset).with_ctx(&self.context())
    }

    fn invalid_at(&self, offset: u64, msg: impl Into<String>) -> Error {
        self.err_at(ErrorKind::Invalid(msg.into()), offset)
    }

    /// What is being read, for an error: built only when an error happens, so the hot
    /// path keeps no copy of the key.
    fn context(&self) -> Context {
        let mut c = self.ctx.clone();
        if self.in_key {
            c.key = Some(KeyPreview::new(&self.key));
        }
        c
    }

    /// Records a problem in the current key's value; reading goes on to the key's end.
    fn damage(&mut self, mut e: Error) {
        if e.ctx == Context::default() {
            e.ctx = self.context();
        }
        if self.damaged.is_none() {
            self.damaged = Some(e);
        }
    }

    /// Adds context to errors coming from the source.
    fn ctx_err(&self, mut e: Error) -> Error {
        if e.ctx == Context::default() {
            e.ctx = self.context();
        }
        e
    }

    /// Reads the whole file, pushing records into `v`.
    pub fn run<V: Visitor + ?Sized>(&mut self, v: &mut V) -> Result<Summary> {
        match self.run_inner(v) {
            Ok(s) => Ok(s),
            Err(e) => {
                let e = self.ctx_err(e);
                // A key already known to be damaged is the first problem to report.
                if let Some(d) = self.damaged.take() {
                    v.key_error(d)?;
                }
                Err(e)
            }
        }
    }

    fn run_inner<V: Visitor + ?Sized>(&mut self, v: &mut V) -> Result<Summary> {
        self.ctx.doing = Doing::Header;
        self.version = self.read_header()?;
        v.header(self.version)?;
        let mut expire_ms: Option<i64> = None;
        let mut idle_s: Option<u64> = None;
        let mut freq: Option<u8> = None;
        let mut has_meta = false;
        let mut prefix_start: Option<u64> = None;
        loop {
            let rec_off = self.src.offset();
            self.ctx.doing = Doing::Opcode;
            self.in_key = false;
            let b = self.src.u8()?;
            let op = Opcode::try_from(b).ok();
            match op {
                Some(Opcode::Eof) => return self.read_trailer(v),
                Some(Opcode::SelectDb) => {
                    self.ctx.doing = Doing::SelectDb;
                    let db = self.read_count()?;
                    self.ctx.db = Some(db);
                    v.select_db(db)?;
                }
                Some(Opcode::ExpireTime) => {
                    self.ctx.doing = Doing::Expiry;
                    let secs = i32::from_le_bytes(self.src.array()?);
                    expire_ms = Some(i64::from(secs) * 1000);
                    prefix_start.get_or_insert(rec_off);
                }
                Some(Opcode::ExpireTimeMs) => {
                    self.ctx.doing = Doing::Expiry;
                    expire_ms = Some(i64::from_le_bytes(self.src.array()?));
                    prefix_start.get_or_insert(rec_off);
                }
                Some(Opcode::ResizeDb) => {
                    self.ctx.doing = Doing::ResizeDb;
                    let a = self.read_count()?;
                    let b = self.read_count()?;
                    v.resize_db(a, b)?;
                }
                Some(Opcode::Aux) => {
                    self.ctx.doing = Doing::Aux;
                    let mut key = std::mem::take(&mut self.tmp);
                    key.clear();
                    let r = self.read_string_into(&mut key);
                    if let Err(e) = r {
                        self.tmp = key;
                        return Err(e);
                    }
                    let value = read_string(&mut self.src, &mut self.scratch, self.version)?;
                    let r = v.aux(&key, value);
                    self.tmp = key;
                    r?;
                }
                Some(Opcode::Freq) => {
                    self.ctx.doing = Doing::Freq;
                    freq = Some(self.src.u8()?);
                    prefix_start.get_or_insert(rec_off);
                }
                Some(Opcode::Idle) => {
                    self.ctx.doing = Doing::Idle;
                    idle_s = Some(self.read_count()?);
                    prefix_start.get_or_insert(rec_off);
                }
                Some(Opcode::ModuleAux) => {
                    self.ctx.doing = Doing::ModuleAux;
                    self.read_module(v, true)?;
                }
                Some(Opcode::FunctionPreGa) => {
                    self.ctx.doing = Doing::Function;
                    self.read_function_pre_ga(v)?;
                }
                Some(Opcode::Function2) => {
                    self.ctx.doing = Doing::Function;
                    let code = read_string(&mut self.src, &mut self.scratch, self.version)?;
                    v.function(code)?;
                }
                Some(Opcode::SlotInfo) => {
                    self.ctx.doing = Doing::SlotInfo;
                    let slot = self.read_count()?;
                    let size = self.read_count()?;
                    let expires = self.read_count()?;
                    v.slot_info(slot, size, expires)?;
                }
                Some(Opcode::KeyMetaOrSlotImport) => match self.version.flavor {
                    Flavor::Redis => {
                        self.ctx.doing = Doing::KeyMeta;
                        self.read_key_meta()?;
                        has_meta = true;
                        prefix_start.get_or_insert(rec_off);
                    }
                    Flavor::Valkey => {
                        self.ctx.doing = Doing::SlotImport;
                        self.read_slot_import(v)?;
                    }
                },
                None if matches!(b, 107 | 121) && self.version.flavor == Flavor::Redis => {
                    // Redis Enterprise RAM_LRU / SLOT_NUM: one length each, no meaning here.
                    self.read_count()?;
                }
                None => {
                    let type_id = match TypeId::try_from(b) {
                        Ok(TypeId::HashListpackExPreGa)
                            if self.version.flavor == Flavor::Valkey =>
                        {
                            return Err(self.invalid_at(
                                rec_off,
                                "type 23 in a Valkey file (PATH_HASH, Valkey 9.2 development) is not readable",
                            ));
                        }
                        Ok(t) => t,
                        Err(b) => {
                            return Err(self.err_at(ErrorKind::UnknownOpcode(b), rec_off));
                        }
                    };
                    let start = prefix_start.take().unwrap_or(rec_off);
                    let prefix = KeyPrefix {
                        expire_ms: expire_ms.take(),
                        idle_s: idle_s.take(),
                        freq: freq.take(),
                        has_meta: std::mem::take(&mut has_meta),
                        offset: start,
                    };
                    self.read_key(type_id, prefix, v)?;
                }
            }
        }
    }

    fn read_header(&mut self) -> Result<Version> {
        let magic: [u8; 9] = self.src.array()?;
        let bad = || ErrorKind::BadMagic(crate::escape::quoted(&magic));
        let (flavor, digits) = if let Some(d) = magic.strip_prefix(b"REDIS") {
            (Flavor::Redis, d)
        } else if let Some(d) = magic.strip_prefix(b"VALKEY") {
            (Flavor::Valkey, d)
        } else {
            return Err(Error::at(bad(), 0));
        };
        if !digits.iter().all(u8::is_ascii_digit) {
            return Err(Error::at(bad(), 0));
        }
        let number = digits
            .iter()
            .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
        let version = Version { flavor, number };
        let newest = match flavor {
            Flavor::Redis => NEWEST_REDIS_VERSION,
            Flavor::Valkey => NEWEST_VALKEY_VERSION,
        };
        let known = match flavor {
            Flavor::Redis => (1..=newest).contains(&number),
            // VALKEY magic with a version below 80 is rejected by Valkey itself.
            Flavor::Valkey => number == newest,
        };
        if number == 0 || (flavor == Flavor::Valkey && number < 80) {
            return Err(Error::at(ErrorKind::UnsupportedVersion(number, newest), 0));
        }
        if !known && !self.opts.allow_future_version {
            return Err(Error::at(ErrorKind::UnsupportedVersion(number, newest), 0));
        }
        Ok(version)
    }

    fn read_trailer<V: Visitor + ?Sized>(&mut self, v: &mut V) -> Result<Summary> {
        self.ctx.doing = Doing::Checksum;
        self.in_key = false;
        let status = if self.version.has_checksum() {
            let computed = self.src.crc();
            let at = self.src.offset();
            let stored = u64::from_le_bytes(
                self.src
                    .array()
                    .map_err(|e| Error::at(e.kind, at).with_ctx(&self.context()))?,
            );
            if !self.opts.verify_checksum {
                ChecksumStatus::NotChecked
            } else if stored == 0 {
                ChecksumStatus::Disabled
            } else if stored == computed {
                ChecksumStatus::Ok(stored)
            } else {
                ChecksumStatus::Mismatch { stored, computed }
            }
        } else {
            ChecksumStatus::Absent
        };
        v.end(status)?;
        Ok(Summary {
            version: self.version,
            checksum: status,
            end_offset: self.src.offset(),
        })
    }

    fn read_key<V: Visitor + ?Sized>(
        &mut self,
        type_id: TypeId,
        prefix: KeyPrefix,
        v: &mut V,
    ) -> Result<()> {
        self.ctx.doing = Doing::Key;
        let mut key = std::mem::take(&mut self.key);
        key.clear();
        let r = self.read_string_into(&mut key);
        self.key = key;
        r?;
        self.in_key = true;
        self.ctx.doing = Doing::Value(type_id);
        self.damaged = None;
        self.dedupe.clear();
        let info = KeyInfo {
            db: self.ctx.db.unwrap_or(0),
            key: &self.key,
            type_id,
            data_type: type_id.data_type(),
            encoding: type_id.encoding_name(),
            expire_ms: prefix.expire_ms,
            idle_s: prefix.idle_s,
            freq: prefix.freq,
            key_meta: prefix.has_meta.then_some(self.key_meta.as_slice()),
            offset: prefix.offset,
        };
        v.begin_key(&info)?;
        self.read_value(type_id, v)?;
        match self.damaged.take() {
            Some(e) => v.key_error(e),
            None => v.end_key(),
        }
    }

    // ----- primitives -----

    /// A length used as a count or number (special encodings are corrupt here).
    fn read_count(&mut self) -> Result<u64> {
        read_plain_len(&mut self.src, self.version)
    }

    /// Reads one RDB string and appends its bytes to `dst`.
    fn read_string_into(&mut self, dst: &mut Vec<u8>) -> Result<()> {
        let s = read_string(&mut self.src, &mut self.scratch, self.version)?;
        dst.extend_from_slice(s);
        Ok(())
    }

    fn read_module<V: Visitor + ?Sized>(&mut self, v: &mut V, aux: bool) -> Result<()> {
        let at = self.src.offset();
        let module_id = self.read_count()?;
        let name = module_name(module_id);
        let encver = (module_id & 1023) as u16;
        self.src.begin_capture();
        let walked = (|| -> Result<Option<u64>> {
            let when = if aux {
                let when_at = self.src.offset();
                let op = self.read_count()?;
                if op != 2 {
                    return Err(self.invalid_at(
                        when_at,
                        format!("module aux of {name}: bad when opcode {op} (expected 2)"),
                    ));
                }
                Some(self.read_count()?)
            } else {
                None
            };
            self.walk_module_stream(&name)?;
            Ok(when)
        })();
        let raw = self.src.end_capture();
        let when = walked.map_err(|e| {
            if e.offset.is_none() {
                Error {
                    offset: Some(at),
                    ..e
                }
            } else {
                e
            }
        })?;
        let data = ModuleData {
            name: &name,
            module_id,
            encver,
            when,
            raw: &raw,
        };
        if aux {
            v.module_aux(&data)
        } else {
            v.module_value(&data)
        }
    }

    /// Walks a module v2 opcode stream up to and including its EOF marker.
    fn walk_module_stream(&mut self, name: &str) -> Result<()> {
        loop {
            let at = self.src.offset();
            match self.read_count()? {
                0 => return Ok(()),
                1 | 2 => {
                    self.read_count()?;
                }
                3 => {
                    self.src.take(4)?;
                }
                4 => {
                    self.src.take(8)?;
                }
                5 => {
                    read_string(&mut self.src, &mut self.scratch, self.version)?;
                }
                op => {
                    return Err(
                        self.invalid_at(at, format!("module {name}: unknown module opcode {op}"))
                    );
                }
            }
        }
    }

    fn read_key_meta(&mut self) -> Result<()> {
        let at = self.src.offset();
        self.src.begin_capture();
        let r = (|| -> Result<()> {
            let n = self.read_count()?;
            if n > 7 {
                return Err(self.invalid_at(at, format!("KEY_META with {n} classes (max 7)")));
            }
            for _ in 0..n {
                let spec = u32::from_le_bytes(self.src.array()?);
                self.walk_module_stream(&format!("key metadata class 0x{spec:08x}"))?;
            }
            Ok(())
        })();
        self.key_meta = self.src.end_capture();
        r
    }

    fn read_slot_import<V: Visitor + ?Sized>(&mut self, v: &mut V) -> Result<()> {
        let mut job = Vec::new();
        self.read_string_into(&mut job)?;
        let n = self.read_count()?;
        let mut ranges = Vec::new();
        for _ in 0..n {
            let a = self.read_count()?;
            let b = self.read_count()?;
            ranges.push((a, b));
        }
        v.slot_import(&job, &ranges)
    }

    fn read_function_pre_ga<V: Visitor + ?Sized>(&mut self, v: &mut V) -> Result<()> {
        let mut name = Vec::new();
        let mut engine = Vec::new();
        let mut desc = Vec::new();
        let mut code = Vec::new();
        self.read_string_into(&mut name)?;
        self.read_string_into(&mut engine)?;
        let has_desc = self.read_count()? != 0;
        if has_desc {
            self.read_string_into(&mut desc)?;
        }
        self.read_string_into(&mut code)?;
        v.function_pre_ga(&FunctionPreGa {
            name: &name,
            engine: &engine,
            desc: has_desc.then_some(desc.as_slice()),
            code: &code,
        })
    }
}

struct KeyPrefix {
    expire_ms: Option<i64>,
    idle_s: Option<u64>,
    freq: Option<u8>,
    has_meta: bool,
    offset: u64,
}

/// Reads one RDB string (raw, integer-encoded or LZF), borrowed from the source buffer
/// or from `scratch`.
fn read_string<'a, R: Read>(
    src: &'a mut Source<R>,
    scratch: &'a mut Scratch,
    version: Version,
) -> Result<&'a [u8]> {
    read_string_loc(src, scratch, version).map(|(_, s)| s)
}

/// Like [`read_string`], also giving the file offset of the string's bytes when they
/// are stored raw (so problems inside a blob can be located in the file).
#[inline]
fn read_string_loc<'a, R: Read>(
    src: &'a mut Source<R>,
    scratch: &'a mut Scratch,
    version: Version,
) -> Result<(Option<u64>, &'a [u8])> {
    let at = src.offset();
    let len = match read_len(src, version)? {
        Len::Len(n) => n,
        Len::Enc(e) => {
            return match e {
                0 => {
                    let v = i8::from_le_bytes(src.array()?);
                    Ok((None, scratch.int.format(v).as_bytes()))
                }
                1 => {
                    let v = i16::from_le_bytes(src.array()?);
                    Ok((None, scratch.int.format(v).as_bytes()))
                }
                2 => {
                    let v = i32::from_le_bytes(src.array()?);
                    Ok((None, scratch.int.format(v).as_bytes()))
                }
                3 => read_lzf(src, scratch, version, at).map(|s| (None, s)),
                e => Err(Error::at(ErrorKind::StringEncoding(e), at)),
            };
        }
    };
    let n = checked_len(len, src, at)?;
    let data_at = src.offset();
    Ok((Some(data_at), src.take(n)?))
}

/// Consumes one RDB string without producing its bytes; LZF data is offered to the
/// visitor, or validated as [`lzf::decompress`] would check it.
fn skip_string<R: Read, V: Visitor + ?Sized>(
    src: &mut Source<R>,
    version: Version,
    v: &mut V,
) -> Result<()> {
    let at = src.offset();
    match read_len(src, version)? {
        Len::Len(n) => {
            let n = checked_len(n, src, at)?;
            src.take(n)?;
        }
        Len::Enc(0) => {
            src.take(1)?;
        }
        Len::Enc(1) => {
            src.take(2)?;
        }
        Len::Enc(2) => {
            src.take(4)?;
        }
        Len::Enc(3) => {
            let (input, ulen, data_at) = read_lzf_payload(src, version, at)?;
            if !v.compressed_string(input, ulen, at)? {
                lzf::validate(input, ulen)
                    .map_err(|e| lzf_error(e, input.len(), ulen, data_at, at))?;
            }
        }
        Len::Enc(e) => return Err(Error::at(ErrorKind::StringEncoding(e), at)),
    }
    Ok(())
}

/// The error for LZF data that does not decompress as its header says.
pub fn lzf_error(e: lzf::LzfError, clen: usize, ulen: usize, data_at: u64, at: u64) -> Error {
    Error::at(
        ErrorKind::Lzf(format!(
            "{e} (compressed {clen} bytes at offset {data_at}, {ulen} expected)"
        )),
        at,
    )
}

fn checked_len<R: Read>(len: u64, src: &Source<R>, at: u64) -> Result<usize> {
    let limit = src.limits().max_string;
    if len > limit {
        return Err(Error::at(
            ErrorKind::LimitExceeded {
                what: "string length",
                value: len,
                limit,
            },
            at,
        ));
    }
    usize::try_from(len).map_err(|_| Error::at(ErrorKind::LengthOverflow(len), at))
}

/// The lengths and compressed bytes of an LZF string (after its `0xC3`): the payload,
/// the decompressed length, and the payload's file offset.
fn read_lzf_payload<R: Read>(
    src: &mut Source<R>,
    version: Version,
    at: u64,
) -> Result<(&[u8], usize, u64)> {
    let clen = read_plain_len(src, version)?;
    let ulen = read_plain_len(src, version)?;
    let clen = checked_len(clen, src, at)?;
    let ulen = checked_len(ulen, src, at)?;
    let data_at = src.offset();
    Ok((src.take(clen)?, ulen, data_at))
}

fn read_lzf<'a, R: Read>(
    src: &'a mut Source<R>,
    scratch: &'a mut Scratch,
    version: Version,
    at: u64,
) -> Result<&'a [u8]> {
    let (input, ulen, data_at) = read_lzf_payload(src, version, at)?;
    let clen = input.len();
    // Grow only: decompression overwrites every byte of the prefix it returns, so the
    // buffer needs no zeroing per string.
    if scratch.lzf.len() < ulen {
        scratch.lzf.resize(ulen, 0);
    }
    let out = scratch.lzf.get_mut(..ulen).unwrap_or_default();
    lzf::decompress(input, out).map_err(|e| lzf_error(e, clen, ulen, data_at, at))?;
    Ok(out)
}

#[inline]
/// Reads a length field (`rdbLoadLenByRef`): 6-bit, 14-bit big-endian, 32/64-bit
/// big-endian, or a special string encoding id.
fn read_len<R: Read>(src: &mut Source<R>, version: Version) -> Result<Len> {
    let at = src.offset();
    let b = src.u8()?;
    Ok(match b >> 6 {
        0 => Len::Len(u64::from(b & 0x3f)),
        1 => Len::Len((u64::from(b & 0x3f) << 8) | u64::from(src.u8()?)),
        3 => Len::Enc(b & 0x3f),
        _ => match b {
            0x80 => Len::Len(u64::from(u32::from_be_bytes(src.array()?))),
            0x81 => Len::Len(u64::from_be_bytes(src.array()?)),
            // RDB 7 and older loaders read every 10xxxxxx as a 32-bit length.
            _ if version.number <= 7 => Len::Len(u64::from(u32::from_be_bytes(src.array()?))),
            _ => return Err(Error::at(ErrorKind::LengthEncoding(b), at)),
        },
    })
}

fn read_plain_len<R: Read>(src: &mut Source<R>, version: Version) -> Result<u64> {
    let at = src.offset();
    match read_len(src, version)? {
        Len::Len(n) => Ok(n),
        Len::Enc(e) => Err(Error::at(ErrorKind::LengthEncoding(0xc0 | e), at)),
    }
}

/// Decodes the 9-character module type name from a module type id.
pub fn module_name(id: u64) -> String {
    const CHARSET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut name = String::with_capacity(9);
    for i in 0..9u32 {
        let shift = 10 + 6 * (8 - i);
        let idx = ((id >> shift) & 63) as usize;
        name.push(char::from(CHARSET.get(idx).copied().unwrap_or(b'?')));
    }
    name
}

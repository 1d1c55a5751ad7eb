//! Writing RDB files: the primitives every value is made of, written as Redis writes
//! them. [`Writer`] emits the magic for a target version, AUX fields, SELECTDB and
//! RESIZEDB, expiry/LRU/LFU prefixes, lengths in their shortest form, strings with
//! Redis's choice of encoding (canonical integers as int8/16/32, LZF when longer than 20
//! bytes and it saves at least 4 bytes, else raw), and the EOF with the CRC-64 trailer (or
//! eight zero bytes, as `rdbchecksum no`). Bytes are counted and checksummed as they
//! go; the first I/O error poisons the writer.
//!
//! The value encoders for collections build on these (the RDB writer issue).

use std::io::Write;

use crate::crc::Crc64Writer;
use crate::error::{Doing, Error, ErrorKind, Result};
use crate::lzf::Compressor;
use crate::rdb::encodings::parse_canonical_i64;
use crate::rdb::{Flavor, Opcode, TypeId, Version};

mod encode;
pub mod score;
mod stream;

pub use encode::{Encoded, Loss, Rules, choose, default_release, degrade, losses};

/// Options for a [`Writer`].
#[derive(Debug, Clone, Copy)]
pub struct WriterOptions {
    /// LZF-compress strings longer than 20 bytes when it saves space (`rdbcompression`).
    pub compress: bool,
    /// Write the CRC-64 trailer; otherwise eight zero bytes (`rdbchecksum no`).
    pub checksum: bool,
}

impl Default for WriterOptions {
    fn default() -> Self {
        WriterOptions {
            compress: true,
            checksum: true,
        }
    }
}

/// Streaming RDB writer.
pub struct Writer<W: Write> {
    out: Crc64Writer<W>,
    version: Version,
    opts: WriterOptions,
    lzf: Compressor,
    scratch: Vec<u8>,
    poisoned: bool,
}

impl<W: Write> Writer<W> {
    /// Starts a file of `version` (its magic is written at once).
    pub fn new(out: W, version: Version, opts: WriterOptions) -> Result<Self> {
        let mut w = Writer {
            out: Crc64Writer::new(out),
            version,
            opts,
            lzf: Compressor::new(),
            scratch: Vec::new(),
            poisoned: false,
        };
        let magic = version.magic();
        w.raw(magic.as_bytes())?;
        Ok(w)
    }

    pub fn version(&self) -> Version {
        self.version
    }

    /// Bytes written so far.
    pub fn offset(&self) -> u64 {
        self.out.bytes_written()
    }

    fn raw(&mut self, b: &[u8]) -> Result<()> {
        if self.poisoned {
            return Err(write_error("an earlier write failed", self.offset()));
        }
        self.out.write_all(b).map_err(|e| {
            self.poisoned = true;
            let mut err = Error::at(ErrorKind::Io(e), self.out.bytes_written());
            err.ctx.doing = Doing::Write;
            err
        })
    }

    /// A length in Redis's shortest form (6, 14, 32 or 64 bits; 64-bit only from RDB 8).
    pub fn length(&mut self, n: u64) -> Result<()> {
        if n < 1 << 6 {
            self.raw(&[n as u8])
        } else if n < 1 << 14 {
            self.raw(&[0x40 | (n >> 8) as u8, n as u8])
        } else if n <= u64::from(u32::MAX) {
            self.raw(&[0x80])?;
            self.raw(&(n as u32).to_be_bytes())
        } else if self.version.number >= 8 {
            self.raw(&[0x81])?;
            self.raw(&n.to_be_bytes())
        } else {
            Err(write_error(
                &format!(
                    "length {n} needs the 64-bit form, which RDB {} cannot hold",
                    self.version.number
                ),
                self.offset(),
            ))
        }
    }

    /// A string as `rdbSaveRawString` writes it: a canonical integer of at most 11
    /// characters that fits 32 bits as int8/16/32, else LZF when enabled, longer than
    /// 20 bytes and compressible into `len - 4` bytes, else length and bytes.
    pub fn string(&mut self, s: &[u8]) -> Result<()> {
        if s.len() <= 11
            && let Some(v) = parse_canonical_i64(s)
        {
            if let Ok(v) = i8::try_from(v) {
                return self.raw(&[0xc0, v as u8]);
            }
            if let Ok(v) = i16::try_from(v) {
                self.raw(&[0xc1])?;
                return self.raw(&v.to_le_bytes());
            }
            if let Ok(v) = i32::try_from(v) {
                self.raw(&[0xc2])?;
                return self.raw(&v.to_le_bytes());
            }
        }
        if self.opts.compress && s.len() > 20 {
            let mut out = std::mem::take(&mut self.scratch);
            out.resize(s.len() - 4, 0);
            let r = match self.lzf.compress(s, &mut out) {
                Some(n) => self
                    .raw(&[0xc3])
                    .and_then(|()| self.length(n as u64))
                    .and_then(|()| self.length(s.len() as u64))
                    .and_then(|()| self.raw(out.get(..n).unwrap_or_default()))
                    .map(|()| true),
                None => Ok(false),
            };
            self.scratch = out;
            if r? {
                return Ok(());
            }
        }
        self.length(s.len() as u64)?;
        self.raw(s)
    }

    /// An AUX field (RDB 7+).
    pub fn aux(&mut self, key: &[u8], value: &[u8]) -> Result<()> {
        self.need(7, "AUX fields")?;
        self.raw(&[Opcode::Aux as u8])?;
        self.string(key)?;
        self.string(value)
    }

    /// SELECTDB.
    pub fn select_db(&mut self, db: u64) -> Result<()> {
        self.raw(&[Opcode::SelectDb as u8])?;
        self.length(db)
    }

    /// RESIZEDB hint (RDB 7+; skipped for older versions, which have none).
    pub fn resize_db(&mut self, keys: u64, expires: u64) -> Result<()> {
        if self.version.number < 7 {
            return Ok(());
        }
        self.raw(&[Opcode::ResizeDb as u8])?;
        self.length(keys)?;
        self.length(expires)
    }

    /// An absolute expiry for the next key: EXPIRETIME_MS from RDB 3, else EXPIRETIME
    /// in seconds (rounded up, so the key does not outlive its time by less).
    pub fn expire_ms(&mut self, ms: i64) -> Result<()> {
        if self.version.number >= 3 {
            self.raw(&[Opcode::ExpireTimeMs as u8])?;
            self.raw(&ms.to_le_bytes())
        } else {
            let secs = i32::try_from(ms.div_euclid(1000) + i64::from(ms.rem_euclid(1000) != 0))
                .map_err(|_| write_error("expiry does not fit RDB 1-2 seconds", self.offset()))?;
            self.raw(&[Opcode::ExpireTime as u8])?;
            self.raw(&secs.to_le_bytes())
        }
    }

    /// LRU idle seconds for the next key (RDB 9+; dropped for older versions).
    pub fn idle(&mut self, seconds: u64) -> Result<()> {
        if self.version.number < 9 {
            return Ok(());
        }
        self.raw(&[Opcode::Idle as u8])?;
        self.length(seconds)
    }

    /// LFU counter for the next key (RDB 9+; dropped for older versions).
    pub fn freq(&mut self, counter: u8) -> Result<()> {
        if self.version.number < 9 {
            return Ok(());
        }
        self.raw(&[Opcode::Freq as u8, counter])
    }

    /// A type byte and key: the start of a key record.
    pub fn key(&mut self, t: TypeId, key: &[u8]) -> Result<()> {
        self.raw(&[t as u8])?;
        self.string(key)
    }

    /// A whole string key.
    pub fn string_key(&mut self, key: &[u8], value: &[u8]) -> Result<()> {
        self.key(TypeId::String, key)?;
        self.string(value)
    }

    /// A FUNCTION2 record (RDB 10+).
    pub fn function(&mut self, code: &[u8]) -> Result<()> {
        self.need(10, "function libraries")?;
        self.raw(&[Opcode::Function2 as u8])?;
        self.string(code)
    }

    /// A MODULE_AUX record (RDB 9+): the module id, then the payload as the reader
    /// gives it (the `when` header, the module's items and its EOF marker).
    pub fn module_aux(&mut self, module_id: u64, raw: &[u8]) -> Result<()> {
        self.need(9, "module aux data")?;
        self.raw(&[Opcode::ModuleAux as u8])?;
        self.length(module_id)?;
        self.raw(raw)
    }

    fn need(&self, v: u32, what: &str) -> Result<()> {
        if self.version.flavor == Flavor::Redis && self.version.number < v {
            return Err(write_error(
                &format!("RDB {} cannot hold {what} (RDB {v}+)", self.version.number),
                self.offset(),
            ));
        }
        Ok(())
    }

    /// EOF, then the CRC-64 (RDB 5+; zeros without checksums), flush; the inner writer.
    pub fn finish(mut self) -> Result<W> {
        self.raw(&[Opcode::Eof as u8])?;
        if self.version.number >= 5 {
            let crc = if self.opts.checksum {
                self.out.crc()
            } else {
                0
            };
            self.raw(&crc.to_le_bytes())?;
        }
        self.out.flush().map_err(Error::from)?;
        Ok(self.out.into_inner())
    }
}

fn write_error(msg: &str, offset: u64) -> Error {
    let mut e = Error::at(ErrorKind::Invalid(msg.to_string()), offset);
    e.ctx.doing = Doing::Write;
    e
}

impl<W: Write> std::fmt::Debug for Writer<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer")
            .field("version", &self.version)
            .field("offset", &self.offset())
            .finish()
    }
}

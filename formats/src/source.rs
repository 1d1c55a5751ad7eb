//! The reader's byte source: a bounded, growable buffer over any `Read`, with the file
//! offset of every byte, a running CRC-64 over consumed bytes, and an optional capture
//! of consumed bytes (for opaque payloads such as module values).
//!
//! Bytes are consumed front to back; the buffer only grows to hold the largest single
//! item the caller asks for at once (one string or one encoded node), never the file.

use std::io::{self, Read};

use crate::crc::Crc64;
use crate::error::{Error, ErrorKind, Result};
use crate::limits::Limits;

const INITIAL_CAPACITY: usize = 256 * 1024;
const READ_CHUNK: usize = 256 * 1024;

pub(crate) struct Source<R> {
    inner: R,
    buf: Vec<u8>,
    /// Next unconsumed byte in `buf`.
    pos: usize,
    /// End of valid data in `buf`.
    end: usize,
    /// File offset of `buf[0]`.
    base: u64,
    /// Bytes in `buf[crc_pos..pos]` are consumed but not yet checksummed.
    crc_pos: usize,
    crc: Option<Crc64>,
    /// Capture of consumed bytes: `buf[cap_pos..pos]` not yet appended.
    capture: Option<Vec<u8>>,
    cap_pos: usize,
    eof: bool,
    limits: Limits,
}

impl<R: Read> Source<R> {
    pub(crate) fn new(inner: R, limits: Limits, checksum: bool) -> Self {
        Source {
            inner,
            buf: vec![0; INITIAL_CAPACITY],
            pos: 0,
            end: 0,
            base: 0,
            crc_pos: 0,
            crc: checksum.then(Crc64::new),
            capture: None,
            cap_pos: 0,
            eof: false,
            limits,
        }
    }

    /// File offset of the next unconsumed byte.
    pub(crate) fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Checksums and captures consumed bytes up to `pos`.
    fn flush_consumed(&mut self) {
        if let Some(crc) = &mut self.crc {
            if let Some(done) = self.buf.get(self.crc_pos..self.pos) {
                crc.update(done);
            }
            self.crc_pos = self.pos;
        }
        if let Some(cap) = &mut self.capture {
            if let Some(done) = self.buf.get(self.cap_pos..self.pos) {
                cap.extend_from_slice(done);
            }
            self.cap_pos = self.pos;
        }
    }

    /// CRC-64 of every byte consumed so far.
    pub(crate) fn crc(&mut self) -> u64 {
        self.flush_consumed();
        self.crc.as_ref().map_or(0, Crc64::value)
    }

    pub(crate) fn begin_capture(&mut self) {
        self.flush_consumed();
        self.capture = Some(Vec::new());
        self.cap_pos = self.pos;
    }

    pub(crate) fn end_capture(&mut self) -> Vec<u8> {
        self.flush_consumed();
        self.capture.take().unwrap_or_default()
    }

    /// Makes at least `n` unconsumed bytes available, reading more input as needed.
    /// Fails with `UnexpectedEof` at the offset where input ended.
    #[inline]
    pub(crate) fn fill(&mut self, n: usize) -> Result<()> {
        if self.end - self.pos >= n {
            return Ok(());
        }
        self.fill_slow(n)
    }

    #[cold]
    #[inline(never)]
    fn fill_slow(&mut self, n: usize) -> Result<()> {
        if n as u64 > self.limits.max_string.saturating_add(64) {
            return Err(Error::at(
                ErrorKind::LimitExceeded {
                    what: "item size",
                    value: n as u64,
                    limit: self.limits.max_string,
                },
                self.offset(),
            ));
        }
        // Move the unconsumed tail to the front.
        if self.pos > 0 {
            self.flush_consumed();
            self.buf.copy_within(self.pos..self.end, 0);
            self.base += self.pos as u64;
            self.end -= self.pos;
            self.pos = 0;
            self.crc_pos = 0;
            self.cap_pos = 0;
        }
        if self.buf.len() < n {
            let want = n.max(self.buf.len().saturating_mul(2));
            self.buf.resize(want, 0);
        }
        while self.end < n {
            if self.eof {
                return Err(Error::at(
                    ErrorKind::UnexpectedEof,
                    self.base + self.end as u64,
                ));
            }
            // Read in large chunks, but never grow just to read ahead.
            let space_end = self
                .buf
                .len()
                .min(self.end.max(n).saturating_add(READ_CHUNK));
            let space = match self.buf.get_mut(self.end..space_end) {
                Some(s) if !s.is_empty() => s,
                _ => break,
            };
            match self.inner.read(space) {
                Ok(0) => self.eof = true,
                Ok(k) => self.end += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::at(ErrorKind::Io(e), self.base + self.end as u64)),
            }
        }
        if self.end < n {
            return Err(Error::at(
                ErrorKind::UnexpectedEof,
                self.base + self.end as u64,
            ));
        }
        Ok(())
    }

    /// Consumes and returns the next `n` bytes.
    #[inline]
    pub(crate) fn take(&mut self, n: usize) -> Result<&[u8]> {
        self.fill(n)?;
        let start = self.pos;
        self.pos += n;
        self.buf
            .get(start..self.pos)
            .ok_or_else(|| Error::at(ErrorKind::UnexpectedEof, self.offset()))
    }

    #[inline]
    pub(crate) fn u8(&mut self) -> Result<u8> {
        if let Some(&b) = self.buf.get(self.pos).filter(|_| self.pos < self.end) {
            self.pos += 1;
            return Ok(b);
        }
        self.fill(1)?;
        let b = self.buf.get(self.pos).copied();
        self.pos += 1;
        b.ok_or_else(|| Error::at(ErrorKind::UnexpectedEof, self.offset()))
    }

    #[inline]
    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let at = self.offset();
        let s = self.take(N)?;
        s.try_into()
            .map_err(|_| Error::at(ErrorKind::UnexpectedEof, at))
    }

    /// Bytes read ahead from the input but not consumed (for a caller that goes on
    /// reading the same stream after the RDB, such as an AOF with an RDB preamble).
    pub(crate) fn into_parts(self) -> (R, Vec<u8>) {
        let rest = self
            .buf
            .get(self.pos..self.end)
            .map(<[u8]>::to_vec)
            .unwrap_or_default();
        (self.inner, rest)
    }
}

impl<R> Source<R> {
    pub(crate) fn limits(&self) -> &Limits {
        &self.limits
    }
}

impl<R: Read> Source<R> {
    /// The unconsumed bytes in the buffer (possibly none: see [`Source::fill`]).
    pub(crate) fn available(&self) -> &[u8] {
        self.buf.get(self.pos..self.end).unwrap_or_default()
    }

    /// Consumes `n` bytes already made available.
    pub(crate) fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.end);
    }

    /// The last `n` bytes consumed (still in the buffer until the next fill).
    pub(crate) fn just_consumed(&self, n: usize) -> &[u8] {
        self.buf
            .get(self.pos.saturating_sub(n)..self.pos)
            .unwrap_or_default()
    }

    /// Counts offsets from `base` (input that starts in the middle of a file).
    pub(crate) fn set_base(&mut self, base: u64) {
        self.base = base;
    }

    /// Makes at least one more byte available than now; false at the end of input.
    pub(crate) fn fill_more(&mut self) -> Result<bool> {
        let want = self.end - self.pos + 1;
        match self.fill(want) {
            Ok(()) => Ok(true),
            Err(e) if matches!(e.kind, ErrorKind::UnexpectedEof) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

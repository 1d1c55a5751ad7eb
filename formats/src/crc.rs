//! Redis's CRC-64: the Jones polynomial (`0xad93d23594c935a9`), reflected, init 0,
//! xorout 0 (`CRC-64/REDIS`; the check value of `b"123456789"` is `0xe9c6d914c4b8d9ca`).
//!
//! RDB files (version 5 and later) end with this CRC of every preceding byte, stored
//! little-endian; `DUMP` payloads end with it too. Backed by `crc_fast`, which uses
//! carry-less multiplication where the CPU has it.

use std::fmt;
use std::io::{self, Write};

use crc_fast::{CrcAlgorithm, Digest};

/// Redis's CRC-64 of `data`, in one shot.
pub fn crc64(data: &[u8]) -> u64 {
    crc_fast::checksum(CrcAlgorithm::Crc64Redis, data)
}

/// An incremental Redis CRC-64: feed it bytes with [`update`](Self::update) in any
/// chunking and read the CRC of everything so far with [`value`](Self::value).
#[derive(Clone)]
pub struct Crc64 {
    digest: Digest,
}

impl fmt::Debug for Crc64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Crc64")
            .field("value", &format_args!("{:#018x}", self.value()))
            .field("bytes", &self.digest.get_amount())
            .finish()
    }
}

impl Default for Crc64 {
    fn default() -> Self {
        Self::new()
    }
}

impl Crc64 {
    /// A digest of no bytes (value 0).
    pub fn new() -> Self {
        Self {
            digest: Digest::new(CrcAlgorithm::Crc64Redis),
        }
    }

    /// Adds `data` to the checksummed bytes.
    pub fn update(&mut self, data: &[u8]) {
        self.digest.update(data);
    }

    /// The CRC of every byte added so far; the digest stays usable.
    pub fn value(&self) -> u64 {
        self.digest.finalize()
    }
}

/// A [`Write`] adapter that forwards to the inner writer and checksums (and counts) every
/// byte the inner writer accepted.
#[derive(Debug)]
pub struct Crc64Writer<W> {
    inner: W,
    crc: Crc64,
    bytes: u64,
}

impl<W: Write> Crc64Writer<W> {
    /// Wraps `inner`, starting from CRC 0 and a count of 0.
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            crc: Crc64::new(),
            bytes: 0,
        }
    }

    /// The CRC of every byte written so far.
    pub fn crc(&self) -> u64 {
        self.crc.value()
    }

    /// How many bytes have been written so far.
    pub fn bytes_written(&self) -> u64 {
        self.bytes
    }

    /// The inner writer.
    pub fn get_ref(&self) -> &W {
        &self.inner
    }

    /// The inner writer, mutably. Bytes written through it directly are not checksummed.
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.inner
    }

    /// Unwraps the inner writer (without flushing it).
    pub fn into_inner(self) -> W {
        self.inner
    }
}

impl<W: Write> Write for Crc64Writer<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        // A writer reporting more than it was given is broken; never checksum past `buf`.
        let done = buf.get(..n).unwrap_or(buf);
        self.crc.update(done);
        self.bytes += done.len() as u64;
        Ok(done.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const CHECK: u64 = 0xe9c6d914c4b8d9ca;

    fn oracle(data: &[u8]) -> u64 {
        crc::Crc::<u64, crc::Table<16>>::new(&crc::CRC_64_REDIS).checksum(data)
    }

    #[test]
    fn check_value() {
        assert_eq!(crc64(b"123456789"), CHECK);
        assert_eq!(oracle(b"123456789"), CHECK);
        let mut c = Crc64::new();
        c.update(b"1234");
        c.update(b"");
        c.update(b"56789");
        assert_eq!(c.value(), CHECK);
        assert_eq!(c.value(), CHECK, "value() does not consume");
        assert_eq!(Crc64::default().value(), 0);
        assert_eq!(crc64(b""), 0);
        assert!(format!("{c:?}").contains("0xe9c6d914c4b8d9ca"));
    }

    /// The test in Redis's crc64.c: `sizeof(li)` counts the string's terminating NUL.
    #[test]
    fn lorem_ipsum_from_redis_crc64_c() {
        let li = b"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor \
incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation \
ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit \
in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat \
non proident, sunt in culpa qui officia deserunt mollit anim id est laborum.\0";
        assert_eq!(crc64(li), 0xc7794709e69683b3);
        assert_eq!(oracle(li), 0xc7794709e69683b3);
        let without_nul = li.strip_suffix(b"\0").unwrap();
        assert_ne!(crc64(without_nul), 0xc7794709e69683b3);
    }

    #[test]
    fn writer_forwards_counts_and_checksums() {
        let mut w = Crc64Writer::new(Vec::new());
        w.write_all(b"12345").unwrap();
        write!(w, "{}", 6789).unwrap();
        w.flush().unwrap();
        assert_eq!(w.crc(), CHECK);
        assert_eq!(w.bytes_written(), 9);
        assert_eq!(w.get_ref(), b"123456789");
        w.get_mut().clear();
        assert_eq!(w.into_inner(), b"");
    }

    /// A writer that accepts at most 3 bytes per call.
    struct Trickle(Vec<u8>);
    impl Write for Trickle {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let n = buf.len().min(3);
            self.0.extend_from_slice(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn writer_checksums_only_accepted_bytes() {
        let mut w = Crc64Writer::new(Trickle(Vec::new()));
        assert_eq!(w.write(b"123456789").unwrap(), 3);
        w.write_all(b"456789").unwrap();
        assert_eq!(w.crc(), CHECK);
        assert_eq!(w.bytes_written(), 9);
        assert_eq!(w.get_ref().0, b"123456789");
    }

    /// The trailer of a real RDB written by Redis 7.0: the CRC of everything before it,
    /// little-endian.
    #[test]
    fn real_rdb_trailer() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/fixtures/redis-7.0/rdb/all-types.rdb"
        );
        let Ok(file) = std::fs::read(path) else {
            eprintln!(
                "SKIPPED: ../shared/fixtures not found ({path}); real_rdb_trailer did not run"
            );
            return;
        };
        let (body, trailer) = file.split_at(file.len() - 8);
        let stored = u64::from_le_bytes(trailer.try_into().unwrap());
        assert_ne!(stored, 0, "this fixture was written with rdbchecksum yes");
        assert_eq!(crc64(body), stored);
        let mut c = Crc64::new();
        for chunk in body.chunks(7) {
            c.update(chunk);
        }
        assert_eq!(c.value(), stored);
    }

    proptest! {
        #[test]
        fn incremental_equals_one_shot_equals_oracle(
            data in proptest::collection::vec(any::<u8>(), 0..4096),
            cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..8),
        ) {
            let mut points: Vec<usize> = cuts.iter().map(|i| i.index(data.len() + 1)).collect();
            points.sort_unstable();
            let mut c = Crc64::new();
            let mut w = Crc64Writer::new(Vec::new());
            let mut last = 0;
            for p in points.into_iter().chain([data.len()]) {
                c.update(&data[last..p]);
                w.write_all(&data[last..p]).unwrap();
                last = p;
            }
            let expected = oracle(&data);
            prop_assert_eq!(crc64(&data), expected);
            prop_assert_eq!(c.value(), expected);
            prop_assert_eq!(w.crc(), expected);
            prop_assert_eq!(w.bytes_written(), data.len() as u64);
        }
    }
}

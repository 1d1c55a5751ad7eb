//! A tiny hand-assembler for RDB files, for tests (here and in the binaries' tests):
//! exact control over every byte, including broken ones. Not a writer: it encodes nothing
//! for you beyond lengths, strings and the trailer.
#![doc(hidden)]

use crate::rdb::TypeId;

/// Bytes of an RDB under construction.
pub struct RdbBytes(pub Vec<u8>);

impl RdbBytes {
    /// Starts with a 9-byte magic such as `REDIS0011`.
    pub fn new(magic: &str) -> Self {
        RdbBytes(magic.as_bytes().to_vec())
    }

    pub fn byte(mut self, b: u8) -> Self {
        self.0.push(b);
        self
    }

    pub fn raw(mut self, b: &[u8]) -> Self {
        self.0.extend_from_slice(b);
        self
    }

    /// A length in its shortest form (6, 14, 32 or 64 bits).
    pub fn len(mut self, n: u64) -> Self {
        if n < 64 {
            self.0.push(n as u8);
        } else if n < 16384 {
            self.0.extend_from_slice(&[0x40 | (n >> 8) as u8, n as u8]);
        } else if n <= u64::from(u32::MAX) {
            self.0.push(0x80);
            self.0.extend_from_slice(&(n as u32).to_be_bytes());
        } else {
            self.0.push(0x81);
            self.0.extend_from_slice(&n.to_be_bytes());
        }
        self
    }

    /// A raw (length-prefixed) string.
    pub fn str(self, b: &[u8]) -> Self {
        self.len(b.len() as u64).raw(b)
    }

    /// Type byte and key.
    pub fn key(self, t: TypeId, k: &[u8]) -> Self {
        self.byte(t as u8).str(k)
    }

    /// SELECTDB.
    pub fn select(self, db: u64) -> Self {
        self.byte(0xfe).len(db)
    }

    /// EXPIRETIME_MS.
    pub fn expire_ms(self, ms: i64) -> Self {
        self.byte(0xfc).raw(&ms.to_le_bytes())
    }

    /// EOF and a correct CRC-64.
    pub fn finish(mut self) -> Vec<u8> {
        self.0.push(0xff);
        let c = crate::crc::crc64(&self.0);
        self.0.extend_from_slice(&c.to_le_bytes());
        self.0
    }
}

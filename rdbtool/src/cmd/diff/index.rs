//! What `diff` keeps of dataset A between its passes: per key a 128-bit fingerprint
//! of (db, key), a 64-bit digest of the value, the type and the expiry (40 bytes),
//! sorted by fingerprint and found through a bucket index of about 4 bytes per key.
//! Once B was compared, only the keys that differ are kept ([`Diffs`]).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;

use xxhash_rust::xxh3::xxh3_128_with_seed;

/// No expiry, in [`Entry::expire`].
pub const NO_EXPIRE: i64 = i64::MIN;

/// Found in B.
pub const MATCHED: u8 = 1;
/// Present in both with another type.
pub const TYPE_CHANGED: u8 = 2;
/// Present in both with another TTL (beyond the tolerance).
pub const TTL_CHANGED: u8 = 4;
/// Present in both, same type, another value.
pub const VALUE_CHANGED: u8 = 8;
/// Its value difference was reported (rounds of the detail passes).
pub const DONE: u8 = 16;
/// Seen again in B: a second record of the same key (a damaged file).
pub const SEEN_TWICE: u8 = 32;
/// In [`Diffs`]: a key of B that A does not have.
pub const ONLY_IN_B: u8 = 64;

pub const CHANGES: u8 = TYPE_CHANGED | TTL_CHANGED | VALUE_CHANGED;

/// The identity of a key: xxh3-128 of its bytes, seeded with its db.
pub type Fp = [u64; 2];

pub fn fingerprint(db: u64, key: &[u8]) -> Fp {
    let h = xxh3_128_with_seed(key, db);
    [(h >> 64) as u64, h as u64]
}

#[derive(Debug, Clone, Copy)]
pub struct Entry {
    pub fp: Fp,
    pub digest: u64,
    pub expire: i64,
    /// `DataType as u8`.
    pub ty: u8,
    pub flags: u8,
}

/// The entries of A, sorted by fingerprint once A is read.
#[derive(Default)]
pub struct Index {
    entries: Vec<Entry>,
    /// `starts[b]..starts[b + 1]`: the entries whose fingerprint's top bits are `b`.
    starts: Vec<usize>,
    shift: u32,
    sealed: bool,
}

impl Index {
    pub fn push(&mut self, e: Entry) {
        debug_assert!(!self.sealed);
        self.entries.push(e);
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Sorts and indexes; returns how many duplicate keys were dropped (a second record
    /// of a key already read: only a damaged file has them).
    pub fn seal(&mut self) -> u64 {
        self.entries.sort_unstable_by_key(|e| e.fp);
        let before = self.entries.len();
        self.entries.dedup_by_key(|e| e.fp);
        let dups = (before - self.entries.len()) as u64;
        self.entries.shrink_to_fit();
        let n = self.entries.len();
        // About 4 entries per bucket.
        let bits = (usize::BITS - (n / 4).max(1).leading_zeros()).clamp(1, 31);
        self.shift = 64 - bits;
        let buckets = 1usize << bits;
        let mut starts = Vec::with_capacity(buckets + 1);
        let mut i = 0usize;
        for b in 0..buckets as u64 {
            while self
                .entries
                .get(i)
                .is_some_and(|e| (e.fp[0] >> self.shift) < b)
            {
                i += 1;
            }
            starts.push(i);
        }
        starts.push(n);
        self.starts = starts;
        self.sealed = true;
        dups
    }

    fn bucket(&self, fp: &Fp) -> Range<usize> {
        let b = (fp[0] >> self.shift) as usize;
        let lo = self.starts.get(b).copied().unwrap_or(0);
        let hi = self.starts.get(b + 1).copied().unwrap_or(0);
        lo..hi
    }

    /// Looks up many keys at once: the index and entry loads of the whole batch are
    /// issued before any is waited for, so their cache misses overlap.
    pub fn get_batch(&mut self, fps: &[Fp], mut f: impl FnMut(usize, Option<&mut Entry>)) {
        let ranges: Vec<Range<usize>> = fps.iter().map(|fp| self.bucket(fp)).collect();
        let mut touch = 0u64;
        for r in &ranges {
            touch ^= self.entries.get(r.start).map_or(0, |e| e.fp[0]);
        }
        std::hint::black_box(touch);
        for (i, (fp, r)) in fps.iter().zip(ranges).enumerate() {
            let e = self
                .entries
                .get_mut(r)
                .and_then(|s| s.iter_mut().find(|e| e.fp == *fp));
            f(i, e);
        }
    }

    /// What the detail passes need: the keys of A that are not in B or changed.
    pub fn into_diffs(self, extra: Diffs) -> Diffs {
        let mut d = extra;
        for e in self.entries {
            if e.flags & MATCHED == 0 || e.flags & CHANGES != 0 {
                d.insert(e.fp, e);
            }
        }
        d
    }

    #[cfg(test)]
    pub fn get(&self, fp: &Fp) -> Option<&Entry> {
        let r = self.bucket(fp);
        self.entries.get(r)?.iter().find(|e| e.fp == *fp)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter()
    }

    /// Bytes held (entries and index).
    #[cfg(test)]
    pub fn heap_bytes(&self) -> usize {
        self.entries.capacity() * size_of::<Entry>() + self.starts.capacity() * size_of::<usize>()
    }
}

/// Fingerprints are already uniform: the map uses their low half as the hash.
#[derive(Default)]
pub struct FpHasher(u64);

impl Hasher for FpHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 ^= n;
    }
}

/// The keys that differ, by fingerprint: A's entries (flags as set in pass 2) and B's
/// keys that A lacks ([`ONLY_IN_B`]).
pub type Diffs = HashMap<Fp, Entry, BuildHasherDefault<FpHasher>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_key_and_nothing_else() {
        let mut ix = Index::default();
        for i in 0..10_000u64 {
            ix.push(Entry {
                fp: fingerprint(i % 3, &i.to_le_bytes()),
                digest: i,
                expire: NO_EXPIRE,
                ty: 0,
                flags: 0,
            });
        }
        // A duplicate record is dropped.
        ix.push(Entry {
            fp: fingerprint(0, &0u64.to_le_bytes()),
            digest: 0,
            expire: NO_EXPIRE,
            ty: 0,
            flags: 0,
        });
        assert_eq!(ix.seal(), 1);
        assert_eq!(ix.len(), 10_000);
        for i in 0..10_000u64 {
            let e = ix.get(&fingerprint(i % 3, &i.to_le_bytes())).unwrap();
            assert_eq!(e.digest, i);
            assert!(ix.get(&fingerprint(i % 3 + 1, &i.to_le_bytes())).is_none());
        }
        assert!(ix.heap_bytes() <= 10_000 * (size_of::<Entry>() + 4) + 64);
        assert_eq!(size_of::<Entry>(), 40);
    }

    #[test]
    fn an_empty_index_finds_nothing() {
        let mut ix = Index::default();
        ix.seal();
        assert!(ix.get(&fingerprint(0, b"k")).is_none());
    }
}

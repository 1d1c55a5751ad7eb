//! Duplicate detection for set members, hash fields and zset members with a fixed cost
//! per element: a 128-bit fingerprint (two independently keyed SipHash-1-3 values), so
//! a false duplicate needs a 128-bit collision.

use std::collections::HashSet;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

/// The fingerprints are already uniformly distributed: use their low bits as the hash.
#[derive(Default)]
struct Passthrough(u64);

impl Hasher for Passthrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes.iter().take(8) {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u128(&mut self, v: u128) {
        self.0 = v as u64;
    }
}

pub(crate) struct Dedupe {
    seen: HashSet<u128, BuildHasherDefault<Passthrough>>,
    k1: std::hash::RandomState,
    k2: std::hash::RandomState,
}

impl Dedupe {
    pub(crate) fn new() -> Self {
        Dedupe {
            seen: HashSet::default(),
            k1: std::hash::RandomState::new(),
            k2: std::hash::RandomState::new(),
        }
    }

    pub(crate) fn clear(&mut self) {
        // Keep a moderate allocation for the next key; drop a huge one.
        if self.seen.capacity() > 1 << 16 {
            self.seen = HashSet::default();
        } else {
            self.seen.clear();
        }
    }

    /// Records `item`; false if it was seen before in this key.
    pub(crate) fn insert(&mut self, item: &[u8]) -> bool {
        let a = self.k1.hash_one(item);
        let b = self.k2.hash_one(item);
        self.seen.insert((u128::from(a) << 64) | u128::from(b))
    }
}

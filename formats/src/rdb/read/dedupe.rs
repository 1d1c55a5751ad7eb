//! Duplicate detection for set members, hash fields and zset members with a fixed cost
//! per element: a 128-bit XXH3 fingerprint with a per-process random seed, so a false
//! duplicate needs a 128-bit collision.

use std::collections::HashSet;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

use xxhash_rust::xxh3::xxh3_128_with_seed;

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
    seed: u64,
}

impl Dedupe {
    pub(crate) fn new() -> Self {
        Dedupe {
            seen: HashSet::default(),
            seed: std::hash::RandomState::new().hash_one(0x5eed_u64),
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

    /// Room for `n` more elements (capped: the count comes from the file).
    pub(crate) fn reserve(&mut self, n: u64) {
        self.seen.reserve(n.min(4096) as usize);
    }

    /// Records `item`; false if it was seen before in this key.
    #[inline]
    pub(crate) fn insert(&mut self, item: &[u8]) -> bool {
        self.seen.insert(xxh3_128_with_seed(item, self.seed))
    }
}

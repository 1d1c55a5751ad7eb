//! [`Table`]: the keys of one database, in segments that grow one at a time.
//!
//! A plain hash table doubles by moving every entry at once; with a snapshot child
//! forked (capture mode), every page that move touches is copied, which is why Redis
//! stops rehashing while a child runs. Here the keys are spread over segments by the
//! top bits of their hash (extendible hashing): a segment that fills up splits in two,
//! moving at most [`SEG_MAX`] / 2 entries, and no operation ever touches more than one
//! segment's table. The directory (one `u32` per slot) is the only thing that doubles.
//!
//! The hash is XXH3 with a fixed seed, so the iteration order depends only on the
//! operations applied: the same AOF rewrites to the same bytes on every run.

use hashbrown::HashTable;

use super::Entry;

/// Entries a segment holds before it splits: hashbrown's capacity at 16384 buckets,
/// so a segment never grows past that (about 150 KB of table).
pub const SEG_MAX: usize = 14336;

pub fn hash(key: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(key)
}

#[derive(Clone, Default)]
struct Seg {
    depth: u32,
    map: HashTable<Box<Entry>>,
}

/// The entries of one database (see the module documentation).
#[derive(Clone)]
pub struct Table {
    dir: Vec<u32>,
    segs: Vec<Seg>,
    depth: u32,
    len: usize,
}

impl Default for Table {
    fn default() -> Self {
        Table {
            dir: vec![0],
            segs: vec![Seg::default()],
            depth: 0,
            len: 0,
        }
    }
}

// hashbrown hands its elements (boxes) to the hasher.
#[allow(clippy::borrowed_box)]
fn rehash(e: &Box<Entry>) -> u64 {
    hash(e.key())
}

impl Table {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn seg_of(&self, h: u64) -> usize {
        let slot = if self.depth == 0 {
            0
        } else {
            (h >> (64 - self.depth)) as usize
        };
        self.dir.get(slot).map_or(0, |&s| s as usize)
    }

    pub fn get(&self, key: &[u8]) -> Option<&Entry> {
        let h = hash(key);
        let s = self.segs.get(self.seg_of(h))?;
        s.map.find(h, |e| e.key() == key).map(|b| &**b)
    }

    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut Entry> {
        let h = hash(key);
        let si = self.seg_of(h);
        let s = self.segs.get_mut(si)?;
        s.map.find_mut(h, |e| e.key() == key).map(|b| &mut **b)
    }

    pub fn contains(&self, key: &[u8]) -> bool {
        self.get(key).is_some()
    }

    pub fn remove(&mut self, key: &[u8]) -> Option<Box<Entry>> {
        let h = hash(key);
        let si = self.seg_of(h);
        let s = self.segs.get_mut(si)?;
        let (e, _) = s.map.find_entry(h, |e| e.key() == key).ok()?.remove();
        self.len -= 1;
        Some(e)
    }

    /// Stores an entry, replacing (and returning) one with the same key.
    pub fn insert(&mut self, e: Box<Entry>) -> Option<Box<Entry>> {
        let h = hash(e.key());
        let mut si = self.seg_of(h);
        // A full segment splits first (even when the key is there to be replaced: it is
        // full either way), so the insert below never grows a table past SEG_MAX.
        if self.segs.get(si).is_some_and(|s| s.map.len() >= SEG_MAX) {
            self.split(si);
            si = self.seg_of(h);
        }
        let s = self.segs.get_mut(si)?;
        match s.map.entry(h, |x| x.key() == e.key(), rehash) {
            hashbrown::hash_table::Entry::Occupied(mut o) => {
                Some(std::mem::replace(o.get_mut(), e))
            }
            hashbrown::hash_table::Entry::Vacant(v) => {
                v.insert(e);
                self.len += 1;
                None
            }
        }
    }

    /// The entry of `key`, created by `make` when missing.
    pub fn get_or_insert_with(
        &mut self,
        key: &[u8],
        make: impl FnOnce() -> Box<Entry>,
    ) -> &mut Entry {
        let h = hash(key);
        let mut si = self.seg_of(h);
        if self.segs.get(si).is_some_and(|s| s.map.len() >= SEG_MAX) {
            self.split(si);
            si = self.seg_of(h);
        }
        // The directory only names existing segments, and a table always has one.
        let Some(s) = self.segs.get_mut(si) else {
            unreachable!("segment {si} named by the directory does not exist")
        };
        match s.map.entry(h, |x| x.key() == key, rehash) {
            hashbrown::hash_table::Entry::Occupied(o) => o.into_mut(),
            hashbrown::hash_table::Entry::Vacant(v) => {
                self.len += 1;
                v.insert(make()).into_mut()
            }
        }
    }

    /// Splits segment `si` in two by the next bit of the hash.
    fn split(&mut self, si: usize) {
        let Some(d) = self.segs.get(si).map(|s| s.depth) else {
            return;
        };
        if d >= 32 {
            return; // 2^32 segments: let this one grow instead
        }
        if d == self.depth {
            self.dir = self.dir.iter().flat_map(|&s| [s, s]).collect();
            self.depth += 1;
        }
        let bit = 63 - d;
        let moved: Vec<Box<Entry>> = match self.segs.get_mut(si) {
            Some(s) => {
                s.depth = d + 1;
                s.map.extract_if(|e| (rehash(e) >> bit) & 1 == 1).collect()
            }
            None => return,
        };
        let mut map = HashTable::with_capacity(moved.len());
        for e in moved {
            map.insert_unique(rehash(&e), e, rehash);
        }
        let ni = self.segs.len() as u32;
        self.segs.push(Seg { depth: d + 1, map });
        let shift = self.depth - d - 1;
        for (i, s) in self.dir.iter_mut().enumerate() {
            if *s as usize == si && (i >> shift) & 1 == 1 {
                *s = ni;
            }
        }
    }

    pub fn clear(&mut self) {
        *self = Table::default();
    }

    /// Every entry, segment by segment.
    pub fn iter(&self) -> impl Iterator<Item = &Entry> + '_ {
        self.segs.iter().flat_map(|s| s.map.iter().map(|b| &**b))
    }

    /// How many segments there are (for walking them a few at a time).
    pub fn segments(&self) -> usize {
        self.segs.len()
    }

    /// The entries of segment `i` (none past the last).
    pub fn segment(&self, i: usize) -> impl Iterator<Item = &Entry> + '_ {
        self.segs
            .get(i)
            .into_iter()
            .flat_map(|s| s.map.iter().map(|b| &**b))
    }

    /// Heap bytes held by the tables themselves (not the entries).
    pub fn table_bytes(&self) -> usize {
        self.dir.capacity() * 4
            + self
                .segs
                .iter()
                .map(|s| {
                    let b = s.map.capacity();
                    // Buckets are a power of two above capacity * 8 / 7.
                    let buckets = if b == 0 {
                        0
                    } else {
                        (b * 8 / 7).next_power_of_two()
                    };
                    buckets * (std::mem::size_of::<usize>() + 1)
                })
                .sum::<usize>()
    }
}

impl std::fmt::Debug for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Obj;

    fn entry(k: &[u8]) -> Box<Entry> {
        Box::new(Entry::new(k, Obj::Str(k.into()), None))
    }

    #[test]
    fn grows_by_splitting_segments() {
        let mut t = Table::default();
        let n = SEG_MAX * 5 + 17;
        for i in 0..n {
            assert!(t.insert(entry(format!("key:{i}").as_bytes())).is_none());
        }
        assert_eq!(t.len(), n);
        assert!(t.segs.len() > 4);
        assert!(t.segs.iter().all(|s| s.map.len() <= SEG_MAX));
        for i in 0..n {
            let k = format!("key:{i}");
            assert_eq!(t.get(k.as_bytes()).map(Entry::key), Some(k.as_bytes()));
        }
        assert_eq!(t.iter().count(), n);
        assert!(t.insert(entry(b"key:3")).is_some());
        for i in (0..n).step_by(2) {
            assert!(t.remove(format!("key:{i}").as_bytes()).is_some());
        }
        assert_eq!(t.len(), n / 2);
        assert!(t.get(b"key:0").is_none());
        assert!(t.get(b"key:1").is_some());
    }

    #[test]
    fn order_is_deterministic() {
        let build = || {
            let mut t = Table::default();
            for i in 0..50_000 {
                t.insert(entry(format!("k{i}").as_bytes()));
            }
            t.iter().map(|e| e.key().to_vec()).collect::<Vec<_>>()
        };
        assert_eq!(build(), build());
    }
}

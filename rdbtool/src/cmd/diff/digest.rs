//! The 64-bit digest of a value that pass 1 keeps for A and pass 2 computes for B.
//! Equal values have equal digests whatever the encoding or the order a file stores
//! unordered collections in: sets, hashes, sorted sets, stream groups and consumers
//! are summed element by element (order-independent); lists and stream entries are
//! hashed in order. What conversions legitimately change is left out: encodings,
//! LRU/LFU, consumers' seen and active times, a stream's first id (its first entry);
//! stream counters older RDBs do not store only when both sides store them, and
//! groups' `entries_read` only once the values are compared in full, when both know it.

use formats::rdb::DataType;
use formats::rdb::encodings::Elem;
use formats::rdb::read::{StreamGroup, StreamId, StreamMeta};
use xxhash_rust::xxh3::{Xxh3Default, xxh3_64_with_seed, xxh3_128, xxh3_128_with_seed};

/// What the digests cover, the same for both sides.
#[derive(Debug, Clone, Copy)]
pub struct Scope {
    /// Hash fields' own TTLs.
    pub field_ttls: bool,
    /// `entries_added` and `max_deleted_id` (and groups' `entries_read`, in full
    /// comparisons).
    pub stream_counters: bool,
}

pub struct Digest {
    scope: Scope,
    ordered: Xxh3Default,
    sum: u128,
    count: u64,
    scratch: itoa::Buffer,
}

impl Digest {
    pub fn new(scope: Scope) -> Self {
        Digest {
            scope,
            ordered: Xxh3Default::new(),
            sum: 0,
            count: 0,
            scratch: itoa::Buffer::new(),
        }
    }

    pub fn begin(&mut self) {
        self.ordered.reset();
        self.sum = 0;
        self.count = 0;
    }

    fn ordered_bytes(&mut self, b: &[u8]) {
        self.ordered.update(&(b.len() as u64).to_le_bytes());
        self.ordered.update(b);
    }

    fn add(&mut self, h: u128) {
        self.sum = self.sum.wrapping_add(h);
        self.count += 1;
    }

    pub fn string(&mut self, v: &[u8]) {
        self.ordered.update(v);
    }

    pub fn list_element(&mut self, e: &[u8]) {
        self.ordered_bytes(e);
        self.count += 1;
    }

    pub fn set_member(&mut self, m: &[u8]) {
        self.add(xxh3_128(m));
    }

    pub fn zset_member(&mut self, m: &[u8], score: f64) {
        self.add(xxh3_128_with_seed(m, score.to_bits()));
    }

    pub fn hash_field(&mut self, f: &[u8], v: &[u8], ttl: Option<i64>) {
        let ttl = match ttl {
            Some(t) if self.scope.field_ttls => t as u64,
            _ => u64::MAX,
        };
        self.add(xxh3_128_with_seed(f, xxh3_64_with_seed(v, ttl)));
    }

    pub fn stream_entry(&mut self, id: StreamId, fields: &[(Elem<'_>, Elem<'_>)]) {
        self.ordered.update(&id.to_raw());
        self.ordered.update(&(fields.len() as u64).to_le_bytes());
        for (f, v) in fields {
            for e in [f, v] {
                let mut s = std::mem::replace(&mut self.scratch, itoa::Buffer::new());
                let b = e.as_bytes(&mut s);
                self.ordered.update(&(b.len() as u64).to_le_bytes());
                self.ordered.update(b);
                self.scratch = s;
            }
        }
        self.count += 1;
    }

    pub fn stream_meta(&mut self, m: &StreamMeta) {
        let mut h = Xxh3Default::new();
        h.update(&m.length.to_le_bytes());
        h.update(&m.last_id.to_raw());
        if self.scope.stream_counters {
            h.update(&m.entries_added.to_le_bytes());
            h.update(&m.max_deleted_id.to_raw());
        }
        // Kept apart from the entries so that it can arrive at any point.
        self.sum = self.sum.wrapping_add(h.digest128().rotate_left(1));
    }

    pub fn stream_group(&mut self, g: &StreamGroup) {
        let mut h = Xxh3Default::new();
        let bytes = |h: &mut Xxh3Default, b: &[u8]| {
            h.update(&(b.len() as u64).to_le_bytes());
            h.update(b);
        };
        bytes(&mut h, &g.name);
        h.update(&g.last_id.to_raw());
        // Not `entries_read`: Redis itself leaves it unknown when it replays its own
        // AOF (XREADGROUP is propagated without it), so unknown must match any value,
        // which a digest cannot do. It is compared with the rest when both know it.
        for p in &g.pel {
            h.update(&p.id.to_raw());
            h.update(&p.delivery_time_ms.to_le_bytes());
            h.update(&p.delivery_count.to_le_bytes());
            h.update(&[u8::from(p.nacked)]);
            match p.consumer.and_then(|c| g.consumers.get(c)) {
                Some(c) => bytes(&mut h, &c.name),
                None => h.update(&u64::MAX.to_le_bytes()),
            }
        }
        // Consumers in any order; their PELs are the group PEL's owners above.
        let mut consumers = 0u128;
        for c in &g.consumers {
            consumers = consumers.wrapping_add(xxh3_128(&c.name));
        }
        h.update(&consumers.to_le_bytes());
        self.add(h.digest128());
    }

    pub fn module_value(&mut self, name: &str, raw: &[u8]) {
        self.ordered_bytes(name.as_bytes());
        self.ordered_bytes(raw);
    }

    pub fn finish(&mut self, t: DataType) -> u64 {
        let mut h = Xxh3Default::new();
        h.update(&[t as u8]);
        h.update(&self.count.to_le_bytes());
        h.update(&self.sum.to_le_bytes());
        h.update(&self.ordered.digest128().to_le_bytes());
        h.digest()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCOPE: Scope = Scope {
        field_ttls: true,
        stream_counters: true,
    };

    fn set(members: &[&[u8]]) -> u64 {
        let mut d = Digest::new(SCOPE);
        d.begin();
        for m in members {
            d.set_member(m);
        }
        d.finish(DataType::Set)
    }

    fn list(elements: &[&[u8]]) -> u64 {
        let mut d = Digest::new(SCOPE);
        d.begin();
        for e in elements {
            d.list_element(e);
        }
        d.finish(DataType::List)
    }

    #[test]
    fn sets_ignore_order_and_lists_do_not() {
        assert_eq!(set(&[b"a", b"b", b"c"]), set(&[b"c", b"a", b"b"]));
        assert_ne!(set(&[b"a", b"b"]), set(&[b"a", b"c"]));
        assert_ne!(list(&[b"a", b"b"]), list(&[b"b", b"a"]));
        // Element boundaries count.
        assert_ne!(list(&[b"ab", b"c"]), list(&[b"a", b"bc"]));
        assert_ne!(set(&[]), list(&[]));
    }

    #[test]
    fn field_ttls_count_only_in_scope() {
        let hash = |scope, ttl| {
            let mut d = Digest::new(scope);
            d.begin();
            d.hash_field(b"f", b"v", ttl);
            d.finish(DataType::Hash)
        };
        assert_ne!(hash(SCOPE, Some(1)), hash(SCOPE, None));
        let no_ttls = Scope {
            field_ttls: false,
            ..SCOPE
        };
        assert_eq!(hash(no_ttls, Some(1)), hash(no_ttls, None));
    }
}

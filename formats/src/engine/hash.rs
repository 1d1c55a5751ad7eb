//! Hashes: packed while Redis would keep a listpack (at most 512 fields, names and
//! values of at most 64 bytes), in the listpack's field order; a hash table of inline
//! byte strings past that, as Redis converts (and, like Redis, never back).

use hashbrown::HashTable;

use super::Bytes;
use super::pack::Pack;
use super::table::hash;
use crate::rdb::value::HashValue;

/// `hash-max-listpack-entries`: Redis's compiled-in default (its sample redis.conf
/// says 128; a server started without one holds 512).
pub const SMALL_FIELDS: usize = 512;
/// `hash-max-listpack-value` (Redis's default).
pub const SMALL_VALUE: usize = 64;

const NO_TTL: i64 = i64::MIN;

/// A field as read: its value and its own absolute expiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field<'a> {
    pub value: &'a [u8],
    pub expire_ms: Option<i64>,
}

/// A field of a hash-table hash.
#[derive(Debug, Clone)]
pub struct BigField {
    name: Bytes,
    value: Bytes,
    expire: i64,
}

fn rehash(f: &BigField) -> u64 {
    hash(&f.name)
}

fn ttl_of(item: &[u8]) -> Option<i64> {
    <[u8; 8]>::try_from(item).ok().map(i64::from_le_bytes)
}

/// A hash (see the module documentation).
#[derive(Debug, Clone)]
pub struct Hash(Repr);

#[derive(Debug, Clone)]
enum Repr {
    /// Field, value, expiry (empty, or 8 bytes little-endian) per field.
    Small {
        pack: Pack,
        len: u32,
    },
    Big(Box<HashTable<BigField>>),
}

impl Default for Hash {
    fn default() -> Self {
        Hash(Repr::Small {
            pack: Pack::new(),
            len: 0,
        })
    }
}

impl PartialEq for Hash {
    fn eq(&self, o: &Hash) -> bool {
        self.len() == o.len() && self.iter().all(|(k, f)| o.get(k) == Some(f))
    }
}

/// Where a field's three items sit in a small hash.
struct At {
    start: usize,
    end: usize,
}

impl Hash {
    pub fn len(&self) -> usize {
        match &self.0 {
            Repr::Small { len, .. } => *len as usize,
            Repr::Big(t) => t.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the fields keep an order (Redis's listpack order).
    pub fn is_ordered(&self) -> bool {
        matches!(self.0, Repr::Small { .. })
    }

    fn find_small<'p>(pack: &'p Pack, k: &[u8]) -> Option<(At, Field<'p>)> {
        let mut off = 0;
        while let Some((name, v_at)) = pack.get_at(off) {
            let (value, t_at) = pack.get_at(v_at)?;
            let (ttl, end) = pack.get_at(t_at)?;
            if name == k {
                return Some((
                    At { start: off, end },
                    Field {
                        value,
                        expire_ms: ttl_of(ttl),
                    },
                ));
            }
            off = end;
        }
        None
    }

    pub fn get(&self, k: &[u8]) -> Option<Field<'_>> {
        match &self.0 {
            Repr::Small { pack, .. } => Self::find_small(pack, k).map(|(_, f)| f),
            Repr::Big(t) => t.find(hash(k), |f| f.name.as_slice() == k).map(|f| Field {
                value: &f.value,
                expire_ms: (f.expire != NO_TTL).then_some(f.expire),
            }),
        }
    }

    fn encode(k: &[u8], v: &[u8], ttl: Option<i64>) -> Vec<u8> {
        let t = ttl.map(i64::to_le_bytes);
        Pack::encode([k, v, t.as_ref().map_or(&[][..], |b| &b[..])])
    }

    fn make_big(&mut self) {
        if let Repr::Small { pack, len } = &self.0 {
            let mut t = HashTable::with_capacity(*len as usize + 1);
            let mut it = pack.iter();
            while let (Some(k), Some(v), Some(ttl)) = (it.next(), it.next(), it.next()) {
                let f = BigField {
                    name: Bytes::from(k),
                    value: Bytes::from(v),
                    expire: ttl_of(ttl).unwrap_or(NO_TTL),
                };
                t.insert_unique(hash(k), f, rehash);
            }
            self.0 = Repr::Big(Box::new(t));
        }
    }

    /// Sets a field's value and expiry. An existing field keeps its place; a new one
    /// goes last. Converts to a hash table where Redis's `hashTypeSet` does. Returns
    /// whether the field is new.
    pub fn insert(&mut self, k: &[u8], v: &[u8], ttl: Option<i64>) -> bool {
        if k.len() > SMALL_VALUE || v.len() > SMALL_VALUE {
            self.make_big();
        }
        match &mut self.0 {
            Repr::Small { pack, len } => {
                let enc = Self::encode(k, v, ttl);
                let new = match Self::find_small(pack, k) {
                    Some((at, _)) => {
                        pack.splice(at.start, at.end, &enc);
                        false
                    }
                    None => {
                        let end = pack.bytes();
                        pack.splice(end, end, &enc);
                        *len += 1;
                        true
                    }
                };
                if *len as usize > SMALL_FIELDS {
                    self.make_big();
                }
                new
            }
            Repr::Big(t) => {
                let f = BigField {
                    name: Bytes::from(k),
                    value: Bytes::from(v),
                    expire: ttl.unwrap_or(NO_TTL),
                };
                match t.entry(hash(k), |x| x.name.as_slice() == k, rehash) {
                    hashbrown::hash_table::Entry::Occupied(mut o) => {
                        *o.get_mut() = f;
                        false
                    }
                    hashbrown::hash_table::Entry::Vacant(e) => {
                        e.insert(f);
                        true
                    }
                }
            }
        }
    }

    /// Removes a field; returns its expiry (`Some(None)` for none) if it was there.
    pub fn remove(&mut self, k: &[u8]) -> Option<Option<i64>> {
        match &mut self.0 {
            Repr::Small { pack, len } => {
                let (at, f) = Self::find_small(pack, k)?;
                let ttl = f.expire_ms;
                pack.remove_range(at.start, at.end);
                *len -= 1;
                Some(ttl)
            }
            Repr::Big(t) => {
                let e = t.find_entry(hash(k), |x| x.name.as_slice() == k).ok()?;
                let (f, _) = e.remove();
                Some((f.expire != NO_TTL).then_some(f.expire))
            }
        }
    }

    /// Gives an existing field the expiry `ttl`, moving it where a `listpackEx` puts it
    /// (`listpackExUpdateExpiry`: before the first field with no expiry or an expiry at
    /// or after `ttl`; last when there is none or `ttl` is None). A hash table has no
    /// order to keep.
    pub fn set_expire(&mut self, k: &[u8], ttl: Option<i64>) {
        match &mut self.0 {
            Repr::Small { pack, .. } => {
                let Some((at, f)) = Self::find_small(pack, k) else {
                    return;
                };
                let enc = Self::encode(k, f.value, ttl);
                pack.remove_range(at.start, at.end);
                let dest = ttl.and_then(|t| {
                    let mut off = 0;
                    while let Some((_, v_at)) = pack.get_at(off) {
                        let (_, t_at) = pack.get_at(v_at)?;
                        let (x, end) = pack.get_at(t_at)?;
                        if ttl_of(x).is_none_or(|e| e >= t) {
                            return Some(off);
                        }
                        off = end;
                    }
                    None
                });
                let dest = dest.unwrap_or(pack.bytes());
                pack.splice(dest, dest, &enc);
            }
            Repr::Big(t) => {
                if let Some(f) = t.find_mut(hash(k), |x| x.name.as_slice() == k) {
                    f.expire = ttl.unwrap_or(NO_TTL);
                }
            }
        }
    }

    /// The fields: in listpack order while small, the table's after.
    pub fn iter(&self) -> Iter<'_> {
        match &self.0 {
            Repr::Small { pack, .. } => Iter::Small(pack.iter()),
            Repr::Big(t) => Iter::Big(t.iter()),
        }
    }

    /// Heap bytes held (beyond the `Hash` itself).
    pub fn heap_size(&self) -> usize {
        match &self.0 {
            Repr::Small { pack, .. } => pack.heap_size(),
            Repr::Big(t) => {
                let cap = t.capacity();
                let buckets = if cap == 0 {
                    0
                } else {
                    (cap * 8 / 7).next_power_of_two()
                };
                std::mem::size_of::<HashTable<BigField>>()
                    + buckets * (std::mem::size_of::<BigField>() + 1)
                    + t.iter()
                        .map(|f| f.name.heap_size() + f.value.heap_size())
                        .sum::<usize>()
            }
        }
    }

    /// The fields into a record's value.
    pub fn fill(&self, v: &mut HashValue) {
        for (k, f) in self.iter() {
            v.push(k, f.value, f.expire_ms);
        }
    }

    pub fn from_value(h: &HashValue) -> Hash {
        let mut out = Hash::default();
        for ((f, v), &t) in h.fields.iter().zip(h.values.iter()).zip(&h.ttls) {
            out.insert(f, v, t);
        }
        out
    }
}

/// The fields of a [`Hash`].
pub enum Iter<'a> {
    Small(super::pack::Iter<'a>),
    Big(hashbrown::hash_table::Iter<'a, BigField>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a [u8], Field<'a>);
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Iter::Small(i) => {
                let (k, v, t) = (i.next()?, i.next()?, i.next()?);
                Some((
                    k,
                    Field {
                        value: v,
                        expire_ms: ttl_of(t),
                    },
                ))
            }
            Iter::Big(i) => i.next().map(|f| {
                (
                    f.name.as_slice(),
                    Field {
                        value: &f.value,
                        expire_ms: (f.expire != NO_TTL).then_some(f.expire),
                    },
                )
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(h: &Hash) -> Vec<String> {
        h.iter()
            .map(|(k, _)| String::from_utf8_lossy(k).into_owned())
            .collect()
    }

    #[test]
    fn small_keeps_listpack_order_and_converts_like_redis() {
        let mut h = Hash::default();
        assert!(h.insert(b"a", b"1", None));
        assert!(h.insert(b"b", b"2", None));
        assert!(h.insert(b"c", b"3", None));
        assert!(!h.insert(b"a", b"9", None));
        assert_eq!(names(&h), ["a", "b", "c"]);
        h.set_expire(b"c", Some(50));
        h.set_expire(b"b", Some(50));
        assert_eq!(names(&h), ["b", "c", "a"]);
        assert_eq!(h.get(b"c").map(|f| f.expire_ms), Some(Some(50)));
        h.set_expire(b"b", None);
        assert_eq!(names(&h), ["c", "a", "b"]);
        assert_eq!(h.remove(b"c"), Some(Some(50)));
        assert_eq!(h.remove(b"c"), None);
        assert_eq!(h.get(b"a").map(|f| f.value), Some(&b"9"[..]));
        assert!(h.is_ordered());
        h.insert(b"long", &[b'x'; SMALL_VALUE + 1], Some(7));
        assert!(!h.is_ordered());
        assert_eq!(h.len(), 3);
        assert_eq!(h.get(b"long").map(|f| f.expire_ms), Some(Some(7)));
        let mut g = Hash::default();
        for i in 0..=SMALL_FIELDS {
            g.insert(format!("f{i}").as_bytes(), b"v", None);
        }
        assert!(!g.is_ordered());
        assert_eq!(g.len(), SMALL_FIELDS + 1);
        assert_eq!(g.remove(b"f3"), Some(None));
        assert_eq!(g.iter().count(), SMALL_FIELDS);
    }
}

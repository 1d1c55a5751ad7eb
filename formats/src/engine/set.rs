//! Sets: packed while small, a hash table of [`Bytes`] past that.
//!
//! The small form follows Redis 7.2's listpack sets (at most 128 members of at most 64
//! bytes); Redis 7.0 holds such sets as intsets or hash tables, which cost more. Member
//! order has no meaning for a set (no replayed command depends on it), so the form is
//! chosen for memory alone; once big, a set stays big, as in Redis.

use hashbrown::HashTable;

use super::Bytes;
use super::pack::{Pack, item_size};
use super::table::hash;
use crate::rdb::value::Strings;

/// Members a small set holds at most.
pub const SMALL_MEMBERS: usize = 128;
/// Longest member a small set holds.
pub const SMALL_MEMBER_LEN: usize = 64;

/// A set (see the module documentation).
#[derive(Debug, Clone)]
pub struct Set(Repr);

#[derive(Debug, Clone)]
enum Repr {
    Small { pack: Pack, len: u32 },
    Big(Box<HashTable<Bytes>>),
}

impl Default for Set {
    fn default() -> Self {
        Set::new()
    }
}

impl PartialEq for Set {
    fn eq(&self, o: &Set) -> bool {
        self.len() == o.len() && self.iter().all(|m| o.contains(m))
    }
}

impl Eq for Set {}

fn rehash(b: &Bytes) -> u64 {
    hash(b)
}

impl Set {
    pub const fn new() -> Set {
        Set(Repr::Small {
            pack: Pack::new(),
            len: 0,
        })
    }

    pub fn len(&self) -> usize {
        match &self.0 {
            Repr::Small { len, .. } => *len as usize,
            Repr::Big(t) => t.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn contains(&self, m: &[u8]) -> bool {
        match &self.0 {
            Repr::Small { pack, .. } => pack.iter().any(|x| x == m),
            Repr::Big(t) => t.find(hash(m), |x| x.as_slice() == m).is_some(),
        }
    }

    /// Adds a member; returns whether it was new.
    pub fn insert(&mut self, m: &[u8]) -> bool {
        if let Repr::Small { pack, len } = &mut self.0 {
            if pack.iter().any(|x| x == m) {
                return false;
            }
            if (*len as usize) < SMALL_MEMBERS && m.len() <= SMALL_MEMBER_LEN {
                pack.push(&[m]);
                *len += 1;
                return true;
            }
            self.make_big();
        }
        match &mut self.0 {
            Repr::Big(t) => {
                let h = hash(m);
                if t.find(h, |x| x.as_slice() == m).is_some() {
                    return false;
                }
                t.insert_unique(h, Bytes::from(m), rehash);
                true
            }
            Repr::Small { .. } => false,
        }
    }

    fn make_big(&mut self) {
        if let Repr::Small { pack, len } = &self.0 {
            let mut t = HashTable::with_capacity(*len as usize + 1);
            for m in pack.iter() {
                t.insert_unique(hash(m), Bytes::from(m), rehash);
            }
            self.0 = Repr::Big(Box::new(t));
        }
    }

    /// Removes a member; returns whether it was there.
    pub fn remove(&mut self, m: &[u8]) -> bool {
        match &mut self.0 {
            Repr::Small { pack, len } => {
                let Some((at, x)) = pack.iter_at().find(|(_, x)| *x == m) else {
                    return false;
                };
                let end = at + item_size(x.len());
                pack.remove_range(at, end);
                *len -= 1;
                true
            }
            Repr::Big(t) => match t.find_entry(hash(m), |x| x.as_slice() == m) {
                Ok(e) => {
                    e.remove();
                    true
                }
                Err(_) => false,
            },
        }
    }

    /// The members, in the set's order (insertion order while small, the table's
    /// after: the same for the same history).
    pub fn iter(&self) -> Iter<'_> {
        match &self.0 {
            Repr::Small { pack, .. } => Iter::Small(pack.iter()),
            Repr::Big(t) => Iter::Big(t.iter()),
        }
    }

    /// Heap bytes held (beyond the `Set` itself).
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
                std::mem::size_of::<HashTable<Bytes>>()
                    + buckets * (std::mem::size_of::<Bytes>() + 1)
                    + t.iter().map(Bytes::heap_size).sum::<usize>()
            }
        }
    }

    /// The members into a record's value.
    pub fn fill(&self, v: &mut Strings) {
        self.iter().for_each(|m| v.push(m));
    }

    pub fn from_value(s: &Strings) -> Set {
        s.iter().collect()
    }
}

/// The members of a [`Set`].
pub enum Iter<'a> {
    Small(super::pack::Iter<'a>),
    Big(hashbrown::hash_table::Iter<'a, Bytes>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = &'a [u8];
    fn next(&mut self) -> Option<&'a [u8]> {
        match self {
            Iter::Small(i) => i.next(),
            Iter::Big(i) => i.next().map(Bytes::as_slice),
        }
    }
}

impl<'a> FromIterator<&'a [u8]> for Set {
    fn from_iter<I: IntoIterator<Item = &'a [u8]>>(it: I) -> Set {
        let mut s = Set::new();
        for m in it {
            s.insert(m);
        }
        s
    }
}

impl FromIterator<Vec<u8>> for Set {
    fn from_iter<I: IntoIterator<Item = Vec<u8>>>(it: I) -> Set {
        let mut s = Set::new();
        for m in it {
            s.insert(&m);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_then_big() {
        let mut s = Set::new();
        for i in 0..SMALL_MEMBERS {
            assert!(s.insert(format!("m{i}").as_bytes()));
        }
        assert!(matches!(s.0, Repr::Small { .. }));
        assert!(!s.insert(b"m3"));
        assert!(s.insert(b"one more"));
        assert!(matches!(s.0, Repr::Big(_)));
        assert_eq!(s.len(), SMALL_MEMBERS + 1);
        assert!(s.remove(b"m3"));
        assert!(!s.remove(b"m3"));
        assert!(!s.contains(b"m3"));
        assert!(s.contains(b"m4"));
        assert_eq!(s.iter().count(), SMALL_MEMBERS);

        let mut t = Set::new();
        t.insert(b"a");
        t.insert(&[b'x'; SMALL_MEMBER_LEN + 1]);
        assert!(matches!(t.0, Repr::Big(_)));
        assert!(t.contains(b"a"));
        let mut u = Set::new();
        u.insert(b"b");
        u.insert(b"a");
        assert!(u.remove(b"b"));
        assert_eq!(u.iter().collect::<Vec<_>>(), vec![&b"a"[..]]);
        assert_eq!(u, ["a".as_bytes()].into_iter().collect::<Set>());
    }
}

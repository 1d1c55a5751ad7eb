//! Lists: chunks of packed elements, as Redis 7's quicklist holds them in listpack
//! nodes (`list-max-listpack-size -2`: 8 KB), so an element costs its bytes and a length
//! varint, never an allocation of its own. Positions are found by walking the chunks'
//! counts; an element is found in its chunk by scanning at most 8 KB.

use super::pack::{Pack, item_size};
use crate::rdb::value::Strings;

/// Bytes a chunk grows to before a new one is started (a bigger element gets a chunk of
/// its own).
pub const CHUNK_BYTES: usize = 8192;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Chunk {
    pack: Pack,
    n: u32,
}

impl Chunk {
    /// Start and end offsets of item `j`.
    fn span(&self, j: usize) -> Option<(usize, usize)> {
        let (at, item) = self.pack.iter_at().nth(j)?;
        Some((at, at + item_size(item.len())))
    }

    fn get(&self, j: usize) -> Option<&[u8]> {
        self.pack.iter().nth(j)
    }
}

/// A list (see the module documentation).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct List {
    chunks: Vec<Chunk>,
    len: usize,
}

impl List {
    pub fn new() -> List {
        List::default()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The chunk holding element `i` and its index there.
    fn locate(&self, i: usize) -> Option<(usize, usize)> {
        if i >= self.len {
            return None;
        }
        if i < self.len / 2 {
            let mut left = i;
            for (ci, c) in self.chunks.iter().enumerate() {
                if left < c.n as usize {
                    return Some((ci, left));
                }
                left -= c.n as usize;
            }
            None
        } else {
            let mut right = self.len - 1 - i;
            for (ci, c) in self.chunks.iter().enumerate().rev() {
                if right < c.n as usize {
                    return Some((ci, c.n as usize - 1 - right));
                }
                right -= c.n as usize;
            }
            None
        }
    }

    pub fn get(&self, i: usize) -> Option<&[u8]> {
        let (ci, j) = self.locate(i)?;
        self.chunks.get(ci)?.get(j)
    }

    /// Replaces element `i`; false when out of range.
    pub fn set(&mut self, i: usize, v: &[u8]) -> bool {
        let Some((ci, j)) = self.locate(i) else {
            return false;
        };
        let Some(c) = self.chunks.get_mut(ci) else {
            return false;
        };
        let Some((s, e)) = c.span(j) else {
            return false;
        };
        c.pack.splice(s, e, &Pack::encode([v]));
        self.split_if_big(ci);
        true
    }

    /// Splits chunk `ci` in two when it grew past [`CHUNK_BYTES`].
    fn split_if_big(&mut self, ci: usize) {
        let Some(c) = self.chunks.get_mut(ci) else {
            return;
        };
        if c.pack.bytes() <= CHUNK_BYTES || c.n < 2 {
            return;
        }
        let half = c.n as usize / 2;
        let Some((at, _)) = c.span(half) else {
            return;
        };
        let tail = Chunk {
            pack: c.pack.split_off(at),
            n: c.n - half as u32,
        };
        c.n = half as u32;
        self.chunks.insert(ci + 1, tail);
    }

    /// Inserts `v` before element `i` (`i == len` appends).
    pub fn insert(&mut self, i: usize, v: &[u8]) {
        if i >= self.len {
            return self.push_back(v);
        }
        let Some((ci, j)) = self.locate(i) else {
            return;
        };
        let Some(c) = self.chunks.get_mut(ci) else {
            return;
        };
        let at = c.span(j).map_or(c.pack.bytes(), |(s, _)| s);
        c.pack.insert_at(at, &[v]);
        c.n += 1;
        self.len += 1;
        self.split_if_big(ci);
    }

    pub fn push_back(&mut self, v: &[u8]) {
        match self.chunks.last_mut() {
            Some(c) if c.pack.bytes() + item_size(v.len()) <= CHUNK_BYTES => {
                c.pack.push(&[v]);
                c.n += 1;
            }
            _ => {
                let mut pack = Pack::new();
                pack.push(&[v]);
                self.chunks.reserve_exact(1);
                self.chunks.push(Chunk { pack, n: 1 });
            }
        }
        self.len += 1;
    }

    pub fn push_front(&mut self, v: &[u8]) {
        match self.chunks.first_mut() {
            Some(c) if c.pack.bytes() + item_size(v.len()) <= CHUNK_BYTES => {
                c.pack.insert_at(0, &[v]);
                c.n += 1;
            }
            _ => {
                let mut pack = Pack::new();
                pack.push(&[v]);
                self.chunks.reserve_exact(1);
                self.chunks.insert(0, Chunk { pack, n: 1 });
            }
        }
        self.len += 1;
    }

    /// Removes element `i`.
    pub fn remove(&mut self, i: usize) -> Option<Vec<u8>> {
        let (ci, j) = self.locate(i)?;
        let c = self.chunks.get_mut(ci)?;
        // One walk of the chunk finds both the element and where it is.
        let (s, item) = c.pack.iter_at().nth(j)?;
        let (v, e) = (item.to_vec(), s + item_size(item.len()));
        c.pack.remove_range(s, e);
        c.n -= 1;
        if c.n == 0 {
            self.chunks.remove(ci);
        }
        self.len -= 1;
        Some(v)
    }

    pub fn pop_front(&mut self) -> Option<Vec<u8>> {
        self.remove(0)
    }

    pub fn pop_back(&mut self) -> Option<Vec<u8>> {
        self.len.checked_sub(1).and_then(|i| self.remove(i))
    }

    /// Removes the first `n` elements (at most all).
    pub fn drain_front(&mut self, n: usize) {
        let mut n = n.min(self.len);
        self.len -= n;
        let whole = self
            .chunks
            .iter()
            .scan(0usize, |acc, c| {
                *acc += c.n as usize;
                Some(*acc)
            })
            .take_while(|&acc| acc <= n)
            .count();
        for c in self.chunks.drain(..whole) {
            n -= c.n as usize;
        }
        if n > 0
            && let Some(c) = self.chunks.first_mut()
            && let Some((s, _)) = c.span(n)
        {
            c.pack.remove_range(0, s);
            c.n -= n as u32;
        }
    }

    /// Keeps the first `n` elements.
    pub fn truncate(&mut self, n: usize) {
        if n >= self.len {
            return;
        }
        let mut drop = self.len - n;
        self.len = n;
        while let Some(c) = self.chunks.last_mut() {
            if (c.n as usize) <= drop {
                drop -= c.n as usize;
                self.chunks.pop();
                continue;
            }
            if drop > 0
                && let Some((s, _)) = c.span(c.n as usize - drop)
            {
                c.pack.remove_range(s, c.pack.bytes());
                c.n -= drop as u32;
            }
            break;
        }
    }

    /// Keeps the elements for which `keep` is true, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(&[u8]) -> bool) {
        let mut out = List::new();
        for e in self.iter() {
            if keep(e) {
                out.push_back(e);
            }
        }
        *self = out;
    }

    pub fn clear(&mut self) {
        *self = List::new();
    }

    /// The elements, head first.
    pub fn iter(&self) -> impl Iterator<Item = &[u8]> + '_ {
        self.chunks.iter().flat_map(|c| c.pack.iter())
    }

    /// Heap bytes held (beyond the `List` itself).
    pub fn heap_size(&self) -> usize {
        self.chunks.capacity() * std::mem::size_of::<Chunk>()
            + self
                .chunks
                .iter()
                .map(|c| c.pack.heap_size())
                .sum::<usize>()
    }

    /// The elements into a record's value.
    pub fn fill(&self, v: &mut Strings) {
        self.iter().for_each(|e| v.push(e));
    }

    pub fn from_value(l: &Strings) -> List {
        l.iter().collect()
    }
}

impl<'a> FromIterator<&'a [u8]> for List {
    fn from_iter<I: IntoIterator<Item = &'a [u8]>>(it: I) -> List {
        let mut l = List::new();
        for e in it {
            l.push_back(e);
        }
        l
    }
}

impl FromIterator<Vec<u8>> for List {
    fn from_iter<I: IntoIterator<Item = Vec<u8>>>(it: I) -> List {
        let mut l = List::new();
        for e in it {
            l.push_back(&e);
        }
        l
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;

    fn check(l: &List, m: &VecDeque<Vec<u8>>) {
        assert_eq!(l.len(), m.len());
        let got: Vec<&[u8]> = l.iter().collect();
        let want: Vec<&[u8]> = m.iter().map(Vec::as_slice).collect();
        assert_eq!(got, want);
        for (i, w) in m.iter().enumerate() {
            assert_eq!(l.get(i), Some(w.as_slice()));
        }
        assert!(l.chunks.iter().all(|c| c.n > 0));
        assert_eq!(
            l.chunks.iter().map(|c| c.n as usize).sum::<usize>(),
            l.len()
        );
    }

    #[test]
    fn behaves_like_a_deque() {
        let mut l = List::new();
        let mut m: VecDeque<Vec<u8>> = VecDeque::new();
        let mut x = 12345u64;
        for step in 0..6000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v: Vec<u8> = format!("{step}:{}", "z".repeat((x % 300) as usize)).into_bytes();
            let i = if m.is_empty() {
                0
            } else {
                (x as usize / 7) % m.len()
            };
            match x % 11 {
                0..=2 => {
                    l.push_back(&v);
                    m.push_back(v);
                }
                3..=4 => {
                    l.push_front(&v);
                    m.push_front(v);
                }
                5 => assert_eq!(l.pop_front(), m.pop_front()),
                6 => assert_eq!(l.pop_back(), m.pop_back()),
                7 => {
                    l.insert(i, &v);
                    m.insert(i, v);
                }
                8 => {
                    if !m.is_empty() {
                        assert!(l.set(i, &v));
                        m[i] = v;
                    }
                }
                9 => assert_eq!(l.remove(i), m.remove(i)),
                _ => {
                    if x.is_multiple_of(5) {
                        l.drain_front(i / 3);
                        m.drain(..i / 3);
                    } else if x % 5 == 1 {
                        let keep = m.len().saturating_sub(i / 3);
                        l.truncate(keep);
                        m.truncate(keep);
                    }
                }
            }
            if step % 97 == 0 {
                check(&l, &m);
            }
        }
        check(&l, &m);
        l.retain(|e| e.len() % 2 == 0);
        m.retain(|e| e.len() % 2 == 0);
        check(&l, &m);
        for i in 0..100 {
            let v = vec![i as u8; 300];
            l.push_back(&v);
            m.push_back(v);
        }
        check(&l, &m);
        assert!(l.chunks.len() > 1);
    }
}

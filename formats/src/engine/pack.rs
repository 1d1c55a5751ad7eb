//! [`Pack`]: byte strings packed one after another in one buffer, each behind its
//! length as a LEB128 varint, the way a listpack packs small collections: a few bytes of
//! overhead per element instead of a pointer and an allocation each. Small sets, hashes
//! and sorted sets are a `Pack`, and lists are chunks of them; lookups scan, so the
//! collections convert to hash tables past a size (as Redis converts listpacks).

/// Packed byte strings (see the module documentation).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Pack {
    buf: Vec<u8>,
}

/// The encoded size of an item of `len` bytes.
pub fn item_size(len: usize) -> usize {
    varint_len(len as u64) + len
}

fn varint_len(mut n: u64) -> usize {
    let mut l = 1;
    while n >= 0x80 {
        n >>= 7;
        l += 1;
    }
    l
}

fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Reads the item at `off`: (its bytes, the offset after it). `None` past the end.
fn item_at(buf: &[u8], off: usize) -> Option<(&[u8], usize)> {
    let mut n = 0u64;
    let mut shift = 0u32;
    let mut i = off;
    loop {
        let b = *buf.get(i)?;
        i += 1;
        n |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            break;
        }
        shift += 7;
        if shift > 63 {
            return None;
        }
    }
    let end = i.checked_add(usize::try_from(n).ok()?)?;
    Some((buf.get(i..end)?, end))
}

impl Pack {
    pub const fn new() -> Pack {
        Pack { buf: Vec::new() }
    }

    /// Bytes used by the items.
    pub fn bytes(&self) -> usize {
        self.buf.len()
    }

    /// Heap bytes held.
    pub fn heap_size(&self) -> usize {
        self.buf.capacity()
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// The items, first to last.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            buf: &self.buf,
            off: 0,
        }
    }

    /// The items with the offset each starts at.
    pub fn iter_at(&self) -> IterAt<'_> {
        IterAt {
            buf: &self.buf,
            off: 0,
        }
    }

    /// The item starting at `off` and the offset after it.
    pub fn get_at(&self, off: usize) -> Option<(&[u8], usize)> {
        item_at(&self.buf, off)
    }

    /// The encoding of `items`, for [`Pack::splice`].
    pub fn encode<'a>(items: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
        let mut out = Vec::new();
        for it in items {
            put_varint(&mut out, it.len() as u64);
            out.extend_from_slice(it);
        }
        out
    }

    /// Appends items.
    pub fn push(&mut self, items: &[&[u8]]) {
        let need: usize = items.iter().map(|i| item_size(i.len())).sum();
        self.buf.reserve_exact(need);
        for it in items {
            put_varint(&mut self.buf, it.len() as u64);
            self.buf.extend_from_slice(it);
        }
    }

    /// Replaces the bytes `start..end` (whole items) by the encoded items `with`.
    pub fn splice(&mut self, start: usize, end: usize, with: &[u8]) {
        let (start, end) = (start.min(self.buf.len()), end.min(self.buf.len()));
        let (start, end) = (start.min(end), end);
        if with.len() > end - start {
            self.buf.reserve_exact(with.len() - (end - start));
        }
        self.buf.splice(start..end, with.iter().copied());
        if self.buf.capacity() > self.buf.len() + self.buf.len() / 4 + 64 {
            self.buf.shrink_to_fit();
        }
    }

    /// Inserts items before the item at `off`.
    pub fn insert_at(&mut self, off: usize, items: &[&[u8]]) {
        let enc = Pack::encode(items.iter().copied());
        self.splice(off, off, &enc);
    }

    /// Removes the items in `start..end`.
    pub fn remove_range(&mut self, start: usize, end: usize) {
        self.splice(start, end, &[]);
    }

    /// Splits off the items from `off` on.
    pub fn split_off(&mut self, off: usize) -> Pack {
        let tail = self.buf.split_off(off.min(self.buf.len()));
        self.buf.shrink_to_fit();
        Pack { buf: tail }
    }

    /// Appends another pack's items.
    pub fn append(&mut self, other: &Pack) {
        self.buf.reserve_exact(other.buf.len());
        self.buf.extend_from_slice(&other.buf);
    }
}

impl std::fmt::Debug for Pack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.iter().map(crate::error::KeyPreview::new))
            .finish()
    }
}

/// Items of a [`Pack`].
#[derive(Clone)]
pub struct Iter<'a> {
    buf: &'a [u8],
    off: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = &'a [u8];
    fn next(&mut self) -> Option<&'a [u8]> {
        let (it, next) = item_at(self.buf, self.off)?;
        self.off = next;
        Some(it)
    }
}

/// Items of a [`Pack`] with their start offsets.
#[derive(Clone)]
pub struct IterAt<'a> {
    buf: &'a [u8],
    off: usize,
}

impl<'a> Iterator for IterAt<'a> {
    type Item = (usize, &'a [u8]);
    fn next(&mut self) -> Option<(usize, &'a [u8])> {
        let at = self.off;
        let (it, next) = item_at(self.buf, at)?;
        self.off = next;
        Some((at, it))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_round_trip() {
        let big = vec![7u8; 300];
        let mut p = Pack::new();
        p.push(&[b"a", b"", &big]);
        assert_eq!(p.bytes(), 2 + 1 + 2 + 300);
        let got: Vec<&[u8]> = p.iter().collect();
        assert_eq!(got, vec![&b"a"[..], b"", &big[..]]);
        let offs: Vec<usize> = p.iter_at().map(|(o, _)| o).collect();
        assert_eq!(offs, vec![0, 2, 3]);
        p.insert_at(2, &[b"x"]);
        p.remove_range(0, 2);
        let got: Vec<&[u8]> = p.iter().collect();
        assert_eq!(got, vec![&b"x"[..], b"", &big[..]]);
        let tail = p.split_off(2);
        assert_eq!(p.iter().count(), 1);
        assert_eq!(tail.iter().count(), 2);
    }

    #[test]
    fn damaged_length_ends_iteration() {
        let p = Pack {
            buf: vec![0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f],
        };
        assert_eq!(p.iter().count(), 0);
    }
}

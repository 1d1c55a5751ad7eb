//! [`Bytes`]: the engine's byte string. Up to 22 bytes live inside the 24-byte value
//! itself (most keys, members and small values: no allocation); longer ones are one
//! exact-size allocation; a string that is appended to or changed in place becomes a
//! growable buffer, so repeated `APPEND`s stay amortized O(1) as Redis's sds does.
//!
//! The length of the inline form is an enum so that `Option<Bytes>` and the engine's
//! value enum use its spare values for their tags (a `Bytes` and an `Obj` are both 24
//! bytes).

use std::borrow::Borrow;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

/// Bytes held inline.
pub const INLINE: usize = 22;

#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Len {
    L0 = 0,
    L1 = 1,
    L2 = 2,
    L3 = 3,
    L4 = 4,
    L5 = 5,
    L6 = 6,
    L7 = 7,
    L8 = 8,
    L9 = 9,
    L10 = 10,
    L11 = 11,
    L12 = 12,
    L13 = 13,
    L14 = 14,
    L15 = 15,
    L16 = 16,
    L17 = 17,
    L18 = 18,
    L19 = 19,
    L20 = 20,
    L21 = 21,
    L22 = 22,
}

impl Len {
    fn of(n: usize) -> Len {
        match n {
            0 => Len::L0,
            1 => Len::L1,
            2 => Len::L2,
            3 => Len::L3,
            4 => Len::L4,
            5 => Len::L5,
            6 => Len::L6,
            7 => Len::L7,
            8 => Len::L8,
            9 => Len::L9,
            10 => Len::L10,
            11 => Len::L11,
            12 => Len::L12,
            13 => Len::L13,
            14 => Len::L14,
            15 => Len::L15,
            16 => Len::L16,
            17 => Len::L17,
            18 => Len::L18,
            19 => Len::L19,
            20 => Len::L20,
            21 => Len::L21,
            22 => Len::L22,
            _ => Len::L22,
        }
    }
}

#[derive(Clone, Copy)]
#[repr(C)]
struct Inline {
    buf: [u8; INLINE],
    len: Len,
}

/// A byte string (see the module documentation).
#[derive(Clone)]
pub struct Bytes(Repr);

#[derive(Clone)]
enum Repr {
    Inline(Inline),
    Heap(Box<[u8]>),
    // Boxed on purpose: a `Vec` inline would make every `Bytes` 32 bytes.
    #[allow(clippy::box_collection)]
    Growable(Box<Vec<u8>>),
}

impl Bytes {
    pub const fn new() -> Bytes {
        Bytes(Repr::Inline(Inline {
            buf: [0; INLINE],
            len: Len::L0,
        }))
    }

    pub fn as_slice(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline(i) => i.buf.get(..i.len as usize).unwrap_or_default(),
            Repr::Heap(b) => b,
            Repr::Growable(v) => v,
        }
    }

    /// The bytes as a growable buffer, for changes in place (`APPEND`, `SETRANGE`,
    /// `SETBIT`...). The value keeps that form afterwards.
    pub fn make_mut(&mut self) -> &mut Vec<u8> {
        if !matches!(self.0, Repr::Growable(_)) {
            let v = match std::mem::replace(&mut self.0, Repr::Growable(Box::default())) {
                Repr::Heap(b) => b.into_vec(),
                Repr::Inline(i) => i.buf.get(..i.len as usize).unwrap_or_default().to_vec(),
                Repr::Growable(v) => *v,
            };
            self.0 = Repr::Growable(Box::new(v));
        }
        match &mut self.0 {
            Repr::Growable(v) => v,
            // Made growable just above.
            _ => unreachable!("Bytes::make_mut: not growable"),
        }
    }

    /// Takes the bytes out as a vector, leaving an empty string.
    pub fn into_vec(self) -> Vec<u8> {
        match self.0 {
            Repr::Inline(i) => i.buf.get(..i.len as usize).unwrap_or_default().to_vec(),
            Repr::Heap(b) => b.into_vec(),
            Repr::Growable(v) => *v,
        }
    }

    /// Heap bytes used beyond the value itself (what the allocator was asked for).
    pub fn heap_size(&self) -> usize {
        match &self.0 {
            Repr::Inline(_) => 0,
            Repr::Heap(b) => b.len(),
            Repr::Growable(v) => std::mem::size_of::<Vec<u8>>() + v.capacity(),
        }
    }
}

impl Default for Bytes {
    fn default() -> Self {
        Bytes::new()
    }
}

impl From<&[u8]> for Bytes {
    fn from(s: &[u8]) -> Bytes {
        if s.len() <= INLINE {
            let mut buf = [0u8; INLINE];
            if let Some(d) = buf.get_mut(..s.len()) {
                d.copy_from_slice(s);
            }
            Bytes(Repr::Inline(Inline {
                buf,
                len: Len::of(s.len()),
            }))
        } else {
            Bytes(Repr::Heap(s.into()))
        }
    }
}

impl<const N: usize> From<&[u8; N]> for Bytes {
    fn from(s: &[u8; N]) -> Bytes {
        Bytes::from(&s[..])
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(v: Vec<u8>) -> Bytes {
        if v.len() <= INLINE {
            Bytes::from(v.as_slice())
        } else {
            Bytes(Repr::Heap(v.into_boxed_slice()))
        }
    }
}

impl From<Bytes> for Vec<u8> {
    fn from(b: Bytes) -> Vec<u8> {
        b.into_vec()
    }
}

impl Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl AsRef<[u8]> for Bytes {
    fn as_ref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl Borrow<[u8]> for Bytes {
    fn borrow(&self) -> &[u8] {
        self.as_slice()
    }
}

impl PartialEq for Bytes {
    fn eq(&self, o: &Bytes) -> bool {
        self.as_slice() == o.as_slice()
    }
}

impl Eq for Bytes {}

impl PartialEq<[u8]> for Bytes {
    fn eq(&self, o: &[u8]) -> bool {
        self.as_slice() == o
    }
}

impl PartialOrd for Bytes {
    fn partial_cmp(&self, o: &Bytes) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}

impl Ord for Bytes {
    fn cmp(&self, o: &Bytes) -> std::cmp::Ordering {
        self.as_slice().cmp(o.as_slice())
    }
}

impl Hash for Bytes {
    // As `[u8]` hashes, so that maps keyed by `Bytes` are looked up by `&[u8]`.
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.as_slice().hash(h);
    }
}

impl std::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", crate::error::KeyPreview::new(self.as_slice()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(std::mem::size_of::<Bytes>(), 24);
        assert_eq!(std::mem::size_of::<Option<Bytes>>(), 24);
    }

    #[test]
    fn forms_agree() {
        for n in [0usize, 1, 21, 22, 23, 100] {
            let v: Vec<u8> = (0..n).map(|i| i as u8).collect();
            let a = Bytes::from(v.as_slice());
            let b = Bytes::from(v.clone());
            assert_eq!(a.as_slice(), v.as_slice());
            assert_eq!(a, b);
            assert_eq!(a.heap_size(), if n <= INLINE { 0 } else { n });
            let mut c = a.clone();
            c.make_mut().extend_from_slice(b"xy");
            assert_eq!(&c[..n], v.as_slice());
            assert_eq!(&c[n..], b"xy");
            assert_eq!(c.clone().into_vec().len(), n + 2);
        }
    }
}

//! The compact encodings that live inside RDB blob strings: listpack, ziplist, intset,
//! zipmap. Each file has a `read` half (deep validation, as Redis's
//! `sanitize-dump-payload yes`) and a `write` half (the bytes Redis itself writes).
//!
//! Parsers work on a complete blob (`&[u8]`): running out of bytes inside a blob is
//! corruption, never "read more". Offsets in [`EncError`] are relative to the blob start;
//! the RDB reader adds the blob's file offset.

pub mod intset;
pub mod listpack;
pub mod ziplist;
pub mod zipmap;

/// One element of a compact encoding: the encodings store canonical integers as
/// integers, everything else as bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Elem<'a> {
    Bytes(&'a [u8]),
    Int(i64),
}

impl<'a> Elem<'a> {
    /// The element as bytes: borrowed when it is bytes, otherwise its decimal text
    /// written into `scratch`.
    pub fn as_bytes<'s>(&self, scratch: &'s mut itoa::Buffer) -> &'s [u8]
    where
        'a: 's,
    {
        match *self {
            Elem::Bytes(b) => b,
            Elem::Int(i) => scratch.format(i).as_bytes(),
        }
    }

    /// Appends the element's bytes (decimal text for integers) to `out`.
    pub fn append_to(&self, out: &mut Vec<u8>) {
        match *self {
            Elem::Bytes(b) => out.extend_from_slice(b),
            Elem::Int(i) => out.extend_from_slice(itoa::Buffer::new().format(i).as_bytes()),
        }
    }

    /// The element as an integer if it is one, or if its bytes are a canonical integer.
    pub fn as_int(&self) -> Option<i64> {
        match *self {
            Elem::Int(i) => Some(i),
            Elem::Bytes(b) => parse_canonical_i64(b),
        }
    }
}

/// A structural problem inside a compact encoding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncError {
    /// Byte offset inside the blob where the problem was found.
    pub offset: usize,
    /// What is wrong, for people.
    pub reason: String,
}

impl EncError {
    pub fn new(offset: usize, reason: impl Into<String>) -> Self {
        EncError {
            offset,
            reason: reason.into(),
        }
    }
}

/// Runs a nom `complete` parser on `blob[at..]`; `None` when the bytes run out.
pub(crate) fn read_at<'a, O>(
    blob: &'a [u8],
    at: usize,
    mut parser: impl nom::Parser<&'a [u8], Output = O, Error = ()>,
) -> Option<O> {
    let input = blob.get(at..)?;
    parser.parse(input).ok().map(|(_, out)| out)
}

/// Walks a validating iterator to its end: the element count, or the first error.
pub(crate) fn count_valid<T>(
    it: impl Iterator<Item = Result<T, EncError>>,
) -> Result<usize, EncError> {
    let mut n = 0usize;
    for item in it {
        item?;
        n += 1;
    }
    Ok(n)
}

/// Applies test edits to a blob: (position, byte, kind) with kind 0 = xor, 1 = overwrite,
/// 2 = truncate, 3 = insert. Shared by the codecs' corruption property tests.
#[cfg(test)]
pub(crate) fn mutate(blob: &mut Vec<u8>, edits: &[(proptest::sample::Index, u8, u8)]) {
    for (idx, byte, kind) in edits {
        if blob.is_empty() {
            break;
        }
        let i = idx.index(blob.len());
        match kind {
            0 => {
                if let Some(b) = blob.get_mut(i) {
                    *b ^= byte | 1;
                }
            }
            1 => {
                if let Some(b) = blob.get_mut(i) {
                    *b = *byte;
                }
            }
            2 => blob.truncate(i),
            _ => blob.insert(i, *byte),
        }
    }
}

/// Redis's `string2ll` rule (formats.md 2.1): 1..=20 bytes, `0` or optional `-` then a
/// digit 1-9 and more digits, no `+`, spaces, leading zeros or `-0`, fits in i64.
pub fn parse_canonical_i64(b: &[u8]) -> Option<i64> {
    if b.is_empty() || b.len() > 20 {
        return None;
    }
    if b == b"0" {
        return Some(0);
    }
    let (neg, digits) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    match digits.first() {
        Some(b'1'..=b'9') => {}
        _ => return None,
    }
    let mut v: i64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        let d = i64::from(c - b'0');
        v = v.checked_mul(10)?;
        v = if neg {
            v.checked_sub(d)?
        } else {
            v.checked_add(d)?
        };
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::parse_canonical_i64 as p;

    #[test]
    fn canonical_integers_follow_string2ll() {
        assert_eq!(p(b"0"), Some(0));
        assert_eq!(p(b"-1"), Some(-1));
        assert_eq!(p(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(p(b"-9223372036854775808"), Some(i64::MIN));
        for bad in [
            &b"007"[..],
            b"+1",
            b" 1",
            b"-0",
            b"",
            b"9223372036854775808",
            b"1.0",
            b"-",
        ] {
            assert_eq!(p(bad), None, "{bad:?}");
        }
    }
}

//! Intset (formats.md 2.4, Redis `intset.c`): the sorted integer array of RDB type 11.
//!
//! ```text
//! intset := encoding(u32 LE: 2, 4 or 8) length(u32 LE) contents[length × encoding, LE signed]
//! ```
//!
//! [`read`] applies Redis's `intsetValidateIntegrity(deep = 1)`; [`mod@write`] produces the
//! bytes Redis would produce for the same set.

use super::read_at;
use super::{EncError, parse_canonical_i64};

/// Header: `encoding` (u32) + `length` (u32).
const HDR_SIZE: usize = 8;

/// Reading half: header checks and an iterator that checks the ordering.
pub mod read {
    use super::{EncError, HDR_SIZE, read_at};
    use nom::number::complete::{le_i16, le_i32, le_i64, le_u32};

    /// Checks the header (`intsetValidateIntegrity` before its deep part); returns the
    /// encoding and the element count.
    fn parse_header(blob: &[u8]) -> Result<(u8, usize), EncError> {
        let size = blob.len();
        if size < HDR_SIZE {
            return Err(EncError::new(
                0,
                format!("intset is {size} bytes, shorter than the 8-byte header"),
            ));
        }
        let field = |at: usize| {
            read_at(blob, at, le_u32).ok_or_else(|| EncError::new(at, "truncated header"))
        };
        let enc: u8 = match field(0)? {
            2 => 2,
            4 => 4,
            8 => 8,
            other => {
                return Err(EncError::new(
                    0,
                    format!("invalid encoding {other} (must be 2, 4 or 8)"),
                ));
            }
        };
        let len = field(4)?;
        let expected = HDR_SIZE as u64 + u64::from(len) * u64::from(enc);
        if expected != size as u64 {
            return Err(EncError::new(
                4,
                format!("length {len} × {enc} bytes + 8 = {expected} but the blob is {size} bytes"),
            ));
        }
        if len == 0 {
            return Err(EncError::new(4, "empty intset (length 0)"));
        }
        // len * enc + 8 == size, so len fits in usize.
        let len = usize::try_from(len).map_err(|_| EncError::new(4, "length too large"))?;
        Ok((enc, len))
    }

    #[derive(Clone, Debug)]
    enum State {
        /// The header was bad: yield this error, then stop.
        Failed(EncError),
        Walking,
        Done,
    }

    /// Yields the elements in order. The header is checked first (size >= 8, encoding
    /// in {2, 4, 8}, `8 + length × encoding` == blob length, length > 0) and its error,
    /// if any, is the first item; an element not strictly greater than the one before
    /// it is yielded as an `Err` at that element's offset. Any error ends the iteration.
    #[derive(Clone, Debug)]
    pub struct Iter<'a> {
        blob: &'a [u8],
        enc: u8,
        len: usize,
        idx: usize,
        prev: Option<i64>,
        state: State,
    }

    impl<'a> Iter<'a> {
        /// Starts a walk over `blob` (header errors are the first item).
        pub fn new(blob: &'a [u8]) -> Self {
            let (enc, len, state) = match parse_header(blob) {
                Ok((enc, len)) => (enc, len, State::Walking),
                Err(e) => (0, 0, State::Failed(e)),
            };
            Iter {
                blob,
                enc,
                len,
                idx: 0,
                prev: None,
                state,
            }
        }

        /// Byte offset in the blob of the next element (for error reporting).
        pub fn offset(&self) -> usize {
            HDR_SIZE + self.idx * usize::from(self.enc)
        }

        /// Width in bytes of each element (2, 4 or 8; 0 when the header is invalid).
        pub fn encoding(&self) -> u8 {
            self.enc
        }
    }

    impl Iterator for Iter<'_> {
        type Item = Result<i64, EncError>;

        fn next(&mut self) -> Option<Self::Item> {
            match std::mem::replace(&mut self.state, State::Done) {
                State::Done => None,
                State::Failed(e) => Some(Err(e)),
                State::Walking => {
                    if self.idx >= self.len {
                        return None;
                    }
                    let at = self.offset();
                    let v = match self.enc {
                        2 => read_at(self.blob, at, le_i16).map(i64::from),
                        4 => read_at(self.blob, at, le_i32).map(i64::from),
                        _ => read_at(self.blob, at, le_i64),
                    };
                    let Some(v) = v else {
                        return Some(Err(EncError::new(at, "element past the end of the blob")));
                    };
                    if let Some(prev) = self.prev
                        && v <= prev
                    {
                        return Some(Err(EncError::new(
                            at,
                            format!(
                                "element {v} at index {} is not greater than the previous {prev}",
                                self.idx
                            ),
                        )));
                    }
                    self.prev = Some(v);
                    self.idx += 1;
                    self.state = State::Walking;
                    Some(Ok(v))
                }
            }
        }

        fn size_hint(&self) -> (usize, Option<usize>) {
            match self.state {
                State::Done => (0, Some(0)),
                State::Failed(_) => (1, Some(1)),
                State::Walking => (0, Some(self.len - self.idx)),
            }
        }
    }

    impl std::iter::FusedIterator for Iter<'_> {}

    /// Validates the whole intset (Redis's deep `intsetValidateIntegrity`: header
    /// checks, then strictly ascending elements) and returns the element count.
    pub fn validate(blob: &[u8]) -> Result<usize, EncError> {
        super::super::count_valid(Iter::new(blob))
    }
}

/// Writing half: builds intsets as Redis does.
pub mod write {
    use super::parse_canonical_i64;

    /// Whether a set member given as bytes can live in an intset: `Some(value)` when it
    /// is a canonical integer string (Redis's `string2ll` rule, formats.md 2.1).
    pub fn can_hold(bytes: &[u8]) -> Option<i64> {
        parse_canonical_i64(bytes)
    }

    /// `_intsetValueEncoding`: bytes needed for `v`.
    fn value_encoding(v: i64) -> u8 {
        if i32::try_from(v).is_err() {
            8
        } else if i16::try_from(v).is_err() {
            4
        } else {
            2
        }
    }

    /// Collects integers in any order and writes them sorted and unique (like
    /// `intsetAdd`), with the smallest encoding that fits the widest value.
    #[derive(Clone, Debug, Default)]
    pub struct Writer {
        vals: Vec<i64>,
    }

    impl Writer {
        /// An empty set.
        pub fn new() -> Self {
            Writer { vals: Vec::new() }
        }

        /// Adds `v`; returns `false` if it was already present (or, never in practice,
        /// if the set already holds `u32::MAX` elements, the format's limit).
        pub fn push(&mut self, v: i64) -> bool {
            match self.vals.binary_search(&v) {
                Ok(_) => false,
                Err(_) if self.vals.len() >= u32::MAX as usize => false,
                Err(i) => {
                    self.vals.insert(i, v);
                    true
                }
            }
        }

        /// Number of distinct elements.
        pub fn len(&self) -> usize {
            self.vals.len()
        }

        /// Whether the set is empty (an empty intset is corrupt for Redis: write
        /// nothing, or another type, instead).
        pub fn is_empty(&self) -> bool {
            self.vals.is_empty()
        }

        /// Element width the finished intset will use (2, 4 or 8).
        pub fn encoding(&self) -> u8 {
            // Sorted: the widest value is the first or the last.
            let first = self.vals.first().map_or(2, |&v| value_encoding(v));
            let last = self.vals.last().map_or(2, |&v| value_encoding(v));
            first.max(last)
        }

        /// Size in bytes of the finished blob.
        pub fn byte_len(&self) -> usize {
            8 + self.vals.len() * usize::from(self.encoding())
        }

        /// The finished intset: encoding, length, then the sorted elements.
        pub fn finish(self) -> Vec<u8> {
            let enc = self.encoding();
            let mut out = Vec::with_capacity(self.byte_len());
            out.extend_from_slice(&u32::from(enc).to_le_bytes());
            // `push` keeps the count within u32.
            out.extend_from_slice(
                &u32::try_from(self.vals.len())
                    .unwrap_or(u32::MAX)
                    .to_le_bytes(),
            );
            for &v in &self.vals {
                match enc {
                    2 => out.extend_from_slice(&(v as i16).to_le_bytes()),
                    4 => out.extend_from_slice(&(v as i32).to_le_bytes()),
                    _ => out.extend_from_slice(&v.to_le_bytes()),
                }
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::EncError;
    use super::read::{Iter, validate};
    use super::write::{Writer, can_hold};
    use proptest::prelude::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn values(blob: &[u8]) -> Result<Vec<i64>, EncError> {
        Iter::new(blob).collect()
    }

    fn build(vals: &[i64]) -> Vec<u8> {
        let mut w = Writer::new();
        for &v in vals {
            w.push(v);
        }
        w.finish()
    }

    fn err_of(blob: &[u8]) -> EncError {
        validate(blob).unwrap_err()
    }

    /// encodings.rdb (redis/redis tests, REDIS0004): set_zipped_1/2/3.
    const REAL_16: &str = "02000000 04000000 0100 0200 0300 0400";
    const REAL_32: &str = "04000000 04000000 a0860100 400d0300 e0930400 801a0600";
    const REAL_64: &str = "08000000 06000000 00ca9a3b00000000 0094357700000000 005ed0b200000000 \
                           00286bee00000000 00f2052a01000000 00bca06501000000";

    #[test]
    fn real_redis_intsets() {
        for (h, want, enc) in [
            (REAL_16, vec![1, 2, 3, 4], 2u8),
            (REAL_32, vec![100_000, 200_000, 300_000, 400_000], 4),
            (
                REAL_64,
                vec![
                    1_000_000_000,
                    2_000_000_000,
                    3_000_000_000,
                    4_000_000_000,
                    5_000_000_000,
                    6_000_000_000,
                ],
                8,
            ),
        ] {
            let blob = hex(h);
            assert_eq!(values(&blob).unwrap(), want);
            assert_eq!(Iter::new(&blob).encoding(), enc);
            assert_eq!(validate(&blob), Ok(want.len()));
            // Pushed in reverse order, the writer makes the same bytes.
            let rev: Vec<i64> = want.iter().rev().copied().collect();
            assert_eq!(build(&rev), blob);
        }
    }

    #[test]
    fn encoding_boundaries() {
        let cases: [(&[i64], u8); 10] = [
            (&[i16::MIN as i64, i16::MAX as i64], 2),
            (&[0], 2),
            (&[i16::MAX as i64 + 1], 4),
            (&[i16::MIN as i64 - 1], 4),
            (&[i32::MAX as i64], 4),
            (&[i32::MIN as i64, 5], 4),
            (&[i32::MAX as i64 + 1], 8),
            (&[i32::MIN as i64 - 1, 0], 8),
            (&[i64::MIN, i64::MAX], 8),
            (&[-1, 1, i64::MAX], 8),
        ];
        for (vals, enc) in cases {
            let mut w = Writer::new();
            for &v in vals {
                w.push(v);
            }
            assert_eq!(w.encoding(), enc, "{vals:?}");
            let len = w.byte_len();
            let blob = w.finish();
            assert_eq!(blob.len(), len);
            assert_eq!(blob.len(), 8 + vals.len() * usize::from(enc));
            assert_eq!(blob[0], enc);
            let mut sorted = vals.to_vec();
            sorted.sort();
            assert_eq!(values(&blob).unwrap(), sorted);
        }
    }

    #[test]
    fn widening() {
        let mut w = Writer::new();
        assert!(w.push(1));
        assert_eq!(w.clone().finish(), hex("02000000 01000000 0100"));
        assert!(w.push(40_000));
        assert!(!w.push(1));
        assert_eq!(
            w.clone().finish(),
            hex("04000000 02000000 01000000 409c0000")
        );
        assert!(w.push(-5_000_000_000));
        assert_eq!(w.len(), 3);
        assert_eq!(
            w.finish(),
            hex("08000000 03000000 000efad5feffffff 0100000000000000 409c000000000000")
        );
    }

    #[test]
    fn wider_encoding_than_needed_is_valid() {
        // Redis never downgrades an intset after deletions.
        let blob = hex("08000000 02000000 0100000000000000 0200000000000000");
        assert_eq!(values(&blob).unwrap(), vec![1, 2]);
        assert_eq!(Iter::new(&blob).encoding(), 8);
    }

    #[test]
    fn errors() {
        // unsorted: error at the offending element
        let blob = hex("02000000 03000000 0100 0300 0200");
        let e = err_of(&blob);
        assert_eq!(
            (e.offset, e.reason.as_str()),
            (
                12,
                "element 2 at index 2 is not greater than the previous 3"
            )
        );
        let items: Vec<_> = Iter::new(&blob).collect();
        assert_eq!(items, vec![Ok(1), Ok(3), Err(e)]);

        // duplicate
        let e = err_of(&hex("04000000 02000000 07000000 07000000"));
        assert_eq!(e.offset, 12);

        // length 0
        let e = err_of(&hex("02000000 00000000"));
        assert_eq!(
            (e.offset, e.reason.as_str()),
            (4, "empty intset (length 0)")
        );
        assert!(Writer::new().is_empty());

        // bad encodings
        for enc in [0u8, 1, 3, 5, 16] {
            let blob = [vec![enc, 0, 0, 0], hex("01000000 0100")].concat();
            let e = err_of(&blob);
            assert_eq!(e.offset, 0);
            assert!(e.reason.contains("invalid encoding"), "{e:?}");
        }

        // size mismatch, both ways
        let e = err_of(&hex("02000000 02000000 0100"));
        assert_eq!(
            (e.offset, e.reason.as_str()),
            (4, "length 2 × 2 bytes + 8 = 12 but the blob is 10 bytes")
        );
        assert_eq!(err_of(&hex("02000000 01000000 0100 00")).offset, 4);
        // a huge length does not overflow
        assert_eq!(err_of(&hex("08000000 ffffffff 0100000000000000")).offset, 4);

        // short header
        let e = err_of(&hex("02000000 010000"));
        assert_eq!(e.offset, 0);
        assert!(e.reason.contains("8-byte header"));
        assert_eq!(Iter::new(&hex("0200")).collect::<Vec<_>>().len(), 1);
    }

    #[test]
    fn offsets() {
        let blob = hex(REAL_32);
        let mut it = Iter::new(&blob);
        assert_eq!(it.offset(), 8);
        it.next();
        assert_eq!(it.offset(), 12);
        assert_eq!(it.size_hint(), (0, Some(3)));
    }

    #[test]
    fn can_hold_uses_the_canonical_rule() {
        assert_eq!(can_hold(b"12"), Some(12));
        assert_eq!(can_hold(b"-9223372036854775808"), Some(i64::MIN));
        for bad in [
            &b"007"[..],
            b"-0",
            b"+1",
            b"1.0",
            b"",
            b"9223372036854775808",
        ] {
            assert_eq!(can_hold(bad), None);
        }
    }

    proptest! {
        #[test]
        fn round_trip(vals in proptest::collection::vec(
            prop_oneof![any::<i64>(), -40_000i64..40_000, -10i64..10], 1..60)
        ) {
            let mut w = Writer::new();
            let mut seen = std::collections::BTreeSet::new();
            for &v in &vals {
                prop_assert_eq!(w.push(v), seen.insert(v));
            }
            let want: Vec<i64> = seen.into_iter().collect();
            let widest = want.iter().map(|&v| {
                if i16::try_from(v).is_ok() { 2 } else if i32::try_from(v).is_ok() { 4 } else { 8 }
            }).max().unwrap();
            prop_assert_eq!(w.encoding(), widest);
            let blob = w.finish();
            prop_assert_eq!(validate(&blob), Ok(want.len()));
            prop_assert_eq!(values(&blob).unwrap(), want);
        }

        #[test]
        fn corruption_never_panics_or_hangs(
            vals in proptest::collection::vec(any::<i64>(), 1..20),
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..4), 1..4),
        ) {
            let mut w = Writer::new();
            for v in vals {
                w.push(v);
            }
            let mut blob = w.finish();
            super::super::mutate(&mut blob, &edits);
            let limit = blob.len() + 2;
            let mut n = 0usize;
            let mut errors = 0usize;
            let mut prev = None;
            for item in Iter::new(&blob) {
                n += 1;
                prop_assert!(n <= limit, "iterator does not end");
                match item {
                    Ok(v) => {
                        prop_assert!(prev.is_none_or(|p| p < v));
                        prev = Some(v);
                    }
                    Err(_) => errors += 1,
                }
            }
            prop_assert!(errors <= 1);
            match validate(&blob) {
                Ok(count) => prop_assert_eq!(count, n),
                Err(e) => {
                    prop_assert_eq!(errors, 1);
                    prop_assert!(e.offset < blob.len().max(1));
                }
            }
        }
    }
}

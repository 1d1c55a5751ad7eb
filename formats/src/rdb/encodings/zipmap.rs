//! Zipmap (formats.md 2.2, Redis `zipmap.c`): the small-hash encoding of RDB type 9
//! (Redis <= 2.4).
//!
//! ```text
//! zipmap := zmlen(1) ( len field len value-free(1) value pad[free] )* 0xFF
//! len    := 1 byte 0..253 | 0xFE u32 LE
//! ```
//!
//! [`read`] applies Redis's `zipmapValidateIntegrity(deep = 1)`, which every loader runs
//! on zipmaps; [`mod@write`] produces the compact form (no free space).

use super::EncError;
use super::read_at;

/// Length byte announcing the 5-byte form; as `zmlen`, "count unknown".
const BIGLEN: u8 = 254;
/// The terminator byte.
const END: u8 = 255;

/// Reading half: a validating iterator over the field/value pairs.
pub mod read {
    use super::{BIGLEN, END, EncError, read_at};
    use nom::number::complete::le_u32;

    /// Header checks: at least 2 bytes, last byte 0xFF.
    fn check_header(blob: &[u8]) -> Result<(), EncError> {
        if blob.len() < 2 {
            return Err(EncError::new(
                0,
                format!(
                    "zipmap is {} bytes, shorter than the 2-byte minimum",
                    blob.len()
                ),
            ));
        }
        match blob.last() {
            Some(&END) => Ok(()),
            Some(b) => Err(EncError::new(
                blob.len() - 1,
                format!("last byte is 0x{b:02X}, not the 0xFF terminator"),
            )),
            None => Err(EncError::new(0, "empty zipmap")),
        }
    }

    /// Decodes the length field at `pos` (`zipmapDecodeLength`: one byte below 254,
    /// else a u32 after it). The caller checked that the field lies inside the blob.
    fn length(blob: &[u8], pos: usize) -> Option<u64> {
        let b = *blob.get(pos)?;
        if b < BIGLEN {
            Some(u64::from(b))
        } else {
            read_at(blob, pos + 1, le_u32).map(u64::from)
        }
    }

    /// A field/value pair.
    type Pair<'a> = (&'a [u8], &'a [u8]);

    /// Validates and decodes the pair at `pos`; returns it and the next offset
    /// (always <= the terminator offset).
    fn pair(blob: &[u8], pos: usize) -> Result<(Pair<'_>, usize), EncError> {
        let last = blob.len().saturating_sub(1) as u64;
        let field_len_size: usize = match blob.get(pos) {
            Some(&b) if b < BIGLEN => 1,
            _ => 5,
        };
        if pos as u64 + field_len_size as u64 > last {
            return Err(EncError::new(
                pos,
                "field length runs past the end of the zipmap",
            ));
        }
        let flen = length(blob, pos).ok_or_else(|| EncError::new(pos, "truncated field length"))?;
        let field_start = pos + field_len_size;
        let vpos = field_start as u64 + flen;
        if vpos > last {
            return Err(EncError::new(
                pos,
                format!("field of {flen} bytes runs past the end of the zipmap"),
            ));
        }
        // vpos <= last, so it fits in usize.
        let vpos = vpos as usize;
        let value_len_size: usize = match blob.get(vpos) {
            Some(&b) if b < BIGLEN => 1,
            _ => 5,
        };
        if vpos as u64 + value_len_size as u64 > last {
            return Err(EncError::new(
                vpos,
                "value length runs past the end of the zipmap",
            ));
        }
        let vlen =
            length(blob, vpos).ok_or_else(|| EncError::new(vpos, "truncated value length"))?;
        let free_at = vpos + value_len_size;
        let free = *blob
            .get(free_at)
            .ok_or_else(|| EncError::new(vpos, "truncated free byte"))?;
        let value_start = free_at + 1;
        let next = value_start as u64 + vlen + u64::from(free);
        if next > last {
            return Err(EncError::new(
                vpos,
                format!(
                    "value of {vlen} bytes plus {free} free bytes runs past the end of the zipmap"
                ),
            ));
        }
        let field = blob
            .get(field_start..vpos)
            .ok_or_else(|| EncError::new(pos, "field out of bounds"))?;
        let value = blob
            .get(value_start..value_start + vlen as usize)
            .ok_or_else(|| EncError::new(vpos, "value out of bounds"))?;
        Ok(((field, value), next as usize))
    }

    #[derive(Clone, Debug)]
    enum State {
        /// The header was bad: yield this error, then stop.
        Failed(EncError),
        Walking,
        Done,
    }

    /// Walks the pairs with Redis's checks (`zipmapValidateIntegrity`): last byte 0xFF,
    /// every length, field, free byte and value inside the blob, at least one pair,
    /// and `zmlen` equal to the pair count unless it is 254. The walk stops at the
    /// first field-length byte 0xFF, as Redis's does. Yields the pairs in order; after
    /// the last one it yields one `Err` if the tail checks fail, then `None`. Any error
    /// ends the iteration.
    #[derive(Clone, Debug)]
    pub struct Iter<'a> {
        blob: &'a [u8],
        pos: usize,
        seen: usize,
        state: State,
    }

    impl<'a> Iter<'a> {
        /// Starts a walk over `blob` (header errors are the first item).
        pub fn new(blob: &'a [u8]) -> Self {
            let state = match check_header(blob) {
                Ok(()) => State::Walking,
                Err(e) => State::Failed(e),
            };
            Iter {
                blob,
                pos: 1,
                seen: 0,
                state,
            }
        }

        /// Byte offset in the blob of the next pair (for error reporting).
        pub fn offset(&self) -> usize {
            self.pos
        }

        /// Checks run when the walk meets the 0xFF end byte.
        fn tail(&self) -> Option<EncError> {
            if self.seen == 0 {
                return Some(EncError::new(0, "empty zipmap (no pairs)"));
            }
            match self.blob.first() {
                Some(&z) if z != BIGLEN && usize::from(z) != self.seen => Some(EncError::new(
                    0,
                    format!("zmlen {z} but {} pairs", self.seen),
                )),
                _ => None,
            }
        }
    }

    impl<'a> Iterator for Iter<'a> {
        type Item = Result<Pair<'a>, EncError>;

        fn next(&mut self) -> Option<Self::Item> {
            match std::mem::replace(&mut self.state, State::Done) {
                State::Done => None,
                State::Failed(e) => Some(Err(e)),
                State::Walking => {
                    if self.blob.get(self.pos) == Some(&END) {
                        return self.tail().map(Err);
                    }
                    match pair(self.blob, self.pos) {
                        Ok((p, next)) => {
                            self.pos = next;
                            self.seen += 1;
                            self.state = State::Walking;
                            Some(Ok(p))
                        }
                        Err(e) => Some(Err(e)),
                    }
                }
            }
        }
    }

    impl std::iter::FusedIterator for Iter<'_> {}

    /// Validates the zipmap (Redis's `zipmapValidateIntegrity`) and returns the number
    /// of pairs.
    pub fn validate(blob: &[u8]) -> Result<usize, EncError> {
        super::super::count_valid(Iter::new(blob))
    }
}

/// Writing half: builds zipmaps as Redis 2.x would after a fresh load (no free space).
pub mod write {
    use super::{BIGLEN, END, EncError};

    /// Builds a zipmap: each pair as `len field len 0x00 value` (lengths < 254 in one
    /// byte, else 0xFE + u32 LE; no free space), `zmlen` = pair count if < 254 else 254,
    /// then 0xFF. Fields are written as given: the caller keeps them unique.
    #[derive(Clone, Debug)]
    pub struct Writer {
        /// `zmlen` placeholder followed by the pairs; `finish` adds the terminator.
        buf: Vec<u8>,
        count: usize,
    }

    impl Default for Writer {
        fn default() -> Self {
            Self::new()
        }
    }

    impl Writer {
        /// An empty zipmap (an empty zipmap is corrupt for Redis: push at least one pair).
        pub fn new() -> Self {
            Writer {
                buf: vec![0],
                count: 0,
            }
        }

        /// Appends a pair.
        ///
        /// # Panics
        /// If `field` or `value` is longer than `u32::MAX` bytes (the length field cannot
        /// say more). Use [`Writer::try_push`] to get an error instead.
        pub fn push(&mut self, field: &[u8], value: &[u8]) {
            if let Err(e) = self.try_push(field, value) {
                panic!("zipmap writer: {}", e.reason);
            }
        }

        /// Like [`Writer::push`], but returns an error (and leaves the writer unchanged)
        /// when a length does not fit in u32.
        pub fn try_push(&mut self, field: &[u8], value: &[u8]) -> Result<(), EncError> {
            let too_big = |what: &str| {
                EncError::new(self.buf.len(), format!("zipmap {what} longer than 4 GiB"))
            };
            let flen = u32::try_from(field.len()).map_err(|_| too_big("field"))?;
            let vlen = u32::try_from(value.len()).map_err(|_| too_big("value"))?;
            self.buf.reserve(field.len() + value.len() + 11);
            encode_len(flen, &mut self.buf);
            self.buf.extend_from_slice(field);
            encode_len(vlen, &mut self.buf);
            self.buf.push(0); // free
            self.buf.extend_from_slice(value);
            self.count += 1;
            Ok(())
        }

        /// Number of pairs pushed so far.
        pub fn len(&self) -> usize {
            self.count
        }

        /// Whether no pair was pushed.
        pub fn is_empty(&self) -> bool {
            self.count == 0
        }

        /// Size in bytes of the finished blob.
        pub fn byte_len(&self) -> usize {
            self.buf.len() + 1
        }

        /// The finished zipmap.
        pub fn finish(mut self) -> Vec<u8> {
            let zmlen = u8::try_from(self.count).map_or(BIGLEN, |c| c.min(BIGLEN));
            if let Some(z) = self.buf.first_mut() {
                *z = zmlen;
            }
            self.buf.push(END);
            self.buf
        }
    }

    /// `zipmapEncodeLength`.
    fn encode_len(l: u32, out: &mut Vec<u8>) {
        match u8::try_from(l) {
            Ok(b) if b < BIGLEN => out.push(b),
            _ => {
                out.push(BIGLEN);
                out.extend_from_slice(&l.to_le_bytes());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::EncError;
    use super::read::{Iter, validate};
    use super::write::Writer;
    use proptest::prelude::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    type Pairs<'a> = Vec<(&'a [u8], &'a [u8])>;

    fn pairs(blob: &[u8]) -> Result<Pairs<'_>, EncError> {
        Iter::new(blob).collect()
    }

    fn err_of(blob: &[u8]) -> EncError {
        validate(blob).unwrap_err()
    }

    /// formats.md 2.2 / zipmap.c comment: {"foo":"bar","hello":"world"}.
    const GOLDEN: &str = "02 03 666f6f 03 00 626172 05 68656c6c6f 05 00 776f726c64 ff";
    /// hash-zipmap.rdb (redis/redis tests, REDIS0003, type 9): {f1: v1, f2: v2}.
    const REAL_HASH: &str = "02 02 6631 02 00 7631 02 6632 02 00 7632 ff";
    /// zipmap_that_doesnt_compress.rdb (HDT3213/rdb, REDIS0003): {MKD1G6: 2, YNNXK: F7TI}.
    const REAL_HASH2: &str = "02 06 4d4b44314736 01 00 32 05 594e4e584b 04 00 46375449 ff";

    #[test]
    fn golden_foo_hello() {
        let blob = hex(GOLDEN);
        assert_eq!(
            pairs(&blob).unwrap(),
            vec![(&b"foo"[..], &b"bar"[..]), (&b"hello"[..], &b"world"[..])]
        );
        let mut w = Writer::new();
        w.push(b"foo", b"bar");
        w.push(b"hello", b"world");
        assert_eq!(w.len(), 2);
        assert_eq!(w.byte_len(), blob.len());
        assert_eq!(w.finish(), blob);
    }

    #[test]
    fn real_redis_zipmaps() {
        let blob = hex(REAL_HASH);
        assert_eq!(
            pairs(&blob).unwrap(),
            vec![(&b"f1"[..], &b"v1"[..]), (&b"f2"[..], &b"v2"[..])]
        );
        let mut w = Writer::new();
        w.push(b"f1", b"v1");
        w.push(b"f2", b"v2");
        assert_eq!(w.finish(), blob);

        let blob = hex(REAL_HASH2);
        assert_eq!(
            pairs(&blob).unwrap(),
            vec![(&b"MKD1G6"[..], &b"2"[..]), (&b"YNNXK"[..], &b"F7TI"[..])]
        );
        // HDT3213/rdb's zipmap_big_len.rdb is the same blob with zmlen 0xFF. Redis's
        // zipmapValidateIntegrity only treats 254 as "unknown": 255 must equal the count.
        let mut big = blob.clone();
        big[0] = 0xFF;
        let e = err_of(&big);
        assert_eq!((e.offset, e.reason.as_str()), (0, "zmlen 255 but 2 pairs"));
    }

    #[test]
    fn long_lengths() {
        for (flen, fhdr) in [
            (253usize, hex("FD")),
            (254, hex("FE FE000000")),
            (300, hex("FE 2C010000")),
        ] {
            for (vlen, vhdr) in [
                (0usize, hex("00")),
                (254, hex("FE FE000000")),
                (70000, hex("FE 70110100")),
            ] {
                let f = vec![b'f'; flen];
                let v = vec![b'v'; vlen];
                let want = [
                    vec![1],
                    fhdr.clone(),
                    f.clone(),
                    vhdr,
                    vec![0],
                    v.clone(),
                    vec![0xFF],
                ]
                .concat();
                let mut w = Writer::new();
                w.push(&f, &v);
                assert_eq!(w.finish(), want, "{flen}/{vlen}");
                assert_eq!(pairs(&want).unwrap(), vec![(&f[..], &v[..])]);
            }
        }
    }

    #[test]
    fn free_bytes_are_skipped() {
        let blob = hex("02 01 61 01 02 62 7878 01 63 00 00 ff");
        assert_eq!(
            pairs(&blob).unwrap(),
            vec![(&b"a"[..], &b"b"[..]), (&b"c"[..], &b""[..])]
        );
    }

    #[test]
    fn zmlen_254_means_unknown_and_the_writer_saturates() {
        assert_eq!(validate(&hex("FE 01 61 01 00 62 ff")), Ok(1));
        for (n, zmlen) in [(1usize, 1u8), (253, 253), (254, 254), (300, 254)] {
            let mut w = Writer::new();
            for i in 0..n {
                w.push(i.to_string().as_bytes(), b"x");
            }
            let blob = w.finish();
            assert_eq!(blob[0], zmlen);
            assert_eq!(validate(&blob), Ok(n));
        }
    }

    #[test]
    fn redis_quirks_are_kept() {
        // A value-length byte 0xFF is read as the 5-byte form (zipmapDecodeLength).
        let blob = hex("01 01 61 FF 01000000 00 62 ff");
        assert_eq!(pairs(&blob).unwrap(), vec![(&b"a"[..], &b"b"[..])]);
        // The walk stops at the first 0xFF field length; Redis ignores what follows.
        let blob = hex("01 01 61 01 00 62 ff 1234 ff");
        assert_eq!(pairs(&blob).unwrap(), vec![(&b"a"[..], &b"b"[..])]);
    }

    #[test]
    fn errors() {
        // empty zipmap
        let e = err_of(&hex("00 ff"));
        assert_eq!(
            (e.offset, e.reason.as_str()),
            (0, "empty zipmap (no pairs)")
        );
        assert!(Writer::new().is_empty());
        assert_eq!(
            err_of(&Writer::new().finish()).reason,
            "empty zipmap (no pairs)"
        );

        // zmlen wrong
        let mut blob = hex(GOLDEN);
        blob[0] = 3;
        let e = err_of(&blob);
        assert_eq!((e.offset, e.reason.as_str()), (0, "zmlen 3 but 2 pairs"));
        let items: Vec<_> = Iter::new(&blob).collect();
        assert_eq!(items.len(), 3);

        // too short / missing terminator
        assert_eq!(err_of(&hex("ff")).offset, 0);
        assert_eq!(err_of(&[]).offset, 0);
        let good = hex(GOLDEN);
        let e = err_of(&good[..good.len() - 1]);
        assert_eq!(e.offset, good.len() - 2);
        assert!(e.reason.contains("terminator"));

        // field runs past the end
        let e = err_of(&hex("01 05 6162 ff"));
        assert_eq!(e.offset, 1);
        assert!(e.reason.contains("field of 5 bytes"), "{e:?}");
        // 5-byte field length truncated
        let e = err_of(&hex("01 FE 0100 ff"));
        assert!(e.reason.contains("field length runs past"), "{e:?}");
        // value length missing (field ends at the terminator)
        let e = err_of(&hex("01 01 61 ff"));
        assert!(e.reason.contains("value length runs past"), "{e:?}");
        // value runs past
        let e = err_of(&hex("01 01 61 05 00 6263 ff"));
        assert_eq!(e.offset, 3);
        assert!(e.reason.contains("value of 5 bytes"), "{e:?}");
        // free padding runs past
        let e = err_of(&hex("01 01 61 01 09 62 ff"));
        assert!(e.reason.contains("9 free bytes"), "{e:?}");
        // huge 5-byte lengths do not overflow
        assert!(validate(&hex("01 FE FFFFFFFF ff")).is_err());
        assert!(validate(&hex("01 01 61 FE FFFFFFFF FF 00 ff")).is_err());
    }

    #[test]
    fn offsets() {
        let blob = hex(GOLDEN);
        let mut it = Iter::new(&blob);
        assert_eq!(it.offset(), 1);
        it.next();
        assert_eq!(it.offset(), 10);
    }

    fn bytes() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            8 => proptest::collection::vec(any::<u8>(), 0..40),
            1 => (250usize..260).prop_map(|n| vec![0xFF; n]),
        ]
    }

    proptest! {
        #[test]
        fn round_trip(items in proptest::collection::vec((bytes(), bytes()), 1..30)) {
            let mut w = Writer::new();
            for (f, v) in &items {
                w.push(f, v);
            }
            prop_assert_eq!(w.len(), items.len());
            let expected_len = w.byte_len();
            let blob = w.finish();
            prop_assert_eq!(blob.len(), expected_len);
            let got = pairs(&blob).unwrap();
            prop_assert_eq!(got.len(), items.len());
            for ((f, v), (gf, gv)) in items.iter().zip(&got) {
                prop_assert_eq!(&f[..], *gf);
                prop_assert_eq!(&v[..], *gv);
            }
        }

        #[test]
        fn random_bodies_never_panic(
            zmlen in any::<u8>(),
            body in proptest::collection::vec(any::<u8>(), 0..200),
        ) {
            let blob = [vec![zmlen], body, vec![0xFF]].concat();
            let n = Iter::new(&blob).take(blob.len() + 2).count();
            prop_assert!(n <= blob.len());
        }

        #[test]
        fn corruption_never_panics_or_hangs(
            items in proptest::collection::vec((bytes(), bytes()), 1..8),
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..4), 1..4),
        ) {
            let mut w = Writer::new();
            for (f, v) in &items {
                w.push(f, v);
            }
            let mut blob = w.finish();
            super::super::mutate(&mut blob, &edits);
            let limit = blob.len() + 2;
            let mut n = 0usize;
            let mut errors = 0usize;
            for item in Iter::new(&blob) {
                n += 1;
                prop_assert!(n <= limit, "iterator does not end");
                if item.is_err() {
                    errors += 1;
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

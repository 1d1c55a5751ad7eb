//! Listpack (formats.md 2.5, Redis `listpack.c`): the compact list used by RDB types
//! 16, 17, 20, 23, 25, quicklist v2 nodes and stream nodes.
//!
//! ```text
//! listpack := total_bytes(u32 LE) num_elements(u16 LE) element* 0xFF
//! element  := encoding+payload backlen
//! ```
//!
//! [`read`] walks a blob with the checks of Redis's `lpValidateIntegrity(deep = 1)`;
//! [`mod@write`] produces the bytes Redis itself would produce for the same elements.

use super::read_at;
use super::{Elem, EncError, parse_canonical_i64};

/// Header: `total_bytes` (u32) + `num_elements` (u16).
const HDR_SIZE: usize = 6;
/// The terminator byte (and the last byte of every listpack).
const EOF: u8 = 0xFF;
/// `num_elements` value meaning "unknown, count by walking".
const NUMELE_UNKNOWN: u16 = u16::MAX;

/// Size in bytes of the backlen stored after an element of `l` bytes
/// (`lpEncodeBacklen`; note the asymmetric `<` from 16383 on).
fn backlen_size(l: u64) -> usize {
    if l <= 127 {
        1
    } else if l < 16383 {
        2
    } else if l < 2_097_151 {
        3
    } else if l < 268_435_455 {
        4
    } else {
        5
    }
}

/// Reading half: header checks and a deep-validating element iterator.
pub mod read {
    use super::{EOF, Elem, EncError, HDR_SIZE, NUMELE_UNKNOWN, backlen_size, read_at};
    use nom::number::complete::{le_i16, le_i24, le_i32, le_i64, le_u16, le_u32};

    /// Header checks (size >= 7, `total_bytes` == blob length, last byte 0xFF), as
    /// Redis's non-deep `lpValidateIntegrity`. Returns the header element count, `None`
    /// when it is 65535 (unknown).
    pub fn header(blob: &[u8]) -> Result<Option<u16>, EncError> {
        if blob.len() < HDR_SIZE + 1 {
            return Err(EncError::new(
                0,
                format!(
                    "listpack is {} bytes, shorter than the 7-byte minimum",
                    blob.len()
                ),
            ));
        }
        let total = read_at(blob, 0, le_u32)
            .ok_or_else(|| EncError::new(0, "truncated total_bytes field"))?;
        if usize::try_from(total).ok() != Some(blob.len()) {
            return Err(EncError::new(
                0,
                format!("total_bytes {total} but the blob is {} bytes", blob.len()),
            ));
        }
        let last = blob.len() - 1;
        match blob.last() {
            Some(&EOF) => {}
            Some(b) => {
                return Err(EncError::new(
                    last,
                    format!("last byte is 0x{b:02X}, not the 0xFF terminator"),
                ));
            }
            None => return Err(EncError::new(0, "empty listpack")),
        }
        let count = read_at(blob, 4, le_u16)
            .ok_or_else(|| EncError::new(4, "truncated num_elements field"))?;
        Ok((count != NUMELE_UNKNOWN).then_some(count))
    }

    /// Decodes backwards from `last` the way `lpDecodeBacklen` does: 7 bits per byte,
    /// stopping at the first byte without bit 7; `None` past 5 bytes.
    fn decode_backlen(blob: &[u8], last: usize) -> Option<u64> {
        let mut val = 0u64;
        let mut shift = 0u32;
        let mut i = last;
        loop {
            let b = *blob.get(i)?;
            val |= u64::from(b & 0x7F) << shift;
            if b & 0x80 == 0 {
                return Some(val);
            }
            shift += 7;
            if shift > 28 {
                return None;
            }
            i = i.checked_sub(1)?;
        }
    }

    /// Validates the element at `pos` (`lpValidateNext`) and decodes it. Returns the
    /// element and the offset of the next one (always <= the terminator offset).
    fn element(blob: &[u8], pos: usize) -> Result<(Elem<'_>, usize), EncError> {
        // Fast path for the two commonest encodings, 7-bit uint and 6-bit string: at most
        // 65 bytes, so a 1-byte backlen that must equal the size. Anything else, errors
        // included, takes the general path below.
        if let Some(&b0) = blob.get(pos)
            && b0 < 0xC0
        {
            let size = if b0 < 0x80 {
                1
            } else {
                1 + usize::from(b0 & 0x3F)
            };
            let next = pos + size + 1;
            if next < blob.len() && blob.get(next - 1) == Some(&(size as u8)) {
                let elem = if b0 < 0x80 {
                    Some(Elem::Int(i64::from(b0)))
                } else {
                    blob.get(pos + 1..pos + size).map(Elem::Bytes)
                };
                if let Some(e) = elem {
                    return Ok((e, next));
                }
            }
        }
        element_general(blob, pos)
    }

    fn element_general(blob: &[u8], pos: usize) -> Result<(Elem<'_>, usize), EncError> {
        let err = |reason: String| EncError::new(pos, reason);
        // The terminator is the last byte: an element must end before it.
        let end = blob.len().saturating_sub(1);
        let b0 = *blob
            .get(pos)
            .ok_or_else(|| err("element starts past the end".into()))?;
        // Bytes needed to know the element size (`lpCurrentEncodedSizeBytes`).
        let lenbytes: usize = match b0 {
            0xE0..=0xEF => 2,
            0xF0 => 5,
            0xF5..=0xFF => return Err(err(format!("invalid encoding byte 0x{b0:02X}"))),
            _ => 1,
        };
        if pos.checked_add(lenbytes).is_none_or(|p| p > end) {
            return Err(err(
                "element header runs past the end of the listpack".into()
            ));
        }
        // Encoding + payload size (`lpCurrentEncodedSizeUnsafe`).
        let size: u64 = match b0 {
            0x00..=0x7F => 1,
            0x80..=0xBF => 1 + u64::from(b0 & 0x3F),
            0xC0..=0xDF => 2,
            0xE0..=0xEF => {
                let b1 = *blob
                    .get(pos + 1)
                    .ok_or_else(|| err("truncated 12-bit string length".into()))?;
                2 + (u64::from(b0 & 0x0F) << 8 | u64::from(b1))
            }
            0xF0 => {
                let len = read_at(blob, pos + 1, le_u32)
                    .ok_or_else(|| err("truncated 32-bit string length".into()))?;
                5 + u64::from(len)
            }
            0xF1 => 3,
            0xF2 => 4,
            0xF3 => 5,
            _ => 9, // 0xF4; 0xF5..=0xFF returned above
        };
        let backlen = backlen_size(size);
        let next = u64::try_from(pos)
            .ok()
            .and_then(|p| p.checked_add(size)?.checked_add(backlen as u64))
            .and_then(|n| usize::try_from(n).ok())
            .filter(|&n| n <= end)
            .ok_or_else(|| {
                err(format!(
                    "element of {size} bytes plus {backlen}-byte backlen runs past the end of the listpack"
                ))
            })?;
        match decode_backlen(blob, next - 1) {
            Some(v) if v == size => {}
            Some(v) => {
                return Err(err(format!(
                    "backlen {v} does not match element size {size}"
                )));
            }
            None => {
                return Err(err(format!(
                    "backlen of the {size}-byte element is longer than 5 bytes"
                )));
            }
        }
        // `size` fits in usize now: the element lies inside the blob.
        let payload_end = next - backlen;
        let truncated = || err("truncated integer payload".into());
        let elem = match b0 {
            0x00..=0x7F => Elem::Int(i64::from(b0)),
            0xC0..=0xDF => {
                let b1 = *blob.get(pos + 1).ok_or_else(truncated)?;
                let u = i64::from(b0 & 0x1F) << 8 | i64::from(b1);
                Elem::Int(if u >= 1 << 12 { u - (1 << 13) } else { u })
            }
            0xF1 => Elem::Int(read_at(blob, pos + 1, le_i16).ok_or_else(truncated)?.into()),
            0xF2 => Elem::Int(read_at(blob, pos + 1, le_i24).ok_or_else(truncated)?.into()),
            0xF3 => Elem::Int(read_at(blob, pos + 1, le_i32).ok_or_else(truncated)?.into()),
            0xF4 => Elem::Int(read_at(blob, pos + 1, le_i64).ok_or_else(truncated)?),
            _ => Elem::Bytes(
                blob.get(pos + lenbytes..payload_end)
                    .ok_or_else(|| err("string payload out of bounds".into()))?,
            ),
        };
        Ok((elem, next))
    }

    #[derive(Clone, Debug)]
    enum State {
        /// The header was bad: yield this error, then stop.
        Failed(EncError),
        Walking,
        Done,
    }

    /// Walks every element with deep validation (`lpValidateNext` for each element,
    /// then: the walk ends exactly at the final 0xFF and the element count equals the
    /// header count unless 65535). Yields the elements in order; after the last
    /// element it yields one `Err` if the tail is invalid, then `None`. Any error ends
    /// the iteration.
    #[derive(Clone, Debug)]
    pub struct Iter<'a> {
        blob: &'a [u8],
        pos: usize,
        seen: usize,
        header_count: Option<u16>,
        state: State,
    }

    impl<'a> Iter<'a> {
        /// Starts a walk over `blob`; runs [`header`] first (its error, if any, is the
        /// first item).
        pub fn new(blob: &'a [u8]) -> Self {
            let (header_count, state) = match header(blob) {
                Ok(c) => (c, State::Walking),
                Err(e) => (None, State::Failed(e)),
            };
            Iter {
                blob,
                pos: HDR_SIZE,
                seen: 0,
                header_count,
                state,
            }
        }

        /// Byte offset in the blob of the next element (for error reporting).
        pub fn offset(&self) -> usize {
            self.pos
        }

        /// Checks run when the walk meets a 0xFF byte.
        fn tail(&self) -> Option<EncError> {
            let last = self.blob.len().saturating_sub(1);
            if self.pos != last {
                return Some(EncError::new(
                    self.pos,
                    format!(
                        "0xFF end marker at offset {} but the listpack ends at {last}",
                        self.pos
                    ),
                ));
            }
            match self.header_count {
                Some(c) if usize::from(c) != self.seen => Some(EncError::new(
                    4,
                    format!("count {c} in header but {} elements", self.seen),
                )),
                _ => None,
            }
        }
    }

    impl<'a> Iterator for Iter<'a> {
        type Item = Result<Elem<'a>, EncError>;

        fn next(&mut self) -> Option<Self::Item> {
            if !matches!(self.state, State::Walking) {
                return match std::mem::replace(&mut self.state, State::Done) {
                    State::Failed(e) => Some(Err(e)),
                    _ => None,
                };
            }
            if self.blob.get(self.pos) == Some(&EOF) {
                self.state = State::Done;
                return self.tail().map(Err);
            }
            match element(self.blob, self.pos) {
                Ok((elem, next)) => {
                    self.pos = next;
                    self.seen += 1;
                    Some(Ok(elem))
                }
                Err(e) => {
                    self.state = State::Done;
                    Some(Err(e))
                }
            }
        }
    }

    impl std::iter::FusedIterator for Iter<'_> {}

    /// Counts the elements with full validation (Redis's deep `lpValidateIntegrity`).
    pub fn validate(blob: &[u8]) -> Result<usize, EncError> {
        super::super::count_valid(Iter::new(blob))
    }
}

/// Writing half: builds listpacks byte-for-byte as Redis does.
pub mod write {
    use super::{EOF, Elem, EncError, HDR_SIZE, backlen_size, parse_canonical_i64};

    /// Appends the backlen for an element of `l` bytes (`lpEncodeBacklen`): the first
    /// byte holds the most significant 7-bit group, every following byte has bit 7 set.
    pub(super) fn encode_backlen(l: u64, out: &mut Vec<u8>) {
        let n = backlen_size(l);
        for i in (0..n).rev() {
            let group = ((l >> (7 * i)) & 0x7F) as u8;
            out.push(if i + 1 == n { group } else { group | 0x80 });
        }
    }

    /// Integer encoding chosen by `lpEncodeIntegerGetType`: the smallest of 7-bit uint,
    /// 13-bit, 16, 24, 32 and 64-bit. Returns the buffer and the used length.
    fn int_encoding(v: i64) -> ([u8; 9], usize) {
        match v {
            0..=127 => ([v as u8, 0, 0, 0, 0, 0, 0, 0, 0], 1),
            -4096..=4095 => {
                let u = if v < 0 { v + (1 << 13) } else { v };
                (
                    [0xC0 | (u >> 8) as u8, (u & 0xFF) as u8, 0, 0, 0, 0, 0, 0, 0],
                    2,
                )
            }
            -32_768..=32_767 => {
                let [a, b] = (v as i16).to_le_bytes();
                ([0xF1, a, b, 0, 0, 0, 0, 0, 0], 3)
            }
            -8_388_608..=8_388_607 => {
                let [a, b, c, _] = (v as i32).to_le_bytes();
                ([0xF2, a, b, c, 0, 0, 0, 0, 0], 4)
            }
            -2_147_483_648..=2_147_483_647 => {
                let [a, b, c, d] = (v as i32).to_le_bytes();
                ([0xF3, a, b, c, d, 0, 0, 0, 0], 5)
            }
            _ => {
                let [a, b, c, d, e, f, g, h] = v.to_le_bytes();
                ([0xF4, a, b, c, d, e, f, g, h], 9)
            }
        }
    }

    /// Builds a listpack exactly as Redis does (`lpEncodeGetType`): canonical-integer
    /// strings become integers (7-bit uint 0..127, else 13-bit, 16, 24, 32, 64-bit —
    /// the smallest that fits), other strings use the 6-bit (< 64), 12-bit (< 4096) or
    /// 32-bit length form; each element is followed by its backlen; the header count
    /// saturates at 65535 once there are 65535 or more elements.
    #[derive(Clone, Debug)]
    pub struct Writer {
        /// Header placeholder followed by the elements; the terminator is added by
        /// `finish`.
        buf: Vec<u8>,
        count: usize,
    }

    impl Default for Writer {
        fn default() -> Self {
            Self::new()
        }
    }

    impl Writer {
        /// An empty listpack (7 bytes once finished).
        pub fn new() -> Self {
            Writer {
                buf: vec![0; HDR_SIZE],
                count: 0,
            }
        }

        /// Appends a string element; canonical integer strings (formats.md 2.1) are
        /// stored as integers, like Redis does.
        ///
        /// # Panics
        /// If the listpack would grow past `u32::MAX` bytes (its `total_bytes` field
        /// cannot say more; Redis itself stops at 1 GiB). Use [`Writer::try_push`] to get
        /// an error instead.
        pub fn push_bytes(&mut self, b: &[u8]) {
            self.push(Elem::Bytes(b));
        }

        /// Appends an integer element.
        ///
        /// # Panics
        /// As [`Writer::push_bytes`].
        pub fn push_int(&mut self, v: i64) {
            self.push(Elem::Int(v));
        }

        /// Appends an element ([`Elem::Bytes`] as [`Writer::push_bytes`], [`Elem::Int`]
        /// as [`Writer::push_int`]).
        ///
        /// # Panics
        /// As [`Writer::push_bytes`].
        pub fn push(&mut self, e: Elem<'_>) {
            if let Err(e) = self.try_push(e) {
                panic!("listpack writer: {}", e.reason);
            }
        }

        /// Like [`Writer::push`], but returns an error (and leaves the writer unchanged)
        /// when the listpack would exceed `u32::MAX` bytes.
        pub fn try_push(&mut self, e: Elem<'_>) -> Result<(), EncError> {
            let string = match e {
                Elem::Int(v) => return self.append_int(v),
                Elem::Bytes(b) => match parse_canonical_i64(b) {
                    Some(v) => return self.append_int(v),
                    None => b,
                },
            };
            let len = string.len();
            match len {
                0..=63 => self.append(&[0x80 | len as u8], string),
                64..=4095 => self.append(&[0xE0 | (len >> 8) as u8, (len & 0xFF) as u8], string),
                _ => {
                    let [a, b, c, d] = u32::try_from(len)
                        .map_err(|_| self.too_big())?
                        .to_le_bytes();
                    self.append(&[0xF0, a, b, c, d], string)
                }
            }
        }

        fn append_int(&mut self, v: i64) -> Result<(), EncError> {
            let (enc, len) = int_encoding(v);
            self.append(enc.get(..len).unwrap_or(&enc), &[])
        }

        fn too_big(&self) -> EncError {
            EncError::new(
                self.buf.len(),
                "listpack would exceed 4 GiB (u32 total_bytes)",
            )
        }

        /// Appends encoding `enc`, `payload` and the backlen, keeping the blob within
        /// `u32::MAX` bytes.
        fn append(&mut self, enc: &[u8], payload: &[u8]) -> Result<(), EncError> {
            let size = enc.len() as u64 + payload.len() as u64;
            let backlen = backlen_size(size) as u64;
            let total = self.buf.len() as u64 + size + backlen + 1;
            if total > u64::from(u32::MAX) {
                return Err(self.too_big());
            }
            self.buf
                .reserve(usize::try_from(size + backlen).unwrap_or(0));
            self.buf.extend_from_slice(enc);
            self.buf.extend_from_slice(payload);
            encode_backlen(size, &mut self.buf);
            self.count += 1;
            Ok(())
        }

        /// Number of elements pushed so far.
        pub fn len(&self) -> usize {
            self.count
        }

        /// Whether no element was pushed.
        pub fn is_empty(&self) -> bool {
            self.count == 0
        }

        /// Size in bytes of the finished blob.
        pub fn byte_len(&self) -> usize {
            self.buf.len() + 1
        }

        /// The finished listpack: header (`total_bytes`, count saturated at 65535),
        /// elements and the 0xFF terminator.
        pub fn finish(mut self) -> Vec<u8> {
            self.buf.push(EOF);
            // `append` keeps the total within u32.
            let total = u32::try_from(self.buf.len()).unwrap_or(u32::MAX);
            let count = u16::try_from(self.count).unwrap_or(u16::MAX);
            if let Some(h) = self.buf.get_mut(..4) {
                h.copy_from_slice(&total.to_le_bytes());
            }
            if let Some(h) = self.buf.get_mut(4..HDR_SIZE) {
                h.copy_from_slice(&count.to_le_bytes());
            }
            self.buf
        }
    }
}

#[cfg(test)]
mod tests {
    use super::read::{Iter, header, validate};
    use super::write::{Writer, encode_backlen};
    use super::{Elem, EncError, backlen_size, parse_canonical_i64};
    use proptest::prelude::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn collect(blob: &[u8]) -> Result<Vec<Elem<'_>>, EncError> {
        Iter::new(blob).collect()
    }

    fn text(e: &Elem<'_>) -> Vec<u8> {
        let mut v = Vec::new();
        e.append_to(&mut v);
        v
    }

    /// A one-element listpack around `elem` (encoding + payload + backlen).
    fn single(elem: &[u8]) -> Vec<u8> {
        let total = (6 + elem.len() + 1) as u32;
        let mut v = total.to_le_bytes().to_vec();
        v.extend_from_slice(&[1, 0]);
        v.extend_from_slice(elem);
        v.push(0xFF);
        v
    }

    fn backlen(l: u64) -> Vec<u8> {
        let mut v = Vec::new();
        encode_backlen(l, &mut v);
        v
    }

    #[test]
    fn backlen_golden_and_size_rule() {
        assert_eq!(backlen(200), vec![0x01, 0xC8]);
        assert_eq!(backlen(0), vec![0x00]);
        assert_eq!(backlen(127), vec![0x7F]);
        assert_eq!(backlen(128), vec![0x01, 0x80]);
        assert_eq!(backlen(16382), vec![0x7F, 0xFE]);
        assert_eq!(backlen(16383), vec![0x00, 0xFF, 0xFF]);
        assert_eq!(backlen(2_097_150), vec![0x7F, 0xFF, 0xFE]);
        assert_eq!(backlen(2_097_151), vec![0x00, 0xFF, 0xFF, 0xFF]);
        assert_eq!(backlen(268_435_454), vec![0x7F, 0xFF, 0xFF, 0xFE]);
        assert_eq!(backlen(268_435_455), vec![0x00, 0xFF, 0xFF, 0xFF, 0xFF]);
        assert_eq!(backlen(u32::MAX as u64), vec![0x0F, 0xFF, 0xFF, 0xFF, 0xFF]);
        for (l, n) in [
            (127, 1),
            (128, 2),
            (16382, 2),
            (16383, 3),
            (2_097_151, 4),
            (268_435_455, 5),
        ] {
            assert_eq!(backlen_size(l), n, "L={l}");
        }
    }

    #[test]
    fn string_of_198_bytes_ends_with_backlen_01_c8() {
        let s = vec![b'x'; 198];
        let mut w = Writer::new();
        w.push_bytes(&s);
        let blob = w.finish();
        assert_eq!(blob.len(), 6 + 200 + 2 + 1);
        assert_eq!(&blob[6..8], &[0xE0, 198]);
        assert_eq!(&blob[206..], &[0x01, 0xC8, 0xFF]);
        assert_eq!(collect(&blob).unwrap(), vec![Elem::Bytes(&s)]);
    }

    #[test]
    fn empty_listpack() {
        let blob = Writer::new().finish();
        assert_eq!(blob, hex("07000000 0000 FF"));
        assert_eq!(header(&blob), Ok(Some(0)));
        assert_eq!(validate(&blob), Ok(0));
        assert!(Writer::new().is_empty());
        assert_eq!(Writer::new().byte_len(), 7);
    }

    #[test]
    fn integer_boundaries() {
        // (value, encoding + payload)
        let cases: Vec<(i64, Vec<u8>)> = vec![
            (0, hex("00")),
            (127, hex("7F")),
            (128, hex("C0 80")),
            (-1, hex("DF FF")),
            (4095, hex("CF FF")),
            (-4096, hex("D0 00")),
            (4096, hex("F1 00 10")),
            (-4097, hex("F1 FF EF")),
            (32767, hex("F1 FF 7F")),
            (-32768, hex("F1 00 80")),
            (32768, hex("F2 00 80 00")),
            (-32769, hex("F2 FF 7F FF")),
            (8_388_607, hex("F2 FF FF 7F")),
            (-8_388_608, hex("F2 00 00 80")),
            (8_388_608, hex("F3 00 00 80 00")),
            (-8_388_609, hex("F3 FF FF 7F FF")),
            (i32::MAX as i64, hex("F3 FF FF FF 7F")),
            (i32::MIN as i64, hex("F3 00 00 00 80")),
            (i32::MAX as i64 + 1, hex("F4 00 00 00 80 00 00 00 00")),
            (i32::MIN as i64 - 1, hex("F4 FF FF FF 7F FF FF FF FF")),
            (i64::MAX, hex("F4 FF FF FF FF FF FF FF 7F")),
            (i64::MIN, hex("F4 00 00 00 00 00 00 00 80")),
        ];
        for (v, enc) in cases {
            let mut elem = enc.clone();
            elem.extend(backlen(enc.len() as u64));
            let want = single(&elem);
            let mut w = Writer::new();
            w.push_int(v);
            assert_eq!(w.byte_len(), want.len());
            assert_eq!(w.finish(), want, "push_int({v})");
            let mut w = Writer::new();
            w.push_bytes(v.to_string().as_bytes());
            assert_eq!(w.finish(), want, "push_bytes({v})");
            assert_eq!(collect(&want).unwrap(), vec![Elem::Int(v)], "read {v}");
        }
    }

    #[test]
    fn string_boundaries() {
        for (len, enc) in [
            (0usize, hex("80")),
            (1, hex("81")),
            (63, hex("BF")),
            (64, hex("E0 40")),
            (4095, hex("EF FF")),
            (4096, hex("F0 00 10 00 00")),
            (70000, hex("F0 70 11 01 00")),
        ] {
            let s: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            let mut elem = enc.clone();
            elem.extend_from_slice(&s);
            elem.extend(backlen((enc.len() + len) as u64));
            let want = single(&elem);
            let mut w = Writer::new();
            w.push_bytes(&s);
            assert_eq!(w.byte_len(), want.len());
            assert_eq!(w.finish(), want, "string of {len}");
            assert_eq!(collect(&want).unwrap(), vec![Elem::Bytes(&s)]);
        }
    }

    #[test]
    fn integer_looking_strings_that_stay_strings() {
        let mut w = Writer::new();
        for s in [
            &b"007"[..],
            b"-0",
            b"+1",
            b" 1",
            b"1 ",
            b"9223372036854775808",
            b"-",
        ] {
            w.push_bytes(s);
        }
        let blob = w.finish();
        let got = collect(&blob).unwrap();
        assert!(got.iter().all(|e| matches!(e, Elem::Bytes(_))), "{got:?}");
        assert_eq!(got[0], Elem::Bytes(b"007"));
    }

    /// Redis 7.0.4 list "l" (listpack.rdb, HDT3213/rdb): 1, 20000, "aaaa", 4, 16380,
    /// -16380, 1048576, 268435456, 8589934592.
    const REAL_LIST: &str = "32000000 0900 0101 f1204e03 846161616105 0401 f1fc3f03 f104c003 \
                             f200001004 f30000001005 f4000000000200000009 ff";

    #[test]
    fn real_redis_listpacks() {
        let blob = hex(REAL_LIST);
        let got = collect(&blob).unwrap();
        assert_eq!(
            got,
            vec![
                Elem::Int(1),
                Elem::Int(20000),
                Elem::Bytes(b"aaaa"),
                Elem::Int(4),
                Elem::Int(16380),
                Elem::Int(-16380),
                Elem::Int(1_048_576),
                Elem::Int(268_435_456),
                Elem::Int(8_589_934_592),
            ]
        );
        // Our writer makes the same bytes from the same values.
        let mut w = Writer::new();
        for e in &got {
            w.push(*e);
        }
        assert_eq!(w.finish(), blob);

        // Valkey/Redis 7.2 set listpack (set_listpack.rdb): a b c d.
        let set = hex("13000000 0400 816102 816202 816302 816402 ff");
        assert_eq!(validate(&set), Ok(4));
        let mut w = Writer::new();
        for s in [b"a", b"b", b"c", b"d"] {
            w.push_bytes(s);
        }
        assert_eq!(w.finish(), set);
    }

    #[test]
    fn count_saturates_at_65535() {
        for n in [65534usize, 65535, 65536] {
            let mut w = Writer::new();
            for i in 0..n {
                w.push_int((i % 100) as i64);
            }
            assert_eq!(w.len(), n);
            let blob = w.finish();
            let want = if n >= 65535 { None } else { Some(n as u16) };
            assert_eq!(header(&blob), Ok(want));
            assert_eq!(validate(&blob), Ok(n));
        }
    }

    fn err_of(blob: &[u8]) -> EncError {
        validate(blob).unwrap_err()
    }

    #[test]
    fn header_errors() {
        let good = hex("0b000000 0200 01 01 02 01 ff");
        assert_eq!(validate(&good), Ok(2));

        let e = err_of(&good[..6]);
        assert_eq!(e.offset, 0);
        assert!(e.reason.contains("7-byte minimum"), "{e:?}");

        let mut bad = good.clone();
        bad[0] = 12;
        let e = err_of(&bad);
        assert_eq!(
            (e.offset, e.reason.as_str()),
            (0, "total_bytes 12 but the blob is 11 bytes")
        );

        let mut bad = good.clone();
        bad[10] = 0x00;
        let e = err_of(&bad);
        assert_eq!(e.offset, 10);
        assert!(e.reason.contains("terminator"), "{e:?}");

        // The header error is the first (and only) item.
        let items: Vec<_> = Iter::new(&bad).collect();
        assert_eq!(items.len(), 1);
        assert!(items[0].is_err());
    }

    #[test]
    fn element_errors() {
        // count mismatch
        let bad = hex("0b000000 0300 01 01 02 01 ff");
        let e = err_of(&bad);
        assert_eq!(
            (e.offset, e.reason.as_str()),
            (4, "count 3 in header but 2 elements")
        );
        // ... but 65535 means unknown
        assert_eq!(validate(&hex("0b000000 ffff 01 01 02 01 ff")), Ok(2));

        // bad backlen
        let bad = hex("0b000000 0200 01 01 02 03 ff");
        let e = err_of(&bad);
        assert_eq!(
            (e.offset, e.reason.as_str()),
            (8, "backlen 3 does not match element size 1")
        );
        let items: Vec<_> = Iter::new(&bad).collect();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0], Ok(Elem::Int(1)));

        // unknown encoding byte 0xF5 .. 0xFE
        for b in 0xF5..=0xFEu8 {
            let bad = [hex("0b000000 0200 01 01"), vec![b, 0x01, 0xFF]].concat();
            let e = err_of(&bad);
            assert_eq!(e.offset, 8);
            assert_eq!(e.reason, format!("invalid encoding byte 0x{b:02X}"));
        }

        // early terminator: walk reaches 0xFF before the last byte
        let bad = hex("0b000000 0100 01 01 ff 01 ff");
        let e = err_of(&bad);
        assert_eq!(e.offset, 8);
        assert!(e.reason.contains("end marker"), "{e:?}");

        // string length runs past the end
        let bad = hex("0b000000 0100 85 61 62 01 ff");
        let e = err_of(&bad);
        assert_eq!(e.offset, 6);
        assert!(e.reason.contains("runs past"), "{e:?}");

        // element + backlen may not swallow the terminator
        let bad = hex("09000000 0100 81 61 ff");
        let e = err_of(&bad);
        assert_eq!(e.offset, 6);
        assert!(e.reason.contains("runs past"), "{e:?}");

        // 32-bit string length header truncated
        let bad = hex("0b000000 0100 f0 05 00 00 ff");
        assert!(err_of(&bad).reason.contains("header runs past"));

        // huge 32-bit length
        let bad = hex("0f000000 0100 f0 ff ff ff ff 00 00 00 ff");
        assert!(err_of(&bad).reason.contains("runs past"));

        // backlen with more than 5 continuation bytes
        let bad = hex("0f000000 0100 86 00 ff ff ff ff ff 87 ff");
        assert!(
            err_of(&bad).reason.contains("backlen"),
            "{:?}",
            err_of(&bad)
        );
    }

    #[test]
    fn backlen_spilling_into_the_payload_is_accepted_like_redis() {
        // lpDecodeBacklen keeps reading backwards while bit 7 is set; for uint 0 with
        // backlen byte 0x81 it reads the 0x00 element byte too and gets 1: Redis
        // accepts this non-canonical backlen, and so do we.
        let blob = hex("09000000 0100 00 81 ff");
        assert_eq!(collect(&blob).unwrap(), vec![Elem::Int(0)]);
        // 0x82 decodes to 2 != 1.
        assert!(validate(&hex("09000000 0100 00 82 ff")).is_err());
    }

    #[test]
    fn offset_tracks_the_next_element() {
        let blob = hex(REAL_LIST);
        let mut it = Iter::new(&blob);
        assert_eq!(it.offset(), 6);
        it.next();
        assert_eq!(it.offset(), 8);
        it.next();
        assert_eq!(it.offset(), 12);
    }

    #[test]
    fn try_push_rejects_nothing_small() {
        let mut w = Writer::new();
        assert!(w.try_push(Elem::Bytes(b"abc")).is_ok());
        assert_eq!(w.len(), 1);
    }

    fn element_strategy() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            4 => proptest::collection::vec(any::<u8>(), 0..80),
            3 => any::<i64>().prop_map(|i| i.to_string().into_bytes()),
            2 => (-70000i64..70000).prop_map(|i| i.to_string().into_bytes()),
            2 => "-?[0-9]{1,21}".prop_map(String::into_bytes),
            1 => prop_oneof![
                Just(b"007".to_vec()),
                Just(b"-0".to_vec()),
                Just(b"0".to_vec()),
                Just(b"+5".to_vec()),
                Just(i64::MIN.to_string().into_bytes()),
                Just(i64::MAX.to_string().into_bytes()),
                Just(b"9223372036854775808".to_vec()),
                Just(b"-9223372036854775809".to_vec()),
            ],
            1 => (4090usize..4100).prop_map(|n| vec![b'z'; n]),
        ]
    }

    proptest! {
        #[test]
        fn round_trip(items in proptest::collection::vec(element_strategy(), 0..40)) {
            let mut w = Writer::new();
            for it in &items {
                w.push_bytes(it);
            }
            prop_assert_eq!(w.len(), items.len());
            let expected_len = w.byte_len();
            let blob = w.finish();
            prop_assert_eq!(blob.len(), expected_len);
            let got = collect(&blob).unwrap();
            prop_assert_eq!(got.len(), items.len());
            for (e, orig) in got.iter().zip(&items) {
                prop_assert_eq!(&text(e), orig);
                prop_assert_eq!(
                    matches!(e, Elem::Int(_)),
                    parse_canonical_i64(orig).is_some()
                );
            }
        }

        #[test]
        fn ints_round_trip(vals in proptest::collection::vec(any::<i64>(), 0..40)) {
            let mut w = Writer::new();
            for v in &vals {
                w.push_int(*v);
            }
            let blob = w.finish();
            let got: Vec<i64> = Iter::new(&blob).map(|e| e.unwrap().as_int().unwrap()).collect();
            prop_assert_eq!(got, vals);
        }

        #[test]
        fn random_bodies_never_panic(
            body in proptest::collection::vec(any::<u8>(), 0..200),
            count in prop_oneof![Just(65535u16), 0u16..8],
        ) {
            let mut blob = ((body.len() + 7) as u32).to_le_bytes().to_vec();
            blob.extend_from_slice(&count.to_le_bytes());
            blob.extend_from_slice(&body);
            blob.push(0xFF);
            prop_assert!(header(&blob).is_ok());
            let n = Iter::new(&blob).take(blob.len() + 2).count();
            prop_assert!(n <= blob.len());
            if let Ok(c) = validate(&blob) {
                prop_assert!(c <= body.len());
            }
        }

        #[test]
        fn corruption_never_panics_or_hangs(
            items in proptest::collection::vec(element_strategy(), 0..12),
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..4), 1..4),
        ) {
            let mut w = Writer::new();
            for it in &items {
                w.push_bytes(it);
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

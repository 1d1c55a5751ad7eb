//! Ziplist (formats.md 2.3, Redis `ziplist.c`): the compact list of RDB types 10, 12,
//! 13 and of quicklist v1 nodes (Redis 2.4–6.2).
//!
//! ```text
//! ziplist := zlbytes(u32 LE) zltail(u32 LE) zllen(u16 LE) entry* 0xFF
//! entry   := prevlen(1 byte < 254 | 0xFE u32 LE) encoding [payload]
//! ```
//!
//! [`read`] walks a blob with the checks of Redis's `ziplistValidateIntegrity(deep = 1)`;
//! [`mod@write`] produces the bytes Redis itself would produce for the same entries.

use super::read_at;
use super::{Elem, EncError, parse_canonical_i64};

/// Header: `zlbytes` (u32) + `zltail` (u32) + `zllen` (u16).
const HDR_SIZE: usize = 10;
/// The terminator byte (and the last byte of every ziplist).
const END: u8 = 0xFF;
/// First prevlen byte announcing the 5-byte form.
const BIG_PREVLEN: u8 = 0xFE;
/// `zllen` value meaning "unknown, count by walking".
const LEN_UNKNOWN: u16 = u16::MAX;

/// Reading half: header checks and a deep-validating entry iterator.
pub mod read {
    use super::{BIG_PREVLEN, END, Elem, EncError, HDR_SIZE, LEN_UNKNOWN, read_at};
    use nom::number::complete::{be_u32, le_i16, le_i24, le_i32, le_i64, le_u16, le_u32};

    #[derive(Clone, Copy, Debug)]
    struct Header {
        tail: u32,
        count: Option<u16>,
    }

    fn parse_header(blob: &[u8]) -> Result<Header, EncError> {
        let size = blob.len();
        if size < HDR_SIZE + 1 {
            return Err(EncError::new(
                0,
                format!("ziplist is {size} bytes, shorter than the 11-byte minimum"),
            ));
        }
        let field = |at: usize, name: &str| {
            read_at(blob, at, le_u32)
                .ok_or_else(|| EncError::new(at, format!("truncated {name} field")))
        };
        let zlbytes = field(0, "zlbytes")?;
        if usize::try_from(zlbytes).ok() != Some(size) {
            return Err(EncError::new(
                0,
                format!("zlbytes {zlbytes} but the blob is {size} bytes"),
            ));
        }
        let last = size - 1;
        match blob.last() {
            Some(&END) => {}
            Some(b) => {
                return Err(EncError::new(
                    last,
                    format!("last byte is 0x{b:02X}, not the 0xFF terminator"),
                ));
            }
            None => return Err(EncError::new(0, "empty ziplist")),
        }
        let tail = field(4, "zltail")?;
        if usize::try_from(tail).map_or(true, |t| t > last) {
            return Err(EncError::new(
                4,
                format!("zltail {tail} is past the terminator at offset {last}"),
            ));
        }
        let count =
            read_at(blob, 8, le_u16).ok_or_else(|| EncError::new(8, "truncated zllen field"))?;
        Ok(Header {
            tail,
            count: (count != LEN_UNKNOWN).then_some(count),
        })
    }

    /// Header checks (size >= 11, `zlbytes` == blob length, last byte 0xFF,
    /// `zltail` <= size - 1), as Redis's non-deep `ziplistValidateIntegrity`. Returns
    /// the header entry count, `None` when it is 65535 (unknown).
    pub fn header(blob: &[u8]) -> Result<Option<u16>, EncError> {
        parse_header(blob).map(|h| h.count)
    }

    /// Validates the entry at `pos` (`zipEntrySafe` plus the prevlen check of
    /// `ziplistValidateIntegrity`) and decodes it. Returns the entry and its size.
    fn entry(blob: &[u8], pos: usize, prev_size: usize) -> Result<(Elem<'_>, usize), EncError> {
        let err = |reason: String| EncError::new(pos, reason);
        // The terminator is the last byte: an entry must end at or before it.
        let end = blob.len().saturating_sub(1);
        let within = |n: u64| {
            u64::try_from(pos)
                .ok()
                .and_then(|p| p.checked_add(n))
                .is_some_and(|x| x <= end as u64)
        };

        let p0 = *blob
            .get(pos)
            .ok_or_else(|| err("entry starts past the end".into()))?;
        let prevlensize: usize = if p0 < BIG_PREVLEN { 1 } else { 5 };
        if !within(prevlensize as u64) {
            return Err(err("prevlen runs past the end of the ziplist".into()));
        }
        let prevlen: u64 = if prevlensize == 1 {
            u64::from(p0)
        } else {
            read_at(blob, pos + 1, le_u32)
                .ok_or_else(|| err("truncated 5-byte prevlen".into()))?
                .into()
        };

        let at = pos + prevlensize;
        let eb = *blob
            .get(at)
            .ok_or_else(|| err("truncated encoding".into()))?;
        // `ZIP_ENTRY_ENCODING`: string encodings keep only their top two bits.
        let enc = if eb < 0xC0 { eb & 0xC0 } else { eb };
        let lensize: usize = match enc {
            0x40 => 2,
            0x80 => 5,
            0x00 | 0xC0 | 0xD0 | 0xE0 | 0xF0 | 0xF1..=0xFE => 1,
            _ => return Err(err(format!("invalid encoding byte 0x{eb:02X}"))),
        };
        if !within((prevlensize + lensize) as u64) {
            return Err(err("entry header runs past the end of the ziplist".into()));
        }
        let len: u64 = match enc {
            0x00 => u64::from(eb & 0x3F),
            0x40 => {
                let b1 = *blob
                    .get(at + 1)
                    .ok_or_else(|| err("truncated 14-bit length".into()))?;
                u64::from(eb & 0x3F) << 8 | u64::from(b1)
            }
            0x80 => read_at(blob, at + 1, be_u32)
                .ok_or_else(|| err("truncated 32-bit length".into()))?
                .into(),
            0xFE => 1,
            0xC0 => 2,
            0xF0 => 3,
            0xD0 => 4,
            0xE0 => 8,
            _ => 0, // 0xF1..=0xFD: 4-bit immediate
        };
        let header = prevlensize + lensize;
        let size = header as u64 + len;
        if !within(size) {
            return Err(err(format!(
                "entry of {size} bytes runs past the end of the ziplist"
            )));
        }
        // `size` fits in usize now: the entry lies inside the blob.
        let size = usize::try_from(size).map_err(|_| err("entry too large".into()))?;
        if prevlen != prev_size as u64 {
            return Err(err(if pos == HDR_SIZE {
                format!("first entry has prevlen {prevlen}, not 0")
            } else {
                format!("prevlen {prevlen} but previous entry is {prev_size} bytes")
            }));
        }

        let data = at + lensize;
        let truncated = || err("truncated integer payload".into());
        let elem = match enc {
            0x00 | 0x40 | 0x80 => Elem::Bytes(
                blob.get(data..pos + size)
                    .ok_or_else(|| err("string payload out of bounds".into()))?,
            ),
            0xFE => Elem::Int(i64::from(
                blob.get(data).copied().ok_or_else(truncated)? as i8
            )),
            0xC0 => Elem::Int(read_at(blob, data, le_i16).ok_or_else(truncated)?.into()),
            0xF0 => Elem::Int(read_at(blob, data, le_i24).ok_or_else(truncated)?.into()),
            0xD0 => Elem::Int(read_at(blob, data, le_i32).ok_or_else(truncated)?.into()),
            0xE0 => Elem::Int(read_at(blob, data, le_i64).ok_or_else(truncated)?),
            _ => Elem::Int(i64::from(eb & 0x0F) - 1),
        };
        Ok((elem, size))
    }

    #[derive(Clone, Debug)]
    enum State {
        /// The header was bad: yield this error, then stop.
        Failed(EncError),
        Walking(Header),
        Done,
    }

    /// Walks every entry with deep validation (`ziplistValidateIntegrity`): each entry
    /// inside the blob with a valid encoding and a prevlen equal to the real size of the
    /// previous entry (0 for the first; the 5-byte form is accepted for any value), the
    /// walk ends exactly at the final 0xFF, `zltail` points at the last entry, and the
    /// entry count equals `zllen` unless 65535. Yields the entries in order; after the
    /// last entry it yields one `Err` if the tail is invalid, then `None`. Any error
    /// ends the iteration.
    #[derive(Clone, Debug)]
    pub struct Iter<'a> {
        blob: &'a [u8],
        pos: usize,
        seen: usize,
        prev_size: usize,
        prev_pos: Option<usize>,
        state: State,
    }

    impl<'a> Iter<'a> {
        /// Starts a walk over `blob`; runs [`header`] first (its error, if any, is the
        /// first item).
        pub fn new(blob: &'a [u8]) -> Self {
            let state = match parse_header(blob) {
                Ok(h) => State::Walking(h),
                Err(e) => State::Failed(e),
            };
            Iter {
                blob,
                pos: HDR_SIZE,
                seen: 0,
                prev_size: 0,
                prev_pos: None,
                state,
            }
        }

        /// Byte offset in the blob of the next entry (for error reporting).
        pub fn offset(&self) -> usize {
            self.pos
        }

        /// Checks run when the walk meets the 0xFF end byte.
        fn tail(&self, h: Header) -> Option<EncError> {
            let last = self.blob.len().saturating_sub(1);
            if self.pos != last {
                return Some(EncError::new(
                    self.pos,
                    format!(
                        "0xFF end marker at offset {} but the ziplist ends at {last}",
                        self.pos
                    ),
                ));
            }
            // Redis checks zltail only when there is an entry.
            if let Some(p) = self.prev_pos
                && u32::try_from(p).ok() != Some(h.tail)
            {
                return Some(EncError::new(
                    4,
                    format!("zltail {} but the last entry is at offset {p}", h.tail),
                ));
            }
            match h.count {
                Some(c) if usize::from(c) != self.seen => Some(EncError::new(
                    8,
                    format!("count {c} in header but {} entries", self.seen),
                )),
                _ => None,
            }
        }
    }

    impl<'a> Iterator for Iter<'a> {
        type Item = Result<Elem<'a>, EncError>;

        fn next(&mut self) -> Option<Self::Item> {
            match std::mem::replace(&mut self.state, State::Done) {
                State::Done => None,
                State::Failed(e) => Some(Err(e)),
                State::Walking(h) => {
                    if self.blob.get(self.pos) == Some(&END) {
                        return self.tail(h).map(Err);
                    }
                    match entry(self.blob, self.pos, self.prev_size) {
                        Ok((elem, size)) => {
                            self.prev_pos = Some(self.pos);
                            self.prev_size = size;
                            self.pos += size;
                            self.seen += 1;
                            self.state = State::Walking(h);
                            Some(Ok(elem))
                        }
                        Err(e) => Some(Err(e)),
                    }
                }
            }
        }
    }

    impl std::iter::FusedIterator for Iter<'_> {}

    /// Counts the entries with full validation (Redis's deep
    /// `ziplistValidateIntegrity`).
    pub fn validate(blob: &[u8]) -> Result<usize, EncError> {
        super::super::count_valid(Iter::new(blob))
    }
}

/// Writing half: builds ziplists byte-for-byte as Redis does.
pub mod write {
    use super::{BIG_PREVLEN, END, Elem, EncError, HDR_SIZE, parse_canonical_i64};

    /// Builds a ziplist exactly as Redis does: canonical integer strings become
    /// integers (`zipTryEncoding`: immediate 0..12, else int8, int16, int24, int32,
    /// int64 — the smallest that fits; with legacy integers, as Redis 2.4 / RDB < 6,
    /// only int16, int32 and int64), other strings use the smallest length form
    /// (6-bit, 14-bit, 32-bit); prevlen takes 1 byte when the previous entry is < 254
    /// bytes, else 5; `zltail` points at the last entry and `zllen` saturates at 65535.
    #[derive(Clone, Debug)]
    pub struct Writer {
        /// Header placeholder followed by the entries; `finish` adds the terminator.
        buf: Vec<u8>,
        count: usize,
        prev_size: usize,
        tail: usize,
        legacy: bool,
    }

    impl Default for Writer {
        fn default() -> Self {
            Self::new()
        }
    }

    impl Writer {
        /// An empty ziplist using every integer encoding (Redis 2.6+, RDB >= 6).
        pub fn new() -> Self {
            Self::with_legacy_ints(false)
        }

        /// An empty ziplist; `legacy = true` restricts integers to the int16/int32/int64
        /// encodings of Redis 2.4 (no 0xF0 int24, 0xFE int8 or 0xF1–0xFD immediates).
        pub fn with_legacy_ints(legacy: bool) -> Self {
            Writer {
                buf: vec![0; HDR_SIZE],
                count: 0,
                prev_size: 0,
                tail: HDR_SIZE,
                legacy,
            }
        }

        /// An empty ziplist for an RDB file of version `v`: legacy integers below 6.
        pub fn for_rdb_version(v: u32) -> Self {
            Self::with_legacy_ints(v < 6)
        }

        /// Appends a string entry; canonical integer strings (formats.md 2.1) are stored
        /// as integers, like Redis does.
        ///
        /// # Panics
        /// If the ziplist would grow past `u32::MAX` bytes (its `zlbytes` field cannot
        /// say more). Use [`Writer::try_push`] to get an error instead.
        pub fn push_bytes(&mut self, b: &[u8]) {
            self.push(Elem::Bytes(b));
        }

        /// Appends an integer entry.
        ///
        /// # Panics
        /// As [`Writer::push_bytes`].
        pub fn push_int(&mut self, v: i64) {
            self.push(Elem::Int(v));
        }

        /// Appends an entry ([`Elem::Bytes`] as [`Writer::push_bytes`], [`Elem::Int`] as
        /// [`Writer::push_int`]).
        ///
        /// # Panics
        /// As [`Writer::push_bytes`].
        pub fn push(&mut self, e: Elem<'_>) {
            if let Err(e) = self.try_push(e) {
                panic!("ziplist writer: {}", e.reason);
            }
        }

        /// Like [`Writer::push`], but returns an error (and leaves the writer unchanged)
        /// when the ziplist would exceed `u32::MAX` bytes.
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
                0..=0x3F => self.append(&[len as u8], string),
                0x40..=0x3FFF => {
                    self.append(&[0x40 | (len >> 8) as u8, (len & 0xFF) as u8], string)
                }
                _ => {
                    let l32 = u32::try_from(len).map_err(|_| self.too_big())?;
                    let [a, b, c, d] = l32.to_be_bytes();
                    self.append(&[0x80, a, b, c, d], string)
                }
            }
        }

        fn append_int(&mut self, v: i64) -> Result<(), EncError> {
            let (enc, len) = if self.legacy {
                legacy_int_encoding(v)
            } else {
                int_encoding(v)
            };
            self.append(enc.get(..len).unwrap_or(&enc), &[])
        }

        fn too_big(&self) -> EncError {
            EncError::new(self.buf.len(), "ziplist would exceed 4 GiB (u32 zlbytes)")
        }

        /// Appends prevlen, encoding `enc` and `payload`, keeping the blob within
        /// `u32::MAX` bytes.
        fn append(&mut self, enc: &[u8], payload: &[u8]) -> Result<(), EncError> {
            let prev = self.prev_size;
            let prevlen_size = if prev < usize::from(BIG_PREVLEN) {
                1
            } else {
                5
            };
            let size = prevlen_size as u64 + enc.len() as u64 + payload.len() as u64;
            if self.buf.len() as u64 + size + 1 > u64::from(u32::MAX) {
                return Err(self.too_big());
            }
            let size = usize::try_from(size).map_err(|_| self.too_big())?;
            self.buf.reserve(size);
            let start = self.buf.len();
            if prevlen_size == 1 {
                self.buf.push(prev as u8);
            } else {
                // prev < size of the blob, which fits in u32.
                let p32 = u32::try_from(prev).unwrap_or(u32::MAX);
                self.buf.push(BIG_PREVLEN);
                self.buf.extend_from_slice(&p32.to_le_bytes());
            }
            self.buf.extend_from_slice(enc);
            self.buf.extend_from_slice(payload);
            self.tail = start;
            self.prev_size = size;
            self.count += 1;
            Ok(())
        }

        /// Number of entries pushed so far.
        pub fn len(&self) -> usize {
            self.count
        }

        /// Whether no entry was pushed.
        pub fn is_empty(&self) -> bool {
            self.count == 0
        }

        /// Size in bytes of the finished blob.
        pub fn byte_len(&self) -> usize {
            self.buf.len() + 1
        }

        /// The finished ziplist: header (`zlbytes`, `zltail` — 10 when empty — and
        /// `zllen` saturated at 65535), entries and the 0xFF terminator.
        pub fn finish(mut self) -> Vec<u8> {
            self.buf.push(END);
            // `append` keeps every offset within u32.
            let zlbytes = u32::try_from(self.buf.len()).unwrap_or(u32::MAX);
            let zltail = u32::try_from(self.tail).unwrap_or(u32::MAX);
            let zllen = u16::try_from(self.count).unwrap_or(u16::MAX);
            if let Some(h) = self.buf.get_mut(..4) {
                h.copy_from_slice(&zlbytes.to_le_bytes());
            }
            if let Some(h) = self.buf.get_mut(4..8) {
                h.copy_from_slice(&zltail.to_le_bytes());
            }
            if let Some(h) = self.buf.get_mut(8..HDR_SIZE) {
                h.copy_from_slice(&zllen.to_le_bytes());
            }
            self.buf
        }
    }

    /// `zipTryEncoding` (Redis 2.6+): the encoding byte and payload for `v`.
    fn int_encoding(v: i64) -> ([u8; 9], usize) {
        match v {
            0..=12 => ([0xF1 + v as u8, 0, 0, 0, 0, 0, 0, 0, 0], 1),
            -128..=127 => ([0xFE, v as i8 as u8, 0, 0, 0, 0, 0, 0, 0], 2),
            -32_768..=32_767 => {
                let [a, b] = (v as i16).to_le_bytes();
                ([0xC0, a, b, 0, 0, 0, 0, 0, 0], 3)
            }
            -8_388_608..=8_388_607 => {
                let [a, b, c, _] = (v as i32).to_le_bytes();
                ([0xF0, a, b, c, 0, 0, 0, 0, 0], 4)
            }
            -2_147_483_648..=2_147_483_647 => {
                let [a, b, c, d] = (v as i32).to_le_bytes();
                ([0xD0, a, b, c, d, 0, 0, 0, 0], 5)
            }
            _ => {
                let [a, b, c, d, e, f, g, h] = v.to_le_bytes();
                ([0xE0, a, b, c, d, e, f, g, h], 9)
            }
        }
    }

    /// `zipTryEncoding` of Redis 2.4 (RDB < 6): int16, int32 or int64 only.
    fn legacy_int_encoding(v: i64) -> ([u8; 9], usize) {
        match v {
            -32_768..=32_767 => {
                let [a, b] = (v as i16).to_le_bytes();
                ([0xC0, a, b, 0, 0, 0, 0, 0, 0], 3)
            }
            -2_147_483_648..=2_147_483_647 => {
                let [a, b, c, d] = (v as i32).to_le_bytes();
                ([0xD0, a, b, c, d, 0, 0, 0, 0], 5)
            }
            _ => {
                let [a, b, c, d, e, f, g, h] = v.to_le_bytes();
                ([0xE0, a, b, c, d, e, f, g, h], 9)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::read::{Iter, header, validate};
    use super::write::Writer;
    use super::{Elem, EncError, parse_canonical_i64};
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

    fn err_of(blob: &[u8]) -> EncError {
        validate(blob).unwrap_err()
    }

    /// A one-entry ziplist around `entry` (prevlen + encoding + payload).
    fn single(entry: &[u8]) -> Vec<u8> {
        let mut v = ((10 + entry.len() + 1) as u32).to_le_bytes().to_vec();
        v.extend_from_slice(&10u32.to_le_bytes());
        v.extend_from_slice(&[1, 0]);
        v.extend_from_slice(entry);
        v.push(0xFF);
        v
    }

    /// formats.md 2.3 / ziplist.c comment: the ziplist of "2", "5".
    const GOLDEN_2_5: &str = "0F000000 0C000000 0200 00F3 02F6 FF";
    /// hash-ziplist.rdb (redis/redis tests, REDIS0009, type 13): f1 v1 f2 v2.
    const REAL_HASH: &str = "1b000000 16000000 0400 00026631 04027631 04026632 04027632 ff";
    /// zset-ziplist.rdb (redis/redis tests, REDIS0010, type 12): one 1 two 2.
    const REAL_ZSET: &str = "19000000 16000000 0400 00036f6e65 05f2 020374776f 05f3 ff";
    /// ziplist_with_integers.rdb (HDT3213/rdb, REDIS0006, Redis 2.6 encodings).
    const REAL_INTS: &str = "550000004a000000180000f102f202f302f402f502f602f702f802f902fa\
                             02fb02fc02fd02fefe03fe0d03fe1903fec303fe3f03c0fc3f04c080c104\
                             f0ffff0005f00d00ff05f000004005e0ffffffffffffff7fff";
    /// encodings.rdb (redis/redis tests, REDIS0004) key list_zipped: Redis 2.4
    /// encodings (int16/int32/int64 only).
    const REAL_LEGACY: &str = "30000000 25000000 0800 00c00100 04c00200 04c00300 040161 030162 \
                               030163 03d0a0860100 06e000bca06501000000 ff";

    #[test]
    fn golden_2_5() {
        let blob = hex(GOLDEN_2_5);
        assert_eq!(collect(&blob).unwrap(), vec![Elem::Int(2), Elem::Int(5)]);
        assert_eq!(header(&blob), Ok(Some(2)));
        let mut w = Writer::new();
        w.push_bytes(b"2");
        w.push_bytes(b"5");
        assert_eq!(w.byte_len(), 15);
        assert_eq!(w.finish(), blob);
    }

    #[test]
    fn real_redis_ziplists() {
        let blob = hex(REAL_HASH);
        let got = collect(&blob).unwrap();
        assert_eq!(
            got,
            vec![
                Elem::Bytes(b"f1"),
                Elem::Bytes(b"v1"),
                Elem::Bytes(b"f2"),
                Elem::Bytes(b"v2")
            ]
        );
        let mut w = Writer::new();
        for e in &got {
            w.push(*e);
        }
        assert_eq!(w.finish(), blob);

        let blob = hex(REAL_ZSET);
        let got = collect(&blob).unwrap();
        assert_eq!(
            got,
            vec![
                Elem::Bytes(b"one"),
                Elem::Int(1),
                Elem::Bytes(b"two"),
                Elem::Int(2)
            ]
        );

        let blob = hex(REAL_INTS);
        let want: Vec<i64> = vec![
            0,
            1,
            2,
            3,
            4,
            5,
            6,
            7,
            8,
            9,
            10,
            11,
            12,
            -2,
            13,
            25,
            -61,
            63,
            16380,
            -16000,
            65535,
            -65523,
            4_194_304,
            i64::MAX,
        ];
        let got = collect(&blob).unwrap();
        assert_eq!(got, want.iter().map(|&v| Elem::Int(v)).collect::<Vec<_>>());
        let mut w = Writer::for_rdb_version(6);
        for v in &want {
            w.push_bytes(v.to_string().as_bytes());
        }
        assert_eq!(w.finish(), blob);

        let blob = hex(REAL_LEGACY);
        let got = collect(&blob).unwrap();
        assert_eq!(
            got,
            vec![
                Elem::Int(1),
                Elem::Int(2),
                Elem::Int(3),
                Elem::Bytes(b"a"),
                Elem::Bytes(b"b"),
                Elem::Bytes(b"c"),
                Elem::Int(100_000),
                Elem::Int(6_000_000_000),
            ]
        );
        let mut w = Writer::for_rdb_version(4);
        for e in &got {
            w.push(*e);
        }
        assert_eq!(w.finish(), blob);
        // The modern writer picks other encodings for the same values.
        let mut w = Writer::new();
        for e in &got {
            w.push(*e);
        }
        let modern = w.finish();
        assert_ne!(modern, blob);
        assert_eq!(collect(&modern).unwrap(), got);
    }

    #[test]
    fn empty_ziplist() {
        let blob = Writer::new().finish();
        assert_eq!(blob, hex("0B000000 0A000000 0000 FF"));
        assert_eq!(validate(&blob), Ok(0));
        // Redis checks zltail only when there is an entry (any value <= 10 passes).
        assert_eq!(validate(&hex("0B000000 00000000 0000 FF")), Ok(0));
        assert_eq!(err_of(&hex("0B000000 0B000000 0000 FF")).offset, 4);
    }

    #[test]
    fn integer_boundaries_modern() {
        let mut cases: Vec<(i64, Vec<u8>)> = (0..=12).map(|v| (v, vec![0xF1 + v as u8])).collect();
        cases.extend([
            (13, hex("FE 0D")),
            (-1, hex("FE FF")),
            (127, hex("FE 7F")),
            (-128, hex("FE 80")),
            (128, hex("C0 80 00")),
            (-129, hex("C0 7F FF")),
            (32767, hex("C0 FF 7F")),
            (-32768, hex("C0 00 80")),
            (32768, hex("F0 00 80 00")),
            (-32769, hex("F0 FF 7F FF")),
            (8_388_607, hex("F0 FF FF 7F")),
            (-8_388_608, hex("F0 00 00 80")),
            (8_388_608, hex("D0 00 00 80 00")),
            (-8_388_609, hex("D0 FF FF 7F FF")),
            (i32::MAX as i64, hex("D0 FF FF FF 7F")),
            (i32::MIN as i64, hex("D0 00 00 00 80")),
            (i32::MAX as i64 + 1, hex("E0 00 00 00 80 00 00 00 00")),
            (i32::MIN as i64 - 1, hex("E0 FF FF FF 7F FF FF FF FF")),
            (i64::MAX, hex("E0 FF FF FF FF FF FF FF 7F")),
            (i64::MIN, hex("E0 00 00 00 00 00 00 00 80")),
        ]);
        for (v, enc) in cases {
            let want = single(&[vec![0], enc].concat());
            let mut w = Writer::new();
            w.push_int(v);
            assert_eq!(w.finish(), want, "push_int({v})");
            let mut w = Writer::for_rdb_version(12);
            w.push_bytes(v.to_string().as_bytes());
            assert_eq!(w.finish(), want, "push_bytes({v})");
            assert_eq!(collect(&want).unwrap(), vec![Elem::Int(v)], "read {v}");
        }
    }

    #[test]
    fn integer_boundaries_legacy() {
        for (v, enc) in [
            (0, hex("C0 00 00")),
            (12, hex("C0 0C 00")),
            (-1, hex("C0 FF FF")),
            (127, hex("C0 7F 00")),
            (32767, hex("C0 FF 7F")),
            (-32768, hex("C0 00 80")),
            (32768, hex("D0 00 80 00 00")),
            (-32769, hex("D0 FF 7F FF FF")),
            (8_388_608, hex("D0 00 00 80 00")),
            (i32::MAX as i64, hex("D0 FF FF FF 7F")),
            (i32::MAX as i64 + 1, hex("E0 00 00 00 80 00 00 00 00")),
            (i64::MIN, hex("E0 00 00 00 00 00 00 00 80")),
        ] {
            let want = single(&[vec![0], enc].concat());
            let mut w = Writer::with_legacy_ints(true);
            w.push_int(v);
            assert_eq!(w.finish(), want, "legacy push_int({v})");
            let mut w = Writer::for_rdb_version(5);
            w.push_bytes(v.to_string().as_bytes());
            assert_eq!(w.finish(), want, "legacy push_bytes({v})");
            assert_eq!(collect(&want).unwrap(), vec![Elem::Int(v)]);
        }
    }

    #[test]
    fn string_boundaries() {
        for (len, enc) in [
            (0usize, hex("00")),
            (63, hex("3F")),
            (64, hex("40 40")),
            (16383, hex("7F FF")),
            (16384, hex("80 00 00 40 00")),
            (70000, hex("80 00 01 11 70")),
        ] {
            let s: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            let want = single(&[vec![0], enc, s.clone()].concat());
            let mut w = Writer::new();
            w.push_bytes(&s);
            assert_eq!(w.byte_len(), want.len());
            assert_eq!(w.finish(), want, "string of {len}");
            assert_eq!(collect(&want).unwrap(), vec![Elem::Bytes(&s)]);
        }
    }

    #[test]
    fn prevlen_width_follows_the_previous_entry_size() {
        // 1 (prevlen) + 2 (14-bit length) + 250 = 253 bytes: next prevlen is 1 byte.
        let mut w = Writer::new();
        w.push_bytes(&[b'x'; 250]);
        w.push_bytes(b"y");
        let blob = w.finish();
        assert_eq!(&blob[263..266], &[0xFD, 0x01, b'y']);
        assert_eq!(validate(&blob), Ok(2));

        // 254 bytes: 5-byte prevlen, and the entry after it grows by 4 bytes.
        let mut w = Writer::new();
        w.push_bytes(&[b'x'; 251]);
        w.push_bytes(b"y");
        w.push_bytes(b"z");
        let blob = w.finish();
        assert_eq!(&blob[264..271], &[0xFE, 254, 0, 0, 0, 0x01, b'y']);
        assert_eq!(&blob[271..274], &[7, 0x01, b'z']);
        assert_eq!(u32::from_le_bytes(blob[4..8].try_into().unwrap()), 271);
        assert_eq!(validate(&blob), Ok(3));
    }

    #[test]
    fn five_byte_prevlen_for_a_small_entry_is_accepted() {
        // "2","5" with the second prevlen in the large form (Redis's `forcelarge`).
        let blob = hex("13000000 0C000000 0200 00F3 FE02000000F6 FF");
        assert_eq!(collect(&blob).unwrap(), vec![Elem::Int(2), Elem::Int(5)]);
        // ... and a 5-byte prevlen 0 on the first entry.
        let blob = hex("13000000 10000000 0200 FE00000000F3 06F6 FF");
        assert_eq!(collect(&blob).unwrap(), vec![Elem::Int(2), Elem::Int(5)]);
    }

    #[test]
    fn string_encoding_low_bits_are_ignored_like_redis() {
        // 0x81: ZIP_ENTRY_ENCODING masks to 0x80 (32-bit length), as Redis does.
        let blob = hex("13000000 0A000000 0100 00 81 00000002 6162 FF");
        assert_eq!(collect(&blob).unwrap(), vec![Elem::Bytes(b"ab")]);
    }

    #[test]
    fn count_saturates_at_65535() {
        for n in [65534usize, 65535, 65536] {
            let mut w = Writer::new();
            for i in 0..n {
                w.push_int((i % 20) as i64);
            }
            assert_eq!(w.len(), n);
            let blob = w.finish();
            let want = if n >= 65535 { None } else { Some(n as u16) };
            assert_eq!(header(&blob), Ok(want));
            assert_eq!(validate(&blob), Ok(n));
        }
    }

    #[test]
    fn header_errors() {
        let good = hex(GOLDEN_2_5);
        let e = err_of(&good[..10]);
        assert_eq!(e.offset, 0);
        assert!(e.reason.contains("11-byte minimum"), "{e:?}");

        let mut bad = good.clone();
        bad[0] = 0x10;
        let e = err_of(&bad);
        assert_eq!(
            (e.offset, e.reason.as_str()),
            (0, "zlbytes 16 but the blob is 15 bytes")
        );

        let mut bad = good.clone();
        bad[14] = 0xF6;
        let e = err_of(&bad);
        assert_eq!(e.offset, 14);
        assert!(e.reason.contains("terminator"), "{e:?}");

        let mut bad = good.clone();
        bad[4] = 15;
        let e = err_of(&bad);
        assert_eq!(
            (e.offset, e.reason.as_str()),
            (4, "zltail 15 is past the terminator at offset 14")
        );

        let items: Vec<_> = Iter::new(&bad).collect();
        assert_eq!(items.len(), 1);
    }

    #[test]
    fn entry_errors() {
        // zltail at the first entry instead of the last
        let bad = hex("0F000000 0A000000 0200 00F3 02F6 FF");
        let e = err_of(&bad);
        assert_eq!(
            (e.offset, e.reason.as_str()),
            (4, "zltail 10 but the last entry is at offset 12")
        );
        let items: Vec<_> = Iter::new(&bad).collect();
        assert_eq!(items.len(), 3, "two entries, then the tail error");

        // count mismatch, and 65535 = unknown
        let bad = hex("0F000000 0C000000 0300 00F3 02F6 FF");
        let e = err_of(&bad);
        assert_eq!(
            (e.offset, e.reason.as_str()),
            (8, "count 3 in header but 2 entries")
        );
        assert_eq!(validate(&hex("0F000000 0C000000 FFFF 00F3 02F6 FF")), Ok(2));

        // bad prevlen
        let bad = hex("0F000000 0C000000 0200 00F3 03F6 FF");
        let e = err_of(&bad);
        assert_eq!(
            (e.offset, e.reason.as_str()),
            (12, "prevlen 3 but previous entry is 2 bytes")
        );
        let bad = hex("0F000000 0C000000 0200 01F3 02F6 FF");
        let e = err_of(&bad);
        assert_eq!(
            (e.offset, e.reason.as_str()),
            (10, "first entry has prevlen 1, not 0")
        );

        // invalid encodings: every 11xxxxxx byte that is not C0/D0/E0/F0-FE
        for b in 0xC0..=0xFFu8 {
            let blob = [hex("0F000000 0A000000 0100 00"), vec![b, 0, 0, 0xFF]].concat();
            let res = validate(&blob);
            let valid = matches!(b, 0xC0 | 0xD0 | 0xE0 | 0xF0..=0xFE);
            if valid {
                assert!(
                    !res.as_ref()
                        .is_err_and(|e| e.offset == 10 && e.reason.contains("invalid")),
                    "{b:02X}"
                );
            } else {
                let e = res.unwrap_err();
                assert_eq!(
                    (e.offset, e.reason.clone()),
                    (10, format!("invalid encoding byte 0x{b:02X}"))
                );
            }
        }

        // early end marker
        let bad = hex("0F000000 0A000000 0100 00F3 FF F6 FF");
        let e = err_of(&bad);
        assert_eq!(e.offset, 12);
        assert!(e.reason.contains("end marker"), "{e:?}");

        // string runs past the end (and may not swallow the terminator)
        let bad = hex("0F000000 0A000000 0100 0003 6162 FF");
        assert!(err_of(&bad).reason.contains("runs past"));
        let bad = hex("0F000000 0A000000 0100 0002 6162 FF");
        assert!(validate(&bad).is_ok());
        let bad = hex("0E000000 0A000000 0100 0002 61 FF");
        assert!(err_of(&bad).reason.contains("runs past"));
        // huge 32-bit length
        let bad = hex("11000000 0A000000 0100 00 80 FFFFFFFF FF");
        assert!(err_of(&bad).reason.contains("runs past"));
        // 5-byte prevlen truncated
        let bad = hex("0E000000 0A000000 0100 FE0000 FF");
        assert!(err_of(&bad).reason.contains("prevlen runs past"));
        // int64 payload truncated
        let bad = hex("0F000000 0A000000 0100 00E0 0102 FF");
        assert!(err_of(&bad).reason.contains("runs past"));
    }

    #[test]
    fn offset_tracks_the_next_entry() {
        let blob = hex(GOLDEN_2_5);
        let mut it = Iter::new(&blob);
        assert_eq!(it.offset(), 10);
        it.next();
        assert_eq!(it.offset(), 12);
        it.next();
        assert_eq!(it.offset(), 14);
        assert_eq!(it.next(), None);
        assert_eq!(it.next(), None);
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
                Just(b"12".to_vec()),
                Just(b"13".to_vec()),
                Just(i64::MIN.to_string().into_bytes()),
                Just(i64::MAX.to_string().into_bytes()),
                Just(b"9223372036854775808".to_vec()),
            ],
            1 => (250usize..260).prop_map(|n| vec![b'q'; n]),
            1 => (16380usize..16390).prop_map(|n| vec![b'z'; n]),
        ]
    }

    proptest! {
        #[test]
        fn round_trip(
            items in proptest::collection::vec(element_strategy(), 0..30),
            legacy in any::<bool>(),
        ) {
            let mut w = Writer::with_legacy_ints(legacy);
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
            if legacy {
                // Only 0xC0 / 0xD0 / 0xE0 integer encodings: walk the entries by hand.
                let mut pos = 10;
                while blob[pos] != 0xFF {
                    let pl = if blob[pos] < 0xFE { 1 } else { 5 };
                    let enc = blob[pos + pl];
                    prop_assert!(enc < 0xC0 || matches!(enc, 0xC0 | 0xD0 | 0xE0), "enc {:02X}", enc);
                    let len = match enc {
                        0x00..=0x3F => 1 + usize::from(enc),
                        0x40..=0x7F => 2 + (usize::from(enc & 0x3F) << 8 | usize::from(blob[pos + pl + 1])),
                        0x80..=0xBF => 5 + u32::from_be_bytes(blob[pos + pl + 1..pos + pl + 5].try_into().unwrap()) as usize,
                        0xC0 => 3,
                        0xD0 => 5,
                        _ => 9,
                    };
                    pos += pl + len;
                }
            }
        }

        #[test]
        fn ints_round_trip(vals in proptest::collection::vec(any::<i64>(), 0..40), legacy in any::<bool>()) {
            let mut w = Writer::with_legacy_ints(legacy);
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
            tail in any::<prop::sample::Index>(),
            count in prop_oneof![Just(65535u16), 0u16..8],
        ) {
            let size = body.len() + 11;
            let mut blob = (size as u32).to_le_bytes().to_vec();
            blob.extend_from_slice(&(tail.index(size) as u32).to_le_bytes());
            blob.extend_from_slice(&count.to_le_bytes());
            blob.extend_from_slice(&body);
            blob.push(0xFF);
            prop_assert!(header(&blob).is_ok());
            let n = Iter::new(&blob).take(blob.len() + 2).count();
            prop_assert!(n <= blob.len());
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

//! LZF compression as Redis uses it (liblzf 3.6, as vendored in Redis).
//!
//! RDB files store long strings as `[clen][ulen][clen bytes of LZF]`. [`decompress`]
//! checks every access (like liblzf built with `CHECK_INPUT`) and reports what went wrong
//! and where; [`Compressor`] reproduces Redis's `lzf_compress` output byte for byte
//! (`HLOG` 16, `VERY_FAST`, hash table zeroed before every call).
//!
//! The stream is a sequence of items, each starting with a control byte `c`:
//!
//! - `c < 32`: a literal run; the next `c + 1` input bytes are copied to the output.
//! - otherwise a back reference: `L = c >> 5` (1..=7); when `L == 7` the next byte is
//!   added to it. The next byte `o` gives the distance `((c & 0x1f) << 8) + o + 1`
//!   back from the current output position, and `L + 2` bytes are copied from there one
//!   by one (so the source may overlap the bytes being written).

use std::fmt;

/// Why an LZF stream could not be decompressed. Offsets are into the compressed input and
/// point at the control byte of the item at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LzfError {
    /// The item at input offset `at` would write past the end of the output buffer.
    OutputOverflow {
        /// Input offset of the item's control byte.
        at: usize,
    },
    /// The back reference at input offset `at` points before the start of the output.
    BackReference {
        /// Input offset of the item's control byte.
        at: usize,
    },
    /// The item at input offset `at` needs more input bytes than there are.
    TruncatedInput {
        /// Input offset of the item's control byte.
        at: usize,
    },
    /// The whole input decoded cleanly but produced `got` bytes instead of `expected`.
    LengthMismatch {
        /// The output length the caller asked for.
        expected: usize,
        /// How many bytes the input actually decoded to.
        got: usize,
    },
}

impl fmt::Display for LzfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::OutputOverflow { at } => write!(
                f,
                "LZF item at input offset {at} writes past the end of the expected output"
            ),
            Self::BackReference { at } => write!(
                f,
                "LZF back reference at input offset {at} points before the start of the output"
            ),
            Self::TruncatedInput { at } => {
                write!(f, "LZF input truncated in the item at input offset {at}")
            }
            Self::LengthMismatch { expected, got } => write!(
                f,
                "LZF data decompressed to {got} bytes, {expected} expected"
            ),
        }
    }
}

impl std::error::Error for LzfError {}

/// Decompresses `input` into exactly `out.len()` bytes.
///
/// Errors if an item would write past the end of `out`, if a back reference points before
/// the start of the output, if the input ends inside an item, or if the input decodes to
/// fewer than `out.len()` bytes. Redis quirk: when `out` is empty, any input is accepted
/// (Redis compares `lzf_decompress`'s result, 0 on error, with the expected length 0).
/// An empty input decodes to nothing (a length mismatch unless `out` is empty).
///
/// Never panics and allocates nothing.
pub fn decompress(input: &[u8], out: &mut [u8]) -> Result<(), LzfError> {
    if out.is_empty() {
        return Ok(());
    }
    let mut ip = 0usize;
    let mut op = 0usize;
    while let Some(&ctrl) = input.get(ip) {
        let at = ip;
        ip += 1;
        if ctrl < 32 {
            let run = usize::from(ctrl) + 1;
            // Fast path: with 32 bytes of room on both sides, copy a fixed 32 bytes; the
            // bytes past the run are overwritten by the following items.
            if let (Some(src), Some(dst)) = (
                input.get(ip..).and_then(<[u8]>::first_chunk::<MAX_LIT>),
                out.get_mut(op..)
                    .and_then(<[u8]>::first_chunk_mut::<MAX_LIT>),
            ) {
                *dst = *src;
                op += run;
                ip += run;
                continue;
            }
            let dst = op
                .checked_add(run)
                .and_then(|end| out.get_mut(op..end))
                .ok_or(LzfError::OutputOverflow { at })?;
            let src = ip
                .checked_add(run)
                .and_then(|end| input.get(ip..end))
                .ok_or(LzfError::TruncatedInput { at })?;
            dst.copy_from_slice(src);
            op += run;
            ip += run;
        } else {
            let mut len = usize::from(ctrl >> 5);
            if len == 7 {
                let extra = *input.get(ip).ok_or(LzfError::TruncatedInput { at })?;
                len += usize::from(extra);
                ip += 1;
            }
            let low = *input.get(ip).ok_or(LzfError::TruncatedInput { at })?;
            ip += 1;
            let len = len + 2;
            let dist = (usize::from(ctrl & 0x1f) << 8) + usize::from(low) + 1;
            if op.checked_add(len).is_none_or(|end| end > out.len()) {
                return Err(LzfError::OutputOverflow { at });
            }
            let start = op.checked_sub(dist).ok_or(LzfError::BackReference { at })?;
            copy_back_reference(out, start, op, len).ok_or(LzfError::OutputOverflow { at })?;
            op += len;
        }
    }
    if op == out.len() {
        Ok(())
    } else {
        Err(LzfError::LengthMismatch {
            expected: out.len(),
            got: op,
        })
    }
}

/// Checks that `input` decompresses to exactly `ulen` bytes, as [`decompress`] would,
/// without producing them: the same errors, from the control bytes alone.
pub fn validate(input: &[u8], ulen: usize) -> Result<(), LzfError> {
    if ulen == 0 {
        return Ok(());
    }
    let mut ip = 0usize;
    let mut op = 0usize;
    // Fast path: far enough from both ends that no item can overrun either (a literal
    // is at most 1 + 32 input bytes and 32 output bytes, a reference 3 input and 264
    // output bytes); only back references need a check.
    let in_safe = input.len().saturating_sub(34);
    let out_safe = ulen.saturating_sub(264);
    while ip < in_safe && op < out_safe {
        let Some(&[ctrl, b1, b2]) = input.get(ip..).and_then(<[u8]>::first_chunk::<3>) else {
            break;
        };
        if ctrl < 32 {
            let run = usize::from(ctrl) + 1;
            op += run;
            ip += 1 + run;
            continue;
        }
        let long = ctrl >= 0xe0;
        let len = usize::from(ctrl >> 5) + if long { usize::from(b1) } else { 0 };
        let low = if long { b2 } else { b1 };
        let dist = (usize::from(ctrl & 0x1f) << 8) + usize::from(low) + 1;
        if dist > op {
            return Err(LzfError::BackReference { at: ip });
        }
        op += len + 2;
        ip += 2 + usize::from(long);
    }
    while let Some(&ctrl) = input.get(ip) {
        let at = ip;
        ip += 1;
        if ctrl < 32 {
            let run = usize::from(ctrl) + 1;
            if op + run > ulen {
                return Err(LzfError::OutputOverflow { at });
            }
            if ip + run > input.len() {
                return Err(LzfError::TruncatedInput { at });
            }
            op += run;
            ip += run;
        } else {
            let mut len = usize::from(ctrl >> 5);
            if len == 7 {
                len += usize::from(*input.get(ip).ok_or(LzfError::TruncatedInput { at })?);
                ip += 1;
            }
            let low = *input.get(ip).ok_or(LzfError::TruncatedInput { at })?;
            ip += 1;
            let len = len + 2;
            let dist = (usize::from(ctrl & 0x1f) << 8) + usize::from(low) + 1;
            if op + len > ulen {
                return Err(LzfError::OutputOverflow { at });
            }
            if dist > op {
                return Err(LzfError::BackReference { at });
            }
            op += len;
        }
    }
    if op == ulen {
        Ok(())
    } else {
        Err(LzfError::LengthMismatch {
            expected: ulen,
            got: op,
        })
    }
}

/// Copies `len` bytes from `out[start..]` to `out[op..]` with the semantics of a byte by
/// byte forward copy (`start < op`; the ranges may overlap, which repeats the
/// `op - start` bytes before `op`). Returns `None` if a range is out of bounds.
fn copy_back_reference(out: &mut [u8], start: usize, op: usize, len: usize) -> Option<()> {
    let (head, tail) = out.split_at_mut_checked(op)?;
    let src = head.get(start..)?;
    let dist = src.len();
    // Fast path for short references (the common case): a fixed 16-byte copy; the bytes
    // past `len` are overwritten by the following items.
    if len <= 16
        && let (Some(s), Some(d)) = (src.first_chunk::<16>(), tail.first_chunk_mut::<16>())
    {
        *d = *s;
        return Some(());
    }
    let dst = tail.get_mut(..len)?;
    if dist >= len {
        dst.copy_from_slice(src.get(..len)?);
    } else if let [byte] = src {
        dst.fill(*byte);
    } else {
        // The output is periodic with period `dist`: lay down one period, then keep
        // doubling the filled prefix (always a whole number of periods).
        dst.get_mut(..dist)?.copy_from_slice(src);
        let mut filled = dist;
        while filled < len {
            let n = filled.min(len - filled);
            let (done, rest) = dst.split_at_mut_checked(filled)?;
            rest.get_mut(..n)?.copy_from_slice(done.get(..n)?);
            filled += n;
        }
    }
    Some(())
}

/// log2 of the hash table size (`HLOG` in liblzf).
const HLOG: u32 = 16;
/// Number of hash table slots.
const HSIZE: usize = 1 << HLOG;
/// Longest literal run one control byte can announce.
const MAX_LIT: usize = 1 << 5;
/// Farthest a back reference can reach (offset field + 1).
const MAX_OFF: usize = 1 << 13;
/// Longest back reference, in bytes, minus the 2 that are implicit.
const MAX_REF: usize = (1 << 8) + (1 << 3);
/// Inputs up to this length have their hash slots cleared one by one after a call;
/// longer ones get the whole table zeroed at the start of the next call.
const SMALL_INPUT: usize = 16 * 1024;

/// liblzf's `IDX` for `VERY_FAST`: only depends on the low 24 bits of `h`, i.e. on the
/// three input bytes starting at the hashed position.
#[inline]
fn hash_index(h: u32) -> usize {
    ((h >> (3 * 8 - HLOG)).wrapping_sub(h.wrapping_mul(5)) as usize) & (HSIZE - 1)
}

/// A reusable LZF compressor producing the same bytes as Redis's `lzf_compress`.
///
/// Owns liblzf's 64K-entry hash table (256 KiB), so reuse one per thread rather than
/// creating one per value. The table is logically zeroed at the start of every call,
/// making the output a pure function of the input and the output capacity.
#[derive(Clone)]
pub struct Compressor {
    /// Input position (plus nothing: 0 means empty) last seen for each 3-byte hash.
    table: Box<[u32]>,
    /// Set when the previous call was too long to clear its slots one by one.
    needs_clear: bool,
}

impl fmt::Debug for Compressor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Compressor")
            .field("table_slots", &self.table.len())
            .finish_non_exhaustive()
    }
}

impl Default for Compressor {
    fn default() -> Self {
        Self::new()
    }
}

impl Compressor {
    /// Creates a compressor with a zeroed hash table.
    pub fn new() -> Self {
        Self {
            table: vec![0u32; HSIZE].into_boxed_slice(),
            needs_clear: false,
        }
    }

    /// Compresses `input` into `out`; returns `Some(n)`, the number of bytes written to the
    /// start of `out`, or `None` if the compressed form does not fit in `out.len()` bytes.
    ///
    /// Redis calls this with `out.len() == input.len() - 4` and stores the value raw on
    /// `None`. Like liblzf, `None` is also returned for an empty `input` or an empty `out`,
    /// and (unlike Redis, whose LZF handles any `size_t`) for inputs over `u32::MAX`
    /// bytes. Bytes of `out` past `n` may have been overwritten.
    pub fn compress(&mut self, input: &[u8], out: &mut [u8]) -> Option<usize> {
        if self.needs_clear {
            self.table.fill(0);
            self.needs_clear = false;
        }
        let result = compress_with_table(&mut self.table, input, out);
        if input.len() <= SMALL_INPUT {
            // Every slot written was the hash of some 3-byte window of the input.
            for w in input.windows(3) {
                if let [a, b, c] = *w {
                    let h = (u32::from(a) << 16) | (u32::from(b) << 8) | u32::from(c);
                    if let Some(slot) = self.table.get_mut(hash_index(h)) {
                        *slot = 0;
                    }
                }
            }
        } else {
            self.needs_clear = true;
        }
        result
    }
}

/// The body of liblzf 3.6's `lzf_compress` (`VERY_FAST`, `!ULTRA_FAST`), on positions
/// instead of pointers. `table` must be all zeros on entry.
fn compress_with_table(table: &mut [u32], input: &[u8], out: &mut [u8]) -> Option<usize> {
    let in_len = input.len();
    let out_len = out.len();
    if in_len == 0 || out_len == 0 || u32::try_from(in_len).is_err() {
        return None;
    }
    // Every read below is in bounds (as in liblzf); the fallback only avoids a panic path.
    let byte = |i: usize| input.get(i).copied().unwrap_or(0);

    let mut ip = 0usize;
    let mut op = 1usize; // a literal run's control byte goes at op - lit - 1
    let mut lit = 0usize;
    let mut hval = (u32::from(byte(0)) << 8) | u32::from(byte(1));

    while ip + 2 < in_len {
        hval = (hval << 8) | u32::from(byte(ip + 2));
        let mut reference = 0usize;
        if let Some(slot) = table.get_mut(hash_index(hval)) {
            reference = *slot as usize;
            *slot = ip as u32;
        }
        // Slot value 0 is "empty": position 0 never serves as a match (liblzf: ref > in_data).
        let matched = reference > 0
            && reference < ip
            && ip - reference - 1 < MAX_OFF
            && byte(reference + 2) == byte(ip + 2)
            && byte(reference) == byte(ip)
            && byte(reference + 1) == byte(ip + 1);
        if matched {
            let off = ip - reference - 1;
            let maxlen = (in_len - ip - 2).min(MAX_REF);
            // Where the back reference goes: over the reserved control byte of an empty run.
            let start = op - usize::from(lit == 0);
            if start + 3 + 1 >= out_len {
                return None;
            }
            if lit > 0 {
                *out.get_mut(op - lit - 1)? = (lit - 1) as u8; // stop run
            }
            op = start;

            let eq = |k: usize| byte(reference + k) == byte(ip + k);
            let mut len = 2usize;
            let mut extend = true;
            if maxlen > 16 {
                // liblzf's unrolled loop: 16 comparisons without checking maxlen.
                for _ in 0..16 {
                    len += 1;
                    if !eq(len) {
                        extend = false;
                        break;
                    }
                }
            }
            if extend {
                loop {
                    len += 1;
                    if !(len < maxlen && eq(len)) {
                        break;
                    }
                }
            }

            // `len` is now the length of the match, at least 3; the stream stores len - 2.
            let len = len - 2;
            ip += 1;
            let high = (off >> 8) as u8;
            if len < 7 {
                *out.get_mut(op)? = high + ((len as u8) << 5);
                op += 1;
            } else {
                *out.get_mut(op)? = high + (7 << 5);
                *out.get_mut(op + 1)? = (len - 7) as u8;
                op += 2;
            }
            *out.get_mut(op)? = off as u8;
            op += 1;
            lit = 0;
            op += 1; // start run

            ip += len + 1;
            if ip + 2 >= in_len {
                break;
            }
            // VERY_FAST: hash the last two positions of the match.
            ip -= 2;
            hval = (u32::from(byte(ip)) << 8) | u32::from(byte(ip + 1));
            for _ in 0..2 {
                hval = (hval << 8) | u32::from(byte(ip + 2));
                if let Some(slot) = table.get_mut(hash_index(hval)) {
                    *slot = ip as u32;
                }
                ip += 1;
            }
        } else {
            if op >= out_len {
                return None;
            }
            *out.get_mut(op)? = byte(ip);
            lit += 1;
            op += 1;
            ip += 1;
            if lit == MAX_LIT {
                *out.get_mut(op - lit - 1)? = (lit - 1) as u8; // stop run
                lit = 0;
                op += 1; // start run
            }
        }
    }

    if op + 3 > out_len {
        return None;
    }
    while ip < in_len {
        *out.get_mut(op)? = byte(ip);
        lit += 1;
        op += 1;
        ip += 1;
        if lit == MAX_LIT {
            *out.get_mut(op - lit - 1)? = (lit - 1) as u8;
            lit = 0;
            op += 1;
        }
    }
    if lit > 0 {
        *out.get_mut(op - lit - 1)? = (lit - 1) as u8; // end run
    } else {
        op -= 1; // undo the empty run
    }
    Some(op)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Compresses with an output buffer big enough for any input.
    fn compress_all(input: &[u8]) -> Vec<u8> {
        let mut out = vec![0u8; input.len() + input.len() / 16 + 64];
        let n = Compressor::new().compress(input, &mut out).unwrap();
        out.truncate(n);
        out
    }

    fn decompress_vec(input: &[u8], len: usize) -> Result<Vec<u8>, LzfError> {
        let mut out = vec![0u8; len];
        decompress(input, &mut out).map(|()| out)
    }

    // Golden vectors: output of Debian's liblzf 3.6 `lzf_compress(in, len, out, len - 4)`.
    const RUN_OF_A: &[u8] = b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const RUN_OF_A_LZF: &[u8] = &[0x01, 0x61, 0x61, 0xe0, 0x37, 0x00, 0x01, 0x61, 0x61];
    const FOX: &[u8] = b"The quick brown fox jumps over the lazy dog. \
The quick brown fox jumps over the lazy dog.";
    const FOX_LZF: &[u8] = &[
        0x1f, 0x54, 0x68, 0x65, 0x20, 0x71, 0x75, 0x69, 0x63, 0x6b, 0x20, 0x62, 0x72, 0x6f, 0x77,
        0x6e, 0x20, 0x66, 0x6f, 0x78, 0x20, 0x6a, 0x75, 0x6d, 0x70, 0x73, 0x20, 0x6f, 0x76, 0x65,
        0x72, 0x20, 0x74, 0x20, 0x1e, 0x0a, 0x6c, 0x61, 0x7a, 0x79, 0x20, 0x64, 0x6f, 0x67, 0x2e,
        0x20, 0x54, 0x20, 0x0d, 0xe0, 0x1d, 0x2c, 0x01, 0x67, 0x2e,
    ];

    #[test]
    fn golden_liblzf_vectors() {
        for (input, expected) in [(RUN_OF_A, RUN_OF_A_LZF), (FOX, FOX_LZF)] {
            let mut out = vec![0u8; input.len() - 4];
            let n = Compressor::new().compress(input, &mut out);
            assert_eq!(n, Some(expected.len()));
            assert_eq!(&out[..expected.len()], expected);
            assert_eq!(decompress_vec(expected, input.len()).unwrap(), input);
        }
    }

    #[test]
    fn literal_only_stream() {
        assert_eq!(
            decompress_vec(&[0x02, b'a', b'b', b'c'], 3).unwrap(),
            b"abc"
        );
        let mut stream = vec![31u8];
        stream.extend(0..32u8);
        stream.push(0);
        stream.push(b'z');
        let mut expected: Vec<u8> = (0..32u8).collect();
        expected.push(b'z');
        assert_eq!(decompress_vec(&stream, 33).unwrap(), expected);
    }

    #[test]
    fn overlapping_back_references() {
        // 'a', then 7 + 5 + 2 = 14 bytes from distance 1.
        assert_eq!(
            decompress_vec(&[0x00, b'a', 0xe0, 0x05, 0x00], 15).unwrap(),
            [b'a'; 15]
        );
        // "abc", then 7 + 1 + 2 = 10 bytes from distance 3: period 3.
        assert_eq!(
            decompress_vec(&[0x02, b'a', b'b', b'c', 0xe0, 0x01, 0x02], 13).unwrap(),
            b"abcabcabcabca"
        );
        // 5 literals, a 264-byte reference at distance 5, a 4-byte one at distance 10.
        let out =
            decompress_vec(&[0x04, 1, 2, 3, 4, 5, 0xe0, 0xff, 0x04, 0x40, 0x09], 273).unwrap();
        let expected: Vec<u8> = (0..273).map(|i| (i % 5) as u8 + 1).collect();
        assert_eq!(out, expected);
    }

    #[test]
    fn back_reference_before_start() {
        // op = 1, distance 2.
        assert_eq!(
            decompress_vec(&[0x00, b'a', 0x20, 0x01], 4),
            Err(LzfError::BackReference { at: 2 })
        );
        // A reference as the very first item.
        assert_eq!(
            decompress_vec(&[0x20, 0x00], 3),
            Err(LzfError::BackReference { at: 0 })
        );
    }

    #[test]
    fn truncated_input() {
        assert_eq!(
            decompress_vec(&[0x05, b'a'], 6),
            Err(LzfError::TruncatedInput { at: 0 })
        );
        assert_eq!(
            decompress_vec(&[0x00, b'a', 0x20], 4),
            Err(LzfError::TruncatedInput { at: 2 })
        );
        assert_eq!(
            decompress_vec(&[0x00, b'a', 0xe0, 0x01], 11),
            Err(LzfError::TruncatedInput { at: 2 })
        );
        assert_eq!(
            decompress_vec(&[0x00, b'a', 0xe0], 11),
            Err(LzfError::TruncatedInput { at: 2 })
        );
    }

    #[test]
    fn output_overflow() {
        assert_eq!(
            decompress_vec(&[0x02, b'a', b'b', b'c'], 2),
            Err(LzfError::OutputOverflow { at: 0 })
        );
        assert_eq!(
            decompress_vec(&[0x00, b'a', 0x20, 0x00], 3),
            Err(LzfError::OutputOverflow { at: 2 })
        );
    }

    #[test]
    fn length_mismatch() {
        assert_eq!(
            decompress_vec(&[0x00, b'a'], 2),
            Err(LzfError::LengthMismatch {
                expected: 2,
                got: 1
            })
        );
        assert_eq!(
            decompress_vec(&[], 3),
            Err(LzfError::LengthMismatch {
                expected: 3,
                got: 0
            })
        );
        assert_eq!(decompress_vec(&[], 0), Ok(vec![]));
    }

    #[test]
    fn zero_length_output_accepts_anything() {
        for input in [&b""[..], b"\xff", b"\x1f", b"\x00a", b"\xe0\xff\xff\xff"] {
            assert_eq!(decompress(input, &mut []), Ok(()));
        }
    }

    #[test]
    fn error_messages_say_what_and_where() {
        let m = LzfError::BackReference { at: 17 }.to_string();
        assert!(m.contains("17") && m.contains("before the start"), "{m}");
        let m = LzfError::TruncatedInput { at: 3 }.to_string();
        assert!(m.contains("offset 3") && m.contains("truncated"), "{m}");
        let m = LzfError::OutputOverflow { at: 9 }.to_string();
        assert!(m.contains("offset 9") && m.contains("past the end"), "{m}");
        let m = LzfError::LengthMismatch {
            expected: 10,
            got: 4,
        }
        .to_string();
        assert!(m.contains("10") && m.contains('4'), "{m}");
    }

    #[test]
    fn compress_edge_cases() {
        let mut c = Compressor::default();
        assert_eq!(c.compress(b"", &mut [0u8; 16]), None);
        assert_eq!(c.compress(b"abc", &mut []), None);
        for input in [&b"a"[..], b"ab", b"abc", b"abcd", b"aaaa", b"aaaaa"] {
            let mut out = [0u8; 16];
            let n = c.compress(input, &mut out).unwrap();
            assert_eq!(decompress_vec(&out[..n], input.len()).unwrap(), input);
        }
        // Redis's call: incompressible data does not fit in len - 4.
        let noise: Vec<u8> = (0..100u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect();
        assert_eq!(c.compress(&noise, &mut [0u8; 96]), None);
        assert!(format!("{c:?}").contains("Compressor"));
    }

    #[test]
    fn long_input_then_short_input_is_deterministic() {
        let long: Vec<u8> = (0..100_000u32)
            .map(|i| (i % 251) as u8 ^ (i / 7919) as u8)
            .collect();
        let mut reused = Compressor::new();
        let mut out = vec![0u8; 120_000];
        reused.compress(&long, &mut out).unwrap();
        let n = reused.compress(FOX, &mut out).unwrap();
        assert_eq!(&out[..n], FOX_LZF);
        let n = reused.compress(&long, &mut out).unwrap();
        assert_eq!(out[..n], compress_all(&long)[..]);
    }

    fn data() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..2000),
            proptest::collection::vec(0u8..3, 0..5000),
            (proptest::collection::vec(any::<u8>(), 1..40), 1usize..400)
                .prop_map(|(chunk, times)| chunk.repeat(times)),
            "[a-e ]{0,3000}".prop_map(String::into_bytes),
        ]
    }

    proptest! {
        #[test]
        fn round_trip(input in data()) {
            let mut out = vec![0u8; input.len() + input.len() / 16 + 64];
            let n = Compressor::new().compress(&input, &mut out);
            if input.is_empty() {
                prop_assert_eq!(n, None);
            } else {
                let n = n.unwrap();
                prop_assert_eq!(decompress_vec(&out[..n], input.len()).unwrap(), input);
            }
        }

        #[test]
        fn tight_output_round_trips_or_refuses(input in data(), cap in 0usize..6000) {
            let mut out = vec![0u8; cap];
            if let Some(n) = Compressor::new().compress(&input, &mut out) {
                prop_assert!(n <= cap);
                prop_assert_eq!(decompress_vec(&out[..n], input.len()).unwrap(), input);
            }
        }

        #[test]
        fn reuse_is_pure(a in data(), b in data()) {
            let mut reused = Compressor::new();
            let mut out = vec![0u8; a.len().max(b.len()) * 2 + 64];
            let _ = reused.compress(&a, &mut out);
            let n = reused.compress(&b, &mut out);
            let mine = n.map(|n| out[..n].to_vec());
            let fresh = if b.is_empty() { None } else { Some(compress_all(&b)) };
            prop_assert_eq!(mine, fresh);
        }

        #[test]
        fn garbage_never_panics(input in proptest::collection::vec(any::<u8>(), 0..300), len in 0usize..2000) {
            let mut out = vec![0u8; len];
            let _ = decompress(&input, &mut out);
        }
    }

    /// Run by hand: `cargo test --release -p formats lzf::tests::throughput -- --ignored --nocapture`.
    #[test]
    #[ignore = "throughput check, run by hand in release mode"]
    fn throughput() {
        use std::time::Instant;
        let words = [
            "redis ", "value ", "key:", "12345 ", "the ", "quick ", "brown ", "fox ", "\n",
        ];
        let text = |len: usize, seed: usize| {
            let mut v = Vec::with_capacity(len + 16);
            let mut x = seed;
            while v.len() < len {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                v.extend_from_slice(words[(x >> 33) % words.len()].as_bytes());
            }
            v.truncate(len);
            v
        };
        let mut comp = Compressor::new();
        for (label, len, count) in [
            ("1 KiB values", 1024usize, 4096usize),
            ("64 KiB text", 65536, 64),
        ] {
            let inputs: Vec<Vec<u8>> = (0..count).map(|i| text(len, i)).collect();
            let compressed: Vec<Vec<u8>> = inputs
                .iter()
                .map(|i| {
                    let mut out = vec![0u8; len];
                    let n = comp.compress(i, &mut out).unwrap();
                    out.truncate(n);
                    out
                })
                .collect();
            let ratio =
                compressed.iter().map(Vec::len).sum::<usize>() as f64 / (len * count) as f64;
            let mut out = vec![0u8; len];
            let rounds = 50;
            let t = Instant::now();
            for _ in 0..rounds {
                for c in &compressed {
                    decompress(std::hint::black_box(c), &mut out).unwrap();
                }
            }
            let dt = t.elapsed().as_secs_f64();
            let mb = (rounds * len * count) as f64 / 1e6;
            let t = Instant::now();
            let mut cout = vec![0u8; len];
            for _ in 0..5 {
                for i in &inputs {
                    comp.compress(std::hint::black_box(i), &mut cout).unwrap();
                }
            }
            let ct = t.elapsed().as_secs_f64();
            let cmb = (5 * len * count) as f64 / 1e6;
            eprintln!(
                "{label}: ratio {ratio:.2}, decompress {:.0} MB/s (output bytes), compress {:.0} MB/s (input bytes)",
                mb / dt,
                cmb / ct
            );
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod validate_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn validate_agrees_with_decompress(
            input in proptest::collection::vec(any::<u8>(), 0..300),
            ulen in 0usize..600,
        ) {
            let mut out = vec![0u8; ulen];
            prop_assert_eq!(validate(&input, ulen), decompress(&input, &mut out));
        }

        #[test]
        fn validate_agrees_with_decompress_on_damaged_streams(
            data in proptest::collection::vec(0u8..6, 400..4000),
            pos in any::<prop::sample::Index>(),
            flip in 1u8..=255,
            delta in -3i64..3,
        ) {
            let mut c = Compressor::new();
            let mut out = vec![0u8; data.len() + 64];
            if let Some(n) = c.compress(&data, &mut out) {
                let mut z = out[..n].to_vec();
                let i = pos.index(z.len());
                z[i] ^= flip;
                let ulen = (data.len() as i64 + delta) as usize;
                let mut buf = vec![0u8; ulen];
                prop_assert_eq!(validate(&z, ulen), decompress(&z, &mut buf));
            }
        }

        #[test]
        fn validate_accepts_what_compress_writes(data in proptest::collection::vec(0u8..4, 1..3000)) {
            let mut c = Compressor::new();
            let mut out = vec![0u8; data.len() + 64];
            if let Some(n) = c.compress(&data, &mut out) {
                prop_assert_eq!(validate(&out[..n], data.len()), Ok(()));
            }
        }
    }
}

//! JSON output without an intermediate value tree. Byte strings follow contract.md: a
//! JSON string when the bytes are valid UTF-8 (exactly those bytes), otherwise
//! `{"base64":"..."}`.

use base64::Engine as _;

/// For each byte: 0 when it goes out as is, else the letter after the backslash
/// (`u` for the `\u00XX` form).
// Indexing runs at compile time here: an out-of-range index fails the build, not a run.
#[allow(clippy::indexing_slicing)]
static ESCAPE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = b'u';
        i += 1;
    }
    t[b'\n' as usize] = b'n';
    t[b'\r' as usize] = b'r';
    t[b'\t' as usize] = b't';
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t
};

fn hex(n: u8) -> u8 {
    if n < 10 { b'0' + n } else { b'a' + n - 10 }
}

/// Appends `s` as a JSON string literal.
///
/// Writes through a cursor into output grown ahead of time: clean 8-byte words are
/// fixed-size copies, an escape is a few stores; `out` is trimmed to what was written.
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    // A &str is valid UTF-8: nothing to check.
    let _ = escape_into(out, s.as_bytes(), false);
}

/// Escapes `bytes` as a JSON string literal into `out`. With `check_utf8`, validates
/// UTF-8 from the first non-ASCII byte on (pure ASCII needs no check) and returns
/// false, with `out` unchanged, if the bytes are not UTF-8.
fn escape_into(out: &mut Vec<u8>, bytes: &[u8], check_utf8: bool) -> bool {
    const HI: u64 = 0x8080_8080_8080_8080;
    let start = out.len();
    let mut pos = start;
    let mut need_check = check_utf8;
    // Room for quotes and backslash escapes; grown further only for control characters.
    out.resize(pos + bytes.len() * 2 + 16, 0);
    put(out, &mut pos, b"\"");
    let mut i = 0;
    while i < bytes.len() {
        if out.len() < pos + 16 {
            let remaining = bytes.len() - i;
            out.resize(pos + remaining * 6 + 16, 0);
        }
        if let Some(w) = bytes.get(i..).and_then(<[u8]>::first_chunk::<8>) {
            if need_check && u64::from_le_bytes(*w) & HI != 0 {
                if std::str::from_utf8(bytes.get(i..).unwrap_or_default()).is_err() {
                    out.truncate(start);
                    return false;
                }
                need_check = false;
            }
            // Copy the whole word, keep the bytes before the first one that needs an
            // escape (the rest is overwritten next).
            if let Some(d) = out.get_mut(pos..).and_then(<[u8]>::first_chunk_mut::<8>) {
                *d = *w;
            }
            let hit = special_bytes(u64::from_le_bytes(*w));
            let clean = if hit == 0 {
                8
            } else {
                (hit.trailing_zeros() / 8) as usize
            };
            pos += clean;
            i += clean;
            if clean == 8 {
                continue;
            }
        }
        let b = bytes.get(i).copied().unwrap_or_default();
        if need_check && b >= 0x80 {
            if std::str::from_utf8(bytes.get(i..).unwrap_or_default()).is_err() {
                out.truncate(start);
                return false;
            }
            need_check = false;
        }
        match ESCAPE.get(usize::from(b)).copied().unwrap_or(0) {
            0 => put(out, &mut pos, &[b]),
            b'u' => put(
                out,
                &mut pos,
                &[b'\\', b'u', b'0', b'0', hex(b >> 4), hex(b & 15)],
            ),
            e => put(out, &mut pos, &[b'\\', e]),
        }
        i += 1;
    }
    out.truncate(pos);
    out.push(b'"');
    true
}

/// Writes `b` at `*pos` (room was made by the caller) and advances.
#[inline(always)]
fn put(out: &mut [u8], pos: &mut usize, b: &[u8]) {
    if let Some(d) = out.get_mut(*pos..*pos + b.len()) {
        d.copy_from_slice(b);
    }
    *pos += b.len();
}

/// A mask with the high bit set in bytes that need escaping (control characters, `"`,
/// `\\`). Bits above the lowest set one may be spurious (borrows); the lowest is exact.
#[inline(always)]
fn special_bytes(x: u64) -> u64 {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let ctl = x.wrapping_sub(LO * 0x20) & !x;
    let q = x ^ (LO * u64::from(b'"'));
    let bs = x ^ (LO * u64::from(b'\\'));
    (ctl | (q.wrapping_sub(LO) & !q) | (bs.wrapping_sub(LO) & !bs)) & HI
}

/// Appends a byte string: a JSON string if valid UTF-8, else `{"base64":"..."}`.
pub fn write_bytes(out: &mut Vec<u8>, b: &[u8]) {
    if !escape_into(out, b, true) {
        {
            out.extend_from_slice(b"{\"base64\":\"");
            let start = out.len();
            let engine = &base64::engine::general_purpose::STANDARD;
            out.resize(start + base64::encoded_len(b.len(), true).unwrap_or(0), 0);
            let n = engine
                .encode_slice(b, out.get_mut(start..).unwrap_or_default())
                .unwrap_or(0);
            out.truncate(start + n);
            out.extend_from_slice(b"\"}");
        }
    }
}

/// Standard base64 (with padding) of `b`.
pub fn base64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// Appends a float as a JSON number, or `"inf"`, `"-inf"`, `"nan"`.
pub fn write_f64(out: &mut Vec<u8>, f: f64) {
    if f.is_nan() {
        out.extend_from_slice(b"\"nan\"");
    } else if f.is_infinite() {
        out.extend_from_slice(if f > 0.0 { b"\"inf\"" } else { b"\"-inf\"" });
    } else {
        out.extend_from_slice(ryu::Buffer::new().format_finite(f).as_bytes());
    }
}

pub fn write_u64(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

pub fn write_i64(out: &mut Vec<u8>, n: i64) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// One error as contract.md's `verify --json` entry.
pub fn write_error(out: &mut Vec<u8>, e: &crate::Error, file: &str) {
    out.extend_from_slice(b"{\"offset\":");
    match e.offset {
        Some(o) => write_u64(out, o),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"file\":");
    write_str(out, file);
    out.extend_from_slice(b",\"db\":");
    match e.ctx.db {
        Some(d) => write_u64(out, d),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"key\":");
    match &e.ctx.key {
        Some(k) => write_bytes(out, &k.bytes),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"doing\":");
    write_str(out, e.ctx.doing.name());
    out.extend_from_slice(b",\"message\":");
    write_str(out, &e.kind.to_string());
    out.push(b'}');
}

/// Appends `{"name":count,...}`.
pub fn write_counts<'a, K: std::fmt::Display + 'a>(
    out: &mut Vec<u8>,
    counts: impl IntoIterator<Item = (K, &'a u64)>,
) {
    out.push(b'{');
    for (i, (k, n)) in counts.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_str(out, &k.to_string());
        out.push(b':');
        write_u64(out, *n);
    }
    out.push(b'}');
}

/// Decodes a contract byte string (a JSON string or `{"base64": ...}`).
pub fn parse_bytes(v: &serde_json::Value) -> Option<Vec<u8>> {
    match v {
        serde_json::Value::String(s) => Some(s.as_bytes().to_vec()),
        serde_json::Value::Object(m) => {
            let b = m.get("base64")?.as_str()?;
            base64::engine::general_purpose::STANDARD.decode(b).ok()
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(b: &[u8]) -> String {
        let mut v = Vec::new();
        write_bytes(&mut v, b);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn byte_strings_follow_the_contract() {
        assert_eq!(bytes(b"plain\n\"key\""), r#""plain\n\"key\"""#);
        assert_eq!(bytes(b"a\x00b\x1f"), r#""a\u0000b\u001f""#);
        assert_eq!(
            bytes(b"user:\xff\x00\x01:\"q\""),
            r#"{"base64":"dXNlcjr/AAE6InEi"}"#
        );
        assert_eq!(bytes("é".as_bytes()), "\"é\"");
        assert_eq!(
            bytes(b"0123456789abcdef\xc3"),
            r#"{"base64":"MDEyMzQ1Njc4OWFiY2RlZsM="}"#
        );
        assert_eq!(
            bytes("0123456789abcdefé\"".as_bytes()),
            "\"0123456789abcdefé\\\"\""
        );
        assert_eq!(bytes(b"ab\x80"), r#"{"base64":"YWKA"}"#);
        for b in [&b"x\xfe"[..], b"", b"\x7f\x00\"\\"] {
            let v: serde_json::Value = serde_json::from_str(&bytes(b)).unwrap();
            assert_eq!(parse_bytes(&v).unwrap(), b);
        }
    }

    #[test]
    fn escaping_matches_serde_json() {
        let mut x: u64 = 7;
        for len in 0..300usize {
            let s: String = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    ['a', '"', '\\', '\n', '\u{1}', 'é', ' ', '\u{1f}', 'z', '\t']
                        [(x % 10) as usize]
                })
                .collect();
            let mut v = Vec::new();
            write_str(&mut v, &s);
            let back: String = serde_json::from_slice(&v).unwrap();
            assert_eq!(back, s);
        }
    }

    #[test]
    fn floats() {
        let mut v = Vec::new();
        for f in [1.0, -0.5, f64::INFINITY, f64::NEG_INFINITY, f64::NAN, 1e-10] {
            write_f64(&mut v, f);
            v.push(b' ');
        }
        assert_eq!(
            String::from_utf8(v).unwrap(),
            "1.0 -0.5 \"inf\" \"-inf\" \"nan\" 1e-10 "
        );
    }
}

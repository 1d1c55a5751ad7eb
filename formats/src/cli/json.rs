//! JSON output without an intermediate value tree. Byte strings follow contract.md: a
//! JSON string when the bytes are valid UTF-8 (exactly those bytes), otherwise
//! `{"base64":"..."}`.

use base64::Engine as _;

/// Appends `s` as a JSON string literal.
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x00..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(bytes.get(start..i).unwrap_or_default());
        if esc.is_empty() {
            out.extend_from_slice(b"\\u00");
            out.extend_from_slice(&[hex(b >> 4), hex(b & 15)]);
        } else {
            out.extend_from_slice(esc);
        }
        start = i + 1;
    }
    out.extend_from_slice(bytes.get(start..).unwrap_or_default());
    out.push(b'"');
}

fn hex(n: u8) -> u8 {
    if n < 10 { b'0' + n } else { b'a' + n - 10 }
}

/// Appends a byte string: a JSON string if valid UTF-8, else `{"base64":"..."}`.
pub fn write_bytes(out: &mut Vec<u8>, b: &[u8]) {
    match std::str::from_utf8(b) {
        Ok(s) => write_str(out, s),
        Err(_) => {
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
        for b in [&b"x\xfe"[..], b"", b"\x7f\x00\"\\"] {
            let v: serde_json::Value = serde_json::from_str(&bytes(b)).unwrap();
            assert_eq!(parse_bytes(&v).unwrap(), b);
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

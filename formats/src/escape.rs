//! Escaping of byte strings for people (redis-cli style): printable ASCII as is,
//! `\"` and `\\`, common control characters as `\n` `\r` `\t`, anything else `\xNN`.

use std::fmt;

/// Writes `bytes` escaped, without surrounding quotes.
pub fn write_escaped(out: &mut dyn fmt::Write, bytes: &[u8]) -> fmt::Result {
    for &b in bytes {
        match b {
            b'"' => out.write_str("\\\"")?,
            b'\\' => out.write_str("\\\\")?,
            b'\n' => out.write_str("\\n")?,
            b'\r' => out.write_str("\\r")?,
            b'\t' => out.write_str("\\t")?,
            0x20..=0x7e => out.write_char(char::from(b))?,
            _ => write!(out, "\\x{b:02x}")?,
        }
    }
    Ok(())
}

/// `bytes` escaped, in double quotes.
pub fn quoted(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() + 2);
    s.push('"');
    // Writing to a String cannot fail.
    let _ = write_escaped(&mut s, bytes);
    s.push('"');
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_like_redis_cli() {
        assert_eq!(super::quoted(b"a\"b\\\n\x00\xff"), r#""a\"b\\\n\x00\xff""#);
    }
}

//! The Redis 7+ multi-part AOF manifest (`appendonly.aof.manifest`): one line per file,
//! `file <name> seq <n> type <b|h|i>`, names C-quoted when they need it. Parsing
//! follows Redis's `aofLoadManifestFromFile` rules and reports the line of a problem;
//! writing produces the bytes Redis writes (`aofInfoFormat`).

use crate::error::{Doing, Error, ErrorKind, Result};

/// Longest manifest line Redis reads.
const MAX_LINE: usize = 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    /// `b`: the base (an RDB or a RESP file).
    Base,
    /// `h`: kept for history, not loaded.
    History,
    /// `i`: an incremental RESP file, loaded after the base in order.
    Incr,
}

impl FileType {
    pub fn letter(self) -> char {
        match self {
            FileType::Base => 'b',
            FileType::History => 'h',
            FileType::Incr => 'i',
        }
    }
}

/// One `file ... seq ... type ...` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub file: Vec<u8>,
    pub seq: u64,
    pub kind: FileType,
    /// Further `key value` pairs (tolerated for forward compatibility; written back).
    pub extra: Vec<(Vec<u8>, Vec<u8>)>,
    /// 1-based line in the parsed manifest (0 for entries made in code).
    pub line: usize,
}

/// A parsed manifest, entries in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    pub entries: Vec<Entry>,
}

impl Manifest {
    pub fn base(&self) -> Option<&Entry> {
        self.entries.iter().find(|e| e.kind == FileType::Base)
    }

    /// The INCR files in load order.
    pub fn incrs(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| e.kind == FileType::Incr)
    }

    pub fn history(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| e.kind == FileType::History)
    }

    /// The manifest's bytes as Redis writes them.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for e in &self.entries {
            out.extend_from_slice(b"file ");
            write_name(&mut out, &e.file);
            out.extend_from_slice(format!(" seq {} type {}", e.seq, e.kind.letter()).as_bytes());
            for (k, v) in &e.extra {
                out.push(b' ');
                write_name(&mut out, k);
                out.push(b' ');
                write_name(&mut out, v);
            }
            out.push(b'\n');
        }
        out
    }
}

fn err(line: usize, reason: impl Into<String>) -> Error {
    let mut e = Error::new(ErrorKind::Manifest {
        line,
        reason: reason.into(),
    });
    e.ctx.doing = Doing::Manifest;
    e
}

/// Parses a manifest with Redis's rules: `#` lines skipped; a blank or over-long line,
/// fewer than 6 or an odd number of tokens, a name with `/`, a zero or bad `seq`, an
/// unknown `type`, a second base, or INCR seqs that do not increase are errors; so is a
/// manifest without entries.
pub fn parse(text: &[u8]) -> Result<Manifest> {
    let mut m = Manifest::default();
    let mut last_incr: Option<u64> = None;
    let body = text.strip_suffix(b"\n").unwrap_or(text);
    if body.is_empty() {
        return Err(err(0, "empty manifest"));
    }
    for (i, raw) in body.split(|&b| b == b'\n').enumerate() {
        let line = i + 1;
        if raw.len() + 1 > MAX_LINE {
            return Err(err(line, format!("line longer than {MAX_LINE} bytes")));
        }
        if raw.first() == Some(&b'#') {
            continue;
        }
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.iter().all(u8::is_ascii_whitespace) {
            return Err(err(line, "blank line"));
        }
        let tokens = split_args(raw).ok_or_else(|| err(line, "unbalanced quotes"))?;
        if tokens.len() < 6 || tokens.len() % 2 != 0 {
            return Err(err(
                line,
                format!(
                    "{} tokens (expected key value pairs, at least 3)",
                    tokens.len()
                ),
            ));
        }
        let (mut file, mut seq, mut kind) = (None, None, None);
        let mut extra = Vec::new();
        for pair in tokens.chunks(2) {
            let (k, v) = match pair {
                [k, v] => (k, v),
                _ => return Err(err(line, "odd token count")),
            };
            if k.eq_ignore_ascii_case(b"file") {
                if v.contains(&b'/') {
                    return Err(err(line, "file name is not a plain name (contains '/')"));
                }
                file = Some(v.clone());
            } else if k.eq_ignore_ascii_case(b"seq") {
                let n = std::str::from_utf8(v)
                    .ok()
                    .and_then(|s| s.parse::<u64>().ok())
                    .filter(|&n| n > 0);
                seq = Some(n.ok_or_else(|| {
                    err(
                        line,
                        format!("invalid seq {:?}", String::from_utf8_lossy(v)),
                    )
                })?);
            } else if k.eq_ignore_ascii_case(b"type") {
                kind = Some(match v.first() {
                    Some(b'b') => FileType::Base,
                    Some(b'h') => FileType::History,
                    Some(b'i') => FileType::Incr,
                    _ => {
                        return Err(err(
                            line,
                            format!("unknown type {:?}", String::from_utf8_lossy(v)),
                        ));
                    }
                });
            } else {
                extra.push((k.clone(), v.clone()));
            }
        }
        let (Some(file), Some(seq), Some(kind)) = (file, seq, kind) else {
            return Err(err(line, "missing file, seq or type"));
        };
        match kind {
            FileType::Base if m.base().is_some() => return Err(err(line, "a second base file")),
            FileType::Incr => {
                if last_incr.is_some_and(|l| seq <= l) {
                    return Err(err(
                        line,
                        format!("incr seq {seq} does not increase (non-monotonic)"),
                    ));
                }
                last_incr = Some(seq);
            }
            _ => {}
        }
        m.entries.push(Entry {
            file,
            seq,
            kind,
            extra,
            line,
        });
    }
    if m.entries.is_empty() {
        return Err(err(0, "no file entries"));
    }
    Ok(m)
}

/// Splits a line like Redis's `sdssplitargs` (manifests, redis.conf lines, a function
/// library's first line): blank-separated tokens in which a `"` or `'` anywhere opens a
/// quoted part (`name="x"` is `name=x`); `"..."` takes `\n \r \t \b \a \xHH` and
/// `\<c>` escapes, `'...'` only `\'`; a closing quote must be followed by a blank or the
/// end. `None` on unbalanced quotes.
pub fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    // C's isspace.
    let blank = |c: u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c);
    let hex = |c: u8| char::from(c).to_digit(16).map(|d| d as u8);
    let mut out = Vec::new();
    let mut i = 0;
    let at = |i: usize| line.get(i).copied();
    loop {
        while at(i).is_some_and(blank) {
            i += 1;
        }
        if at(i).is_none() {
            return Some(out);
        }
        let mut tok = Vec::new();
        loop {
            match at(i) {
                None | Some(b' ' | b'\n' | b'\r' | b'\t' | 0) => break,
                Some(q @ (b'"' | b'\'')) => {
                    i += 1;
                    loop {
                        let c = at(i)?;
                        if c == q {
                            i += 1;
                            if at(i).is_some_and(|c| !blank(c)) {
                                return None;
                            }
                            break;
                        }
                        if q == b'"' && c == b'\\' {
                            if let (Some(b'x'), Some(h), Some(l)) =
                                (at(i + 1), at(i + 2).and_then(hex), at(i + 3).and_then(hex))
                            {
                                tok.push(h * 16 + l);
                                i += 4;
                                continue;
                            }
                            let e = at(i + 1)?;
                            tok.push(match e {
                                b'n' => b'\n',
                                b'r' => b'\r',
                                b't' => b'\t',
                                b'b' => 8,
                                b'a' => 7,
                                other => other,
                            });
                            i += 2;
                        } else if q == b'\'' && c == b'\\' && at(i + 1) == Some(b'\'') {
                            tok.push(b'\'');
                            i += 2;
                        } else {
                            tok.push(c);
                            i += 1;
                        }
                    }
                    // A closing quote ends the token.
                    break;
                }
                Some(c) => {
                    tok.push(c);
                    i += 1;
                }
            }
        }
        out.push(tok);
    }
}

/// Whether Redis would quote this name (`sdsneedsrepr`).
fn needs_repr(b: &[u8]) -> bool {
    b.iter().any(|&c| {
        matches!(c, b'\\' | b'"' | b'\n' | b'\r' | b'\t' | 7 | 8) || !(0x21..=0x7e).contains(&c)
    })
}

/// The name as Redis writes it: plain, or `sdscatrepr` quoted.
fn write_name(out: &mut Vec<u8>, b: &[u8]) {
    if !needs_repr(b) {
        out.extend_from_slice(b);
        return;
    }
    out.push(b'"');
    for &c in b {
        match c {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'"' => out.extend_from_slice(b"\\\""),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            7 => out.extend_from_slice(b"\\a"),
            8 => out.extend_from_slice(b"\\b"),
            0x20..=0x7e => out.push(c),
            _ => out.extend_from_slice(format!("\\x{c:02x}").as_bytes()),
        }
    }
    out.push(b'"');
}

//! RESP records as they appear in an AOF: `*<argc>\r\n` then `argc` times
//! `$<len>\r\n<bytes>\r\n`, and annotation lines starting with `#` (`#TS:<unix-s>`).
//!
//! [`Reader`] streams them from any [`Read`] in a buffer bounded by the largest
//! command; arguments are borrowed from the buffer. It is as strict as
//! `redis-check-aof` (every count, length and payload ends with `\r\n`), reports every
//! record's byte offset, and on a bad or cut record says where the last complete one
//! ended ([`Reader::valid_up_to`]).

use std::io::{self, Read, Write};

use crate::error::{Doing, Error, ErrorKind, Result};
use crate::limits::Limits;
use crate::source::Source;

/// Longest count or length line accepted (`*`/`$`, up to 20 digits, CRLF).
const MAX_NUMBER_LINE: usize = 32;
/// Longest annotation line (Redis reads them into a 1024-byte buffer).
const MAX_ANNOTATION: usize = 1024;

/// One command, borrowed from the reader's buffer.
#[derive(Debug)]
pub struct CommandRef<'a> {
    /// Offset of the command's `*` from the start of the input.
    pub offset: u64,
    /// Length of the whole record in bytes.
    pub len: u64,
    data: &'a [u8],
    args: &'a [(usize, usize)],
}

impl<'a> CommandRef<'a> {
    pub fn argc(&self) -> usize {
        self.args.len()
    }

    /// Argument `i` (0 is the command name).
    pub fn arg(&self, i: usize) -> Option<&'a [u8]> {
        let &(s, n) = self.args.get(i)?;
        self.data.get(s..s + n)
    }

    pub fn args(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        self.args
            .iter()
            .filter_map(|&(s, n)| self.data.get(s..s + n))
    }

    /// The command name, as written (AOFs keep the client's spelling).
    pub fn name(&self) -> &'a [u8] {
        self.arg(0).unwrap_or_default()
    }

    /// Whether the command name is `name`, ignoring ASCII case.
    pub fn is(&self, name: &str) -> bool {
        self.name().eq_ignore_ascii_case(name.as_bytes())
    }
}

/// A record of an AOF.
#[derive(Debug)]
pub enum ItemRef<'a> {
    Command(CommandRef<'a>),
    /// A line starting with `#` (without its line end), such as `#TS:1700000000`.
    Annotation {
        offset: u64,
        text: &'a [u8],
    },
}

impl ItemRef<'_> {
    /// The Unix time of a `#TS:` annotation.
    pub fn timestamp(&self) -> Option<i64> {
        match self {
            ItemRef::Annotation { text, .. } => std::str::from_utf8(text.strip_prefix(b"#TS:")?)
                .ok()?
                .trim()
                .parse()
                .ok(),
            ItemRef::Command(_) => None,
        }
    }
}

/// The Unix time in a `#TS:<seconds>` annotation line.
pub fn parse_timestamp(text: &[u8]) -> Option<i64> {
    std::str::from_utf8(text.strip_prefix(b"#TS:")?)
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// Why parsing the buffered bytes stopped.
enum Parse {
    /// A complete record of this many bytes.
    Done(usize),
    /// At least this many bytes are needed in all.
    Need(usize),
    /// Malformed at this offset inside the record.
    Bad(usize, String),
}

/// Streaming AOF record reader.
pub struct Reader<R> {
    src: Source<R>,
    args: Vec<(usize, usize)>,
    valid_up_to: u64,
    limits: Limits,
}

impl<R: Read> Reader<R> {
    pub fn new(inner: R) -> Self {
        Self::with_limits(inner, Limits::default())
    }

    pub fn with_limits(inner: R, limits: Limits) -> Self {
        Reader {
            src: Source::new(inner, limits, false),
            args: Vec::new(),
            valid_up_to: 0,
            limits,
        }
    }

    /// Continues after bytes already read from `inner` (for an AOF whose RDB preamble
    /// was read by [`crate::rdb::Reader`]): `ahead` are bytes read past the RDB's end,
    /// `offset` the file offset of `ahead`'s first byte.
    pub fn resume(
        inner: R,
        ahead: Vec<u8>,
        offset: u64,
    ) -> Reader<io::Chain<io::Cursor<Vec<u8>>, R>> {
        let mut r = Reader::new(io::Cursor::new(ahead).chain(inner));
        r.src.set_base(offset);
        r.valid_up_to = offset;
        r
    }

    /// Complete lines of a record cut by the end of the input (after an
    /// `UnexpectedEof`): the count line, each length line and each whole payload, as
    /// `redis-check-aof` counts them before it stops.
    pub fn partial_lines(&self) -> u64 {
        let data = self.src.available();
        let Ok((argc, mut at)) = number(data, 0, b'*') else {
            return 0;
        };
        let mut lines = 1;
        for _ in 0..argc {
            let Ok((len, used)) = number(data, at, b'$') else {
                break;
            };
            lines += 1;
            let end = at + used + len as usize;
            if data.get(end..end + 2) != Some(b"\r\n") {
                break;
            }
            lines += 1;
            at = end + 2;
        }
        lines
    }

    /// Offset just past the last complete record (where a cut file can be truncated).
    pub fn valid_up_to(&self) -> u64 {
        self.valid_up_to
    }

    /// The next record, `None` at a clean end of input. A record cut by the end of the
    /// input is an `UnexpectedEof` error at the record's offset.
    pub fn next_item(&mut self) -> Result<Option<ItemRef<'_>>> {
        let start = self.src.offset();
        loop {
            let parsed = parse(self.src.available(), &mut self.args, &self.limits);
            match parsed {
                Parse::Done(n) => {
                    self.valid_up_to = start + n as u64;
                    // The bytes stay in the buffer until the next call.
                    self.src.consume(n);
                    let data = self.src.just_consumed(n);
                    let item = if data.first() == Some(&b'#') {
                        let text = data.strip_suffix(b"\n").unwrap_or(data);
                        let text = text.strip_suffix(b"\r").unwrap_or(text);
                        ItemRef::Annotation {
                            offset: start,
                            text,
                        }
                    } else {
                        ItemRef::Command(CommandRef {
                            offset: start,
                            len: n as u64,
                            data,
                            args: &self.args,
                        })
                    };
                    return Ok(Some(item));
                }
                Parse::Need(n) => {
                    let have = self.src.available().len();
                    if have == 0 {
                        if !self.src.fill_more()? {
                            return Ok(None);
                        }
                        continue;
                    }
                    match self.src.fill(n.max(have + 1)) {
                        Ok(()) => {}
                        Err(e) if matches!(e.kind, ErrorKind::UnexpectedEof) => {
                            return Err(record_error(ErrorKind::UnexpectedEof, start));
                        }
                        Err(e) => return Err(e),
                    }
                }
                Parse::Bad(at, why) => {
                    return Err(record_error(ErrorKind::Resp(why), start + at as u64));
                }
            }
        }
    }
}

fn record_error(kind: ErrorKind, offset: u64) -> Error {
    let mut e = Error::at(kind, offset);
    e.ctx.doing = Doing::Record;
    e
}

/// `*`/`$` followed by a decimal and CRLF, starting at `at`: (value, bytes used).
fn number(data: &[u8], at: usize, prefix: u8) -> std::result::Result<(u64, usize), Parse> {
    match data.get(at) {
        None => return Err(Parse::Need(at + 1)),
        Some(&b) if b != prefix => {
            return Err(Parse::Bad(
                at,
                format!("expected '{}', found {}", char::from(prefix), describe(b)),
            ));
        }
        _ => {}
    }
    let mut i = at + 1;
    let mut value: u64 = 0;
    loop {
        match data.get(i) {
            None if i - at >= MAX_NUMBER_LINE => {
                return Err(Parse::Bad(at, "count or length line too long".into()));
            }
            None => return Err(Parse::Need(i + 1)),
            Some(&d) if d.is_ascii_digit() => {
                value = value
                    .checked_mul(10)
                    .and_then(|v| v.checked_add(u64::from(d - b'0')))
                    .ok_or_else(|| Parse::Bad(at + 1, "number too large".into()))?;
                i += 1;
            }
            Some(b'\r') if i > at + 1 => break,
            Some(&d) => {
                return Err(Parse::Bad(
                    i,
                    format!("invalid number: expected a digit, found {}", describe(d)),
                ));
            }
        }
    }
    match data.get(i + 1) {
        None => Err(Parse::Need(i + 2)),
        Some(b'\n') => Ok((value, i + 2 - at)),
        Some(&b) => Err(Parse::Bad(
            i + 1,
            format!("expected '\\n' after '\\r', found {}", describe(b)),
        )),
    }
}

fn describe(b: u8) -> String {
    match b {
        0x20..=0x7e => format!("'{}'", char::from(b)),
        _ => format!("byte 0x{b:02x}"),
    }
}

/// Parses one record at the start of `data` (strict, like `redis-check-aof`).
fn parse(data: &[u8], args: &mut Vec<(usize, usize)>, limits: &Limits) -> Parse {
    match data.first() {
        None => Parse::Need(1),
        Some(b'#') => {
            let window = data
                .get(..MAX_ANNOTATION.min(data.len()))
                .unwrap_or_default();
            match memchr::memchr(b'\n', window) {
                Some(nl) => Parse::Done(nl + 1),
                None if window.len() >= MAX_ANNOTATION => Parse::Bad(
                    0,
                    format!("annotation line longer than {MAX_ANNOTATION} bytes"),
                ),
                None => Parse::Need(data.len() + 1),
            }
        }
        Some(_) => {
            args.clear();
            let (argc, mut at) = match number(data, 0, b'*') {
                Ok(x) => x,
                Err(p) => return p,
            };
            if argc == 0 {
                return Parse::Bad(1, "command with 0 arguments".into());
            }
            for _ in 0..argc {
                let (len, used) = match number(data, at, b'$') {
                    Ok(x) => x,
                    Err(p) => return p,
                };
                if len > limits.max_string {
                    return Parse::Bad(
                        at + 1,
                        format!(
                            "argument length {len} exceeds the limit of {}",
                            limits.max_string
                        ),
                    );
                }
                let start = at + used;
                let end = start + len as usize;
                match data.get(end..end + 2) {
                    None => return Parse::Need(end + 2),
                    Some(b"\r\n") => {}
                    Some(_) => return Parse::Bad(end, "argument not followed by \\r\\n".into()),
                }
                args.push((start, len as usize));
                at = end + 2;
            }
            Parse::Done(at)
        }
    }
}

/// Writes one command exactly as Redis writes it into an AOF.
pub fn write_command<W: Write + ?Sized>(out: &mut W, args: &[&[u8]]) -> io::Result<()> {
    let mut head = Vec::with_capacity(16);
    head.push(b'*');
    head.extend_from_slice(itoa::Buffer::new().format(args.len()).as_bytes());
    head.extend_from_slice(b"\r\n");
    out.write_all(&head)?;
    for a in args {
        head.clear();
        head.push(b'$');
        head.extend_from_slice(itoa::Buffer::new().format(a.len()).as_bytes());
        head.extend_from_slice(b"\r\n");
        out.write_all(&head)?;
        out.write_all(a)?;
        out.write_all(b"\r\n")?;
    }
    Ok(())
}

/// Appends one command to `out`, exactly as [`write_command`] writes it.
pub fn append_command(out: &mut Vec<u8>, args: &[&[u8]]) {
    let mut n = itoa::Buffer::new();
    out.push(b'*');
    out.extend_from_slice(n.format(args.len()).as_bytes());
    out.extend_from_slice(b"\r\n");
    for a in args {
        out.push(b'$');
        out.extend_from_slice(n.format(a.len()).as_bytes());
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}

/// Writes a `#TS:<unix-seconds>` annotation line.
pub fn write_timestamp<W: Write + ?Sized>(out: &mut W, unix_s: i64) -> io::Result<()> {
    write!(out, "#TS:{unix_s}\r\n")
}

//! JSON Lines input: the `dump --format jsonl` schema of `contract.md` read back into
//! [`Record`]s, one line (one key) at a time.
//!
//! ```text
//! {"db":0,"key":"user:1","type":"hash","expire_ms":null,"encoding":"listpack","value":[["name","ann"]]}
//! ```
//!
//! What is accepted:
//! - members in any order; `key`, `type` and `value` are required, `db` defaults to 0,
//!   `expire_ms`, `idle_s` and `freq` to absent (`null` means absent too); `encoding` is
//!   informative and ignored. Unknown or repeated members are errors, so a misspelt
//!   `expire_ms` cannot silently drop an expiry.
//! - byte strings: a JSON string (its UTF-8 bytes) or `{"base64":"..."}` (standard
//!   alphabet, padding optional). A `\u` escape that is not a Unicode scalar value (a
//!   lone surrogate) is an error: bytes that are not UTF-8 travel as base64.
//! - zset scores: a JSON number, parsed exactly (correctly rounded, so every score the
//!   dump writes reads back bit for bit, `-0.0` included), or `"inf"`, `"+inf"`, `"-inf"`,
//!   `"nan"`. A number too large for a double is an error, not infinity.
//! - hash fields: `[field, value]` or `[field, value, expire_ms]` (`null` = no expiry).
//! - streams: the object of `contract.md` plus what the dump writes for Redis 8.6
//!   streams: `"nacked":true` on a PEL entry in the group's NACK zone, and
//!   `"idmp":{"duration_s":N,"max_entries":N,"producers":[{"id":<bytes>,"entries":
//!   [[<iid bytes>,"ms-seq"],...]}],"iids_added":N,"iids_duplicates":N}` (or `null`).
//!   `first_id`, `max_deleted_id` and `entries_added` go together: given, the stream
//!   keeps them (`StreamMeta::stored_meta`); all absent, they are derived as Redis does
//!   when it loads an RDB 9 stream. `length` and `last_id` may be left out (derived
//!   from the entries); given, they are kept as they are, as the RDB reader keeps
//!   them. Entry IDs must ascend (the RDB writer needs them to). A PEL entry's
//!   `consumer` must name one of the group's consumers; a consumer's `pel`, when
//!   given, must list exactly the PEL entries that name it (absent, it is derived
//!   from them). Group and consumer names and PEL IDs must be unique.
//! - module values: `{"module":<name>,"module_id":N,"raw":<bytes>}`; the name must be
//!   the one the id encodes.
//!
//! Errors name the line (counted from 1) and what was wrong, with the byte offset of the
//! offending token as [`Error::offset`] and the key (when already read) in the context:
//! `line 12: zset member 3: score "abc" is not a number`. Element indices count from 0,
//! as in `jq '.value[3]'`. Blank lines are skipped.
//!
//! Memory: one line and one record at a time. A line longer than the limit (by default
//! enough for the largest string [`Limits`] allows, base64-encoded) is an error, and a
//! line that does not start with `{` is rejected at its first byte, so a binary file
//! piped in by mistake is not read whole.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::{BufRead, ErrorKind as IoErrorKind};

use base64::Engine as _;

use crate::error::{Context, Doing, Error, ErrorKind, KeyPreview, Result};
use crate::escape::write_escaped;
use crate::limits::Limits;
use crate::rdb::DataType;
use crate::rdb::read::{
    IdmpProducer, PelEntry, StreamConsumer, StreamGroup, StreamId, StreamIdmp, module_name,
};
use crate::rdb::value::{HashValue, ModuleValue, Record, StreamValue, Strings, Value, ZsetValue};

/// Reads [`Record`]s from JSON Lines (the `dump --format jsonl` schema).
pub struct JsonlReader<R: BufRead> {
    r: R,
    name: String,
    /// The current line, newline included.
    buf: Vec<u8>,
    scratch: Scratch,
    line: u64,
    /// Bytes consumed from the input.
    offset: u64,
    /// Offset of the current line's first byte.
    line_start: u64,
    max_line: u64,
    failed: bool,
}

/// Buffers reused from line to line.
#[derive(Default)]
struct Scratch {
    key: Vec<u8>,
    key_known: bool,
    db: Option<u64>,
    a: Vec<u8>,
    b: Vec<u8>,
}

impl<R: BufRead> JsonlReader<R> {
    /// A reader of `r`. `name` is what the caller calls the input (a path or `-`), kept
    /// for its messages ([`JsonlReader::name`]); errors carry the line and offset, and
    /// the caller adds the name, as for every other reader of this crate.
    pub fn new(r: R, name: &str) -> Self {
        Self::with_limits(r, name, &Limits::default())
    }

    /// A reader whose longest accepted line follows `limits`: the largest string they
    /// allow, base64-encoded, plus 1 MiB for the rest of the line.
    pub fn with_limits(r: R, name: &str, limits: &Limits) -> Self {
        JsonlReader {
            r,
            name: name.to_owned(),
            buf: Vec::new(),
            scratch: Scratch::default(),
            line: 0,
            offset: 0,
            line_start: 0,
            max_line: (limits.max_string / 3)
                .saturating_mul(4)
                .saturating_add(1 << 20),
            failed: false,
        }
    }

    /// Sets the longest line accepted, in bytes (newline included).
    pub fn max_line(mut self, bytes: u64) -> Self {
        self.max_line = bytes;
        self
    }

    /// The name given to [`JsonlReader::new`].
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Number of the line read last (counted from 1; 0 before the first read).
    pub fn line(&self) -> u64 {
        self.line
    }

    /// Bytes consumed from the input so far (the end of the line read last).
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Offset of the first byte of the line read last.
    pub fn line_offset(&self) -> u64 {
        self.line_start
    }

    pub fn into_inner(self) -> R {
        self.r
    }

    /// Reads the next record into `rec` (reusing its buffers via [`Record::reset`]).
    /// `Ok(false)` at the end of the input. After an error the reader stays failed.
    pub fn next_into(&mut self, rec: &mut Record) -> Result<bool> {
        if self.failed {
            return Err(self.error(0, "the reader stopped at an earlier error".into(), false));
        }
        let r = self.next_inner(rec);
        if r.is_err() {
            self.failed = true;
        }
        r
    }

    fn next_inner(&mut self, rec: &mut Record) -> Result<bool> {
        loop {
            if !self.read_line()? {
                return Ok(false);
            }
            let mut c = Cur::new(&self.buf);
            if c.peek().is_none() {
                continue;
            }
            self.scratch.key_known = false;
            self.scratch.db = None;
            return match parse_record(&mut c, rec, &mut self.scratch) {
                Ok(()) => Ok(true),
                Err(e) => Err(self.error(e.at, e.msg, true)),
            };
        }
    }

    fn error(&self, at: usize, msg: String, with_key: bool) -> Error {
        let mut ctx = Context {
            doing: Doing::Jsonl,
            db: None,
            key: None,
        };
        if with_key {
            ctx.db = self.scratch.db;
            if self.scratch.key_known {
                ctx.key = Some(KeyPreview::new(&self.scratch.key));
            }
        }
        let kind = ErrorKind::Jsonl {
            line: self.line,
            msg,
        };
        Error::at(kind, self.line_start.saturating_add(at as u64)).with_ctx(&ctx)
    }

    /// Reads one line into `buf`; false at the end of the input.
    fn read_line(&mut self) -> Result<bool> {
        self.buf.clear();
        self.line_start = self.offset;
        // Where the first non-blank byte is to be looked for; None once checked.
        let mut check_from = Some(0usize);
        loop {
            let avail = match self.r.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == IoErrorKind::Interrupted => continue,
                Err(e) => {
                    let at = self.buf.len();
                    return Err(Error::at(
                        ErrorKind::Io(e),
                        self.line_start.saturating_add(at as u64),
                    )
                    .with_ctx(&Context {
                        doing: Doing::Jsonl,
                        ..Context::default()
                    }));
                }
            };
            if avail.is_empty() {
                if self.buf.is_empty() {
                    return Ok(false);
                }
                self.line += 1;
                return Ok(true);
            }
            let (take, done) = match memchr::memchr(b'\n', avail) {
                Some(i) => (i + 1, true),
                None => (avail.len(), false),
            };
            let chunk = avail.get(..take).unwrap_or_default();
            if (self.buf.len() as u64).saturating_add(take as u64) > self.max_line {
                self.line += 1;
                return Err(self.error(
                    0,
                    format!("line is longer than the limit of {} bytes", self.max_line),
                    false,
                ));
            }
            self.buf.extend_from_slice(chunk);
            self.r.consume(take);
            self.offset = self.offset.saturating_add(take as u64);
            if self.line == 0 && self.line_start == 0 && self.buf.starts_with(b"\xef\xbb\xbf") {
                // A UTF-8 byte order mark before the first line.
                self.buf.drain(..3);
                self.line_start = self.line_start.saturating_add(3);
            }
            if let Some(from) = check_from {
                let rest = self.buf.get(from..).unwrap_or_default();
                match rest.iter().position(|b| !is_ws(*b)) {
                    Some(i) if rest.get(i) != Some(&b'{') => {
                        self.line += 1;
                        let at = from + i;
                        let c = Cur {
                            b: &self.buf,
                            pos: at,
                        };
                        let msg = c.unexpected("a JSON object (one key per line)").msg;
                        return Err(self.error(at, msg, false));
                    }
                    Some(_) => check_from = None,
                    None => check_from = Some(self.buf.len()),
                }
            }
            if done {
                self.line += 1;
                return Ok(true);
            }
        }
    }
}

impl<R: BufRead> fmt::Debug for JsonlReader<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonlReader")
            .field("name", &self.name)
            .field("line", &self.line)
            .field("offset", &self.offset)
            .finish_non_exhaustive()
    }
}

/// A problem at byte `at` of the line.
#[derive(Debug)]
struct PErr {
    at: usize,
    msg: String,
}

impl PErr {
    /// Prefixes the message with where in the record the problem is.
    fn ctx(mut self, c: impl fmt::Display) -> Self {
        self.msg = format!("{c}: {}", self.msg);
        self
    }
}

type PResult<T> = std::result::Result<T, PErr>;

fn perr(at: usize, msg: impl Into<String>) -> PErr {
    PErr {
        at,
        msg: msg.into(),
    }
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Bytes as a quoted, escaped preview (at most 64 bytes shown).
fn preview(b: &[u8]) -> String {
    let mut s = String::from("\"");
    let _ = write_escaped(&mut s, b.get(..64).unwrap_or(b));
    s.push('"');
    if b.len() > 64 {
        s.push_str("...");
    }
    s
}

/// Which members of an object were seen (to reject repeats).
#[derive(Default)]
struct Seen(u32);

impl Seen {
    fn mark(&mut self, bit: u32, name: &str, at: usize) -> PResult<()> {
        if self.0 & (1 << bit) != 0 {
            return Err(perr(at, format!("member \"{name}\" appears twice")));
        }
        self.0 |= 1 << bit;
        Ok(())
    }

    fn has(&self, bit: u32) -> bool {
        self.0 & (1 << bit) != 0
    }
}

fn unknown_member(name: &str, at: usize, known: &str) -> PErr {
    perr(
        at,
        format!(
            "unknown member {} (expected {known})",
            preview(name.as_bytes())
        ),
    )
}

fn missing(name: &str, at: usize) -> PErr {
    perr(at, format!("missing member \"{name}\""))
}

/// Deepest nesting skipped in an ignored member.
const MAX_SKIP_DEPTH: u32 = 128;

/// A position in one line.
#[derive(Clone, Copy)]
struct Cur<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Cur<'a> {
    fn new(b: &'a [u8]) -> Self {
        Cur { b, pos: 0 }
    }

    fn ws(&mut self) {
        while self.b.get(self.pos).is_some_and(|&c| is_ws(c)) {
            self.pos += 1;
        }
    }

    /// The next non-blank byte, not consumed.
    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.b.get(self.pos).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: u8, what: impl fmt::Display) -> PResult<()> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.unexpected(what))
        }
    }

    /// "expected X, found Y" at the next token.
    fn unexpected(&self, expected: impl fmt::Display) -> PErr {
        let mut c = *self;
        let found = match c.peek() {
            None => "the end of the line".to_owned(),
            Some(b'"') => "a string".to_owned(),
            Some(b'{') => "an object".to_owned(),
            Some(b'[') => "an array".to_owned(),
            Some(b'-' | b'0'..=b'9') => {
                let s = c.pos;
                let e =
                    c.b.get(s..)
                        .unwrap_or_default()
                        .iter()
                        .position(|&b| !matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))
                        .map_or(c.b.len(), |n| s + n);
                format!(
                    "the number {}",
                    String::from_utf8_lossy(c.b.get(s..e).unwrap_or_default())
                )
            }
            Some(p @ (b']' | b'}' | b',' | b':')) => format!("'{}'", char::from(p)),
            Some(_) if c.lit(b"null") => "null".to_owned(),
            Some(_) if c.lit(b"true") => "true".to_owned(),
            Some(_) if c.lit(b"false") => "false".to_owned(),
            Some(_) => {
                let s = c.pos;
                let rest = c.b.get(s..).unwrap_or_default();
                let rest = rest.strip_suffix(b"\n").unwrap_or(rest);
                let mut t = preview(rest.get(..16).unwrap_or(rest));
                if rest.len() > 16 {
                    t.push_str("...");
                }
                t
            }
        };
        perr(c.pos, format!("expected {expected}, found {found}"))
    }

    /// Consumes the literal `word` if it is next.
    fn lit(&mut self, word: &[u8]) -> bool {
        self.ws();
        if self.b.get(self.pos..).is_some_and(|r| r.starts_with(word)) {
            self.pos += word.len();
            true
        } else {
            false
        }
    }

    fn null(&mut self) -> bool {
        self.lit(b"null")
    }

    fn bool(&mut self, what: &str) -> PResult<bool> {
        if self.lit(b"true") {
            Ok(true)
        } else if self.lit(b"false") {
            Ok(false)
        } else {
            Err(self.unexpected(format_args!("{what} (true or false)")))
        }
    }

    /// `[ f(0) , f(1) ... ]`; returns the element count.
    fn array(
        &mut self,
        what: impl fmt::Display,
        mut f: impl FnMut(&mut Self, usize) -> PResult<()>,
    ) -> PResult<usize> {
        self.expect(b'[', what)?;
        if self.eat(b']') {
            return Ok(0);
        }
        let mut i = 0;
        loop {
            f(self, i)?;
            i += 1;
            if self.eat(b',') {
                continue;
            }
            if self.eat(b']') {
                return Ok(i);
            }
            return Err(self.unexpected("',' or ']'"));
        }
    }

    /// `{ "name": f(name, at) , ... }`.
    fn object(
        &mut self,
        what: impl fmt::Display,
        mut f: impl FnMut(&mut Self, &str, usize) -> PResult<()>,
    ) -> PResult<()> {
        self.expect(b'{', what)?;
        if self.eat(b'}') {
            return Ok(());
        }
        let mut name = Vec::new();
        loop {
            if self.peek() != Some(b'"') {
                return Err(self.unexpected("a member name"));
            }
            let at = self.pos;
            name.clear();
            self.str_into(&mut name)?;
            self.expect(b':', "':'")?;
            // str_into checked UTF-8.
            let n = std::str::from_utf8(&name).unwrap_or_default();
            f(self, n, at)?;
            if self.eat(b',') {
                continue;
            }
            if self.eat(b'}') {
                return Ok(());
            }
            return Err(self.unexpected("',' or '}'"));
        }
    }

    /// The raw contents of the string that starts here (after its opening quote):
    /// start, end and whether it has escapes. Checks UTF-8 and control characters.
    fn raw_str(&mut self) -> PResult<(usize, usize, bool)> {
        if self.peek() != Some(b'"') {
            return Err(self.unexpected("a string"));
        }
        let open = self.pos;
        let start = open + 1;
        let mut i = start;
        let mut escapes = false;
        let end = loop {
            let rest = self.b.get(i..).unwrap_or_default();
            match memchr::memchr2(b'"', b'\\', rest) {
                Some(n) if rest.get(n) == Some(&b'"') => break i + n,
                Some(n) => {
                    escapes = true;
                    i += n + 2;
                }
                None => return Err(perr(open, "unterminated string")),
            }
        };
        let raw = self.b.get(start..end).unwrap_or_default();
        if let Some(n) = raw.iter().position(|&c| c < 0x20) {
            return Err(perr(
                start + n,
                "control character in a string (JSON needs it escaped)",
            ));
        }
        if let Err(e) = std::str::from_utf8(raw) {
            return Err(perr(
                start + e.valid_up_to(),
                "invalid UTF-8 in a string (bytes that are not UTF-8 are written as {\"base64\":...})",
            ));
        }
        self.pos = end + 1;
        Ok((start, end, escapes))
    }

    /// Appends the unescaped bytes of a JSON string.
    fn str_into(&mut self, out: &mut Vec<u8>) -> PResult<()> {
        let (s, e, escapes) = self.raw_str()?;
        let raw = self.b.get(s..e).unwrap_or_default();
        if !escapes {
            out.extend_from_slice(raw);
            return Ok(());
        }
        unescape(raw, s, out)
    }

    /// A byte string: a JSON string or `{"base64":"..."}`; appended to `out`.
    fn bytes_into(&mut self, out: &mut Vec<u8>) -> PResult<()> {
        match self.peek() {
            Some(b'"') => self.str_into(out),
            Some(b'{') => {
                let mut seen = false;
                let open = self.pos;
                self.object("", |c, name, at| {
                    if name != "base64" {
                        return Err(perr(
                            at,
                            format!(
                                "unknown member {} in a byte string (expected \"base64\")",
                                preview(name.as_bytes())
                            ),
                        ));
                    }
                    if seen {
                        return Err(perr(at, "member \"base64\" appears twice"));
                    }
                    seen = true;
                    c.base64_into(out)
                })?;
                if !seen {
                    return Err(perr(open, "byte string object without \"base64\""));
                }
                Ok(())
            }
            _ => Err(self.unexpected("a byte string (a JSON string or {\"base64\":...})")),
        }
    }

    fn base64_into(&mut self, out: &mut Vec<u8>) -> PResult<()> {
        let (s, e, escapes) = self.raw_str()?;
        let raw = self.b.get(s..e).unwrap_or_default();
        let mut unescaped = Vec::new();
        let text = if escapes {
            unescape(raw, s, &mut unescaped)?;
            &unescaped[..]
        } else {
            raw
        };
        base64::engine::general_purpose::STANDARD_PAD_INDIFFERENT
            .decode_vec(text, out)
            .map_err(|err| perr(s, format!("bad base64: {err}")))
    }

    /// The text of the JSON number here and whether it is an integer (no fraction or
    /// exponent). Checks JSON's number grammar.
    fn number(&mut self, what: impl fmt::Display) -> PResult<(usize, &'a str, bool)> {
        let start = {
            let p = self.peek();
            if !matches!(p, Some(b'-' | b'0'..=b'9')) {
                return Err(self.unexpected(what));
            }
            self.pos
        };
        let b = self.b;
        let at = |i: usize| b.get(i).copied().unwrap_or(0);
        let digits = |mut i: usize| {
            while at(i).is_ascii_digit() {
                i += 1;
            }
            i
        };
        let mut i = start;
        if at(i) == b'-' {
            i += 1;
        }
        let int_start = i;
        i = digits(i);
        let bad = |i: usize| {
            let tok = b.get(start..(i + 1).min(b.len())).unwrap_or_default();
            perr(
                start,
                format!("bad number {}", String::from_utf8_lossy(tok)),
            )
        };
        if i == int_start || (at(int_start) == b'0' && i > int_start + 1) {
            return Err(bad(i));
        }
        let mut integer = true;
        if at(i) == b'.' {
            integer = false;
            let f = digits(i + 1);
            if f == i + 1 {
                return Err(bad(i));
            }
            i = f;
        }
        if matches!(at(i), b'e' | b'E') {
            integer = false;
            let mut j = i + 1;
            if matches!(at(j), b'+' | b'-') {
                j += 1;
            }
            let e = digits(j);
            if e == j {
                return Err(bad(j));
            }
            i = e;
        }
        self.pos = i;
        // Only ASCII digits and signs.
        let tok = std::str::from_utf8(b.get(start..i).unwrap_or_default()).unwrap_or_default();
        Ok((start, tok, integer))
    }

    fn u64(&mut self, what: &str) -> PResult<u64> {
        self.int(what, false)
    }

    fn i64(&mut self, what: &str) -> PResult<i64> {
        self.int(what, false)
    }

    fn opt_u64(&mut self, what: &str) -> PResult<Option<u64>> {
        if self.null() {
            Ok(None)
        } else {
            self.int(what, true).map(Some)
        }
    }

    fn opt_i64(&mut self, what: &str) -> PResult<Option<i64>> {
        if self.null() {
            Ok(None)
        } else {
            self.int(what, true).map(Some)
        }
    }

    /// An integer of type `T` (`u64` or `i64`); `nullable` only changes the message.
    fn int<T: std::str::FromStr>(&mut self, what: &str, nullable: bool) -> PResult<T> {
        let or_null = if nullable { " or null" } else { "" };
        let (at, tok, integer) = self.number(format_args!("{what} (an integer{or_null})"))?;
        if !integer {
            return Err(perr(at, format!("{what} {tok} is not an integer")));
        }
        match tok.parse::<T>() {
            Ok(v) => Ok(v),
            // Only a minus sign can make a valid integer token fail in range.
            Err(_) if tok.starts_with('-') && "-1".parse::<T>().is_err() => {
                Err(perr(at, format!("{what} {tok} is negative")))
            }
            Err(_) => Err(perr(at, format!("{what} {tok} is out of range"))),
        }
    }

    /// A zset score: a JSON number (parsed exactly) or "inf", "+inf", "-inf", "nan".
    fn score(&mut self) -> PResult<f64> {
        match self.peek() {
            Some(b'"') => {
                let (s, e, _) = self.raw_str()?;
                let raw = self.b.get(s..e).unwrap_or_default();
                match raw {
                    b"inf" | b"+inf" => Ok(f64::INFINITY),
                    b"-inf" => Ok(f64::NEG_INFINITY),
                    b"nan" => Ok(f64::NAN),
                    _ => Err(perr(
                        s - 1,
                        format!(
                            "score {} is not a number (a JSON number, \"inf\", \"-inf\" or \"nan\")",
                            preview(raw)
                        ),
                    )),
                }
            }
            Some(b'-' | b'0'..=b'9') => {
                let (at, tok, _) = self.number("a score")?;
                let f: f64 = tok
                    .parse()
                    .map_err(|_| perr(at, format!("score {tok} is not a number")))?;
                if f.is_infinite() {
                    return Err(perr(
                        at,
                        format!("score {tok} is out of the range of a double (write \"inf\")"),
                    ));
                }
                Ok(f)
            }
            _ => Err(self.unexpected("a score (a number, \"inf\", \"-inf\" or \"nan\")")),
        }
    }

    /// A stream ID string, "ms-seq".
    fn id(&mut self, what: &str) -> PResult<StreamId> {
        if self.peek() != Some(b'"') {
            return Err(self.unexpected(format_args!("{what} (a stream ID \"ms-seq\")")));
        }
        let (s, e, _) = self.raw_str()?;
        let raw = self.b.get(s..e).unwrap_or_default();
        parse_id(raw).ok_or_else(|| {
            perr(
                s - 1,
                format!("{what} {} is not a stream ID \"ms-seq\"", preview(raw)),
            )
        })
    }

    /// Skips any JSON value (checking its syntax).
    fn skip(&mut self, depth: u32) -> PResult<()> {
        if depth > MAX_SKIP_DEPTH {
            return Err(perr(self.pos, "nested too deeply"));
        }
        match self.peek() {
            Some(b'"') => self.raw_str().map(|_| ()),
            Some(b'{') => self.object("", |c, _, _| c.skip(depth + 1)),
            Some(b'[') => self.array("", |c, _| c.skip(depth + 1)).map(|_| ()),
            Some(b'-' | b'0'..=b'9') => self.number("").map(|_| ()),
            _ if self.lit(b"null") || self.lit(b"true") || self.lit(b"false") => Ok(()),
            _ => Err(self.unexpected("a JSON value")),
        }
    }
}

fn parse_id(raw: &[u8]) -> Option<StreamId> {
    let dash = memchr::memchr(b'-', raw)?;
    let (ms, seq) = (raw.get(..dash)?, raw.get(dash + 1..)?);
    let num = |d: &[u8]| -> Option<u64> {
        if d.is_empty() || !d.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(d).ok()?.parse().ok()
    };
    Some(StreamId {
        ms: num(ms)?,
        seq: num(seq)?,
    })
}

/// Unescapes the raw contents of a JSON string (which start at byte `base` of the line).
fn unescape(raw: &[u8], base: usize, out: &mut Vec<u8>) -> PResult<()> {
    let mut i = 0;
    while i < raw.len() {
        let rest = raw.get(i..).unwrap_or_default();
        let Some(n) = memchr::memchr(b'\\', rest) else {
            out.extend_from_slice(rest);
            break;
        };
        out.extend_from_slice(rest.get(..n).unwrap_or_default());
        i += n;
        let at = base + i;
        let c = raw.get(i + 1).copied().unwrap_or(0);
        i += 2;
        let b = match c {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 8,
            b'f' => 12,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let hi = hex4(raw, i).ok_or_else(|| perr(at, "bad \\u escape"))?;
                i += 4;
                let cp = if (0xd800..0xdc00).contains(&hi) {
                    let lo = if raw.get(i..i + 2) == Some(b"\\u") {
                        hex4(raw, i + 2)
                    } else {
                        None
                    };
                    match lo {
                        Some(lo) if (0xdc00..0xe000).contains(&lo) => {
                            i += 6;
                            0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00)
                        }
                        _ => return Err(lone_surrogate(at, hi)),
                    }
                } else if (0xdc00..0xe000).contains(&hi) {
                    return Err(lone_surrogate(at, hi));
                } else {
                    hi
                };
                let ch = char::from_u32(cp).ok_or_else(|| perr(at, "bad \\u escape"))?;
                let mut tmp = [0u8; 4];
                out.extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
                continue;
            }
            _ => return Err(perr(at, "bad escape in a string")),
        };
        out.push(b);
    }
    Ok(())
}

fn lone_surrogate(at: usize, u: u32) -> PErr {
    perr(
        at,
        format!(
            "\\u{u:04x} is a lone surrogate, not a character (bytes that are not UTF-8 are written as {{\"base64\":...}})"
        ),
    )
}

fn hex4(raw: &[u8], i: usize) -> Option<u32> {
    let h = raw.get(i..i + 4)?;
    let s = std::str::from_utf8(h).ok()?;
    if !h.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    u32::from_str_radix(s, 16).ok()
}

const TOP_MEMBERS: &str = "db, key, type, expire_ms, encoding, idle_s, freq or value";

/// One line: a JSON object describing one key.
fn parse_record(c: &mut Cur<'_>, rec: &mut Record, s: &mut Scratch) -> PResult<()> {
    let mut seen = Seen::default();
    let mut ty: Option<DataType> = None;
    let mut expire_ms = None;
    let mut idle_s = None;
    let mut freq = None;
    let mut value_at: Option<usize> = None;
    let mut value_done = false;
    let open = {
        c.peek();
        c.pos
    };
    c.object(
        "a JSON object (one key per line)",
        |c, name, at| match name {
            "db" => {
                seen.mark(0, name, at)?;
                s.db = Some(c.u64("db")?);
                Ok(())
            }
            "key" => {
                seen.mark(1, name, at)?;
                s.key.clear();
                c.bytes_into(&mut s.key).map_err(|e| e.ctx("key"))?;
                s.key_known = true;
                Ok(())
            }
            "type" => {
                seen.mark(2, name, at)?;
                let t = parse_type(c)?;
                ty = Some(t);
                rec.reset(0, b"", t);
                Ok(())
            }
            "expire_ms" => {
                seen.mark(3, name, at)?;
                expire_ms = c.opt_i64("expire_ms")?;
                Ok(())
            }
            "encoding" => {
                seen.mark(4, name, at)?;
                c.skip(0)
            }
            "idle_s" => {
                seen.mark(5, name, at)?;
                idle_s = c.opt_u64("idle_s")?;
                Ok(())
            }
            "freq" => {
                seen.mark(6, name, at)?;
                let f = c.opt_u64("freq")?;
                freq = match f {
                    None => None,
                    Some(f) => Some(u8::try_from(f).map_err(|_| {
                        perr(
                            at,
                            format!("freq {f} is out of range (an LFU counter is 0 to 255)"),
                        )
                    })?),
                };
                Ok(())
            }
            "value" => {
                seen.mark(7, name, at)?;
                match ty {
                    Some(_) => {
                        parse_value(c, &mut rec.value, s)?;
                        value_done = true;
                    }
                    None => {
                        c.peek();
                        value_at = Some(c.pos);
                        c.skip(0)?;
                    }
                }
                Ok(())
            }
            _ => Err(unknown_member(name, at, TOP_MEMBERS)),
        },
    )?;
    if c.peek().is_some() {
        return Err(perr(c.pos, "unexpected text after the object"));
    }
    for (bit, name) in [(1, "key"), (2, "type"), (7, "value")] {
        if !seen.has(bit) {
            return Err(missing(name, open));
        }
    }
    if !value_done {
        let mut v = *c;
        v.pos = value_at.unwrap_or(0);
        parse_value(&mut v, &mut rec.value, s)?;
    }
    rec.db = s.db.unwrap_or(0);
    std::mem::swap(&mut rec.key, &mut s.key);
    // `s.key` is the context of errors; keep a copy-free record of what was read.
    s.key_known = false;
    rec.expire_ms = expire_ms;
    rec.idle_s = idle_s;
    rec.freq = freq;
    Ok(())
}

fn parse_type(c: &mut Cur<'_>) -> PResult<DataType> {
    if c.peek() != Some(b'"') {
        return Err(c.unexpected("a type name"));
    }
    let (s, e, _) = c.raw_str()?;
    let raw = c.b.get(s..e).unwrap_or_default();
    DataType::ALL
        .into_iter()
        .find(|t| t.name().as_bytes() == raw)
        .ok_or_else(|| {
            perr(
                s - 1,
                format!(
                    "unknown type {} (expected string, list, set, zset, hash, stream or module)",
                    preview(raw)
                ),
            )
        })
}

/// The `value` member, whose shape `t` gives; `v` is empty and of type `t`.
/// Shape errors at the value itself name the type in what they expected; errors inside
/// say which element.
fn parse_value(c: &mut Cur<'_>, v: &mut Value, s: &mut Scratch) -> PResult<()> {
    match v {
        Value::String(out) => c.bytes_into(out).map_err(|e| e.ctx("value (type string)")),
        Value::List(l) => strings(c, l, &mut s.a, "list element", "type list"),
        Value::Set(l) => strings(c, l, &mut s.a, "set member", "type set"),
        Value::Zset(z) => zset(c, z, &mut s.a),
        Value::Hash(h) => hash(c, h, &mut s.a, &mut s.b),
        Value::Stream(st) => stream(c, st, &mut s.a),
        Value::Module(m) => module(c, m),
    }
}

fn strings(
    c: &mut Cur<'_>,
    out: &mut Strings,
    tmp: &mut Vec<u8>,
    elem: &str,
    ty: &str,
) -> PResult<()> {
    c.array(format_args!("an array of byte strings ({ty})"), |c, i| {
        tmp.clear();
        c.bytes_into(tmp)
            .map_err(|e| e.ctx(format_args!("{elem} {i}")))?;
        out.push(tmp);
        Ok(())
    })
    .map(|_| ())
}

fn zset(c: &mut Cur<'_>, z: &mut ZsetValue, tmp: &mut Vec<u8>) -> PResult<()> {
    c.array("an array of [member, score] (type zset)", |c, i| {
        (|| {
            c.expect(b'[', "[member, score]")?;
            tmp.clear();
            c.bytes_into(tmp)?;
            c.expect(b',', "',' and a score")?;
            let score = c.score()?;
            c.expect(b']', "']' (a zset member is [member, score])")?;
            z.push(tmp, score);
            Ok(())
        })()
        .map_err(|e: PErr| e.ctx(format_args!("zset member {i}")))
    })
    .map(|_| ())
}

fn hash(c: &mut Cur<'_>, h: &mut HashValue, f: &mut Vec<u8>, v: &mut Vec<u8>) -> PResult<()> {
    c.array(
        "an array of [field, value] or [field, value, expire_ms] (type hash)",
        |c, i| {
            (|| {
                c.expect(b'[', "[field, value] or [field, value, expire_ms]")?;
                f.clear();
                v.clear();
                c.bytes_into(f)?;
                c.expect(b',', "',' and a value")?;
                c.bytes_into(v)?;
                let ttl = if c.eat(b',') {
                    c.opt_i64("field expire_ms")?
                } else {
                    None
                };
                c.expect(
                    b']',
                    "']' (a hash field is [field, value] or [field, value, expire_ms])",
                )?;
                h.push(f, v, ttl);
                Ok(())
            })()
            .map_err(|e: PErr| e.ctx(format_args!("hash field {i}")))
        },
    )
    .map(|_| ())
}

fn module(c: &mut Cur<'_>, m: &mut ModuleValue) -> PResult<()> {
    let mut seen = Seen::default();
    let open = {
        c.peek();
        c.pos
    };
    let mut name_at = open;
    c.object(
        "an object {\"module\":..,\"module_id\":..,\"raw\":..} (type module)",
        |c, name, at| match name {
            "module" => {
                seen.mark(0, name, at)?;
                name_at = at;
                let mut n = Vec::new();
                c.str_into(&mut n).map_err(|e| e.ctx("module"))?;
                m.name = String::from_utf8(n).unwrap_or_default();
                Ok(())
            }
            "module_id" => {
                seen.mark(1, name, at)?;
                m.module_id = c.u64("module_id")?;
                Ok(())
            }
            "raw" => {
                seen.mark(2, name, at)?;
                m.raw.clear();
                c.bytes_into(&mut m.raw).map_err(|e| e.ctx("raw"))
            }
            _ => Err(unknown_member(name, at, "module, module_id or raw")),
        },
    )?;
    for (bit, name) in [(0, "module"), (1, "module_id"), (2, "raw")] {
        if !seen.has(bit) {
            return Err(missing(name, open).ctx("module value"));
        }
    }
    let expect = module_name(m.module_id);
    if m.name != expect {
        return Err(perr(
            name_at,
            format!(
                "module name {} does not match module_id {}, which names {}",
                preview(m.name.as_bytes()),
                m.module_id,
                preview(expect.as_bytes())
            ),
        ));
    }
    Ok(())
}

const STREAM_MEMBERS: &str =
    "entries, length, last_id, first_id, max_deleted_id, entries_added, idmp or groups";

fn stream(c: &mut Cur<'_>, st: &mut StreamValue, tmp: &mut Vec<u8>) -> PResult<()> {
    let mut seen = Seen::default();
    let open = {
        c.peek();
        c.pos
    };
    let mut length: Option<u64> = None;
    let mut last_id: Option<StreamId> = None;
    let mut first_id = None;
    let mut max_deleted_id = None;
    let mut entries_added = None;
    let mut group_names: HashSet<Vec<u8>> = HashSet::new();
    c.object(
        "a stream object {\"entries\":[..],..} (type stream)",
        |c, name, at| {
            match name {
                "entries" => {
                    seen.mark(0, name, at)?;
                    c.array("an array of stream entries", |c, i| {
                        stream_entry(c, st, tmp)
                            .map_err(|e| e.ctx(format_args!("stream entry {i}")))
                    })?;
                }
                "length" => {
                    seen.mark(1, name, at)?;
                    length = Some(c.u64("length")?);
                }
                "last_id" => {
                    seen.mark(2, name, at)?;
                    last_id = Some(c.id("last_id")?);
                }
                "first_id" => {
                    seen.mark(3, name, at)?;
                    first_id = Some(c.id("first_id")?);
                }
                "max_deleted_id" => {
                    seen.mark(4, name, at)?;
                    max_deleted_id = Some(c.id("max_deleted_id")?);
                }
                "entries_added" => {
                    seen.mark(5, name, at)?;
                    entries_added = Some(c.u64("entries_added")?);
                }
                "groups" => {
                    seen.mark(6, name, at)?;
                    c.array("an array of consumer groups", |c, i| {
                        let g_at = {
                            c.peek();
                            c.pos
                        };
                        let g = group(c).map_err(|e| e.ctx(format_args!("group {i}")))?;
                        if !group_names.insert(g.name.clone()) {
                            let msg =
                                format!("group {i}: duplicate group name {}", preview(&g.name));
                            return Err(perr(g_at, msg));
                        }
                        st.groups.push(g);
                        Ok(())
                    })?;
                }
                "idmp" => {
                    seen.mark(7, name, at)?;
                    st.meta.idmp = if c.null() {
                        None
                    } else {
                        Some(idmp(c).map_err(|e| e.ctx("idmp"))?)
                    };
                }
                _ => return Err(unknown_member(name, at, STREAM_MEMBERS)),
            }
            Ok(())
        },
    )?;
    if !seen.has(0) {
        return Err(missing("entries", open).ctx("stream"));
    }
    let n = st.ids.len() as u64;
    // Kept as given even when they disagree with the entries, as the RDB reader keeps
    // them: real files have such streams (a Redis 5 file among the fixtures stores
    // length 120 for 118 live entries), and a round trip keeps them as they were.
    st.meta.length = length.unwrap_or(n);
    st.meta.last_id = last_id.unwrap_or_else(|| st.ids.last().copied().unwrap_or_default());
    match (first_id, max_deleted_id, entries_added) {
        (Some(f), Some(m), Some(a)) => {
            st.meta.first_id = f;
            st.meta.max_deleted_id = m;
            st.meta.entries_added = a;
            st.meta.stored_meta = true;
        }
        (None, None, None) => {
            // As Redis derives them when loading an RDB 9 stream.
            st.meta.first_id = st.ids.first().copied().unwrap_or_default();
            st.meta.max_deleted_id = StreamId::default();
            st.meta.entries_added = st.meta.length;
            st.meta.stored_meta = false;
        }
        _ => {
            return Err(perr(
                open,
                "stream: first_id, max_deleted_id and entries_added go together (all or none)",
            ));
        }
    }
    Ok(())
}

/// `{"id":"ms-seq","fields":[[f,v],...]}`, appended to `st`.
fn stream_entry(c: &mut Cur<'_>, st: &mut StreamValue, tmp: &mut Vec<u8>) -> PResult<()> {
    let mut seen = Seen::default();
    let open = {
        c.peek();
        c.pos
    };
    let mut id = None;
    let mut id_at = open;
    let mut n = 0u32;
    c.object(
        "a stream entry {\"id\":..,\"fields\":[..]}",
        |c, name, at| match name {
            "id" => {
                seen.mark(0, name, at)?;
                id_at = at;
                id = Some(c.id("id")?);
                Ok(())
            }
            "fields" => {
                seen.mark(1, name, at)?;
                c.array("an array of [field, value]", |c, i| {
                    (|| {
                        c.expect(b'[', "[field, value]")?;
                        tmp.clear();
                        c.bytes_into(tmp)?;
                        st.fv.push(tmp);
                        c.expect(b',', "',' and a value")?;
                        tmp.clear();
                        c.bytes_into(tmp)?;
                        st.fv.push(tmp);
                        c.expect(b']', "']' (a stream field is [field, value])")?;
                        n = n
                            .checked_add(1)
                            .ok_or_else(|| perr(at, "too many fields"))?;
                        Ok(())
                    })()
                    .map_err(|e: PErr| e.ctx(format_args!("field {i}")))
                })
                .map(|_| ())
            }
            _ => Err(unknown_member(name, at, "id or fields")),
        },
    )?;
    let Some(id) = id else {
        return Err(missing("id", open));
    };
    if !seen.has(1) {
        return Err(missing("fields", open));
    }
    if let Some(prev) = st.ids.last().copied().filter(|p| *p >= id) {
        return Err(perr(
            id_at,
            format!("ID {id} is not greater than the previous entry's {prev}"),
        ));
    }
    st.ids.push(id);
    st.nfields.push(n);
    Ok(())
}

const GROUP_MEMBERS: &str = "name, last_id, entries_read, pel or consumers";

/// A consumer group; PEL owners are resolved against its consumers at the end.
fn group(c: &mut Cur<'_>) -> PResult<StreamGroup> {
    let mut seen = Seen::default();
    let open = {
        c.peek();
        c.pos
    };
    let mut g = StreamGroup {
        name: Vec::new(),
        last_id: StreamId::default(),
        entries_read: None,
        pel: Vec::new(),
        consumers: Vec::new(),
    };
    // Per PEL entry: the owner's name (interned) and where the entry starts.
    let mut owners: Vec<(Option<u32>, usize)> = Vec::new();
    let mut names: Vec<Vec<u8>> = Vec::new();
    let mut name_ix: HashMap<Vec<u8>, u32> = HashMap::new();
    // Per consumer: whether it gave its `pel`, and where it starts.
    let mut cons: Vec<(bool, usize)> = Vec::new();
    let mut tmp = Vec::new();
    c.object("a consumer group object", |c, name, at| {
        match name {
            "name" => {
                seen.mark(0, name, at)?;
                c.bytes_into(&mut g.name).map_err(|e| e.ctx("name"))?;
            }
            "last_id" => {
                seen.mark(1, name, at)?;
                g.last_id = c.id("last_id")?;
            }
            "entries_read" => {
                seen.mark(2, name, at)?;
                g.entries_read = c.opt_u64("entries_read")?;
            }
            "pel" => {
                seen.mark(3, name, at)?;
                c.array("an array of PEL entries", |c, i| {
                    let entry_at = {
                        c.peek();
                        c.pos
                    };
                    let (p, owner) =
                        pel_entry(c, &mut tmp).map_err(|e| e.ctx(format_args!("pel entry {i}")))?;
                    let owner = match owner {
                        None => None,
                        Some(n) => Some(match name_ix.get(&n) {
                            Some(&k) => k,
                            None => {
                                let k = u32::try_from(names.len())
                                    .map_err(|_| perr(entry_at, "too many consumers"))?;
                                name_ix.insert(n.clone(), k);
                                names.push(n);
                                k
                            }
                        }),
                    };
                    g.pel.push(p);
                    owners.push((owner, entry_at));
                    Ok(())
                })?;
            }
            "consumers" => {
                seen.mark(4, name, at)?;
                c.array("an array of consumers", |c, i| {
                    let c_at = {
                        c.peek();
                        c.pos
                    };
                    let (k, given) =
                        consumer(c).map_err(|e| e.ctx(format_args!("consumer {i}")))?;
                    g.consumers.push(k);
                    cons.push((given, c_at));
                    Ok(())
                })?;
            }
            _ => return Err(unknown_member(name, at, GROUP_MEMBERS)),
        }
        Ok(())
    })?;
    for (bit, name) in [(0, "name"), (1, "last_id")] {
        if !seen.has(bit) {
            return Err(missing(name, open));
        }
    }
    resolve_group(&mut g, &owners, &names, &cons)?;
    Ok(g)
}

/// Ties PEL entries to consumers and checks the consumers' own PEL lists.
fn resolve_group(
    g: &mut StreamGroup,
    owners: &[(Option<u32>, usize)],
    names: &[Vec<u8>],
    cons: &[(bool, usize)],
) -> PResult<()> {
    let mut by_name: HashMap<&[u8], usize> = HashMap::new();
    for (i, (k, (_, at))) in g.consumers.iter().zip(cons).enumerate() {
        if by_name.insert(&k.name, i).is_some() {
            return Err(perr(
                *at,
                format!("consumer {i}: duplicate consumer name {}", preview(&k.name)),
            ));
        }
    }
    // Interned owner name -> consumer index.
    let mut resolved: Vec<Option<usize>> = Vec::with_capacity(names.len());
    for n in names {
        resolved.push(by_name.get(&n[..]).copied());
    }
    let mut index: HashMap<StreamId, usize> = HashMap::with_capacity(g.pel.len());
    let mut owned = vec![0usize; g.consumers.len()];
    for (i, (p, (owner, at))) in g.pel.iter_mut().zip(owners).enumerate() {
        if index.insert(p.id, i).is_some() {
            return Err(perr(
                *at,
                format!("pel entry {i}: duplicate PEL entry {}", p.id),
            ));
        }
        let Some(o) = owner else { continue };
        let o = *o as usize;
        let Some(ci) = resolved.get(o).copied().flatten() else {
            let name = names.get(o).map(|n| preview(n)).unwrap_or_default();
            return Err(perr(
                *at,
                format!(
                    "pel entry {i} ({}): consumer {name} is not among the group's consumers",
                    p.id
                ),
            ));
        };
        if p.nacked {
            return Err(perr(
                *at,
                format!(
                    "pel entry {i} ({}): a nacked entry has no consumer (\"consumer\":null)",
                    p.id
                ),
            ));
        }
        p.consumer = Some(ci);
        if let Some(n) = owned.get_mut(ci) {
            *n += 1;
        }
    }
    let mut listed = vec![false; g.pel.len()];
    for (ci, (k, (given, at))) in g.consumers.iter_mut().zip(cons).enumerate() {
        if !given {
            k.pel.extend(
                g.pel
                    .iter()
                    .filter(|p| p.consumer == Some(ci))
                    .map(|p| p.id),
            );
            continue;
        }
        let who = || format!("consumer {}", preview(&k.name));
        for id in &k.pel {
            let Some(&j) = index.get(id) else {
                return Err(perr(
                    *at,
                    format!("{}: pending ID {id} is not in the group's pel", who()),
                ));
            };
            if g.pel.get(j).and_then(|p| p.consumer) != Some(ci) {
                return Err(perr(
                    *at,
                    format!(
                        "{}: pending ID {id} does not name this consumer in the group's pel",
                        who()
                    ),
                ));
            }
            match listed.get_mut(j) {
                Some(l) if *l => {
                    return Err(perr(
                        *at,
                        format!("{}: pending ID {id} listed twice", who()),
                    ));
                }
                Some(l) => *l = true,
                None => {}
            }
        }
        let want = owned.get(ci).copied().unwrap_or(0);
        if k.pel.len() != want {
            return Err(perr(
                *at,
                format!(
                    "{}: pel lists {} IDs, but {want} entries of the group's pel name it",
                    who(),
                    k.pel.len()
                ),
            ));
        }
    }
    Ok(())
}

/// `{"id":..,"consumer":..|null,"delivery_time_ms":N,"delivery_count":N[,"nacked":true]}`;
/// returns the entry and its owner's name.
fn pel_entry(c: &mut Cur<'_>, tmp: &mut Vec<u8>) -> PResult<(PelEntry, Option<Vec<u8>>)> {
    let mut seen = Seen::default();
    let open = {
        c.peek();
        c.pos
    };
    let mut p = PelEntry {
        id: StreamId::default(),
        delivery_time_ms: 0,
        delivery_count: 0,
        consumer: None,
        nacked: false,
    };
    let mut owner = None;
    c.object("a PEL entry object", |c, name, at| {
        match name {
            "id" => {
                seen.mark(0, name, at)?;
                p.id = c.id("id")?;
            }
            "consumer" => {
                seen.mark(1, name, at)?;
                if !c.null() {
                    tmp.clear();
                    c.bytes_into(tmp).map_err(|e| e.ctx("consumer"))?;
                    owner = Some(tmp.clone());
                }
            }
            "delivery_time_ms" => {
                seen.mark(2, name, at)?;
                p.delivery_time_ms = c.i64("delivery_time_ms")?;
            }
            "delivery_count" => {
                seen.mark(3, name, at)?;
                p.delivery_count = c.u64("delivery_count")?;
            }
            "nacked" => {
                seen.mark(4, name, at)?;
                p.nacked = c.bool("nacked")?;
            }
            _ => {
                return Err(unknown_member(
                    name,
                    at,
                    "id, consumer, delivery_time_ms, delivery_count or nacked",
                ));
            }
        }
        Ok(())
    })?;
    for (bit, name) in [(0, "id"), (2, "delivery_time_ms"), (3, "delivery_count")] {
        if !seen.has(bit) {
            return Err(missing(name, open));
        }
    }
    Ok((p, owner))
}

/// A consumer and whether it gave its `pel`.
fn consumer(c: &mut Cur<'_>) -> PResult<(StreamConsumer, bool)> {
    let mut seen = Seen::default();
    let open = {
        c.peek();
        c.pos
    };
    let mut k = StreamConsumer {
        name: Vec::new(),
        seen_time_ms: 0,
        active_time_ms: None,
        pel: Vec::new(),
    };
    c.object("a consumer object", |c, name, at| {
        match name {
            "name" => {
                seen.mark(0, name, at)?;
                c.bytes_into(&mut k.name).map_err(|e| e.ctx("name"))?;
            }
            "seen_time_ms" => {
                seen.mark(1, name, at)?;
                k.seen_time_ms = c.i64("seen_time_ms")?;
            }
            "active_time_ms" => {
                seen.mark(2, name, at)?;
                k.active_time_ms = c.opt_i64("active_time_ms")?;
            }
            "pel" => {
                seen.mark(3, name, at)?;
                c.array("an array of stream IDs", |c, i| {
                    let id = c.id("ID").map_err(|e| e.ctx(format_args!("pel {i}")))?;
                    k.pel.push(id);
                    Ok(())
                })?;
            }
            _ => {
                return Err(unknown_member(
                    name,
                    at,
                    "name, seen_time_ms, active_time_ms or pel",
                ));
            }
        }
        Ok(())
    })?;
    for (bit, name) in [(0, "name"), (1, "seen_time_ms")] {
        if !seen.has(bit) {
            return Err(missing(name, open));
        }
    }
    Ok((k, seen.has(3)))
}

/// `{"duration_s":N,"max_entries":N,"producers":[..],"iids_added":N,"iids_duplicates":N}`.
fn idmp(c: &mut Cur<'_>) -> PResult<StreamIdmp> {
    let mut seen = Seen::default();
    let open = {
        c.peek();
        c.pos
    };
    let mut m = StreamIdmp::default();
    c.object("an IDMP object", |c, name, at| {
        match name {
            "duration_s" => {
                seen.mark(0, name, at)?;
                m.duration_s = c.u64("duration_s")?;
            }
            "max_entries" => {
                seen.mark(1, name, at)?;
                m.max_entries = c.u64("max_entries")?;
            }
            "producers" => {
                seen.mark(2, name, at)?;
                c.array("an array of producers", |c, i| {
                    let p = producer(c).map_err(|e| e.ctx(format_args!("producer {i}")))?;
                    m.producers.push(p);
                    Ok(())
                })?;
            }
            "iids_added" => {
                seen.mark(3, name, at)?;
                m.iids_added = c.u64("iids_added")?;
            }
            "iids_duplicates" => {
                seen.mark(4, name, at)?;
                m.iids_duplicates = c.u64("iids_duplicates")?;
            }
            _ => {
                return Err(unknown_member(
                    name,
                    at,
                    "duration_s, max_entries, producers, iids_added or iids_duplicates",
                ));
            }
        }
        Ok(())
    })?;
    for (bit, name) in [
        (0, "duration_s"),
        (1, "max_entries"),
        (2, "producers"),
        (3, "iids_added"),
        (4, "iids_duplicates"),
    ] {
        if !seen.has(bit) {
            return Err(missing(name, open));
        }
    }
    Ok(m)
}

/// `{"id":<bytes>,"entries":[[<iid>,"ms-seq"],...]}`.
fn producer(c: &mut Cur<'_>) -> PResult<IdmpProducer> {
    let mut seen = Seen::default();
    let open = {
        c.peek();
        c.pos
    };
    let mut pid = Vec::new();
    let mut entries = Vec::new();
    c.object(
        "a producer object {\"id\":..,\"entries\":[..]}",
        |c, name, at| {
            match name {
                "id" => {
                    seen.mark(0, name, at)?;
                    c.bytes_into(&mut pid).map_err(|e| e.ctx("id"))?;
                }
                "entries" => {
                    seen.mark(1, name, at)?;
                    c.array("an array of [iid, \"ms-seq\"]", |c, i| {
                        (|| {
                            c.expect(b'[', "[iid, \"ms-seq\"]")?;
                            let mut iid = Vec::new();
                            c.bytes_into(&mut iid)?;
                            c.expect(b',', "',' and a stream ID")?;
                            let id = c.id("stream ID")?;
                            c.expect(b']', "']' (an IDMP entry is [iid, \"ms-seq\"])")?;
                            entries.push((iid, id));
                            Ok(())
                        })()
                        .map_err(|e: PErr| e.ctx(format_args!("entry {i}")))
                    })?;
                }
                _ => return Err(unknown_member(name, at, "id or entries")),
            }
            Ok(())
        },
    )?;
    for (bit, name) in [(0, "id"), (1, "entries")] {
        if !seen.has(bit) {
            return Err(missing(name, open));
        }
    }
    Ok((pid, entries))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(input: &[u8]) -> Result<Vec<Record>> {
        let mut r = JsonlReader::new(input, "test");
        let mut out = Vec::new();
        let mut rec = Record::default();
        while r.next_into(&mut rec)? {
            out.push(rec.clone());
        }
        Ok(out)
    }

    fn one(line: &str) -> Record {
        let mut v = read_all(line.as_bytes()).unwrap_or_else(|e| panic!("{line}: {e}"));
        assert_eq!(v.len(), 1);
        v.remove(0)
    }

    /// The error for `input`, checked to be a JSON Lines error on `line`.
    fn err(input: &str, line: u64) -> String {
        let e = read_all(input.as_bytes()).expect_err(input);
        match &e.kind {
            ErrorKind::Jsonl { line: l, .. } => assert_eq!(*l, line, "{e}"),
            k => panic!("not a Jsonl error: {k:?}"),
        }
        assert_eq!(e.ctx.doing, Doing::Jsonl);
        let s = e.to_string();
        assert!(s.contains(&format!("line {line}: ")), "{s}");
        s
    }

    fn strings(s: &Strings) -> Vec<&[u8]> {
        s.iter().collect()
    }

    fn id(ms: u64, seq: u64) -> StreamId {
        StreamId { ms, seq }
    }

    #[test]
    fn string_with_everything_around_it() {
        let r = one(
            r#"{"db":3,"key":"user:1","type":"string","expire_ms":1767225600000,"encoding":"raw","idle_s":12,"freq":5,"value":"ann"}"#,
        );
        assert_eq!(r.db, 3);
        assert_eq!(r.key, b"user:1");
        assert_eq!(r.expire_ms, Some(1_767_225_600_000));
        assert_eq!(r.idle_s, Some(12));
        assert_eq!(r.freq, Some(5));
        assert_eq!(r.key_meta, None);
        assert_eq!(r.value, Value::String(b"ann".to_vec()));
    }

    #[test]
    fn integer_encoded_string_stays_its_decimal_text() {
        let r = one(
            r#"{"db":0,"key":"n","type":"string","expire_ms":null,"encoding":"int","value":"-12345"}"#,
        );
        assert_eq!(r.value, Value::String(b"-12345".to_vec()));
        assert_eq!(r.expire_ms, None);
    }

    #[test]
    fn optional_members_default_and_null_means_absent() {
        let r = one(r#"{"key":"k","type":"string","value":"","idle_s":null,"freq":null}"#);
        assert_eq!((r.db, r.expire_ms, r.idle_s, r.freq), (0, None, None, None));
        assert_eq!(r.value, Value::String(Vec::new()));
    }

    #[test]
    fn members_in_any_order_value_before_type() {
        let r = one(r#"{"value":[["a",1],["b",2]],"key":"z","db":1,"type":"zset"}"#);
        assert_eq!(r.db, 1);
        assert_eq!(r.key, b"z");
        let Value::Zset(z) = &r.value else { panic!() };
        assert_eq!(strings(&z.members), vec![&b"a"[..], b"b"]);
        assert_eq!(z.scores, vec![1.0, 2.0]);
    }

    #[test]
    fn list_and_set() {
        let r = one(
            r#"{"db":0,"key":"l","type":"list","expire_ms":null,"encoding":"quicklist2","value":["a","","7",{"base64":"/wA="}]}"#,
        );
        let Value::List(l) = &r.value else { panic!() };
        assert_eq!(strings(l), vec![&b"a"[..], b"", b"7", b"\xff\x00"]);
        let r = one(r#"{"db":0,"key":"s","type":"set","value":[]}"#);
        assert_eq!(r.value, Value::Set(Strings::new()));
        let r = one(r#"{"db":0,"key":"s","type":"set","value":[ "x" , "y" ]}"#);
        let Value::Set(s) = &r.value else { panic!() };
        assert_eq!(strings(s), vec![&b"x"[..], b"y"]);
    }

    #[test]
    fn zset_scores_read_back_bit_for_bit() {
        let scores = [
            0.1,
            -0.0,
            0.0,
            1e300,
            -1.7976931348623157e308,
            5e-324,
            2.2250738585072014e-308,
            123456789012345680000.0,
            1.0 / 3.0,
            3.0,
        ];
        let mut line = String::from(r#"{"db":0,"key":"z","type":"zset","value":["#);
        for (i, s) in scores.iter().enumerate() {
            let mut b = Vec::new();
            crate::cli::json::write_f64(&mut b, *s);
            line.push_str(&format!("[\"m{i}\",{}],", String::from_utf8(b).unwrap()));
        }
        line.push_str(r#"["i","inf"],["j","-inf"],["k","nan"],["l","+inf"],["m",7],["n",-2]]}"#);
        let r = one(&line);
        let Value::Zset(z) = &r.value else { panic!() };
        for (i, s) in scores.iter().enumerate() {
            assert_eq!(z.scores[i].to_bits(), s.to_bits(), "score {i}: {s}");
        }
        let n = scores.len();
        assert_eq!(z.scores[n], f64::INFINITY);
        assert_eq!(z.scores[n + 1], f64::NEG_INFINITY);
        assert!(z.scores[n + 2].is_nan());
        assert_eq!(z.scores[n + 3], f64::INFINITY);
        assert_eq!(z.scores[n + 4], 7.0);
        assert_eq!(z.scores[n + 5], -2.0);
        assert_eq!(z.members.get(n + 5), b"n");
    }

    #[test]
    fn hash_with_field_expiries() {
        let r = one(
            r#"{"db":0,"key":"h","type":"hash","expire_ms":null,"encoding":"listpack_ex","value":[["a","1"],["b","2",1767225600000],["c","3",null],[{"base64":"gA=="},{"base64":"gQ=="}]]}"#,
        );
        let Value::Hash(h) = &r.value else { panic!() };
        assert_eq!(strings(&h.fields), vec![&b"a"[..], b"b", b"c", b"\x80"]);
        assert_eq!(strings(&h.values), vec![&b"1"[..], b"2", b"3", b"\x81"]);
        assert_eq!(h.ttls, vec![None, Some(1_767_225_600_000), None, None]);
    }

    #[test]
    fn base64_keys_and_values() {
        let r = one(
            r#"{"db":0,"key":{"base64":"YmluAP9rZXk="},"type":"string","value":{"base64":"/w"}}"#,
        );
        assert_eq!(r.key, b"bin\x00\xffkey");
        // Padding is optional.
        assert_eq!(r.value, Value::String(vec![0xff]));
        let r = one(
            r#"{"db":0,"key":{ "base64" : "" },"type":"string","value":{"base64":"a\u0067=="}}"#,
        );
        assert_eq!(r.key, b"");
        assert_eq!(r.value, Value::String(b"j".to_vec()));
    }

    #[test]
    fn json_escapes_decode_to_utf8() {
        let r = one(
            r#"{"db":0,"key":"a\"b\\c\/d\n\r\t\b\f\u0000\u00e9\ud83d\ude00","type":"string","value":"é😀"}"#,
        );
        assert_eq!(r.key, "a\"b\\c/d\n\r\t\u{8}\u{c}\u{0}é😀".as_bytes());
        assert_eq!(r.value, Value::String("é😀".as_bytes().to_vec()));
    }

    fn stream_line() -> String {
        concat!(
            r#"{"db":0,"key":"st","type":"stream","expire_ms":null,"encoding":"stream","value":{"entries":["#,
            r#"{"id":"5-1","fields":[["f","v"]]},{"id":"5-2","fields":[["f","w"],[{"base64":"/w=="},""]]},{"id":"6-0","fields":[]}],"#,
            r#""length":3,"last_id":"7-0","first_id":"5-1","max_deleted_id":"4-9","entries_added":5,"#,
            r#""idmp":{"duration_s":100,"max_entries":1000,"producers":[{"id":"p1","entries":[["i1","5-1"],[{"base64":"AA=="},"5-2"]]},{"id":"p2","entries":[]}],"iids_added":2,"iids_duplicates":1},"#,
            r#""groups":[{"name":"g","last_id":"5-2","entries_read":2,"pel":["#,
            r#"{"id":"5-1","consumer":"bob","delivery_time_ms":1700000000000,"delivery_count":1},"#,
            r#"{"id":"5-2","consumer":null,"delivery_time_ms":1700000000002,"delivery_count":3,"nacked":true},"#,
            r#"{"id":"6-0","consumer":"alice","delivery_time_ms":-1,"delivery_count":0}],"#,
            r#""consumers":[{"name":"alice","seen_time_ms":1,"active_time_ms":null,"pel":["6-0"]},{"name":"bob","seen_time_ms":2,"active_time_ms":3,"pel":["5-1"]},{"name":"carol","seen_time_ms":4,"active_time_ms":5,"pel":[]}]},"#,
            r#"{"name":{"base64":"/w=="},"last_id":"0-0","entries_read":null,"pel":[],"consumers":[]}]}}"#
        )
        .to_owned()
    }

    #[test]
    fn stream_with_groups_nack_zone_and_idmp() {
        let r = one(&stream_line());
        let Value::Stream(s) = &r.value else { panic!() };
        assert_eq!(s.ids, vec![id(5, 1), id(5, 2), id(6, 0)]);
        assert_eq!(s.nfields, vec![1, 2, 0]);
        let e: Vec<Vec<(&[u8], &[u8])>> = s.entries().map(|(_, e)| e.pairs().collect()).collect();
        assert_eq!(e[1], vec![(&b"f"[..], &b"w"[..]), (b"\xff", b"")]);
        let m = &s.meta;
        assert_eq!(
            (m.length, m.last_id, m.first_id, m.max_deleted_id),
            (3, id(7, 0), id(5, 1), id(4, 9))
        );
        // A stored length is kept even when it is not the number of entries.
        let r = one(&stream_line().replace(r#""length":3"#, r#""length":4"#));
        let Value::Stream(s2) = &r.value else {
            panic!()
        };
        assert_eq!(s2.meta.length, 4);
        assert_eq!(m.entries_added, 5);
        assert!(m.stored_meta);
        assert_eq!(
            m.idmp,
            Some(StreamIdmp {
                duration_s: 100,
                max_entries: 1000,
                producers: vec![
                    (
                        b"p1".to_vec(),
                        vec![(b"i1".to_vec(), id(5, 1)), (vec![0], id(5, 2))]
                    ),
                    (b"p2".to_vec(), vec![]),
                ],
                iids_added: 2,
                iids_duplicates: 1,
            })
        );
        assert_eq!(s.groups.len(), 2);
        let g = &s.groups[0];
        assert_eq!(
            (g.name.as_slice(), g.last_id, g.entries_read),
            (&b"g"[..], id(5, 2), Some(2))
        );
        assert_eq!(
            g.pel,
            vec![
                PelEntry {
                    id: id(5, 1),
                    delivery_time_ms: 1_700_000_000_000,
                    delivery_count: 1,
                    consumer: Some(1),
                    nacked: false
                },
                PelEntry {
                    id: id(5, 2),
                    delivery_time_ms: 1_700_000_000_002,
                    delivery_count: 3,
                    consumer: None,
                    nacked: true
                },
                PelEntry {
                    id: id(6, 0),
                    delivery_time_ms: -1,
                    delivery_count: 0,
                    consumer: Some(0),
                    nacked: false
                },
            ]
        );
        assert_eq!(
            g.consumers,
            vec![
                StreamConsumer {
                    name: b"alice".to_vec(),
                    seen_time_ms: 1,
                    active_time_ms: None,
                    pel: vec![id(6, 0)]
                },
                StreamConsumer {
                    name: b"bob".to_vec(),
                    seen_time_ms: 2,
                    active_time_ms: Some(3),
                    pel: vec![id(5, 1)]
                },
                StreamConsumer {
                    name: b"carol".to_vec(),
                    seen_time_ms: 4,
                    active_time_ms: Some(5),
                    pel: vec![]
                },
            ]
        );
        let g = &s.groups[1];
        assert_eq!((g.name.as_slice(), g.entries_read), (&b"\xff"[..], None));
    }

    #[test]
    fn stream_without_stored_meta_derives_it_as_redis_does() {
        let r = one(
            r#"{"key":"st","type":"stream","value":{"entries":[{"id":"5-1","fields":[["f","v"]]},{"fields":[],"id":"9-0"}],"groups":[{"name":"g","last_id":"5-1","pel":[{"id":"5-1","consumer":"c","delivery_time_ms":1,"delivery_count":1}],"consumers":[{"name":"c","seen_time_ms":1}]}]}}"#,
        );
        let Value::Stream(s) = &r.value else { panic!() };
        let m = &s.meta;
        assert!(!m.stored_meta);
        assert_eq!(
            (
                m.length,
                m.last_id,
                m.first_id,
                m.max_deleted_id,
                m.entries_added
            ),
            (2, id(9, 0), id(5, 1), id(0, 0), 2)
        );
        assert_eq!(m.idmp, None);
        // A consumer without "pel" gets the PEL entries that name it.
        assert_eq!(s.groups[0].consumers[0].pel, vec![id(5, 1)]);
        assert_eq!(s.groups[0].consumers[0].active_time_ms, None);
        let r = one(r#"{"key":"e","type":"stream","value":{"entries":[],"idmp":null}}"#);
        let Value::Stream(s) = &r.value else { panic!() };
        assert_eq!((s.meta.length, s.meta.last_id), (0, id(0, 0)));
    }

    #[test]
    fn module_value() {
        let mid = 0x1234_5678_9abc_d005_u64 & !(0x3ff) | 5;
        let name = module_name(mid);
        let line = format!(
            r#"{{"db":0,"key":"m","type":"module","expire_ms":null,"encoding":"module","value":{{"module":"{name}","module_id":{mid},"raw":{{"base64":"AgUA"}}}}}}"#
        );
        let r = one(&line);
        assert_eq!(
            r.value,
            Value::Module(ModuleValue {
                name: name.clone(),
                module_id: mid,
                raw: vec![2, 5, 0]
            })
        );
        let bad = line.replace(&name, "xxxxxxxxx");
        let e = err(&bad, 1);
        assert!(e.contains("does not match module_id"), "{e}");
    }

    #[test]
    fn blank_lines_crlf_bom_and_no_final_newline() {
        let input = "\u{feff}\n  \r\n{\"key\":\"a\",\"type\":\"string\",\"value\":\"1\"}\r\n\n\t\n{\"key\":\"b\",\"type\":\"list\",\"value\":[\"x\"]}";
        let mut r = JsonlReader::new(input.as_bytes(), "t");
        let mut rec = Record::default();
        assert!(r.next_into(&mut rec).unwrap());
        assert_eq!((rec.key.as_slice(), r.line()), (&b"a"[..], 3));
        assert!(r.next_into(&mut rec).unwrap());
        assert_eq!((rec.key.as_slice(), r.line()), (&b"b"[..], 6));
        assert_eq!(
            rec.value,
            Value::List({
                let mut s = Strings::new();
                s.push(b"x");
                s
            })
        );
        assert_eq!(r.offset(), input.len() as u64);
        assert!(!r.next_into(&mut rec).unwrap());
        assert!(!r.next_into(&mut rec).unwrap());
        assert!(read_all(b"").unwrap().is_empty());
        assert!(read_all(b"\n\n").unwrap().is_empty());
    }

    #[test]
    fn record_buffers_are_reused_and_reset() {
        let input = concat!(
            r#"{"db":1,"key":"a","type":"list","expire_ms":5,"idle_s":1,"value":["x","y"]}"#,
            "\n",
            r#"{"db":0,"key":"b","type":"list","value":["z"]}"#,
            "\n"
        );
        let v = read_all(input.as_bytes()).unwrap();
        assert_eq!(v[1].db, 0);
        assert_eq!(v[1].expire_ms, None);
        assert_eq!(v[1].idle_s, None);
        let Value::List(l) = &v[1].value else {
            panic!()
        };
        assert_eq!(strings(l), vec![&b"z"[..]]);
    }

    #[test]
    fn long_lines_across_small_buffer_reads() {
        let big = "x".repeat(100_000);
        let input = format!("{{\"key\":\"k\",\"type\":\"string\",\"value\":\"{big}\"}}\n");
        let r = std::io::BufReader::with_capacity(7, input.as_bytes());
        let mut j = JsonlReader::new(r, "t");
        let mut rec = Record::default();
        assert!(j.next_into(&mut rec).unwrap());
        assert_eq!(rec.value, Value::String(big.into_bytes()));
    }

    // Errors: each names the line, and the key when it was read.

    #[test]
    fn error_bad_json() {
        let ok = r#"{"key":"a","type":"string","value":"1"}"#;
        let e = err(
            &format!("{ok}\n{{\"key\":\"b\",\"type\":\"string\",\"value\":\"1\"\n"),
            2,
        );
        assert!(
            e.contains("expected ',' or '}', found the end of the line"),
            "{e}"
        );
        let e = err(
            &format!("{ok}\n\n{{\"key\":\"b\",\"type\":\"string\",\"value\":\"1}}\n"),
            3,
        );
        assert!(e.contains("unterminated string"), "{e}");
        let e = err(r#"{"key":"b","type":"string","value":"1"} x"#, 1);
        assert!(e.contains("unexpected text after the object"), "{e}");
        let e = err(r#"{"key":"b","type":"string","value":"1",}"#, 1);
        assert!(e.contains("expected a member name, found"), "{e}");
        let e = err(r#"{"db":01,"key":"b","type":"string","value":"1"}"#, 1);
        assert!(e.contains("bad number 01"), "{e}");
        let e = err("{\"key\":\"a\tb\",\"type\":\"string\",\"value\":\"1\"}", 1);
        assert!(e.contains("control character"), "{e}");
        let e = err(r#"{"key":"a\x","type":"string","value":"1"}"#, 1);
        assert!(e.contains("bad escape"), "{e}");
    }

    #[test]
    fn error_not_an_object_is_found_at_its_first_byte() {
        let e = err("[{\"key\":\"a\"}]\n", 1);
        assert!(
            e.contains("expected a JSON object (one key per line), found an array"),
            "{e}"
        );
        // A binary file: rejected without reading the rest of the line.
        let mut input = b"REDIS0011\xfa\x09redis-ver".to_vec();
        input.extend(std::iter::repeat_n(0u8, 1 << 20));
        let mut j = JsonlReader::new(std::io::BufReader::with_capacity(64, &input[..]), "t");
        let e = j.next_into(&mut Record::default()).unwrap_err();
        assert!(
            e.to_string().contains("line 1: expected a JSON object"),
            "{e}"
        );
        assert!(j.offset() <= 64, "read {} bytes", j.offset());
        assert_eq!(e.offset, Some(0));
    }

    #[test]
    fn error_line_too_long() {
        let input = format!(
            "{{\"key\":\"k\",\"type\":\"string\",\"value\":\"{}\"}}\n",
            "x".repeat(1000)
        );
        let mut j = JsonlReader::new(input.as_bytes(), "t").max_line(100);
        let e = j.next_into(&mut Record::default()).unwrap_err();
        assert!(
            e.to_string()
                .contains("line 1: line is longer than the limit of 100 bytes"),
            "{e}"
        );
    }

    #[test]
    fn error_reader_stays_failed() {
        let input = "{\"key\":1}\n{\"key\":\"a\",\"type\":\"string\",\"value\":\"1\"}\n";
        let mut j = JsonlReader::new(input.as_bytes(), "t");
        let mut rec = Record::default();
        assert!(j.next_into(&mut rec).is_err());
        let e = j.next_into(&mut rec).unwrap_err();
        assert!(e.to_string().contains("earlier error"), "{e}");
    }

    #[test]
    fn error_members() {
        let e = err(r#"{"key":"a","type":"string"}"#, 1);
        assert!(e.contains("missing member \"value\""), "{e}");
        let e = err(r#"{"type":"string","value":"x"}"#, 1);
        assert!(e.contains("missing member \"key\""), "{e}");
        let e = err(r#"{"key":"a","type":"string","value":"1","expire":5}"#, 1);
        assert!(e.contains("unknown member \"expire\""), "{e}");
        let e = err(r#"{"key":"a","type":"string","value":"1","key":"b"}"#, 1);
        assert!(e.contains("member \"key\" appears twice"), "{e}");
        let e = err(r#"{"key":"a","type":"strings","value":"1"}"#, 1);
        assert!(e.contains("unknown type \"strings\""), "{e}");
        let e = err(r#"{"db":-1,"key":"a","type":"string","value":"1"}"#, 1);
        assert!(e.contains("db -1 is negative"), "{e}");
        let e = err(r#"{"db":1.5,"key":"a","type":"string","value":"1"}"#, 1);
        assert!(e.contains("db 1.5 is not an integer"), "{e}");
        let e = err(
            r#"{"key":"a","type":"string","value":"1","expire_ms":"soon"}"#,
            1,
        );
        assert!(
            e.contains("expected expire_ms (an integer or null), found a string"),
            "{e}"
        );
        let e = err(
            r#"{"key":"a","type":"string","value":"1","expire_ms":99999999999999999999}"#,
            1,
        );
        assert!(e.contains("out of range"), "{e}");
        let e = err(r#"{"key":"a","type":"string","value":"1","freq":256}"#, 1);
        assert!(e.contains("freq 256 is out of range"), "{e}");
    }

    #[test]
    fn error_wrong_value_shape() {
        let e = err(r#"{"db":0,"key":"user:1","type":"zset","value":"x"}"#, 1);
        assert!(
            e.contains("expected an array of [member, score] (type zset), found a string"),
            "{e}"
        );
        assert!(e.contains("of key \"user:1\" in db 0"), "{e}");
        let e = err(r#"{"key":"k","type":"string","value":["x"]}"#, 1);
        assert!(
            e.contains("value (type string): expected a byte string"),
            "{e}"
        );
        let e = err(r#"{"key":"k","type":"hash","value":[["f"]]}"#, 1);
        assert!(
            e.contains("hash field 0: expected ',' and a value, found ']'"),
            "{e}"
        );
        let e = err(r#"{"key":"k","type":"hash","value":[["f","v",1,2]]}"#, 1);
        assert!(e.contains("hash field 0: expected ']'"), "{e}");
        let e = err(r#"{"key":"k","type":"list","value":["a",7]}"#, 1);
        assert!(e.contains("list element 1: expected a byte string"), "{e}");
        let e = err(r#"{"key":"k","type":"stream","value":[]}"#, 1);
        assert!(e.contains("expected a stream object"), "{e}");
        let e = err(r#"{"key":"k","type":"module","value":"x"}"#, 1);
        assert!(e.contains("(type module), found a string"), "{e}");
        let e = err(r#"{"key":"k","type":"set","value":{"base64":"AA=="}}"#, 1);
        assert!(e.contains("(type set), found an object"), "{e}");
    }

    #[test]
    fn error_bad_score() {
        let e = err(
            "{\"key\":\"a\",\"type\":\"string\",\"value\":\"1\"}\n{\"db\":0,\"key\":\"user:1\",\"type\":\"zset\",\"value\":[[\"a\",1],[\"b\",2],[\"c\",3],[\"d\",\"abc\"]]}\n",
            2,
        );
        assert!(
            e.contains("line 2: zset member 3: score \"abc\" is not a number"),
            "{e}"
        );
        assert!(e.contains("key \"user:1\""), "{e}");
        let e = err(r#"{"key":"z","type":"zset","value":[["a",1e400]]}"#, 1);
        assert!(
            e.contains("zset member 0: score 1e400 is out of the range of a double"),
            "{e}"
        );
        let e = err(r#"{"key":"z","type":"zset","value":[["a","Infinity"]]}"#, 1);
        assert!(e.contains("is not a number"), "{e}");
        let e = err(r#"{"key":"z","type":"zset","value":[["a",1.]]}"#, 1);
        assert!(e.contains("bad number"), "{e}");
        let e = err(r#"{"key":"z","type":"zset","value":[["a",null]]}"#, 1);
        assert!(e.contains("expected a score"), "{e}");
    }

    #[test]
    fn error_bad_base64_and_bad_strings() {
        let e = err(r#"{"key":{"base64":"@@@"},"type":"string","value":"1"}"#, 1);
        assert!(e.contains("key: bad base64"), "{e}");
        let e = err(
            r#"{"key":"k","type":"string","value":{"base64":"AA=","x":1}}"#,
            1,
        );
        assert!(
            e.contains("bad base64") || e.contains("unknown member"),
            "{e}"
        );
        let e = err(r#"{"key":"k","type":"string","value":{"b64":"AA=="}}"#, 1);
        assert!(e.contains("unknown member \"b64\" in a byte string"), "{e}");
        let e = err(r#"{"key":"k","type":"string","value":{}}"#, 1);
        assert!(e.contains("without \"base64\""), "{e}");
        let e = err(r#"{"key":"k\ud800","type":"string","value":"1"}"#, 1);
        assert!(e.contains("lone surrogate"), "{e}");
        let e = read_all(b"{\"key\":\"k\xff\",\"type\":\"string\",\"value\":\"1\"}").unwrap_err();
        assert!(e.to_string().contains("line 1: key: invalid UTF-8"), "{e}");
        assert_eq!(e.offset, Some(9));
    }

    #[test]
    fn error_bad_stream_id() {
        let base = stream_line();
        for bad in [
            "5",
            "5-",
            "-1",
            "a-1",
            "5-1-2",
            "+5-1",
            "99999999999999999999-0",
        ] {
            let line = base.replace(r#""last_id":"7-0""#, &format!(r#""last_id":"{bad}""#));
            let e = err(&line, 1);
            assert!(
                e.contains(&format!("last_id \"{bad}\" is not a stream ID \"ms-seq\"")),
                "{e}"
            );
        }
        let e = err(
            &base.replace(r#"{"id":"5-2","fields""#, r#"{"id":5,"fields""#),
            1,
        );
        assert!(
            e.contains("stream entry 1: expected id (a stream ID \"ms-seq\"), found the number 5"),
            "{e}"
        );
        let e = err(&base.replace(r#""pel":["6-0"]"#, r#""pel":["6_0"]"#), 1);
        assert!(
            e.contains("group 0: consumer 0: pel 0: ID \"6_0\" is not a stream ID"),
            "{e}"
        );
    }

    #[test]
    fn error_unknown_consumer() {
        let line = stream_line().replace(r#""consumer":"bob""#, r#""consumer":"dave""#);
        let e = err(&line, 1);
        assert!(
            e.contains(
                "group 0: pel entry 0 (5-1): consumer \"dave\" is not among the group's consumers"
            ),
            "{e}"
        );
        assert!(e.contains("of key \"st\""), "{e}");
    }

    #[test]
    fn error_inconsistent_stream() {
        let base = stream_line();
        let e = err(&base.replace(r#""pel":["5-1"]"#, r#""pel":[]"#), 1);
        assert!(
            e.contains("consumer \"bob\": pel lists 0 IDs, but 1 entries"),
            "{e}"
        );
        let e = err(&base.replace(r#""pel":["5-1"]"#, r#""pel":["6-0"]"#), 1);
        assert!(
            e.contains("consumer \"bob\": pending ID 6-0 does not name this consumer"),
            "{e}"
        );
        let e = err(
            &base.replace(r#""pel":["5-1"]"#, r#""pel":["5-1","5-1"]"#),
            1,
        );
        assert!(e.contains("listed twice"), "{e}");
        let e = err(&base.replace(r#""pel":["5-1"]"#, r#""pel":["9-9"]"#), 1);
        assert!(
            e.contains("pending ID 9-9 is not in the group's pel"),
            "{e}"
        );
        let e = err(
            &base.replace(r#""consumer":null"#, r#""consumer":"bob""#),
            1,
        );
        assert!(e.contains("a nacked entry has no consumer"), "{e}");
        let e = err(&base.replace(r#"{"name":"carol""#, r#"{"name":"bob""#), 1);
        assert!(e.contains("duplicate consumer name \"bob\""), "{e}");
        let e = err(
            &base.replace(
                r#"{"id":"6-0","consumer":"alice""#,
                r#"{"id":"5-1","consumer":"alice""#,
            ),
            1,
        );
        assert!(e.contains("duplicate PEL entry 5-1"), "{e}");
        let e = err(
            &base.replace(r#"{"name":{"base64":"/w=="}"#, r#"{"name":"g""#),
            1,
        );
        assert!(e.contains("group 1: duplicate group name \"g\""), "{e}");
        let e = err(
            &base.replace(r#"{"id":"6-0","fields""#, r#"{"id":"5-2","fields""#),
            1,
        );
        assert!(
            e.contains("stream entry 2: ID 5-2 is not greater than the previous entry's 5-2"),
            "{e}"
        );
        let e = err(&base.replace(r#""entries_added":5,"#, ""), 1);
        assert!(e.contains("go together"), "{e}");
        let e = err(&base.replace(r#""nacked":true"#, r#""nacked":1"#), 1);
        assert!(e.contains("expected nacked (true or false)"), "{e}");
        let e = err(&base.replace(r#""iids_added":2,"#, ""), 1);
        assert!(e.contains("idmp: missing member \"iids_added\""), "{e}");
        let e = err(&base.replace(r#"["i1","5-1"]"#, r#"["i1"]"#), 1);
        assert!(
            e.contains("idmp: producer 0: entry 0: expected ',' and a stream ID"),
            "{e}"
        );
    }

    #[test]
    fn error_offsets_point_at_the_token_from_the_start_of_the_input() {
        let first = "{\"key\":\"a\",\"type\":\"string\",\"value\":\"1\"}\n";
        let second = r#"{"key":"b","type":"zset","value":[["m","x"]]}"#;
        let e = read_all(format!("{first}{second}\n").as_bytes()).unwrap_err();
        let at = second.find(r#""x""#).unwrap();
        assert_eq!(e.offset, Some((first.len() + at) as u64));
        assert_eq!(e.ctx.key, Some(KeyPreview::new(b"b")));
        assert_eq!(e.ctx.db, None);
    }
}

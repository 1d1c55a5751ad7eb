//! Values of every type except streams (see `stream.rs`).

use std::io::Read;

use super::dedupe::Dedupe;
use super::{Reader, Visitor, module_name, read_string, read_string_loc, skip_string};
use crate::error::{Doing, Error, ErrorKind, Result};
use crate::escape::quoted;
use crate::rdb::encodings::{Elem, EncError, intset, listpack, ziplist, zipmap};
use crate::rdb::{Flavor, TypeId};

/// Largest expire time Redis accepts for a hash field (`EB_EXPIRE_TIME_MAX`).
const HFE_MAX: i64 = (1 << 48) - 1;

/// Why walking a blob stopped: the visitor failed (stop everything), or the blob's
/// content is damaged (the key is lost, the file reads on).
pub(super) enum Step {
    Fatal(Error),
    Content { at: usize, reason: String },
}

impl From<Error> for Step {
    fn from(e: Error) -> Self {
        Step::Fatal(e)
    }
}

impl From<EncError> for Step {
    fn from(e: EncError) -> Self {
        Step::Content {
            at: e.offset,
            reason: e.reason,
        }
    }
}

pub(super) fn content(at: usize, reason: impl Into<String>) -> Step {
    Step::Content {
        at,
        reason: reason.into(),
    }
}

/// How a hashtable-encoded hash stores per-field expiry.
#[derive(Clone, Copy)]
enum HashLayout {
    /// RDB_TYPE_HASH: none.
    Plain,
    /// RDB_TYPE_HASH_METADATA: `ttl` length before each field, relative to `min`.
    Metadata { min: i64 },
    /// RDB_TYPE_HASH_METADATA_PRE_GA: absolute expiry length before each field.
    PreGa,
    /// Valkey RDB_TYPE_HASH_2: 8-byte expiry after each value, -1 for none.
    Valkey,
}

/// Renders an element's bytes (integers as decimal text).
pub(super) fn elem_bytes<'b>(e: &'b Elem<'_>, buf: &'b mut itoa::Buffer) -> &'b [u8] {
    match *e {
        Elem::Bytes(b) => b,
        Elem::Int(i) => buf.format(i).as_bytes(),
    }
}

/// Parses a score stored as text (ziplist/listpack zsets, old ZSET doubles).
pub(super) fn parse_score(text: &[u8]) -> Option<f64> {
    let s = std::str::from_utf8(text).ok()?.trim();
    match s {
        "inf" | "+inf" | "infinity" | "+infinity" => Some(f64::INFINITY),
        "-inf" | "-infinity" => Some(f64::NEG_INFINITY),
        _ => s.parse::<f64>().ok().filter(|f| !f.is_nan()),
    }
}

fn elem_score(e: &Elem<'_>) -> Option<f64> {
    match *e {
        Elem::Int(i) => Some(i as f64),
        Elem::Bytes(b) => parse_score(b),
    }
}

fn dup(dedupe: &mut Dedupe, deep: bool, item: &[u8], what: &str, at: usize) -> Result<(), Step> {
    if deep && !dedupe.insert(item) {
        return Err(content(
            at,
            format!("duplicate {what} {}", quoted(preview(item))),
        ));
    }
    Ok(())
}

fn preview(b: &[u8]) -> &[u8] {
    b.get(..64).unwrap_or(b)
}

/// Walks pairs of elements; an odd count is damage.
fn for_pairs<'a, I, F>(it: &mut I, mut f: F) -> Result<usize, Step>
where
    I: Iterator<Item = Result<Elem<'a>, EncError>> + Offset,
    F: FnMut(Elem<'a>, Elem<'a>, usize) -> Result<(), Step>,
{
    let mut n = 0;
    loop {
        let at = it.pos();
        let a = match it.next() {
            None => return Ok(n),
            Some(a) => a?,
        };
        let b = match it.next() {
            None => {
                return Err(content(
                    at,
                    "odd number of elements (a field without value)",
                ));
            }
            Some(b) => b?,
        };
        f(a, b, at)?;
        n += 1;
    }
}

/// Position of an iterator inside its blob, for error offsets.
pub(super) trait Offset {
    fn pos(&self) -> usize;
}

impl Offset for listpack::read::Iter<'_> {
    fn pos(&self) -> usize {
        self.offset()
    }
}

impl Offset for ziplist::read::Iter<'_> {
    fn pos(&self) -> usize {
        self.offset()
    }
}

impl<R: Read> Reader<R> {
    /// Reads one blob string and walks it with `f`. Content problems damage the key;
    /// the file reads on.
    pub(super) fn with_blob<V: Visitor + ?Sized, F>(&mut self, v: &mut V, f: F) -> Result<()>
    where
        F: FnOnce(&[u8], &mut Dedupe, &mut V, bool) -> Result<(), Step>,
    {
        let at = self.src.offset();
        let deep = self.opts.deep;
        let (data_at, step) = {
            let (data_at, blob) =
                match read_string_loc(&mut self.src, &mut self.scratch, self.version) {
                    Ok(x) => x,
                    Err(e) => return self.recover(e),
                };
            (data_at, f(blob, &mut self.dedupe, v, deep))
        };
        self.settle(step, at, data_at)
    }

    /// Turns a walker's outcome into a result: content damage is recorded on the key.
    pub(super) fn settle(
        &mut self,
        step: Result<(), Step>,
        at: u64,
        data_at: Option<u64>,
    ) -> Result<()> {
        match step {
            Ok(()) => Ok(()),
            Err(Step::Fatal(e)) => Err(e),
            Err(Step::Content { at: inner, reason }) => {
                let encoding = match self.ctx.doing {
                    Doing::Value(t) => t.encoding_name(),
                    _ => "value",
                };
                let (offset, reason) = match data_at {
                    Some(d) => (d + inner as u64, reason),
                    None => (
                        at,
                        format!("{reason} (at byte {inner} of the decompressed blob)"),
                    ),
                };
                if self.damaged.is_none() {
                    let e = self.err_at(ErrorKind::Encoding { encoding, reason }, offset);
                    self.damage(e);
                }
                Ok(())
            }
        }
    }

    /// A compressed string whose LZF data is bad was read whole: the key is damaged,
    /// the framing intact. Anything else ends the read.
    pub(super) fn recover(&mut self, e: Error) -> Result<()> {
        if matches!(e.kind, ErrorKind::Lzf(_)) {
            self.damage(e);
            Ok(())
        } else {
            Err(e)
        }
    }

    fn empty_key(&mut self, at: u64, what: &'static str) {
        if self.damaged.is_none() {
            let e = self.err_at(ErrorKind::EmptyKey(what), at);
            self.damage(e);
        }
    }

    pub(super) fn read_value<V: Visitor + ?Sized>(&mut self, t: TypeId, v: &mut V) -> Result<()> {
        use TypeId::*;
        match t {
            String if !v.wants_string_values() => match skip_string(&mut self.src, self.version, v)
            {
                Err(e) => self.recover(e),
                ok => ok,
            },
            String => match read_string(&mut self.src, &mut self.scratch, self.version) {
                Ok(s) => v.string(s),
                Err(e) => self.recover(e),
            },
            List => self.read_linked(v, false),
            Set => self.read_linked(v, true),
            Zset => self.read_zset_table(v, false),
            Zset2 => self.read_zset_table(v, true),
            Hash => self.read_hash_table(v, HashLayout::Plain),
            HashMetadataPreGaOrHash2 => match self.version.flavor {
                Flavor::Redis => self.read_hash_table(v, HashLayout::PreGa),
                Flavor::Valkey => self.read_hash_table(v, HashLayout::Valkey),
            },
            HashMetadata => {
                let min = i64::from_le_bytes(self.src.array()?);
                self.read_hash_table(v, HashLayout::Metadata { min })
            }
            ModulePreGa => {
                let at = self.src.offset();
                let id = self.read_count()?;
                Err(self.err_at(
                    ErrorKind::ModulePreGa {
                        module: module_name(id),
                        id,
                    },
                    at,
                ))
            }
            Module2 => self.read_module(v, false),
            HashZipmap => self.with_blob(v, |blob, dd, v, deep| {
                let mut it = zipmap::read::Iter::new(blob);
                loop {
                    let at = it.offset();
                    match it.next() {
                        None => return Ok(()),
                        Some(pair) => {
                            let (f, val) = pair?;
                            dup(dd, deep, f, "field", at)?;
                            v.hash_field(f, val, None)?;
                        }
                    }
                }
            }),
            SetIntset => self.with_blob(v, |blob, _, v, _| {
                let mut buf = itoa::Buffer::new();
                for x in intset::read::Iter::new(blob) {
                    v.set_member(buf.format(x?).as_bytes())?;
                }
                Ok(())
            }),
            ListZiplist => self.with_blob(v, |blob, _, v, _| {
                walk_list(ziplist::read::Iter::new(blob), v).and_then(|n| {
                    if n == 0 {
                        Err(content(0, "empty ziplist (an empty key)"))
                    } else {
                        Ok(())
                    }
                })
            }),
            ListQuicklist => self.read_quicklist(v, false),
            ListQuicklist2 => self.read_quicklist(v, true),
            SetListpack => self.with_blob(v, |blob, dd, v, deep| {
                let mut it = listpack::read::Iter::new(blob);
                let mut buf = itoa::Buffer::new();
                let mut n = 0usize;
                loop {
                    let at = it.offset();
                    let Some(e) = it.next() else { break };
                    let e = e?;
                    let b = elem_bytes(&e, &mut buf);
                    dup(dd, deep, b, "member", at)?;
                    v.set_member(b)?;
                    n += 1;
                }
                if n == 0 {
                    Err(content(0, "empty listpack (an empty key)"))
                } else {
                    Ok(())
                }
            }),
            ZsetZiplist => self.with_blob(v, |blob, dd, v, deep| {
                walk_zset(&mut ziplist::read::Iter::new(blob), dd, v, deep)
            }),
            ZsetListpack => self.with_blob(v, |blob, dd, v, deep| {
                walk_zset(&mut listpack::read::Iter::new(blob), dd, v, deep)
            }),
            HashZiplist => self.with_blob(v, |blob, dd, v, deep| {
                walk_hash(&mut ziplist::read::Iter::new(blob), dd, v, deep)
            }),
            HashListpack => self.with_blob(v, |blob, dd, v, deep| {
                walk_hash(&mut listpack::read::Iter::new(blob), dd, v, deep)
            }),
            HashListpackExPreGa => self.with_blob(v, |blob, dd, v, deep| {
                walk_hash_ex(&mut listpack::read::Iter::new(blob), dd, v, deep, false)
            }),
            HashListpackEx => {
                let _min_expire = i64::from_le_bytes(self.src.array()?);
                self.with_blob(v, |blob, dd, v, deep| {
                    walk_hash_ex(&mut listpack::read::Iter::new(blob), dd, v, deep, true)
                })
            }
            StreamListpacks | StreamListpacks2 | StreamListpacks3 | StreamListpacks4
            | StreamListpacks5 => self.read_stream(t, v),
        }
    }

    /// RDB_TYPE_LIST and RDB_TYPE_SET: a count, then one string per element.
    fn read_linked<V: Visitor + ?Sized>(&mut self, v: &mut V, set: bool) -> Result<()> {
        let at = self.src.offset();
        let n = self.read_count()?;
        if n == 0 {
            self.empty_key(at, if set { "set" } else { "list" });
        }
        if set && self.opts.deep {
            self.dedupe.reserve(n);
        }
        for _ in 0..n {
            let el_at = self.src.offset();
            let s = match read_string(&mut self.src, &mut self.scratch, self.version) {
                Ok(s) => s,
                Err(e) => {
                    self.recover(e)?;
                    continue;
                }
            };
            if set {
                if self.opts.deep && !self.dedupe.insert(s) {
                    if self.damaged.is_none() {
                        let msg = format!("duplicate member {}", quoted(preview(s)));
                        let e = self.invalid_at(el_at, msg);
                        self.damage(e);
                    }
                    continue;
                }
                v.set_member(s)?;
            } else {
                v.list_element(s)?;
            }
        }
        Ok(())
    }

    /// RDB_TYPE_ZSET (text scores) and RDB_TYPE_ZSET_2 (binary doubles).
    fn read_zset_table<V: Visitor + ?Sized>(&mut self, v: &mut V, binary: bool) -> Result<()> {
        let at = self.src.offset();
        let n = self.read_count()?;
        if n == 0 {
            self.empty_key(at, "zset");
        }
        if self.opts.deep {
            self.dedupe.reserve(n);
        }
        let mut member = std::mem::take(&mut self.tmp);
        let r = (|| -> Result<()> {
            for _ in 0..n {
                let el_at = self.src.offset();
                member.clear();
                if let Err(e) = self.read_string_into(&mut member) {
                    self.recover(e)?;
                }
                let score = if binary {
                    f64::from_le_bytes(self.src.array()?)
                } else {
                    self.read_text_double()?
                };
                if score.is_nan() {
                    if self.damaged.is_none() {
                        let e = self.invalid_at(el_at, "zset score is NaN");
                        self.damage(e);
                    }
                    continue;
                }
                if self.opts.deep && !self.dedupe.insert(&member) {
                    if self.damaged.is_none() {
                        let msg = format!("duplicate zset member {}", quoted(preview(&member)));
                        let e = self.invalid_at(el_at, msg);
                        self.damage(e);
                    }
                    continue;
                }
                v.zset_member(&member, score)?;
            }
            Ok(())
        })();
        self.tmp = member;
        r
    }

    /// Old text double: one length byte (253 NaN, 254 +inf, 255 -inf), then ASCII.
    fn read_text_double(&mut self) -> Result<f64> {
        let at = self.src.offset();
        let len = self.src.u8()?;
        Ok(match len {
            253 => f64::NAN,
            254 => f64::INFINITY,
            255 => f64::NEG_INFINITY,
            n => {
                let text = self.src.take(usize::from(n))?;
                match parse_score(text) {
                    Some(f) => f,
                    None => {
                        let msg = format!("invalid double {}", quoted(text));
                        return Err(self.invalid_at(at, msg));
                    }
                }
            }
        })
    }

    /// Hashtable-encoded hashes, with or without per-field expiry.
    fn read_hash_table<V: Visitor + ?Sized>(
        &mut self,
        v: &mut V,
        layout: HashLayout,
    ) -> Result<()> {
        let at = self.src.offset();
        let n = self.read_count()?;
        if n == 0 {
            self.empty_key(at, "hash");
        }
        if self.opts.deep {
            self.dedupe.reserve(n);
        }
        let mut field = std::mem::take(&mut self.tmp);
        let mut value = Vec::new();
        let r = (|| -> Result<()> {
            for _ in 0..n {
                let el_at = self.src.offset();
                let mut expire = match layout {
                    HashLayout::Metadata { min } => match self.read_count()? {
                        0 => None,
                        ttl => Some((ttl as i64).wrapping_add(min).wrapping_sub(1)),
                    },
                    HashLayout::PreGa => match self.read_count()? {
                        0 => None,
                        t => Some(t as i64),
                    },
                    HashLayout::Plain | HashLayout::Valkey => None,
                };
                if let Some(t) = expire.filter(|t| !(0..=HFE_MAX).contains(t))
                    && self.damaged.is_none()
                {
                    let e = self.invalid_at(el_at, format!("field expiry {t} out of range"));
                    self.damage(e);
                }
                field.clear();
                if let Err(e) = self.read_string_into(&mut field) {
                    self.recover(e)?;
                }
                let val: &[u8] = if let HashLayout::Valkey = layout {
                    value.clear();
                    if let Err(e) = self.read_string_into(&mut value) {
                        self.recover(e)?;
                    }
                    match i64::from_le_bytes(self.src.array()?) {
                        -1 => {}
                        t if t >= 0 => expire = Some(t),
                        t => {
                            if self.damaged.is_none() {
                                let e = self.invalid_at(el_at, format!("field expiry {t} < -1"));
                                self.damage(e);
                            }
                        }
                    }
                    &value
                } else {
                    match read_string(&mut self.src, &mut self.scratch, self.version) {
                        Ok(v) => v,
                        Err(e) => {
                            self.recover(e)?;
                            &[]
                        }
                    }
                };
                if self.opts.deep && !self.dedupe.insert(&field) {
                    if self.damaged.is_none() {
                        let msg = format!("duplicate hash field {}", quoted(preview(&field)));
                        let e = self.invalid_at(el_at, msg);
                        self.damage(e);
                    }
                    continue;
                }
                v.hash_field(&field, val, expire)?;
            }
            Ok(())
        })();
        self.tmp = field;
        r
    }

    /// Quicklist v1 (ziplist nodes) and v2 (PLAIN or PACKED listpack nodes).
    fn read_quicklist<V: Visitor + ?Sized>(&mut self, v: &mut V, v2: bool) -> Result<()> {
        let at = self.src.offset();
        let nodes = self.read_count()?;
        let mut total = 0usize;
        for _ in 0..nodes {
            let container = if v2 {
                let c_at = self.src.offset();
                let c = self.read_count()?;
                if c != 1 && c != 2 && self.damaged.is_none() {
                    let e = self.invalid_at(
                        c_at,
                        format!("quicklist node container {c} (expected 1 PLAIN or 2 PACKED)"),
                    );
                    self.damage(e);
                }
                c
            } else {
                2
            };
            let mut count = 0usize;
            self.with_blob(v, |blob, _, v, _| {
                if blob.is_empty() {
                    return Err(content(0, "empty quicklist node"));
                }
                match (v2, container) {
                    (true, 1) => {
                        count = 1;
                        v.list_element(blob)?;
                    }
                    (true, 2) => count = walk_list(listpack::read::Iter::new(blob), v)?,
                    (true, _) => {}
                    (false, _) => count = walk_list(ziplist::read::Iter::new(blob), v)?,
                }
                Ok(())
            })?;
            total += count;
        }
        if total == 0 && self.damaged.is_none() {
            self.empty_key(at, "list");
        }
        Ok(())
    }
}

fn walk_list<'a, I, V>(it: I, v: &mut V) -> Result<usize, Step>
where
    I: Iterator<Item = Result<Elem<'a>, EncError>>,
    V: Visitor + ?Sized,
{
    let mut buf = itoa::Buffer::new();
    let mut n = 0;
    for e in it {
        let e = e?;
        v.list_element(elem_bytes(&e, &mut buf))?;
        n += 1;
    }
    Ok(n)
}

fn walk_zset<'a, I, V>(it: &mut I, dd: &mut Dedupe, v: &mut V, deep: bool) -> Result<(), Step>
where
    I: Iterator<Item = Result<Elem<'a>, EncError>> + Offset,
    V: Visitor + ?Sized,
{
    let mut buf = itoa::Buffer::new();
    let n = for_pairs(it, |m, s, at| {
        let score = elem_score(&s).ok_or_else(|| {
            let mut b2 = itoa::Buffer::new();
            content(
                at,
                format!("invalid zset score {}", quoted(elem_bytes(&s, &mut b2))),
            )
        })?;
        let m = elem_bytes(&m, &mut buf);
        dup(dd, deep, m, "zset member", at)?;
        v.zset_member(m, score)?;
        Ok(())
    })?;
    if n == 0 {
        Err(content(0, "empty zset encoding (an empty key)"))
    } else {
        Ok(())
    }
}

fn walk_hash<'a, I, V>(it: &mut I, dd: &mut Dedupe, v: &mut V, deep: bool) -> Result<(), Step>
where
    I: Iterator<Item = Result<Elem<'a>, EncError>> + Offset,
    V: Visitor + ?Sized,
{
    let mut fb = itoa::Buffer::new();
    let mut vb = itoa::Buffer::new();
    let n = for_pairs(it, |f, val, at| {
        let f = elem_bytes(&f, &mut fb);
        dup(dd, deep, f, "hash field", at)?;
        v.hash_field(f, elem_bytes(&val, &mut vb), None)?;
        Ok(())
    })?;
    if n == 0 {
        Err(content(0, "empty hash encoding (an empty key)"))
    } else {
        Ok(())
    }
}

/// Listpack of (field, value, ttl) triplets; `ga` enforces the 7.4 GA ordering rules.
fn walk_hash_ex<V>(
    it: &mut listpack::read::Iter<'_>,
    dd: &mut Dedupe,
    v: &mut V,
    deep: bool,
    ga: bool,
) -> Result<(), Step>
where
    V: Visitor + ?Sized,
{
    let mut fb = itoa::Buffer::new();
    let mut vb = itoa::Buffer::new();
    let mut prev: Option<i64> = None;
    let mut n = 0usize;
    loop {
        let at = it.offset();
        let Some(f) = it.next() else { break };
        let f = f?;
        let (Some(val), Some(ttl)) = (it.next(), it.next()) else {
            return Err(content(at, "element count is not a multiple of 3"));
        };
        let (val, ttl) = (val?, ttl?);
        let ttl = match ttl {
            Elem::Int(t) if (0..=HFE_MAX).contains(&t) => t,
            other => {
                let mut b = itoa::Buffer::new();
                return Err(content(
                    at,
                    format!("invalid field TTL {}", quoted(elem_bytes(&other, &mut b))),
                ));
            }
        };
        if ga && deep {
            match prev {
                Some(0) if ttl != 0 => {
                    return Err(content(
                        at,
                        "a field with a TTL follows a field without one",
                    ));
                }
                Some(p) if ttl != 0 && ttl < p => {
                    return Err(content(at, "field TTLs are not in ascending order"));
                }
                _ => {}
            }
        }
        prev = Some(ttl);
        let fbytes = elem_bytes(&f, &mut fb);
        dup(dd, deep, fbytes, "hash field", at)?;
        v.hash_field(fbytes, elem_bytes(&val, &mut vb), (ttl != 0).then_some(ttl))?;
        n += 1;
    }
    if n == 0 {
        Err(content(0, "empty hash encoding (an empty key)"))
    } else {
        Ok(())
    }
}

//! `rdbtool diff A B`: the keys only in A, only in B, and changed (type, TTL, value),
//! between any two datasets (RDB, AOF file or directory, JSON Lines).
//!
//! Memory is a small fixed cost per key of A, whatever the values' sizes:
//! 1. A is read; per key a fingerprint of (db, key), a digest of the value, the type
//!    and the expiry are kept ([`index::Index`], about 44 bytes a key).
//! 2. B is read; each key is looked up and compared by digest. The counts are known.
//! 3. A is read again: keys never found in B are reported; the values of changed keys
//!    are kept, up to `--collect-budget` bytes (256 MiB).
//! 4. B is read again: keys not in A are reported, and each changed key is compared in
//!    full with its kept A value. Passes 3 and 4 repeat for the changed keys left over
//!    when they did not fit, so the peak is the budget plus the largest value.
//!
//! An AOF is replayed once into the keyspace engine and read from there in each pass
//! (replaying needs the dataset's memory, as loading it into Redis does); standard
//! input is first copied to a temporary file.

mod digest;
mod index;
mod render;
mod value;

use std::collections::HashMap;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use formats::cli::output::{Output, same_file};
use formats::cli::progress::Progress;
use formats::cli::{Exit, interrupt};
use formats::rdb::encodings::Elem;
use formats::rdb::read::{KeyInfo, ModuleData, StreamGroup, StreamId, StreamMeta, Visitor};
use formats::rdb::value::{Collector, Record, Value};
use formats::rdb::{DataType, Flavor, Version};

use crate::cli::{DiffArgs, DiffFormat, Expired};
use crate::dataset::{
    Interrupted, Kind, LoadedAof, Source, checksum_policy, feed, feed_keyspace, load_aof,
};
use crate::filter::Filter;

use digest::{Digest, Scope};
use index::{
    CHANGES, DONE, Diffs, Entry, Fp, Index, MATCHED, NO_EXPIRE, ONLY_IN_B, SEEN_TWICE, TTL_CHANGED,
    TYPE_CHANGED, VALUE_CHANGED, fingerprint,
};
use render::{KeyDiff, Side, Status};

/// Output is handed to the writer once this much is buffered.
const FLUSH_AT: usize = 1 << 20;
/// Keys of B compared with A's at once (pass 2), so that their cache misses overlap.
const BATCH: usize = 256;

/// A type as its index in [`DataType::ALL`], as the index keeps it.
fn type_code(t: DataType) -> u8 {
    DataType::ALL.iter().position(|x| *x == t).unwrap_or(0) as u8
}

fn type_of(code: u8) -> DataType {
    DataType::ALL
        .get(code as usize)
        .copied()
        .unwrap_or(DataType::String)
}

pub fn run(a: DiffArgs) -> Result<Exit> {
    match diff(a) {
        Err(e) if e.downcast_ref::<Interrupted>().is_some() || interrupt::interrupted() => {
            eprintln!("rdbtool: interrupted");
            Ok(Exit::Interrupted)
        }
        r => r,
    }
}

/// One side of the comparison, readable as often as the passes need.
struct Dataset {
    path: PathBuf,
    name: String,
    kind: Kind,
    size: Option<u64>,
    allow_future: bool,
    keep_expired: bool,
    skip_unknown: bool,
    aof: Option<LoadedAof>,
    /// Standard input, copied here.
    _spool: Option<tempfile::NamedTempFile>,
}

impl Dataset {
    fn open(path: &Path, a: &DiffArgs, label: &str) -> Result<Dataset> {
        let (path, spool, name) = if path.as_os_str() == "-" {
            let mut f = tempfile::NamedTempFile::new()
                .context("cannot create a temporary file for standard input")?;
            io::copy(&mut io::stdin().lock(), f.as_file_mut())
                .context("copying standard input to a temporary file")?;
            (f.path().to_path_buf(), Some(f), "<stdin>".to_string())
        } else {
            (path.to_path_buf(), None, path.display().to_string())
        };
        let src = Source::open(&path).with_context(|| format!("dataset {label}"))?;
        let mut d = Dataset {
            path,
            name,
            kind: src.kind,
            size: src.size,
            allow_future: a.allow_future_version,
            keep_expired: a.filter.expired == Expired::Include,
            skip_unknown: a.skip_unknown,
            aof: None,
            _spool: spool,
        };
        if d.kind == Kind::Aof {
            if !a.quiet && io::stderr().is_terminal() {
                eprintln!("rdbtool: replaying {} ...", d.name);
            }
            d.aof = Some(load_aof(&d.source()?)?);
        }
        Ok(d)
    }

    fn source(&self) -> Result<Source> {
        let mut s = Source::open(&self.path)?;
        s.name.clone_from(&self.name);
        s.allow_future = self.allow_future;
        s.keep_expired = self.keep_expired;
        s.skip_unknown = self.skip_unknown;
        Ok(s)
    }

    /// Whether the dataset stores streams' `entries_added`, `max_deleted_id` and groups'
    /// `entries_read` (RDB 10 and later), rather than leaving them to be derived.
    fn stores_stream_counters(&self) -> bool {
        let old = |v: Version| v.flavor == Flavor::Redis && v.number < 10;
        match (&self.aof, self.kind) {
            (Some(a), _) => !a.rdb_version.is_some_and(old),
            (None, Kind::Rdb) => {
                let mut head = [0u8; 9];
                let read =
                    std::fs::File::open(&self.path).and_then(|mut f| f.read_exact(&mut head));
                let number = std::str::from_utf8(head.get(5..).unwrap_or_default())
                    .ok()
                    .and_then(|s| s.parse::<u32>().ok());
                !(read.is_ok() && head.starts_with(b"REDIS") && number.is_some_and(|n| n < 10))
            }
            (None, _) => true,
        }
    }

    fn feed<V: Visitor>(&self, v: &mut V, skip_corrupt: bool) -> Result<()> {
        match &self.aof {
            Some(a) => feed_keyspace(a, self.keep_expired, &self.name, v),
            None => {
                let status = feed(self.source()?, v, skip_corrupt)?;
                checksum_policy(status, &self.name, skip_corrupt)
            }
        }
    }

    fn describe(&self, version: Option<Version>) -> String {
        let kind = match (self.kind, version) {
            (Kind::Rdb, Some(v)) => match v.flavor {
                Flavor::Redis => format!("RDB {}", v.number),
                Flavor::Valkey => format!("Valkey RDB {}", v.number),
            },
            (Kind::Rdb, None) => "RDB".to_string(),
            (Kind::Aof, _) => "AOF".to_string(),
            (Kind::Jsonl, _) => "JSON Lines".to_string(),
        };
        format!("{} ({kind})", self.name)
    }
}

#[derive(Default, Debug)]
struct Counts {
    keys_a: u64,
    keys_b: u64,
    only_a: u64,
    only_b: u64,
    changed: u64,
    types: u64,
    ttls: u64,
    values: u64,
}

impl Counts {
    fn differences(&self) -> u64 {
        self.only_a + self.only_b + self.changed
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Phase {
    /// Pass 1: digests of A.
    IndexA,
    /// Pass 2: B against them.
    CompareB,
    /// Pass 3: report keys only in A, keep changed values.
    ReportA,
    /// Pass 4: report keys only in B, compare the kept values in full.
    ReportB,
}

/// What the passes share.
struct State {
    filter: Filter,
    scope: Scope,
    keys_only: bool,
    ignore_ttl: bool,
    tolerance: i64,
    skip_corrupt: bool,
    /// Bytes of A's changed values held at once (pass 3), besides the one value that
    /// may exceed it alone.
    budget: usize,
    fmt: DiffFormat,
    /// A's keys (passes 1 and 2).
    index: Index,
    /// B's keys waiting to be compared (pass 2).
    batch: Vec<Entry>,
    /// The keys that differ (B-only ones from pass 2 on, all from pass 3 on).
    diffs: Diffs,
    counts: Counts,
    /// The first pass of each kind reports the keys only on one side.
    round: u32,
    /// A's values of changed keys, for pass 4.
    kept: HashMap<Fp, Record>,
    kept_bytes: usize,
    version_a: Option<Version>,
    version_b: Option<Version>,
    skipped: u64,
    buf: Vec<u8>,
    out: Output,
}

impl State {
    /// Compares the queued keys of B with A's.
    fn compare_batch(&mut self) {
        let batch = std::mem::take(&mut self.batch);
        let fps: Vec<Fp> = batch.iter().map(|b| b.fp).collect();
        let (keys_only, ignore_ttl, tolerance) = (self.keys_only, self.ignore_ttl, self.tolerance);
        let mut only_b = Vec::new();
        let c = &mut self.counts;
        self.index.get_batch(&fps, |i, e| {
            let Some(b) = batch.get(i) else { return };
            let Some(e) = e else {
                only_b.push(*b);
                return;
            };
            if e.flags & MATCHED != 0 {
                e.flags |= SEEN_TWICE;
                return;
            }
            let mut flags = MATCHED;
            if e.ty != b.ty {
                flags |= TYPE_CHANGED;
            } else if !keys_only && e.digest != b.digest {
                flags |= VALUE_CHANGED;
            }
            if !keys_only && !ignore_ttl && ttl_differs(e.expire, b.expire, tolerance) {
                flags |= TTL_CHANGED;
            }
            if flags & CHANGES != 0 {
                c.changed += 1;
            }
            c.types += u64::from(flags & TYPE_CHANGED != 0);
            c.ttls += u64::from(flags & TTL_CHANGED != 0);
            c.values += u64::from(flags & VALUE_CHANGED != 0);
            e.flags |= flags;
        });
        self.counts.only_b += only_b.len() as u64;
        for mut b in only_b {
            b.flags = ONLY_IN_B;
            self.diffs.insert(b.fp, b);
        }
        self.batch = batch;
        self.batch.clear();
    }

    fn emit(&mut self, d: &KeyDiff<'_>) -> formats::Result<()> {
        match self.fmt {
            DiffFormat::Jsonl => render::jsonl(&mut self.buf, d),
            DiffFormat::Text => render::text(&mut self.buf, d),
        }
        if self.buf.len() >= FLUSH_AT {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        Ok(())
    }
}

fn ttl_differs(a: i64, b: i64, tolerance: i64) -> bool {
    match (a == NO_EXPIRE, b == NO_EXPIRE) {
        (true, true) => false,
        (false, false) => a.abs_diff(b) > tolerance as u64,
        _ => true,
    }
}

fn expire_code(e: Option<i64>) -> i64 {
    e.unwrap_or(NO_EXPIRE)
}

fn expire_of(code: i64) -> Option<i64> {
    (code != NO_EXPIRE).then_some(code)
}

/// A rough size of a kept value, for the budget.
fn weight(r: &Record) -> usize {
    const PER_ELEMENT: usize = 24;
    r.key.len()
        + match &r.value {
            Value::String(s) => s.len(),
            Value::List(s) | Value::Set(s) => s.byte_len() + s.len() * PER_ELEMENT,
            Value::Zset(z) => z.members.byte_len() + z.len() * (PER_ELEMENT + 8),
            Value::Hash(h) => {
                h.fields.byte_len() + h.values.byte_len() + h.len() * (2 * PER_ELEMENT + 16)
            }
            Value::Stream(s) => s.fv.byte_len() + s.fv.len() * PER_ELEMENT + s.ids.len() * 20,
            Value::Module(m) => m.raw.len(),
        }
}

/// The reader's visitor for every pass.
struct Walker<'s> {
    phase: Phase,
    st: &'s mut State,
    progress: Progress,
    active: bool,
    db: u64,
    ty: DataType,
    expire: Option<i64>,
    fp: Fp,
    digest: Digest,
    /// Collecting the current key's whole value (passes 3 and 4).
    collecting: bool,
    col: Collector,
    /// Pass 3: the budget is spent; the rest waits for another round.
    full: bool,
    /// Pass 3: changed values left for another round.
    left: u64,
}

impl<'s> Walker<'s> {
    fn new(phase: Phase, st: &'s mut State, progress: Progress) -> Self {
        let scope = st.scope;
        Walker {
            phase,
            st,
            progress,
            active: false,
            db: 0,
            ty: DataType::String,
            expire: None,
            fp: [0; 2],
            digest: Digest::new(scope),
            collecting: false,
            col: Collector::new(),
            full: false,
            left: 0,
        }
    }

    fn digesting(&self) -> bool {
        self.active && !self.st.keys_only && matches!(self.phase, Phase::IndexA | Phase::CompareB)
    }

    /// Pass 2: queues B's key; keys are compared with A's by batches.
    fn queue(&mut self) {
        let digest = if self.st.keys_only {
            0
        } else {
            self.digest.finish(self.ty)
        };
        self.st.counts.keys_b += 1;
        self.st.batch.push(Entry {
            fp: self.fp,
            digest,
            expire: expire_code(self.expire),
            ty: type_code(self.ty),
            flags: 0,
        });
        if self.st.batch.len() >= BATCH {
            self.st.compare_batch();
        }
    }

    fn begin_report_a(&mut self, k: &KeyInfo<'_>) -> formats::Result<()> {
        let Some(e) = self.st.diffs.get(&self.fp).copied() else {
            return Ok(());
        };
        if e.flags & ONLY_IN_B != 0 {
            return Ok(());
        }
        if e.flags & MATCHED == 0 {
            if self.st.round == 1 {
                self.st.emit(&KeyDiff {
                    db: k.db,
                    key: k.key,
                    status: Status::OnlyInA,
                    a: Some(Side {
                        ty: k.data_type,
                        expire_ms: k.expire_ms,
                    }),
                    b: None,
                    type_changed: false,
                    ttl_changed: false,
                    value: None,
                })?;
            }
        } else if e.flags & VALUE_CHANGED != 0 && e.flags & DONE == 0 {
            if self.full {
                self.left += 1;
            } else {
                self.collecting = true;
                self.col.begin_key(k);
            }
        }
        Ok(())
    }

    fn begin_report_b(&mut self, k: &KeyInfo<'_>) -> formats::Result<()> {
        let b = Some(Side {
            ty: k.data_type,
            expire_ms: k.expire_ms,
        });
        let first = self.st.round == 1;
        match self.st.diffs.get(&self.fp).copied() {
            // (In later rounds, B-only keys match no arm: they carry no change flag.)
            Some(e) if first && e.flags & ONLY_IN_B != 0 => self.st.emit(&KeyDiff {
                db: k.db,
                key: k.key,
                status: Status::OnlyInB,
                a: None,
                b,
                type_changed: false,
                ttl_changed: false,
                value: None,
            })?,
            Some(e) if e.flags & VALUE_CHANGED != 0 => {
                // Kept in this round's pass 3, or left for a later one.
                self.collecting = self.st.kept.contains_key(&self.fp);
                if self.collecting {
                    self.col.begin_key(k);
                }
            }
            Some(e) if first && e.flags & CHANGES != 0 => self.st.emit(&KeyDiff {
                db: k.db,
                key: k.key,
                status: Status::Changed,
                a: Some(Side {
                    ty: type_of(e.ty),
                    expire_ms: expire_of(e.expire),
                }),
                b,
                type_changed: e.flags & TYPE_CHANGED != 0,
                ttl_changed: e.flags & TTL_CHANGED != 0,
                value: None,
            })?,
            _ => {}
        }
        Ok(())
    }

    fn end_collected(&mut self) -> formats::Result<()> {
        let rec = std::mem::take(self.col.record_mut());
        match self.phase {
            Phase::ReportA => {
                let w = weight(&rec);
                self.st.kept_bytes += w;
                self.st.kept.insert(self.fp, rec);
                if let Some(e) = self.st.diffs.get_mut(&self.fp) {
                    e.flags |= DONE;
                }
                if self.st.kept_bytes >= self.st.budget {
                    self.full = true;
                }
            }
            _ => {
                let Some(a) = self.st.kept.remove(&self.fp) else {
                    return Ok(());
                };
                let flags = self.st.diffs.get(&self.fp).map_or(0, |e| e.flags);
                let scope = self.st.scope;
                let d = KeyDiff {
                    db: rec.db,
                    key: &rec.key,
                    status: Status::Changed,
                    a: Some(Side {
                        ty: a.value.data_type(),
                        expire_ms: a.expire_ms,
                    }),
                    b: Some(Side {
                        ty: rec.value.data_type(),
                        expire_ms: rec.expire_ms,
                    }),
                    type_changed: false,
                    ttl_changed: flags & TTL_CHANGED != 0,
                    value: value::compare(&a.value, &rec.value, scope),
                };
                self.st.emit(&d)?;
                self.st.kept_bytes = self.st.kept_bytes.saturating_sub(weight(&a));
                *self.col.record_mut() = rec;
            }
        }
        Ok(())
    }
}

impl Visitor for Walker<'_> {
    fn header(&mut self, version: Version) -> formats::Result<()> {
        match self.phase {
            Phase::IndexA => self.st.version_a = Some(version),
            Phase::CompareB => self.st.version_b = Some(version),
            _ => {}
        }
        Ok(())
    }

    fn wants_string_values(&self) -> bool {
        !self.st.keys_only
    }

    fn begin_key(&mut self, k: &KeyInfo<'_>) -> formats::Result<()> {
        self.progress.set(k.offset);
        if interrupt::interrupted() {
            return Err(interrupt::error());
        }
        self.collecting = false;
        self.active = self.st.filter.accepts(k);
        if !self.active {
            return Ok(());
        }
        self.db = k.db;
        self.ty = k.data_type;
        self.expire = k.expire_ms;
        self.fp = fingerprint(k.db, k.key);
        match self.phase {
            Phase::IndexA | Phase::CompareB => {
                self.digest.begin();
                Ok(())
            }
            Phase::ReportA => self.begin_report_a(k),
            Phase::ReportB => self.begin_report_b(k),
        }
    }

    fn string(&mut self, v: &[u8]) -> formats::Result<()> {
        if self.digesting() {
            self.digest.string(v);
        } else if self.collecting {
            self.col.string(v);
        }
        Ok(())
    }

    fn list_element(&mut self, e: &[u8]) -> formats::Result<()> {
        if self.digesting() {
            self.digest.list_element(e);
        } else if self.collecting {
            self.col.list_element(e);
        }
        Ok(())
    }

    fn set_member(&mut self, m: &[u8]) -> formats::Result<()> {
        if self.digesting() {
            self.digest.set_member(m);
        } else if self.collecting {
            self.col.set_member(m);
        }
        Ok(())
    }

    fn zset_member(&mut self, m: &[u8], score: f64) -> formats::Result<()> {
        if self.digesting() {
            self.digest.zset_member(m, score);
        } else if self.collecting {
            self.col.zset_member(m, score);
        }
        Ok(())
    }

    fn hash_field(&mut self, f: &[u8], v: &[u8], ttl: Option<i64>) -> formats::Result<()> {
        if self.digesting() {
            self.digest.hash_field(f, v, ttl);
        } else if self.collecting {
            self.col.hash_field(f, v, ttl);
        }
        Ok(())
    }

    fn stream_entry(
        &mut self,
        id: StreamId,
        fields: &[(Elem<'_>, Elem<'_>)],
    ) -> formats::Result<()> {
        if self.digesting() {
            self.digest.stream_entry(id, fields);
        } else if self.collecting {
            self.col.stream_entry(id, fields);
        }
        Ok(())
    }

    fn stream_meta(&mut self, m: &StreamMeta) -> formats::Result<()> {
        if self.digesting() {
            self.digest.stream_meta(m);
        } else if self.collecting {
            self.col.stream_meta(m);
        }
        Ok(())
    }

    fn stream_group(&mut self, g: &StreamGroup) -> formats::Result<()> {
        if self.digesting() {
            self.digest.stream_group(g);
        } else if self.collecting {
            self.col.stream_group(g);
        }
        Ok(())
    }

    fn module_value(&mut self, m: &ModuleData<'_>) -> formats::Result<()> {
        if self.digesting() {
            self.digest.module_value(m.name, m.raw);
        } else if self.collecting {
            self.col.module_value(m);
        }
        Ok(())
    }

    fn end_key(&mut self) -> formats::Result<()> {
        if !std::mem::take(&mut self.active) {
            return Ok(());
        }
        match self.phase {
            Phase::IndexA => {
                let digest = if self.st.keys_only {
                    0
                } else {
                    self.digest.finish(self.ty)
                };
                self.st.index.push(Entry {
                    fp: self.fp,
                    digest,
                    expire: expire_code(self.expire),
                    ty: type_code(self.ty),
                    flags: 0,
                });
                self.st.counts.keys_a += 1;
            }
            Phase::CompareB => self.queue(),
            Phase::ReportA | Phase::ReportB => {
                if std::mem::take(&mut self.collecting) {
                    self.end_collected()?;
                }
            }
        }
        Ok(())
    }

    fn key_error(&mut self, err: formats::Error) -> formats::Result<()> {
        if !self.st.skip_corrupt || err.offset.is_none() {
            return Err(err);
        }
        self.active = false;
        self.collecting = false;
        // Reported once, in the pass that first reads each side.
        if matches!(self.phase, Phase::IndexA | Phase::CompareB) {
            self.st.skipped += 1;
            eprintln!("rdbtool: skipped damaged key: {err}");
        }
        Ok(())
    }
}

fn diff(a: DiffArgs) -> Result<Exit> {
    let filter = Filter::new(&a.filter)?;
    if a.a.as_os_str() == "-" && a.b.as_os_str() == "-" {
        bail!("only one of the two datasets can be standard input (-)");
    }
    if let Some(o) = &a.output
        && o.as_os_str() != "-"
        && (same_file(&a.a, o) || same_file(&a.b, o))
    {
        bail!(
            "refusing to overwrite an input, {}, with the output",
            o.display()
        );
    }
    interrupt::install();
    let da = Dataset::open(&a.a, &a, "A")?;
    let db = Dataset::open(&a.b, &a, "B")?;
    let out = Output::open(a.output.as_deref()).with_context(|| {
        format!(
            "cannot create {}",
            a.output.as_deref().unwrap_or("-".as_ref()).display()
        )
    })?;
    let tolerance = a.ttl_tolerance.unwrap_or(0);
    let mut st = State {
        filter,
        scope: Scope {
            field_ttls: !a.ignore_ttl,
            stream_counters: da.stores_stream_counters() && db.stores_stream_counters(),
        },
        keys_only: a.keys_only,
        ignore_ttl: a.ignore_ttl,
        tolerance: i64::try_from(tolerance).unwrap_or(i64::MAX),
        skip_corrupt: a.skip_corrupt,
        budget: a.collect_budget,
        fmt: a.format,
        index: Index::default(),
        batch: Vec::with_capacity(BATCH),
        diffs: Diffs::default(),
        counts: Counts::default(),
        round: 1,
        kept: HashMap::new(),
        kept_bytes: 0,
        version_a: None,
        version_b: None,
        skipped: 0,
        buf: Vec::with_capacity(FLUSH_AT + 4096),
        out,
    };
    let bar = |d: &Dataset| Progress::new(d.size, !a.quiet && d.size.is_some());

    pass(&da, Phase::IndexA, &mut st, bar(&da))?;
    let dups = st.index.seal();
    if dups > 0 {
        eprintln!(
            "rdbtool: warning: {}: {dups} key(s) stored twice; the first is compared",
            da.name
        );
    }
    pass(&db, Phase::CompareB, &mut st, bar(&db))?;
    let c = &st.counts;
    if c.differences() == 0 {
        if !a.quiet && io::stderr().is_terminal() {
            eprintln!("rdbtool: no differences ({} keys compared)", c.keys_a);
        }
        st.out.finish().context("writing output")?;
        return Ok(Exit::Ok);
    }
    if st.fmt == DiffFormat::Text {
        let summary = format!(
            "--- A: {}: {} keys\n+++ B: {}: {} keys\n{} only in A, {} only in B, {} changed \
             ({} type, {} value, {} ttl)\n\n",
            da.describe(st.version_a),
            c.keys_a,
            db.describe(st.version_b),
            c.keys_b,
            c.only_a,
            c.only_b,
            c.changed,
            c.types,
            c.values,
            c.ttls,
        );
        st.buf.extend_from_slice(summary.as_bytes());
    }
    loop {
        let left = pass(&da, Phase::ReportA, &mut st, bar(&da))?;
        pass(&db, Phase::ReportB, &mut st, bar(&db))?;
        st.kept.clear();
        st.kept_bytes = 0;
        if left == 0 {
            break;
        }
        st.round += 1;
    }
    st.flush().context("writing output")?;
    if st.skipped > 0 {
        eprintln!("rdbtool: {} damaged key(s) skipped", st.skipped);
    }
    st.out.finish().context("writing output")?;
    Ok(Exit::Negative)
}

/// Runs one pass over a side; returns the changed values left for another round.
fn pass(d: &Dataset, phase: Phase, st: &mut State, progress: Progress) -> Result<u64> {
    let skip_corrupt = st.skip_corrupt;
    let mut w = Walker::new(phase, st, progress);
    let r = d.feed(&mut w, skip_corrupt);
    w.progress.finish();
    r?;
    let left = w.left;
    if phase == Phase::CompareB {
        st.compare_batch();
        st.counts.only_a = st.index.iter().filter(|e| e.flags & MATCHED == 0).count() as u64;
        // From here on only the keys that differ are looked up.
        let only_b = std::mem::take(&mut st.diffs);
        st.diffs = std::mem::take(&mut st.index).into_diffs(only_b);
    }
    Ok(left)
}

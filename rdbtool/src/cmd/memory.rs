//! `rdbtool memory`: what each key of a dataset takes in a Redis server's memory (what
//! `MEMORY USAGE key SAMPLES 0` reports there), per key (CSV, JSON Lines) or as a
//! summary (text, JSON): totals by db, type, encoding, TTL and key prefix, the biggest
//! keys, and an estimate of the server's `used_memory`.
//!
//! Streamed: a key is costed as its elements go by ([`Estimator`]); what is kept is
//! a few counters per db, type, encoding and prefix, and a heap of the N biggest keys.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use anyhow::{Context as _, Result, bail};
use formats::cli::output::{Output, same_file};
use formats::cli::progress::Progress;
use formats::cli::time::iso8601_ms;
use formats::cli::{Exit, interrupt, json};
use formats::escape::write_escaped;
use formats::rdb::encodings::Elem;
use formats::rdb::read::{KeyInfo, ModuleData, StreamGroup, StreamId, Visitor};
use formats::rdb::write::Rules;
use formats::rdb::{DataType, Version};

use crate::cli::{MemoryAllocator, MemoryArgs, MemoryFormat};
use crate::dataset::{Interrupted, Kind, Source, checksum_policy, feed};
use crate::filter::{Filter, now_ms};
use crate::input;
use crate::memsize::{Allocator, Estimator, KeyCost, Model, Release};

/// Per-key output is handed to the writer once this much is buffered.
const FLUSH_AT: usize = 1 << 20;
/// Keys listed in a summary without `--top`.
const DEFAULT_TOP: usize = 10;
/// Prefixes listed in the text summary (the JSON summary has them all).
const TEXT_PREFIXES: usize = 20;

pub fn run(a: MemoryArgs) -> Result<Exit> {
    match memory(a) {
        Err(e) if e.downcast_ref::<Interrupted>().is_some() || interrupt::interrupted() => {
            eprintln!("rdbtool: interrupted");
            Ok(Exit::Interrupted)
        }
        r => r,
    }
}

fn memory(a: MemoryArgs) -> Result<Exit> {
    let filter = Filter::new(&a.filter)?;
    let mut rules = Rules::default();
    for t in &a.thresholds {
        let (name, value) = t
            .split_once('=')
            .with_context(|| format!("--threshold {t:?}: expected NAME=VALUE"))?;
        let value: i64 = value
            .trim()
            .parse()
            .with_context(|| format!("--threshold {t:?}: the value is not an integer"))?;
        rules
            .set(name.trim(), value)
            .map_err(|e| anyhow::anyhow!("--threshold {t:?}: {e}"))?;
    }
    let fixed = match &a.redis_version {
        None => None,
        Some(s) => match Release::parse(s) {
            Some((r, exact)) => {
                if !exact {
                    eprintln!(
                        "rdbtool: note: Redis {s} is estimated with the Redis {} model",
                        r.name()
                    );
                }
                Some(r)
            }
            None => bail!("--redis-version {s:?}: expected a release such as 7.0 or 7.2.4"),
        },
    };
    let allocator = match a.allocator {
        MemoryAllocator::Jemalloc => Allocator::Jemalloc,
        MemoryAllocator::Jemalloc16 => Allocator::Jemalloc16,
        MemoryAllocator::Libc => Allocator::Libc,
    };
    let prefix = match &a.by_prefix {
        Some(sep) if sep.is_empty() => bail!("--by-prefix: the separator is empty"),
        Some(sep) => Some(Prefixes {
            sep: sep.as_bytes().to_vec(),
            depth: a.depth as usize,
            map: HashMap::new(),
        }),
        None => None,
    };
    interrupt::install();
    let path = input::resolve(a.input.as_deref())?;
    if let Some(o) = &a.output
        && o.as_os_str() != "-"
        && same_file(&path, o)
    {
        bail!(
            "refusing to overwrite the input {} with the output",
            o.display()
        );
    }
    let source = Source {
        allow_future: a.allow_future_version,
        ..Source::open(&path)?
    };
    let mut out = Output::open(a.output.as_deref()).with_context(|| {
        format!(
            "cannot create {}",
            a.output.as_deref().unwrap_or("-".as_ref()).display()
        )
    })?;
    let progress = Progress::new(source.size, !a.quiet && source.size.is_some());
    let per_key = matches!(a.format, MemoryFormat::Csv | MemoryFormat::Jsonl);
    let top_n = match (per_key, a.top) {
        (true, n) => n,
        (false, n) => Some(n.unwrap_or(DEFAULT_TOP)),
    };
    // RDB input: the model follows the file's version, known at its header.
    let release = fixed.or(match source.kind {
        Kind::Rdb => None,
        Kind::Aof | Kind::Jsonl => Some(Release::R70),
    });
    let name = source.name.clone();
    let kind = source.kind;
    let by_commands = kind == Kind::Aof && commands_outweigh_rdb(&path);
    let mut v = Memory {
        release,
        allocator,
        rules,
        by_commands,
        est: None,
        version: None,
        filter,
        progress,
        skip_corrupt: a.skip_corrupt,
        skipped: 0,
        active: false,
        db: 0,
        key: Vec::new(),
        data_type: DataType::String,
        expire_ms: None,
        fmt: a.format,
        stream_rows: per_key && top_n.is_none(),
        out: &mut out,
        buf: Vec::with_capacity(FLUSH_AT + 4096),
        top: top_n.map(Top::new),
        agg: Aggregates::new(prefix),
        now_ms: now_ms(),
    };
    if v.fmt == MemoryFormat::Csv {
        v.buf.extend_from_slice(
            b"database,type,key,size_in_bytes,encoding,num_elements,len_largest_element,expiry\n",
        );
    }
    let r = feed(source, &mut v, a.skip_corrupt);
    v.progress.finish();
    let status = r?;
    checksum_policy(status, &name, a.skip_corrupt)?;
    v.finish(&name, kind)?;
    if v.skipped > 0 {
        eprintln!("rdbtool: {} damaged key(s) skipped", v.skipped);
    }
    out.finish().context("writing output")?;
    Ok(Exit::Ok)
}

/// Whether an AOF's RESP commands outweigh (in bytes) its RDB part: replaying them
/// builds most keys, rather than loading the RDB base or preamble. A single file with
/// an RDB preamble counts as RDB.
fn commands_outweigh_rdb(path: &Path) -> bool {
    use formats::aof::check::{Layout, detect};
    let size = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len());
    match detect(path) {
        Ok(Layout::Resp(_)) => true,
        Ok(Layout::RdbPreamble(_)) | Err(_) => false,
        Ok(Layout::MultiPart { dir, manifest, .. }) => {
            let (mut rdb, mut resp) = (0, 0);
            for e in manifest.base().into_iter().chain(manifest.incrs()) {
                let p = dir.join(std::ffi::OsStr::from_bytes(&e.file));
                let mut head = [0u8; 5];
                let is_rdb = std::fs::File::open(&p)
                    .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
                    .is_ok()
                    && head == *b"REDIS";
                if is_rdb {
                    rdb += size(&p);
                } else {
                    resp += size(&p);
                }
            }
            resp > rdb
        }
    }
}

/// Keys and bytes of a group.
#[derive(Debug, Default, Clone, Copy)]
struct Agg {
    keys: u64,
    bytes: u64,
}

impl Agg {
    fn add(&mut self, bytes: u64) {
        self.keys += 1;
        self.bytes += bytes;
    }
}

struct Prefixes {
    sep: Vec<u8>,
    depth: usize,
    map: HashMap<Vec<u8>, Agg>,
}

impl Prefixes {
    /// The key up to (and with) its `depth`-th separator, or its last one.
    fn of<'k>(&self, key: &'k [u8]) -> &'k [u8] {
        let mut end = 0;
        let mut found = 0;
        let mut at = 0;
        while found < self.depth {
            let rest = key.get(at..).unwrap_or_default();
            match rest.windows(self.sep.len()).position(|w| w == self.sep) {
                Some(i) => {
                    end = at + i + self.sep.len();
                    at = end;
                    found += 1;
                }
                None => break,
            }
        }
        key.get(..end).unwrap_or_default()
    }
}

/// TTL buckets: no TTL, expired, < 1 hour, < 1 day, < 7 days, longer.
const TTL_BUCKETS: [&str; 6] = ["none", "expired", "<1h", "<1d", "<7d", ">=7d"];

struct Aggregates {
    total: Agg,
    alloc: u64,
    /// Keys, bytes and keys with a TTL per db.
    by_db: BTreeMap<u64, (Agg, u64)>,
    /// The current db's counters (added to `by_db` when the db changes and at the end):
    /// keys come db by db.
    cur_db: Option<(u64, Agg, u64)>,
    by_type: BTreeMap<&'static str, Agg>,
    /// (type, encoding) pairs: a handful, searched linearly.
    by_encoding: Vec<((&'static str, &'static str), Agg)>,
    ttl: [Agg; 6],
    prefixes: Option<Prefixes>,
}

impl Aggregates {
    fn new(prefixes: Option<Prefixes>) -> Self {
        Aggregates {
            total: Agg::default(),
            alloc: 0,
            by_db: BTreeMap::new(),
            cur_db: None,
            by_type: BTreeMap::new(),
            by_encoding: Vec::new(),
            ttl: [Agg::default(); 6],
            prefixes,
        }
    }

    fn add(&mut self, db: u64, t: &'static str, cost: &KeyCost, expires: bool) {
        self.total.add(cost.usage);
        self.alloc += cost.alloc;
        match &mut self.cur_db {
            Some((d, a, e)) if *d == db => {
                a.add(cost.usage);
                *e += u64::from(expires);
            }
            cur => {
                if let Some((d, a, e)) = cur.take() {
                    let x = self.by_db.entry(d).or_default();
                    x.0.keys += a.keys;
                    x.0.bytes += a.bytes;
                    x.1 += e;
                }
                let mut a = Agg::default();
                a.add(cost.usage);
                *cur = Some((db, a, u64::from(expires)));
            }
        }
        let pair = (t, cost.encoding);
        match self.by_encoding.iter_mut().find(|(p, _)| *p == pair) {
            Some((_, a)) => a.add(cost.usage),
            None => {
                let mut a = Agg::default();
                a.add(cost.usage);
                self.by_encoding.push((pair, a));
            }
        }
    }

    /// Folds the per-key counters into the tables (before reading them).
    fn settle(&mut self) {
        if let Some((d, a, e)) = self.cur_db.take() {
            let x = self.by_db.entry(d).or_default();
            x.0.keys += a.keys;
            x.0.bytes += a.bytes;
            x.1 += e;
        }
        self.by_encoding.sort_by(|a, b| a.0.cmp(&b.0));
        self.by_type.clear();
        for ((t, _), a) in &self.by_encoding {
            let x = self.by_type.entry(t).or_default();
            x.keys += a.keys;
            x.bytes += a.bytes;
        }
    }
}

/// One key as listed among the biggest.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    db: u64,
    key: Vec<u8>,
    data_type: &'static str,
    cost: KeyCost,
    expire_ms: Option<i64>,
}

/// A key in the heap: ordered by size, then earlier keys first.
#[derive(Debug, PartialEq, Eq)]
struct Ranked {
    usage: u64,
    seq: Reverse<u64>,
    row: Row,
}

impl Ord for Ranked {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        (self.usage, self.seq).cmp(&(o.usage, o.seq))
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}

/// The N biggest keys seen so far: a min-heap of at most N.
struct Top {
    n: usize,
    seq: u64,
    heap: BinaryHeap<Reverse<Ranked>>,
}

impl Top {
    fn new(n: usize) -> Top {
        Top {
            n,
            seq: 0,
            heap: BinaryHeap::with_capacity(n.min(1 << 16) + 1),
        }
    }

    /// Whether a key of `usage` bytes would enter.
    fn wants(&self, usage: u64) -> bool {
        self.n > 0
            && (self.heap.len() < self.n || self.heap.peek().is_some_and(|m| usage > m.0.usage))
    }

    fn push(&mut self, row: Row) {
        self.seq += 1;
        self.heap.push(Reverse(Ranked {
            usage: row.cost.usage,
            seq: Reverse(self.seq),
            row,
        }));
        if self.heap.len() > self.n {
            self.heap.pop();
        }
    }

    /// Biggest first.
    fn into_sorted(self) -> Vec<Row> {
        let mut v: Vec<Ranked> = self.heap.into_iter().map(|r| r.0).collect();
        v.sort_by(|a, b| b.cmp(a));
        v.into_iter().map(|r| r.row).collect()
    }
}

struct Memory<'w> {
    /// The modelled release, once known (RDB input: from its header).
    release: Option<Release>,
    allocator: Allocator,
    rules: Rules,
    by_commands: bool,
    est: Option<Estimator>,
    version: Option<Version>,
    filter: Filter,
    progress: Progress,
    skip_corrupt: bool,
    skipped: u64,
    // The key being read.
    active: bool,
    db: u64,
    key: Vec<u8>,
    data_type: DataType,
    expire_ms: Option<i64>,
    // Output.
    fmt: MemoryFormat,
    /// Per-key rows are written as keys end (csv/jsonl without --top).
    stream_rows: bool,
    out: &'w mut dyn Write,
    buf: Vec<u8>,
    top: Option<Top>,
    agg: Aggregates,
    now_ms: i64,
}

impl Memory<'_> {
    fn est(&mut self) -> &mut Estimator {
        let (release, allocator, rules) = (self.release, self.allocator, self.rules);
        let by_commands = self.by_commands;
        self.est.get_or_insert_with(|| {
            let mut m = Model::new(release.unwrap_or(Release::R70), allocator, rules);
            m.by_commands = by_commands;
            Estimator::new(m)
        })
    }

    fn ttl_bucket(&self, expire_ms: Option<i64>) -> usize {
        match expire_ms {
            None => 0,
            Some(e) => {
                let left = e.saturating_sub(self.now_ms);
                if left <= 0 {
                    1
                } else if left < 3_600_000 {
                    2
                } else if left < 86_400_000 {
                    3
                } else if left < 7 * 86_400_000 {
                    4
                } else {
                    5
                }
            }
        }
    }

    fn end_active_key(&mut self) -> formats::Result<()> {
        let cost = self.est().finish();
        let t = self.data_type.name();
        self.agg.add(self.db, t, &cost, self.expire_ms.is_some());
        let b = self.ttl_bucket(self.expire_ms);
        if let Some(x) = self.agg.ttl.get_mut(b) {
            x.add(cost.usage);
        }
        if let Some(p) = &mut self.agg.prefixes {
            let pre = p.of(&self.key);
            match p.map.get_mut(pre) {
                Some(x) => x.add(cost.usage),
                None => {
                    let mut x = Agg::default();
                    x.add(cost.usage);
                    p.map.insert(pre.to_vec(), x);
                }
            }
        }
        if self.stream_rows {
            write_row(
                &mut self.buf,
                self.fmt,
                self.db,
                &self.key,
                t,
                &cost,
                self.expire_ms,
            );
            if self.buf.len() >= FLUSH_AT {
                self.out.write_all(&self.buf)?;
                self.buf.clear();
            }
        }
        if let Some(top) = &mut self.top
            && top.wants(cost.usage)
        {
            top.push(Row {
                db: self.db,
                key: self.key.clone(),
                data_type: t,
                cost,
                expire_ms: self.expire_ms,
            });
        }
        Ok(())
    }

    /// Writes what is held to the end: the top keys (csv/jsonl) or the summary.
    fn finish(&mut self, name: &str, kind: Kind) -> Result<()> {
        self.agg.settle();
        let top = self.top.take().map(Top::into_sorted).unwrap_or_default();
        match self.fmt {
            MemoryFormat::Csv | MemoryFormat::Jsonl => {
                if !self.stream_rows {
                    for r in &top {
                        write_row(
                            &mut self.buf,
                            self.fmt,
                            r.db,
                            &r.key,
                            r.data_type,
                            &r.cost,
                            r.expire_ms,
                        );
                    }
                }
            }
            MemoryFormat::Json => {
                let s = self.summary(name, kind);
                self.write_json(&s, &top);
            }
            MemoryFormat::Text => {
                let s = self.summary(name, kind);
                let text = self.text(&s, &top);
                self.buf.extend_from_slice(text.as_bytes());
            }
        }
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        Ok(())
    }

    fn summary(&mut self, name: &str, kind: Kind) -> Summary {
        let model = self.est().model().clone();
        let db_tables: u64 = self
            .agg
            .by_db
            .values()
            .map(|(a, expires)| model.db_tables(a.keys, *expires))
            .sum();
        Summary {
            name: name.to_string(),
            kind,
            version: self.version,
            release: model.release,
            allocator: model.allocator,
            startup: model.startup(),
            db_tables,
            used_memory: model.startup() + self.agg.alloc + db_tables,
        }
    }

    fn share(&self, bytes: u64) -> f64 {
        if self.agg.total.bytes == 0 {
            0.0
        } else {
            bytes as f64 / self.agg.total.bytes as f64
        }
    }

    fn sorted_prefixes(&self) -> Vec<(&[u8], Agg)> {
        let mut v: Vec<(&[u8], Agg)> = match &self.agg.prefixes {
            Some(p) => p.map.iter().map(|(k, a)| (k.as_slice(), *a)).collect(),
            None => Vec::new(),
        };
        v.sort_by(|a, b| b.1.bytes.cmp(&a.1.bytes).then_with(|| a.0.cmp(b.0)));
        v
    }

    fn write_json(&mut self, s: &Summary, top: &[Row]) {
        let mut o = Vec::new();
        o.extend_from_slice(b"{\"dataset\":");
        json::write_str(&mut o, &s.name);
        o.extend_from_slice(b",\"format\":");
        json::write_str(&mut o, kind_name(s.kind));
        if let Some(v) = s.version {
            o.extend_from_slice(b",\"rdb_version\":");
            json::write_u64(&mut o, u64::from(v.number));
        }
        o.extend_from_slice(b",\"redis_version\":");
        json::write_str(&mut o, s.release.name());
        o.extend_from_slice(b",\"allocator\":");
        json::write_str(&mut o, s.allocator.name());
        o.extend_from_slice(b",\"keys\":");
        json::write_u64(&mut o, self.agg.total.keys);
        o.extend_from_slice(b",\"bytes\":");
        json::write_u64(&mut o, self.agg.total.bytes);
        o.extend_from_slice(b",\"used_memory\":{\"estimate\":");
        json::write_u64(&mut o, s.used_memory);
        o.extend_from_slice(b",\"startup\":");
        json::write_u64(&mut o, s.startup);
        o.extend_from_slice(b",\"keys\":");
        json::write_u64(&mut o, self.agg.alloc);
        o.extend_from_slice(b",\"db_tables\":");
        json::write_u64(&mut o, s.db_tables);
        o.extend_from_slice(b"}");
        let group = |o: &mut Vec<u8>, a: Agg, share: f64| {
            o.extend_from_slice(b",\"keys\":");
            json::write_u64(o, a.keys);
            o.extend_from_slice(b",\"bytes\":");
            json::write_u64(o, a.bytes);
            o.extend_from_slice(b",\"share\":");
            json::write_f64(o, (share * 1e6).round() / 1e6);
            o.push(b'}');
        };
        o.extend_from_slice(b",\"by_db\":[");
        for (i, (db, (a, _))) in self.agg.by_db.iter().enumerate() {
            comma(&mut o, i);
            o.extend_from_slice(b"{\"db\":");
            json::write_u64(&mut o, *db);
            group(&mut o, *a, self.share(a.bytes));
        }
        o.extend_from_slice(b"],\"by_type\":[");
        for (i, (t, a)) in self.agg.by_type.iter().enumerate() {
            comma(&mut o, i);
            o.extend_from_slice(b"{\"type\":");
            json::write_str(&mut o, t);
            group(&mut o, *a, self.share(a.bytes));
        }
        o.extend_from_slice(b"],\"by_encoding\":[");
        for (i, ((t, e), a)) in self.agg.by_encoding.iter().enumerate() {
            comma(&mut o, i);
            o.extend_from_slice(b"{\"type\":");
            json::write_str(&mut o, t);
            o.extend_from_slice(b",\"encoding\":");
            json::write_str(&mut o, e);
            group(&mut o, *a, self.share(a.bytes));
        }
        o.extend_from_slice(b"],\"ttl\":[");
        for (i, (b, a)) in TTL_BUCKETS.iter().zip(self.agg.ttl).enumerate() {
            comma(&mut o, i);
            o.extend_from_slice(b"{\"ttl\":");
            json::write_str(&mut o, b);
            group(&mut o, a, self.share(a.bytes));
        }
        o.push(b']');
        if self.agg.prefixes.is_some() {
            o.extend_from_slice(b",\"by_prefix\":[");
            for (i, (p, a)) in self.sorted_prefixes().into_iter().enumerate() {
                comma(&mut o, i);
                o.extend_from_slice(b"{\"prefix\":");
                json::write_bytes(&mut o, p);
                group(&mut o, a, self.share(a.bytes));
            }
            o.push(b']');
        }
        o.extend_from_slice(b",\"top\":[");
        for (i, r) in top.iter().enumerate() {
            comma(&mut o, i);
            write_json_row(&mut o, r.db, &r.key, r.data_type, &r.cost, r.expire_ms);
        }
        o.extend_from_slice(b"]}\n");
        self.buf.extend_from_slice(&o);
    }

    fn text(&self, s: &Summary, top: &[Row]) -> String {
        use std::fmt::Write as _;
        let mut t = String::new();
        let total = self.agg.total;
        let version = match s.version {
            Some(v) => format!(" (RDB {})", v.number),
            None => String::new(),
        };
        let _ = writeln!(
            t,
            "dataset      {} ({}{version})",
            s.name,
            kind_name(s.kind)
        );
        let _ = writeln!(
            t,
            "model        Redis {}, {} allocator",
            s.release.name(),
            s.allocator.name()
        );
        let _ = writeln!(t, "keys         {}", total.keys);
        let _ = writeln!(
            t,
            "memory       {} ({} bytes, the sum of MEMORY USAGE)",
            human(total.bytes),
            total.bytes
        );
        let _ = writeln!(
            t,
            "used_memory  {} estimated ({} at startup + {} allocated for the keys + {} of db \
             hash tables and expires)",
            human(s.used_memory),
            human(s.startup),
            human(self.agg.alloc),
            human(s.db_tables)
        );
        let table = |t: &mut String, title: &str, rows: Vec<(String, Agg)>| {
            let _ = writeln!(t, "\n{title}");
            let w = rows
                .iter()
                .map(|r| r.0.chars().count())
                .max()
                .unwrap_or(0)
                .max(4);
            for (name, a) in rows {
                let _ = writeln!(
                    t,
                    "  {name:<w$}  {:>10} keys  {:>12}  {:>6.2}%",
                    a.keys,
                    human(a.bytes),
                    100.0 * self.share(a.bytes)
                );
            }
        };
        table(
            &mut t,
            "by db",
            self.agg
                .by_db
                .iter()
                .map(|(db, (a, _))| (format!("db{db}"), *a))
                .collect(),
        );
        table(
            &mut t,
            "by type",
            self.agg
                .by_type
                .iter()
                .map(|(n, a)| (n.to_string(), *a))
                .collect(),
        );
        table(
            &mut t,
            "by encoding",
            self.agg
                .by_encoding
                .iter()
                .map(|((ty, e), a)| (format!("{ty} {e}"), *a))
                .collect(),
        );
        table(
            &mut t,
            "by TTL",
            TTL_BUCKETS
                .iter()
                .zip(self.agg.ttl)
                .map(|(b, a)| (b.to_string(), a))
                .collect(),
        );
        if let Some(p) = &self.agg.prefixes {
            let all = self.sorted_prefixes();
            let more = all.len().saturating_sub(TEXT_PREFIXES);
            let rows = all
                .into_iter()
                .take(TEXT_PREFIXES)
                .map(|(pre, a)| {
                    let name = if pre.is_empty() {
                        "(no separator)".to_string()
                    } else {
                        format!("{}*", text_key(pre))
                    };
                    (name, a)
                })
                .collect();
            let title = format!(
                "by prefix (separator {}, depth {})",
                text_key(&p.sep),
                p.depth
            );
            table(&mut t, &title, rows);
            if more > 0 {
                let _ = writeln!(
                    t,
                    "  ... and {more} more prefixes (--format json lists all)"
                );
            }
        }
        if !top.is_empty() {
            let _ = writeln!(t, "\nbiggest keys");
            for r in top {
                let _ = writeln!(
                    t,
                    "  {:>12}  db{} {} {} {} elements  {}",
                    human(r.cost.usage),
                    r.db,
                    r.data_type,
                    r.cost.encoding,
                    r.cost.elements,
                    text_key(&r.key)
                );
            }
        }
        t
    }
}

struct Summary {
    name: String,
    kind: Kind,
    version: Option<Version>,
    release: Release,
    allocator: Allocator,
    startup: u64,
    db_tables: u64,
    used_memory: u64,
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Rdb => "rdb",
        Kind::Aof => "aof",
        Kind::Jsonl => "jsonl",
    }
}

fn comma(o: &mut Vec<u8>, i: usize) {
    if i > 0 {
        o.push(b',');
    }
}

/// A key for the text summary: quoted and escaped as redis-cli shows it.
fn text_key(k: &[u8]) -> String {
    let mut s = String::from("\"");
    let _ = write_escaped(&mut s, k);
    s.push('"');
    s
}

fn human(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.2} {}", UNITS.get(u).unwrap_or(&"B"))
    }
}

fn write_row(
    out: &mut Vec<u8>,
    fmt: MemoryFormat,
    db: u64,
    key: &[u8],
    t: &str,
    c: &KeyCost,
    expire_ms: Option<i64>,
) {
    match fmt {
        MemoryFormat::Csv => write_csv_row(out, db, key, t, c, expire_ms),
        _ => {
            write_json_row(out, db, key, t, c, expire_ms);
            out.push(b'\n');
        }
    }
}

fn write_json_row(
    o: &mut Vec<u8>,
    db: u64,
    key: &[u8],
    t: &str,
    c: &KeyCost,
    expire_ms: Option<i64>,
) {
    o.extend_from_slice(b"{\"db\":");
    json::write_u64(o, db);
    o.extend_from_slice(b",\"key\":");
    json::write_bytes(o, key);
    o.extend_from_slice(b",\"type\":\"");
    o.extend_from_slice(t.as_bytes());
    o.extend_from_slice(b"\",\"encoding\":\"");
    o.extend_from_slice(c.encoding.as_bytes());
    o.extend_from_slice(b"\",\"size_in_bytes\":");
    json::write_u64(o, c.usage);
    o.extend_from_slice(b",\"num_elements\":");
    json::write_u64(o, c.elements);
    o.extend_from_slice(b",\"len_largest_element\":");
    json::write_u64(o, c.largest);
    o.extend_from_slice(b",\"expire_ms\":");
    match expire_ms {
        Some(e) => json::write_i64(o, e),
        None => o.extend_from_slice(b"null"),
    }
    o.push(b'}');
}

fn write_csv_row(
    o: &mut Vec<u8>,
    db: u64,
    key: &[u8],
    t: &str,
    c: &KeyCost,
    expire_ms: Option<i64>,
) {
    let mut n = itoa::Buffer::new();
    o.extend_from_slice(n.format(db).as_bytes());
    o.push(b',');
    o.extend_from_slice(t.as_bytes());
    o.push(b',');
    csv_key(o, key);
    o.push(b',');
    o.extend_from_slice(n.format(c.usage).as_bytes());
    o.push(b',');
    o.extend_from_slice(c.encoding.as_bytes());
    o.push(b',');
    o.extend_from_slice(n.format(c.elements).as_bytes());
    o.push(b',');
    o.extend_from_slice(n.format(c.largest).as_bytes());
    o.push(b',');
    if let Some(e) = expire_ms {
        o.extend_from_slice(iso8601_ms(e).as_bytes());
    }
    o.push(b'\n');
}

/// A key as CSV text (contract.md): UTF-8 kept, other bytes as `\xNN`, quoted as RFC
/// 4180 says when it holds a comma, a quote or a line break.
fn csv_key(o: &mut Vec<u8>, key: &[u8]) {
    let quote = key
        .iter()
        .any(|&b| matches!(b, b',' | b'"' | b'\r' | b'\n'));
    if quote {
        o.push(b'"');
    }
    for chunk in key.utf8_chunks() {
        for &b in chunk.valid().as_bytes() {
            if b == b'"' {
                o.push(b'"');
            }
            o.push(b);
        }
        for &b in chunk.invalid() {
            o.extend_from_slice(format!("\\x{b:02x}").as_bytes());
        }
    }
    if quote {
        o.push(b'"');
    }
}

impl Visitor for Memory<'_> {
    fn header(&mut self, version: Version) -> formats::Result<()> {
        self.version = Some(version);
        if self.release.is_none() {
            self.release = Some(Release::for_rdb(version));
        }
        Ok(())
    }

    fn begin_key(&mut self, k: &KeyInfo<'_>) -> formats::Result<()> {
        self.progress.set(k.offset);
        if interrupt::interrupted() {
            return Err(interrupt::error());
        }
        self.active = self.filter.accepts(k);
        if self.active {
            self.db = k.db;
            self.key.clear();
            self.key.extend_from_slice(k.key);
            self.data_type = k.data_type;
            self.expire_ms = k.expire_ms;
            self.est().begin(k);
        }
        Ok(())
    }

    fn string(&mut self, v: &[u8]) -> formats::Result<()> {
        if self.active {
            self.est().string(v);
        }
        Ok(())
    }

    fn list_element(&mut self, e: &[u8]) -> formats::Result<()> {
        if self.active {
            self.est().list_element(e);
        }
        Ok(())
    }

    fn set_member(&mut self, m: &[u8]) -> formats::Result<()> {
        if self.active {
            self.est().set_member(m);
        }
        Ok(())
    }

    fn zset_member(&mut self, m: &[u8], score: f64) -> formats::Result<()> {
        if self.active {
            self.est().zset_member(m, score);
        }
        Ok(())
    }

    fn hash_field(&mut self, f: &[u8], v: &[u8], ttl: Option<i64>) -> formats::Result<()> {
        if self.active {
            self.est().hash_field(f, v, ttl);
        }
        Ok(())
    }

    fn stream_entry(
        &mut self,
        id: StreamId,
        fields: &[(Elem<'_>, Elem<'_>)],
    ) -> formats::Result<()> {
        if self.active {
            self.est().stream_entry(id, fields);
        }
        Ok(())
    }

    fn stream_group(&mut self, g: &StreamGroup) -> formats::Result<()> {
        if self.active {
            self.est().stream_group(g);
        }
        Ok(())
    }

    fn module_value(&mut self, m: &ModuleData<'_>) -> formats::Result<()> {
        if self.active {
            self.est().module_value(m.raw.len());
        }
        Ok(())
    }

    fn end_key(&mut self) -> formats::Result<()> {
        if std::mem::take(&mut self.active) {
            self.end_active_key()?;
        }
        Ok(())
    }

    fn key_error(&mut self, err: formats::Error) -> formats::Result<()> {
        if !self.skip_corrupt || err.offset.is_none() {
            return Err(err);
        }
        self.active = false;
        self.skipped += 1;
        eprintln!("rdbtool: skipped damaged key: {err}");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_keys_are_escaped_and_quoted() {
        let mut o = Vec::new();
        csv_key(&mut o, b"plain:1");
        o.push(b'|');
        csv_key(&mut o, b"a,b\"c");
        o.push(b'|');
        csv_key(&mut o, "é\u{1}\n".as_bytes());
        o.push(b'|');
        csv_key(&mut o, b"k\xff\x00");
        assert_eq!(
            String::from_utf8(o).unwrap(),
            "plain:1|\"a,b\"\"c\"|\"é\u{1}\n\"|k\\xff\u{0}"
        );
    }

    #[test]
    fn prefixes_stop_at_the_depth_th_separator() {
        let p = |depth| Prefixes {
            sep: b"::".to_vec(),
            depth,
            map: HashMap::new(),
        };
        assert_eq!(p(1).of(b"a::b::c"), b"a::");
        assert_eq!(p(2).of(b"a::b::c"), b"a::b::");
        assert_eq!(p(3).of(b"a::b::c"), b"a::b::");
        assert_eq!(p(1).of(b"abc"), b"");
    }

    #[test]
    fn top_keeps_the_biggest_and_the_first_of_equals() {
        let row = |k: &str, usage| Row {
            db: 0,
            key: k.as_bytes().to_vec(),
            data_type: "string",
            cost: KeyCost {
                usage,
                alloc: usage,
                encoding: "raw",
                elements: 1,
                largest: 1,
            },
            expire_ms: None,
        };
        let mut t = Top::new(2);
        for (k, u) in [("a", 5), ("b", 9), ("c", 5), ("d", 7), ("e", 9)] {
            if t.wants(u) {
                t.push(row(k, u));
            }
        }
        let keys: Vec<Vec<u8>> = t.into_sorted().into_iter().map(|r| r.key).collect();
        assert_eq!(keys, vec![b"b".to_vec(), b"e".to_vec()]);
    }
}

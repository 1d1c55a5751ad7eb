//! `rdbtool convert`: a dataset (RDB of any version, or JSON Lines) to an RDB of a
//! chosen version, a single-file AOF, a multi-part AOF directory, or JSON Lines.
//!
//! RDB output holds one key at a time: the reader's callbacks fill a [`Collector`],
//! and at the key's end the record is checked against the target ([`losses`]), turned
//! into its closest equivalent with `--lossy`, and written in the encoding the target
//! Redis would choose. A damaged key under `--skip-corrupt` is dropped whole, since
//! nothing of a key is written before its end.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use formats::aof::manifest::{Entry, FileType, Manifest};
use formats::cli::output::{Output, same_file};
use formats::cli::progress::Progress;
use formats::cli::{Exit, interrupt};
use formats::error::{Doing, ErrorKind, KeyPreview};
use formats::rdb::encodings::Elem;
use formats::rdb::read::{
    FunctionPreGa, KeyInfo, ModuleData, StreamGroup, StreamId, StreamMeta, Visitor,
};
use formats::rdb::value::Collector;
use formats::rdb::write::{Rules, Writer, WriterOptions, choose, degrade, losses};
use formats::rdb::{Flavor, Version};

use super::dump::{Dump, DumpVisitor};
use super::resp::RespDump;
use crate::cli::{ConvertArgs, ConvertTo, DumpFormat, Preamble};
use crate::dataset::{Interrupted, JSONL_DEFAULT_VERSION, Kind, Source, checksum_policy, feed};
use crate::filter::Filter;

pub fn run(a: ConvertArgs) -> Result<Exit> {
    match convert(a) {
        // Outputs were dropped unfinished on the way here: temporaries are removed.
        Err(e) if e.downcast_ref::<Interrupted>().is_some() || interrupt::interrupted() => {
            eprintln!("rdbtool: interrupted");
            Ok(Exit::Interrupted)
        }
        r => r,
    }
}

fn convert(a: ConvertArgs) -> Result<Exit> {
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
    let target = target_version(&a)?;
    let to = a.to.unwrap_or_else(|| by_extension(&a.output));
    interrupt::install();
    let path = a.input.clone();
    if a.output.as_os_str() != "-" && same_file(&path, &a.output) {
        bail!(
            "refusing to overwrite the input {} with the output",
            a.output.display()
        );
    }
    let source = Source {
        keep_expired: a.keep_expired,
        skip_unknown: a.skip_unknown,
        allow_future: a.allow_future_version,
        ..Source::open(&path)?
    };
    let progress = Progress::new(source.size, !a.quiet && source.size.is_some());
    let opts = WriterOptions {
        compress: !a.no_compress,
        checksum: !a.no_checksum,
    };
    let settings = RdbSettings {
        target,
        target_release: a.target_redis.clone().or(a.target_valkey.clone()),
        opts,
        rules,
        lossy: a.lossy,
        skip_corrupt: a.skip_corrupt,
        quiet: a.quiet,
        aof: AofRole::None,
        valkey: a.target_valkey.is_some(),
    };
    match to {
        ConvertTo::Rdb => {
            let out = open_output(&a.output)?;
            let out = to_rdb(source, out, filter, settings, progress)?;
            out.finish().context("writing output")?;
        }
        ConvertTo::Aof if a.preamble == Some(Preamble::Rdb) => {
            let out = open_output(&a.output)?;
            let settings = RdbSettings {
                aof: AofRole::Preamble,
                ..settings
            };
            let out = to_rdb(source, out, filter, settings, progress)?;
            out.finish().context("writing output")?;
        }
        ConvertTo::Aof | ConvertTo::Jsonl => {
            let mut out = open_output(&a.output)?;
            let skipped = to_commands(source, &mut out, to, filter, a.skip_corrupt, progress)?;
            out.finish().context("writing output")?;
            report_skipped(skipped);
        }
        ConvertTo::AofDir => {
            to_aof_dir(&a, source, filter, settings, progress)?;
        }
    }
    Ok(Exit::Ok)
}

fn report_skipped(skipped: u64) {
    if skipped > 0 {
        eprintln!("rdbtool: {skipped} damaged key(s) skipped");
    }
}

fn open_output(p: &Path) -> Result<Output> {
    Output::open(Some(p)).with_context(|| format!("cannot create {}", p.display()))
}

fn by_extension(out: &Path) -> ConvertTo {
    match out.extension().and_then(|e| e.to_str()) {
        Some("jsonl" | "ndjson") => ConvertTo::Jsonl,
        Some("aof") => ConvertTo::Aof,
        _ => ConvertTo::Rdb,
    }
}

/// Releases and the RDB version they write.
const REDIS_RELEASES: &[(&str, u32)] = &[
    ("2.6", 6),
    ("2.8", 6),
    ("3.0", 6),
    ("3.2", 7),
    ("4.0", 8),
    ("5.0", 9),
    ("6.0", 9),
    ("6.2", 9),
    ("7.0", 10),
    ("7.2", 11),
    ("7.4", 12),
    ("8.0", 12),
    ("8.2", 12),
    ("8.4", 12),
    ("8.6", 13),
];
const VALKEY_RELEASES: &[(&str, u32)] = &[
    ("7.2", 11),
    ("8.0", 11),
    ("8.1", 11),
    ("9.0", 80),
    ("9.1", 80),
];

fn release_version(rel: &str, table: &[(&str, u32)], server: &str) -> Result<u32> {
    let mut parts = rel.trim().split('.');
    let xy = match (parts.next(), parts.next()) {
        (Some(x), Some(y)) => format!("{x}.{y}"),
        _ => bail!("--target-{server} {rel:?}: expected a release like 7.2"),
    };
    match table.iter().find(|(r, _)| *r == xy) {
        Some((_, v)) => Ok(*v),
        None => {
            let known: Vec<&str> = table.iter().map(|(r, _)| *r).collect();
            bail!(
                "--target-{server} {rel}: unknown release (known: {})",
                known.join(", ")
            )
        }
    }
}

fn version_of(n: u32) -> Result<Version> {
    match n {
        6..=formats::rdb::NEWEST_REDIS_VERSION => Ok(Version {
            flavor: Flavor::Redis,
            number: n,
        }),
        formats::rdb::NEWEST_VALKEY_VERSION => Ok(Version {
            flavor: Flavor::Valkey,
            number: n,
        }),
        1..=5 => bail!(
            "RDB {n} cannot be written: versions before 6 (Redis 2.4 and older) are read only; \
             Redis 2.6 and every later release loads RDB 6"
        ),
        _ => bail!(
            "RDB {n} is not a version this tool writes (6 to {}, or {} for Valkey 9)",
            formats::rdb::NEWEST_REDIS_VERSION,
            formats::rdb::NEWEST_VALKEY_VERSION
        ),
    }
}

/// The version asked for on the command line, if any.
fn target_version(a: &ConvertArgs) -> Result<Option<Version>> {
    let n = if let Some(n) = a.rdb_version {
        n
    } else if let Some(r) = &a.target_redis {
        release_version(r, REDIS_RELEASES, "redis")?
    } else if let Some(r) = &a.target_valkey {
        release_version(r, VALKEY_RELEASES, "valkey")?
    } else {
        return Ok(None);
    };
    version_of(n).map(Some)
}

/// The release string a target writes as `redis-ver` / `valkey-ver`.
fn release_text(v: Version, asked: Option<&str>) -> String {
    if let Some(r) = asked {
        let dots = r.matches('.').count();
        return if dots >= 2 {
            r.to_string()
        } else {
            format!("{r}.0")
        };
    }
    formats::rdb::write::default_release(v).to_string()
}

/// RESP commands (`--to aof` without preamble, a RESP BASE) or JSON Lines: the dump
/// machinery.
fn to_commands(
    src: Source,
    out: &mut dyn Write,
    to: ConvertTo,
    filter: Filter,
    skip_corrupt: bool,
    progress: Progress,
) -> Result<u64> {
    let name = src.name.clone();
    let status;
    let skipped;
    if to == ConvertTo::Aof {
        let mut v = RespDump::new(out, filter, skip_corrupt, progress);
        let r = feed(src, &mut v, skip_corrupt);
        v.progress().finish();
        status = r?;
        v.finish()?;
        skipped = v.skipped();
    } else {
        let mut v = Dump::new(
            DumpFormat::Jsonl,
            out,
            filter,
            false,
            skip_corrupt,
            progress,
        );
        let r = feed(src, &mut v, skip_corrupt);
        v.progress().finish();
        status = r?;
        v.finish()?;
        skipped = v.skipped();
    }
    checksum_policy(status, &name, skip_corrupt)?;
    Ok(skipped)
}

/// What an RDB being written is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AofRole {
    None,
    /// The start of a single-file AOF (`aof-preamble` / `aof-base` aux set).
    Preamble,
    /// The BASE of a multi-part AOF.
    Base,
}

struct RdbSettings {
    target: Option<Version>,
    target_release: Option<String>,
    opts: WriterOptions,
    rules: Rules,
    lossy: bool,
    skip_corrupt: bool,
    quiet: bool,
    aof: AofRole,
    /// Writing for Valkey (`valkey-ver` instead of `redis-ver`).
    valkey: bool,
}

/// Converts to an RDB written into `out`; returns `out` for committing.
fn to_rdb<W: Write>(
    src: Source,
    out: W,
    filter: Filter,
    s: RdbSettings,
    progress: Progress,
) -> Result<W> {
    let name = src.name.clone();
    let target = match (s.target, src.kind) {
        (Some(t), _) => Some(t),
        (None, Kind::Jsonl) => Some(version_of(JSONL_DEFAULT_VERSION)?),
        (None, Kind::Rdb | Kind::Aof) => None,
    };
    let skip_corrupt = s.skip_corrupt;
    let quiet = s.quiet;
    let mut sink = RdbSink::new(out, target, s, filter, progress);
    let r = feed(src, &mut sink, skip_corrupt);
    sink.progress.finish();
    let status = r?;
    checksum_policy(status, &name, skip_corrupt)?;
    let (out, stats) = sink.finish()?;
    if !quiet {
        stats.report();
    }
    Ok(out)
}

#[derive(Debug, Default)]
struct Stats {
    version: Option<Version>,
    keys: u64,
    changed: u64,
    dropped: u64,
    skipped: u64,
    functions_dropped: u64,
    module_aux_dropped: u64,
}

impl Stats {
    fn report(&self) {
        let v = self.version.map_or(String::new(), |v| v.magic());
        let mut line = format!("rdbtool: wrote {} key(s) as {v}", self.keys);
        for (n, what) in [
            (self.changed, "changed by --lossy"),
            (self.dropped, "left out by --lossy"),
            (self.skipped, "damaged and skipped"),
            (self.functions_dropped, "function libraries left out"),
            (self.module_aux_dropped, "module aux records left out"),
        ] {
            if n > 0 {
                line.push_str(&format!(", {n} {what}"));
            }
        }
        eprintln!("{line}");
    }
}

/// The visitor that writes an RDB.
struct RdbSink<W: Write> {
    out: Option<W>,
    w: Option<Writer<W>>,
    target: Option<Version>,
    s: RdbSettings,
    filter: Filter,
    filtering: bool,
    progress: Progress,
    col: Collector,
    active: bool,
    key_offset: u64,
    /// Input aux fields of interest, held until the first non-aux record.
    input_version: Option<Version>,
    input_release: Option<Vec<u8>>,
    /// The input says a Valkey release wrote it (`valkey-ver`).
    input_valkey: bool,
    used_mem: Option<Vec<u8>>,
    aux_written: bool,
    /// The db of the input's last SELECTDB, and its RESIZEDB hint.
    input_db: u64,
    hint: Option<(u64, u64)>,
    /// The db our output last selected.
    out_db: Option<u64>,
    stats: Stats,
}

impl<W: Write> RdbSink<W> {
    fn new(
        out: W,
        target: Option<Version>,
        s: RdbSettings,
        filter: Filter,
        progress: Progress,
    ) -> Self {
        let filtering = filter.is_active();
        RdbSink {
            out: Some(out),
            w: None,
            target,
            s,
            filter,
            filtering,
            progress,
            col: Collector::new(),
            active: false,
            key_offset: 0,
            input_version: None,
            input_release: None,
            input_valkey: false,
            used_mem: None,
            aux_written: false,
            input_db: 0,
            hint: None,
            out_db: None,
            stats: Stats::default(),
        }
    }

    fn version(&self) -> Version {
        self.target.or(self.input_version).unwrap_or(Version {
            flavor: Flavor::Redis,
            number: JSONL_DEFAULT_VERSION,
        })
    }

    /// The writer, created (magic and aux fields written) on first use.
    fn writer(&mut self) -> formats::Result<&mut Writer<W>> {
        if self.w.is_none() {
            let v = self.version();
            let out = self
                .out
                .take()
                .ok_or_else(|| formats::Error::new(ErrorKind::Invalid("output gone".into())))?;
            let valkey = self.s.valkey || (self.s.target.is_none() && self.input_valkey);
            self.s.valkey = valkey;
            self.s.rules.list_plain_over_limit = Rules::for_target(v, valkey).list_plain_over_limit;
            let mut w = Writer::new(out, v, self.s.opts)?;
            self.stats.version = Some(v);
            if v.flavor == Flavor::Valkey || v.number >= 7 {
                self.write_aux(&mut w)?;
            }
            self.aux_written = true;
            self.w = Some(w);
        }
        self.w
            .as_mut()
            .ok_or_else(|| formats::Error::new(ErrorKind::Invalid("no writer".into())))
    }

    /// The aux fields the target release writes itself, in its order.
    fn write_aux(&self, w: &mut Writer<W>) -> formats::Result<()> {
        let v = w.version();
        let same = self.input_version == Some(v) && self.s.target_release.is_none();
        let release = match (&self.input_release, same) {
            (Some(r), true) => r.clone(),
            _ => release_text(v, self.s.target_release.as_deref()).into_bytes(),
        };
        if v.flavor == Flavor::Valkey || self.s.valkey {
            w.aux(b"valkey-ver", &release)?;
        } else {
            w.aux(b"redis-ver", &release)?;
        }
        w.aux(b"redis-bits", b"64")?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        w.aux(b"ctime", now.to_string().as_bytes())?;
        w.aux(b"used-mem", self.used_mem.as_deref().unwrap_or(b"0"))?;
        let flag: &[u8] = if self.s.aof == AofRole::None {
            b"0"
        } else {
            b"1"
        };
        if v.flavor == Flavor::Valkey || v.number >= 10 {
            w.aux(b"aof-base", flag)?;
        } else if v.number >= 8 {
            w.aux(b"aof-preamble", flag)?;
        }
        Ok(())
    }

    fn key_err(&self, msg: String) -> formats::Error {
        let rec = self.col.record();
        let mut e = formats::Error::at(ErrorKind::Invalid(msg), self.key_offset);
        e.ctx.doing = Doing::Write;
        e.ctx.db = Some(rec.db);
        e.ctx.key = Some(KeyPreview::new(&rec.key));
        e
    }

    fn finish_key(&mut self) -> formats::Result<()> {
        let v = self.version();
        let found = losses(self.col.record(), v);
        if !found.is_empty() {
            if !self.s.lossy {
                let what: Vec<&str> = found.iter().map(|l| l.describe()).collect();
                return Err(self.key_err(format!(
                    "{} cannot hold {} (--lossy writes the closest equivalent)",
                    v.magic(),
                    what.join(", ")
                )));
            }
            let rec = self.col.record();
            for l in &found {
                eprintln!(
                    "rdbtool: lossy: db {} key {}: {}: {}",
                    rec.db,
                    KeyPreview::new(&rec.key),
                    l.describe(),
                    l.remedy()
                );
            }
            if !degrade(self.col.record_mut(), v) {
                self.stats.dropped += 1;
                return Ok(());
            }
            self.stats.changed += 1;
        }
        let db = self.col.record().db;
        if self.out_db != Some(db) {
            let hint = (!self.filtering && self.input_db == db)
                .then_some(self.hint)
                .flatten();
            let w = self.writer()?;
            w.select_db(db)?;
            if let Some((keys, expires)) = hint {
                w.resize_db(keys, expires)?;
            }
            self.out_db = Some(db);
        }
        self.writer()?;
        let rules = self.s.rules;
        let rec = self.col.record();
        let r = match self.w.as_mut() {
            Some(w) => w.record(rec, &rules),
            None => Ok(choose(&rec.value, v, &rules)),
        };
        match r {
            Ok(_) => {
                self.stats.keys += 1;
                Ok(())
            }
            Err(mut e) => {
                e.ctx.db = Some(rec.db);
                e.ctx.key = Some(KeyPreview::new(&rec.key));
                Err(e)
            }
        }
    }

    fn finish(mut self) -> Result<(W, Stats)> {
        self.writer()?;
        let w = self.w.take().context("no writer")?;
        let out = w.finish().context("writing output")?;
        Ok((out, self.stats))
    }
}

/// Forwards a value callback to the collector for a key being converted.
macro_rules! collect {
    ($self:ident, $call:expr) => {{
        if $self.active {
            $call;
        }
        Ok(())
    }};
}

impl<W: Write> Visitor for RdbSink<W> {
    fn header(&mut self, v: formats::rdb::Version) -> formats::Result<()> {
        self.input_version = Some(v);
        if self.target.is_none() && v.flavor == Flavor::Redis && v.number < 6 {
            eprintln!(
                "rdbtool: note: RDB {} is read only; writing RDB 6 (loads in Redis 2.6 and later)",
                v.number
            );
            self.target = Some(Version {
                flavor: Flavor::Redis,
                number: 6,
            });
        }
        Ok(())
    }

    fn aux(&mut self, key: &[u8], value: &[u8]) -> formats::Result<()> {
        if !self.aux_written {
            match key {
                b"redis-ver" => self.input_release = Some(value.to_vec()),
                b"valkey-ver" => {
                    self.input_release = Some(value.to_vec());
                    self.input_valkey = true;
                }
                b"used-mem" => self.used_mem = Some(value.to_vec()),
                _ => {}
            }
        }
        Ok(())
    }

    fn module_aux(&mut self, m: &ModuleData<'_>) -> formats::Result<()> {
        let v = self.version();
        if v.flavor == Flavor::Redis && v.number < 9 {
            if !self.s.lossy {
                return Err(write_err(format!(
                    "{} cannot hold module aux data (module {}; needs RDB 9); --lossy leaves it out",
                    v.magic(),
                    m.name
                )));
            }
            eprintln!("rdbtool: lossy: module aux data of {} left out", m.name);
            self.stats.module_aux_dropped += 1;
            return Ok(());
        }
        let w = self.writer()?;
        w.module_aux(m.module_id, m.raw)
    }

    fn function(&mut self, code: &[u8]) -> formats::Result<()> {
        let v = self.version();
        if v.flavor == Flavor::Redis && v.number < 10 {
            let name = library_name(code);
            if !self.s.lossy {
                return Err(write_err(format!(
                    "{} cannot hold function libraries (library {name}; needs RDB 10, Redis \
                     7.0); --lossy leaves them out",
                    v.magic()
                )));
            }
            eprintln!("rdbtool: lossy: function library {name} left out");
            self.stats.functions_dropped += 1;
            return Ok(());
        }
        self.writer()?.function(code)
    }

    fn function_pre_ga(&mut self, f: &FunctionPreGa<'_>) -> formats::Result<()> {
        // The 7.0 release candidates kept name and engine apart; the GA record is the
        // FUNCTION LOAD source, whose first line carries them.
        let mut code = Vec::with_capacity(f.code.len() + 32);
        code.extend_from_slice(b"#!");
        code.extend_from_slice(f.engine);
        code.extend_from_slice(b" name=");
        code.extend_from_slice(f.name);
        code.push(b'\n');
        code.extend_from_slice(f.code);
        self.function(&code)
    }

    fn select_db(&mut self, db: u64) -> formats::Result<()> {
        self.input_db = db;
        self.hint = None;
        Ok(())
    }

    fn resize_db(&mut self, keys: u64, expires: u64) -> formats::Result<()> {
        self.hint = Some((keys, expires));
        Ok(())
    }

    fn begin_key(&mut self, k: &KeyInfo<'_>) -> formats::Result<()> {
        self.progress.set(k.offset);
        if interrupt::interrupted() {
            return Err(interrupt::error());
        }
        self.active = self.filter.accepts(k);
        if self.active {
            self.key_offset = k.offset;
            self.col.begin_key(k);
        }
        Ok(())
    }

    fn string(&mut self, v: &[u8]) -> formats::Result<()> {
        collect!(self, self.col.string(v))
    }
    fn list_element(&mut self, e: &[u8]) -> formats::Result<()> {
        collect!(self, self.col.list_element(e))
    }
    fn set_member(&mut self, m: &[u8]) -> formats::Result<()> {
        collect!(self, self.col.set_member(m))
    }
    fn zset_member(&mut self, m: &[u8], score: f64) -> formats::Result<()> {
        collect!(self, self.col.zset_member(m, score))
    }
    fn hash_field(&mut self, f: &[u8], v: &[u8], e: Option<i64>) -> formats::Result<()> {
        collect!(self, self.col.hash_field(f, v, e))
    }
    fn stream_entry(
        &mut self,
        id: StreamId,
        fields: &[(Elem<'_>, Elem<'_>)],
    ) -> formats::Result<()> {
        collect!(self, self.col.stream_entry(id, fields))
    }
    fn stream_meta(&mut self, m: &StreamMeta) -> formats::Result<()> {
        collect!(self, self.col.stream_meta(m))
    }
    fn stream_group(&mut self, g: &StreamGroup) -> formats::Result<()> {
        collect!(self, self.col.stream_group(g))
    }
    fn module_value(&mut self, m: &ModuleData<'_>) -> formats::Result<()> {
        collect!(self, self.col.module_value(m))
    }

    fn end_key(&mut self) -> formats::Result<()> {
        if std::mem::take(&mut self.active) {
            self.finish_key()?;
        }
        Ok(())
    }

    fn key_error(&mut self, err: formats::Error) -> formats::Result<()> {
        if !self.s.skip_corrupt || err.offset.is_none() {
            return Err(err);
        }
        self.active = false;
        self.stats.skipped += 1;
        eprintln!("rdbtool: skipped damaged key: {err}");
        Ok(())
    }
}

/// An error about what is being written (not where the input was).
fn write_err(msg: String) -> formats::Error {
    let mut e = formats::Error::new(ErrorKind::Invalid(msg));
    e.ctx.doing = Doing::Write;
    e
}

/// The `name=` of a library's first line, for messages.
fn library_name(code: &[u8]) -> String {
    let first = code.split(|&b| b == b'\n').next().unwrap_or_default();
    let first = String::from_utf8_lossy(first);
    first
        .split_whitespace()
        .find_map(|t| t.strip_prefix("name="))
        .unwrap_or("?")
        .to_string()
}

/// `--to aof-dir`: a directory as Redis 7 writes it after a rewrite: BASE (RDB with
/// `aof-base 1`, or RESP with `--preamble none`), an empty INCR and the manifest.
/// Built in a temporary directory beside OUT and renamed into place at the end.
fn to_aof_dir(
    a: &ConvertArgs,
    src: Source,
    filter: Filter,
    s: RdbSettings,
    progress: Progress,
) -> Result<()> {
    let out = &a.output;
    if out.as_os_str() == "-" {
        bail!("--to aof-dir writes a directory; give its path, not -");
    }
    if out.exists() {
        bail!(
            "{} exists; --to aof-dir creates a new directory",
            out.display()
        );
    }
    let dir_name = out
        .file_name()
        .context("the output directory has no name")?
        .to_string_lossy()
        .into_owned();
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let tmp = parent.join(format!(".{dir_name}.tmp-{}", std::process::id()));
    fs::create_dir(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    let r = (|| -> Result<()> {
        let prefix = "appendonly.aof";
        let rdb_base = a.preamble != Some(Preamble::None);
        let base_name = format!("{prefix}.1.base.{}", if rdb_base { "rdb" } else { "aof" });
        let incr_name = format!("{prefix}.1.incr.aof");
        let mut base = fs::File::create(tmp.join(&base_name))?;
        if rdb_base {
            let settings = RdbSettings {
                aof: AofRole::Base,
                ..s
            };
            let w = to_rdb(
                src,
                io::BufWriter::with_capacity(1 << 20, base),
                filter,
                settings,
                progress,
            )?;
            base = w.into_inner().map_err(|e| e.into_error())?;
        } else {
            let mut bw = io::BufWriter::with_capacity(1 << 20, base);
            let skipped = to_commands(
                src,
                &mut bw,
                ConvertTo::Aof,
                filter,
                s.skip_corrupt,
                progress,
            )?;
            base = bw.into_inner().map_err(|e| e.into_error())?;
            report_skipped(skipped);
        }
        base.sync_all()?;
        let incr = fs::File::create(tmp.join(&incr_name))?;
        incr.sync_all()?;
        let manifest = Manifest {
            entries: vec![
                Entry {
                    file: base_name.into_bytes(),
                    seq: 1,
                    kind: FileType::Base,
                    extra: Vec::new(),
                    line: 0,
                },
                Entry {
                    file: incr_name.into_bytes(),
                    seq: 1,
                    kind: FileType::Incr,
                    extra: Vec::new(),
                    line: 0,
                },
            ],
        };
        let mut m = fs::File::create(tmp.join(format!("{prefix}.manifest")))?;
        m.write_all(&manifest.to_bytes())?;
        m.sync_all()?;
        fs::File::open(&tmp)?.sync_all()?;
        fs::rename(&tmp, out)
            .with_context(|| format!("cannot rename {} to {}", tmp.display(), out.display()))?;
        fs::File::open(&parent)?.sync_all()?;
        Ok(())
    })();
    if r.is_err() {
        let _ = fs::remove_dir_all(&tmp);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_map_to_versions() {
        assert_eq!(release_version("6.2", REDIS_RELEASES, "redis").unwrap(), 9);
        assert_eq!(
            release_version("7.4.1", REDIS_RELEASES, "redis").unwrap(),
            12
        );
        assert_eq!(
            release_version("9.0", VALKEY_RELEASES, "valkey").unwrap(),
            80
        );
        assert!(release_version("1.0", REDIS_RELEASES, "redis").is_err());
        assert!(release_version("7", REDIS_RELEASES, "redis").is_err());
        assert!(version_of(5).is_err());
        assert!(version_of(14).is_err());
        assert_eq!(version_of(80).unwrap().flavor, Flavor::Valkey);
    }

    #[test]
    fn release_text_fills_the_patch_level() {
        let v = version_of(9).unwrap();
        assert_eq!(release_text(v, Some("6.0")), "6.0.0");
        assert_eq!(release_text(v, Some("6.2.14")), "6.2.14");
        assert_eq!(release_text(v, None), "6.2.0");
    }

    #[test]
    fn library_names_come_from_the_first_line() {
        assert_eq!(
            library_name(b"#!lua name=mylib\nredis.register_function()"),
            "mylib"
        );
        assert_eq!(library_name(b"garbage"), "?");
    }
}

//! Datasets: what every command that reads keys accepts (contract.md), told apart by
//! content: an RDB, JSON Lines, or an AOF of any layout (a RESP file, an RDB-preamble
//! file, a multi-part directory or its manifest), fed to a [`Visitor`] key by key.

use std::fs;
use std::io::{self, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use formats::cli::interrupt;
use formats::jsonl::JsonlReader;
use formats::rdb::read::{ChecksumStatus, ReaderBuilder, Visitor};
use formats::rdb::value::{Record, replay};
use formats::rdb::write::{Rules, choose};
use formats::rdb::{Flavor, Version};

use crate::input;

/// The RDB version JSON Lines input is taken as when none is asked for (Redis 7.4-8.4).
pub const JSONL_DEFAULT_VERSION: u32 = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Rdb,
    Jsonl,
    /// An AOF of any layout, loaded through the keyspace engine.
    Aof,
}

pub struct Source {
    pub kind: Kind,
    /// The RDB or JSON Lines stream (AOFs are read by path).
    pub reader: Box<dyn Read + Send>,
    pub path: PathBuf,
    /// AOF input: keep keys whose expiry has passed.
    pub keep_expired: bool,
    /// AOF input: count commands the engine does not know instead of stopping.
    pub skip_unknown: bool,
    /// How to name the input in messages.
    pub name: String,
    /// Size in bytes, when known (for progress).
    pub size: Option<u64>,
    pub allow_future: bool,
}

impl Source {
    /// Opens a dataset (see [`open_source`]) with default options.
    pub fn open(path: &Path) -> Result<Source> {
        let (kind, reader, name, size) = open_source(path)?;
        Ok(Source {
            kind,
            reader,
            path: path.to_path_buf(),
            keep_expired: false,
            skip_unknown: false,
            name,
            size,
            allow_future: false,
        })
    }
}

/// An opened input: its kind, a reader for RDB and JSON Lines (AOFs are read by path),
/// its name for messages and its size for progress.
pub type Opened = (Kind, Box<dyn Read + Send>, String, Option<u64>);

/// Opens the input.
pub fn open_source(path: &Path) -> Result<Opened> {
    let name = path.display().to_string();
    let aof =
        |size| -> Result<Opened> { Ok((Kind::Aof, Box::new(io::empty()), name.clone(), size)) };
    if path.is_dir() {
        return aof(None);
    }
    let inp = input::open(path)?;
    let stdin = path.as_os_str() == "-";
    let (kind, reader) = match sniff(inp.reader) {
        Ok(x) => x,
        // A manifest names the files of a multi-part AOF.
        Err(_)
            if !stdin
                && matches!(
                    formats::aof::check::detect(path),
                    Ok(formats::aof::check::Layout::MultiPart { .. })
                ) =>
        {
            return aof(inp.size);
        }
        Err(e) => return Err(e),
    };
    let kind = match kind {
        // An RDB followed by RESP commands is an AOF with an RDB preamble.
        Kind::Rdb if !stdin && ends_with_crlf(path) => Kind::Aof,
        k => k,
    };
    if kind == Kind::Aof && stdin {
        bail!(
            "an AOF on standard input cannot be converted: give its path (a file or a directory)"
        );
    }
    Ok((kind, reader, inp.name, inp.size))
}

/// Whether a file ends with CRLF: what RESP ends with, and an RDB (ending with its
/// checksum) almost never does.
fn ends_with_crlf(path: &Path) -> bool {
    use std::io::{Seek, SeekFrom};
    let Ok(mut f) = fs::File::open(path) else {
        return false;
    };
    let mut tail = [0u8; 2];
    f.seek(SeekFrom::End(-2)).is_ok() && f.read_exact(&mut tail).is_ok() && tail == *b"\r\n"
}

/// Reads the first bytes to tell an RDB from JSON Lines and a RESP AOF.
fn sniff(mut r: Box<dyn Read + Send>) -> Result<(Kind, Box<dyn Read + Send>)> {
    let mut head = Vec::with_capacity(64);
    (&mut r).take(64).read_to_end(&mut head)?;
    let kind = if head.starts_with(b"REDIS") || head.starts_with(b"VALKEY") {
        Kind::Rdb
    } else {
        match head.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') | None => Kind::Jsonl,
            Some(b'*' | b'#') => Kind::Aof,
            Some(_) => bail!(
                "the input is neither an RDB (REDIS/VALKEY magic) nor JSON Lines (starts with \
                 {:?})",
                String::from_utf8_lossy(head.get(..head.len().min(9)).unwrap_or_default())
            ),
        }
    };
    Ok((kind, Box::new(Cursor::new(head).chain(r))))
}

/// Feeds every key of the source to `v` (an AOF through the keyspace engine, its keys
/// in the encodings the newest Redis would choose); returns the input checksum status.
pub fn feed<V: Visitor + ?Sized>(
    src: Source,
    v: &mut V,
    skip_corrupt: bool,
) -> Result<ChecksumStatus> {
    match src.kind {
        Kind::Rdb => {
            let mut reader = ReaderBuilder::new()
                .allow_future_version(src.allow_future)
                .build(src.reader);
            match reader.run_threaded(v, skip_corrupt) {
                Ok(s) => Ok(s.checksum),
                Err(_) if interrupt::interrupted() => Err(Interrupted.into()),
                Err(e) => Err(anyhow::Error::new(e).context(format!("converting {}", src.name))),
            }
        }
        Kind::Aof => {
            let keep_expired = src.keep_expired;
            let loaded = load_aof(&src)?;
            feed_keyspace(&loaded, keep_expired, &src.name, v)?;
            Ok(ChecksumStatus::Absent)
        }
        Kind::Jsonl => {
            let mut r = JsonlReader::new(BufReader::with_capacity(1 << 20, src.reader), &src.name);
            let mut rec = Record::default();
            let mut skipped = 0u64;
            loop {
                if interrupt::interrupted() {
                    return Err(Interrupted.into());
                }
                match r.next_into(&mut rec) {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(e) if skip_corrupt && !e.is_io() => {
                        eprintln!("rdbtool: skipped bad line: {}: {e}", src.name);
                        skipped += 1;
                        continue;
                    }
                    Err(e) => {
                        return Err(anyhow::Error::new(e).context(format!("reading {}", src.name)));
                    }
                }
                let e = choose(
                    &rec.value,
                    Version {
                        flavor: Flavor::Redis,
                        number: JSONL_DEFAULT_VERSION,
                    },
                    &Rules::default(),
                );
                replay(&rec, e.type_id, e.encoding, r.line_offset(), v).map_err(|e| {
                    anyhow::Error::new(e).context(format!(
                        "converting {} line {}",
                        src.name,
                        r.line()
                    ))
                })?;
            }
            if skipped > 0 {
                eprintln!("rdbtool: {skipped} bad line(s) skipped");
            }
            v.end(ChecksumStatus::Absent)?;
            Ok(ChecksumStatus::Absent)
        }
    }
}

/// An AOF replayed into the keyspace engine, ready to be fed (more than once).
pub struct LoadedAof {
    pub ks: formats::engine::Keyspace,
    /// The version of the AOF's RDB part, if it has one.
    pub rdb_version: Option<Version>,
}

/// Replays an AOF (of any layout) into the keyspace engine.
pub fn load_aof(src: &Source) -> Result<LoadedAof> {
    let layout = formats::aof::check::detect(&src.path)
        .map_err(|e| anyhow::Error::new(e).context(format!("reading {}", src.name)))?;
    let (ks, report) = formats::engine::load_aof(
        &layout,
        formats::engine::Keyspace::default(),
        src.skip_unknown,
        |_| {},
    )
    .map_err(|e| anyhow::Error::new(e).context(format!("loading {}", src.name)))?;
    if interrupt::interrupted() {
        return Err(Interrupted.into());
    }
    for w in report.warnings() {
        eprintln!("rdbtool: warning: {w}");
    }
    Ok(LoadedAof {
        ks,
        rdb_version: report.rdb_version,
    })
}

/// Feeds every key of a replayed AOF to `v`, in the encodings the newest Redis would
/// choose; the header's version is the AOF's RDB part's (else Redis 7.0's, the first
/// with multi-part AOFs), raised as far as the data needs.
pub fn feed_keyspace<V: Visitor + ?Sized>(
    a: &LoadedAof,
    keep_expired: bool,
    name: &str,
    v: &mut V,
) -> Result<()> {
    let now = crate::filter::now_ms();
    let base = a.rdb_version.unwrap_or(Version {
        flavor: Flavor::Redis,
        number: 10,
    });
    v.header(formats::engine::write::version_for(
        &a.ks,
        base,
        now,
        keep_expired,
    ))?;
    for code in a.ks.functions.values() {
        v.function(code)?;
    }
    let newest = Version {
        flavor: Flavor::Redis,
        number: formats::rdb::NEWEST_REDIS_VERSION,
    };
    a.ks.records(now, keep_expired, |rec| {
        let e = choose(&rec.value, newest, &Rules::default());
        replay(rec, e.type_id, e.encoding, 0, v)
    })
    .map_err(|e| anyhow::Error::new(e).context(format!("converting {name}")))?;
    v.end(ChecksumStatus::Absent)?;
    Ok(())
}

#[derive(Debug)]
pub struct Interrupted;

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("interrupted")
    }
}

impl std::error::Error for Interrupted {}

pub fn checksum_policy(status: ChecksumStatus, name: &str, skip_corrupt: bool) -> Result<()> {
    if let ChecksumStatus::Mismatch { stored, computed } = status {
        let msg = format!(
            "{name}: checksum mismatch: stored 0x{stored:016x}, computed 0x{computed:016x}"
        );
        if !skip_corrupt {
            bail!("{msg} (the data may be damaged; --skip-corrupt to accept)");
        }
        eprintln!("rdbtool: warning: {msg}");
    }
    Ok(())
}

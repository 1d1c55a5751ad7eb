//! `aoftool rewrite` (alias `compact`): the offline BGREWRITEAOF. The AOF is loaded
//! into the keyspace engine and written back as the smallest equivalent:
//! - a multi-part directory gets a new BASE (RDB with `aof-base 1`, or RESP), a new
//!   empty INCR and a new manifest; with `--in-place` the new files are written and
//!   fsynced first, the manifest is replaced atomically last (as Redis does), and only
//!   then are the old files deleted, so a crash at any moment leaves an AOF that loads
//!   either the old or the new way; with `-o` a new directory is built beside OUT and
//!   renamed into place;
//! - a single file is replaced (or written to `-o`) atomically.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use formats::aof::check::{Layout, detect};
use formats::aof::manifest::{Entry, FileType, Manifest};
use formats::atomic::AtomicFile;
use formats::cli::Exit;
use formats::cli::progress::Progress;
use formats::engine::write::{AofRole, version_for, write_aof_base};
use formats::engine::{Keyspace, LoadReport, load_aof};
use formats::rdb::{Flavor, Version};

use crate::cli::{Preamble, RewriteArgs};

pub fn run(a: RewriteArgs) -> Result<Exit> {
    if a.output.is_none() && !a.in_place {
        bail!("say where the rewritten AOF goes: -o OUT, or --in-place to replace it");
    }
    let layout = detect(&a.input).with_context(|| format!("reading {}", a.input.display()))?;
    let total: u64 = formats::aof::read::load_order(&layout)
        .iter()
        .filter_map(|p| fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    let mut progress = Progress::new(Some(total), !a.quiet);
    let (ks, report) = load_aof(&layout, Keyspace::default(), a.skip_unknown, |at| {
        progress.set(at)
    })
    .with_context(|| format!("loading {}", a.input.display()))?;
    progress.finish();
    report_load(&report, a.quiet);
    let now = now_ms();
    let at_least = match a.rdb_version {
        Some(n) => Version {
            flavor: if n >= formats::rdb::NEWEST_VALKEY_VERSION {
                Flavor::Valkey
            } else {
                Flavor::Redis
            },
            number: n,
        },
        None => report.rdb_version.unwrap_or(Version {
            flavor: Flavor::Redis,
            number: 10,
        }),
    };
    let version = if a.rdb_version.is_some() {
        at_least
    } else {
        version_for(&ks, at_least, now, a.keep_expired)
    };
    let w = Writing {
        ks: &ks,
        preamble: a.preamble,
        version,
        now,
        keep_expired: a.keep_expired,
    };
    match (&layout, &a.output) {
        (
            Layout::MultiPart {
                dir,
                manifest,
                manifest_path,
            },
            Some(out),
        ) => {
            let prefix = prefix_of(manifest_path)?;
            w.new_dir(out, &prefix)?;
            let _ = (dir, manifest);
        }
        (
            Layout::MultiPart {
                dir,
                manifest,
                manifest_path,
            },
            None,
        ) => {
            let prefix = prefix_of(manifest_path)?;
            w.in_place_dir(dir, manifest, manifest_path, &prefix)?;
        }
        (Layout::Resp(p) | Layout::RdbPreamble(p), out) => {
            let target = out.clone().unwrap_or_else(|| p.clone());
            let mut f = AtomicFile::create(&target)
                .with_context(|| format!("cannot create {}", target.display()))?;
            w.base(&mut f, AofRole::Preamble)?;
            f.commit()
                .with_context(|| format!("writing {}", target.display()))?;
        }
    }
    if !a.quiet {
        eprintln!(
            "aoftool: rewrote {} key(s) in {} db(s){}",
            ks.key_count(),
            ks.dbs.iter().filter(|d| !d.is_empty()).count(),
            if a.preamble == Preamble::Rdb {
                format!(" (RDB part {})", version.magic())
            } else {
                String::new()
            }
        );
    }
    // The process ends here: freeing millions of keys one by one would only cost time
    // (a tenth of a large rewrite), so the memory goes back with the process.
    std::mem::forget(ks);
    Ok(Exit::Ok)
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn report_load(r: &LoadReport, quiet: bool) {
    for w in r.warnings() {
        eprintln!("aoftool: warning: {w}");
    }
    if !quiet {
        eprintln!(
            "aoftool: loaded {} command(s) and {} key(s) from RDB parts",
            r.commands, r.rdb_keys
        );
    }
}

/// `appendonly.aof` from `appendonly.aof.manifest`.
fn prefix_of(manifest_path: &Path) -> Result<String> {
    let name = manifest_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .context("the manifest has no file name")?;
    Ok(name.strip_suffix(".manifest").unwrap_or(&name).to_string())
}

struct Writing<'a> {
    ks: &'a Keyspace,
    preamble: Preamble,
    version: Version,
    now: i64,
    keep_expired: bool,
}

impl Writing<'_> {
    fn base_ext(&self) -> &'static str {
        match self.preamble {
            Preamble::Rdb => "rdb",
            Preamble::None => "aof",
        }
    }

    /// The dataset as a BASE / single file: an RDB, or RESP commands.
    fn base<W: Write>(&self, out: W, role: AofRole) -> Result<W> {
        let rdb = (self.preamble == Preamble::Rdb).then_some(self.version);
        Ok(write_aof_base(
            self.ks,
            out,
            rdb,
            role,
            self.now,
            self.keep_expired,
        )?)
    }

    /// Writes BASE (seq) and an empty INCR (seq) into `dir`, fsynced; returns the
    /// manifest that names them.
    fn write_parts(&self, dir: &Path, prefix: &str, seq: u64) -> Result<Manifest> {
        let base_name = format!("{prefix}.{seq}.base.{}", self.base_ext());
        let incr_name = format!("{prefix}.{seq}.incr.aof");
        let f = fs::File::create(dir.join(&base_name))
            .with_context(|| format!("cannot create {}", dir.join(&base_name).display()))?;
        let f = self
            .base(BufWriter::with_capacity(1 << 20, f), AofRole::Base)?
            .into_inner()
            .map_err(|e| e.into_error())?;
        f.sync_all()?;
        fs::File::create(dir.join(&incr_name))?.sync_all()?;
        let entry = |file: String, kind| Entry {
            file: file.into_bytes(),
            seq,
            kind,
            extra: Vec::new(),
            line: 0,
        };
        Ok(Manifest {
            entries: vec![
                entry(base_name, FileType::Base),
                entry(incr_name, FileType::Incr),
            ],
        })
    }

    /// A new directory at `out`, built beside it and renamed into place.
    fn new_dir(&self, out: &Path, prefix: &str) -> Result<()> {
        if out.exists() {
            bail!("{} exists; -o creates a new directory", out.display());
        }
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = out
            .file_name()
            .context("the output directory has no name")?
            .to_string_lossy()
            .into_owned();
        let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        fs::create_dir(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
        let r = (|| -> Result<()> {
            let m = self.write_parts(&tmp, prefix, 1)?;
            let mut f = fs::File::create(tmp.join(format!("{prefix}.manifest")))?;
            f.write_all(&m.to_bytes())?;
            f.sync_all()?;
            fs::File::open(&tmp)?.sync_all()?;
            fs::rename(&tmp, out)?;
            fs::File::open(&parent)?.sync_all()?;
            Ok(())
        })();
        if r.is_err() {
            let _ = fs::remove_dir_all(&tmp);
        }
        r
    }

    /// Rewrites the directory where it is: new parts, then the manifest (atomically),
    /// then the old parts go.
    fn in_place_dir(
        &self,
        dir: &Path,
        old: &Manifest,
        manifest_path: &Path,
        prefix: &str,
    ) -> Result<()> {
        let seq = old.entries.iter().map(|e| e.seq).max().unwrap_or(0) + 1;
        let new = self.write_parts(dir, prefix, seq)?;
        fs::File::open(dir)?.sync_all()?;
        let mut f = AtomicFile::create(manifest_path)
            .with_context(|| format!("cannot replace {}", manifest_path.display()))?;
        f.write_all(&new.to_bytes())?;
        f.commit()
            .with_context(|| format!("writing {}", manifest_path.display()))?;
        // The new manifest is in place: the old files are history, deleted as Redis's
        // auto-gc deletes them.
        for e in &old.entries {
            let p = dir.join(std::ffi::OsStr::from_bytes(&e.file));
            if let Err(err) = fs::remove_file(&p)
                && err.kind() != io::ErrorKind::NotFound
            {
                eprintln!("aoftool: warning: cannot delete {}: {err}", p.display());
            }
        }
        fs::File::open(dir)?.sync_all()?;
        Ok(())
    }
}

//! Repairing an AOF by cutting it: at the end of the last complete command (`--fix`) or
//! at the first `#TS` annotation after a point in time (`--truncate-to-timestamp`).
//!
//! A plan is computed first (which file, where, which later files can no longer apply),
//! then applied safely: every changed file is backed up (unless told not to), the cut
//! copy is written beside the original and renamed over it (fsync, rename, fsync of the
//! directory), and for a multi-part set the manifest is replaced last, with the files
//! after the cut moved to history. A crash at any moment leaves the old AOF or the new
//! one, never a mix.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use super::check::{Layout, Report};
use super::manifest::{FileType, Manifest};
use super::resp::{ItemRef, Reader};
use crate::atomic::AtomicFile;
use crate::error::{Error, ErrorKind, Result};

/// What a repair will do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The file to cut and its new length.
    pub file: PathBuf,
    pub cut_at: u64,
    pub old_size: u64,
    /// Multi-part: files after the cut that move to history (no longer loaded).
    pub to_history: Vec<PathBuf>,
    /// Multi-part: the manifest to write (`None` for a single-file AOF).
    pub manifest: Option<(PathBuf, Manifest)>,
}

/// A repair for a damaged tail, or `None` when nothing needs cutting. Errors when the
/// damage cannot be cut away (a damaged RDB part, a missing file).
pub fn plan_fix(report: &Report) -> Result<Option<Plan>> {
    let Some(i) = report
        .files
        .iter()
        .position(|f| !f.exists || f.error.is_some())
    else {
        return Ok(None);
    };
    let Some(f) = report.files.get(i) else {
        return Ok(None);
    };
    if !f.exists {
        return Err(Error::new(ErrorKind::Invalid(format!(
            "{} is missing: nothing to cut; restore it or rewrite the manifest",
            f.path.display()
        ))));
    }
    if let Some(p) = &f.rdb
        && (f.valid_up_to < p.end_offset
            || f.error
                .as_ref()
                .is_some_and(|e| matches!(e.kind, ErrorKind::ChecksumMismatch { .. })))
    {
        return Err(Error::new(ErrorKind::Invalid(format!(
            "{}: the RDB part is damaged; cutting cannot repair it",
            f.path.display()
        ))));
    }
    if f.rdb.is_none() && f.valid_up_to == 0 && f.kind == Some(FileType::Base) {
        return Err(Error::new(ErrorKind::Invalid(format!(
            "{}: the base has no valid command; cutting would lose the whole dataset",
            f.path.display()
        ))));
    }
    Ok(Some(plan_cut(report, i, f.valid_up_to)))
}

/// A cut at the first `#TS` annotation later than `unix_s`, or `None` if there is none.
pub fn plan_timestamp(report: &Report, unix_s: i64) -> Result<Option<Plan>> {
    for (i, f) in report.files.iter().enumerate() {
        if !f.exists || f.last_ts.is_none_or(|t| t <= unix_s) {
            continue;
        }
        let Some(at) = first_ts_after(&f.path, f.rdb.as_ref().map_or(0, |p| p.end_offset), unix_s)?
        else {
            continue;
        };
        if at == 0 {
            return Err(Error::new(ErrorKind::Invalid(format!(
                "{}: the first annotation after {unix_s} is at offset 0: nothing would be left",
                f.path.display()
            ))));
        }
        return Ok(Some(plan_cut(report, i, at)));
    }
    Ok(None)
}

fn plan_cut(report: &Report, i: usize, cut_at: u64) -> Plan {
    let f = report.files.get(i);
    let later: Vec<&super::check::FileReport> = report.files.iter().skip(i + 1).collect();
    let manifest = match &report.layout {
        Layout::MultiPart {
            manifest_path,
            manifest,
            ..
        } => {
            let moved: Vec<&[u8]> = later
                .iter()
                .filter_map(|r| r.path.file_name())
                .map(|n| n.as_encoded_bytes())
                .collect();
            let mut m = manifest.clone();
            // Redis writes base, then history, then incr entries.
            for e in &mut m.entries {
                if e.kind == FileType::Incr && moved.contains(&e.file.as_slice()) {
                    e.kind = FileType::History;
                }
            }
            let order = |k: FileType| match k {
                FileType::Base => 0,
                FileType::History => 1,
                FileType::Incr => 2,
            };
            m.entries.sort_by_key(|e| order(e.kind));
            Some((manifest_path.clone(), m))
        }
        _ => None,
    };
    Plan {
        file: f.map(|f| f.path.clone()).unwrap_or_default(),
        cut_at,
        old_size: f.map_or(0, |f| f.size),
        to_history: later.iter().map(|r| r.path.clone()).collect(),
        manifest,
    }
}

/// Offset of the first `#TS` annotation later than `unix_s` in the RESP part of `path`
/// (which starts at `resp_start`).
fn first_ts_after(path: &Path, resp_start: u64, unix_s: i64) -> Result<Option<u64>> {
    let mut f = File::open(path)?;
    io::Seek::seek(&mut f, io::SeekFrom::Start(resp_start))?;
    let mut r = Reader::resume(
        io::BufReader::with_capacity(1 << 16, f),
        Vec::new(),
        resp_start,
    );
    loop {
        match r.next_item() {
            Ok(Some(ItemRef::Annotation { offset, text })) => {
                if super::resp::parse_timestamp(text).is_some_and(|t| t > unix_s) {
                    return Ok(Some(offset));
                }
            }
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => return Ok(None),
        }
    }
}

/// What applying a plan did.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    pub backups: Vec<(PathBuf, PathBuf)>,
}

/// Applies a plan: backups (`backup_suffix` appended to each changed file's name, or
/// none), the cut copy renamed over the file, then the new manifest.
pub fn apply(plan: &Plan, backup_suffix: Option<&str>) -> Result<Applied> {
    let mut applied = Applied::default();
    if let Some(suffix) = backup_suffix {
        let mut changed = vec![plan.file.clone()];
        if let Some((m, _)) = &plan.manifest {
            changed.push(m.clone());
        }
        for p in changed {
            let mut name = p.as_os_str().to_os_string();
            name.push(suffix);
            let b = PathBuf::from(name);
            if b.exists() {
                return Err(Error::new(ErrorKind::Invalid(format!(
                    "backup {} already exists",
                    b.display()
                ))));
            }
            copy_durably(&p, &b, u64::MAX)?;
            applied.backups.push((p, b));
        }
    }
    copy_durably(&plan.file, &plan.file, plan.cut_at)?;
    if let Some((path, m)) = &plan.manifest {
        let mut out = AtomicFile::create(path)?;
        out.write_all(&m.to_bytes())?;
        out.commit()?;
    }
    Ok(applied)
}

/// Copies the first `len` bytes of `src` to `dst` through an atomic file (`dst` may be
/// `src`: the copy replaces it by rename).
fn copy_durably(src: &Path, dst: &Path, len: u64) -> Result<()> {
    let mut input = File::open(src)?.take(len);
    let mut out = AtomicFile::create(dst)?;
    io::copy(&mut input, &mut out)?;
    out.commit()?;
    Ok(())
}

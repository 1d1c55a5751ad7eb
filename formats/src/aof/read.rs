//! An AOF of any layout as one stream of commands in load order: RDB parts (a
//! preamble or a `.base.rdb`) expanded to the commands that rebuild them, RESP parts as
//! written. A MULTI ... EXEC block is delivered whole at its EXEC (so a transaction cut
//! by the end of the file is dropped, as Redis drops it), a cut last command is dropped
//! as `aof-load-truncated yes` does, and every command says where it came from.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::check::Layout;
use super::resp::{ItemRef, Reader};
use crate::error::{Error, ErrorKind, Result};
use crate::rdb::commands::{Emitter, Origin, Sink};

/// Where a command comes from.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub file: &'a Path,
    /// Byte offset of the command (for an RDB part: of the key record it rebuilds).
    pub offset: u64,
    /// The database it applies to.
    pub db: u64,
    /// The last `#TS` annotation before it (Unix seconds).
    pub ts: Option<i64>,
    /// It rebuilds part of an RDB (rather than being written in the AOF).
    pub from_rdb: bool,
}

/// What the walk did not deliver.
#[derive(Debug, Default)]
pub struct Walked {
    /// A cut tail was dropped: (file, offset of the cut command or open MULTI).
    pub cut: Option<(PathBuf, u64)>,
}

/// The files of `layout` in load order.
pub fn load_order(layout: &Layout) -> Vec<PathBuf> {
    match layout {
        Layout::Resp(p) | Layout::RdbPreamble(p) => vec![p.clone()],
        Layout::MultiPart { dir, manifest, .. } => manifest
            .base()
            .into_iter()
            .chain(manifest.incrs())
            .map(|e| {
                use std::os::unix::ffi::OsStrExt;
                dir.join(std::ffi::OsStr::from_bytes(&e.file))
            })
            .collect(),
    }
}

/// Calls `f` for every command of the AOF in load order (SELECT, MULTI and EXEC
/// included, as written). A cut tail of the last file is dropped and reported; any
/// other damage is an error.
pub fn walk<F>(layout: &Layout, f: F) -> Result<Walked>
where
    F: FnMut(&Source<'_>, &[&[u8]]) -> Result<()>,
{
    walk_with(layout, None, f)
}

/// Like [`walk`], except that RDB parts go to `rdb` (when given) as the records they
/// are, instead of being expanded into commands. Commands after an RDB part apply to the db its last key was in.
pub fn walk_with<F>(
    layout: &Layout,
    mut rdb_parts: Option<&mut dyn RdbParts>,
    mut f: F,
) -> Result<Walked>
where
    F: FnMut(&Source<'_>, &[&[u8]]) -> Result<()>,
{
    let files = load_order(layout);
    let mut walked = Walked::default();
    let mut db = 0u64;
    for (i, path) in files.iter().enumerate() {
        let last = i + 1 == files.len();
        let file = File::open(path).map_err(|e| {
            Error::new(ErrorKind::Io(io::Error::new(
                e.kind(),
                format!("{}: {e}", path.display()),
            )))
        })?;
        let (input, is_rdb) = super::check::open_part(file)?;
        let mut ts = None;
        if is_rdb {
            let mut rdb = crate::rdb::Reader::new(input);
            let summary = match rdb_parts.as_deref_mut() {
                Some(v) => {
                    let s = rdb.run(v.visitor())?;
                    v.done();
                    db = v.last_db();
                    s
                }
                None => {
                    let mut em = Emitter::new(Forward {
                        file: path,
                        f: &mut f,
                        db: &mut db,
                    });
                    rdb.run(&mut em)?
                }
            };
            if let crate::rdb::read::ChecksumStatus::Mismatch { stored, computed } =
                summary.checksum
            {
                return Err(Error::at(
                    ErrorKind::ChecksumMismatch { stored, computed },
                    summary.end_offset - 8,
                ));
            }
            let (rest, ahead) = rdb.into_parts();
            let mut r = Reader::resume(rest, ahead, summary.end_offset);
            resp(&mut r, path, last, &mut db, &mut ts, &mut f, &mut walked)?;
        } else {
            let mut r = Reader::new(input);
            resp(&mut r, path, last, &mut db, &mut ts, &mut f, &mut walked)?;
        }
    }
    Ok(walked)
}

/// Takes the RDB parts of an AOF as records (see [`walk_with`]).
pub trait RdbParts {
    /// The visitor the part's records go to.
    fn visitor(&mut self) -> &mut dyn crate::rdb::Visitor;
    /// The part was read to its end (before any command that follows it applies).
    fn done(&mut self) {}
    /// The db of the part's last key (commands after the part apply to it, as Redis
    /// keeps the db the loader selected).
    fn last_db(&self) -> u64;
}

/// Hands the emitter's commands to the caller with their origin.
struct Forward<'p, 'f, F> {
    file: &'p Path,
    f: &'f mut F,
    db: &'p mut u64,
}

impl<F> Sink for Forward<'_, '_, F>
where
    F: FnMut(&Source<'_>, &[&[u8]]) -> Result<()>,
{
    fn command(&mut self, origin: Origin, args: &[&[u8]]) -> Result<()> {
        *self.db = origin.db;
        let src = Source {
            file: self.file,
            offset: origin.offset,
            db: origin.db,
            ts: None,
            from_rdb: true,
        };
        (self.f)(&src, args)
    }
}

/// A command held in an open transaction.
struct Queued {
    offset: u64,
    db: u64,
    ts: Option<i64>,
    args: Vec<Vec<u8>>,
}

/// A queued transaction: the commands' bytes and their sources.
#[derive(Default)]
struct Tx {
    open: Option<u64>,
    cmds: Vec<Queued>,
}

#[allow(clippy::too_many_arguments)]
fn resp<R: Read, F>(
    r: &mut Reader<R>,
    path: &Path,
    last: bool,
    db: &mut u64,
    ts: &mut Option<i64>,
    f: &mut F,
    walked: &mut Walked,
) -> Result<()>
where
    F: FnMut(&Source<'_>, &[&[u8]]) -> Result<()>,
{
    let mut tx = Tx::default();
    loop {
        let item = match r.next_item() {
            Ok(Some(item)) => item,
            Ok(None) => break,
            Err(e) if last && e.is_truncated() => {
                walked.cut = Some((path.to_path_buf(), tx.open.unwrap_or(r.valid_up_to())));
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        let c = match item {
            ItemRef::Annotation { text, .. } => {
                if let Some(t) = super::resp::parse_timestamp(text) {
                    *ts = Some(t);
                }
                continue;
            }
            ItemRef::Command(c) => c,
        };
        if c.is("select")
            && let Some(n) = c
                .arg(1)
                .and_then(|a| std::str::from_utf8(a).ok()?.parse().ok())
        {
            *db = n;
        }
        if c.is("multi") && tx.open.is_none() {
            tx.open = Some(c.offset);
        }
        if tx.open.is_some() {
            tx.cmds.push(Queued {
                offset: c.offset,
                db: *db,
                ts: *ts,
                args: c.args().map(<[u8]>::to_vec).collect(),
            });
            if c.is("exec") {
                tx.open = None;
                for q in std::mem::take(&mut tx.cmds) {
                    let v: Vec<&[u8]> = q.args.iter().map(Vec::as_slice).collect();
                    let src = Source {
                        file: path,
                        offset: q.offset,
                        db: q.db,
                        ts: q.ts,
                        from_rdb: false,
                    };
                    f(&src, &v)?;
                }
            }
            continue;
        }
        let args: Vec<&[u8]> = c.args().collect();
        f(
            &Source {
                file: path,
                offset: c.offset,
                db: *db,
                ts: *ts,
                from_rdb: false,
            },
            &args,
        )?;
    }
    if let Some(at) = tx.open {
        if !last {
            return Err(Error::at(
                ErrorKind::Resp("MULTI without EXEC at the end of the file".into()),
                at,
            ));
        }
        walked.cut = Some((path.to_path_buf(), at));
    }
    Ok(())
}

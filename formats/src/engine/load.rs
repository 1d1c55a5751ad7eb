//! Filling a [`Keyspace`]: an AOF of any layout (RDB parts loaded as records, RESP
//! commands replayed), or an RDB.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;

use super::{ExecError, Keyspace, Obj, Session};
use crate::aof::check::Layout;
use crate::aof::read::{RdbParts, walk_with};
use crate::error::{Doing, Error, ErrorKind, Result};
use crate::rdb::TypeId;
use crate::rdb::Version;
use crate::rdb::Visitor;
use crate::rdb::value::{Record, Records};

/// What loading did.
#[derive(Debug, Default, Clone)]
pub struct LoadReport {
    /// Commands applied (RDB keys not counted).
    pub commands: u64,
    /// Keys loaded from RDB parts.
    pub rdb_keys: u64,
    /// Unknown commands skipped (`skip_unknown`), by name, with the first place seen.
    pub unknown: BTreeMap<String, (u64, PathBuf, u64)>,
    /// A cut tail that was dropped (file, offset).
    pub cut: Option<(PathBuf, u64)>,
    /// The RDB version of the last RDB part, if any.
    pub rdb_version: Option<Version>,
}

impl LoadReport {
    /// What a user should be told: a dropped cut tail, skipped unknown commands.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some((file, off)) = &self.cut {
            out.push(format!(
                "{} is cut at offset {off}: the incomplete tail was dropped, as Redis drops it",
                file.display()
            ));
        }
        for (name, (n, file, off)) in &self.unknown {
            out.push(format!(
                "skipped {n} unknown command(s) {name} (first at {}:{off})",
                file.display()
            ));
        }
        out
    }
}

/// Stores one record in a keyspace.
fn store(ks: &RefCell<Keyspace>, rec: &Record) -> Result<()> {
    let db = usize::try_from(rec.db)
        .ok()
        .filter(|&d| d <= usize::from(u16::MAX))
        .ok_or_else(|| {
            Error::new(ErrorKind::Invalid(format!(
                "db {} is beyond what the engine holds",
                rec.db
            )))
        })?;
    ks.borrow_mut()
        .db_mut(db)
        .set(&rec.key, Obj::from_record(rec), rec.expire_ms);
    Ok(())
}

type StoreFn<'a> = Box<dyn FnMut(&Record, TypeId, u64) -> Result<()> + 'a>;

/// Loads RDB records into a keyspace (keys and function libraries).
pub struct RdbLoader<'a> {
    ks: &'a RefCell<Keyspace>,
    records: Records<StoreFn<'a>>,
    last_db: std::rc::Rc<std::cell::Cell<(u64, u64)>>,
}

impl<'a> RdbLoader<'a> {
    pub fn new(ks: &'a RefCell<Keyspace>) -> Self {
        // (db of the last key, keys loaded)
        let last_db = std::rc::Rc::new(std::cell::Cell::new((0u64, 0u64)));
        let seen = last_db.clone();
        let f: StoreFn<'a> = Box::new(move |rec: &Record, _, _| {
            let (_, n) = seen.get();
            seen.set((rec.db, n + 1));
            store(ks, rec)
        });
        RdbLoader {
            ks,
            records: Records::new(f),
            last_db,
        }
    }

    fn keys(&self) -> u64 {
        self.last_db.get().1
    }

    fn version(&self) -> Option<Version> {
        self.records.version()
    }

    /// Moves the function libraries read into the keyspace.
    fn take_functions(&mut self) {
        for code in self.records.take_functions() {
            let name = super::cmd::library_name(&code).unwrap_or_default();
            self.ks.borrow_mut().functions.insert(name, code);
        }
    }
}

impl RdbParts for RdbLoader<'_> {
    fn visitor(&mut self) -> &mut dyn Visitor {
        &mut self.records
    }
    fn done(&mut self) {
        self.take_functions();
    }
    fn last_db(&self) -> u64 {
        self.last_db.get().0
    }
}

/// Loads an RDB into a new keyspace.
pub fn load_rdb<R: Read>(input: R) -> Result<(Keyspace, Version)> {
    let cell = RefCell::new(Keyspace::default());
    let mut l = RdbLoader::new(&cell);
    let s = crate::rdb::Reader::new(input).run(l.visitor())?;
    l.take_functions();
    drop(l);
    Ok((cell.into_inner(), s.version))
}

/// Loads an AOF (any layout) into `ks`. A command the engine does not know is an error
/// naming it, the file and the offset, unless `skip_unknown` (then it is counted in the
/// report); `progress` is called with the bytes read so far.
pub fn load_aof(
    layout: &Layout,
    ks: Keyspace,
    skip_unknown: bool,
    mut progress: impl FnMut(u64),
) -> Result<(Keyspace, LoadReport)> {
    let cell = RefCell::new(ks);
    let mut loader = RdbLoader::new(&cell);
    let mut report = LoadReport::default();
    let mut session = Session::new();
    let mut current: Option<PathBuf> = None;
    let mut done_before = 0u64;
    let mut last_offset = 0u64;
    let walked = walk_with(layout, Some(&mut loader), |src, args| {
        if current.as_deref() != Some(src.file) {
            // Each file is loaded by a fresh client, in db 0.
            if current.is_some() {
                done_before += last_offset;
            }
            current = Some(src.file.to_path_buf());
            session = Session::new();
        }
        last_offset = src.offset;
        progress(done_before + src.offset);
        report.commands += 1;
        match session.execute(&mut cell.borrow_mut(), args) {
            Ok(()) => Ok(()),
            Err(ExecError::Unknown(name)) if skip_unknown => {
                let e = report
                    .unknown
                    .entry(name)
                    .or_insert_with(|| (0, src.file.to_path_buf(), src.offset));
                e.0 += 1;
                Ok(())
            }
            Err(e) => {
                let hint = if matches!(e, ExecError::Unknown(_)) {
                    " (--skip-unknown goes on without it and reports it)"
                } else {
                    ""
                };
                let mut err = Error::at(
                    ErrorKind::Invalid(format!("{}: {e}{hint}", src.file.display())),
                    src.offset,
                );
                err.ctx.doing = Doing::Record;
                err.ctx.db = Some(session.db as u64);
                Err(err)
            }
        }
    })?;
    loader.take_functions();
    report.cut = walked.cut;
    report.rdb_keys = loader.keys();
    report.rdb_version = loader.version();
    drop(loader);
    Ok((cell.into_inner(), report))
}

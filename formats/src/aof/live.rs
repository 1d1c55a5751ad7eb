//! A live Redis 7 multi-part AOF, written as a server writes it: commands appended to
//! the current INCR file (a `SELECT` whenever the database changes), flushed in batches
//! and fsynced by the `appendfsync` policy; a rewrite opens a new INCR file at its start
//! (so that no write is lost while the base is being made elsewhere, typically by a
//! forked child) and, once the new base is complete, switches the manifest atomically
//! and deletes the files it replaced. Names, manifest lines and the order of events
//! follow Redis 7.0's `aof.c` (`openNewIncrAofForAppend`,
//! `backgroundRewriteDoneHandler`), so that Redis loads the directory at any moment.

use std::ffi::OsStr;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::atomic::AtomicFile;
use crate::engine::Keyspace;
use crate::engine::write::{AofRole, write_aof_base};
use crate::rdb::{Flavor, Version};

use super::manifest::{self, Entry, FileType, Manifest};
use super::resp::write_command;

/// `appendfsync`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fsync {
    /// After every flush.
    Always,
    /// At most once a second.
    EverySec,
    /// Left to the kernel.
    No,
}

impl Fsync {
    pub fn parse(s: &str) -> Option<Fsync> {
        match s.to_ascii_lowercase().as_str() {
            "always" => Some(Fsync::Always),
            "everysec" => Some(Fsync::EverySec),
            "no" => Some(Fsync::No),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Fsync::Always => "always",
            Fsync::EverySec => "everysec",
            Fsync::No => "no",
        }
    }
}

/// A base being made: where to write it, and what it becomes.
#[derive(Debug)]
pub struct Rewrite {
    /// Write the new base here (complete and fsynced) before [`LiveAof::finish_rewrite`].
    pub temp: PathBuf,
    /// Whether the base is to be an RDB (`aof-use-rdb-preamble yes`) or RESP.
    pub rdb: bool,
}

pub struct LiveAof {
    dir: PathBuf,
    /// `appendfilename`: `appendonly.aof`.
    prefix: String,
    fsync: Fsync,
    rdb_base: bool,
    /// The manifest on disk, if any.
    manifest: Option<Manifest>,
    /// Redis's `AOF_WAIT_REWRITE`: the dataset is not what the manifest describes (there
    /// is none yet, or the dataset was replaced): commands go to a temporary INCR file
    /// until the next rewrite completes and replaces every file of the manifest.
    waiting: bool,
    incr: File,
    incr_path: PathBuf,
    buf: Vec<u8>,
    db: Option<u64>,
    /// Between MULTI and EXEC/DISCARD: a rewrite may not start there.
    in_multi: bool,
    unsynced: bool,
    last_fsync: Instant,
    /// Bytes of the base and the INCR files of the manifest (`aof_current_size`).
    current_size: u64,
    /// `aof_current_size` when the last rewrite finished (`aof_base_size`).
    base_size: u64,
    rewrite_seq: u64,
}

fn name_path(dir: &Path, name: &[u8]) -> PathBuf {
    dir.join(OsStr::from_bytes(name))
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

fn open_append(path: &Path, truncate: bool) -> io::Result<File> {
    let mut o = OpenOptions::new();
    o.create(true).write(true);
    if truncate {
        o.truncate(true);
    } else {
        o.append(true);
    }
    o.open(path)
}

fn err(msg: String) -> io::Error {
    io::Error::other(msg)
}

impl LiveAof {
    /// Opens `dir` (created if needed) for appending. With a manifest there, the
    /// dataset is assumed to be what it holds (loaded by the caller) and commands go to
    /// its last INCR file; without one, they go to a temporary INCR file until the
    /// first [`begin_rewrite`](Self::begin_rewrite)/[`finish_rewrite`](Self::finish_rewrite)
    /// makes a base, as Redis does when AOF is switched on.
    pub fn open(dir: &Path, prefix: &str, fsync: Fsync, rdb_base: bool) -> io::Result<LiveAof> {
        if prefix.is_empty() || prefix.contains('/') {
            return Err(err(format!("invalid appendfilename {prefix:?}")));
        }
        fs::create_dir_all(dir)?;
        // Bases that a killed run's rewrite left half-written are never loaded: gone.
        for e in fs::read_dir(dir)?.flatten() {
            if e.file_name().as_bytes().starts_with(b"temp-rewriteaof-") {
                let _ = fs::remove_file(e.path());
            }
        }
        let mpath = dir.join(format!("{prefix}.manifest"));
        let (manifest, incr_path) = match fs::read(&mpath) {
            Ok(text) => {
                let mut m =
                    manifest::parse(&text).map_err(|e| err(format!("{}: {e}", mpath.display())))?;
                let last = match m.incrs().last() {
                    Some(e) => e.file.clone(),
                    None => {
                        // A manifest with a base only: start its first INCR file.
                        let name = push_incr(&mut m, prefix);
                        File::create(name_path(dir, &name))?.sync_all()?;
                        write_manifest(dir, prefix, &m)?;
                        name
                    }
                };
                (Some(m), name_path(dir, &last))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                (None, dir.join(format!("temp-{prefix}.incr")))
            }
            Err(e) => return Err(e),
        };
        let incr = open_append(&incr_path, manifest.is_none())?;
        let waiting = manifest.is_none();
        let mut aof = LiveAof {
            dir: dir.to_path_buf(),
            prefix: prefix.to_string(),
            fsync,
            rdb_base,
            manifest,
            waiting,
            incr,
            incr_path,
            buf: Vec::with_capacity(1 << 16),
            db: None,
            in_multi: false,
            unsynced: false,
            last_fsync: Instant::now(),
            current_size: 0,
            base_size: 0,
            rewrite_seq: 0,
        };
        aof.current_size = aof.files_size();
        aof.base_size = aof.current_size;
        Ok(aof)
    }

    fn files_size(&self) -> u64 {
        let size = |name: &[u8]| fs::metadata(name_path(&self.dir, name)).map_or(0, |m| m.len());
        match self.manifest.as_ref().filter(|_| !self.waiting) {
            Some(m) => m
                .entries
                .iter()
                .filter(|e| e.kind != FileType::History)
                .map(|e| size(&e.file))
                .sum(),
            None => 0,
        }
    }

    /// Whether a base exists (the directory is loadable as the whole dataset).
    pub fn has_base(&self) -> bool {
        !self.waiting && self.manifest.as_ref().is_some_and(|m| m.base().is_some())
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn fsync_policy(&self) -> Fsync {
        self.fsync
    }

    pub fn set_fsync_policy(&mut self, f: Fsync) {
        self.fsync = f;
    }

    pub fn set_rdb_base(&mut self, rdb: bool) {
        self.rdb_base = rdb;
    }

    /// `aof_current_size`: the base and INCR files, with what is buffered.
    pub fn current_size(&self) -> u64 {
        self.current_size + self.buf.len() as u64
    }

    /// `aof_base_size`: the size when the last rewrite finished.
    pub fn base_size(&self) -> u64 {
        self.base_size
    }

    /// Buffers one command of database `db` (a `SELECT` first when the database
    /// changed). Written by [`flush`](Self::flush).
    pub fn append(&mut self, db: u64, args: &[&[u8]]) {
        if self.db != Some(db) {
            let n = itoa::Buffer::new().format(db).as_bytes().to_vec();
            // Writing to a Vec cannot fail.
            let _ = write_command(&mut self.buf, &[b"SELECT", &n]);
            self.db = Some(db);
        }
        let _ = write_command(&mut self.buf, args);
        match args.first() {
            Some(c) if c.eq_ignore_ascii_case(b"MULTI") => self.in_multi = true,
            Some(c) if c.eq_ignore_ascii_case(b"EXEC") || c.eq_ignore_ascii_case(b"DISCARD") => {
                self.in_multi = false;
            }
            _ => {}
        }
    }

    /// The dataset was replaced (a replica's full resynchronisation): the AOF on disk
    /// stays as it is, describing the old one, until the next rewrite completes; the
    /// commands from now on go to a temporary INCR file that becomes part of the new
    /// AOF then (Redis's `AOF_WAIT_REWRITE`).
    pub fn reset(&mut self) -> io::Result<()> {
        self.flush()?;
        self.sync()?;
        self.incr_path = self.dir.join(format!("temp-{}.incr", self.prefix));
        self.incr = open_append(&self.incr_path, true)?;
        self.waiting = true;
        self.db = None;
        self.in_multi = false;
        Ok(())
    }

    /// Whether a MULTI was appended without its EXEC yet: a rewrite must wait, or Redis
    /// would find half a transaction at the end of an INCR file that is not the last.
    pub fn in_transaction(&self) -> bool {
        self.in_multi
    }

    /// Writes what is buffered to the INCR file, fsyncing by the policy (`everysec`:
    /// when a second has passed since the last fsync; see also [`tick`](Self::tick)).
    pub fn flush(&mut self) -> io::Result<()> {
        if !self.buf.is_empty() {
            // A failed write (a full disk) must not leave part of a command behind: the
            // file is cut back to where it was and the buffer kept for the next try, as
            // Redis does after a short write.
            let before = self.incr.metadata()?.len();
            if let Err(e) = self.incr.write_all(&self.buf) {
                let _ = self.incr.set_len(before);
                return Err(e);
            }
            if !self.waiting {
                self.current_size += self.buf.len() as u64;
            }
            self.buf.clear();
            self.unsynced = true;
        }
        match self.fsync {
            Fsync::Always => self.sync()?,
            Fsync::EverySec if self.last_fsync.elapsed() >= Duration::from_secs(1) => {
                self.sync()?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Writes what is buffered and fsyncs, whatever the policy (at shutdown).
    pub fn sync_all(&mut self) -> io::Result<()> {
        self.flush()?;
        self.sync()
    }

    /// Called about once a second: flushes and fsyncs under `everysec`.
    pub fn tick(&mut self) -> io::Result<()> {
        self.flush()
    }

    fn sync(&mut self) -> io::Result<()> {
        if self.unsynced {
            self.incr.sync_data()?;
            self.unsynced = false;
        }
        self.last_fsync = Instant::now();
        Ok(())
    }

    /// The next base's seq: the current base's plus one (as Redis counts, history
    /// entries aside).
    fn next_base_seq(&self) -> u64 {
        self.manifest
            .as_ref()
            .and_then(Manifest::base)
            .map_or(0, |e| e.seq)
            + 1
    }

    /// Starts a rewrite at this instant: what was appended so far is flushed and
    /// fsynced, and a new INCR file receives what comes next (listed in the manifest at
    /// once, so that a crash before the base is done loses nothing). The caller then
    /// makes the base of the dataset as it is now at [`Rewrite::temp`].
    pub fn begin_rewrite(&mut self) -> io::Result<Rewrite> {
        if self.in_multi {
            return Err(err("a rewrite cannot start inside MULTI/EXEC".to_string()));
        }
        self.flush()?;
        self.sync()?;
        match self.manifest.as_mut().filter(|_| !self.waiting) {
            Some(m) => {
                let name = push_incr(m, &self.prefix);
                let path = name_path(&self.dir, &name);
                let f = open_append(&path, true)?;
                let m = m.clone();
                write_manifest(&self.dir, &self.prefix, &m)?;
                self.incr = f;
                self.incr_path = path;
            }
            None => {
                // Everything so far will be in the base.
                self.incr = open_append(&self.incr_path, true)?;
            }
        }
        self.db = None;
        self.rewrite_seq += 1;
        Ok(Rewrite {
            temp: self.dir.join(format!(
                "temp-rewriteaof-{}-{}.aof",
                std::process::id(),
                self.rewrite_seq
            )),
            rdb: self.rdb_base,
        })
    }

    /// Ends a rewrite. On success the new base (complete and fsynced at `rw.temp`)
    /// replaces the old one and the INCR files it covers: the manifest is switched
    /// atomically, then the replaced files are deleted. On failure the temporary file is
    /// removed and the AOF goes on as it was (with one more INCR file).
    pub fn finish_rewrite(&mut self, rw: Rewrite, ok: bool) -> io::Result<()> {
        if !ok {
            let _ = fs::remove_file(&rw.temp);
            return Ok(());
        }
        self.flush()?;
        let ext = if rw.rdb { "rdb" } else { "aof" };
        let base_seq = self.next_base_seq();
        let base_name = format!("{}.{base_seq}.base.{ext}", self.prefix).into_bytes();
        fs::rename(&rw.temp, name_path(&self.dir, &base_name))?;
        let mut old_files = Vec::new();
        let mut m = self.manifest.take().unwrap_or_default();
        if std::mem::take(&mut self.waiting) {
            // The temporary INCR file becomes the only one; every file of the old
            // manifest (describing an older dataset) goes.
            let name = push_incr(&mut m, &self.prefix);
            let path = name_path(&self.dir, &name);
            self.sync()?;
            fs::rename(&self.incr_path, &path)?;
            self.incr_path = path;
        }
        let current = m.incrs().last().map(|e| e.file.clone()).unwrap_or_default();
        let mut entries = vec![Entry {
            file: base_name,
            seq: base_seq,
            kind: FileType::Base,
            extra: Vec::new(),
            line: 0,
        }];
        for e in m.entries.drain(..) {
            if e.kind == FileType::Incr && e.file == current {
                entries.push(e);
            } else {
                old_files.push(e.file);
            }
        }
        let m = Manifest { entries };
        sync_dir(&self.dir)?;
        write_manifest(&self.dir, &self.prefix, &m)?;
        for f in old_files {
            let p = name_path(&self.dir, &f);
            if let Err(e) = fs::remove_file(&p)
                && e.kind() != io::ErrorKind::NotFound
            {
                return Err(err(format!("cannot delete {}: {e}", p.display())));
            }
        }
        sync_dir(&self.dir)?;
        self.manifest = Some(m);
        self.current_size = self.files_size();
        self.base_size = self.current_size;
        Ok(())
    }
}

/// Writes the base of `ks` for `rw` (an RDB of Redis 7.0's version, or RESP commands),
/// fsynced: what the rewrite's child does. Returns its size.
pub fn write_base(ks: &Keyspace, rw: &Rewrite, now_ms: i64) -> crate::Result<u64> {
    let f = File::create(&rw.temp)?;
    let version = rw.rdb.then_some(Version {
        flavor: Flavor::Redis,
        number: 10,
    });
    let out = write_aof_base(
        ks,
        io::BufWriter::with_capacity(1 << 20, f),
        version,
        AofRole::Base,
        now_ms,
        false,
    )?;
    let f = out.into_inner().map_err(|e| e.into_error())?;
    f.sync_all()?;
    Ok(f.metadata()?.len())
}

/// Adds the next INCR file (`<prefix>.<seq>.incr.aof`, seq one past the last) to `m`;
/// returns its name.
fn push_incr(m: &mut Manifest, prefix: &str) -> Vec<u8> {
    let seq = m.incrs().map(|e| e.seq).max().unwrap_or(0) + 1;
    let name = format!("{prefix}.{seq}.incr.aof").into_bytes();
    m.entries.push(Entry {
        file: name.clone(),
        seq,
        kind: FileType::Incr,
        extra: Vec::new(),
        line: 0,
    });
    name
}

/// Replaces the manifest atomically (temporary file, fsync, rename, directory fsync).
fn write_manifest(dir: &Path, prefix: &str, m: &Manifest) -> io::Result<()> {
    let mut f = AtomicFile::create(dir.join(format!("{prefix}.manifest")))?;
    f.write_all(&m.to_bytes())?;
    f.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest_of(dir: &Path) -> String {
        String::from_utf8(fs::read(dir.join("appendonly.aof.manifest")).unwrap()).unwrap()
    }

    fn files(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn the_first_rewrite_makes_base_and_incr_1_then_each_rewrite_replaces_them() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("appendonlydir");
        let mut aof = LiveAof::open(&dir, "appendonly.aof", Fsync::Always, false).unwrap();
        aof.append(0, &[b"SET", b"before", b"1"]);
        aof.flush().unwrap();
        assert!(!aof.has_base());
        assert!(!dir.join("appendonly.aof.manifest").exists());

        let rw = aof.begin_rewrite().unwrap();
        aof.append(3, &[b"SET", b"during", b"2"]);
        aof.flush().unwrap();
        fs::write(&rw.temp, b"*3\r\n$3\r\nSET\r\n$6\r\nbefore\r\n$1\r\n1\r\n").unwrap();
        aof.finish_rewrite(rw, true).unwrap();
        assert_eq!(
            manifest_of(&dir),
            "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
        );
        assert_eq!(
            fs::read(dir.join("appendonly.aof.1.incr.aof")).unwrap(),
            b"*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n*3\r\n$3\r\nSET\r\n$6\r\nduring\r\n$1\r\n2\r\n"
        );

        // A rewrite that fails leaves the base and adds an INCR file.
        let rw = aof.begin_rewrite().unwrap();
        aof.append(3, &[b"DEL", b"during"]);
        aof.flush().unwrap();
        aof.finish_rewrite(rw, false).unwrap();
        assert_eq!(
            manifest_of(&dir),
            "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n"
        );

        // One that succeeds replaces everything before its start.
        let rw = aof.begin_rewrite().unwrap();
        aof.append(0, &[b"SET", b"after", b"3"]);
        aof.flush().unwrap();
        fs::write(&rw.temp, b"REDIS0010").unwrap();
        let mut rw = rw;
        rw.rdb = true;
        aof.finish_rewrite(rw, true).unwrap();
        assert_eq!(
            manifest_of(&dir),
            "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.3.incr.aof seq 3 type i\n"
        );
        assert_eq!(
            files(&dir),
            [
                "appendonly.aof.2.base.rdb",
                "appendonly.aof.3.incr.aof",
                "appendonly.aof.manifest"
            ]
        );
        assert_eq!(
            aof.current_size(),
            9 + fs::metadata(dir.join("appendonly.aof.3.incr.aof"))
                .unwrap()
                .len()
        );
        assert_eq!(aof.base_size(), aof.current_size());

        // Reopened, it appends to the last INCR file.
        drop(aof);
        let mut aof = LiveAof::open(&dir, "appendonly.aof", Fsync::No, true).unwrap();
        assert!(aof.has_base());
        aof.append(0, &[b"DEL", b"after"]);
        aof.flush().unwrap();
        let text = fs::read(dir.join("appendonly.aof.3.incr.aof")).unwrap();
        assert!(text.ends_with(b"*2\r\n$3\r\nDEL\r\n$5\r\nafter\r\n"));
        assert_eq!(text.windows(6).filter(|w| w == b"SELECT").count(), 2);

        // A replaced dataset: the AOF on disk is left as it is until a new base is done.
        aof.reset().unwrap();
        aof.append(0, &[b"SET", b"new", b"4"]);
        aof.flush().unwrap();
        assert!(!aof.has_base());
        let before = manifest_of(&dir);
        let rw = aof.begin_rewrite().unwrap();
        assert_eq!(manifest_of(&dir), before);
        aof.append(0, &[b"SET", b"newer", b"5"]);
        aof.flush().unwrap();
        fs::write(&rw.temp, b"REDIS0010").unwrap();
        aof.finish_rewrite(rw, true).unwrap();
        assert!(aof.has_base());
        assert_eq!(
            manifest_of(&dir),
            "file appendonly.aof.3.base.rdb seq 3 type b\nfile appendonly.aof.4.incr.aof seq 4 type i\n"
        );
        assert_eq!(
            files(&dir),
            [
                "appendonly.aof.3.base.rdb",
                "appendonly.aof.4.incr.aof",
                "appendonly.aof.manifest"
            ]
        );
        let text = fs::read(dir.join("appendonly.aof.4.incr.aof")).unwrap();
        assert!(text.ends_with(b"*3\r\n$3\r\nSET\r\n$5\r\nnewer\r\n$1\r\n5\r\n"));
        assert!(!text.windows(4).any(|w| w == b"new\r"));
    }
}

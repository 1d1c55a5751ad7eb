//! Checking an AOF in any layout, as `redis-check-aof` does and more: a plain RESP file,
//! an RDB-preamble file (an RDB, then RESP), or a Redis 7 multi-part set given by its
//! directory or manifest. Per file: size, how far it is valid (offset and line, lines
//! counted like `redis-check-aof`: cumulative over a set), command counts by name and by
//! database, the `#TS` range, MULTI/EXEC pairing, and for an RDB part the reader's full
//! checks.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use super::manifest::{self, FileType, Manifest};
use super::resp::{ItemRef, Reader};
use crate::error::{Error, ErrorKind, Result};
use crate::rdb::read::{ChecksumStatus, KeyInfo, Visitor};

/// How the AOF is laid out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layout {
    /// One file of RESP commands.
    Resp(PathBuf),
    /// One file: an RDB, then RESP commands (Redis 4.0-6.2 `aof-use-rdb-preamble`).
    RdbPreamble(PathBuf),
    /// Redis 7+ multi-part: the manifest and the directory holding the files.
    MultiPart {
        manifest_path: PathBuf,
        dir: PathBuf,
        manifest: Manifest,
    },
}

/// Decides the layout of `path` by content: a directory holding a manifest, a manifest
/// (its first non-`#` line starts with `file`), a file starting with an RDB magic, or
/// RESP.
pub fn detect(path: &Path) -> Result<Layout> {
    if path.is_dir() {
        let mut found: Vec<PathBuf> = std::fs::read_dir(path)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "manifest"))
            .filter(|p| {
                !p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("temp-"))
            })
            .collect();
        found.sort();
        let m = match found.as_slice() {
            [one] => one.clone(),
            [] => {
                return Err(Error::new(ErrorKind::Invalid(format!(
                    "{} holds no .manifest file",
                    path.display()
                ))));
            }
            many => {
                return Err(Error::new(ErrorKind::Invalid(format!(
                    "{} holds {} manifests; name one",
                    path.display(),
                    many.len()
                ))));
            }
        };
        return multi_part(&m);
    }
    let mut head = [0u8; 64];
    let n = read_up_to(&mut File::open(path)?, &mut head)?;
    let head = head.get(..n).unwrap_or_default();
    if looks_like_manifest(head) {
        return multi_part(path);
    }
    if head.starts_with(b"REDIS") || head.starts_with(b"VALKEY") {
        return Ok(Layout::RdbPreamble(path.to_path_buf()));
    }
    Ok(Layout::Resp(path.to_path_buf()))
}

/// A part's bytes from the start (the sniffed head chained back), and whether it starts
/// with an RDB (a preamble or a `.base.rdb`) rather than RESP.
pub(crate) type Part = std::io::Chain<std::io::Cursor<Vec<u8>>, BufReader<File>>;

pub(crate) fn open_part(f: File) -> std::io::Result<(Part, bool)> {
    let mut f = BufReader::with_capacity(1 << 16, f);
    let mut head = [0u8; 6];
    let n = read_up_to(&mut f, &mut head)?;
    let head = head.get(..n).unwrap_or_default();
    let is_rdb = head.starts_with(b"REDIS") || head.starts_with(b"VALKEY");
    Ok((std::io::Cursor::new(head.to_vec()).chain(f), is_rdb))
}

pub(crate) fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(buf.get_mut(n..).unwrap_or_default())? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

fn looks_like_manifest(head: &[u8]) -> bool {
    head.split(|&b| b == b'\n')
        .find(|l| !l.starts_with(b"#"))
        .is_some_and(|l| l.starts_with(b"file "))
}

fn multi_part(manifest_path: &Path) -> Result<Layout> {
    let text = std::fs::read(manifest_path)?;
    let manifest = manifest::parse(&text)?;
    let dir = manifest_path
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    Ok(Layout::MultiPart {
        manifest_path: manifest_path.to_path_buf(),
        dir,
        manifest,
    })
}

/// What checking one file found.
#[derive(Debug, Default)]
pub struct FileReport {
    pub path: PathBuf,
    /// `b`, `i` for parts of a multi-part set; `None` for a single-file AOF.
    pub kind: Option<FileType>,
    pub exists: bool,
    pub size: u64,
    /// Bytes from the start that are valid (`ok_up_to`).
    pub valid_up_to: u64,
    /// The line where checking stopped, counted as `redis-check-aof` counts its
    /// `ok_up_to_line`: cumulative over a multi-part set, one line per count, length and
    /// payload (payload bytes are not scanned for newlines), annotations not counted, and
    /// for a cut command its complete lines.
    pub valid_up_to_line: u64,
    /// The file has an RDB part (a `.base.rdb` or a preamble).
    pub rdb: Option<RdbPart>,
    pub commands: u64,
    /// Commands by lower-cased name.
    pub by_name: BTreeMap<String, u64>,
    /// Commands by the database they ran in.
    pub by_db: BTreeMap<u64, u64>,
    pub first_ts: Option<i64>,
    pub last_ts: Option<i64>,
    /// Commands Redis would not know (by lower-cased name): the file still loads only
    /// where the server has them (modules), so these are warnings.
    pub unknown: BTreeMap<String, u64>,
    /// Commands whose argument count does not fit their arity.
    pub bad_arity: u64,
    /// The first [`MAX_WARNINGS`] warnings: (offset, message).
    pub warnings: Vec<(u64, String)>,
    /// The first problem, if any.
    pub error: Option<Error>,
    /// The problem is a cut tail (the file ends inside a command or an open MULTI), which
    /// Redis repairs on load when the file is the last of its set (`aof-load-truncated`).
    pub truncated: bool,
}

/// The RDB part of a file.
#[derive(Debug, Clone)]
pub struct RdbPart {
    pub version: u32,
    pub keys: u64,
    pub expires: u64,
    pub checksum: Option<ChecksumStatus>,
    pub end_offset: u64,
}

/// How many warnings a file report keeps (all are counted).
pub const MAX_WARNINGS: usize = 20;

impl FileReport {
    fn warn(&mut self, offset: u64, msg: impl FnOnce() -> String) {
        if self.warnings.len() < MAX_WARNINGS {
            self.warnings.push((offset, msg()));
        }
    }

    /// Unknown command names and wrong argument counts, as warnings.
    fn check_command(&mut self, c: &super::resp::CommandRef<'_>, info: &NameInfo) {
        let Some(cmd) = info.cmd else {
            let name = &info.lower;
            self.warn(c.offset, || format!("unknown command {name:?}"));
            return;
        };
        let sub = if info.has_subs { c.arg(1) } else { None };
        let (arity, what) =
            match sub.and_then(|s| super::subcommand_arity(c.name(), s).map(|a| (a, s))) {
                Some((a, s)) => (a, Some(s)),
                None => (cmd.arity, None),
            };
        if !super::arity_ok(arity, c.argc()) {
            self.bad_arity += 1;
            let argc = c.argc();
            let name = &info.lower;
            self.warn(c.offset, || {
                let what = match what {
                    Some(s) => {
                        format!("{name} {}", String::from_utf8_lossy(s).to_ascii_lowercase())
                    }
                    None => name.clone(),
                };
                format!("{what} with {argc} arguments (arity {arity}: Redis would reject it)")
            });
        }
    }
}

/// What the walk knows about one command name as written (looked up once).
struct NameInfo {
    lower: String,
    cmd: Option<&'static super::commands::Command>,
    has_subs: bool,
    count: u64,
}

impl NameInfo {
    fn new(name: &[u8]) -> Self {
        let lower = String::from_utf8_lossy(name).to_ascii_lowercase();
        let mut prefix = lower.clone().into_bytes();
        prefix.push(b'|');
        let has_subs = super::commands::SUBCOMMANDS
            .iter()
            .any(|(n, _)| n.as_bytes().starts_with(&prefix));
        NameInfo {
            cmd: super::command(name),
            lower,
            has_subs,
            count: 0,
        }
    }
}

/// What checking a whole AOF found.
#[derive(Debug)]
pub struct Report {
    pub layout: Layout,
    pub files: Vec<FileReport>,
    /// History entries of a manifest: not loaded, reported.
    pub history: Vec<PathBuf>,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.files.iter().all(|f| f.exists && f.error.is_none())
    }

    pub fn format_name(&self) -> &'static str {
        match self.layout {
            Layout::MultiPart { .. } => "aof-dir",
            _ => "aof",
        }
    }
}

/// Checks every file of the AOF at `path` in load order.
pub fn check(path: &Path) -> Result<Report> {
    let layout = detect(path)?;
    let mut line = 1u64;
    let mut files = Vec::new();
    let mut history = Vec::new();
    match &layout {
        Layout::Resp(p) | Layout::RdbPreamble(p) => files.push(check_file(p, None, &mut line)?),
        Layout::MultiPart { dir, manifest, .. } => {
            let mut db = 0u64;
            for e in manifest.base().into_iter().chain(manifest.incrs()) {
                let p = dir.join(bytes_to_path(&e.file));
                let mut r = check_file_db(&p, Some(e.kind), &mut line, &mut db)?;
                r.kind = Some(e.kind);
                files.push(r);
            }
            history = manifest
                .history()
                .map(|e| dir.join(bytes_to_path(&e.file)))
                .collect();
        }
    }
    Ok(Report {
        layout,
        files,
        history,
    })
}

fn bytes_to_path(b: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(b))
}

fn check_file(p: &Path, kind: Option<FileType>, line: &mut u64) -> Result<FileReport> {
    let mut db = 0;
    check_file_db(p, kind, line, &mut db)
}

/// Counts keys of an RDB part, collecting nothing else.
#[derive(Default)]
struct Keys {
    keys: u64,
    expires: u64,
    version: u32,
    checksum: Option<ChecksumStatus>,
}

impl Visitor for Keys {
    fn header(&mut self, v: crate::rdb::Version) -> Result<()> {
        self.version = v.number;
        Ok(())
    }
    fn wants_string_values(&self) -> bool {
        false
    }
    fn begin_key(&mut self, k: &KeyInfo<'_>) -> Result<()> {
        self.expires += u64::from(k.expire_ms.is_some());
        Ok(())
    }
    fn end_key(&mut self) -> Result<()> {
        self.keys += 1;
        Ok(())
    }
    fn end(&mut self, c: ChecksumStatus) -> Result<()> {
        self.checksum = Some(c);
        Ok(())
    }
}

fn check_file_db(
    p: &Path,
    kind: Option<FileType>,
    line: &mut u64,
    db: &mut u64,
) -> Result<FileReport> {
    let mut rep = FileReport {
        path: p.to_path_buf(),
        kind,
        ..FileReport::default()
    };
    let f = match File::open(p) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            rep.error = Some(Error::new(ErrorKind::Invalid(format!(
                "{} is named in the manifest but missing",
                p.display()
            ))));
            return Ok(rep);
        }
        Err(e) => return Err(e.into()),
    };
    rep.exists = true;
    rep.size = f.metadata()?.len();
    let (input, is_rdb) = open_part(f)?;
    if is_rdb {
        let mut rdb = crate::rdb::Reader::new(input);
        let mut keys = Keys::default();
        match rdb.run(&mut keys) {
            Ok(s) => {
                rep.rdb = Some(RdbPart {
                    version: keys.version,
                    keys: keys.keys,
                    expires: keys.expires,
                    checksum: keys.checksum,
                    end_offset: s.end_offset,
                });
                rep.valid_up_to = s.end_offset;
                if let ChecksumStatus::Mismatch { stored, computed } = s.checksum {
                    rep.error = Some(Error::at(
                        ErrorKind::ChecksumMismatch { stored, computed },
                        s.end_offset - 8,
                    ));
                    return Ok(rep);
                }
                let (rest, ahead) = rdb.into_parts();
                let mut r = Reader::resume(rest, ahead, s.end_offset);
                walk(&mut r, &mut rep, line, db);
            }
            Err(e) => {
                rep.truncated = e.is_truncated();
                rep.error = Some(e);
            }
        }
    } else {
        let mut r = Reader::new(input);
        walk(&mut r, &mut rep, line, db);
    }
    Ok(rep)
}

/// Walks the RESP records, tracking SELECT, MULTI/EXEC and timestamps. Like
/// `redis-check-aof`: the valid offset goes back to before an open MULTI, the line is
/// where reading stopped.
fn walk<R: Read>(r: &mut Reader<R>, rep: &mut FileReport, line: &mut u64, db: &mut u64) {
    // Offset of an open MULTI: where a cut transaction is undone.
    let mut multi: Option<u64> = None;
    // Per command name as written: looked up once, counted here, merged at the end.
    let mut names: Vec<(Vec<u8>, NameInfo)> = Vec::new();
    let mut last_name = 0usize;
    rep.valid_up_to = rep.rdb.as_ref().map_or(0, |p| p.end_offset);
    loop {
        match r.next_item() {
            Ok(None) => break,
            Ok(Some(ItemRef::Annotation { text, .. })) => {
                // redis-check-aof does not count annotation lines.
                if let Some(ts) = super::resp::parse_timestamp(text) {
                    rep.first_ts.get_or_insert(ts);
                    rep.last_ts = Some(ts);
                }
            }
            Ok(Some(ItemRef::Command(c))) => {
                let offset = c.offset;
                *line += 1 + 2 * c.argc() as u64;
                rep.commands += 1;
                // Few distinct names: the last one, else a short scan.
                if names
                    .get(last_name)
                    .is_none_or(|(n, _)| n.as_slice() != c.name())
                {
                    last_name = match names.iter().position(|(n, _)| n.as_slice() == c.name()) {
                        Some(i) => i,
                        None => {
                            names.push((c.name().to_vec(), NameInfo::new(c.name())));
                            names.len() - 1
                        }
                    };
                }
                let Some((_, info)) = names.get_mut(last_name) else {
                    break;
                };
                info.count += 1;
                rep.check_command(&c, info);
                match info.lower.as_str() {
                    "select" => {
                        if let Some(n) = c
                            .arg(1)
                            .and_then(|a| std::str::from_utf8(a).ok()?.parse().ok())
                        {
                            *db = n;
                        }
                    }
                    "multi" => {
                        if multi.is_some() {
                            rep.error = Some(Error::at(
                                ErrorKind::Resp("MULTI inside MULTI".into()),
                                offset,
                            ));
                            break;
                        }
                        multi = Some(offset);
                    }
                    "exec" => {
                        if multi.take().is_none() {
                            rep.error = Some(Error::at(
                                ErrorKind::Resp("EXEC without MULTI".into()),
                                offset,
                            ));
                            break;
                        }
                    }
                    _ => *rep.by_db.entry(*db).or_default() += 1,
                }
                if multi.is_none() {
                    rep.valid_up_to = r.valid_up_to();
                }
            }
            Err(e) => {
                rep.truncated = matches!(e.kind, ErrorKind::UnexpectedEof);
                *line += r.partial_lines();
                if multi.is_none() {
                    rep.valid_up_to = r.valid_up_to();
                }
                rep.error = Some(e);
                break;
            }
        }
    }
    rep.valid_up_to_line = *line;
    for (_, info) in names {
        *rep.by_name.entry(info.lower.clone()).or_default() += info.count;
        if info.cmd.is_none() {
            *rep.unknown.entry(info.lower).or_default() += info.count;
        }
    }
    if let (Some(off), None) = (multi, &rep.error) {
        rep.truncated = true;
        rep.error = Some(Error::at(
            ErrorKind::Resp("MULTI without EXEC at the end of the file".into()),
            off,
        ));
    }
}

//! The one public error type of `formats`: what went wrong, where (byte offset from the
//! start of the file), and what was being read (db, key, value type).

use std::fmt;
use std::io;

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    #[error("unexpected end of input")]
    UnexpectedEof,
    #[error("truncated: {needed} more bytes needed")]
    Truncated { needed: u64 },
    #[error("not an RDB file: bad magic {0:?}")]
    BadMagic(String),
    #[error("unsupported RDB version {0} (newest known: {1}; --allow-future-version tries anyway)")]
    UnsupportedVersion(u32, u32),
    #[error("unknown opcode or type byte {0} (0x{0:02x})")]
    UnknownOpcode(u8),
    #[error("unknown object type {0}")]
    UnknownType(u8),
    #[error("invalid length encoding byte 0x{0:02x}")]
    LengthEncoding(u8),
    #[error("unknown string encoding {0}")]
    StringEncoding(u8),
    #[error("length {0} does not fit in memory on this machine")]
    LengthOverflow(u64),
    #[error("{what} of {value} exceeds the limit of {limit}")]
    LimitExceeded {
        what: &'static str,
        value: u64,
        limit: u64,
    },
    #[error("invalid LZF data: {0}")]
    Lzf(String),
    #[error("corrupt {encoding}: {reason}")]
    Encoding {
        encoding: &'static str,
        reason: String,
    },
    #[error("{0}")]
    Invalid(String),
    #[error("bad RESP: {0}")]
    Resp(String),
    #[error("manifest line {line}: {reason}")]
    Manifest { line: usize, reason: String },
    /// A JSON Lines record (line counted from 1) that does not follow the dump schema.
    #[error("line {line}: {msg}")]
    Jsonl { line: u64, msg: String },
    #[error("empty {0} (Redis skips it as an empty key; redis-check-rdb reports it)")]
    EmptyKey(&'static str),
    #[error("checksum mismatch: stored 0x{stored:016x}, computed 0x{computed:016x}")]
    ChecksumMismatch { stored: u64, computed: u64 },
    #[error(
        "module value of module {module} (type id {id}) uses the pre-GA module format, which cannot be walked without the module"
    )]
    ModulePreGa { module: String, id: u64 },
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
}

/// What the reader was doing when the error happened (what redis-check-rdb calls the phase).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Doing {
    #[default]
    Header,
    Opcode,
    Aux,
    ModuleAux,
    Function,
    SelectDb,
    ResizeDb,
    SlotInfo,
    SlotImport,
    Expiry,
    Idle,
    Freq,
    KeyMeta,
    Key,
    Value(crate::rdb::TypeId),
    Checksum,
    Write,
    /// An AOF record (RESP command or annotation).
    Record,
    /// A multi-part AOF manifest.
    Manifest,
    /// A JSON Lines record (`dump --format jsonl` read back).
    Jsonl,
}

impl fmt::Display for Doing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Doing::Header => f.write_str("reading header"),
            Doing::Opcode => f.write_str("reading record type"),
            Doing::Aux => f.write_str("reading aux field"),
            Doing::ModuleAux => f.write_str("reading module aux"),
            Doing::Function => f.write_str("reading function library"),
            Doing::SelectDb => f.write_str("reading SELECTDB"),
            Doing::ResizeDb => f.write_str("reading RESIZEDB"),
            Doing::SlotInfo => f.write_str("reading SLOT_INFO"),
            Doing::SlotImport => f.write_str("reading SLOT_IMPORT"),
            Doing::Expiry => f.write_str("reading expire time"),
            Doing::Idle => f.write_str("reading LRU idle time"),
            Doing::Freq => f.write_str("reading LFU frequency"),
            Doing::KeyMeta => f.write_str("reading key metadata"),
            Doing::Key => f.write_str("reading key"),
            Doing::Value(t) => write!(f, "reading value ({})", t.encoding_name()),
            Doing::Checksum => f.write_str("reading checksum"),
            Doing::Write => f.write_str("writing"),
            Doing::Record => f.write_str("reading AOF record"),
            Doing::Manifest => f.write_str("reading manifest"),
            Doing::Jsonl => f.write_str("reading JSON Lines"),
        }
    }
}

impl Doing {
    /// A short stable name, for JSON output.
    pub fn name(&self) -> &'static str {
        match self {
            Doing::Header => "header",
            Doing::Opcode => "opcode",
            Doing::Aux => "aux",
            Doing::ModuleAux => "module-aux",
            Doing::Function => "function",
            Doing::SelectDb => "selectdb",
            Doing::ResizeDb => "resizedb",
            Doing::SlotInfo => "slot-info",
            Doing::SlotImport => "slot-import",
            Doing::Expiry => "expiry",
            Doing::Idle => "idle",
            Doing::Freq => "freq",
            Doing::KeyMeta => "key-meta",
            Doing::Key => "key",
            Doing::Value(_) => "value",
            Doing::Checksum => "checksum",
            Doing::Write => "write",
            Doing::Record => "record",
            Doing::Manifest => "manifest",
            Doing::Jsonl => "jsonl",
        }
    }
}

/// The first bytes of a key (up to [`KeyPreview::MAX`]) and its full length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPreview {
    pub bytes: Vec<u8>,
    pub len: usize,
}

impl KeyPreview {
    pub const MAX: usize = 64;

    pub fn new(key: &[u8]) -> Self {
        KeyPreview {
            bytes: key.get(..Self::MAX).unwrap_or(key).to_vec(),
            len: key.len(),
        }
    }

    /// Whether the preview holds the whole key.
    pub fn is_complete(&self) -> bool {
        self.bytes.len() == self.len
    }
}

impl fmt::Display for KeyPreview {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        crate::escape::write_escaped(f, &self.bytes)?;
        f.write_str("\"")?;
        if !self.is_complete() {
            write!(f, "... ({} bytes)", self.len)?;
        }
        Ok(())
    }
}

/// Where in the data the error happened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    pub doing: Doing,
    pub db: Option<u64>,
    pub key: Option<KeyPreview>,
}

/// An error from reading or writing a Redis persistence format.
#[derive(Debug)]
pub struct Error {
    pub kind: ErrorKind,
    /// Byte offset from the start of the file (or stream) where the problem was found.
    pub offset: Option<u64>,
    pub ctx: Context,
}

impl Error {
    pub fn new(kind: ErrorKind) -> Self {
        Error {
            kind,
            offset: None,
            ctx: Context::default(),
        }
    }

    pub fn at(kind: ErrorKind, offset: u64) -> Self {
        Error {
            kind,
            offset: Some(offset),
            ctx: Context::default(),
        }
    }

    pub fn with_ctx(mut self, ctx: &Context) -> Self {
        self.ctx = ctx.clone();
        self
    }

    pub fn is_io(&self) -> bool {
        matches!(self.kind, ErrorKind::Io(_))
    }

    /// The input ended early (a truncated file), as opposed to bytes that are wrong.
    pub fn is_truncated(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::UnexpectedEof | ErrorKind::Truncated { .. }
        )
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        Error::new(ErrorKind::Io(e))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(off) = self.offset {
            write!(f, "offset {off} (0x{off:x}): ")?;
        }
        write!(f, "{}", self.ctx.doing)?;
        if let Some(key) = &self.ctx.key {
            write!(f, " of key {key}")?;
        }
        if let Some(db) = self.ctx.db {
            write!(f, " in db {db}")?;
        }
        write!(f, ": {}", self.kind)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ErrorKind::Io(e) => Some(e),
            _ => None,
        }
    }
}

//! Command-line definitions (clap derive).

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "rdbtool",
    version,
    about = "Read, check and inspect Redis and Valkey RDB files"
)]
pub struct Cli {
    #[command(subcommand)]
    pub cmd: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print every key of a dataset (JSON Lines, JSON, text, RESP commands or key names).
    Dump(DumpArgs),
    /// Check a dataset as redis-check-rdb does, deeper: exit 0 valid, 1 invalid, 2 unreadable.
    Verify(VerifyArgs),
    /// Summarize a dataset: version, aux fields, functions, key counts by db, type and encoding.
    Info(InfoArgs),
    /// Convert a dataset: to an RDB of any version (up- or downgrade), an AOF, an AOF
    /// directory or JSON Lines; JSON Lines converts back to RDB.
    Convert(ConvertArgs),
    /// Estimate the memory each key takes in Redis (as MEMORY USAGE reports it), with
    /// totals by db, type, encoding, key prefix and TTL, and the biggest keys.
    Memory(MemoryArgs),
    /// Compare two datasets key by key: keys only in A, only in B, and changed ones
    /// (type, TTL, value: members, fields, elements, stream entries and groups).
    /// Exit 0 when equal, 1 when they differ, 2 on error.
    Diff(DiffArgs),
    /// Follow a live Redis as a replica (the replication handshake, a full or partial
    /// resync, then the command stream) and write point-in-time RDB snapshots by fork, as
    /// BGSAVE does: on the `--save` rules and a final one on SIGTERM/SIGINT.
    Capture(CaptureArgs),
}

#[derive(Debug, Args)]
pub struct Input {
    /// An RDB file, or `-` for standard input (the default when standard input is not
    /// a terminal).
    #[arg(value_name = "DATASET")]
    pub input: Option<PathBuf>,
    /// Read RDB versions newer than the newest known as best effort.
    #[arg(long)]
    pub allow_future_version: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DumpFormat {
    Jsonl,
    Json,
    Text,
    Resp,
    Keys,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Expired {
    /// Keep keys whose expire time has passed (they are in the file).
    #[default]
    Include,
    /// Leave them out, as a Redis master does when it loads the file.
    Exclude,
}

/// Filters shared by the commands that read keys (contract.md).
#[derive(Debug, Args, Default)]
pub struct FilterArgs {
    /// Only this database (repeatable).
    #[arg(long = "db", value_name = "N")]
    pub dbs: Vec<u64>,
    /// Only keys matching this Redis glob (as KEYS / SCAN MATCH); bytes allowed.
    #[arg(long = "key", value_name = "GLOB", value_parser = clap::value_parser!(OsString))]
    pub key: Option<OsString>,
    /// Only keys matching this regular expression (on the key's bytes).
    #[arg(long = "key-regex", value_name = "RE")]
    pub key_regex: Option<String>,
    /// Only keys of this type (repeatable): string, list, set, zset, hash, stream, module.
    #[arg(long = "type", value_name = "T")]
    pub types: Vec<String>,
    /// Keys whose expire time has passed.
    #[arg(long, value_enum, default_value_t = Expired::Include)]
    pub expired: Expired,
}

#[derive(Debug, Args)]
pub struct DumpArgs {
    #[command(flatten)]
    pub input: Input,
    #[arg(long, short = 'f', value_enum, default_value_t = DumpFormat::Jsonl)]
    pub format: DumpFormat,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Write here (atomically) instead of standard output; `-` is standard output.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Go on past damaged keys, leaving them out and reporting each one on stderr.
    #[arg(long)]
    pub skip_corrupt: bool,
    /// No progress bar.
    #[arg(short = 'q', long = "quiet", alias = "no-progress")]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub input: Input,
    /// One JSON object (contract.md) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Go on past problems wherever the framing allows, listing every damaged key.
    #[arg(long)]
    pub all: bool,
    /// No progress bar.
    #[arg(short = 'q', long = "quiet", alias = "no-progress")]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct InfoArgs {
    #[command(flatten)]
    pub input: Input,
    /// JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Also print the `DEBUG DIGEST` Redis 7.0 would report after loading the dataset
    /// (an RDB, an AOF file or directory, or JSON Lines, loaded into the keyspace
    /// engine). Keys already expired are dropped first, as a master loading an RDB
    /// does. Module values count by type only (their module's digest callback cannot
    /// run here). Reads the dataset a second time, so it needs a path, not `-`.
    #[arg(long)]
    pub digest: bool,
    /// With --digest, AOF input: go on past commands the keyspace engine does not know,
    /// reporting them.
    #[arg(long, requires = "digest")]
    pub skip_unknown: bool,
    /// No progress bar.
    #[arg(short = 'q', long = "quiet", alias = "no-progress")]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ConvertTo {
    /// An RDB file (`--rdb-version` / `--target-redis` / `--target-valkey`).
    Rdb,
    /// A single-file AOF: the RESP commands that rebuild the dataset.
    Aof,
    /// A Redis 7 multi-part AOF directory: BASE, empty INCR, manifest.
    AofDir,
    /// JSON Lines, as `dump --format jsonl`.
    Jsonl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Preamble {
    /// The AOF starts with (or its BASE is) an RDB.
    Rdb,
    /// RESP commands only.
    None,
}

#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// An RDB file, an AOF (a file, an `appendonlydir` directory or its manifest), a JSON
    /// Lines file (as `dump --format jsonl` writes), or `-` for standard input.
    #[arg(value_name = "DATASET")]
    pub input: PathBuf,
    /// Read RDB versions newer than the newest known as best effort.
    #[arg(long)]
    pub allow_future_version: bool,
    /// Where to write (atomically); `-` is standard output. For `--to aof-dir`, a
    /// directory that must not exist yet.
    #[arg(value_name = "OUT")]
    pub output: PathBuf,
    /// Output format; by default from OUT's extension (.jsonl, .aof), else rdb.
    #[arg(long, value_enum)]
    pub to: Option<ConvertTo>,
    /// RDB version to write: 6 (Redis 2.6-3.0) to 13 (Redis 8.6), or 80 (Valkey 9).
    /// Default: the input's version (JSON Lines input: 12).
    #[arg(long, value_name = "N", group = "target")]
    pub rdb_version: Option<u32>,
    /// Write what this Redis release writes and loads (e.g. 6.2, 7.0, 7.4).
    #[arg(long, value_name = "X.Y", group = "target")]
    pub target_redis: Option<String>,
    /// Write what this Valkey release writes and loads (e.g. 8.1, 9.0).
    #[arg(long, value_name = "X.Y", group = "target")]
    pub target_valkey: Option<String>,
    /// Do not LZF-compress strings (as `rdbcompression no`).
    #[arg(long)]
    pub no_compress: bool,
    /// Write eight zero bytes instead of the CRC-64 (as `rdbchecksum no`).
    #[arg(long)]
    pub no_checksum: bool,
    /// Write the closest equivalent of what the target cannot hold, reporting every key
    /// changed, instead of stopping.
    #[arg(long)]
    pub lossy: bool,
    /// AOF outputs: an RDB preamble / BASE (default for aof-dir), or RESP only (default
    /// for aof).
    #[arg(long, value_enum)]
    pub preamble: Option<Preamble>,
    /// An encoding threshold of the target, by its Redis name (repeatable), e.g.
    /// `hash-max-listpack-entries=128`; defaults are Redis's.
    #[arg(long = "threshold", value_name = "NAME=VALUE")]
    pub thresholds: Vec<String>,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Go on past damaged keys, leaving them out and reporting each one on stderr.
    #[arg(long)]
    pub skip_corrupt: bool,
    /// AOF input: go on past commands the keyspace engine does not know, reporting them.
    #[arg(long)]
    pub skip_unknown: bool,
    /// AOF input: keep keys whose expiry has passed (left out by default, as Redis drops
    /// them when it loads the result).
    #[arg(long)]
    pub keep_expired: bool,
    /// No progress bar and no summary.
    #[arg(short = 'q', long = "quiet", alias = "no-progress")]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MemoryFormat {
    /// A summary: totals, by db, type, encoding, TTL and prefix, the biggest keys.
    Text,
    /// The summary as one JSON object.
    Json,
    /// One JSON object per key.
    Jsonl,
    /// One row per key, with redis-rdb-tools' columns.
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MemoryAllocator {
    /// The jemalloc Redis bundles (8-byte quantum): redis.io builds and Docker images.
    Jemalloc,
    /// A distribution's jemalloc (16-byte quantum): Debian and Ubuntu packages.
    #[value(name = "jemalloc-16")]
    Jemalloc16,
    /// glibc malloc (`make MALLOC=libc`).
    Libc,
}

#[derive(Debug, Args)]
pub struct MemoryArgs {
    /// An RDB file, an AOF (a file, an `appendonlydir` directory or its manifest), a JSON
    /// Lines file, or `-` for standard input (the default when standard input is not a
    /// terminal). Keys are costed as a server holds them after loading it (an AOF whose
    /// commands outweigh its RDB part: as replaying them builds them).
    #[arg(value_name = "DATASET")]
    pub input: Option<PathBuf>,
    /// Read RDB versions newer than the newest known as best effort.
    #[arg(long)]
    pub allow_future_version: bool,
    #[arg(long, short = 'f', value_enum, default_value_t = MemoryFormat::Text)]
    pub format: MemoryFormat,
    /// The N biggest keys: with csv and jsonl only those (biggest first, kept in a heap
    /// of N while reading); in the summary, how many to list (default 10).
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
    /// Totals per key prefix: the key up to its DEPTH-th SEP (keys with fewer take their
    /// longest prefix ending in SEP). One counter per distinct prefix is kept in memory.
    #[arg(long, value_name = "SEP", value_parser = clap::value_parser!(OsString))]
    pub by_prefix: Option<OsString>,
    /// How many SEP-separated parts make a prefix (with --by-prefix).
    #[arg(long, value_name = "D", default_value_t = 1, requires = "by_prefix",
          value_parser = clap::value_parser!(u32).range(1..))]
    pub depth: u32,
    /// The Redis release to model: 6.2, 7.0, 7.2 or 7.4 (a release in between takes the
    /// model before it; 8.x is approximated by 7.4's). Default: the release that writes
    /// the RDB's version (RDB 9 and older: 6.2, 10: 7.0, 11: 7.2, 12 and later: 7.4;
    /// Valkey: 7.2), and 7.0 for AOF and JSON Lines. 7.0 and 6.2 are checked against
    /// real servers; 7.2 and 7.4 follow the Redis source without such a check.
    #[arg(long, value_name = "X.Y")]
    pub redis_version: Option<String>,
    /// The allocator whose size classes the server uses.
    #[arg(long, value_enum, default_value_t = MemoryAllocator::Jemalloc)]
    pub allocator: MemoryAllocator,
    /// An encoding threshold of the target, by its Redis name (repeatable), e.g.
    /// `hash-max-listpack-entries=128`; defaults are Redis's.
    #[arg(long = "threshold", value_name = "NAME=VALUE")]
    pub thresholds: Vec<String>,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Write here (atomically) instead of standard output; `-` is standard output.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Go on past damaged keys, leaving them out and reporting each one on stderr.
    #[arg(long)]
    pub skip_corrupt: bool,
    /// No progress bar.
    #[arg(short = 'q', long = "quiet", alias = "no-progress")]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// For people: a summary, then each differing key with its differing elements.
    Text,
    /// One JSON object per differing key.
    Jsonl,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The first dataset: an RDB file, an AOF (a file, an `appendonlydir` directory or
    /// its manifest), a JSON Lines file, or `-` for standard input.
    #[arg(value_name = "DATASET_A")]
    pub a: PathBuf,
    /// The second dataset, the same kinds (one side at most can be `-`).
    #[arg(value_name = "DATASET_B")]
    pub b: PathBuf,
    /// Read RDB versions newer than the newest known as best effort.
    #[arg(long)]
    pub allow_future_version: bool,
    #[arg(long, short = 'f', value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Do not compare expiry times (of keys, and of hash fields).
    #[arg(long)]
    pub ignore_ttl: bool,
    /// Key expiry times that differ by at most MS milliseconds are equal.
    #[arg(long, value_name = "MS", conflicts_with = "ignore_ttl")]
    pub ttl_tolerance: Option<u64>,
    /// Compare which keys exist and their types only (fastest: values are skipped).
    #[arg(long)]
    pub keys_only: bool,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Write here (atomically) instead of standard output; `-` is standard output.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Go on past damaged keys, leaving them out of the comparison and reporting each.
    #[arg(long)]
    pub skip_corrupt: bool,
    /// Bytes of changed values held at once for the full comparison (more take more
    /// passes over both datasets).
    #[arg(long, value_name = "BYTES", hide = true, default_value_t = 256 << 20)]
    pub collect_budget: usize,
    /// AOF input: go on past commands the keyspace engine does not know, reporting them.
    #[arg(long)]
    pub skip_unknown: bool,
    /// No progress bar.
    #[arg(short = 'q', long = "quiet", alias = "no-progress")]
    pub quiet: bool,
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_are_read_as_redis_reads_them() {
        use super::memory_size;
        assert_eq!(memory_size("64mb"), Ok(64 << 20));
        assert_eq!(memory_size("1K"), Ok(1000));
        assert_eq!(memory_size("1gb"), Ok(1 << 30));
        assert_eq!(memory_size("123"), Ok(123));
        assert!(memory_size("1tb").is_err());
        assert!(memory_size("mb").is_err());
    }

    #[test]
    fn cli_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}

/// `yes` or `no`, as redis.conf spells booleans.
pub fn yes_no(s: &str) -> Result<bool, String> {
    match s.to_ascii_lowercase().as_str() {
        "yes" => Ok(true),
        "no" => Ok(false),
        _ => Err(format!("{s:?}: expected yes or no")),
    }
}

pub fn fsync_policy(s: &str) -> Result<formats::aof::live::Fsync, String> {
    formats::aof::live::Fsync::parse(s)
        .ok_or_else(|| format!("{s:?}: expected always, everysec or no"))
}

/// A size as redis.conf takes it (`memtoull`): a number with an optional unit, k/m/g
/// (powers of 1000) or kb/mb/gb (powers of 1024), any case.
pub fn memory_size(s: &str) -> Result<u64, String> {
    let lower = s.trim().to_ascii_lowercase();
    let split = lower
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(lower.len());
    let (num, unit) = lower.split_at(split);
    let mul: u64 = match unit {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1024,
        "m" => 1000 * 1000,
        "mb" => 1024 * 1024,
        "g" => 1000 * 1000 * 1000,
        "gb" => 1024 * 1024 * 1024,
        _ => return Err(format!("{s:?}: unknown unit (b, k, kb, m, mb, g, gb)")),
    };
    num.parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mul))
        .ok_or_else(|| format!("{s:?}: not a size"))
}

#[derive(Debug, Args)]
pub struct CaptureArgs {
    /// The master to follow, as HOST:PORT (or `replicaof` in --config).
    #[arg(long, value_name = "HOST:PORT")]
    pub replicaof: Option<String>,
    /// AUTH user (ACL, `masteruser`); needs a password.
    #[arg(long, value_name = "U")]
    pub user: Option<String>,
    /// AUTH password (masterauth).
    #[arg(long, value_name = "P")]
    pub password: Option<String>,
    /// Folder of the snapshots, their temporary files and the AOF directory (default `.`).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// File name of the snapshot in --dir (default `dump.rdb`).
    #[arg(long, value_name = "NAME")]
    pub dbfilename: Option<String>,
    /// Save rules: pairs of "SECONDS CHANGES" (a snapshot when at least CHANGES writes
    /// were applied and more than SECONDS have passed since the last one); "" for none
    /// (then no final snapshot either). Default: Redis's, "3600 1 300 100 60 10000".
    #[arg(long, value_name = "RULES")]
    pub save: Option<String>,
    /// Start from this dataset (an RDB or an AOF). A snapshot capture wrote records the
    /// replication id and offset: the master is then asked only for what was missed.
    #[arg(long, value_name = "DATASET")]
    pub load: Option<PathBuf>,
    /// Keep an AOF of what is applied, as `appendonly yes`: a Redis 7 multi-part
    /// directory (--appenddirname in --dir) that Redis loads, rewritten in a forked
    /// child after every full resync and when it grows (default no).
    #[arg(long, value_name = "yes|no", value_parser = yes_no)]
    pub appendonly: Option<bool>,
    /// When the AOF is fsynced: always (every batch of commands), everysec (default), no.
    #[arg(long, value_name = "POLICY", value_parser = fsync_policy)]
    pub appendfsync: Option<formats::aof::live::Fsync>,
    /// The AOF directory's name, in --dir (default `appendonlydir`).
    #[arg(long, value_name = "NAME")]
    pub appenddirname: Option<String>,
    /// The AOF files' name prefix (default `appendonly.aof`).
    #[arg(long, value_name = "NAME")]
    pub appendfilename: Option<String>,
    /// The AOF base as an RDB (yes, the default) or as RESP commands (no).
    #[arg(long, value_name = "yes|no", value_parser = yes_no)]
    pub aof_use_rdb_preamble: Option<bool>,
    /// Rewrite the AOF when it grew by this many percent since the last rewrite (0:
    /// never automatically; default 100).
    #[arg(long, value_name = "PERCENT")]
    pub auto_aof_rewrite_percentage: Option<u64>,
    /// ... and is at least this big (bytes, or with a unit as Redis takes it; default
    /// 64mb).
    #[arg(long, value_name = "SIZE", value_parser = memory_size)]
    pub auto_aof_rewrite_min_size: Option<u64>,
    /// Read these settings from a redis.conf-style file (`replicaof HOST PORT`,
    /// `masteruser`, `masterauth`, `dir`, `dbfilename`, `save`, `appendonly`,
    /// `appendfsync`, `appenddirname`, `appendfilename`, `aof-use-rdb-preamble`,
    /// `auto-aof-rewrite-percentage`, `auto-aof-rewrite-min-size`; other directives are
    /// ignored); flags given on the command line win.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Serve reads, DEBUG DIGEST and the persistence commands to RESP clients on this
    /// address (HOST:PORT) while following the master; writes are refused with READONLY.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// Skip commands the engine does not know (with a warning) instead of stopping.
    #[arg(long)]
    pub skip_unknown: bool,
    /// Only errors on stderr (no line per snapshot or reconnection).
    #[arg(short = 'q', long = "quiet")]
    pub quiet: bool,
}

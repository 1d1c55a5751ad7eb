//! Command-line definitions (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "aoftool", version, about = "Check Redis and Valkey AOF logs")]
pub struct Cli {
    #[command(subcommand)]
    pub cmd: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check an AOF (file, multi-part directory or manifest): exit 0 valid, 1 invalid,
    /// 2 unreadable.
    Verify(VerifyArgs),
    /// Print the commands of an AOF in load order (RDB parts expanded to commands).
    Dump(DumpArgs),
    /// Compact an AOF offline, as BGREWRITEAOF does: load it, write the smallest
    /// equivalent (a new BASE and an empty INCR for a multi-part directory).
    #[command(alias = "compact")]
    Rewrite(RewriteArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Preamble {
    /// The BASE (or the single file) is an RDB (`aof-use-rdb-preamble yes`).
    Rdb,
    /// RESP commands only.
    None,
}

#[derive(Debug, Args)]
pub struct RewriteArgs {
    /// A single-file AOF, an `appendonlydir` directory, or its `.manifest` file.
    #[arg(value_name = "AOF")]
    pub input: PathBuf,
    /// Write the rewritten AOF here (a new directory for a multi-part input, else a file).
    #[arg(
        short = 'o',
        long = "output",
        value_name = "OUT",
        conflicts_with = "in_place"
    )]
    pub output: Option<PathBuf>,
    /// Replace the AOF where it is, atomically: new files first, the manifest last.
    #[arg(long)]
    pub in_place: bool,
    /// The BASE format.
    #[arg(long, value_enum, default_value_t = Preamble::Rdb)]
    pub preamble: Preamble,
    /// RDB version of an RDB BASE; default: the version of the AOF's own RDB part (or
    /// 10, Redis 7.0), raised as far as the data needs.
    #[arg(long, value_name = "N")]
    pub rdb_version: Option<u32>,
    /// Go on past commands the engine does not know, reporting them.
    #[arg(long)]
    pub skip_unknown: bool,
    /// Keep keys whose expiry has passed (Redis drops them at its next load anyway).
    #[arg(long)]
    pub keep_expired: bool,
    /// No progress bar and no summary.
    #[arg(short = 'q', long = "quiet")]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DumpFormat {
    /// RESP, replayable (`redis-cli --pipe`): a multi-part set flattened.
    Resp,
    /// One command per line with its file and offset, arguments quoted as redis-cli does.
    Text,
    /// `{"file","offset","db","ts","args":[...]}` per command.
    Jsonl,
}

#[derive(Debug, Args)]
pub struct DumpArgs {
    /// A single-file AOF, an `appendonlydir` directory, or its `.manifest` file.
    #[arg(value_name = "AOF")]
    pub input: PathBuf,
    #[arg(long, short = 'f', value_enum, default_value_t = DumpFormat::Text)]
    pub format: DumpFormat,
    /// Only commands that run in this database (repeatable).
    #[arg(long = "db", value_name = "N")]
    pub dbs: Vec<u64>,
    /// Only commands with a key argument matching this Redis glob.
    #[arg(long = "key", value_name = "GLOB", value_parser = clap::value_parser!(std::ffi::OsString))]
    pub key: Option<std::ffi::OsString>,
    /// Only this command (repeatable, any case).
    #[arg(long = "command", value_name = "NAME")]
    pub commands: Vec<String>,
    /// Write here (atomically) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A single-file AOF (RESP, or RDB preamble + RESP), an `appendonlydir` directory,
    /// or its `.manifest` file.
    #[arg(value_name = "AOF")]
    pub input: PathBuf,
    /// One JSON object (contract.md) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Repair a cut or damaged tail by cutting the file at the end of its last complete
    /// command (any file of a multi-part set; later files move to history).
    #[arg(long, conflicts_with = "truncate_to_timestamp")]
    pub fix: bool,
    /// Point-in-time recovery: cut at the first `#TS` annotation later than this Unix
    /// time (seconds), with the same safety as --fix.
    #[arg(long, value_name = "UNIX_S")]
    pub truncate_to_timestamp: Option<i64>,
    /// Repair without asking (needed when standard input is not a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Do not keep a backup (`<file>.bak-<unix-time>`) of each file the repair changes.
    #[arg(long)]
    pub no_backup: bool,
}

#[cfg(test)]
mod tests {
    #[test]
    fn cli_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}

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
    /// No progress bar.
    #[arg(short = 'q', long = "quiet", alias = "no-progress")]
    pub quiet: bool,
}

#[cfg(test)]
mod tests {
    #[test]
    fn cli_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}

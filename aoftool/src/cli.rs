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

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
}

#[cfg(test)]
mod tests {
    #[test]
    fn cli_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}

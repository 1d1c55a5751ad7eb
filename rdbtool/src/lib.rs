//! `rdbtool`: the command implementations. `main.rs` only parses arguments.

pub mod cli;
mod cmd;
mod dataset;
mod filter;
mod input;
mod memsize;
mod zsort;

use std::process::ExitCode;

use formats::cli::{Exit, is_broken_pipe};

/// Runs a parsed command line and maps the outcome to an exit code.
pub fn run(cli: cli::Cli) -> ExitCode {
    let result = match cli.cmd {
        cli::Command::Dump(a) => cmd::dump::run(a),
        cli::Command::Verify(a) => cmd::verify::run(a),
        cli::Command::Info(a) => cmd::info::run(a),
        cli::Command::Convert(a) => cmd::convert::run(a),
        cli::Command::Memory(a) => cmd::memory::run(a),
        cli::Command::Diff(a) => cmd::diff::run(a),
        cli::Command::Capture(a) => cmd::capture::run(a),
    };
    match result {
        Ok(exit) => exit.into(),
        Err(e) if is_broken_pipe(e.as_ref()) => Exit::Ok.into(),
        Err(e) => {
            eprintln!("rdbtool: error: {e:#}");
            Exit::Error.into()
        }
    }
}

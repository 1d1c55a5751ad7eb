//! `aoftool`: the command implementations. `main.rs` only parses arguments.

pub mod cli;
mod cmd;

use std::process::ExitCode;

use formats::cli::{Exit, is_broken_pipe};

/// Runs a parsed command line and maps the outcome to an exit code.
pub fn run(cli: cli::Cli) -> ExitCode {
    let result = match cli.cmd {
        cli::Command::Verify(a) => cmd::verify::run(a),
        cli::Command::Dump(a) => cmd::dump::run(a),
        cli::Command::Rewrite(a) => cmd::rewrite::run(a),
    };
    match result {
        Ok(exit) => exit.into(),
        Err(e) if is_broken_pipe(e.as_ref()) => Exit::Ok.into(),
        Err(e) => {
            eprintln!("aoftool: error: {e:#}");
            Exit::Error.into()
        }
    }
}

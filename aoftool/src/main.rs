//! `aoftool`: AOF tooling. Its commands (`verify`, `dump`, `rewrite`) arrive with the
//! AOF reader; today the binary only carries the shared command-line frame.

use clap::Parser;

#[derive(Debug, Parser)]
#[command(
    name = "aoftool",
    version,
    about = "Check, dump and rewrite Redis AOF logs"
)]
struct Cli {}

fn main() -> std::process::ExitCode {
    let _cli = Cli::parse();
    formats::cli::Exit::Ok.into()
}

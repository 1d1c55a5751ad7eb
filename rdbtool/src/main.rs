use clap::Parser;

fn main() -> std::process::ExitCode {
    rdbtool::run(rdbtool::cli::Cli::parse())
}

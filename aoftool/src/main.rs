use clap::Parser;

fn main() -> std::process::ExitCode {
    aoftool::run(aoftool::cli::Cli::parse())
}

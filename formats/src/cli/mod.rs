//! Plumbing shared by `rdbtool` and `aoftool` (feature `cli`): exit codes, JSON byte
//! strings as `contract.md` defines them, output files, terminal checks and progress.

pub mod aof_report;
pub mod interrupt;
pub mod json;
pub mod output;
pub mod progress;
pub mod time;

/// Process exit codes (contract.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success; `verify`: valid; `diff`: equal. Also a closed output pipe.
    Ok = 0,
    /// A negative answer: `verify` found corruption, `diff` found differences.
    Negative = 1,
    /// Usage error, I/O error, unreadable input.
    Error = 2,
    /// Interrupted.
    Interrupted = 130,
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(e as u8)
    }
}

/// Whether an error chain is a broken pipe on output (exit quietly with 0, as ripgrep).
pub fn is_broken_pipe(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::BrokenPipe
        {
            return true;
        }
        if let Some(fe) = e.downcast_ref::<crate::Error>()
            && let crate::ErrorKind::Io(io) = &fe.kind
            && io.kind() == std::io::ErrorKind::BrokenPipe
        {
            return true;
        }
        cur = e.source();
    }
    false
}

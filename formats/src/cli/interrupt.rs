//! Ctrl-C: commands that write files stop cleanly (temporary files removed, exit 130)
//! instead of dying mid-write. The handler only sets a flag; long loops poll it.

use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();

/// Installs the SIGINT and SIGTERM handlers (once).
pub fn install() {
    let flag = FLAG.get_or_init(|| Arc::new(AtomicBool::new(false)));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        // If registration fails the default action (terminate) stays: still safe for
        // the input, only the temporary output file would be left behind.
        let _ = signal_hook::flag::register(sig, Arc::clone(flag));
    }
}

/// Whether an interrupt arrived.
#[inline]
pub fn interrupted() -> bool {
    FLAG.get().is_some_and(|f| f.load(Ordering::Relaxed))
}

/// The error a loop returns when it stops for an interrupt.
pub fn error() -> crate::Error {
    crate::Error::new(crate::ErrorKind::Io(std::io::Error::new(
        std::io::ErrorKind::Interrupted,
        "interrupted",
    )))
}

//! The status line capture keeps on stderr when it is a terminal (offset, throughput,
//! keys, snapshots, AOF size), redrawn once a second below the log lines; elsewhere only
//! the log lines (one per snapshot, rewrite, resync) are written.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Whether the status line is on screen (a log line must clear it first).
static SHOWN: AtomicBool = AtomicBool::new(false);

/// `eprintln!` for capture's log lines: clears the status line first.
macro_rules! say {
    ($($t:tt)*) => {{
        $crate::cmd::capture::status::clear();
        eprintln!($($t)*);
    }};
}
pub(crate) use say;

/// Clears the status line, if shown.
pub fn clear() {
    if SHOWN.swap(false, Ordering::Relaxed) {
        let mut e = std::io::stderr().lock();
        let _ = e.write_all(b"\r\x1b[K");
        let _ = e.flush();
    }
}

pub struct Status {
    enabled: bool,
    last: Option<Instant>,
    last_offset: u64,
}

impl Status {
    pub fn new(quiet: bool) -> Status {
        Status {
            enabled: !quiet && std::io::stderr().is_terminal(),
            last: None,
            last_offset: 0,
        }
    }

    /// Redraws the line (at most once a second): `offset` is the replication offset
    /// applied, the rest is what to show after it.
    pub fn update(&mut self, offset: u64, rest: impl FnOnce() -> String) {
        if !self.enabled {
            return;
        }
        let now = Instant::now();
        let elapsed = match self.last {
            Some(t) if now.duration_since(t) < Duration::from_secs(1) => return,
            Some(t) => now.duration_since(t).as_secs_f64(),
            None => 0.0,
        };
        let rate = if elapsed > 0.0 {
            (offset.saturating_sub(self.last_offset)) as f64 / elapsed / 1024.0
        } else {
            0.0
        };
        self.last = Some(now);
        self.last_offset = offset;
        let mut e = std::io::stderr().lock();
        let _ = write!(e, "\r\x1b[Koffset {offset} ({rate:.0} KiB/s), {}", rest());
        let _ = e.flush();
        SHOWN.store(true, Ordering::Relaxed);
    }
}

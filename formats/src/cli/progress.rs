//! A byte-based progress bar on stderr, only when stderr is a terminal. Updated in
//! batches (every 64 KiB of input), never per record.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub struct Progress {
    bar: Option<ProgressBar>,
    last: u64,
}

impl Progress {
    /// A bar for `total` bytes, shown only if `enabled` and stderr is a terminal.
    pub fn new(total: Option<u64>, enabled: bool) -> Self {
        if !enabled || !std::io::stderr().is_terminal() {
            return Progress { bar: None, last: 0 };
        }
        let bar = match total {
            Some(t) => {
                let b = ProgressBar::with_draw_target(Some(t), ProgressDrawTarget::stderr());
                if let Ok(style) = ProgressStyle::with_template(
                    "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
                ) {
                    b.set_style(style);
                }
                b
            }
            None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
        };
        Progress {
            bar: Some(bar),
            last: 0,
        }
    }

    /// A bar that never shows.
    pub fn hidden() -> Self {
        Progress { bar: None, last: 0 }
    }

    #[inline]
    pub fn set(&mut self, pos: u64) {
        if pos.wrapping_sub(self.last) >= 64 * 1024 {
            self.last = pos;
            if let Some(b) = &self.bar {
                b.set_position(pos);
            }
        }
    }

    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

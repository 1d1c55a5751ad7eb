//! The AOF as a Redis replica with `appendonly yes` keeps it: every applied write goes
//! to a Redis 7 multi-part directory ([`LiveAof`]), fsynced by `appendfsync`; rewrites
//! run in a forked child (BGREWRITEAOF), with a new INCR file opened at the fork so no
//! write is lost, and the manifest switched when the child succeeds; automatic rewrites
//! on `auto-aof-rewrite-percentage` / `auto-aof-rewrite-min-size`, and one after every
//! full resynchronisation (the dataset was replaced).

use std::os::fd::RawFd;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use formats::aof::live::{LiveAof, Rewrite, write_base};
use formats::engine::Keyspace;

use super::child::{Forked, Reaped, cow_text, fork_child, kill, reap};
use super::status::say;

/// After a failed rewrite, an automatic one waits this long (Redis's
/// `AOF_REWRITE_RETRY_DELAY`... 10 seconds in `serverCron`'s `aof_rewrite_scheduled`).
const RETRY_DELAY: Duration = Duration::from_secs(5);

pub struct Aof {
    pub live: LiveAof,
    child: Option<(Forked, Rewrite)>,
    scheduled: bool,
    /// `auto-aof-rewrite-percentage` (0: never automatically).
    pub auto_pct: u64,
    /// `auto-aof-rewrite-min-size`, bytes.
    pub auto_min: u64,
    pub last_ok: bool,
    last_try: Option<Instant>,
    pub rewrites: u64,
    pub latest_fork_us: u128,
    /// Copy-on-write bytes the last rewrite's child reported (`aof_last_cow_size`).
    pub last_cow: Option<u64>,
    quiet: bool,
}

impl Aof {
    pub fn new(live: LiveAof, auto_pct: u64, auto_min: u64, quiet: bool) -> Aof {
        Aof {
            live,
            child: None,
            scheduled: false,
            auto_pct,
            auto_min,
            last_ok: true,
            last_try: None,
            rewrites: 0,
            latest_fork_us: 0,
            last_cow: None,
            quiet,
        }
    }

    pub fn busy(&self) -> bool {
        self.child.is_some()
    }

    /// Asks for a rewrite as soon as no child runs (BGREWRITEAOF during a BGSAVE).
    pub fn schedule(&mut self) {
        self.scheduled = true;
    }

    /// Whether a rewrite should start now (asked for, or the AOF grew past the
    /// automatic thresholds), given that no other child runs.
    pub fn due(&self) -> bool {
        if self.child.is_some() || self.live.in_transaction() {
            return false;
        }
        if self.scheduled || !self.live.has_base() {
            return self.last_ok || self.last_try.is_none_or(|t| t.elapsed() > RETRY_DELAY);
        }
        let (cur, base) = (self.live.current_size(), self.live.base_size());
        self.auto_pct > 0
            && cur > self.auto_min
            && cur.saturating_sub(base) * 100 >= self.auto_pct * base.max(1)
            && (self.last_ok || self.last_try.is_none_or(|t| t.elapsed() > RETRY_DELAY))
    }

    /// Forks the rewrite's child: it writes the base of `ks` as it is now.
    pub fn start(&mut self, ks: &Keyspace, link_fd: Option<RawFd>) -> Result<()> {
        if self.child.is_some() {
            bail!("an AOF rewrite is already running");
        }
        self.last_try = Some(Instant::now());
        let rw = self
            .live
            .begin_rewrite()
            .context("cannot start the AOF rewrite")?;
        let job = Rewrite {
            temp: rw.temp.clone(),
            rdb: rw.rdb,
        };
        let now = crate::filter::now_ms();
        match fork_child(link_fd, "AOF rewrite", || {
            write_base(ks, &job, now)
                .map(|_| ())
                .with_context(|| format!("writing {}", job.temp.display()))
        }) {
            Ok(f) => {
                self.scheduled = false;
                self.latest_fork_us = f.fork_us;
                self.child = Some((f, rw));
                Ok(())
            }
            Err(e) => {
                self.last_ok = false;
                let _ = self.live.finish_rewrite(rw, false);
                Err(e)
            }
        }
    }

    /// Reaps the rewrite's child if it ended (`block`: waits), switching the AOF to its
    /// base when it succeeded.
    pub fn reap(&mut self, block: bool) {
        let Some((f, _)) = &mut self.child else {
            return;
        };
        let r = reap(f, block);
        self.ended(r);
    }

    fn ended(&mut self, r: Reaped) {
        if r == Reaped::Running {
            return;
        }
        let Some((f, rw)) = self.child.take() else {
            return;
        };
        let ok = matches!(r, Reaped::Succeeded(_));
        match self.live.finish_rewrite(rw, ok) {
            Ok(()) if ok => {
                self.last_ok = true;
                self.rewrites += 1;
                if let Reaped::Succeeded(cow) = r {
                    self.last_cow = cow;
                }
                if !self.quiet {
                    say!(
                        "AOF rewritten: {} ({} bytes), fork {} us{}",
                        self.live.dir().display(),
                        self.live.current_size(),
                        f.fork_us,
                        cow_text(self.last_cow)
                    );
                }
            }
            Ok(()) => {
                self.last_ok = false;
                if let Reaped::Failed(how) = r {
                    say!("rdbtool: AOF rewrite failed ({how}); the AOF goes on as it was");
                }
            }
            Err(e) => {
                self.last_ok = false;
                say!("rdbtool: AOF rewrite could not be completed: {e}");
            }
        }
    }

    /// Stops a running rewrite (its data was replaced): the AOF stays as it was.
    pub fn abort(&mut self) {
        if let Some((f, _)) = &mut self.child {
            let r = match kill(f) {
                r @ Reaped::Succeeded(_) => r,
                _ => Reaped::Failed("stopped: the data was replaced".to_string()),
            };
            self.ended(r);
        }
    }
}

//! Forked children, as Redis forks them for BGSAVE and BGREWRITEAOF: the child sees the
//! keyspace of the instant of the fork (copy-on-write), does its one job and `_exit`s;
//! the parent reaps it without blocking.
//!
//! Fork safety: the process is single-threaded (nothing in `capture` starts a thread,
//! and the signal handlers only set a flag), so no lock can be held by another thread at
//! the fork; the thread count is checked in `/proc/self/task` before each fork, and a
//! second thread makes the fork fail instead. The child only allocates, writes its own
//! file and `_exit`s (no destructors, no atexit handlers, no flush of buffers it shares
//! with the parent).
// fork, waitpid, kill and _exit have no safe wrapper in std.
#![allow(unsafe_code)]

use std::os::fd::RawFd;
use std::time::Instant;

use anyhow::{Result, bail};

/// A running child.
#[derive(Debug, Clone, Copy)]
pub struct Forked {
    pub pid: libc::pid_t,
    /// How long `fork()` took (Redis's `latest_fork_usec`).
    pub fork_us: u128,
}

/// Forks a child that runs `work` and exits 0 when it succeeds, 1 when it fails or
/// panics. `link_fd` (the master link) is closed in the child, so that a child outliving
/// a killed parent does not keep the link open. Returns at once in the parent.
pub fn fork_child(
    link_fd: Option<RawFd>,
    what: &str,
    work: impl FnOnce() -> Result<()>,
) -> Result<Forked> {
    #[cfg(not(test))]
    if let Some(n) = threads().filter(|&n| n > 1) {
        bail!("refusing to fork with {n} threads: the child could inherit a held lock");
    }
    let t0 = Instant::now();
    // SAFETY: the process has one thread (see the module docs); the child only runs
    // `work`, then `_exit`s.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        bail!("fork failed: {}", std::io::Error::last_os_error());
    }
    if pid == 0 {
        if let Some(fd) = link_fd {
            // SAFETY: closes the child's copy of the socket; the parent's is untouched.
            unsafe { libc::close(fd) };
        }
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
        let code = match r {
            Ok(Ok(())) => 0,
            Ok(Err(e)) => {
                eprintln!("rdbtool: {what} child: {e:#}");
                1
            }
            Err(_) => 1,
        };
        // SAFETY: ends the child without running destructors or atexit handlers, as a
        // forked child must.
        unsafe { libc::_exit(code) }
    }
    Ok(Forked {
        pid,
        fork_us: t0.elapsed().as_micros(),
    })
}

/// How a child ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Reaped {
    Running,
    Succeeded,
    /// Why, for the log.
    Failed(String),
}

/// Reaps `pid` if it has ended (`block`: waits for it).
pub fn reap(pid: libc::pid_t, block: bool) -> Reaped {
    let mut status: libc::c_int = 0;
    let flags = if block { 0 } else { libc::WNOHANG };
    let r = loop {
        // SAFETY: waitpid on our own child with a valid status pointer.
        let r = unsafe { libc::waitpid(pid, &mut status, flags) };
        if r < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
            continue;
        }
        break r;
    };
    if r == 0 {
        return Reaped::Running;
    }
    if r == pid && libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 {
        return Reaped::Succeeded;
    }
    Reaped::Failed(if r < 0 {
        format!("waitpid: {}", std::io::Error::last_os_error())
    } else if libc::WIFSIGNALED(status) {
        format!("killed by signal {}", libc::WTERMSIG(status))
    } else {
        format!("exit status {}", libc::WEXITSTATUS(status))
    })
}

/// Kills a child (SIGKILL) and reaps it.
pub fn kill(pid: libc::pid_t) -> Reaped {
    // SAFETY: signals our own child.
    unsafe { libc::kill(pid, libc::SIGKILL) };
    reap(pid, true)
}

/// This process's thread count (Linux), if known. (Unit tests run on the test harness's
/// threads, so the check is left out of them.)
#[cfg(not(test))]
fn threads() -> Option<usize> {
    std::fs::read_dir("/proc/self/task")
        .ok()
        .map(Iterator::count)
}

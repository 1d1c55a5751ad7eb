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

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{FromRawFd, RawFd};
use std::time::Instant;

use anyhow::{Result, bail};

/// A running child.
#[derive(Debug)]
pub struct Forked {
    pub pid: libc::pid_t,
    /// How long `fork()` took (Redis's `latest_fork_usec`).
    pub fork_us: u128,
    /// Where the child reports its copy-on-write bytes when it succeeds.
    report: Option<File>,
}

/// The pipe the child reports on: (read end, write end).
fn report_pipe() -> Option<(File, File)> {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: pipe2 fills two descriptors we then own.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return None;
    }
    // SAFETY: both descriptors were just created and are owned by nothing else.
    Some(unsafe { (File::from_raw_fd(fds[0]), File::from_raw_fd(fds[1])) })
}

/// The memory this process has written since the fork and shares with nobody: what the
/// fork cost in copies (Redis's `zmalloc_get_private_dirty`, as `rdb_last_cow_size`).
fn private_dirty_bytes() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/smaps_rollup").ok()?;
    let line = text.lines().find(|l| l.starts_with("Private_Dirty:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Forks a child that runs `work` and exits 0 when it succeeds, 1 when it fails or
/// panics. `link_fd` (the master link) and every other socket (the `--listen` listener
/// and its clients) are closed in the child, so that a child outliving a killed parent
/// does not keep the link or the port open, and a client capture closes sees the end at
/// once. Returns at once in the parent.
pub fn fork_child(
    link_fd: Option<RawFd>,
    what: &str,
    work: impl FnOnce() -> Result<()>,
) -> Result<Forked> {
    #[cfg(not(test))]
    if let Some(n) = threads().filter(|&n| n > 1) {
        bail!("refusing to fork with {n} threads: the child could inherit a held lock");
    }
    let pipe = report_pipe();
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
        close_sockets();
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
        let code = match r {
            Ok(Ok(())) => {
                if let (Some((_, mut w)), Some(cow)) = (pipe, private_dirty_bytes()) {
                    let _ = w.write_all(&cow.to_le_bytes());
                }
                0
            }
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
        // The write end closes here, in the parent.
        report: pipe.map(|(r, _)| r),
    })
}

/// Closes every socket this process has open (in a forked child: its copies only).
fn close_sockets() {
    let Ok(dir) = std::fs::read_dir("/proc/self/fd") else {
        return;
    };
    let fds: Vec<RawFd> = dir
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    for fd in fds {
        // SAFETY: fstat on a descriptor number with a valid buffer; an fd that is gone
        // (the directory's own) fails harmlessly.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        if unsafe { libc::fstat(fd, &mut st) } == 0 && st.st_mode & libc::S_IFMT == libc::S_IFSOCK {
            // SAFETY: closes this process's copy of a socket.
            unsafe { libc::close(fd) };
        }
    }
}

/// How a child ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Reaped {
    Running,
    /// With the copy-on-write bytes the child reported.
    Succeeded(Option<u64>),
    /// Why, for the log.
    Failed(String),
}

/// Reaps the child if it has ended (`block`: waits for it).
pub fn reap(f: &mut Forked, block: bool) -> Reaped {
    let pid = f.pid;
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
        // The child has exited: its report, if any, is in the pipe.
        let mut b = [0u8; 8];
        let cow = f
            .report
            .take()
            .and_then(|mut p| p.read_exact(&mut b).ok())
            .map(|()| u64::from_le_bytes(b));
        return Reaped::Succeeded(cow);
    }
    Reaped::Failed(if r < 0 {
        format!("waitpid: {}", std::io::Error::last_os_error())
    } else if libc::WIFSIGNALED(status) {
        format!("killed by signal {}", libc::WTERMSIG(status))
    } else {
        format!("exit status {}", libc::WEXITSTATUS(status))
    })
}

/// `, copy-on-write N kB` for the log, when the child reported it.
pub fn cow_text(cow: Option<u64>) -> String {
    cow.map_or(String::new(), |b| {
        format!(", copy-on-write {} kB", b / 1024)
    })
}

/// Kills a child (SIGKILL) and reaps it.
pub fn kill(f: &mut Forked) -> Reaped {
    // SAFETY: signals our own child.
    unsafe { libc::kill(f.pid, libc::SIGKILL) };
    reap(f, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capture_children_do_not_keep_sockets_open() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let fd = std::os::fd::AsRawFd::as_raw_fd(&l);
        let mut f = fork_child(None, "test", || {
            // SAFETY: asks for the flags of a descriptor number.
            if unsafe { libc::fcntl(fd, libc::F_GETFD) } != -1 {
                bail!("the listener is open in the child");
            }
            Ok(())
        })
        .unwrap();
        assert!(matches!(reap(&mut f, true), Reaped::Succeeded(_)));
        // The parent's copy is untouched.
        assert!(l.local_addr().is_ok());
        // SAFETY: as above.
        assert_ne!(unsafe { libc::fcntl(fd, libc::F_GETFD) }, -1);
    }
}

/// This process's thread count (Linux), if known. (Unit tests run on the test harness's
/// threads, so the check is left out of them.)
#[cfg(not(test))]
fn threads() -> Option<usize> {
    std::fs::read_dir("/proc/self/task")
        .ok()
        .map(Iterator::count)
}

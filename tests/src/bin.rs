//! The workspace's binaries (`rdbtool`, `aoftool`), running them, and the shared fixtures.
//!
//! The binaries are looked up next to the running test executable
//! (`target/<profile>/deps/<test>` -> `target/<profile>/rdbtool`). `cargo test -p e2e`
//! does not build other packages' binaries, so the first lookup in a test process runs
//! `cargo build --workspace --bins` (same target folder and profile; a no-op when they are
//! up to date) to make sure they exist and are current; set `E2E_NO_BUILD=1` to skip that, or `RDBTOOL_BIN` /
//! `AOFTOOL_BIN` to test other binaries.

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The workspace root (the folder of the top-level Cargo.toml).
pub fn workspace_root() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    p.canonicalize().unwrap_or(p)
}

/// `target/<profile>` of the running test executable.
pub fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe of the test process");
    let mut dir = exe
        .parent()
        .expect("test executable has a parent folder")
        .to_path_buf();
    if dir.file_name() == Some(OsStr::new("deps")) {
        dir.pop();
    }
    dir
}

/// Result of running a program.
#[derive(Clone, Debug)]
pub struct RunOutput {
    /// Exit code; 128 + N if killed by signal N.
    pub code: i32,
    pub stdout: Vec<u8>,
    pub stderr: String,
    /// The command line, for messages.
    pub command: String,
}

impl RunOutput {
    /// stdout as text (lossy).
    pub fn stdout_str(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// Panics (showing the command, code and stderr) unless the exit code is `code`.
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code,
            code,
            "`{}` exited with {} (expected {code})\n--- stderr ---\n{}\n--- stdout (start) ---\n{}",
            self.command,
            self.code,
            self.stderr,
            String::from_utf8_lossy(&self.stdout[..self.stdout.len().min(2000)])
        );
        self
    }

    /// `expect_code(0)`.
    pub fn expect_success(&self) -> &Self {
        self.expect_code(0)
    }
}

fn exit_code(st: ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    st.code().unwrap_or_else(|| 128 + st.signal().unwrap_or(0))
}

fn build_workspace_bins() -> Result<(), String> {
    if std::env::var_os("E2E_NO_BUILD").is_some_and(|v| v != "0") {
        return Ok(());
    }
    let cargo = std::env::var_os("CARGO")
        .map(PathBuf::from)
        .or_else(|| option_env!("CARGO").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("cargo"));
    let profile = profile_dir();
    let Some(target_dir) = profile.parent() else {
        return Ok(());
    };
    let profile_name = profile
        .file_name()
        .and_then(OsStr::to_str)
        .unwrap_or("debug");
    let mut cmd = Command::new(&cargo);
    cmd.arg("build")
        .arg("--manifest-path")
        .arg(workspace_root().join("Cargo.toml"))
        // --workspace: features unified as in a plain `cargo build` at the root, so this
        // reuses what `cargo build` / `cargo test` built instead of building variants
        .args(["--workspace", "--bins", "--quiet"])
        .env("CARGO_TARGET_DIR", target_dir)
        .stdin(Stdio::null());
    match profile_name {
        "debug" => {}
        "release" => {
            cmd.arg("--release");
        }
        other => {
            cmd.args(["--profile", other]);
        }
    }
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {}: {e}", cargo.display()))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`cargo build --workspace --bins` (target {}, profile {profile_name}) failed \
             (set E2E_NO_BUILD=1 to use the binaries as they are):\n{}",
            target_dir.display(),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Path of the workspace binary `name` (built and up to date, see the module docs).
pub fn workspace_bin(name: &str) -> PathBuf {
    let var = format!("{}_BIN", name.to_uppercase());
    if let Some(p) = std::env::var_os(&var).filter(|v| !v.is_empty()) {
        return PathBuf::from(p);
    }
    static BUILT: OnceLock<Result<(), String>> = OnceLock::new();
    if let Err(e) = BUILT.get_or_init(build_workspace_bins) {
        panic!("{e}");
    }
    let p = profile_dir().join(name);
    assert!(
        p.is_file(),
        "{name} is not built: {} does not exist (run `cargo build -p {name}`, or set {var})",
        p.display()
    );
    p
}

pub fn rdbtool() -> PathBuf {
    workspace_bin("rdbtool")
}

pub fn aoftool() -> PathBuf {
    workspace_bin("aoftool")
}

/// Default time limit of [`run`]: the contract says no input may make a command hang.
pub const RUN_TIMEOUT: Duration = Duration::from_secs(300);

/// Runs `bin args...` (no stdin) and collects its output; panics if it cannot be started
/// or runs longer than [`RUN_TIMEOUT`].
pub fn run<I, S>(bin: &Path, args: I) -> RunOutput
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run_full(bin, args, None, RUN_TIMEOUT)
}

/// `run` with `stdin` written to the program's standard input.
pub fn run_with_stdin<I, S>(bin: &Path, args: I, stdin: &[u8]) -> RunOutput
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run_full(bin, args, Some(stdin), RUN_TIMEOUT)
}

/// Runs a program with optional stdin and a time limit (killed by its pid and a panic
/// when it is exceeded).
pub fn run_full<I, S>(bin: &Path, args: I, stdin: Option<&[u8]>, timeout: Duration) -> RunOutput
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let args: Vec<std::ffi::OsString> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
    let command = std::iter::once(bin.as_os_str())
        .chain(args.iter().map(|a| a.as_os_str()))
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    let mut child = Command::new(bin)
        .args(&args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run `{command}`: {e}"));
    let writer = stdin.map(|data| {
        let mut w = child.stdin.take().expect("piped stdin");
        let data = data.to_vec();
        // a program that exits without reading all its input gives EPIPE: not our error
        std::thread::spawn(move || {
            let _ = w.write_all(&data);
        })
    });
    let mut out = child.stdout.take().expect("piped stdout");
    let mut err = child.stderr.take().expect("piped stderr");
    let out_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let err_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(st)) => break st,
            Ok(None) if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "`{command}` did not finish within {:.1} s (killed)",
                    timeout.as_secs_f64()
                );
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => panic!("waiting for `{command}`: {e}"),
        }
    };
    if let Some(w) = writer {
        let _ = w.join();
    }
    let stdout = out_t.join().expect("stdout reader thread");
    let stderr = String::from_utf8_lossy(&err_t.join().expect("stderr reader thread")).into_owned();
    RunOutput {
        code: exit_code(status),
        stdout,
        stderr,
        command,
    }
}

/// The shared fixtures folder (`<workspace>/../shared/fixtures`, or `$E2E_SHARED_FIXTURES`),
/// or `None` after printing a loud SKIPPED line when it does not exist (outside the
/// workplace).
pub fn shared_fixtures() -> Option<PathBuf> {
    let p = match std::env::var_os("E2E_SHARED_FIXTURES").filter(|v| !v.is_empty()) {
        Some(v) => PathBuf::from(v),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures"),
    };
    if p.is_dir() {
        Some(p.canonicalize().unwrap_or(p))
    } else {
        eprintln!(
            "SKIPPED: ../shared/fixtures not found (outside the workplace); fixture tests skipped \
             (looked for {})",
            p.display()
        );
        None
    }
}

/// Every file below `root` whose name ends with `.ext`, sorted.
pub fn files_with_ext(root: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("read fixtures dir") {
            let p = e.expect("dir entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == ext) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Copies a folder tree (fixtures into a writable temporary directory).
pub fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).expect("create the copy's folder");
    for e in std::fs::read_dir(src).expect("read the folder to copy") {
        let p = e.expect("dir entry").path();
        let to = dst.join(p.file_name().expect("a file name"));
        if p.is_dir() {
            copy_dir(&p, &to);
        } else {
            std::fs::copy(&p, &to).expect("copy a file");
        }
    }
}

//! `aoftool verify` against `redis-check-aof`: the verdicts recorded next to the
//! generated AOF fixtures, the real `redis-check-aof` 7.0 on every other AOF, and on
//! copies cut and corrupted at random offsets. Validity, `ok_up_to` and
//! `ok_up_to_line` must agree.

use std::path::{Path, PathBuf};
use std::process::Command;

use e2e::bin::{aoftool, run, shared_fixtures};
use e2e::server::tool;
use serde_json::Value;

/// (file name, size, ok_up_to, ok_up_to_line) from `AOF analyzed: ...` lines.
fn analyzed(text: &str) -> Vec<(String, u64, u64, u64)> {
    text.lines()
        .filter_map(|l| l.strip_prefix("AOF analyzed: "))
        .map(|l| {
            let get = |k: &str| {
                l.split(", ")
                    .find_map(|kv| kv.strip_prefix(&format!("{k}=")))
                    .unwrap_or("")
                    .to_string()
            };
            let num = |k: &str| {
                get(k)
                    .parse::<u64>()
                    .unwrap_or_else(|_| panic!("{k} in {l}"))
            };
            let name = get("filename");
            let base = Path::new(&name)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or(name);
            (base, num("size"), num("ok_up_to"), num("ok_up_to_line"))
        })
        .collect()
}

fn ours(path: &Path) -> (i32, Value) {
    let out = run(
        &aoftool(),
        ["verify".as_ref(), "--json".as_ref(), path.as_os_str()],
    );
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{}: no JSON ({e}): {}", path.display(), out.stderr));
    (out.code, v)
}

fn our_files(v: &Value) -> Vec<(String, u64, u64, u64)> {
    v["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| {
            let name = f["file"].as_str().unwrap_or_default();
            let base = Path::new(name)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (
                base,
                f["size"].as_u64().unwrap(),
                f["valid_up_to"].as_u64().unwrap(),
                f["valid_up_to_line"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn generated_aof_dirs_match_their_recorded_redis_check_aof_verdicts() {
    let Some(root) = shared_fixtures() else {
        return;
    };
    let mut checked = 0;
    for server in ["redis-7.0", "valkey-8.1", "redis-7.4"] {
        for e in std::fs::read_dir(root.join(server)).unwrap() {
            let d = e.unwrap().path();
            let dir = d.join("appendonlydir");
            if !dir.is_dir() {
                continue;
            }
            let check = std::fs::read_to_string(d.join("check.txt")).unwrap();
            let want_ok = check.contains("# exit status: 0");
            let (code, v) = ours(&dir);
            assert_eq!(code, if want_ok { 0 } else { 1 }, "{}: {v}", dir.display());
            assert_eq!(v["ok"], want_ok, "{}", dir.display());
            assert_eq!(our_files(&v), analyzed(&check), "{}", dir.display());
            // The manifest itself gives the same report.
            let (_, v2) = ours(&dir.join("appendonly.aof.manifest"));
            assert_eq!(our_files(&v2), our_files(&v));
            checked += 1;
        }
    }
    assert!(checked >= 8, "{checked}");
}

fn redis_check_aof(path: &Path) -> (i32, Vec<(String, u64, u64, u64)>) {
    let bin = tool("REDIS_CHECK_AOF")
        .expect("redis-check-aof not found: run scripts/install-test-deps.sh");
    let out = Command::new(bin)
        .arg(path)
        .output()
        .expect("redis-check-aof");
    (
        out.status.code().unwrap_or(-1),
        analyzed(&String::from_utf8_lossy(&out.stdout)),
    )
}

fn single_file_aofs(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                if !p.ends_with("appendonlydir") {
                    stack.push(p);
                }
            } else if p.extension().is_some_and(|x| x == "aof") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn assert_agrees(path: &Path) {
    let (code, theirs) = redis_check_aof(path);
    let (our_code, v) = ours(path);
    assert_eq!(
        our_code,
        if code == 0 { 0 } else { 1 },
        "{}: redis-check-aof exit {code}, ours {v}",
        path.display()
    );
    // redis-check-aof prints no "AOF analyzed" line when the RDB part is bad.
    if let Some(t) = theirs.last() {
        let o = our_files(&v);
        let o = o.last().expect("one file");
        assert_eq!(
            (o.1, o.2, o.3),
            (t.1, t.2, t.3),
            "{}: size, ok_up_to, ok_up_to_line",
            path.display()
        );
    }
}

#[test]
fn single_file_aofs_agree_with_redis_check_aof() {
    let Some(root) = shared_fixtures() else {
        return;
    };
    let files = single_file_aofs(&root);
    assert!(files.len() >= 12, "{}", files.len());
    for f in &files {
        assert_agrees(f);
    }
}

#[test]
fn cut_and_corrupted_copies_agree_with_redis_check_aof() {
    let Some(root) = shared_fixtures() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let sources = [
        root.join("redis-7.0/aof-resp/appendonlydir/appendonly.aof.2.incr.aof"),
        root.join("redis-7.0/aof-timestamp/appendonlydir/appendonly.aof.2.incr.aof"),
        root.join("redis-6.2/aof-preamble/appendonly.aof"),
    ];
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for src in &sources {
        let data = std::fs::read(src).unwrap();
        for i in 0..12 {
            let mut d = data.clone();
            let at = (next() as usize) % d.len();
            if i % 2 == 0 {
                d.truncate(at);
            } else {
                d[at] ^= (next() as u8) | 1;
            }
            let p = dir.path().join(format!("case-{i}.aof"));
            std::fs::write(&p, &d).unwrap();
            assert_agrees(&p);
        }
    }
}

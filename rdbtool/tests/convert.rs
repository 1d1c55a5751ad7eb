//! `rdbtool convert` as a process: targets, downgrade refusals and `--lossy`, filters,
//! salvage, atomic outputs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn rdbtool() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rdbtool"))
}

fn run(args: &[&str]) -> Output {
    rdbtool().args(args).output().expect("run rdbtool")
}

fn run_stdin(args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = rdbtool()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn rdbtool");
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/sample.rdb")
}

/// `dump --format jsonl` lines without the informative `encoding` field, sorted.
fn content(path: &Path) -> Vec<String> {
    let o = run(&["dump", "-q", path.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let mut lines: Vec<String> = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            v.as_object_mut().unwrap().remove("encoding");
            v.to_string()
        })
        .collect();
    lines.sort();
    lines
}

const HFE_JSONL: &str = r#"{"db":0,"key":"h","type":"hash","expire_ms":null,"value":[["a","1",4102444800000],["b","2"]]}
{"db":2,"key":"s","type":"string","expire_ms":4102444800123,"value":"x"}
"#;

#[test]
fn downgrades_that_lose_data_are_refused_unless_lossy() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.rdb");
    let o = run_stdin(
        &[
            "convert",
            "-q",
            "-",
            out.to_str().unwrap(),
            "--target-redis",
            "7.2",
        ],
        HFE_JSONL.as_bytes(),
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("key \"h\"") && e.contains("hash field expirations"),
        "{e}"
    );
    assert!(
        e.contains("line 1"),
        "the message names the input line: {e}"
    );
    assert!(!out.exists(), "no output after a refusal");

    let o = run_stdin(
        &[
            "convert",
            "-",
            out.to_str().unwrap(),
            "--target-redis",
            "7.2",
            "--lossy",
        ],
        HFE_JSONL.as_bytes(),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("lossy: db 0 key \"h\": hash field expirations"),
        "{e}"
    );
    assert!(e.contains("1 changed by --lossy"), "{e}");
    let lines = content(&out);
    assert_eq!(lines.len(), 2);
    assert!(
        lines[0].contains(r#"[["a","1"],["b","2"]]"#),
        "{}",
        lines[0]
    );

    // Redis 7.4 and Valkey 9 hold field TTLs.
    for target in [&["--target-redis", "7.4"][..], &["--target-valkey", "9.0"]] {
        let mut args = vec!["convert", "-q", "-", out.to_str().unwrap()];
        args.extend_from_slice(target);
        let o = run_stdin(&args, HFE_JSONL.as_bytes());
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert!(content(&out)[0].contains("4102444800000"));
    }
}

#[test]
fn functions_and_streams_need_their_versions() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.rdb");
    let s = sample();
    let o = run(&[
        "convert",
        "-q",
        s.to_str().unwrap(),
        out.to_str().unwrap(),
        "--target-redis",
        "6.2",
    ]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("function libraries (library samplelib"),
        "{}",
        stderr(&o)
    );
    let o = run(&[
        "convert",
        s.to_str().unwrap(),
        out.to_str().unwrap(),
        "--rdb-version",
        "8",
        "--lossy",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("function library samplelib left out"), "{e}");
    assert!(e.contains("key \"events\": a stream (needs RDB 9"), "{e}");
    let lines = content(&out);
    assert!(!lines.iter().any(|l| l.contains("\"type\":\"stream\"")));
    assert_eq!(lines.len(), content(&s).len() - 1);
}

#[test]
fn same_version_and_jsonl_round_trips_keep_the_content() {
    let dir = tempfile::tempdir().unwrap();
    let s = sample();
    let want = content(&s);
    let same = dir.path().join("same.rdb");
    let o = run(&["convert", "-q", s.to_str().unwrap(), same.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(std::fs::read(&same).unwrap().starts_with(b"REDIS0010"));
    assert_eq!(content(&same), want);

    let jsonl = run(&["convert", "-q", s.to_str().unwrap(), "-", "--to", "jsonl"]);
    assert_eq!(code(&jsonl), 0);
    let back = dir.path().join("back.rdb");
    let o = run_stdin(
        &[
            "convert",
            "-q",
            "-",
            back.to_str().unwrap(),
            "--to",
            "rdb",
            "--rdb-version",
            "10",
        ],
        &jsonl.stdout,
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(content(&back), want);
}

#[test]
fn filters_select_what_is_converted() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("one.rdb");
    let o = run_stdin(
        &["convert", "-q", "-", out.to_str().unwrap(), "--db", "2"],
        HFE_JSONL.as_bytes(),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let lines = content(&out);
    assert_eq!(lines.len(), 1);
    assert!(lines[0].contains("\"db\":2"));
}

#[test]
fn bad_targets_and_inputs_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.rdb");
    let s = sample();
    for (args, msg) in [
        (vec!["--rdb-version", "5"], "read only"),
        (vec!["--rdb-version", "99"], "not a version"),
        (vec!["--target-redis", "1.0"], "unknown release"),
        (vec!["--threshold", "nope=1"], "unknown encoding setting"),
    ] {
        let mut a = vec!["convert", "-q", s.to_str().unwrap(), out.to_str().unwrap()];
        a.extend(args);
        let o = run(&a);
        assert_eq!(code(&o), 2, "{a:?}");
        assert!(stderr(&o).contains(msg), "{a:?}: {}", stderr(&o));
    }
    let o = run(&["convert", "-q", s.to_str().unwrap(), s.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("refusing to overwrite the input"));
    let o = run_stdin(&["convert", "-q", "-", out.to_str().unwrap()], b"hello");
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("neither an RDB"), "{}", stderr(&o));
    let o = run_stdin(
        &["convert", "-q", "-", out.to_str().unwrap()],
        b"{\"db\":0,\"key\":\"k\"}\n",
    );
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("line 1"), "{}", stderr(&o));
    assert!(!out.exists());
}

#[test]
fn skip_corrupt_extracts_the_intact_keys_of_a_damaged_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = std::fs::read(sample()).unwrap();
    // Break the listpack of "user:1" (its header's total size) but not the framing.
    let at = bytes
        .windows(5)
        .position(|w| w == b"\x84name")
        .expect("the user:1 listpack in sample.rdb");
    bytes[at - 6] ^= 0x01;
    let bad = dir.path().join("bad.rdb");
    std::fs::write(&bad, &bytes).unwrap();
    let out = dir.path().join("out.rdb");
    let o = run(&[
        "convert",
        "-q",
        bad.to_str().unwrap(),
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 2, "a damaged key stops the conversion");
    assert!(stderr(&o).contains("user:1"), "{}", stderr(&o));
    assert!(!out.exists());
    let o = run(&[
        "convert",
        "-q",
        bad.to_str().unwrap(),
        out.to_str().unwrap(),
        "--skip-corrupt",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("skipped damaged key"), "{}", stderr(&o));
    let got = content(&out);
    assert_eq!(got.len(), content(&sample()).len() - 1);
    assert!(!got.iter().any(|l| l.contains("user:1")));
}

#[test]
fn no_checksum_writes_zeros_and_jsonl_converts_to_aof() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("z.rdb");
    let o = run_stdin(
        &["convert", "-q", "-", out.to_str().unwrap(), "--no-checksum"],
        HFE_JSONL.as_bytes(),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(&bytes[bytes.len() - 9..], &[0xff, 0, 0, 0, 0, 0, 0, 0, 0]);
    let v = run(&["verify", "--json", out.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&v.stdout).contains("\"checksum\":\"disabled\""));

    let o = run_stdin(
        &["convert", "-q", "-", "-", "--to", "aof"],
        HFE_JSONL.as_bytes(),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let aof = String::from_utf8_lossy(&o.stdout);
    for cmd in ["HSET", "HPEXPIREAT", "PEXPIREAT", "SELECT"] {
        assert!(aof.contains(cmd), "{cmd} missing from {aof}");
    }
}

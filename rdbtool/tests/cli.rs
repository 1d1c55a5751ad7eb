//! `rdbtool` as a process: exit codes, formats, filters, stdin, output files, salvage.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use formats::rdb::TypeId;
use formats::rdb::encodings::listpack;
use formats::rdb::testing::RdbBytes;
use serde_json::Value;

fn rdbtool() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rdbtool"));
    for v in ["NO_COLOR", "TERM", "COLUMNS", "CLICOLOR", "CLICOLOR_FORCE"] {
        c.env_remove(v);
    }
    c
}

fn run(args: &[&str]) -> Output {
    rdbtool().args(args).output().expect("run rdbtool")
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write test file");
    p
}

fn listpack_of(items: &[&[u8]]) -> Vec<u8> {
    let mut w = listpack::write::Writer::new();
    for i in items {
        w.push_bytes(i);
    }
    w.finish()
}

/// Three dbs, every filterable property, a binary key, an expired key.
fn sample() -> Vec<u8> {
    RdbBytes::new("REDIS0011")
        .byte(0xfa)
        .str(b"redis-ver")
        .str(b"7.2.4")
        .select(0)
        .key(TypeId::String, b"user:1")
        .str(b"ann")
        .key(TypeId::HashListpack, b"user:2")
        .str(&listpack_of(&[b"name", b"bob", b"age", b"37"]))
        .expire_ms(1000)
        .key(TypeId::String, b"old")
        .str(b"gone")
        .key(TypeId::String, b"bin\xff\x00key")
        .str(b"v")
        .select(3)
        .key(TypeId::SetListpack, b"tags")
        .str(&listpack_of(&[b"a", b"b", b"7"]))
        .expire_ms(4_102_444_800_000)
        .key(TypeId::ZsetListpack, b"board")
        .str(&listpack_of(&[b"x", b"-1", b"y", b"2.5"]))
        .finish()
}

/// Good key, damaged listpack, duplicate set member, good key.
fn damaged() -> Vec<u8> {
    let mut bad = listpack_of(&[b"one", b"two"]);
    let n = bad.len();
    bad[n - 2] ^= 0x7f;
    RdbBytes::new("REDIS0011")
        .select(0)
        .key(TypeId::String, b"first")
        .str(b"1")
        .key(TypeId::SetListpack, b"broken")
        .str(&bad)
        .key(TypeId::Set, b"dups")
        .len(2)
        .str(b"m")
        .str(b"m")
        // LZF whose back reference points before the start of the output.
        .key(TypeId::String, b"badlzf")
        .raw(&[0xc3, 0x03, 0x08, 0x20, 0x05, 0x00])
        .key(TypeId::String, b"last")
        .str(b"2")
        .finish()
}

fn keys_of(jsonl: &str) -> Vec<String> {
    jsonl
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("jsonl line");
            match &v["key"] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            }
        })
        .collect()
}

#[test]
fn dump_jsonl_follows_the_contract() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(dir.path(), "s.rdb", &sample());
    let o = run(&["dump", f.to_str().expect("path")]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let lines: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(lines.len(), 6);
    assert_eq!(
        lines[1],
        serde_json::json!({"db":0,"key":"user:2","type":"hash","expire_ms":null,"encoding":"listpack","value":[["name","bob"],["age","37"]]})
    );
    assert_eq!(
        lines[3]["key"],
        serde_json::json!({"base64": "Ymlu/wBrZXk="})
    );
    assert_eq!(lines[2]["expire_ms"], 1000);
    assert_eq!(
        lines[5]["value"],
        serde_json::json!([["x", -1.0], ["y", 2.5]])
    );
    assert_eq!(lines[4]["db"], 3);
}

#[test]
fn formats_json_text_keys_and_resp() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(dir.path(), "s.rdb", &sample());
    let p = f.to_str().expect("path");
    let o = run(&["dump", "--format", "json", p]);
    assert_eq!(code(&o), 0);
    let arr: Vec<Value> = serde_json::from_slice(&o.stdout).expect("one JSON array");
    assert_eq!(arr.len(), 6);
    let o = run(&["dump", "--format", "keys", p]);
    assert_eq!(
        o.stdout,
        b"user:1\nuser:2\nold\nbin\xff\x00key\ntags\nboard\n"
    );
    let o = run(&["dump", "--format", "text", "--key", "user:2", p]);
    assert_eq!(
        stdout(&o),
        "db=0 user:2 hash encoding=listpack\n  name => bob\n  age => 37\n"
    );
    let o = run(&["dump", "--format", "resp", "--db", "3", p]);
    let text = stdout(&o);
    assert!(
        text.starts_with("*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n*5\r\n$4\r\nSADD\r\n$4\r\ntags\r\n"),
        "{text}"
    );
    assert!(
        text.contains("$9\r\nPEXPIREAT\r\n$5\r\nboard\r\n$13\r\n4102444800000\r\n"),
        "{text}"
    );
    assert!(
        text.contains("$4\r\nZADD\r\n$5\r\nboard\r\n$2\r\n-1\r\n$1\r\nx\r\n$3\r\n2.5\r\n"),
        "{text}"
    );
}

#[test]
fn filters_select_keys() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(dir.path(), "s.rdb", &sample());
    let p = f.to_str().expect("path");
    let keys = |args: &[&str]| {
        let mut a = vec!["dump"];
        a.extend_from_slice(args);
        a.push(p);
        let o = run(&a);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        keys_of(&stdout(&o))
    };
    assert_eq!(keys(&["--key", "user:*"]), ["user:1", "user:2"]);
    assert_eq!(keys(&["--key", "user:[^1]"]), ["user:2"]);
    assert_eq!(keys(&["--key-regex", "^(old|tags)$"]), ["old", "tags"]);
    assert_eq!(
        keys(&["--type", "zset", "--type", "set"]),
        ["tags", "board"]
    );
    assert_eq!(keys(&["--db", "3"]), ["tags", "board"]);
    assert_eq!(
        keys(&["--expired", "exclude", "--db", "0"]),
        ["user:1", "user:2", "{\"base64\":\"Ymlu/wBrZXk=\"}"]
    );
    let o = run(&["dump", "--type", "nope", p]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("unknown type"), "{}", stderr(&o));
}

#[test]
fn stdin_and_output_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = sample();
    let f = write(dir.path(), "s.rdb", &bytes);
    let mut child = rdbtool()
        .args(["dump", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), &bytes).expect("feed");
    let piped = child.wait_with_output().expect("wait");
    let direct = run(&["dump", f.to_str().expect("path")]);
    assert_eq!(piped.stdout, direct.stdout);
    let out = dir.path().join("out.jsonl");
    let o = run(&[
        "dump",
        "-o",
        out.to_str().expect("p"),
        f.to_str().expect("p"),
    ]);
    assert_eq!(code(&o), 0);
    assert_eq!(std::fs::read(&out).expect("out"), direct.stdout);
    // Only the output file is left: the temporary file was renamed over it.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("ls")
        .map(|e| e.expect("e").file_name())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    // The input is never the output.
    let o = run(&["dump", "-o", f.to_str().expect("p"), f.to_str().expect("p")]);
    assert_eq!(code(&o), 2);
    assert_eq!(std::fs::read(&f).expect("input"), bytes, "input modified");
}

#[test]
fn verify_exit_codes_and_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = write(dir.path(), "good.rdb", &sample());
    let o = run(&["verify", good.to_str().expect("p")]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert!(stdout(&o).contains("OK"), "{}", stdout(&o));
    let mut bytes = sample();
    let n = bytes.len();
    bytes[n - 1] ^= 1;
    let bad = write(dir.path(), "bad.rdb", &bytes);
    let o = run(&["verify", "--json", bad.to_str().expect("p")]);
    assert_eq!(code(&o), 1);
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["ok"], false);
    assert_eq!(v["checksum"], "mismatch");
    assert_eq!(v["keys"], 6);
    let o = run(&[
        "verify",
        dir.path().join("missing.rdb").to_str().expect("p"),
    ]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("cannot open"), "{}", stderr(&o));
    // A RESP file is an AOF dataset (contract.md): checked as one.
    let aof = write(dir.path(), "x.aof", b"*1\r\n$4\r\nPING\r\n");
    let o = run(&["verify", aof.to_str().expect("p")]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert!(stdout(&o).contains("AOF (RESP)"), "{}", stdout(&o));
    // Anything else is neither.
    let notrdb = write(dir.path(), "x.txt", b"hello, world");
    let o = run(&["verify", notrdb.to_str().expect("p")]);
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains("bad magic"), "{}", stdout(&o));
    let o = run(&["dump", notrdb.to_str().expect("p")]);
    assert_eq!(code(&o), 2);
    // Bytes after the end are reported, not an error (Redis ignores them).
    let mut tail = sample();
    tail.extend_from_slice(b"*1\r\n$4\r\nPING\r\n");
    let t = write(dir.path(), "tail.rdb", &tail);
    let o = run(&["verify", "--json", t.to_str().expect("p")]);
    assert_eq!(code(&o), 0);
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["trailing_bytes"], 14, "{v}");
    // Truncated: the offset where input ended.
    let cut = write(dir.path(), "cut.rdb", &sample()[..40]);
    let o = run(&["verify", "--json", cut.to_str().expect("p")]);
    assert_eq!(code(&o), 1);
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["errors"][0]["offset"], 40, "{v}");
}

#[test]
fn salvage_lists_every_damaged_key_and_extracts_the_rest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(dir.path(), "d.rdb", &damaged());
    let p = f.to_str().expect("p");
    let o = run(&["verify", "--json", p]);
    assert_eq!(code(&o), 1);
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(
        v["errors"].as_array().map(Vec::len),
        Some(1),
        "stops at the first: {v}"
    );
    let o = run(&["verify", "--all", "--json", p]);
    assert_eq!(code(&o), 1);
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    let errs = v["errors"].as_array().expect("errors");
    assert_eq!(errs.len(), 3, "{v}");
    assert_eq!(errs[2]["key"], "badlzf", "{v}");
    assert!(
        errs[2]["message"]
            .as_str()
            .is_some_and(|m| m.contains("LZF")),
        "{v}"
    );
    assert_eq!(errs[0]["key"], "broken");
    assert_eq!(errs[0]["db"], 0);
    assert_eq!(errs[0]["doing"], "value");
    assert!(errs[0]["offset"].as_u64().is_some_and(|o| o > 20), "{v}");
    assert_eq!(errs[1]["key"], "dups");
    assert!(
        errs[1]["message"]
            .as_str()
            .is_some_and(|m| m.contains("duplicate member")),
        "{v}"
    );
    assert_eq!(v["keys"], 2);
    let o = run(&["dump", p]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("key \"broken\""), "{}", stderr(&o));
    let o = run(&["dump", "--skip-corrupt", p]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(keys_of(&stdout(&o)), ["first", "last"]);
    assert!(
        stderr(&o).contains("skipped damaged key")
            && stderr(&o).contains("3 damaged key(s) skipped"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn closed_pipe_exits_quietly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut b = RdbBytes::new("REDIS0010")
        .select(0)
        .key(TypeId::List, b"big")
        .len(200_000);
    for i in 0..200_000u32 {
        b = b.str(format!("element-{i}").as_bytes());
    }
    let f = write(dir.path(), "big.rdb", &b.finish());
    let o = Command::new("bash")
        .args([
            "-c",
            &format!(
                "set -o pipefail; '{}' dump '{}' | head -c 100 >/dev/null",
                env!("CARGO_BIN_EXE_rdbtool"),
                f.display()
            ),
        ])
        .output()
        .expect("bash");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!stderr(&o).contains("error"), "{}", stderr(&o));
}

/// Big values stream: peak memory stays bounded whatever the value size (measured by
/// the kernel's high-water mark of the child, through Python's getrusage).
#[test]
fn big_values_dump_in_bounded_memory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut b = RdbBytes::new("REDIS0010")
        .select(0)
        .key(TypeId::List, b"biglist")
        .len(2_000_000);
    for i in 0..2_000_000u32 {
        b = b.str(format!("list-element-{i:010}").as_bytes());
    }
    // Stored descending, as Redis writes skiplist zsets: the dump must emit it ascending.
    b = b.key(TypeId::Zset2, b"bigzset").len(400_000);
    for i in (0..400_000u32).rev() {
        b = b
            .str(format!("member-{i:012}-padding-padding").as_bytes())
            .raw(&f64::from(i).to_le_bytes());
    }
    b = b.key(TypeId::Set, b"bigset").len(300_000);
    for i in 0..300_000u32 {
        b = b.str(format!("set-member-{i:012}-padding").as_bytes());
    }
    let bytes = b.finish();
    let f = write(dir.path(), "big.rdb", &bytes);
    let script = format!(
        "import resource, subprocess, sys\n\
         p = subprocess.run([{bin:?}, 'dump', '-q', {f:?}], stdout=subprocess.PIPE)\n\
         out = p.stdout.split(b'\\n')\n\
         z = __import__('json').loads(out[1])['value']\n\
         assert p.returncode == 0\n\
         assert len(z) == 400000 and z[0][1] == 0 and z[-1][1] == 399999, 'zset order'\n\
         assert all(z[i][1] < z[i+1][1] for i in range(len(z)-1)), 'zset not ascending'\n\
         print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n",
        bin = env!("CARGO_BIN_EXE_rdbtool"),
        f = f.to_str().expect("path"),
    );
    let o = Command::new("python3")
        .args(["-c", &script])
        .output()
        .expect("python3");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let peak_kb: u64 = stdout(&o).trim().parse().expect("maxrss");
    assert!(bytes.len() > 64 << 20, "file is {} bytes", bytes.len());
    eprintln!(
        "peak RSS {peak_kb} KB dumping a {} MB file",
        bytes.len() >> 20
    );
    assert!(
        peak_kb < 64 * 1024,
        "peak RSS {peak_kb} KB for a {} MB file",
        bytes.len() >> 20
    );
}

#[test]
fn interrupt_leaves_no_partial_output() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut b = RdbBytes::new("REDIS0010")
        .select(0)
        .key(TypeId::List, b"l")
        .len(8_000_000);
    // Big enough that the dump is still running when the signal comes, even on a
    // machine busy with other tests.
    for i in 0..8_000_000u32 {
        b = b.str(format!("element-{i:012}").as_bytes());
    }
    let f = write(dir.path(), "big.rdb", &b.finish());
    let out = dir.path().join("out.jsonl");
    let child = rdbtool()
        .args(["dump", "-q", "-o"])
        .arg(&out)
        .arg(&f)
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let tmp = dir.path().join(format!(".out.jsonl.tmp-{}", child.id()));
    let start = std::time::Instant::now();
    while !tmp.exists() && start.elapsed() < std::time::Duration::from_secs(20) {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(tmp.exists(), "temporary output never appeared");
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(kill.success());
    let o = child.wait_with_output().expect("wait");
    assert_eq!(code(&o), 130, "{}", stderr(&o));
    assert!(!tmp.exists(), "temporary file left behind");
    assert!(!out.exists(), "partial output left behind");
}

#[test]
fn a_bad_checksum_gives_no_output_file_unless_accepted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut bytes = sample();
    let n = bytes.len();
    bytes[n - 3] ^= 0x10;
    let f = write(dir.path(), "bad.rdb", &bytes);
    let out = dir.path().join("out.jsonl");
    let o = run(&[
        "dump",
        "-q",
        "-o",
        out.to_str().expect("p"),
        f.to_str().expect("p"),
    ]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("checksum mismatch"), "{}", stderr(&o));
    assert!(!out.exists(), "output written despite the bad checksum");
    let o = run(&[
        "dump",
        "-q",
        "--skip-corrupt",
        "-o",
        out.to_str().expect("p"),
        f.to_str().expect("p"),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        keys_of(&std::fs::read_to_string(&out).expect("out")).len(),
        6
    );
}

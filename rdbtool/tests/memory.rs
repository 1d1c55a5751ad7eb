//! `rdbtool memory` as a process: formats, sizes of simple keys, --top, aggregates,
//! filters, models, inputs and exit codes. (Accuracy against a real server is checked in
//! tests/tests/memory.rs.)

use std::io::Write;
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

/// 2100-01-01T00:00:00.000Z
const Y2100_MS: i64 = 4_102_444_800_000;

/// An RDB 11 (Redis 7.2) file: strings of each encoding, a listpack hash, a set, a zset,
/// keys that need CSV quoting or escaping, two dbs, TTLs.
fn sample() -> Vec<u8> {
    RdbBytes::new("REDIS0011")
        .select(0)
        .key(TypeId::String, b"user:1")
        .str(b"ann")
        .key(TypeId::String, b"user:2")
        .str(&[b'x'; 100])
        .key(TypeId::String, b"count")
        .str(b"12345")
        .expire_ms(Y2100_MS)
        .key(TypeId::HashListpack, b"user:3")
        .str(&listpack_of(&[b"name", b"bob", b"age", b"37"]))
        .key(TypeId::String, b"a,b\"c")
        .str(b"v")
        .key(TypeId::String, b"bin\xff\x00key")
        .str(b"v")
        .select(3)
        .key(TypeId::SetListpack, b"tags")
        .str(&listpack_of(&[b"a", b"b", b"c"]))
        .key(TypeId::ZsetListpack, b"board")
        .str(&listpack_of(&[b"x", b"-1", b"y", b"2.5"]))
        .finish()
}

fn jsonl(o: &Output) -> Vec<Value> {
    assert_eq!(code(o), 0, "{}", stderr(o));
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

fn by_key<'a>(rows: &'a [Value], key: &str) -> &'a Value {
    rows.iter()
        .find(|r| r["key"] == key)
        .unwrap_or_else(|| panic!("no row for {key}"))
}

#[test]
fn jsonl_rows_have_the_sizes_redis_reports() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(dir.path(), "s.rdb", &sample());
    let rows = jsonl(&run(&["memory", "-f", "jsonl", f.to_str().unwrap()]));
    assert_eq!(rows.len(), 8);
    // Redis 7.2 (RDB 11), bundled jemalloc. "user:1": key sds 8, dict entry 24,
    // embstr 16 + 3 + 3 + 1 = 23 -> 24.
    let r = by_key(&rows, "user:1");
    assert_eq!(r["size_in_bytes"], 56);
    assert_eq!(r["encoding"], "embstr");
    assert_eq!(r["type"], "string");
    assert_eq!(r["num_elements"], 3);
    assert_eq!(r["len_largest_element"], 3);
    assert_eq!(r["expire_ms"], Value::Null);
    assert_eq!(r["db"], 0);
    // raw: robj 16 + sds 3 + 100 + 1 = 104 -> 112.
    let r = by_key(&rows, "user:2");
    assert_eq!(
        (r["size_in_bytes"].as_u64(), &r["encoding"]),
        (Some(8 + 24 + 128), &"raw".into())
    );
    assert_eq!(by_key(&rows, "count")["encoding"], "int");
    assert_eq!(by_key(&rows, "count")["size_in_bytes"], 8 + 24 + 16);
    // A listpack hash: 7 + name(6) bob(5) age(5) 37(2) = 25 bytes -> 32, + robj 16.
    let r = by_key(&rows, "user:3");
    assert_eq!(r["encoding"], "listpack");
    assert_eq!(r["size_in_bytes"], 8 + 24 + 16 + 32);
    assert_eq!(r["num_elements"], 2);
    assert_eq!(r["len_largest_element"], 4);
    assert_eq!(r["expire_ms"], Y2100_MS);
    assert_eq!(by_key(&rows, "tags")["encoding"], "listpack");
    assert_eq!(by_key(&rows, "tags")["db"], 3);
    assert_eq!(by_key(&rows, "board")["encoding"], "listpack");
    // A binary key as contract.md's byte string.
    assert!(rows.iter().any(|r| r["key"]["base64"] == "Ymlu/wBrZXk="));
}

#[test]
fn csv_has_rdb_tools_columns_quoting_and_escapes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(dir.path(), "s.rdb", &sample());
    let o = run(&["memory", "--format", "csv", f.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = stdout(&o);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "database,type,key,size_in_bytes,encoding,num_elements,len_largest_element,expiry"
    );
    assert_eq!(lines.len(), 9);
    assert!(lines.contains(&"0,string,user:1,56,embstr,3,3,"), "{text}");
    assert!(
        lines.contains(&"0,hash,user:3,80,listpack,2,4,2100-01-01T00:00:00.000Z"),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("0,string,\"a,b\"\"c\",")),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("0,string,bin\\xff\0key,")),
        "{text}"
    );
}

#[test]
fn top_lists_the_biggest_keys_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(dir.path(), "s.rdb", &sample());
    let rows = jsonl(&run(&[
        "memory",
        "-f",
        "jsonl",
        "--top",
        "2",
        f.to_str().unwrap(),
    ]));
    let keys: Vec<&Value> = rows.iter().map(|r| &r["key"]).collect();
    assert_eq!(keys, [&Value::from("user:2"), &Value::from("user:3")]);
    let o = run(&["memory", "-f", "csv", "--top", "0", f.to_str().unwrap()]);
    assert_eq!(stdout(&o).lines().count(), 1);
}

#[test]
fn json_summary_adds_up() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(dir.path(), "s.rdb", &sample());
    let o = run(&[
        "memory",
        "-f",
        "json",
        "--by-prefix",
        ":",
        "--top",
        "3",
        f.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).expect("one JSON object");
    let rows = jsonl(&run(&["memory", "-f", "jsonl", f.to_str().unwrap()]));
    let total: u64 = rows
        .iter()
        .map(|r| r["size_in_bytes"].as_u64().unwrap())
        .sum();
    assert_eq!(v["keys"], 8);
    assert_eq!(v["bytes"], total);
    assert_eq!(v["redis_version"], "7.2");
    assert_eq!(v["rdb_version"], 11);
    assert_eq!(v["format"], "rdb");
    for group in ["by_db", "by_type", "by_encoding", "ttl", "by_prefix"] {
        let g = v[group].as_array().unwrap_or_else(|| panic!("{group}"));
        let keys: u64 = g.iter().map(|x| x["keys"].as_u64().unwrap()).sum();
        let bytes: u64 = g.iter().map(|x| x["bytes"].as_u64().unwrap()).sum();
        let share: f64 = g.iter().map(|x| x["share"].as_f64().unwrap()).sum();
        assert_eq!((keys, bytes), (8, total), "{group}");
        assert!((share - 1.0).abs() < 1e-4, "{group}: {share}");
    }
    let ttl = &v["ttl"];
    assert_eq!(ttl[0]["ttl"], "none");
    assert_eq!(ttl[0]["keys"], 7);
    assert_eq!(ttl[5]["ttl"], ">=7d");
    assert_eq!(ttl[5]["keys"], 1);
    let user = v["by_prefix"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["prefix"] == "user:")
        .expect("the user: prefix");
    assert_eq!(user["keys"], 3);
    assert_eq!(v["top"].as_array().unwrap().len(), 3);
    assert_eq!(v["top"][0]["key"], "user:2");
    let um = &v["used_memory"];
    assert_eq!(
        um["estimate"].as_u64().unwrap(),
        um["startup"].as_u64().unwrap()
            + um["keys"].as_u64().unwrap()
            + um["db_tables"].as_u64().unwrap()
    );
}

#[test]
fn text_summary_names_every_section() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(dir.path(), "s.rdb", &sample());
    let o = run(&[
        "memory",
        f.to_str().unwrap(),
        "--by-prefix",
        ":",
        "--depth",
        "2",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let t = stdout(&o);
    for s in [
        "keys         8",
        "Redis 7.2, jemalloc",
        "used_memory",
        "by db",
        "by type",
        "by encoding",
        "by TTL",
        "by prefix (separator \":\", depth 2)",
        "\"user:\"*",
        "biggest keys",
        "\"bin\\xff\\x00key\"",
    ] {
        assert!(t.contains(s), "missing {s:?} in:\n{t}");
    }
}

#[test]
fn filters_select_keys() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(dir.path(), "s.rdb", &sample());
    let p = f.to_str().unwrap();
    assert_eq!(
        jsonl(&run(&["memory", "-f", "jsonl", "--db", "3", p])).len(),
        2
    );
    assert_eq!(
        jsonl(&run(&["memory", "-f", "jsonl", "--type", "hash", p])).len(),
        1
    );
    assert_eq!(
        jsonl(&run(&["memory", "-f", "jsonl", "--key", "user:*", p])).len(),
        3
    );
    assert_eq!(
        jsonl(&run(&[
            "memory",
            "-f",
            "jsonl",
            "--key-regex",
            "^(count|tags)$",
            p
        ]))
        .len(),
        2
    );
}

#[test]
fn models_follow_the_release_and_allocator() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(dir.path(), "s.rdb", &sample());
    let p = f.to_str().unwrap();
    let rows = jsonl(&run(&[
        "memory",
        "-f",
        "jsonl",
        "--redis-version",
        "6.2",
        p,
    ]));
    assert_eq!(by_key(&rows, "user:3")["encoding"], "ziplist");
    assert_eq!(by_key(&rows, "tags")["encoding"], "hashtable");
    // 6.2 reports an embstr as its length + 18.
    assert_eq!(by_key(&rows, "user:1")["size_in_bytes"], 8 + 24 + 21);
    let rows = jsonl(&run(&[
        "memory",
        "-f",
        "jsonl",
        "--redis-version",
        "7.0.15",
        p,
    ]));
    assert_eq!(by_key(&rows, "tags")["encoding"], "hashtable");
    let rows = jsonl(&run(&[
        "memory",
        "-f",
        "jsonl",
        "--allocator",
        "jemalloc-16",
        p,
    ]));
    // embstr of 23 bytes -> 32 with a 16-byte quantum.
    assert_eq!(by_key(&rows, "user:1")["size_in_bytes"], 8 + 24 + 32);
    let rows = jsonl(&run(&["memory", "-f", "jsonl", "--allocator", "libc", p]));
    assert_eq!(by_key(&rows, "user:1")["size_in_bytes"], 24 + 24 + 24);
    let o = run(&[
        "memory",
        "-f",
        "jsonl",
        "--threshold",
        "hash-max-listpack-entries=1",
        p,
    ]);
    assert_eq!(by_key(&jsonl(&o), "user:3")["encoding"], "hashtable");
    let o = run(&["memory", "--redis-version", "seven", p]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--redis-version"), "{}", stderr(&o));
    let o = run(&["memory", "--redis-version", "8.0", "-f", "json", p]);
    assert_eq!(code(&o), 0);
    assert!(stderr(&o).contains("7.4 model"), "{}", stderr(&o));
}

#[test]
fn reads_standard_input_and_writes_an_output_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = rdbtool()
        .args(["memory", "-f", "jsonl", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child.stdin.take().unwrap().write_all(&sample()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(jsonl(&o).len(), 8);
    let f = write(dir.path(), "s.rdb", &sample());
    let out = dir.path().join("report.csv");
    let o = run(&[
        "memory",
        "-f",
        "csv",
        f.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 9);
    let o = run(&["memory", f.to_str().unwrap(), "-o", f.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
}

#[test]
fn json_lines_input_is_costed_as_redis_7_0() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(dir.path(), "s.rdb", &sample());
    let o = run(&["dump", f.to_str().unwrap()]);
    let j = write(dir.path(), "s.jsonl", &o.stdout);
    let o = run(&["memory", "-f", "json", j.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        (v["format"].as_str(), v["keys"].as_u64()),
        (Some("jsonl"), Some(8))
    );
    assert_eq!(v["redis_version"], "7.0");
}

#[test]
fn unreadable_input_exits_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = run(&["memory", dir.path().join("missing.rdb").to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    let f = write(dir.path(), "junk", b"hello, world");
    let o = run(&["memory", f.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    let mut cut = sample();
    cut.truncate(cut.len() - 30);
    let f = write(dir.path(), "cut.rdb", &cut);
    let o = run(&["memory", "-f", "csv", f.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("rdbtool: error"), "{}", stderr(&o));
    let good = write(dir.path(), "s.rdb", &sample());
    let o = run(&["memory", "--depth", "2", good.to_str().unwrap()]);
    assert_eq!(code(&o), 2, "--depth needs --by-prefix");
    assert!(stderr(&o).contains("--by-prefix"), "{}", stderr(&o));
    let o = run(&["memory", "--by-prefix", "", good.to_str().unwrap()]);
    assert_eq!(code(&o), 2, "an empty separator");
}

#[test]
fn skip_corrupt_leaves_damaged_keys_out() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut bad = listpack_of(&[b"one", b"two"]);
    let n = bad.len();
    bad[n - 2] ^= 0x7f;
    let rdb = RdbBytes::new("REDIS0011")
        .select(0)
        .key(TypeId::String, b"first")
        .str(b"1")
        .key(TypeId::SetListpack, b"broken")
        .str(&bad)
        .key(TypeId::String, b"last")
        .str(b"2")
        .finish();
    let f = write(dir.path(), "bad.rdb", &rdb);
    let o = run(&["memory", "-f", "jsonl", f.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    let o = run(&[
        "memory",
        "-f",
        "jsonl",
        "--skip-corrupt",
        f.to_str().unwrap(),
    ]);
    let rows = jsonl(&o);
    let keys: Vec<&Value> = rows.iter().map(|r| &r["key"]).collect();
    assert_eq!(keys, [&Value::from("first"), &Value::from("last")]);
    assert!(stderr(&o).contains("skipped"), "{}", stderr(&o));
}

//! `rdbtool diff A B` against datasets written by a real Redis 7.0:
//! - a base dataset (every type and encoding, binary keys, TTLs, db 0 and db 3) saved as
//!   A.rdb, then known changes applied with commands and saved as B (RDB, RESP AOF file,
//!   AOF directories with and without an RDB preamble, their manifest, JSON Lines): the
//!   `--format jsonl` records are exactly the ones the commands imply, whichever side is
//!   which format (swapping the sides swaps the records);
//! - A against itself and against its own conversions (and the server's own AOFs of it):
//!   no differences;
//! - `--ignore-ttl`, `--ttl-tolerance`, `--keys-only`, `--db`, `--key`, `--type`;
//! - the text format's summary and escaping of binary keys;
//! - errors: missing file, truncated RDB, both sides on standard input.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use base64::Engine as _;
use e2e::bin::{RunOutput, rdbtool, run, run_with_stdin};
use e2e::model::json_bytes;
use e2e::populate::PXAT_2100;
use e2e::{Client, Server, ServerKind, args};
use serde_json::{Value, json};

// ------------------------------------------------------------------ running rdbtool

fn rdbtool_run(args: &[&OsStr]) -> RunOutput {
    run(&rdbtool(), args)
}

fn os<S: AsRef<OsStr> + ?Sized>(s: &S) -> &OsStr {
    s.as_ref()
}

/// `rdbtool diff -q --format jsonl A B extra...`.
fn diff_jsonl(a: &Path, b: &Path, extra: &[&str]) -> RunOutput {
    let mut v: Vec<&OsStr> = vec![os("diff"), os("-q"), os("--format"), os("jsonl")];
    v.extend(extra.iter().map(os));
    v.push(a.as_os_str());
    v.push(b.as_os_str());
    rdbtool_run(&v)
}

/// The records of a jsonl diff (exit 1 expected), normalized, sorted by (db, key).
fn records_of(out: &RunOutput, what: &str) -> Vec<Value> {
    out.expect_code(1);
    parse_records(out, what)
}

fn parse_records(out: &RunOutput, what: &str) -> Vec<Value> {
    let mut recs: Vec<Value> = Vec::new();
    for (i, line) in out.stdout_str().lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| {
            panic!(
                "{what}: `{}` line {} is not JSON ({e}): {line}",
                out.command,
                i + 1
            )
        });
        recs.push(normalize(v));
    }
    sort_records(&mut recs, what);
    recs
}

/// (db, key bytes) of a record.
fn rec_id(v: &Value) -> (u64, Vec<u8>) {
    let db = v["db"]
        .as_u64()
        .unwrap_or_else(|| panic!("record without a numeric db: {v}"));
    let key = json_bytes(&v["key"]).unwrap_or_else(|e| panic!("record key: {e}: {v}"));
    (db, key)
}

fn sort_records(recs: &mut [Value], what: &str) {
    recs.sort_by_key(rec_id);
    for w in recs.windows(2) {
        assert!(
            rec_id(&w[0]) != rec_id(&w[1]),
            "{what}: a key is reported twice: {} / {}",
            w[0],
            w[1]
        );
    }
}

/// Makes records comparable whatever the tool's choices the contract leaves open: numbers
/// with an integral value as integers (a score 2 may be printed `2` or `2.0`), and empty
/// arrays / objects
/// dropped (a hunk or a set diff may or may not print an empty side).
fn normalize(v: Value) -> Value {
    match v {
        Value::Number(n) => {
            let f = n.as_f64().expect("a JSON number");
            if f.fract() == 0.0 && f.abs() < 9.0e15 {
                json!(f as i64)
            } else {
                Value::Number(serde_json::Number::from_f64(f).expect("a finite number"))
            }
        }
        Value::Array(a) => Value::Array(a.into_iter().map(normalize).collect()),
        Value::Object(o) => Value::Object(
            o.into_iter()
                .map(|(k, v)| (k, normalize(v)))
                .filter(|(_, v)| !is_empty(v))
                .collect(),
        ),
        other => other,
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// The same difference seen from the other side: A and B swapped.
fn swap(v: &Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| {
                    let k = match k.as_str() {
                        "a" => "b",
                        "b" => "a",
                        "added" => "removed",
                        "removed" => "added",
                        "a_index" => "b_index",
                        "b_index" => "a_index",
                        other => other,
                    };
                    let v = match (k, v.as_str()) {
                        ("status", Some("only_in_a")) => json!("only_in_b"),
                        ("status", Some("only_in_b")) => json!("only_in_a"),
                        _ => swap(v),
                    };
                    (k.to_string(), v)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(swap).collect()),
        other => other.clone(),
    }
}

fn swap_all(recs: &[Value]) -> Vec<Value> {
    recs.iter().map(swap).collect()
}

fn show_key(k: &(u64, Vec<u8>)) -> String {
    format!("db {} {}", k.0, e2e::resp::show_arg(&k.1))
}

/// Asserts `got` are exactly the records `want` (both sorted by key), listing every
/// missing, unexpected and different record.
fn assert_records(what: &str, got: &[Value], want: &[Value]) {
    let g: BTreeMap<_, _> = got.iter().map(|v| (rec_id(v), v)).collect();
    let w: BTreeMap<_, _> = want
        .iter()
        .map(|v| (rec_id(v), normalize((*v).clone())))
        .collect();
    let mut problems = Vec::new();
    for (k, wv) in &w {
        match g.get(k) {
            None => problems.push(format!("missing   {}: expected {wv}", show_key(k))),
            Some(gv) if **gv != *wv => problems.push(format!(
                "different {}:\n      got      {gv}\n      expected {wv}",
                show_key(k)
            )),
            Some(_) => {}
        }
    }
    for (k, gv) in &g {
        if !w.contains_key(k) {
            problems.push(format!("unexpected {}: {gv}", show_key(k)));
        }
    }
    assert!(
        problems.is_empty(),
        "{what}: {} problem(s) ({} records, {} expected):\n  {}",
        problems.len(),
        got.len(),
        want.len(),
        problems.join("\n  ")
    );
}

// ------------------------------------------------------------------ expected records

/// A byte string as the tool prints it: a JSON string when valid UTF-8, else base64.
fn jb(b: &[u8]) -> Value {
    match std::str::from_utf8(b) {
        Ok(s) => json!(s),
        Err(_) => json!({ "base64": base64::engine::general_purpose::STANDARD.encode(b) }),
    }
}

fn side(ty: &str, exp: Option<i64>) -> Value {
    json!({ "type": ty, "expire_ms": exp })
}

fn only_a(db: u64, key: &[u8], ty: &str, exp: Option<i64>) -> Value {
    json!({ "db": db, "key": jb(key), "status": "only_in_a", "a": side(ty, exp) })
}

fn only_b(db: u64, key: &[u8], ty: &str, exp: Option<i64>) -> Value {
    json!({ "db": db, "key": jb(key), "status": "only_in_b", "b": side(ty, exp) })
}

fn changed(
    db: u64,
    key: &[u8],
    changes: &[&str],
    a: (&str, Option<i64>),
    b: (&str, Option<i64>),
    value: Option<Value>,
) -> Value {
    let mut v = json!({
        "db": db,
        "key": jb(key),
        "status": "changed",
        "changes": changes,
        "a": side(a.0, a.1),
        "b": side(b.0, b.1),
    });
    if let Some(val) = value {
        v["value"] = val;
    }
    v
}

/// A value change of a key without TTL whose type stayed `ty`.
fn value_changed(db: u64, key: &[u8], ty: &str, value: Value) -> Value {
    changed(db, key, &["value"], (ty, None), (ty, None), Some(value))
}

// ------------------------------------------------------------------ the dataset

/// Fixed expire time of the TTL keys (2100-01-01T00:00:00.123Z).
const T: i64 = PXAT_2100;
const BIN_KEY: &[u8] = b"bin:\x00\r\n\xff";
const BIN_NEW: &[u8] = b"\xff\xfenew\x00\r\n";
const CRLF_KEY: &[u8] = b"crlf:\r\n\x00";

fn cmd(c: &mut Client, a: Vec<Vec<u8>>) {
    c.call_ok(&a);
}

fn many(c: &mut Client, cmds: Vec<Vec<Vec<u8>>>) {
    c.pipeline_ok(&cmds);
}

/// The base dataset (A).
fn build_base(c: &mut Client) {
    cmd(c, args!["SELECT", "0"]);
    // strings: embstr, int-encoded, raw (> 64 bytes), binary key and value
    cmd(c, args!["SET", "str:plain", "hello"]);
    cmd(c, args!["SET", "str:int", "12345"]);
    cmd(c, args!["SET", "str:large", "L".repeat(100)]);
    cmd(c, args!["SET", "str:changed", "old-value"]);
    cmd(c, args!["SET", "str:deleted", "bye"]);
    let all_bytes: Vec<u8> = (0..=255u8).collect();
    cmd(c, args!["SET", BIN_KEY, all_bytes]);
    cmd(c, args!["SET", CRLF_KEY, "x"]);
    // lists: small, big (> 128 elements)
    cmd(c, args!["RPUSH", "list:small", "a", "b", "c", "d"]);
    let mut big = args!["RPUSH", "list:big"];
    big.extend((0..200).map(|i| format!("item-{i:03}").into_bytes()));
    cmd(c, big);
    cmd(c, args!["RPUSH", "type:change", "x", "y"]);
    // sets: intset, small (listpack from 7.2, a hash table in 7.0), hash table
    cmd(c, args!["SADD", "set:int", "1", "2", "3", "4", "5"]);
    cmd(c, args!["SADD", "set:small", "apple", "banana", "cherry"]);
    let mut big = args!["SADD", "set:big"];
    big.extend((0..200).map(|i| format!("m{i:03}").into_bytes()));
    cmd(c, big);
    cmd(c, args!["SADD", "set:bin", b"\xff\x00", b"\r\n", "plain"]);
    // zsets: listpack, skiplist, special scores
    cmd(c, args!["ZADD", "zset:small", "1", "a", "2", "b", "3", "c"]);
    let mut big = args!["ZADD", "zset:big"];
    for i in 0..200 {
        big.push(i.to_string().into_bytes());
        big.push(format!("z{i:03}").into_bytes());
    }
    cmd(c, big);
    cmd(
        c,
        args![
            "ZADD",
            "zset:special",
            "-inf",
            "neg",
            "0",
            "zero",
            "inf",
            "pos",
            "1.5",
            "x"
        ],
    );
    // hashes: listpack, hash table
    cmd(
        c,
        args!["HSET", "hash:small", "f1", "v1", "f2", "v2", "f3", "v3"],
    );
    let mut big = args!["HSET", "hash:big"];
    for i in 0..200 {
        big.push(format!("field-{i:03}").into_bytes());
        big.push(format!("value-{i:03}").into_bytes());
    }
    cmd(c, big);
    cmd(c, args!["HSET", "user:1", "name", "alice", "age", "30"]);
    cmd(c, args!["SET", "user:2", "bob"]);
    cmd(c, args!["HSET", "user:old", "name", "carol"]);
    // a stream with a consumer group, a PEL and a consumer without PEL
    for i in 1..=5 {
        cmd(
            c,
            args![
                "XADD",
                "stream",
                format!("{i}-1"),
                "f",
                format!("v{i}"),
                "n",
                i.to_string()
            ],
        );
    }
    cmd(c, args!["XGROUP", "CREATE", "stream", "g1", "0"]);
    cmd(
        c,
        args![
            "XREADGROUP",
            "GROUP",
            "g1",
            "alice",
            "COUNT",
            "3",
            "STREAMS",
            "stream",
            ">"
        ],
    );
    cmd(c, args!["XGROUP", "CREATECONSUMER", "stream", "g1", "bob"]);
    // a stream whose groups change (not its entries)
    for i in 1..=4 {
        cmd(
            c,
            args!["XADD", "stream:groups", format!("{i}-0"), "k", "v"],
        );
    }
    cmd(c, args!["XGROUP", "CREATE", "stream:groups", "gA", "0"]);
    cmd(
        c,
        args![
            "XREADGROUP",
            "GROUP",
            "gA",
            "c1",
            "COUNT",
            "2",
            "STREAMS",
            "stream:groups",
            ">"
        ],
    );
    cmd(
        c,
        args!["XGROUP", "CREATECONSUMER", "stream:groups", "gA", "gone"],
    );
    cmd(c, args!["XGROUP", "CREATE", "stream:groups", "gOld", "$"]);
    // TTLs
    cmd(c, args!["SET", "ttl:keep", "k", "PXAT", T]);
    cmd(c, args!["HSET", "ttl:hash", "f", "v"]);
    cmd(c, args!["PEXPIREAT", "ttl:hash", T + 5]);
    cmd(c, args!["SET", "ttl:persist", "p", "PXAT", T]);
    cmd(c, args!["SET", "ttl:moved1s", "m", "PXAT", T]);
    cmd(c, args!["SET", "ttl:moved1h", "m", "PXAT", T]);
    cmd(c, args!["SET", "ttl:added", "a"]);
    cmd(c, args!["SET", "ttl:both", "v1", "PXAT", T]);
    cmd(c, args!["SET", "move:me", "moving"]);
    // db 3 (one key name shared with db 0)
    cmd(c, args!["SELECT", "3"]);
    many(
        c,
        vec![
            args!["SET", "str:plain", "db3-value"],
            args!["SADD", "db3:set", "x", "y"],
            args!["SET", "db3:gone", "gone"],
            args!["RPUSH", "db3:list", "1", "2", "3"],
        ],
    );
    cmd(c, args!["SELECT", "0"]);
}

/// The changes from A to B.
fn apply_changes(c: &mut Client) {
    cmd(c, args!["SELECT", "0"]);
    many(
        c,
        vec![
            args!["DEL", "str:deleted"],
            args!["DEL", "user:old"],
            args!["SET", "new:str", "fresh"],
            args!["SET", BIN_NEW, "binary key"],
            args!["RPUSH", "new:list", "p", "q"],
            args!["SET", "user:3", "dave"],
            args!["SET", "str:changed", "new-value"],
            args!["SET", CRLF_KEY, "y"],
            args!["SADD", "set:int", "6"],
            args!["SREM", "set:int", "2"],
            args!["SADD", "set:big", "m-new"],
            args!["SREM", "set:big", "m050"],
            args!["ZADD", "zset:small", "4", "d"],
            args!["ZADD", "zset:small", "2.5", "b"],
            args!["ZREM", "zset:small", "c"],
            args!["ZADD", "zset:big", "1000.5", "z050"],
            args!["ZADD", "zset:big", "inf", "zzz"],
            args!["HSET", "hash:small", "f4", "v4", "f2", "v2b"],
            args!["HDEL", "hash:small", "f3"],
            args!["HSET", "user:1", "age", "31"],
            args!["RPUSH", "list:small", "e"],
            args!["LPOP", "list:small"],
            args!["LSET", "list:big", "100", "changed-100"],
            args!["XADD", "stream", "6-1", "f", "v6", "n", "6"],
            args!["XDEL", "stream", "4-1"],
            args!["XGROUP", "CREATE", "stream", "g2", "$"],
            args!["XACK", "stream", "g1", "1-1"],
            args!["DEL", "type:change"],
            args!["SET", "type:change", "now-a-string"],
            args!["PERSIST", "ttl:persist"],
            args!["PEXPIREAT", "ttl:moved1s", T + 1000],
            args!["PEXPIREAT", "ttl:moved1h", T + 3_600_000],
            args!["PEXPIREAT", "ttl:added", T],
            args!["SET", "ttl:both", "v2", "PXAT", T + 7_200_000],
            args!["MOVE", "move:me", "3"],
            // PEL entry 2-0 moves to a new consumer c2 (delivery count 2, new time)
            args!["XCLAIM", "stream:groups", "gA", "c2", "0", "2-0"],
            args!["XGROUP", "DELCONSUMER", "stream:groups", "gA", "gone"],
            args![
                "XGROUP",
                "SETID",
                "stream:groups",
                "gA",
                "3-0",
                "ENTRIESREAD",
                "3"
            ],
            args!["XGROUP", "DESTROY", "stream:groups", "gOld"],
        ],
    );
    cmd(c, args!["SELECT", "3"]);
    many(
        c,
        vec![args!["SADD", "db3:set", "z"], args!["DEL", "db3:gone"]],
    );
    cmd(c, args!["SELECT", "0"]);
}

/// What `diff A B --format jsonl` must print, sorted by (db, key).
fn expected() -> Vec<Value> {
    let mut v = vec![
        // only in A
        only_a(0, b"str:deleted", "string", None),
        only_a(0, b"user:old", "hash", None),
        only_a(0, b"move:me", "string", None),
        only_a(3, b"db3:gone", "string", None),
        // only in B
        only_b(0, b"new:str", "string", None),
        only_b(0, BIN_NEW, "string", None),
        only_b(0, b"new:list", "list", None),
        only_b(0, b"user:3", "string", None),
        only_b(3, b"move:me", "string", None),
        // values
        value_changed(
            0,
            b"str:changed",
            "string",
            json!({"a": "old-value", "b": "new-value"}),
        ),
        value_changed(0, CRLF_KEY, "string", json!({"a": "x", "b": "y"})),
        value_changed(
            0,
            b"set:int",
            "set",
            json!({"added": ["6"], "removed": ["2"]}),
        ),
        value_changed(
            0,
            b"set:big",
            "set",
            json!({"added": ["m-new"], "removed": ["m050"]}),
        ),
        value_changed(
            0,
            b"zset:small",
            "zset",
            json!({
                "added": [["d", 4]],
                "removed": [["c", 3]],
                "changed": [{"member": "b", "a": 2, "b": 2.5}],
            }),
        ),
        value_changed(
            0,
            b"zset:big",
            "zset",
            json!({
                "added": [["zzz", "inf"]],
                "changed": [{"member": "z050", "a": 50, "b": 1000.5}],
            }),
        ),
        value_changed(
            0,
            b"hash:small",
            "hash",
            json!({
                "added": [["f4", "v4"]],
                "removed": [["f3", "v3"]],
                "changed": [{"field": "f2", "a": "v2", "b": "v2b"}],
            }),
        ),
        value_changed(
            0,
            b"user:1",
            "hash",
            json!({"changed": [{"field": "age", "a": "30", "b": "31"}]}),
        ),
        value_changed(
            0,
            b"list:small",
            "list",
            json!({"hunks": [
                {"a_index": 0, "b_index": 0, "removed": ["a"], "added": []},
                {"a_index": 4, "b_index": 3, "removed": [], "added": ["e"]},
            ]}),
        ),
        value_changed(
            0,
            b"list:big",
            "list",
            json!({"hunks": [
                {"a_index": 100, "b_index": 100, "removed": ["item-100"], "added": ["changed-100"]},
            ]}),
        ),
        value_changed(
            0,
            b"stream",
            "stream",
            json!({
                "entries": {
                    "added": [{"id": "6-1", "fields": [["f", "v6"], ["n", "6"]]}],
                    "removed": [{"id": "4-1", "fields": [["f", "v4"], ["n", "4"]]}],
                },
                "meta": {
                    "last_id": {"a": "5-1", "b": "6-1"},
                    "entries_added": {"a": 5, "b": 6},
                    "max_deleted_id": {"a": "0-0", "b": "4-1"},
                },
                "groups": {
                    "added": ["g2"],
                    "changed": [{"name": "g1", "pel": {"removed": ["1-1"]}}],
                },
            }),
        ),
        value_changed(
            0,
            b"stream:groups",
            "stream",
            json!({"groups": {
                "removed": ["gOld"],
                "changed": [{
                    "name": "gA",
                    "last_id": {"a": "2-0", "b": "3-0"},
                    "entries_read": {"a": 2, "b": 3},
                    "pel": {"changed": ["2-0"]},
                    "consumers": {"added": ["c2"], "removed": ["gone"]},
                }],
            }}),
        ),
        value_changed(3, b"db3:set", "set", json!({"added": ["z"]})),
        // type
        changed(
            0,
            b"type:change",
            &["type"],
            ("list", None),
            ("string", None),
            None,
        ),
        // TTLs
        changed(
            0,
            b"ttl:persist",
            &["ttl"],
            ("string", Some(T)),
            ("string", None),
            None,
        ),
        changed(
            0,
            b"ttl:moved1s",
            &["ttl"],
            ("string", Some(T)),
            ("string", Some(T + 1000)),
            None,
        ),
        changed(
            0,
            b"ttl:moved1h",
            &["ttl"],
            ("string", Some(T)),
            ("string", Some(T + 3_600_000)),
            None,
        ),
        changed(
            0,
            b"ttl:added",
            &["ttl"],
            ("string", None),
            ("string", Some(T)),
            None,
        ),
        changed(
            0,
            b"ttl:both",
            &["ttl", "value"],
            ("string", Some(T)),
            ("string", Some(T + 7_200_000)),
            Some(json!({"a": "v1", "b": "v2"})),
        ),
    ];
    sort_records(&mut v, "expected");
    v
}

fn count_status(recs: &[Value], status: &str) -> usize {
    recs.iter().filter(|r| r["status"] == status).count()
}

// ------------------------------------------------------------------ the shared fixture

/// Every dataset file, made once per test process (one Redis 7.0 run).
struct Fixture {
    dir: tempfile::TempDir,
    /// A: SAVE of the base dataset.
    a_rdb: PathBuf,
    /// The server's own AOF of A: an appendonlydir with an empty base and the commands.
    a_aof_history: PathBuf,
    /// The server's own AOF of A after BGREWRITEAOF (RDB preamble).
    a_aof_rewritten: PathBuf,
    /// B: SAVE after the changes.
    b_rdb: PathBuf,
    /// BGREWRITEAOF with aof-use-rdb-preamble no: the appendonlydir and its base file.
    b_resp_dir: PathBuf,
    b_resp_aof: PathBuf,
    /// BGREWRITEAOF with aof-use-rdb-preamble yes: the appendonlydir and its manifest.
    b_dir: PathBuf,
    b_manifest: PathBuf,
    /// `rdbtool dump --format jsonl B.rdb`.
    b_jsonl: PathBuf,
}

impl Fixture {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// Copies a live appendonlydir: the manifest and the files it names (history files the
/// server is deleting are left out).
fn copy_aof_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    let manifest = fs::read_dir(from)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".manifest"))
        .unwrap_or_else(|| panic!("no manifest in {}", from.display()));
    let text = fs::read_to_string(&manifest).unwrap();
    fs::copy(&manifest, to.join(manifest.file_name().unwrap())).unwrap();
    for line in text.lines() {
        let mut words = line.split_whitespace();
        let mut name = None;
        let mut ty = None;
        while let (Some(k), Some(v)) = (words.next(), words.next()) {
            match k {
                "file" => name = Some(v.to_string()),
                "type" => ty = Some(v.to_string()),
                _ => {}
            }
        }
        if let (Some(n), Some(t)) = (name, ty)
            && t != "h"
        {
            fs::copy(from.join(&n), to.join(&n))
                .unwrap_or_else(|e| panic!("copy {n} of {}: {e}", from.display()));
        }
    }
}

fn manifest_of(dir: &Path) -> PathBuf {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".manifest"))
        .unwrap_or_else(|| panic!("no manifest in {}", dir.display()))
}

fn base_file_of(dir: &Path) -> PathBuf {
    let text = fs::read_to_string(manifest_of(dir)).unwrap();
    let line = text
        .lines()
        .find(|l| l.ends_with("type b"))
        .unwrap_or_else(|| panic!("no base in the manifest of {}: {text}", dir.display()));
    dir.join(line.split_whitespace().nth(1).expect("file name"))
}

/// Removes the fixture folders of earlier test processes that are gone (the fixture is
/// static, so its folder outlives the process that made it).
fn remove_stale_fixtures() {
    let Ok(entries) = fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix("e2e-diff-")
            .and_then(|r| r.split_once('-'))
            .and_then(|(pid, _)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = fs::remove_dir_all(e.path());
        }
    }
}

fn make_fixture() -> Fixture {
    remove_stale_fixtures();
    let dir = tempfile::Builder::new()
        .prefix(&format!("e2e-diff-{}-", std::process::id()))
        .tempdir()
        .expect("tempdir");
    let p = |n: &str| dir.path().join(n);
    let s = Server::start(
        ServerKind::Redis70,
        &["--appendonly", "yes", "--aof-use-rdb-preamble", "no"],
    );
    let mut c = s.client();
    let live = s.dir().join("appendonlydir");

    build_base(&mut c);
    let a_rdb = p("A.rdb");
    fs::copy(s.save_rdb(), &a_rdb).unwrap();
    let a_aof_history = p("A-history/appendonlydir");
    copy_aof_dir(&live, &a_aof_history);
    cmd(
        &mut c,
        args!["CONFIG", "SET", "aof-use-rdb-preamble", "yes"],
    );
    s.rewrite_aof();
    let a_aof_rewritten = p("A-rewritten/appendonlydir");
    copy_aof_dir(&live, &a_aof_rewritten);

    apply_changes(&mut c);
    let b_rdb = p("B.rdb");
    fs::copy(s.save_rdb(), &b_rdb).unwrap();
    cmd(&mut c, args!["CONFIG", "SET", "aof-use-rdb-preamble", "no"]);
    s.rewrite_aof();
    let b_resp_dir = p("B-resp/appendonlydir");
    copy_aof_dir(&live, &b_resp_dir);
    let b_resp_aof = p("B-resp.aof");
    fs::copy(base_file_of(&b_resp_dir), &b_resp_aof).unwrap();
    assert!(
        fs::read(&b_resp_aof).unwrap().starts_with(b"*"),
        "the preamble-less base is RESP"
    );
    cmd(
        &mut c,
        args!["CONFIG", "SET", "aof-use-rdb-preamble", "yes"],
    );
    s.rewrite_aof();
    let b_dir = p("B-preamble/appendonlydir");
    copy_aof_dir(&live, &b_dir);
    assert!(
        fs::read(base_file_of(&b_dir))
            .unwrap()
            .starts_with(b"REDIS"),
        "the base has an RDB preamble"
    );
    let b_manifest = manifest_of(&b_dir);
    drop(c);
    s.stop();

    let dump = rdbtool_run(&[
        os("dump"),
        os("-q"),
        os("--format"),
        os("jsonl"),
        b_rdb.as_os_str(),
    ]);
    dump.expect_success();
    let b_jsonl = p("B.jsonl");
    fs::write(&b_jsonl, &dump.stdout).unwrap();

    Fixture {
        dir,
        a_rdb,
        a_aof_history,
        a_aof_rewritten,
        b_rdb,
        b_resp_dir,
        b_resp_aof,
        b_dir,
        b_manifest,
        b_jsonl,
    }
}

/// The fixture, made by the first test that needs it (the others wait for it; if making
/// it failed, they fail at once instead of trying again).
fn fixture() -> &'static Fixture {
    static FIXTURE: Mutex<(bool, Option<&'static Fixture>)> = Mutex::new((false, None));
    let mut g = FIXTURE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(f) = g.1 {
        return f;
    }
    assert!(
        !g.0,
        "making the datasets failed (see the first failing test)"
    );
    g.0 = true;
    let f: &'static Fixture = Box::leak(Box::new(make_fixture()));
    g.1 = Some(f);
    f
}

// ------------------------------------------------------------------ 1. known changes

#[test]
fn rdb_vs_rdb_reports_exactly_the_changes() {
    let f = fixture();
    let want = expected();
    let got = records_of(&diff_jsonl(&f.a_rdb, &f.b_rdb, &[]), "A.rdb vs B.rdb");
    assert_records("A.rdb vs B.rdb", &got, &want);
    assert_eq!(count_status(&got, "only_in_a"), 4);
    assert_eq!(count_status(&got, "only_in_b"), 5);
    assert_eq!(count_status(&got, "changed"), 19);
    // One changed value held at a time: a round of passes 3 and 4 per changed value.
    let rounds = records_of(
        &diff_jsonl(&f.a_rdb, &f.b_rdb, &["--collect-budget", "1"]),
        "A.rdb vs B.rdb, one value at a time",
    );
    assert_records("A.rdb vs B.rdb, one value at a time", &rounds, &want);
}

#[test]
fn swapped_sides_swap_the_records() {
    let f = fixture();
    let got = records_of(&diff_jsonl(&f.b_rdb, &f.a_rdb, &[]), "B.rdb vs A.rdb");
    assert_records("B.rdb vs A.rdb", &got, &swap_all(&expected()));
}

#[test]
fn rdb_vs_resp_aof_file() {
    let f = fixture();
    let got = records_of(
        &diff_jsonl(&f.a_rdb, &f.b_resp_aof, &[]),
        "A.rdb vs B RESP AOF",
    );
    assert_records("A.rdb vs B (RESP AOF file)", &got, &expected());
}

#[test]
fn rdb_vs_resp_aof_dir() {
    let f = fixture();
    let got = records_of(
        &diff_jsonl(&f.a_rdb, &f.b_resp_dir, &[]),
        "A.rdb vs B RESP appendonlydir",
    );
    assert_records("A.rdb vs B (appendonlydir, RESP base)", &got, &expected());
}

#[test]
fn aof_dir_and_manifest_vs_rdb() {
    let f = fixture();
    let want = swap_all(&expected());
    let got = records_of(
        &diff_jsonl(&f.b_dir, &f.a_rdb, &[]),
        "B appendonlydir vs A.rdb",
    );
    assert_records("B (appendonlydir, RDB preamble) vs A.rdb", &got, &want);
    let got = records_of(
        &diff_jsonl(&f.b_manifest, &f.a_rdb, &[]),
        "B manifest vs A.rdb",
    );
    assert_records("B (manifest) vs A.rdb", &got, &want);
}

#[test]
fn rdb_vs_json_lines() {
    let f = fixture();
    let got = records_of(&diff_jsonl(&f.a_rdb, &f.b_jsonl, &[]), "A.rdb vs B.jsonl");
    assert_records("A.rdb vs B.jsonl", &got, &expected());
    let got = records_of(&diff_jsonl(&f.b_jsonl, &f.a_rdb, &[]), "B.jsonl vs A.rdb");
    assert_records("B.jsonl vs A.rdb", &got, &swap_all(&expected()));
}

#[test]
fn stdin_as_one_side() {
    let f = fixture();
    let out = run_with_stdin(
        &rdbtool(),
        [
            os("diff"),
            os("-q"),
            os("--format"),
            os("jsonl"),
            os("-"),
            f.b_rdb.as_os_str(),
        ],
        &fs::read(&f.a_rdb).unwrap(),
    );
    let got = records_of(&out, "- (A.rdb) vs B.rdb");
    assert_records("stdin (A.rdb) vs B.rdb", &got, &expected());
    let out = run_with_stdin(
        &rdbtool(),
        [
            os("diff"),
            os("-q"),
            os("--format"),
            os("jsonl"),
            f.a_rdb.as_os_str(),
            os("-"),
        ],
        &fs::read(&f.b_jsonl).unwrap(),
    );
    let got = records_of(&out, "A.rdb vs - (B.jsonl)");
    assert_records("A.rdb vs stdin (B.jsonl)", &got, &expected());
}

// ------------------------------------------------------------------ 2. same data

fn assert_no_differences(a: &Path, b: &Path, what: &str) {
    let out = diff_jsonl(a, b, &[]);
    out.expect_code(0);
    assert!(
        out.stdout.is_empty(),
        "{what}: jsonl diff printed something with exit 0:\n{}",
        out.stdout_str()
    );
    let text = rdbtool_run(&[
        os("diff"),
        os("-q"),
        os("--format"),
        os("text"),
        a.as_os_str(),
        b.as_os_str(),
    ]);
    text.expect_code(0);
    let s = text.stdout_str();
    assert!(
        !s.contains("str:") && !s.contains("stream") && s.lines().count() <= 3,
        "{what}: text diff of identical data lists keys:\n{s}"
    );
}

#[test]
fn a_against_itself_and_its_conversions() {
    let f = fixture();
    assert_no_differences(&f.a_rdb, &f.a_rdb, "A.rdb vs A.rdb");
    assert_no_differences(&f.b_rdb, &f.b_resp_aof, "B.rdb vs its RESP AOF");
    assert_no_differences(&f.b_dir, &f.b_rdb, "B appendonlydir vs B.rdb");
    assert_no_differences(&f.b_jsonl, &f.b_rdb, "B.jsonl vs B.rdb");

    let aof = f.path("A-conv.aof");
    rdbtool_run(&[
        os("convert"),
        os("-q"),
        f.a_rdb.as_os_str(),
        aof.as_os_str(),
    ])
    .expect_success();
    assert_no_differences(&f.a_rdb, &aof, "A.rdb vs convert A.rdb out.aof");

    let dir = f.path("A-conv-dir");
    rdbtool_run(&[
        os("convert"),
        os("-q"),
        f.a_rdb.as_os_str(),
        dir.as_os_str(),
        os("--to"),
        os("aof-dir"),
    ])
    .expect_success();
    assert_no_differences(&f.a_rdb, &dir, "A.rdb vs convert --to aof-dir");
    assert_no_differences(&dir, &f.a_rdb, "convert --to aof-dir vs A.rdb");

    // RDB 9 cannot hold the 7.0 stream fields (entries_added, max_deleted_id,
    // entries_read): --lossy drops them, and fields one side does not store are not
    // compared.
    let v9 = f.path("A-9.rdb");
    rdbtool_run(&[
        os("convert"),
        os("-q"),
        f.a_rdb.as_os_str(),
        v9.as_os_str(),
        os("--rdb-version"),
        os("9"),
        os("--lossy"),
    ])
    .expect_success();
    assert!(fs::read(&v9).unwrap().starts_with(b"REDIS0009"));
    assert_no_differences(&f.a_rdb, &v9, "A.rdb vs A as RDB 9");
    assert_no_differences(&v9, &f.a_rdb, "A as RDB 9 vs A.rdb");
}

/// The server's own AOFs of A. The command history replays the consumer group through
/// `XGROUP CREATE ... 0` and `XCLAIM ... LASTID` (what Redis 7.0 propagates for
/// XREADGROUP): no ENTRIESREAD, so that side does not store the group's entries_read,
/// and it must not be compared. Consumer seen times differ too (ignored).
#[test]
fn a_against_the_servers_own_aofs() {
    let f = fixture();
    assert_no_differences(
        &f.a_aof_rewritten,
        &f.a_rdb,
        "the server's rewritten AOF of A (RDB preamble) vs A.rdb",
    );
    assert_no_differences(
        &f.a_rdb,
        &f.a_aof_history,
        "A.rdb vs the server's AOF of A (commands)",
    );
}

/// The RDB 9 copy of A still differs from B like A does, except for the stream fields
/// RDB 9 does not store (entries_added, max_deleted_id, entries_read): they are not
/// compared; and B equals its own RDB 9 copy.
#[test]
fn fields_one_side_lacks_are_not_compared() {
    let f = fixture();
    let v9 = f.path("A-9-for-b.rdb");
    rdbtool_run(&[
        os("convert"),
        os("-q"),
        f.a_rdb.as_os_str(),
        v9.as_os_str(),
        os("--rdb-version"),
        os("9"),
        os("--lossy"),
    ])
    .expect_success();
    let mut want = expected();
    for r in &mut want {
        if r["key"] == "stream" {
            let meta = r["value"]["meta"].as_object_mut().unwrap();
            meta.remove("entries_added");
            meta.remove("max_deleted_id");
        }
        if r["key"] == "stream:groups" {
            let g = r["value"]["groups"]["changed"][0].as_object_mut().unwrap();
            g.remove("entries_read");
        }
    }
    let got = records_of(&diff_jsonl(&v9, &f.b_rdb, &[]), "A (RDB 9) vs B.rdb");
    assert_records("A (RDB 9) vs B.rdb", &got, &want);

    // B as RDB 9: a reader derives entries_added = length (5, B stores 6) and
    // max_deleted_id = 0-0 (B stores 4-1), as Redis does when it loads RDB 9; derived
    // values are not stored ones, so B still equals its RDB 9 copy.
    let b9 = f.path("B-9.rdb");
    rdbtool_run(&[
        os("convert"),
        os("-q"),
        f.b_rdb.as_os_str(),
        b9.as_os_str(),
        os("--rdb-version"),
        os("9"),
        os("--lossy"),
    ])
    .expect_success();
    assert_no_differences(&f.b_rdb, &b9, "B.rdb vs B as RDB 9");
}

// ------------------------------------------------------------------ 3. flags

/// (db, key, status, changes) of each record.
fn shape(recs: &[Value]) -> Vec<Value> {
    recs.iter()
        .map(|r| normalize(json!([r["db"], r["key"], r["status"], r["changes"]])))
        .collect()
}

#[test]
fn ignore_ttl_hides_only_ttl_changes() {
    let f = fixture();
    let got = records_of(
        &diff_jsonl(&f.a_rdb, &f.b_rdb, &["--ignore-ttl"]),
        "--ignore-ttl",
    );
    let mut want = Vec::new();
    for r in expected() {
        let changes: Vec<&str> = r["changes"]
            .as_array()
            .map(|a| a.iter().map(|c| c.as_str().unwrap()).collect())
            .unwrap_or_default();
        if changes == ["ttl"] {
            continue;
        }
        let mut r = r.clone();
        if changes.contains(&"ttl") {
            let rest: Vec<&str> = changes.into_iter().filter(|c| *c != "ttl").collect();
            r["changes"] = json!(rest);
        }
        want.push(r);
    }
    assert_eq!(
        shape(&got),
        shape(&want),
        "--ignore-ttl: (db, key, status, changes)"
    );
    // the values of what is left are unchanged
    for (g, w) in got.iter().zip(&want) {
        let w = normalize(w.clone());
        assert_eq!(g.get("value"), w.get("value"), "--ignore-ttl: value of {g}");
    }
    assert!(
        got.iter().any(|r| r["key"] == "ttl:both"),
        "ttl:both changed its value too: still reported"
    );
}

#[test]
fn ttl_tolerance_hides_small_ttl_moves_only() {
    let f = fixture();
    let got = records_of(
        &diff_jsonl(&f.a_rdb, &f.b_rdb, &["--ttl-tolerance", "5000"]),
        "--ttl-tolerance 5000",
    );
    let want: Vec<Value> = expected()
        .into_iter()
        .filter(|r| r["key"] != "ttl:moved1s")
        .collect();
    assert_records("--ttl-tolerance 5000", &got, &want);
    // a tolerance above 1 h hides the other move too (a TTL added or removed stays)
    let got = records_of(
        &diff_jsonl(&f.a_rdb, &f.b_rdb, &["--ttl-tolerance", "3600000"]),
        "--ttl-tolerance 3600000",
    );
    let want: Vec<Value> = expected()
        .into_iter()
        .filter(|r| r["key"] != "ttl:moved1s" && r["key"] != "ttl:moved1h")
        .collect();
    assert_records("--ttl-tolerance 3600000", &got, &want);
}

#[test]
fn keys_only_reports_presence_and_type() {
    let f = fixture();
    let got = records_of(
        &diff_jsonl(&f.a_rdb, &f.b_rdb, &["--keys-only"]),
        "--keys-only",
    );
    let want: Vec<Value> = expected()
        .into_iter()
        .filter(|r| r["status"] != "changed" || r["key"] == "type:change")
        .collect();
    assert_eq!(
        shape(&got),
        shape(&want),
        "--keys-only: (db, key, status, changes)"
    );
    for r in &got {
        assert!(r.get("value").is_none(), "--keys-only printed a value: {r}");
        if r["status"] != "changed" {
            let w = want.iter().find(|w| rec_id(w) == rec_id(r)).unwrap();
            assert_eq!(*r, normalize(w.clone()), "--keys-only: {r}");
        }
    }
}

/// Which expected records a filter keeps.
type Keep = fn(&Value) -> bool;

#[test]
fn db_key_and_type_filters_restrict_the_comparison() {
    let f = fixture();
    let cases: [(&[&str], Keep); 5] = [
        (&["--db", "3"], |r| r["db"] == 3),
        (&["--key", "user:*"], |r| {
            r["key"].as_str().is_some_and(|k| k.starts_with("user:"))
        }),
        (&["--key-regex", "^ttl:(moved|both)"], |r| {
            r["key"]
                .as_str()
                .is_some_and(|k| k.starts_with("ttl:moved") || k == "ttl:both")
        }),
        (&["--type", "hash"], |r| {
            r["a"]["type"] == "hash" || r["b"]["type"] == "hash"
        }),
        (&["--db", "0", "--type", "set"], |r| {
            r["db"] == 0 && (r["a"]["type"] == "set" || r["b"]["type"] == "set")
        }),
    ];
    for (flags, keep) in cases {
        let what = flags.join(" ");
        let want: Vec<Value> = expected().into_iter().filter(keep).collect();
        assert!(want.len() >= 2, "{what}: the test must select something");
        let got = records_of(&diff_jsonl(&f.a_rdb, &f.b_rdb, flags), &what);
        assert_records(&what, &got, &want);
    }
    // a filter that selects only unchanged keys: no differences
    let out = diff_jsonl(&f.a_rdb, &f.b_rdb, &["--key", "hash:big"]);
    out.expect_code(0);
    assert!(out.stdout.is_empty(), "{}", out.stdout_str());
}

// ------------------------------------------------------------------ 4. text format

/// Whether `text` has `label` next to the number `n` ("3 only in A", "only in A: 3").
fn labelled_count(text: &str, label: &str, n: usize) -> bool {
    let lower = text.to_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(label) {
        let at = from + i;
        let before: String = lower[..at]
            .trim_end_matches([' ', ':', '=', '\t'])
            .chars()
            .rev()
            .take_while(char::is_ascii_digit)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let after: String = lower[at + label.len()..]
            .trim_start_matches([' ', ':', '=', '\t', '('])
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if before == n.to_string() || after == n.to_string() {
            return true;
        }
        from = at + label.len();
    }
    false
}

#[test]
fn text_format_summary_and_escaping() {
    let f = fixture();
    let out = rdbtool_run(&[
        os("diff"),
        os("--format"),
        os("text"),
        f.a_rdb.as_os_str(),
        f.b_rdb.as_os_str(),
    ]);
    out.expect_code(1);
    let text = out.stdout_str();
    let head: String = text.lines().take(6).collect::<Vec<_>>().join("\n");
    for (label, n) in [("only in a", 4), ("only in b", 5), ("changed", 19)] {
        assert!(
            labelled_count(&head, label, n),
            "the summary (first lines) does not give {n} for {label:?}:\n{head}"
        );
    }
    assert!(
        text.contains("\\xff") || text.contains("\\x00"),
        "the binary key is not printed escaped:\n{text}"
    );
    assert!(
        !out.stdout.contains(&0xff) && !out.stdout.contains(&0),
        "raw binary bytes in the text output"
    );
    for key in [
        "str:changed",
        "user:old",
        "type:change",
        "ttl:moved1h",
        "db3:set",
    ] {
        assert!(text.contains(key), "{key} not in the text output:\n{text}");
    }
    // the default format is text (records come in no guaranteed order: compare sorted)
    let default = rdbtool_run(&[os("diff"), f.a_rdb.as_os_str(), f.b_rdb.as_os_str()]);
    default.expect_code(1);
    let sorted = |t: &str| {
        let mut l: Vec<String> = t.lines().map(str::to_string).collect();
        l.sort();
        l
    };
    assert_eq!(
        sorted(&default.stdout_str()),
        sorted(&text),
        "default format vs --format text"
    );
}

// ------------------------------------------------------------------ 5. errors

#[test]
fn errors_exit_2_naming_the_file() {
    let f = fixture();
    let missing = f.path("no-such-file.rdb");
    for (a, b) in [(&missing, &f.a_rdb), (&f.a_rdb, &missing)] {
        let out = rdbtool_run(&[os("diff"), os("-q"), a.as_os_str(), b.as_os_str()]);
        out.expect_code(2);
        assert!(
            out.stderr.contains("no-such-file.rdb"),
            "missing file not named on stderr: {}",
            out.stderr
        );
    }

    let bytes = fs::read(&f.a_rdb).unwrap();
    let truncated = f.path("truncated.rdb");
    fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    for (a, b) in [(&truncated, &f.a_rdb), (&f.a_rdb, &truncated)] {
        let out = rdbtool_run(&[
            os("diff"),
            os("-q"),
            os("--format"),
            os("jsonl"),
            a.as_os_str(),
            b.as_os_str(),
        ]);
        out.expect_code(2);
        assert!(
            out.stderr.contains("truncated.rdb"),
            "truncated file not named on stderr: {}",
            out.stderr
        );
    }

    let out = run_with_stdin(&rdbtool(), [os("diff"), os("-q"), os("-"), os("-")], &bytes);
    out.expect_code(2);
    assert!(!out.stderr.trim().is_empty(), "no message for `diff - -`");
}

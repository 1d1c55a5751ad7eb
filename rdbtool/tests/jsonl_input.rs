//! JSON Lines read back: what `rdbtool dump --format jsonl` writes for every fixture
//! parses with `formats::jsonl::JsonlReader` into the same key, and writing the parsed
//! record in the dump's format gives the dump's line byte for byte.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use formats::cli::json;
use formats::jsonl::JsonlReader;
use formats::rdb::TypeId;
use formats::rdb::encodings::listpack;
use formats::rdb::read::{StreamId, StreamIdmp};
use formats::rdb::testing::RdbBytes;
use formats::rdb::value::{Record, Value};
use serde_json::Value as Json;

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

fn rdb_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rdb_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rdb") {
            out.push(p);
        }
    }
}

/// Whether `v`, a contract byte string (a JSON string or `{"base64":...}`), holds `b`.
fn same_bytes(b: &[u8], v: &Json) -> bool {
    match v {
        Json::String(s) => s.as_bytes() == b,
        Json::Object(o) => o["base64"].as_str() == Some(json::base64(b).as_str()),
        _ => false,
    }
}

fn id_text(id: StreamId) -> String {
    id.to_string()
}

/// `rec` in the dump's JSON Lines format (the dump writes what the RDB reader delivers;
/// this writes what the JSON Lines reader delivered). `encoding` is not part of a
/// record, so it is given.
fn to_line(r: &Record, encoding: &str) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(b"{\"db\":");
    json::write_u64(&mut b, r.db);
    b.extend_from_slice(b",\"key\":");
    json::write_bytes(&mut b, &r.key);
    b.extend_from_slice(b",\"type\":\"");
    b.extend_from_slice(r.value.data_type().name().as_bytes());
    b.extend_from_slice(b"\",\"expire_ms\":");
    match r.expire_ms {
        Some(e) => json::write_i64(&mut b, e),
        None => b.extend_from_slice(b"null"),
    }
    b.extend_from_slice(b",\"encoding\":");
    json::write_str(&mut b, encoding);
    if let Some(i) = r.idle_s {
        b.extend_from_slice(b",\"idle_s\":");
        json::write_u64(&mut b, i);
    }
    if let Some(f) = r.freq {
        b.extend_from_slice(b",\"freq\":");
        json::write_u64(&mut b, u64::from(f));
    }
    b.extend_from_slice(b",\"value\":");
    match &r.value {
        Value::String(s) => json::write_bytes(&mut b, s),
        Value::List(l) | Value::Set(l) => {
            b.push(b'[');
            for (i, e) in l.iter().enumerate() {
                if i > 0 {
                    b.push(b',');
                }
                json::write_bytes(&mut b, e);
            }
            b.push(b']');
        }
        Value::Zset(z) => {
            b.push(b'[');
            for i in 0..z.len() {
                if i > 0 {
                    b.push(b',');
                }
                b.push(b'[');
                json::write_bytes(&mut b, z.members.get(i));
                b.push(b',');
                json::write_f64(&mut b, z.scores[i]);
                b.push(b']');
            }
            b.push(b']');
        }
        Value::Hash(h) => {
            b.push(b'[');
            for i in 0..h.len() {
                if i > 0 {
                    b.push(b',');
                }
                b.push(b'[');
                json::write_bytes(&mut b, h.fields.get(i));
                b.push(b',');
                json::write_bytes(&mut b, h.values.get(i));
                if let Some(t) = h.ttls[i] {
                    b.push(b',');
                    json::write_i64(&mut b, t);
                }
                b.push(b']');
            }
            b.push(b']');
        }
        Value::Stream(s) => {
            b.extend_from_slice(b"{\"entries\":[");
            for (i, (id, e)) in s.entries().enumerate() {
                if i > 0 {
                    b.push(b',');
                }
                b.extend_from_slice(
                    format!("{{\"id\":\"{}\",\"fields\":[", id_text(id)).as_bytes(),
                );
                for (j, (f, v)) in e.pairs().enumerate() {
                    if j > 0 {
                        b.push(b',');
                    }
                    b.push(b'[');
                    json::write_bytes(&mut b, f);
                    b.push(b',');
                    json::write_bytes(&mut b, v);
                    b.push(b']');
                }
                b.extend_from_slice(b"]}");
            }
            let m = &s.meta;
            b.extend_from_slice(
                format!(
                    "],\"length\":{},\"last_id\":\"{}\",\"first_id\":\"{}\",\"max_deleted_id\":\"{}\",\"entries_added\":{}",
                    m.length, m.last_id, m.first_id, m.max_deleted_id, m.entries_added
                )
                .as_bytes(),
            );
            if let Some(x) = &m.idmp {
                b.extend_from_slice(
                    format!(
                        ",\"idmp\":{{\"duration_s\":{},\"max_entries\":{},\"producers\":[",
                        x.duration_s, x.max_entries
                    )
                    .as_bytes(),
                );
                for (i, (pid, entries)) in x.producers.iter().enumerate() {
                    if i > 0 {
                        b.push(b',');
                    }
                    b.extend_from_slice(b"{\"id\":");
                    json::write_bytes(&mut b, pid);
                    b.extend_from_slice(b",\"entries\":[");
                    for (j, (iid, id)) in entries.iter().enumerate() {
                        if j > 0 {
                            b.push(b',');
                        }
                        b.push(b'[');
                        json::write_bytes(&mut b, iid);
                        b.extend_from_slice(format!(",\"{id}\"]").as_bytes());
                    }
                    b.extend_from_slice(b"]}");
                }
                b.extend_from_slice(
                    format!(
                        "],\"iids_added\":{},\"iids_duplicates\":{}}}",
                        x.iids_added, x.iids_duplicates
                    )
                    .as_bytes(),
                );
            }
            b.extend_from_slice(b",\"groups\":[");
            for (i, g) in s.groups.iter().enumerate() {
                if i > 0 {
                    b.push(b',');
                }
                b.extend_from_slice(b"{\"name\":");
                json::write_bytes(&mut b, &g.name);
                b.extend_from_slice(
                    format!(",\"last_id\":\"{}\",\"entries_read\":", g.last_id).as_bytes(),
                );
                match g.entries_read {
                    Some(n) => json::write_u64(&mut b, n),
                    None => b.extend_from_slice(b"null"),
                }
                b.extend_from_slice(b",\"pel\":[");
                for (j, p) in g.pel.iter().enumerate() {
                    if j > 0 {
                        b.push(b',');
                    }
                    b.extend_from_slice(format!("{{\"id\":\"{}\",\"consumer\":", p.id).as_bytes());
                    match p.consumer {
                        Some(c) => json::write_bytes(&mut b, &g.consumers[c].name),
                        None => b.extend_from_slice(b"null"),
                    }
                    b.extend_from_slice(
                        format!(
                            ",\"delivery_time_ms\":{},\"delivery_count\":{}",
                            p.delivery_time_ms, p.delivery_count
                        )
                        .as_bytes(),
                    );
                    if p.nacked {
                        b.extend_from_slice(b",\"nacked\":true");
                    }
                    b.push(b'}');
                }
                b.extend_from_slice(b"],\"consumers\":[");
                for (j, c) in g.consumers.iter().enumerate() {
                    if j > 0 {
                        b.push(b',');
                    }
                    b.extend_from_slice(b"{\"name\":");
                    json::write_bytes(&mut b, &c.name);
                    b.extend_from_slice(
                        format!(",\"seen_time_ms\":{},\"active_time_ms\":", c.seen_time_ms)
                            .as_bytes(),
                    );
                    match c.active_time_ms {
                        Some(t) => json::write_i64(&mut b, t),
                        None => b.extend_from_slice(b"null"),
                    }
                    let ids: Vec<String> = c.pel.iter().map(|id| format!("\"{id}\"")).collect();
                    b.extend_from_slice(format!(",\"pel\":[{}]}}", ids.join(",")).as_bytes());
                }
                b.extend_from_slice(b"]}");
            }
            b.extend_from_slice(b"]}");
        }
        Value::Module(m) => {
            b.extend_from_slice(b"{\"module\":");
            json::write_str(&mut b, &m.name);
            b.extend_from_slice(
                format!(",\"module_id\":{},\"raw\":{{\"base64\":\"", m.module_id).as_bytes(),
            );
            b.extend_from_slice(json::base64(&m.raw).as_bytes());
            b.extend_from_slice(b"\"}}");
        }
    }
    b.push(b'}');
    b
}

/// The record agrees with the JSON object on key, db, type, expiry and element counts.
fn check_against_json(rec: &Record, j: &Json, at: &str) {
    assert!(same_bytes(&rec.key, &j["key"]), "{at}: key");
    assert_eq!(rec.db, j["db"].as_u64().expect("db"), "{at}: db");
    assert_eq!(
        rec.value.data_type().name(),
        j["type"].as_str().expect("type"),
        "{at}: type"
    );
    assert_eq!(rec.expire_ms, j["expire_ms"].as_i64(), "{at}: expire_ms");
    assert_eq!(
        rec.idle_s,
        j.get("idle_s").and_then(Json::as_u64),
        "{at}: idle_s"
    );
    assert_eq!(
        rec.freq.map(u64::from),
        j.get("freq").and_then(Json::as_u64),
        "{at}: freq"
    );
    let v = &j["value"];
    let n = |v: &Json| v.as_array().map(Vec::len).expect("array");
    match &rec.value {
        Value::String(s) => assert!(same_bytes(s, v), "{at}: string"),
        Value::List(l) | Value::Set(l) => assert_eq!(l.len(), n(v), "{at}: elements"),
        Value::Zset(z) => assert_eq!(z.len(), n(v), "{at}: members"),
        Value::Hash(h) => {
            assert_eq!(h.len(), n(v), "{at}: fields");
            let ttls = v
                .as_array()
                .expect("array")
                .iter()
                .filter(|f| n(f) == 3)
                .count();
            assert_eq!(h.ttls.iter().flatten().count(), ttls, "{at}: field TTLs");
        }
        Value::Stream(s) => {
            assert_eq!(s.ids.len(), n(&v["entries"]), "{at}: entries");
            assert_eq!(
                s.meta.length,
                v["length"].as_u64().expect("length"),
                "{at}: length"
            );
            let groups = v["groups"].as_array().expect("groups");
            assert_eq!(s.groups.len(), groups.len(), "{at}: groups");
            for (g, jg) in s.groups.iter().zip(groups) {
                assert_eq!(g.pel.len(), n(&jg["pel"]), "{at}: pel");
                assert_eq!(g.consumers.len(), n(&jg["consumers"]), "{at}: consumers");
            }
        }
        Value::Module(m) => {
            assert!(same_bytes(&m.raw, &v["raw"]), "{at}: module raw");
            assert_eq!(
                m.module_id,
                v["module_id"].as_u64().expect("module_id"),
                "{at}: module_id"
            );
        }
    }
}

/// Parses a dump's output line by line and checks each record; returns the key count.
fn check_dump(jsonl: &[u8], name: &str) -> usize {
    let mut reader = JsonlReader::new(jsonl, name);
    let mut rec = Record::default();
    let mut lines = jsonl.split(|&b| b == b'\n').filter(|l| !l.is_empty());
    let mut n = 0;
    while reader
        .next_into(&mut rec)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
    {
        let line = lines.next().expect("as many lines as records");
        let at = format!("{name} line {}", reader.line());
        let j: Json = serde_json::from_slice(line).expect("dump output is JSON");
        check_against_json(&rec, &j, &at);
        let again = to_line(&rec, j["encoding"].as_str().expect("encoding"));
        assert!(
            again == line,
            "{at}: written back differently\n dump: {}\nagain: {}",
            String::from_utf8_lossy(line),
            String::from_utf8_lossy(&again)
        );
        n += 1;
    }
    assert!(lines.next().is_none(), "{name}: lines left over");
    n
}

#[test]
fn every_fixture_dump_reads_back_as_the_same_records() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    rdb_files(&root.join("fixtures"), &mut files);
    let shared = root.join("../shared/fixtures");
    if shared.is_dir() {
        rdb_files(&shared, &mut files);
    } else {
        eprintln!(
            "\n*** WARNING: {} is absent: only the project's own fixtures are checked ***\n",
            shared.display()
        );
    }
    assert!(!files.is_empty(), "no fixtures found");
    let (mut checked, mut skipped, mut keys) = (0, Vec::new(), 0);
    for f in &files {
        let p = f.to_str().expect("UTF-8 path");
        if !run(&["verify", p]).status.success() {
            skipped.push(p.to_owned());
            continue;
        }
        let o = run(&["dump", p, "--format", "jsonl"]);
        assert!(
            o.status.success(),
            "{p}: dump failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        keys += check_dump(&o.stdout, p);
        checked += 1;
    }
    eprintln!(
        "jsonl read-back: {checked} fixtures, {keys} keys; {} skipped (verify rejects them)",
        skipped.len()
    );
    assert!(checked > 0);
}

fn raw_id(ms: u64, seq: u64) -> Vec<u8> {
    StreamId { ms, seq }.to_raw().to_vec()
}

/// A Redis 8.6 stream (`STREAM_LISTPACKS_5`): a PEL entry in the NACK zone and IDMP state.
fn stream_v5_rdb() -> Vec<u8> {
    let mut lp = listpack::write::Writer::new();
    // Master entry: count, deleted, fields, terminator.
    for i in [2, 0, 1] {
        lp.push_int(i);
    }
    lp.push_bytes(b"f");
    lp.push_int(0);
    // Two entries with the master's fields: flags (SAMEFIELDS), ms delta, seq delta,
    // value, lp-count.
    for (seq_delta, v) in [(0, b"v"), (1, b"w")] {
        lp.push_int(2);
        lp.push_int(0);
        lp.push_int(seq_delta);
        lp.push_bytes(v);
        lp.push_int(4);
    }
    let t = 1_700_000_000_000_i64;
    RdbBytes::new("REDIS0013")
        .select(0)
        .key(TypeId::StreamListpacks5, b"st")
        .len(1)
        .str(&raw_id(5, 1))
        .str(&lp.finish())
        // length, last id, first id, max deleted id, entries added
        .len(2)
        .len(5)
        .len(2)
        .len(5)
        .len(1)
        .len(0)
        .len(0)
        .len(2)
        // one group: name, last id, entries read
        .len(1)
        .str(b"g")
        .len(5)
        .len(2)
        .len(2)
        // PEL: id, delivery time, delivery count
        .len(2)
        .raw(&raw_id(5, 1))
        .raw(&t.to_le_bytes())
        .len(1)
        .raw(&raw_id(5, 2))
        .raw(&(t + 1).to_le_bytes())
        .len(2)
        // consumers: name, seen time, active time, PEL
        .len(1)
        .str(b"c")
        .raw(&(t + 2).to_le_bytes())
        .raw(&(t + 3).to_le_bytes())
        .len(1)
        .raw(&raw_id(5, 1))
        // NACK zone
        .len(1)
        .raw(&raw_id(5, 2))
        // IDMP: duration, max entries, producers (id, (iid, entry id)...), added, duplicates
        .len(100)
        .len(1000)
        .len(1)
        .str(b"p")
        .len(1)
        .str(b"i1")
        .len(5)
        .len(1)
        .len(1)
        .len(0)
        .finish()
}

#[test]
fn dump_writes_nack_zone_and_idmp_and_they_read_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("v5.rdb");
    std::fs::write(&p, stream_v5_rdb()).expect("write");
    let p = p.to_str().expect("path");
    let v = run(&["verify", p]);
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stdout));
    let o = run(&["dump", p, "--format", "jsonl"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let want = concat!(
        r#"{"db":0,"key":"st","type":"stream","expire_ms":null,"encoding":"stream","value":{"#,
        r#""entries":[{"id":"5-1","fields":[["f","v"]]},{"id":"5-2","fields":[["f","w"]]}],"#,
        r#""length":2,"last_id":"5-2","first_id":"5-1","max_deleted_id":"0-0","entries_added":2,"#,
        r#""idmp":{"duration_s":100,"max_entries":1000,"producers":[{"id":"p","entries":[["i1","5-1"]]}],"iids_added":1,"iids_duplicates":0},"#,
        r#""groups":[{"name":"g","last_id":"5-2","entries_read":2,"pel":["#,
        r#"{"id":"5-1","consumer":"c","delivery_time_ms":1700000000000,"delivery_count":1},"#,
        r#"{"id":"5-2","consumer":null,"delivery_time_ms":1700000000001,"delivery_count":2,"nacked":true}],"#,
        r#""consumers":[{"name":"c","seen_time_ms":1700000000002,"active_time_ms":1700000000003,"pel":["5-1"]}]}]}}"#,
        "\n"
    );
    assert_eq!(String::from_utf8_lossy(&o.stdout), want);
    assert_eq!(check_dump(&o.stdout, "v5.rdb"), 1);

    let mut reader = JsonlReader::new(&o.stdout[..], "v5.rdb");
    let mut rec = Record::default();
    assert!(reader.next_into(&mut rec).expect("parse"));
    let Value::Stream(s) = &rec.value else {
        panic!("not a stream")
    };
    assert!(s.meta.stored_meta);
    assert_eq!(
        s.meta.idmp,
        Some(StreamIdmp {
            duration_s: 100,
            max_entries: 1000,
            producers: vec![(
                b"p".to_vec(),
                vec![(b"i1".to_vec(), StreamId { ms: 5, seq: 1 })]
            )],
            iids_added: 1,
            iids_duplicates: 0,
        })
    );
    let g = &s.groups[0];
    assert_eq!(
        g.pel
            .iter()
            .map(|p| (p.consumer, p.nacked))
            .collect::<Vec<_>>(),
        vec![(Some(0), false), (None, true)]
    );
    assert!(!reader.next_into(&mut rec).expect("end"));
}

#[test]
fn dump_of_older_streams_has_no_nacked_or_idmp_members() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/sample.rdb");
    let o = run(&["dump", root.to_str().expect("path"), "--format", "jsonl"]);
    assert!(o.status.success());
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(!s.contains("\"nacked\"") && !s.contains("\"idmp\""), "{s}");
}

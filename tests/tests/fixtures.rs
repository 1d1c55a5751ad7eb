//! Every RDB in `../shared/fixtures` (files from real Redis / Valkey servers and other
//! tools' test suites) read by `rdbtool`, checked against the fixtures' own expected
//! content, and this repository's own sample fixture against its golden views.

use std::collections::BTreeMap;
use std::path::Path;

use e2e::bin::{rdbtool, run, shared_fixtures, workspace_root};
use e2e::model::Model;
use serde_json::Value;

/// Files that must be rejected, and a word the message must contain. Redis rejects each
/// of them too (redis-check-rdb 7.0 exits 1 on every one).
const INVALID: &[(&str, &str)] = &[
    ("corrupt_empty_keys.rdb", "empty set"),
    ("corrupt_ziplist.rdb", "ziplist"),
    ("corrupt-bad-checksum.rdb", "checksum mismatch"),
    ("corrupt-truncated.rdb", "unexpected end"),
    // zmlen 255 with 2 pairs: zipmapValidateIntegrity rejects a count other than 254.
    ("zipmap_big_len.rdb", "zmlen 255"),
    // A Redis 4.0-rc module value (MODULE_PRE_GA) cannot be walked without its module.
    ("module.rdb", "hellotype"),
];

fn invalid_word(p: &Path) -> Option<&'static str> {
    let name = p.file_name()?.to_str()?;
    INVALID.iter().find(|(n, _)| *n == name).map(|(_, w)| *w)
}

#[test]
fn every_shared_rdb_verifies_as_redis_says() {
    let Some(root) = shared_fixtures() else {
        return;
    };
    let files = e2e::bin::files_with_ext(&root, "rdb");
    assert!(
        files.len() > 150,
        "expected the shared fixtures' RDB files, found {}",
        files.len()
    );
    let mut failures = Vec::new();
    for f in &files {
        let out = run(
            &rdbtool(),
            ["verify", "-q", "--json"]
                .iter()
                .map(|s| s.as_ref())
                .chain([f.as_os_str()]),
        );
        let v: Value = match serde_json::from_slice(&out.stdout) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!(
                    "{}: verify --json printed no JSON ({e}): {}",
                    f.display(),
                    out.stderr
                ));
                continue;
            }
        };
        match invalid_word(f) {
            Some(word) => {
                let msgs = v["errors"].to_string().to_lowercase();
                if out.code != 1 || v["ok"] != Value::Bool(false) || !msgs.contains(word) {
                    failures.push(format!(
                        "{}: expected invalid ({word}), got code {} {v}",
                        f.display(),
                        out.code
                    ));
                }
            }
            None => {
                if out.code != 0 || v["ok"] != Value::Bool(true) {
                    failures.push(format!(
                        "{}: expected valid, got code {} {v}",
                        f.display(),
                        out.code
                    ));
                }
                let d = run(&rdbtool(), ["dump".as_ref(), "-q".as_ref(), f.as_os_str()]);
                if d.code != 0 || d.stdout.is_empty() && v["keys"].as_u64() != Some(0) {
                    failures.push(format!(
                        "{}: dump exited {}: {}",
                        f.display(),
                        d.code,
                        d.stderr
                    ));
                } else {
                    // Line by line: some tools' test files repeat a key within a db
                    // (redis-rdb-cli's rdt split outputs); a loading server refuses that,
                    // the file format allows it.
                    let text = String::from_utf8_lossy(&d.stdout);
                    if let Some((i, e)) = text
                        .lines()
                        .enumerate()
                        .find_map(|(i, l)| Model::try_from_dump_jsonl(l).err().map(|e| (i, e)))
                    {
                        failures.push(format!(
                            "{}: dump line {} breaks the schema: {e}",
                            f.display(),
                            i + 1
                        ));
                    }
                }
            }
        }
        assert!(
            !out.stderr.contains("panicked"),
            "{}: panic: {}",
            f.display(),
            out.stderr
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {} files:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

#[test]
fn dumps_match_the_expected_files_of_generated_fixtures() {
    let Some(root) = shared_fixtures() else {
        return;
    };
    let mut checked = 0;
    for dir in ["redis-7.0", "redis-6.2", "valkey-8.1", "redis-7.4"] {
        let rdb_dir = root.join(dir).join("rdb");
        for e in std::fs::read_dir(&rdb_dir).expect("fixture dir") {
            let exp = e.expect("entry").path();
            let Some(name) = exp.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            let Some(stem) = name.strip_suffix(".expected.json") else {
                continue;
            };
            let rdb = rdb_dir.join(format!("{stem}.rdb"));
            let out = run(
                &rdbtool(),
                ["dump".as_ref(), "-q".as_ref(), rdb.as_os_str()],
            );
            out.expect_success();
            let ours = Model::from_dump_jsonl(&String::from_utf8_lossy(&out.stdout));
            let expected = Model::from_expected_json(&exp);
            assert!(
                !expected.keys.is_empty() || stem == "empty" || stem == "functions-only",
                "{name}"
            );
            ours.without_functions().assert_same(
                &expected.without_functions(),
                &format!("{dir}/rdb/{stem}.rdb"),
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} expected files found");
}

/// Unix ms from `2022-12-25T18:11:12.573+08:00` (HDT3213/rdb's expected files).
fn parse_iso_ms(s: &str) -> i64 {
    let num =
        |a: usize, b: usize| -> i64 { s[a..b].parse().unwrap_or_else(|_| panic!("bad date {s}")) };
    let (y, mo, d, h, mi, sec) = (
        num(0, 4),
        num(5, 7),
        num(8, 10),
        num(11, 13),
        num(14, 16),
        num(17, 19),
    );
    let (frac, rest) = match s[19..].strip_prefix('.') {
        Some(r) => {
            let n = r.find(|c: char| !c.is_ascii_digit()).unwrap_or(r.len());
            (
                r[..n.min(3)].parse::<i64>().unwrap_or(0) * 10i64.pow(3 - n.min(3) as u32),
                &r[n..],
            )
        }
        None => (0, &s[19..]),
    };
    let offset_min = match rest {
        "Z" | "" => 0,
        r => {
            let sign = if r.starts_with('-') { -1 } else { 1 };
            sign * (r[1..3].parse::<i64>().unwrap_or(0) * 60 + r[4..6].parse::<i64>().unwrap_or(0))
        }
    };
    // days from civil (Howard Hinnant)
    let y2 = if mo <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    ((days * 86_400 + h * 3600 + mi * 60 + sec) - offset_min * 60) * 1000 + frac
}

/// A comparable view of one key from either side: type and normalized value.
fn hdt_view(o: &Value) -> Option<(String, Value)> {
    let ty = o["type"].as_str()?.to_string();
    let sorted = |mut v: Vec<Value>| {
        v.sort_by_key(|x| x.to_string());
        Value::Array(v)
    };
    let val = match ty.as_str() {
        "string" => o["value"].clone(),
        "list" => o["values"].clone(),
        "set" => sorted(o["members"].as_array()?.clone()),
        "zset" => sorted(
            o["entries"]
                .as_array()?
                .iter()
                .map(|e| {
                    Value::Array(vec![
                        e["member"].clone(),
                        Value::from(e["score"].as_f64().unwrap_or(f64::NAN).to_string()),
                    ])
                })
                .collect(),
        ),
        "hash" => {
            let h = o["hash"].as_object()?;
            sorted(
                h.iter()
                    .map(|(f, v)| {
                        let exp = o["expire"]
                            .get(f)
                            .and_then(Value::as_i64)
                            .filter(|&e| e != 0);
                        Value::Array(vec![
                            Value::from(f.clone()),
                            v.clone(),
                            exp.map_or(Value::Null, Value::from),
                        ])
                    })
                    .collect(),
            )
        }
        "stream" => {
            let mut entries = Vec::new();
            for node in o["entries"].as_array()? {
                for m in node["msgs"].as_array()? {
                    if m["deleted"].as_bool() != Some(true) {
                        entries.push(Value::Array(vec![m["id"].clone(), m["fields"].clone()]));
                    }
                }
            }
            Value::Array(vec![
                o["len"].clone(),
                o["lastId"].clone(),
                Value::Array(entries),
            ])
        }
        _ => return None,
    };
    Some((ty, val))
}

fn our_view(o: &Value) -> (String, Value) {
    let ty = o["type"].as_str().unwrap_or_default().to_string();
    let sorted = |mut v: Vec<Value>| {
        v.sort_by_key(|x| x.to_string());
        Value::Array(v)
    };
    let v = &o["value"];
    let val = match ty.as_str() {
        "set" => sorted(v.as_array().cloned().unwrap_or_default()),
        "zset" => sorted(
            v.as_array()
                .into_iter()
                .flatten()
                .map(|p| {
                    Value::Array(vec![
                        p[0].clone(),
                        Value::from(p[1].as_f64().unwrap_or(f64::NAN).to_string()),
                    ])
                })
                .collect(),
        ),
        "hash" => sorted(
            v.as_array()
                .into_iter()
                .flatten()
                .map(|p| {
                    Value::Array(vec![
                        p[0].clone(),
                        p[1].clone(),
                        p.get(2).cloned().unwrap_or(Value::Null),
                    ])
                })
                .collect(),
        ),
        "stream" => {
            let entries = v["entries"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|e| {
                    let fields: serde_json::Map<String, Value> = e["fields"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|p| (p[0].as_str().unwrap_or_default().to_string(), p[1].clone()))
                        .collect();
                    Value::Array(vec![e["id"].clone(), Value::Object(fields)])
                })
                .collect();
            Value::Array(vec![
                v["length"].clone(),
                v["last_id"].clone(),
                Value::Array(entries),
            ])
        }
        _ => v.clone(),
    };
    (ty, val)
}

#[test]
fn dumps_match_hdt3213_expected_outputs() {
    let Some(root) = shared_fixtures() else {
        return;
    };
    let dir = root.join("external/HDT3213__rdb");
    let mut compared = 0;
    for e in std::fs::read_dir(&dir).expect("HDT3213 dir") {
        let json_path = e.expect("entry").path();
        if json_path.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let rdb = json_path.with_extension("rdb");
        if !rdb.exists() || invalid_word(&rdb).is_some() {
            continue;
        }
        let Ok(expected) =
            serde_json::from_str::<Vec<Value>>(&std::fs::read_to_string(&json_path).expect("read"))
        else {
            continue;
        };
        let out = run(
            &rdbtool(),
            ["dump".as_ref(), "-q".as_ref(), rdb.as_os_str()],
        );
        out.expect_success();
        let mut ours: BTreeMap<(u64, String), Value> = BTreeMap::new();
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let o: Value = serde_json::from_str(line).expect("jsonl line");
            let key = o["key"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| o["key"].to_string());
            ours.insert((o["db"].as_u64().unwrap_or(0), key), o);
        }
        for x in &expected {
            // Their JSON replaced invalid UTF-8 with U+FFFD; ours keeps the bytes (base64).
            if x.to_string().contains('\u{fffd}') {
                continue;
            }
            let Some((ty, val)) = hdt_view(x) else {
                continue;
            };
            let key = (
                x["db"].as_u64().unwrap_or(0),
                x["key"].as_str().unwrap_or_default().to_string(),
            );
            let o = ours
                .get(&key)
                .unwrap_or_else(|| panic!("{}: key {key:?} missing from our dump", rdb.display()));
            let (our_ty, our_val) = our_view(o);
            assert_eq!(our_ty, ty, "{}: type of {key:?}", rdb.display());
            assert_eq!(our_val, val, "{}: value of {key:?}", rdb.display());
            if let Some(exp) = x.get("expiration").and_then(Value::as_str) {
                assert_eq!(
                    o["expire_ms"].as_i64(),
                    Some(parse_iso_ms(exp)),
                    "{}: expiry of {key:?}",
                    rdb.display()
                );
            }
            compared += 1;
        }
    }
    assert!(compared >= 40, "only {compared} keys compared");
}

#[test]
fn own_sample_fixture_matches_its_golden_views() {
    let root = workspace_root();
    let rdb = root.join("fixtures/sample.rdb");
    let out = run(
        &rdbtool(),
        ["dump".as_ref(), "-q".as_ref(), rdb.as_os_str()],
    );
    out.expect_success();
    let golden = std::fs::read(root.join("fixtures/sample.expected.jsonl")).expect("golden jsonl");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&golden)
    );
    let info = run(
        &rdbtool(),
        [
            "info".as_ref(),
            "-q".as_ref(),
            "--json".as_ref(),
            rdb.as_os_str(),
        ],
    );
    info.expect_success();
    let mut ours: Value = serde_json::from_slice(&info.stdout).expect("info json");
    let mut want: Value = serde_json::from_slice(
        &std::fs::read(root.join("fixtures/sample.info.json")).expect("golden info"),
    )
    .expect("golden info json");
    ours["file"] = Value::Null;
    want["file"] = Value::Null;
    assert_eq!(ours, want);
}

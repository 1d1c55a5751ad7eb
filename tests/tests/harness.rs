//! Tests of the harness itself (no rdbtool / aoftool needed): real servers start, get the
//! dataset, save RDBs of the right version; the model reads servers, expected files and
//! jsonl consistently.

use std::path::{Path, PathBuf};
use std::time::Instant;

use e2e::bin::{run, run_full, run_with_stdin, shared_fixtures};
use e2e::model::{StreamId, ValueModel};
use e2e::populate::{PXAT_2100, PXAT_9999};
use e2e::{Model, PopulateOpts, Server, ServerKind, now_ms, populate};

fn stream<'a>(m: &'a Model, db: u64, key: &[u8]) -> &'a e2e::StreamModel {
    match &m.key(db, key).value {
        ValueModel::Stream(s) => s,
        other => panic!(
            "{} is not a stream: {other:?}",
            String::from_utf8_lossy(key)
        ),
    }
}

/// Start, populate (scale 1), SAVE, check the RDB magic, read the server back, check
/// counts and a few values, then load the RDB into a fresh server and compare.
fn populate_save_reload(kind: ServerKind) {
    let t0 = Instant::now();
    let server = Server::start(kind, &[]);
    let t_start = t0.elapsed();
    let mut c = server.client();
    let t1 = Instant::now();
    let pop = populate(&mut c, kind, &PopulateOpts::default());
    let t_pop = t1.elapsed();
    let t2 = Instant::now();
    let rdb = server.save_rdb();
    let t_save = t2.elapsed();
    let bytes = std::fs::read(&rdb).expect("read the saved RDB");
    assert_eq!(
        &bytes[..9],
        kind.rdb_magic(),
        "{kind} wrote {:?}",
        String::from_utf8_lossy(&bytes[..9])
    );

    let t3 = Instant::now();
    let m = Model::from_server(&mut c, &pop.dbs());
    let t_read = t3.elapsed();
    let created: Vec<_> = pop.keys.iter().cloned().collect();
    let read: Vec<_> = m.keys.keys().cloned().collect();
    assert_eq!(
        read, created,
        "{kind}: keys read back differ from the keys created"
    );
    assert!(
        pop.key_count() > 250,
        "{kind}: only {} keys",
        pop.key_count()
    );
    assert_eq!(m.count_in(3), 5);
    assert_eq!(m.count_in(15), 3);

    // a few values
    let v = |k: &[u8]| m.key(0, k).value.clone();
    assert_eq!(v(b"str:binary"), ValueModel::String((0..=255u8).collect()));
    assert_eq!(
        v(b""),
        ValueModel::String(b"value of the empty key name".to_vec())
    );
    assert_eq!(
        v(b"str:int:int64"),
        ValueModel::String(b"6000000000".to_vec())
    );
    assert_eq!(v(b"str:counter"), ValueModel::String(b"15".to_vec()));
    assert_eq!(v(b"str:appended"), ValueModel::String(b"abcdef".to_vec()));
    assert_eq!(
        m.key(3, b"str:embstr").value,
        ValueModel::String(b"same key name as in db 0, other value".to_vec())
    );
    match v(b"list:big") {
        ValueModel::List(l) => {
            assert_eq!(l.len(), 5000);
            assert!(l[0].starts_with(b"item:0000000:") && l[4999].starts_with(b"item:0004999:"));
        }
        other => panic!("list:big is {other:?}"),
    }
    match v(b"zset:listpack") {
        ValueModel::ZSet(z) => {
            let score = |m: &[u8]| z.iter().find(|e| e.0 == m).expect("member").1;
            assert_eq!(score(b"e"), f64::INFINITY);
            assert_eq!(score(b"f"), f64::NEG_INFINITY);
            assert_eq!(score(b"g"), 1e-10);
            assert_eq!(score(b"i"), std::f64::consts::PI);
            assert_eq!(score(b"h"), 123456789012.0);
            assert_eq!(
                score(b"k").to_bits(),
                0.0f64.to_bits(),
                "-0 is normalized to 0"
            );
            assert_eq!(z.first().map(|e| e.0.as_slice()), Some(b"f".as_slice()));
        }
        other => panic!("zset:listpack is {other:?}"),
    }
    match v(b"hash:listpack:binary") {
        ValueModel::Hash(h) => {
            assert!(h.contains(&(b"\x00\xff".to_vec(), b"\x01\x02\x03".to_vec(), None)))
        }
        other => panic!("hash:listpack:binary is {other:?}"),
    }
    // expiries are exact on every kind (6.2: PTTL + TIME in one script)
    let ttl = |k: &[u8]| {
        let km = m.key(0, k);
        assert!(
            !km.expire_approx,
            "{kind}: {} expire is approximate",
            String::from_utf8_lossy(k)
        );
        km.expire_ms
    };
    assert_eq!(ttl(b"ttl:string"), Some(PXAT_2100));
    assert_eq!(ttl(b"ttl:far-future"), Some(PXAT_9999));
    assert_eq!(ttl(b"ttl:stream"), Some(PXAT_2100 + 11));
    assert_eq!(ttl(b"str:embstr"), None);
    let rel = ttl(b"ttl:relative").expect("ttl:relative has a TTL");
    assert!((rel - now_ms() - 31_536_000_000).abs() < 60_000);

    // streams
    let s = stream(&m, 0, b"stream:big");
    let names: Vec<&[u8]> = s.groups.iter().map(|g| g.name.as_slice()).collect();
    assert_eq!(names, [b"g1".as_slice(), b"g2", b"g3"]);
    let g1 = &s.groups[0];
    let consumers: Vec<&[u8]> = g1.consumers.iter().map(|c| c.name.as_slice()).collect();
    assert_eq!(consumers, [b"alice".as_slice(), b"bob", b"carol", b"dave"]);
    assert_eq!(g1.pel.len(), 25, "20 alice + 10 bob - 5 acked");
    assert!(g1.consumers[3].pel.is_empty(), "dave has no PEL");
    assert_eq!(g1.consumers[2].pel.len(), 3, "carol claimed 3");
    assert!(
        g1.pel
            .iter()
            .filter(|p| p.consumer == b"carol")
            .all(|p| p.delivery_count == 2)
    );
    assert!(s.groups[1].pel.is_empty(), "g2 read with NOACK");
    assert_eq!(s.length as usize, s.entries.len());
    let x = stream(&m, 0, b"stream:xsetid");
    assert_eq!(x.last_id, StreamId::new(10, 0));
    let mk = stream(&m, 0, b"stream:mkstream");
    assert_eq!((mk.length, mk.groups.len()), (0, 1));
    if kind == ServerKind::Redis62 {
        assert_eq!(
            (x.max_deleted_id, x.entries_added, s.groups[2].entries_read),
            (None, None, None)
        );
        assert!(m.functions.is_none());
        assert!(m.get(0, b"list:plain").is_none() && m.get(0, b"set:listpack:strs").is_none());
        assert_eq!(g1.consumers[0].active_time_ms, None);
    } else {
        assert_eq!(x.max_deleted_id, Some(StreamId::new(7, 0)));
        assert_eq!(x.entries_added, Some(42));
        assert_eq!(s.groups[2].entries_read, Some(Some(123)));
        let libs: Vec<&String> = m.functions.as_ref().expect("functions").keys().collect();
        assert_eq!(libs, ["e2elib", "e2elib2"]);
        assert!(m.get(0, b"list:plain").is_some());
    }
    if kind == ServerKind::Valkey81 {
        assert!(m.get(0, b"set:listpack:strs").is_some());
        assert!(g1.consumers[0].active_time_ms.is_some_and(|t| t > 0));
        assert_eq!(
            g1.consumers[3].active_time_ms,
            Some(-1),
            "dave never active"
        );
    }

    // the saved RDB loads into a fresh server of the same kind with the same content
    let t4 = Instant::now();
    let reloaded = Server::start_with_rdb(kind, &rdb, &[]);
    let t_reload = t4.elapsed();
    let m2 = Model::from_server(&mut reloaded.client(), &pop.dbs());
    m2.assert_same(&m, &format!("{kind}: reloaded RDB vs the populated server"));
    eprintln!(
        "{kind} ({}): start {:.2} s, populate {:.2} s ({} keys, skipped: {:?}), SAVE {:.2} s \
         ({} bytes), from_server {:.2} s, reload start {:.2} s",
        server.version(),
        t_start.as_secs_f64(),
        t_pop.as_secs_f64(),
        pop.key_count(),
        pop.skipped,
        t_save.as_secs_f64(),
        bytes.len(),
        t_read.as_secs_f64(),
        t_reload.as_secs_f64()
    );
}

#[test]
fn redis70_populate_save_reload() {
    populate_save_reload(ServerKind::Redis70);
}

#[test]
fn redis62_populate_save_reload() {
    populate_save_reload(ServerKind::Redis62);
}

#[test]
fn valkey81_populate_save_reload() {
    populate_save_reload(ServerKind::Valkey81);
}

#[test]
fn populate_expired_keys_are_saved_but_hidden() {
    let server = Server::start(ServerKind::Redis70, &[]);
    let mut c = server.client();
    let pop = populate(
        &mut c,
        ServerKind::Redis70,
        &PopulateOpts::default().with_expired(),
    );
    assert_eq!(pop.expired.len(), 3);
    let rdb = server.save_rdb();
    let m = Model::from_server(&mut c, &pop.dbs());
    assert_eq!(m.len(), pop.key_count(), "expired keys are not visible");
    // redis-check-rdb sees them in the file
    let check = e2e::server::tool("REDIS_CHECK_RDB").expect("redis-check-rdb");
    let out = run(&check, [&rdb]);
    out.expect_success();
    let text = out.stdout_str();
    assert!(
        text.contains("3 already expired"),
        "redis-check-rdb said:\n{text}"
    );
}

#[test]
fn populate_big_and_scale() {
    let server = Server::start(ServerKind::Redis70, &[]);
    let mut c = server.client();
    let t = Instant::now();
    let pop = populate(
        &mut c,
        ServerKind::Redis70,
        &PopulateOpts::scale(2).with_big(),
    );
    let took = t.elapsed();
    assert_eq!(c.cmd_int(&[b"LLEN", b"big:list"]), 1_000_000);
    assert_eq!(c.cmd_int(&[b"HLEN", b"big:hash"]), 200_000);
    assert_eq!(c.cmd_int(&[b"LLEN", b"list:big"]), 10_000);
    assert_eq!(c.cmd_int(&[b"DBSIZE"]) as usize, pop.keys_in(0));
    eprintln!(
        "populate scale 2 + big: {:.2} s, {} keys",
        took.as_secs_f64(),
        pop.key_count()
    );
}

fn expected_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display())) {
        let p = e.expect("dir entry").path();
        if p.is_dir() {
            expected_files(&p, out);
        } else if p.to_string_lossy().ends_with(".expected.json") {
            out.push(p);
        }
    }
}

#[test]
fn every_expected_file_parses() {
    let Some(fx) = shared_fixtures() else { return };
    let mut n = 0;
    for folder in ["redis-7.0", "redis-6.2", "valkey-8.1", "redis-7.4"] {
        let mut files = Vec::new();
        expected_files(&fx.join(folder), &mut files);
        assert!(!files.is_empty(), "no expected files in {folder}");
        for f in files {
            let m = Model::from_expected_json(&f);
            let doc: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&f).expect("read")).expect("JSON");
            let keys = doc["keys"].as_array().expect("keys").len();
            assert_eq!(m.len(), keys, "{}", f.display());
            if keys > 0 {
                assert!(!m.is_empty());
            }
            n += 1;
        }
    }
    eprintln!("parsed {n} expected files");
    assert!(n >= 40, "only {n} expected files");
}

/// Loads fixture RDBs into a fresh server and compares with their expected files.
fn fixture_rdbs_load_as_expected(kind: ServerKind, folder: &str, names: &[&str]) {
    let Some(fx) = shared_fixtures() else { return };
    for name in names {
        let rdb = fx.join(folder).join("rdb").join(format!("{name}.rdb"));
        let exp = fx
            .join(folder)
            .join("rdb")
            .join(format!("{name}.expected.json"));
        let t = Instant::now();
        let server = Server::start_with_rdb(kind, &rdb, &[]);
        let got = Model::from_server_all(&mut server.client());
        let want = Model::from_expected_json(&exp).without_expired(now_ms());
        assert!(!want.is_empty() || name.contains("empty") || name.contains("functions"));
        got.assert_same(
            &want,
            &format!("{kind} loading {folder}/rdb/{name}.rdb vs its expected file"),
        );
        eprintln!(
            "{folder}/rdb/{name}.rdb: {} keys agree ({:.2} s)",
            got.len(),
            t.elapsed().as_secs_f64()
        );
    }
}

#[test]
fn redis70_fixture_rdbs_load_as_expected() {
    fixture_rdbs_load_as_expected(
        ServerKind::Redis70,
        "redis-7.0",
        &[
            "all-types",
            "all-types-uncompressed",
            "all-types-nochecksum",
            "all-types-replication",
            "all-types-lfu",
            "all-types-lru",
            "functions-only",
            "empty",
        ],
    );
}

#[test]
fn redis62_fixture_rdbs_load_as_expected() {
    fixture_rdbs_load_as_expected(
        ServerKind::Redis62,
        "redis-6.2",
        &["all-types", "all-types-uncompressed", "empty"],
    );
}

#[test]
fn valkey81_fixture_rdbs_load_as_expected() {
    fixture_rdbs_load_as_expected(
        ServerKind::Valkey81,
        "valkey-8.1",
        &[
            "all-types",
            "all-types-uncompressed",
            "functions-only",
            "empty",
        ],
    );
}

/// A jsonl dump (contract form) and an expected file (fixture form) of the same data give
/// the same model.
#[test]
fn jsonl_and_expected_forms_agree() {
    let jsonl = r#"
{"db":0,"key":"user:1","type":"hash","expire_ms":1767225600000,"encoding":"listpack","value":[["name","ann"],["age","37"]]}
{"db":0,"key":{"base64":"AP8="},"type":"string","expire_ms":null,"encoding":"raw","value":{"base64":"gIE="},"idle_s":5}
{"db":0,"key":"z","type":"zset","expire_ms":null,"encoding":"skiplist","value":[["a","-inf"],["m",-0.0],["b",0.1],["c",3.141592653589793],["d","inf"]]}
{"db":0,"key":"l","type":"list","expire_ms":null,"encoding":"quicklist","value":["x","","y"]}
{"db":3,"key":"s","type":"set","expire_ms":4102444800123,"encoding":"intset","value":["3","1","2"]}
{"db":0,"key":"h2","type":"hash","expire_ms":null,"encoding":"listpack_ex","value":[["f","v",4102444800223],["g","w"]]}
{"db":0,"key":"st","type":"stream","expire_ms":null,"encoding":"stream","value":{"length":2,"last_id":"5-2","first_id":"5-1","max_deleted_id":"0-0","entries_added":2,"entries":[{"id":"5-1","fields":[["f","v"]]},{"id":"5-2","fields":[["f","w"],["g",""]]}],"groups":[{"name":"g","last_id":"5-1","entries_read":1,"pel":[{"id":"5-1","consumer":"c","delivery_time_ms":1700000000000,"delivery_count":1}],"consumers":[{"name":"c","seen_time_ms":1700000000001,"active_time_ms":null,"pel":["5-1"]}]}]}}
"#;
    let expected = r#"{"format":"redis-fixture-expected/v1","functions":[],"keys":[
{"db":0,"key":"h2","type":"hash","expire_ms":null,"value":[["f","v",4102444800223],["g","w"]]},
{"db":0,"key":"l","type":"list","expire_ms":null,"value":["x","","y"]},
{"db":0,"key":"st","type":"stream","expire_ms":null,"value":{"length":2,"listpack_nodes":1,"last_id":"5-2","max_deleted_entry_id":"0-0","entries_added":2,"recorded_first_entry_id":"5-1","entries":[["5-1",["f","v"]],["5-2",["f","w","g",""]]],"groups":[{"name":"g","last_delivered_id":"5-1","entries_read":1,"pel":[["5-1","c",1700000000000,1]],"consumers":[{"name":"c","seen_time_ms":1700000000001,"active_time_ms":-1,"pel":["5-1"]}]}]}},
{"db":0,"key":"user:1","type":"hash","expire_ms":1767225600000,"value":[["age","37"],["name","ann"]]},
{"db":0,"key":"z","type":"zset","expire_ms":null,"value":[["a","-inf"],["m","-0"],["b","0.10000000000000001"],["c","3.1415926535897931"],["d","inf"]]},
{"db":0,"key":{"b64":"AP8="},"type":"string","expire_ms":null,"value":{"b64":"gIE="},"lru_idle_s":6},
{"db":3,"key":"s","type":"set","expire_ms":4102444800123,"value":["1","2","3"]}
]}"#;
    let a = Model::from_dump_jsonl(jsonl);
    let b = Model::try_from_expected_str(expected).expect("expected form parses");
    a.assert_same(&b, "jsonl vs expected form");
    assert_eq!(a.len(), 7);
    assert_eq!(
        a.key(0, b"\x00\xff").value,
        ValueModel::String(vec![0x80, 0x81])
    );
    assert_eq!(a.key(0, b"\x00\xff").lru_idle_s, Some(5));

    // and differences are found and described
    let mut c = b.clone();
    if let Some(k) = c.keys.get_mut(&(0, b"z".to_vec()))
        && let ValueModel::ZSet(z) = &mut k.value
    {
        z[2].1 = 0.1000000000000001;
    }
    c.keys.remove(&(3, b"s".to_vec()));
    if let Some(k) = c.keys.get_mut(&(0, b"user:1".to_vec())) {
        k.expire_ms = Some(1767225600001);
    }
    let d = a.diff(&c);
    assert_eq!(d.len(), 3, "{d:#?}");
    assert!(
        d.iter()
            .any(|l| l.contains("db 0 \"z\"") && l.contains("score")),
        "{d:#?}"
    );
    assert!(
        d.iter().any(|l| l.contains("db 3 \"s\": only in left")),
        "{d:#?}"
    );
    assert!(d.iter().any(|l| l.contains("expire_ms differs")), "{d:#?}");
    // approximate expiries are compared within 2 s
    let mut e = b.clone();
    if let Some(k) = e.keys.get_mut(&(0, b"user:1".to_vec())) {
        k.expire_ms = Some(1767225601500);
        k.expire_approx = true;
    }
    a.assert_same(&e, "approximate expiry");
    // malformed input is an error naming the line
    let err = Model::try_from_dump_jsonl("{\"db\":0}\n").expect_err("must fail");
    assert!(err.contains("line 1"), "{err}");
}

#[test]
fn without_expired_drops_keys_and_fields() {
    let text = r#"{"keys":[
{"db":0,"key":"gone","type":"string","expire_ms":1000,"value":"x","expired_at_save":true},
{"db":0,"key":"past","type":"string","expire_ms":2000,"value":"x"},
{"db":0,"key":"live","type":"string","expire_ms":null,"value":"x"},
{"db":0,"key":"h","type":"hash","expire_ms":null,"value":[["a","1",1500],["b","2"]]},
{"db":0,"key":"h-all-gone","type":"hash","expire_ms":null,"value":[["a","1",1500]]}
]}"#;
    let m = Model::try_from_expected_str(text)
        .expect("parses")
        .without_expired(3000);
    let keys: Vec<&[u8]> = m.keys.keys().map(|k| k.1.as_slice()).collect();
    assert_eq!(keys, [b"h".as_slice(), b"live"]);
    assert_eq!(
        m.key(0, b"h").value,
        ValueModel::Hash(vec![(b"b".to_vec(), b"2".to_vec(), None)])
    );
}

#[test]
fn run_helpers() {
    let sh = Path::new("/bin/sh");
    let out = run(sh, ["-c", "echo out; echo err >&2; exit 3"]);
    assert_eq!(
        (out.code, out.stdout_str().as_str(), out.stderr.as_str()),
        (3, "out\n", "err\n")
    );
    let out = run_with_stdin(sh, ["-c", "wc -c"], &[b'x'; 100_000]);
    assert_eq!(out.stdout_str().trim(), "100000");
    let killed = std::panic::catch_unwind(|| {
        run_full(
            sh,
            ["-c", "sleep 5"],
            None,
            std::time::Duration::from_millis(200),
        )
    });
    assert!(killed.is_err(), "a program over its time limit is a panic");
}

#[test]
fn missing_server_is_a_loud_failure() {
    // every kind must be installed here; the message for a missing one names the script
    for kind in ServerKind::ALL {
        assert!(
            e2e::server::available(kind),
            "{}",
            std::panic::catch_unwind(|| e2e::server::require(kind))
                .err()
                .and_then(|e| e.downcast_ref::<String>().cloned())
                .unwrap_or_default()
        );
    }
}

//! What the RDB writer writes, Redis loads: files of RDB 6 to 10 with string keys of
//! every string encoding pass `redis-check-rdb` and load into Redis 7.0 with the same
//! `DEBUG DIGEST` as the same data set by commands.
//!
//! Streams: the writer packs entries into nodes as Redis does, so a stream that a real
//! server built by XADD (with consumer groups from XREADGROUP) is written back
//! byte for byte as the server saved it.

use std::process::Command;

use e2e::server::tool;
use e2e::{Server, ServerKind};
use formats::rdb::encodings::Elem;
use formats::rdb::read::{KeyInfo, StreamGroup, StreamId, StreamMeta, Visitor};
use formats::rdb::value::{Collector, Record, Value};
use formats::rdb::write::{Writer, WriterOptions};
use formats::rdb::{Flavor, Reader, TypeId, Version};

/// (db, key, value, absolute expiry in ms).
type Entry = (u64, Vec<u8>, Vec<u8>, Option<i64>);

fn dataset() -> Vec<Entry> {
    let mut d = vec![
        (0, b"plain".to_vec(), b"value".to_vec(), None),
        (0, b"int8".to_vec(), b"-12".to_vec(), None),
        (
            0,
            b"int32".to_vec(),
            b"2147483647".to_vec(),
            Some(4_102_444_800_123),
        ),
        (0, b"not-int".to_vec(), b"007".to_vec(), None),
        (
            0,
            b"compressible".to_vec(),
            "abc".repeat(500).into_bytes(),
            None,
        ),
        (0, b"\x00bin\xff".to_vec(), (0..=255u8).collect(), None),
        (0, b"".to_vec(), b"empty key".to_vec(), None),
        (3, b"in-db3".to_vec(), b"".to_vec(), Some(4_102_444_801_000)),
    ];
    for i in 0..300 {
        d.push((
            0,
            format!("k:{i}").into_bytes(),
            format!("value number {i} {}", "x".repeat(i % 40)).into_bytes(),
            None,
        ));
    }
    d
}

#[test]
fn redis_loads_what_the_writer_writes() {
    let data = dataset();
    // The reference: the same data set by commands.
    let reference = Server::start(ServerKind::Redis70, &[]);
    let mut c = reference.client();
    for (db, k, v, e) in &data {
        c.cmd_ok(&[b"SELECT", db.to_string().as_bytes()]);
        c.cmd_ok(&[b"SET", k, v]);
        if let Some(e) = e {
            c.cmd(&[b"PEXPIREAT", k, e.to_string().as_bytes()]);
        }
    }
    let want = c.cmd_bulk(&[b"DEBUG", b"DIGEST"]).unwrap();
    for version in [6, 7, 8, 9, 10] {
        let mut w = Writer::new(
            Vec::new(),
            Version {
                flavor: Flavor::Redis,
                number: version,
            },
            WriterOptions::default(),
        )
        .unwrap();
        if version >= 7 {
            w.aux(b"redis-ver", b"255.255.255").unwrap();
        }
        for db in [0u64, 3] {
            w.select_db(db).unwrap();
            for (_, k, v, e) in data.iter().filter(|x| x.0 == db) {
                if let Some(e) = e {
                    w.expire_ms(*e).unwrap();
                }
                w.string_key(k, v).unwrap();
            }
        }
        let bytes = w.finish().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dump.rdb");
        std::fs::write(&path, &bytes).unwrap();
        let check = Command::new(tool("REDIS_CHECK_RDB").expect("redis-check-rdb"))
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "v{version}: {}",
            String::from_utf8_lossy(&check.stdout)
        );
        let loaded = Server::start_in(ServerKind::Redis70, dir, &[]);
        let got = loaded.client().cmd_bulk(&[b"DEBUG", b"DIGEST"]).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&want),
            "RDB {version}: DEBUG DIGEST"
        );
    }
}

/// Every key of an RDB: its file offset (the type byte: these keys have no prefix), type
/// and content.
#[derive(Default)]
struct Keys {
    col: Collector,
    cur: Option<(u64, TypeId)>,
    out: Vec<(u64, TypeId, Record)>,
}

impl Visitor for Keys {
    fn begin_key(&mut self, k: &KeyInfo<'_>) -> formats::Result<()> {
        self.cur = Some((k.offset, k.type_id));
        self.col.begin_key(k);
        Ok(())
    }
    fn stream_entry(&mut self, id: StreamId, f: &[(Elem<'_>, Elem<'_>)]) -> formats::Result<()> {
        self.col.stream_entry(id, f);
        Ok(())
    }
    fn stream_meta(&mut self, m: &StreamMeta) -> formats::Result<()> {
        self.col.stream_meta(m);
        Ok(())
    }
    fn stream_group(&mut self, g: &StreamGroup) -> formats::Result<()> {
        self.col.stream_group(g);
        Ok(())
    }
    fn end_key(&mut self) -> formats::Result<()> {
        let (off, t) = self.cur.take().expect("end_key after begin_key");
        self.out.push((off, t, self.col.record().clone()));
        Ok(())
    }
}

/// `XADD key <id> f v ...` for `n` entries: IDs around 1.7e12 ms where pairs share an
/// ms (seq 7 then 9, so the next node's entries can have negative seq deltas) and every
/// 50th entry jumps 10^7 ms; mostly the same two fields (SAMEFIELDS), some with other
/// field counts, orders or integer names, integer values of every listpack width, and
/// every 37th entry a 5000-byte value (a node of its own).
fn xadds(key: &[u8], n: usize) -> Vec<Vec<Vec<u8>>> {
    (0..n)
        .map(|i| {
            let ms = 1_700_000_000_000u64 + i as u64 / 2 + (i as u64 / 50) * 10_000_000;
            let seq = if i % 2 == 0 { 7 } else { 9 };
            let name = format!("user{i}");
            let num = match i % 6 {
                0 => (i as i64 * 7919 - 100_000).to_string(),
                1 => (i as i64 - 60).to_string(),
                2 => (i as i64 * 1_000_003_000_007).to_string(),
                3 => format!("{}", -(i as i64) * 40_000),
                4 => format!("0{i}"),
                _ => "9223372036854775807".to_string(),
            };
            let pairs: Vec<(String, String)> = match i {
                _ if i % 37 == 36 => vec![("name".into(), "v".repeat(5000)), ("n".into(), num)],
                _ if i % 5 == 4 => vec![("name".into(), name), ("other".into(), "x".into())],
                _ if i % 7 == 6 => vec![("n".into(), num), ("name".into(), name)],
                _ if i % 11 == 10 => vec![("1".into(), "-1".into()), ("2".into(), "".into())],
                _ if i % 13 == 12 => vec![("only".into(), "one".repeat(i % 30))],
                _ => vec![("name".into(), name), ("n".into(), num)],
            };
            let mut cmd = vec![
                b"XADD".to_vec(),
                key.to_vec(),
                format!("{ms}-{seq}").into_bytes(),
            ];
            for (f, v) in pairs {
                cmd.push(f.into_bytes());
                cmd.push(v.into_bytes());
            }
            cmd
        })
        .collect()
}

/// Offset of the first difference, with a little context, for failure messages.
fn first_diff(a: &[u8], b: &[u8]) -> String {
    let at = a
        .iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let ctx = |x: &[u8]| format!("{:02x?}", &x[at.saturating_sub(8)..(at + 16).min(x.len())]);
    format!(
        "lengths {} and {}; first difference at byte {at}: ours {} redis {}",
        a.len(),
        b.len(),
        ctx(a),
        ctx(b)
    )
}

#[test]
fn stream_records_are_byte_identical_to_what_redis_saves() {
    for kind in [
        ServerKind::Redis70,
        ServerKind::Redis62,
        ServerKind::Valkey81,
    ] {
        let server = Server::start(kind, &[]);
        let mut c = server.client();
        // (key, stream-node-max-bytes, stream-node-max-entries, entries): the defaults;
        // small limits; no entry limit, so nodes pass 127 entries and their count
        // element widens; no limits at all (the 1 GiB cap).
        let keys: [(&[u8], usize, usize, usize); 4] = [
            (b"s:default", 4096, 100, 330),
            (b"s:small", 300, 7, 150),
            (b"s:wide", 4096, 0, 600),
            (b"s:unlimited", 0, 0, 300),
        ];
        for (key, bytes, entries, n) in keys {
            c.call_ok(&[
                &b"CONFIG"[..],
                b"SET",
                b"stream-node-max-bytes",
                bytes.to_string().as_bytes(),
            ]);
            c.call_ok(&[
                &b"CONFIG"[..],
                b"SET",
                b"stream-node-max-entries",
                entries.to_string().as_bytes(),
            ]);
            let cmds = if key == b"s:wide" {
                // small entries, many to a node
                (0..n)
                    .map(|i| {
                        let id = format!("{}-{}", 5 + i / 3, i % 3).into_bytes();
                        vec![
                            b"XADD".to_vec(),
                            key.to_vec(),
                            id,
                            b"f".to_vec(),
                            i.to_string().into_bytes(),
                        ]
                    })
                    .collect()
            } else {
                xadds(key, n)
            };
            c.pipeline_ok(&cmds);
        }
        // Consumer groups: two consumers with pending entries (some acknowledged), one
        // without, a second group with nothing delivered.
        let k = &b"s:default"[..];
        c.cmd_ok(&[b"XGROUP", b"CREATE", k, b"g1", b"0"]);
        c.cmd_ok(&[
            b"XREADGROUP",
            b"GROUP",
            b"g1",
            b"alice",
            b"COUNT",
            b"10",
            b"STREAMS",
            k,
            b">",
        ]);
        c.cmd_ok(&[
            b"XREADGROUP",
            b"GROUP",
            b"g1",
            b"bob",
            b"COUNT",
            b"5",
            b"STREAMS",
            k,
            b">",
        ]);
        c.cmd_ok(&[
            b"XREADGROUP",
            b"GROUP",
            b"g1",
            b"alice",
            b"COUNT",
            b"3",
            b"STREAMS",
            k,
            b"0",
        ]);
        c.cmd_ok(&[b"XACK", k, b"g1", b"1700000000000-9", b"1700000000002-7"]);
        c.cmd_ok(&[b"XGROUP", b"CREATECONSUMER", k, b"g1", b"carol"]);
        c.cmd_ok(&[b"XGROUP", b"CREATE", k, b"g2", b"$"]);
        c.cmd_ok(&[b"XGROUP", b"CREATE", b"s:small", b"a-group", b"0"]);
        c.cmd_ok(&[
            b"XREADGROUP",
            b"GROUP",
            b"a-group",
            b"c",
            b"STREAMS",
            b"s:small",
            b">",
        ]);
        // An empty stream with a last ID (its only entry trimmed away at once).
        c.cmd_ok(&[b"XADD", b"s:empty", b"MAXLEN", b"0", b"7-7", b"f", b"v"]);

        let file = std::fs::read(server.save_rdb()).unwrap();
        let mut keys_seen = Keys::default();
        Reader::new(&file[..])
            .run(&mut keys_seen)
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        let found = &keys_seen.out;
        assert_eq!(found.len(), 5, "{kind}: keys in the dump");
        assert_eq!(file[file.len() - 9], 0xFF, "{kind}: EOF before the CRC");
        let version = kind.rdb_version();
        let want_type = match version {
            9 => TypeId::StreamListpacks,
            10 => TypeId::StreamListpacks2,
            _ => TypeId::StreamListpacks3,
        };
        for (i, (off, t, rec)) in found.iter().enumerate() {
            let key = String::from_utf8_lossy(&rec.key).into_owned();
            assert_eq!(*t, want_type, "{kind} {key}: type");
            // These keys have no prefix opcodes and sit one after the other in db 0;
            // the last one ends at the EOF opcode.
            let end = found.get(i + 1).map_or(file.len() - 9, |k| k.0 as usize);
            let theirs = &file[*off as usize..end];
            let Value::Stream(s) = &rec.value else {
                panic!("{kind} {key}: not a stream");
            };
            let (bytes, entries) = keys
                .iter()
                .find(|k| k.0 == rec.key)
                .map_or((4096, 100), |k| (k.1, k.2));
            let mut w = Writer::new(
                Vec::new(),
                Version {
                    flavor: Flavor::Redis,
                    number: version,
                },
                WriterOptions::default(),
            )
            .unwrap();
            w.key(*t, &rec.key).unwrap();
            w.stream_value(s, *t, bytes, entries)
                .unwrap_or_else(|e| panic!("{kind} {key}: {e}"));
            let ours = w.finish().unwrap();
            let ours = &ours[9..ours.len() - 9];
            assert!(
                ours == theirs,
                "{kind} {key} ({} entries, {} groups): {}",
                s.ids.len(),
                s.groups.len(),
                first_diff(ours, theirs)
            );
        }
        let default = found.iter().find(|k| k.2.key == b"s:default").unwrap();
        let Value::Stream(s) = &default.2.value else {
            unreachable!()
        };
        assert_eq!(s.ids.len(), 330);
        assert_eq!(s.groups.len(), 2);
        assert_eq!(s.groups[0].consumers.len(), 3, "{kind}: alice, bob, carol");
        assert_eq!(
            s.groups[0].pel.len(),
            13,
            "{kind}: 15 delivered, 2 acknowledged"
        );
    }
}

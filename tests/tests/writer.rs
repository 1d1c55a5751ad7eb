//! What the RDB writer writes, Redis loads: files of RDB 6 to 10 with string keys of
//! every string encoding pass `redis-check-rdb` and load into Redis 7.0 with the same
//! `DEBUG DIGEST` as the same data set by commands.

use std::process::Command;

use e2e::server::tool;
use e2e::{Server, ServerKind};
use formats::rdb::write::{Writer, WriterOptions};
use formats::rdb::{Flavor, Version};

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

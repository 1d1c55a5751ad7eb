//! The RDB writer's primitives: exact bytes as Redis writes them, and files the reader
//! (and, in the e2e tests, Redis) accepts.

use formats::rdb::read::{ChecksumStatus, KeyInfo, Visitor};
use formats::rdb::write::{Writer, WriterOptions};
use formats::rdb::{Flavor, Reader, TypeId, Version};

fn v(n: u32) -> Version {
    Version {
        flavor: Flavor::Redis,
        number: n,
    }
}

/// The bytes one call writes (after the 9-byte magic).
fn bytes_of(version: u32, opts: WriterOptions, f: impl FnOnce(&mut Writer<Vec<u8>>)) -> Vec<u8> {
    let mut w = Writer::new(Vec::new(), v(version), opts).unwrap();
    f(&mut w);
    let out = w.finish().unwrap();
    let end = out.len() - 1 - if version >= 5 { 8 } else { 0 };
    out[9..end].to_vec()
}

#[test]
fn lengths_take_the_shortest_form() {
    let o = WriterOptions::default();
    let len = |n: u64| bytes_of(10, o, |w| w.length(n).unwrap());
    assert_eq!(len(63), [63]);
    assert_eq!(len(64), [0x40, 64]);
    assert_eq!(len(16383), [0x7f, 0xff]);
    assert_eq!(len(16384), [0x80, 0, 0, 0x40, 0]);
    assert_eq!(len(u64::from(u32::MAX)), [0x80, 0xff, 0xff, 0xff, 0xff]);
    assert_eq!(len(1 << 32), [0x81, 0, 0, 0, 1, 0, 0, 0, 0]);
    // RDB 7 has no 64-bit lengths.
    let mut w = Writer::new(Vec::new(), v(7), o).unwrap();
    assert!(w.length(1 << 32).is_err());
}

#[test]
fn strings_are_encoded_as_redis_chooses() {
    let o = WriterOptions::default();
    let s = |x: &[u8]| bytes_of(10, o, |w| w.string(x).unwrap());
    assert_eq!(s(b"123"), [0xc0, 123]);
    assert_eq!(s(b"-128"), [0xc0, 0x80]);
    assert_eq!(s(b"30000"), [0xc1, 0x30, 0x75]);
    assert_eq!(s(b"2147483647"), [0xc2, 0xff, 0xff, 0xff, 0x7f]);
    // Not canonical, or too big for 32 bits: raw.
    assert_eq!(s(b"007"), [3, b'0', b'0', b'7']);
    assert_eq!(s(b"-0"), [2, b'-', b'0']);
    assert_eq!(s(b"4294967296")[0], 10);
    // 20 bytes: raw; 21 compressible bytes: LZF (formats.md 1.8).
    assert_eq!(s(&[b'a'; 20])[0], 20);
    let lz = s(&[b'a'; 21]);
    assert_eq!(lz[0], 0xc3);
    assert_eq!(lz[2], 21, "uncompressed length");
    // Incompressible: raw.
    let noise: Vec<u8> = (0..100u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    assert_eq!(s(&noise)[..2], [0x40, 100]);
    // rdbcompression no.
    let plain = bytes_of(
        10,
        WriterOptions {
            compress: false,
            checksum: true,
        },
        |w| w.string(&[b'a'; 21]).unwrap(),
    );
    assert_eq!(plain[0], 21);
}

/// A string key read back: (db, key, expiry, value).
type ReadKey = (u64, Vec<u8>, Option<i64>, Vec<u8>);

#[derive(Default)]
struct Seen {
    aux: Vec<(Vec<u8>, Vec<u8>)>,
    keys: Vec<ReadKey>,
    cur: Option<(u64, Vec<u8>, Option<i64>)>,
    functions: usize,
    checksum: Option<ChecksumStatus>,
}

impl Visitor for Seen {
    fn aux(&mut self, k: &[u8], v: &[u8]) -> formats::Result<()> {
        self.aux.push((k.to_vec(), v.to_vec()));
        Ok(())
    }
    fn function(&mut self, _: &[u8]) -> formats::Result<()> {
        self.functions += 1;
        Ok(())
    }
    fn begin_key(&mut self, k: &KeyInfo<'_>) -> formats::Result<()> {
        self.cur = Some((k.db, k.key.to_vec(), k.expire_ms));
        Ok(())
    }
    fn string(&mut self, value: &[u8]) -> formats::Result<()> {
        let (db, k, e) = self.cur.take().unwrap();
        self.keys.push((db, k, e, value.to_vec()));
        Ok(())
    }
    fn end(&mut self, c: ChecksumStatus) -> formats::Result<()> {
        self.checksum = Some(c);
        Ok(())
    }
}

#[test]
fn written_files_read_back() {
    let big = "lorem ipsum dolor sit amet ".repeat(40);
    for (version, checksum) in [(6, true), (9, true), (10, false), (11, true), (12, true)] {
        let mut w = Writer::new(
            Vec::new(),
            v(version),
            WriterOptions {
                compress: true,
                checksum,
            },
        )
        .unwrap();
        if version >= 7 {
            w.aux(b"redis-ver", b"7.0.15").unwrap();
            w.aux(b"redis-bits", b"64").unwrap();
        }
        if version >= 10 {
            w.function(b"#!lua name=lib\nredis.register_function('f', function() return 1 end)")
                .unwrap();
        }
        w.select_db(0).unwrap();
        w.resize_db(3, 1).unwrap();
        w.string_key(b"plain", b"value").unwrap();
        w.expire_ms(4_102_444_800_123).unwrap();
        w.string_key(b"12345", b"-77").unwrap();
        w.idle(5).unwrap();
        w.string_key(b"big", big.as_bytes()).unwrap();
        w.select_db(7).unwrap();
        w.key(TypeId::String, b"bin\x00\xff").unwrap();
        w.string(b"\x01\x02").unwrap();
        let bytes = w.finish().unwrap();
        let mut seen = Seen::default();
        Reader::new(&bytes[..])
            .run(&mut seen)
            .unwrap_or_else(|e| panic!("v{version}: {e}"));
        assert_eq!(seen.keys.len(), 4, "v{version}");
        assert_eq!(
            seen.keys[0],
            (0, b"plain".to_vec(), None, b"value".to_vec())
        );
        assert_eq!(
            seen.keys[1],
            (
                0,
                b"12345".to_vec(),
                Some(4_102_444_800_123),
                b"-77".to_vec()
            )
        );
        assert_eq!(seen.keys[2].3, big.as_bytes());
        assert_eq!(
            seen.keys[3],
            (7, b"bin\x00\xff".to_vec(), None, b"\x01\x02".to_vec())
        );
        assert_eq!(seen.aux.len(), if version >= 7 { 2 } else { 0 });
        assert_eq!(seen.functions, usize::from(version >= 10));
        match (checksum, seen.checksum) {
            (true, Some(ChecksumStatus::Ok(_))) | (false, Some(ChecksumStatus::Disabled)) => {}
            other => panic!("v{version}: checksum {other:?}"),
        }
    }
    // Older versions refuse what they cannot hold.
    let mut w = Writer::new(Vec::new(), v(6), WriterOptions::default()).unwrap();
    assert!(w.aux(b"k", b"v").is_err());
    assert!(w.function(b"x").is_err());
}

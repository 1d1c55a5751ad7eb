//! The streaming RDB reader on hand-built files: length-encoding boundaries, limits,
//! versions, checksums, legacy encodings, salvage, and robustness against truncated and
//! mutated input.

use std::path::Path;

use formats::crc::crc64;
use formats::rdb::encodings::{intset, listpack, ziplist, zipmap};
use formats::rdb::read::{
    ChecksumStatus, KeyInfo, ReaderBuilder, StreamGroup, StreamMeta, Visitor,
};
use formats::rdb::{Reader, TypeId};
use formats::{Error, ErrorKind, Limits};

/// Collects what the reader delivers, as text lines (easy to compare).
#[derive(Default)]
struct Collect {
    lines: Vec<String>,
    errors: Vec<Error>,
    keep_going: bool,
    checksum: Option<ChecksumStatus>,
}

fn s(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

impl Visitor for Collect {
    fn aux(&mut self, k: &[u8], v: &[u8]) -> formats::Result<()> {
        self.lines.push(format!("aux {}={}", s(k), s(v)));
        Ok(())
    }
    fn select_db(&mut self, db: u64) -> formats::Result<()> {
        self.lines.push(format!("select {db}"));
        Ok(())
    }
    fn begin_key(&mut self, k: &KeyInfo<'_>) -> formats::Result<()> {
        self.lines.push(format!(
            "key {} {} {} exp={:?}",
            s(k.key),
            k.data_type.name(),
            k.encoding,
            k.expire_ms
        ));
        Ok(())
    }
    fn string(&mut self, v: &[u8]) -> formats::Result<()> {
        self.lines.push(format!("  = {}", s(v)));
        Ok(())
    }
    fn list_element(&mut self, e: &[u8]) -> formats::Result<()> {
        self.lines.push(format!("  - {}", s(e)));
        Ok(())
    }
    fn set_member(&mut self, e: &[u8]) -> formats::Result<()> {
        self.lines.push(format!("  + {}", s(e)));
        Ok(())
    }
    fn zset_member(&mut self, m: &[u8], score: f64) -> formats::Result<()> {
        self.lines.push(format!("  {} {score}", s(m)));
        Ok(())
    }
    fn hash_field(&mut self, f: &[u8], v: &[u8], e: Option<i64>) -> formats::Result<()> {
        self.lines.push(format!("  {} => {} {e:?}", s(f), s(v)));
        Ok(())
    }
    fn stream_meta(&mut self, m: &StreamMeta) -> formats::Result<()> {
        self.lines
            .push(format!("  stream len={} last={}", m.length, m.last_id));
        Ok(())
    }
    fn stream_group(&mut self, g: &StreamGroup) -> formats::Result<()> {
        self.lines
            .push(format!("  group {} pel={}", s(&g.name), g.pel.len()));
        Ok(())
    }
    fn key_error(&mut self, err: Error) -> formats::Result<()> {
        if self.keep_going {
            self.lines.push("  DAMAGED".into());
            self.errors.push(err);
            Ok(())
        } else {
            Err(err)
        }
    }
    fn end(&mut self, c: ChecksumStatus) -> formats::Result<()> {
        self.checksum = Some(c);
        Ok(())
    }
}

type Rdb = formats::rdb::testing::RdbBytes;

fn read(bytes: &[u8]) -> (Collect, formats::Result<()>) {
    let mut c = Collect::default();
    let r = Reader::new(bytes).run(&mut c).map(|_| ());
    (c, r)
}

fn read_ok(bytes: &[u8]) -> Vec<String> {
    let (c, r) = read(bytes);
    r.unwrap_or_else(|e| panic!("read failed: {e}"));
    assert!(
        matches!(c.checksum, Some(ChecksumStatus::Ok(_))),
        "{:?}",
        c.checksum
    );
    c.lines
}

#[test]
fn length_encodings_at_every_boundary() {
    for n in [
        0u64,
        63,
        64,
        16383,
        16384,
        u64::from(u32::MAX),
        1 << 32,
        u64::MAX >> 1,
    ] {
        let f = Rdb::new("REDIS0010").byte(0xfe).len(n).finish();
        assert_eq!(read_ok(&f), vec![format!("select {n}")], "length {n}");
    }
    // Strings at the 6/14/32-bit boundaries.
    for n in [63usize, 64, 16383, 16384, 70000] {
        let v = vec![b'x'; n];
        let f = Rdb::new("REDIS0010")
            .key(TypeId::String, b"k")
            .str(&v)
            .finish();
        let lines = read_ok(&f);
        assert_eq!(lines[1].len(), 4 + n, "string of {n}");
    }
}

#[test]
fn integer_and_lzf_strings() {
    let f = Rdb::new("REDIS0006")
        .key(TypeId::String, b"a")
        .raw(&[0xc0, 0x80]) // int8 -128
        .key(TypeId::String, b"b")
        .raw(&[0xc1, 0x30, 0x75]) // int16 30000
        .key(TypeId::String, b"c")
        .raw(&[0xc2, 0xff, 0xff, 0xff, 0x7f]) // int32 max
        .key(TypeId::String, b"d")
        // LZF: literal run "ab" then a back reference copying 6 bytes -> "abababab"
        .raw(&[0xc3, 0x05, 0x08, 0x01, b'a', b'b', 0x80, 0x01])
        .finish();
    let lines = read_ok(&f);
    assert_eq!(lines[1], "  = -128");
    assert_eq!(lines[3], "  = 30000");
    assert_eq!(lines[5], "  = 2147483647");
    assert_eq!(lines[7], "  = abababab");
}

#[test]
fn a_length_claiming_2_pow_60_is_an_error_not_an_allocation() {
    let f = Rdb::new("REDIS0010")
        .key(TypeId::String, b"k")
        .len(1 << 60)
        .finish();
    let (_, r) = read(&f);
    let e = r.expect_err("must fail");
    assert!(matches!(e.kind, ErrorKind::LimitExceeded { .. }), "{e}");
    assert_eq!(e.offset, Some(12), "{e}");
    assert!(e.to_string().contains("key \"k\""), "{e}");
    // A smaller configured limit applies too.
    let f = Rdb::new("REDIS0010")
        .key(TypeId::String, b"k")
        .str(&[b'x'; 2000])
        .finish();
    let mut c = Collect::default();
    let e = ReaderBuilder::new()
        .limits(Limits {
            max_string: 1000,
            ..Limits::default()
        })
        .build(&f[..])
        .run(&mut c)
        .expect_err("over the limit");
    assert!(matches!(e.kind, ErrorKind::LimitExceeded { .. }));
}

#[test]
fn versions_and_magic() {
    let (_, r) = read(&Rdb::new("REDIS0014").finish());
    assert!(matches!(
        r.expect_err("future").kind,
        ErrorKind::UnsupportedVersion(14, _)
    ));
    let f = Rdb::new("REDIS0014")
        .key(TypeId::String, b"k")
        .str(b"v")
        .finish();
    let mut c = Collect::default();
    ReaderBuilder::new()
        .allow_future_version(true)
        .build(&f[..])
        .run(&mut c)
        .expect("best effort");
    assert_eq!(c.lines[1], "  = v");
    let (_, r) = read(b"RIDES0010\xff");
    assert!(matches!(r.expect_err("magic").kind, ErrorKind::BadMagic(_)));
    let (_, r) = read(b"VALKEY011\xff");
    assert!(matches!(
        r.expect_err("valkey < 80").kind,
        ErrorKind::UnsupportedVersion(11, _)
    ));
    // RDB < 5 has no checksum trailer.
    let mut f = Rdb::new("REDIS0004").key(TypeId::String, b"k").str(b"v").0;
    f.push(0xff);
    let (c, r) = read(&f);
    r.expect("v4 without trailer");
    assert_eq!(c.checksum, Some(ChecksumStatus::Absent));
}

#[test]
fn checksum_ok_disabled_and_mismatch() {
    let good = Rdb::new("REDIS0010")
        .key(TypeId::String, b"k")
        .str(b"v")
        .finish();
    let (c, _) = read(&good);
    assert!(matches!(c.checksum, Some(ChecksumStatus::Ok(_))));
    let mut zero = good.clone();
    let n = zero.len();
    zero[n - 8..].fill(0);
    assert_eq!(read(&zero).0.checksum, Some(ChecksumStatus::Disabled));
    let mut bad = good.clone();
    bad[n - 1] ^= 0xff;
    assert!(matches!(
        read(&bad).0.checksum,
        Some(ChecksumStatus::Mismatch { .. })
    ));
    // The check value from formats.md.
    assert_eq!(crc64(b"123456789"), 0xe9c6d914c4b8d9ca);
}

#[test]
fn legacy_encodings_decode() {
    let mut zl = ziplist::write::Writer::for_rdb_version(6);
    for e in [&b"a"[..], b"1", b"b", b"-70000"] {
        zl.push_bytes(e);
    }
    let zl = zl.finish();
    let mut zm = zipmap::write::Writer::new();
    zm.push(b"foo", b"bar");
    let zm = zm.finish();
    let mut is = intset::write::Writer::new();
    for v in [5, -3, 70000] {
        is.push(v);
    }
    let is = is.finish();
    let mut zs = ziplist::write::Writer::new();
    for e in [&b"m1"[..], b"1.5", b"m2", b"2"] {
        zs.push_bytes(e);
    }
    let zs = zs.finish();
    let f = Rdb::new("REDIS0006")
        .key(TypeId::HashZiplist, b"hz")
        .str(&zl)
        .key(TypeId::HashZipmap, b"hm")
        .str(&zm)
        .key(TypeId::SetIntset, b"si")
        .str(&is)
        .key(TypeId::ZsetZiplist, b"zz")
        .str(&zs)
        .key(TypeId::ListZiplist, b"lz")
        .str(&zl)
        .byte(0xfd)
        .raw(&1_700_000_000i32.to_le_bytes())
        .key(TypeId::Zset, b"z3")
        .len(2)
        .str(b"x")
        .raw(&[3, b'0', b'.', b'5'])
        .str(b"y")
        .byte(254)
        .finish();
    let lines = read_ok(&f);
    let want = [
        "key hz hash ziplist exp=None",
        "  a => 1 None",
        "  b => -70000 None",
        "key hm hash zipmap exp=None",
        "  foo => bar None",
        "key si set intset exp=None",
        "  + -3",
        "  + 5",
        "  + 70000",
        "key zz zset ziplist exp=None",
        "  m1 1.5",
        "  m2 2",
        "key lz list ziplist exp=None",
        "  - a",
        "  - 1",
        "  - b",
        "  - -70000",
        "key z3 zset skiplist exp=Some(1700000000000)",
        "  x 0.5",
        "  y inf",
    ];
    assert_eq!(lines, want);
}

#[test]
fn hash_field_expiration_layouts() {
    let mut lp = listpack::write::Writer::new();
    for e in [&b"f1"[..], b"v1", b"1000", b"f2", b"v2", b"0"] {
        lp.push_bytes(e);
    }
    let lp = lp.finish();
    let redis = Rdb::new("REDIS0012")
        .key(TypeId::HashListpackEx, b"lpex")
        .raw(&1000i64.to_le_bytes())
        .str(&lp)
        .key(TypeId::HashMetadata, b"meta")
        .raw(&500i64.to_le_bytes())
        .len(2)
        .len(11)
        .str(b"a")
        .str(b"1")
        .len(0)
        .str(b"b")
        .str(b"2")
        .key(TypeId::HashMetadataPreGaOrHash2, b"pre")
        .len(1)
        .len(777)
        .str(b"c")
        .str(b"3")
        .finish();
    assert_eq!(
        read_ok(&redis),
        [
            "key lpex hash listpack_ex exp=None",
            "  f1 => v1 Some(1000)",
            "  f2 => v2 None",
            "key meta hash hashtable exp=None",
            "  a => 1 Some(510)",
            "  b => 2 None",
            "key pre hash hashtable exp=None",
            "  c => 3 Some(777)",
        ]
    );
    // The same type byte 22 is Valkey's HASH_2: expiry after the value, -1 for none.
    let valkey = Rdb::new("VALKEY080")
        .key(TypeId::HashMetadataPreGaOrHash2, b"h2")
        .len(2)
        .str(b"a")
        .str(b"1")
        .raw(&1234i64.to_le_bytes())
        .str(b"b")
        .str(b"2")
        .raw(&(-1i64).to_le_bytes())
        .finish();
    assert_eq!(
        read_ok(&valkey),
        [
            "key h2 hash hashtable exp=None",
            "  a => 1 Some(1234)",
            "  b => 2 None"
        ]
    );
}

#[test]
fn salvage_skips_a_damaged_key_inside_intact_framing() {
    let mut lp = listpack::write::Writer::new();
    lp.push_bytes(b"ok");
    let mut bad = lp.finish();
    let n = bad.len();
    bad[n - 2] ^= 0x40; // break the element's backlen
    let f = Rdb::new("REDIS0011")
        .key(TypeId::String, b"before")
        .str(b"1")
        .key(TypeId::SetListpack, b"broken")
        .str(&bad)
        .key(TypeId::Set, b"dups")
        .len(3)
        .str(b"x")
        .str(b"x")
        .str(b"y")
        // LZF whose back reference points before the start: bytes consumed, key lost.
        .key(TypeId::String, b"badlzf")
        .raw(&[0xc3, 0x03, 0x08, 0x20, 0x05, 0x00])
        .key(TypeId::String, b"after")
        .str(b"2")
        .finish();
    let (_, r) = read(&f);
    let e = r.expect_err("default stops at the first problem");
    assert!(e.to_string().contains("key \"broken\""), "{e}");
    let mut c = Collect {
        keep_going: true,
        ..Collect::default()
    };
    Reader::new(&f[..]).run(&mut c).expect("framing intact");
    assert_eq!(c.errors.len(), 3, "{:?}", c.errors);
    assert!(
        c.errors[2].to_string().contains("key \"badlzf\""),
        "{}",
        c.errors[2]
    );
    assert!(
        matches!(c.errors[2].kind, ErrorKind::Lzf(_)),
        "{}",
        c.errors[2]
    );
    assert!(
        c.errors[1].to_string().contains("duplicate member \"x\""),
        "{}",
        c.errors[1]
    );
    assert!(
        c.lines
            .contains(&"key after string string exp=None".to_string())
    );
    assert!(c.lines.contains(&"  = 2".to_string()));
}

/// Every fixture, cut at many places and with bytes flipped: the reader returns an
/// error or a result, never panics or hangs, and a cut file always fails.
#[test]
fn truncated_and_mutated_input_never_panics() {
    let mut files = vec![
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/sample.rdb"))
            .expect("sample"),
    ];
    let shared = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/redis-7.0/rdb/all-types.rdb");
    match std::fs::read(&shared) {
        Ok(b) => files.push(b),
        Err(_) => eprintln!(
            "SKIPPED: ../shared/fixtures not found; mutation test runs on the sample only"
        ),
    }
    for data in &files {
        let step = (data.len() / 500).max(1);
        for cut in (0..data.len()).step_by(step) {
            let (_, r) = read(&data[..cut]);
            let e = r.expect_err("a cut file must fail");
            assert!(
                e.is_truncated() || matches!(e.kind, ErrorKind::LimitExceeded { .. }),
                "cut at {cut}: {e}"
            );
        }
        let mut x: u64 = 0x9e3779b97f4a7c15;
        for _ in 0..600 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let mut m = data.clone();
            let pos = (x as usize) % m.len();
            m[pos] ^= (x >> 32) as u8 | 1;
            let mut c = Collect {
                keep_going: true,
                ..Collect::default()
            };
            let _ = Reader::new(&m[..]).run(&mut c);
        }
    }
}

/// Records what the newer record kinds deliver.
#[derive(Default)]
struct Newer {
    key_meta: Vec<Vec<u8>>,
    groups: Vec<StreamGroup>,
    metas: Vec<StreamMeta>,
    entries: Vec<String>,
    modules: Vec<(String, u64, Vec<u8>)>,
    module_aux: Vec<(String, Option<u64>)>,
    fields: Vec<String>,
}

impl Visitor for Newer {
    fn begin_key(&mut self, k: &KeyInfo<'_>) -> formats::Result<()> {
        if let Some(m) = k.key_meta {
            self.key_meta.push(m.to_vec());
        }
        Ok(())
    }
    fn stream_entry(
        &mut self,
        id: formats::rdb::read::StreamId,
        fields: &[(
            formats::rdb::encodings::Elem<'_>,
            formats::rdb::encodings::Elem<'_>,
        )],
    ) -> formats::Result<()> {
        let mut b = itoa::Buffer::new();
        let f: Vec<String> = fields.iter().map(|(f, _)| s(f.as_bytes(&mut b))).collect();
        self.entries.push(format!("{id} {}", f.join(",")));
        Ok(())
    }
    fn stream_meta(&mut self, m: &StreamMeta) -> formats::Result<()> {
        self.metas.push(m.clone());
        Ok(())
    }
    fn stream_group(&mut self, g: &StreamGroup) -> formats::Result<()> {
        self.groups.push(g.clone());
        Ok(())
    }
    fn module_value(&mut self, m: &formats::rdb::read::ModuleData<'_>) -> formats::Result<()> {
        self.modules
            .push((m.name.to_string(), m.module_id, m.raw.to_vec()));
        Ok(())
    }
    fn module_aux(&mut self, m: &formats::rdb::read::ModuleData<'_>) -> formats::Result<()> {
        self.module_aux.push((m.name.to_string(), m.when));
        Ok(())
    }
    fn hash_field(&mut self, f: &[u8], v: &[u8], e: Option<i64>) -> formats::Result<()> {
        self.fields.push(format!("{}={} {e:?}", s(f), s(v)));
        Ok(())
    }
}

fn read_newer(bytes: &[u8]) -> Newer {
    let mut n = Newer::default();
    Reader::new(bytes)
        .run(&mut n)
        .unwrap_or_else(|e| panic!("{e}"));
    n
}

/// A module type id for a 9-character name and an encoding version.
fn module_id(name: &str, encver: u64) -> u64 {
    const CS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    name.bytes().fold(0u64, |id, c| {
        (id << 6) | CS.iter().position(|&x| x == c).unwrap() as u64
    }) << 10
        | encver
}

#[test]
fn key_meta_module_values_and_module_aux() {
    let id = module_id("ReJSON-RL", 3);
    // A module value: UINT 7, STRING "doc", DOUBLE 1.5, FLOAT, EOF.
    let mut payload = vec![2u8, 7, 5, 3, b'd', b'o', b'c', 4];
    payload.extend_from_slice(&1.5f64.to_le_bytes());
    payload.push(3);
    payload.extend_from_slice(&2.5f32.to_le_bytes());
    payload.push(0);
    let f = Rdb::new("REDIS0013")
        .byte(0xf7)
        .len(id)
        .raw(&[2, 2, 2, 9, 0]) // when opcode UINT, when=2, UINT 9, EOF
        .select(0)
        .byte(0xf3)
        .len(1)
        .raw(&0x1234_5678u32.to_le_bytes())
        .raw(&[2, 42, 0]) // the class's items: UINT 42, EOF
        .key(TypeId::String, b"k")
        .str(b"v")
        .key(TypeId::Module2, b"json")
        .len(id)
        .raw(&payload)
        .finish();
    let n = read_newer(&f);
    assert_eq!(n.key_meta.len(), 1);
    assert_eq!(n.key_meta[0][0], 1, "class count first");
    assert_eq!(
        n.modules,
        vec![("ReJSON-RL".to_string(), id, payload.clone())]
    );
    assert_eq!(n.module_aux, vec![("ReJSON-RL".to_string(), Some(2))]);
    // The pre-GA module format cannot be walked: a clear error naming the module.
    let f = Rdb::new("REDIS0008")
        .key(TypeId::ModulePreGa, b"m")
        .len(module_id("hellotype", 0))
        .finish();
    let (_, r) = read(&f);
    let e = r.expect_err("pre-GA module");
    assert!(e.to_string().contains("hellotype"), "{e}");
}

fn stream_node() -> Vec<u8> {
    let mut lp = listpack::write::Writer::new();
    // master: count 2, deleted 1, fields [f], terminator 0
    for e in [&b"2"[..], b"1", b"1", b"f", b"0"] {
        lp.push_bytes(e);
    }
    // entry +0-0 same fields, v1
    for e in [&b"2"[..], b"0", b"0", b"v1", b"4"] {
        lp.push_bytes(e);
    }
    // entry +0-1 deleted
    for e in [&b"3"[..], b"0", b"1", b"v2", b"4"] {
        lp.push_bytes(e);
    }
    // entry +5-0 with its own fields a, b
    for e in [&b"0"[..], b"5", b"0", b"2", b"a", b"1", b"b", b"2", b"8"] {
        lp.push_bytes(e);
    }
    lp.finish()
}

#[test]
fn streams_v4_idmp_and_v5_nack_zone() {
    let master = formats::rdb::read::StreamId { ms: 100, seq: 0 };
    let id = |ms: u64, seq: u64| formats::rdb::read::StreamId { ms, seq }.to_raw();
    for (t, magic) in [
        (TypeId::StreamListpacks4, "REDIS0013"),
        (TypeId::StreamListpacks5, "REDIS0013"),
    ] {
        let mut b = Rdb::new(magic)
            .key(t, b"s")
            .len(1)
            .str(&master.to_raw())
            .str(&stream_node())
            .len(2) // length
            .len(105)
            .len(0) // last id
            .len(100)
            .len(0) // first id
            .len(100)
            .len(1) // max deleted
            .len(3) // entries added
            .len(1) // groups
            .str(b"g")
            .len(105)
            .len(0)
            .len(2) // entries read
            .len(2) // PEL
            .raw(&id(100, 0))
            .raw(&1000i64.to_le_bytes())
            .len(1)
            .raw(&id(105, 0))
            .raw(&0i64.to_le_bytes())
            .len(1)
            .len(1) // consumers
            .str(b"c")
            .raw(&7i64.to_le_bytes())
            .raw(&8i64.to_le_bytes())
            .len(1)
            .raw(&id(100, 0));
        if t == TypeId::StreamListpacks5 {
            b = b.len(1).raw(&id(105, 0));
        }
        // IDMP: duration, max entries, one producer with one iid, added, duplicates
        let f = b
            .len(100)
            .len(100)
            .len(1)
            .str(b"p")
            .len(1)
            .str(b"i1")
            .len(100)
            .len(0)
            .len(1)
            .len(0)
            .finish();
        let mut n = Newer::default();
        let mut r = ReaderBuilder::new().build(&f[..]);
        let res = r.run(&mut n);
        if t == TypeId::StreamListpacks4 {
            // v4 has no NACK zone: the unowned PEL entry is damage (deep mode).
            let e = res.expect_err("unowned PEL entry in v4");
            assert!(e.to_string().contains("has no consumer"), "{e}");
            continue;
        }
        res.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(n.entries, ["100-0 f", "105-0 a,b"]);
        let m = &n.metas[0];
        assert_eq!((m.length, m.entries_added, m.max_deleted_id.seq), (2, 3, 1));
        let idmp = m.idmp.as_ref().expect("idmp");
        assert_eq!(
            (idmp.duration_s, idmp.producers.len(), idmp.iids_added),
            (100, 1, 1)
        );
        let g = &n.groups[0];
        assert_eq!(g.entries_read, Some(2));
        assert_eq!(g.pel[0].consumer, Some(0));
        assert!(g.pel[1].nacked && g.pel[1].consumer.is_none());
        assert_eq!(g.consumers[0].active_time_ms, Some(8));
    }
}

#[test]
fn pre_ga_listpack_ex_hash() {
    let mut lp = listpack::write::Writer::new();
    for e in [&b"f1"[..], b"v1", b"0", b"f2", b"v2", b"12345"] {
        lp.push_bytes(e);
    }
    let f = Rdb::new("REDIS0012")
        .key(TypeId::HashListpackExPreGa, b"h")
        .str(&lp.finish())
        .finish();
    assert_eq!(read_newer(&f).fields, ["f1=v1 None", "f2=v2 Some(12345)"]);
}

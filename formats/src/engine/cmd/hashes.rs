//! Hash commands: HSET, HMSET, HSETNX, HDEL, HINCRBY, HINCRBYFLOAT, the field-expiration
//! commands of Redis 7.4 (HEXPIRE, HPEXPIRE, HEXPIREAT, HPEXPIREAT, HPERSIST) and those of
//! Redis 8.0 (HGETDEL, HGETEX, HSETEX).
//!
//! Replay follows what Redis does while loading (`t_hash.c`, 7.4 and 8.x):
//! - a field expiry in the past is stored, never applied (`checkAlreadyExpired()` is
//!   false while loading);
//! - a field whose expiry is before the current time is *not deleted* when a command
//!   reads it, but the command treats it as missing (`hashTypeGetValue()` answers
//!   `GETF_EXPIRED` while loading): HINCRBY counts from 0 and keeps that expiry, HSETNX
//!   and HSETEX FNX set it, HPERSIST, HGETDEL and HGETEX leave it alone;
//! - field order is what Redis's listpacks hold: new fields go last, an update keeps the
//!   place, and a field whose expiry changes moves as in a `listpackEx` (fields with an
//!   expiry first, by time, a re-timed field before those with the same time; a field
//!   that loses its expiry goes last). Hashes past Redis's listpack limits are hash
//!   tables, here as in Redis, whose order means nothing.
//!
//! A client's command (an `Out::client`) gets the replies, change counts and
//! propagation of Redis 7.0 for the commands it has, of 7.4 for HEXPIRE & co and
//! HPERSIST, of 8.0 for HGETDEL, HGETEX and HSETEX. Unlike replay, a field whose expiry
//! has passed is then deleted as Redis 7.4+ does: when a command reads it (lazily,
//! propagated as `HDEL key field` ahead of the command, no change counted), and at once
//! when a command gives it a time already past (propagated as its `HDEL`).
//!
//! HINCRBYFLOAT is computed as Redis does on x86-64 (x87 `long double`, `%.17Lf` then
//! trimmed: `ld2string(LD_STR_HUMAN)`), using the shared `cfloat` module. Redis
//! 7.x propagates it as `HSET k f <result>` and 8.x as `HSETEX k KEEPTTL FIELDS 1 f
//! <result>`; both forms replay here.

use super::cfloat::{self, Parsed, Prec};
use super::{Ctx, ExecError, Handler, is, now_ms, parse_i64};
use crate::engine::{Hash, HashField, Keyspace, Obj, Out, Prop};

/// `HFE_MAX_ABS_TIME_MSEC`: `EB_EXPIRE_TIME_MAX >> 2`, the largest field expiry.
const HFE_MAX_ABS_TIME_MSEC: i64 = ((1i64 << 48) - 1) >> 2;

pub(super) fn lookup(name: &str) -> Option<(Handler, i32)> {
    Some(match name {
        "HSET" | "HMSET" => (hset, -4),
        "HSETNX" => (hsetnx, 4),
        "HDEL" => (hdel, -3),
        "HINCRBY" => (hincrby, 4),
        "HINCRBYFLOAT" => (hincrbyfloat, 4),
        "HEXPIRE" | "HPEXPIRE" | "HEXPIREAT" | "HPEXPIREAT" => (hexpire, -6),
        "HPERSIST" => (hpersist, -5),
        "HGETDEL" => (hgetdel, -5),
        "HGETEX" => (hgetex, -5),
        "HSETEX" => (hsetex, -6),
        _ => return None,
    })
}

// ------------------------------------------------------------------ field helpers

/// Whether a field counts as expired for a command running at `now` (its expiry is
/// before `now`, as `hashTypeGetValue()` decides).
fn expired(f: &HashField<'_>, now: i64) -> bool {
    f.expire_ms.is_some_and(|t| t < now)
}

/// The field, unless missing or expired at `now` (Redis's `GETF_OK`).
fn live<'h>(h: Option<&'h Hash>, field: &[u8], now: i64) -> Option<HashField<'h>> {
    h?.get(field).filter(|f| !expired(f, now))
}

/// Redis's `hashTypeSet`: sets `value`; `keep_ttl` keeps an existing field's expiry and
/// place, otherwise its expiry is dropped (and the field moves last if it had one).
/// Returns whether the field is new.
fn set_value(h: &mut Hash, field: &[u8], value: &[u8], keep_ttl: bool) -> bool {
    match h.get(field).map(|f| f.expire_ms) {
        Some(ttl) => {
            h.insert(field, value, ttl);
            if !keep_ttl && ttl.is_some() {
                relocate(h, field, None);
            }
            false
        }
        None => h.insert(field, value, None),
    }
}

/// Gives the (existing) `field` the expiry `ttl` and moves it where a `listpackEx` puts
/// it (see [`Hash::set_expire`]).
fn relocate(h: &mut Hash, field: &[u8], ttl: Option<i64>) {
    h.set_expire(field, ttl);
}

/// `getRangeLongFromObjectOrReply(.., 1, max, ..)` for a field count.
fn count_arg(c: &Ctx<'_>, a: &[&[u8]], at: usize, max: i64) -> Result<usize, ExecError> {
    a.get(at)
        .and_then(|v| parse_i64(v))
        .filter(|&n| (1..=max).contains(&n))
        .map(|n| n as usize)
        .ok_or_else(|| c.err("Number of fields must be a positive integer"))
}

/// The `FIELDS numfields f ...` tail starting at `a[at]` (the FIELDS token): the fields.
fn fields_tail<'x>(c: &Ctx<'_>, a: &[&'x [u8]], at: usize) -> Result<Vec<&'x [u8]>, ExecError> {
    if !a.get(at).is_some_and(|f| is(f, "FIELDS")) {
        return Err(c.err("Mandatory argument FIELDS is missing or not at the right position"));
    }
    let n = count_arg(c, a, at + 1, i64::MAX)?;
    if a.len() < at + 2 || n != a.len() - at - 2 {
        return Err(c.err("The `numfields` parameter must match the number of arguments"));
    }
    Ok(a[at + 2..].to_vec())
}

/// Redis's `parseExpireTime`: a non-negative integer in `seconds` or ms, plus `base`.
fn expire_time(c: &Ctx<'_>, arg: &[u8], seconds: bool, base: i64) -> Result<i64, ExecError> {
    let v = parse_i64(arg).ok_or_else(|| c.err("value is not an integer or out of range"))?;
    if v < 0 {
        return Err(c.err("invalid expire time, must be >= 0"));
    }
    let bad = || {
        c.err(format!(
            "invalid expire time in '{}' command",
            c.name.to_lowercase()
        ))
    };
    let ms = if seconds {
        if v > HFE_MAX_ABS_TIME_MSEC / 1000 {
            return Err(bad());
        }
        v * 1000
    } else {
        v
    };
    if ms > HFE_MAX_ABS_TIME_MSEC - base {
        return Err(bad());
    }
    Ok(ms + base)
}

/// A condition on the current field expiry (HEXPIRE's NX / XX / GT / LT).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cond {
    None,
    Nx,
    Xx,
    Gt,
    Lt,
}

/// `hashTypeSetEx` while loading: sets the expiry of an existing field when `cond`
/// allows it (a time in the past is stored). Returns whether it was set.
fn set_expiry(h: &mut Hash, field: &[u8], at: i64, cond: Cond) -> bool {
    let Some(f) = h.get(field) else {
        return false;
    };
    let ok = match f.expire_ms {
        // For fields without expiry, LT is considered valid.
        None => !matches!(cond, Cond::Xx | Cond::Gt),
        Some(prev) => match cond {
            Cond::Nx => false,
            Cond::Gt => prev < at,
            Cond::Lt => prev > at,
            Cond::None | Cond::Xx => true,
        },
    };
    if ok {
        relocate(h, field, Some(at));
    }
    ok
}

// ------------------------------------------------------------------ client-mode helpers

/// The hash at `key` in `db`, its type already checked; borrows only the keyspace, so
/// that the reply can be written while it is held.
fn hash_at<'k>(ks: &'k mut Keyspace, db: usize, key: &[u8]) -> Option<&'k mut Hash> {
    match ks.db_mut(db).get_mut(key).map(|e| &mut e.obj) {
        Some(Obj::Hash(h)) => Some(&mut **h),
        _ => None,
    }
}

/// Redis 7.4+'s lazy expiry of a field that a client's command reads (`hashTypeGetValue`
/// with `HFE_LAZY_EXPIRE`): a field whose expiry has passed is deleted and `HDEL key
/// field` propagated ahead of the command, with no change counted. While loading (a
/// silent `out`) Redis keeps the field and reads it as missing, so nothing is done.
/// Returns whether the field was deleted; the caller deletes the key if it is empty.
fn lazy_expire(h: &mut Hash, out: &mut Out, db: usize, key: &[u8], field: &[u8], now: i64) -> bool {
    if !out.is_on() || !h.get(field).is_some_and(|f| expired(&f, now)) {
        return false;
    }
    h.remove(field);
    out.push_prop(Prop {
        db,
        args: vec![b"HDEL".to_vec(), key.to_vec(), field.to_vec()],
    });
    true
}

/// [`lazy_expire`] of `field` in the hash at `key`, if there is one.
fn lazy_expire_at(c: &mut Ctx<'_>, key: &[u8], field: &[u8], now: i64) {
    let Ctx { ks, out, db, .. } = c;
    if let Some(h) = hash_at(ks, *db, key) {
        lazy_expire(h, out, *db, key, field, now);
    }
}

/// Redis's `checkAlreadyExpired`: a field expiry at or before now deletes the field at
/// once, for a client's command only (never while loading).
fn already_expired(out: &Out, at: i64, now: i64) -> bool {
    out.is_on() && at <= now
}

/// Replies with a field's value (a bulk), or nil when it is missing.
fn reply_field(out: &mut Out, f: Option<HashField<'_>>) {
    match f {
        Some(f) => out.bulk(f.value),
        None => out.nil(),
    }
}

// ------------------------------------------------------------------ commands

/// HSET key f v [f v ...] (replies with the number of new fields) and HMSET (OK); every
/// pair counts as a change, as in Redis.
fn hset(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    if a.len() % 2 == 1 {
        return Err(c.wrong_arity());
    }
    let mut created = 0;
    if let Some(h) = c.hash(a[1], true)? {
        for fv in a[2..].chunks(2) {
            created += i64::from(set_value(h, fv[0], fv[1], false));
        }
    }
    if c.name == "HSET" {
        c.out.int(created);
    } else {
        c.out.ok();
    }
    c.changed((a.len() as u64 - 2) / 2);
    Ok(())
}

fn hsetnx(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let now = now_ms();
    c.hash(a[1], false)?;
    lazy_expire_at(c, a[1], a[2], now);
    if live(c.hash(a[1], false)?.as_deref(), a[2], now).is_some() {
        c.out.int(0);
        return Ok(());
    }
    if let Some(h) = c.hash(a[1], true)? {
        set_value(h, a[2], a[3], false);
    }
    c.out.int(1);
    c.changed(1);
    Ok(())
}

/// HDEL key f...: the number of fields deleted; the last one deletes the key.
fn hdel(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let mut n = 0;
    if let Some(h) = c.hash(a[1], false)? {
        for f in &a[2..] {
            if h.remove(f).is_some() {
                n += 1;
                if h.is_empty() {
                    break;
                }
            }
        }
    }
    c.drop_if_empty(a[1]);
    c.out.int(n);
    c.changed(n as u64);
    Ok(())
}

fn hincrby(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let incr = parse_i64(a[3]).ok_or_else(|| c.err("value is not an integer or out of range"))?;
    let now = now_ms();
    c.hash(a[1], false)?;
    let cur = match live(c.hash(a[1], false)?.as_deref(), a[2], now) {
        Some(f) => Some(parse_i64(f.value).ok_or_else(|| c.err("hash value is not an integer"))?),
        None => None,
    };
    let new = cur
        .unwrap_or(0)
        .checked_add(incr)
        .ok_or_else(|| c.err("increment or decrement would overflow"))?;
    if cur.is_none() {
        lazy_expire_at(c, a[1], a[2], now);
    }
    if let Some(h) = c.hash(a[1], true)? {
        set_value(h, a[2], itoa::Buffer::new().format(new).as_bytes(), true);
    }
    c.out.int(new);
    c.changed(1);
    Ok(())
}

/// Redis's `string2ld`: the whole string as a C `long double`, no leading space, at most
/// `MAX_LONG_DOUBLE_CHARS - 1` bytes.
fn string2ld(s: &[u8]) -> Option<Parsed> {
    if s.is_empty() || s.len() >= 5 * 1024 || cfloat::is_c_space(s[0]) {
        return None;
    }
    cfloat::parse(s, Prec::Extended)
}

/// HINCRBYFLOAT's result text, or the error Redis answers.
fn incr_float(c: &Ctx<'_>, cur: Option<&[u8]>, incr: &[u8]) -> Result<Vec<u8>, ExecError> {
    let incr = match string2ld(incr) {
        Some(Parsed::Num(x)) => x,
        Some(Parsed::Inf { .. }) => return Err(c.err("value is NaN or Infinity")),
        None => return Err(c.err("value is not a valid float")),
    };
    let nan_inf = || c.err("increment would produce NaN or Infinity");
    let cur = match cur {
        None => cfloat::Ld::ZERO,
        Some(v) => match string2ld(v) {
            Some(Parsed::Num(x)) => x,
            Some(Parsed::Inf { .. }) => return Err(nan_inf()),
            None => return Err(c.err("hash value is not a float")),
        },
    };
    let sum = cfloat::add(cur, incr).ok_or_else(nan_inf)?;
    Ok(cfloat::format_human(sum))
}

/// HINCRBYFLOAT: replies with the new value and propagates it as `HSET key field value`
/// (Redis 7.x). A field with an expiry keeps it, and since HSET would drop it, that case
/// is propagated as HSET then `HPEXPIREAT key t FIELDS 1 field` (Redis 8.0 uses
/// `HSETEX KEEPTTL`, which Redis 7.4 cannot read).
fn hincrbyfloat(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let now = now_ms();
    c.hash(a[1], false)?;
    let cur = live(c.hash(a[1], false)?.as_deref(), a[2], now).map(|f| f.value.to_vec());
    let text = incr_float(c, cur.as_deref(), a[3])?;
    if cur.is_none() {
        lazy_expire_at(c, a[1], a[2], now);
    }
    let mut ttl = None;
    if let Some(h) = c.hash(a[1], true)? {
        set_value(h, a[2], &text, true);
        ttl = h.get(a[2]).and_then(|f| f.expire_ms);
    }
    c.out.bulk(&text);
    c.changed(1);
    c.propagate(&[b"HSET", a[1], a[2], &text]);
    if let Some(t) = ttl {
        c.propagate(&[
            b"HPEXPIREAT",
            a[1],
            itoa::Buffer::new().format(t).as_bytes(),
            b"FIELDS",
            b"1",
            a[2],
        ]);
    }
    Ok(())
}

/// HEXPIRE / HPEXPIRE / HEXPIREAT / HPEXPIREAT key time [NX|XX|GT|LT] FIELDS n f...
/// (Redis 7.4): an array of per-field codes (-2 no such field, 0 condition not met,
/// 1 set, 2 deleted because the time has passed). Propagated as the `HDEL` of each
/// deleted field, then `HPEXPIREAT key <ms> [cond] FIELDS <n> <the fields set>`.
fn hexpire(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    c.hash(a[1], false)?;
    let (seconds, relative) = match c.name {
        "HEXPIRE" => (true, true),
        "HPEXPIRE" => (false, true),
        "HEXPIREAT" => (true, false),
        _ => (false, false),
    };
    let now = now_ms();
    let base = if relative { now } else { 0 };
    let at = expire_time(c, a[2], seconds, base)?;
    let cond = match a[3] {
        o if is(o, "NX") => Cond::Nx,
        o if is(o, "XX") => Cond::Xx,
        o if is(o, "GT") => Cond::Gt,
        o if is(o, "LT") => Cond::Lt,
        _ => Cond::None,
    };
    let fields_at = if cond == Cond::None { 3 } else { 4 };
    let fields = fields_tail(c, a, fields_at)
        .map_err(|e| fix_numfields_msg(e, "Parameter `numFields` should be greater than 0"))?;
    let on = c.out.is_on();
    let past = already_expired(c.out, at, now);
    let Ctx { ks, out, db, .. } = c;
    let db = *db;
    out.array(fields.len());
    let Some(h) = hash_at(ks, db, a[1]) else {
        for _ in &fields {
            out.int(-2);
        }
        return Ok(());
    };
    let (mut set, mut changes) = (Vec::new(), 0);
    for f in fields {
        if h.get(f).is_none() {
            out.int(-2);
        } else if !set_expiry(h, f, at, cond) {
            out.int(0);
        } else if past {
            h.remove(f);
            out.propagate(db, &[b"HDEL", a[1], f]);
            changes += 1;
            out.int(2);
        } else {
            if on {
                set.push(f);
            }
            changes += 1;
            out.int(1);
        }
    }
    out.changed(changes);
    if !set.is_empty() {
        let ms = itoa::Buffer::new().format(at).as_bytes().to_vec();
        let n = itoa::Buffer::new().format(set.len()).as_bytes().to_vec();
        let mut args: Vec<&[u8]> = vec![b"HPEXPIREAT", a[1], &ms];
        if cond != Cond::None {
            args.push(a[3]);
        }
        args.extend([&b"FIELDS"[..], &n]);
        args.extend(set);
        out.propagate(db, &args);
    }
    c.drop_if_empty(a[1]);
    Ok(())
}

/// HEXPIRE's own wording for a bad field count.
fn fix_numfields_msg(e: ExecError, msg: &str) -> ExecError {
    match e {
        ExecError::Invalid { cmd, msg: m } if m.starts_with("Number of fields") => {
            ExecError::Invalid {
                cmd,
                msg: msg.to_string(),
            }
        }
        other => other,
    }
}

/// HPERSIST key FIELDS n f... (7.4): per field -2 (missing, or already expired: left as
/// is, as Redis does), -1 (no expiry), 1 (expiry dropped); one change if any was dropped.
fn hpersist(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    c.hash(a[1], false)?;
    let fields = fields_tail(c, a, 2)?;
    let now = now_ms();
    let Ctx { ks, out, db, .. } = c;
    out.array(fields.len());
    let mut changed = false;
    let h = hash_at(ks, *db, a[1]);
    let Some(h) = h else {
        for _ in &fields {
            out.int(-2);
        }
        return Ok(());
    };
    for f in fields {
        match h.get(f).map(|x| x.expire_ms) {
            None => out.int(-2),
            Some(None) => out.int(-1),
            Some(Some(t)) if t < now => out.int(-2),
            Some(Some(_)) => {
                relocate(h, f, None);
                changed = true;
                out.int(1);
            }
        }
    }
    if changed {
        out.changed(1);
    }
    Ok(())
}

/// HGETDEL key FIELDS n f... (8.0): the values (nil for missing fields), deleting them;
/// propagated as `HDEL key f...` (every field named). Expired fields read as missing
/// (a client's command deletes them lazily, see [`lazy_expire`]).
fn hgetdel(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    c.hash(a[1], false)?;
    let fields = fields_tail(c, a, 2)?;
    let now = now_ms();
    let Ctx { ks, out, db, .. } = c;
    let db = *db;
    out.array(fields.len());
    let mut deleted = 0u64;
    if let Some(h) = hash_at(ks, db, a[1]) {
        for f in &fields {
            lazy_expire(h, out, db, a[1], f, now);
            let v = live(Some(h), f, now);
            reply_field(out, v);
            if v.is_some() {
                h.remove(f);
                deleted += 1;
            }
        }
    } else {
        for _ in &fields {
            out.nil();
        }
    }
    if deleted > 0 {
        out.changed(deleted);
        if out.is_on() {
            let mut args: Vec<&[u8]> = vec![b"HDEL", a[1]];
            args.extend(&fields);
            out.propagate(db, &args);
        }
    }
    c.drop_if_empty(a[1]);
    Ok(())
}

/// HGETEX key [EX s|PX ms|EXAT s|PXAT ms|PERSIST] FIELDS n f... (8.0): the values (nil
/// for missing fields), and the expiry of the fields found set or dropped. Propagated
/// as `HPEXPIREAT key <ms> FIELDS n f...` or `HPERSIST key FIELDS n f...` when a field
/// changed, as the `HDEL` of each field when the time has already passed.
fn hgetex(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    c.hash(a[1], false)?;
    enum Op {
        Get,
        Persist,
        Expire(i64),
    }
    let opt = a[2];
    let now = now_ms();
    let (op, fields_at) = if is(opt, "EX") || is(opt, "PX") || is(opt, "EXAT") || is(opt, "PXAT") {
        let seconds = is(opt, "EX") || is(opt, "EXAT");
        let base = if is(opt, "EX") || is(opt, "PX") {
            now
        } else {
            0
        };
        (Op::Expire(expire_time(c, a[3], seconds, base)?), 4)
    } else if is(opt, "PERSIST") {
        (Op::Persist, 3)
    } else {
        (Op::Get, 2)
    };
    let fields = fields_tail(c, a, fields_at)?;
    let Ctx { ks, out, db, .. } = c;
    let db = *db;
    out.array(fields.len());
    let Some(h) = hash_at(ks, db, a[1]) else {
        for _ in &fields {
            out.nil();
        }
        return Ok(());
    };
    let (mut updated, mut deleted) = (0u64, 0u64);
    for f in &fields {
        lazy_expire(h, out, db, a[1], f, now);
        let cur = live(Some(h), f, now);
        reply_field(out, cur);
        let Some(cur) = cur else {
            continue;
        };
        match op {
            Op::Get => {}
            Op::Persist => {
                if cur.expire_ms.is_some() {
                    relocate(h, f, None);
                    updated += 1;
                }
            }
            Op::Expire(at) if already_expired(out, at, now) => {
                h.remove(f);
                out.propagate(db, &[b"HDEL", a[1], f]);
                deleted += 1;
            }
            Op::Expire(at) => {
                set_expiry(h, f, at, Cond::None);
                updated += 1;
            }
        }
    }
    out.changed(updated + deleted);
    if updated > 0 && out.is_on() {
        let tail = &a[fields_at..];
        match op {
            Op::Expire(at) => {
                let ms = itoa::Buffer::new().format(at).as_bytes().to_vec();
                let mut args: Vec<&[u8]> = vec![b"HPEXPIREAT", a[1], &ms];
                args.extend(tail);
                out.propagate(db, &args);
            }
            _ => {
                let mut args: Vec<&[u8]> = vec![b"HPERSIST", a[1]];
                args.extend(tail);
                out.propagate(db, &args);
            }
        }
    }
    c.drop_if_empty(a[1]);
    Ok(())
}

/// HSETEX key [FNX|FXX] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL] FIELDS n f v... (8.0): 1
/// when the fields were set, 0 when FNX/FXX refused. Every field counts as a change.
/// A relative or seconds expiry is propagated as `PXAT <ms>`; one already past deletes
/// the fields, propagated as their `HDEL`s.
fn hsetex(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    #[derive(PartialEq)]
    enum Exist {
        Any,
        Fnx,
        Fxx,
    }
    let arity = || c.wrong_arity();
    let mut exist = Exist::Any;
    let mut ttl: Option<Option<i64>> = None; // Some(None): KEEPTTL
    // Where the expiry option is, when it is not already PXAT.
    let mut rewrite_at = None;
    let mut first = None;
    let mut i = 2;
    let now = now_ms();
    let one_expiry = "Only one of EX, PX, EXAT, PXAT or KEEPTTL arguments can be specified";
    while i < a.len() {
        let o = a[i];
        if is(o, "FIELDS") {
            if i + 3 >= a.len() {
                return Err(arity());
            }
            let n = parse_i64(a[i + 1])
                .filter(|&n| (1..=i64::from(i32::MAX)).contains(&n))
                .ok_or_else(|| c.err("invalid number of fields"))?;
            let remaining = a.len() - i - 2;
            if !remaining.is_multiple_of(2) || n as usize != remaining / 2 {
                return Err(arity());
            }
            first = Some(i + 2);
            break;
        } else if is(o, "EX") || is(o, "PX") || is(o, "EXAT") || is(o, "PXAT") {
            if ttl.is_some() {
                return Err(c.err(one_expiry));
            }
            let v = a.get(i + 1).ok_or_else(|| c.err("missing expire time"))?;
            let seconds = is(o, "EX") || is(o, "EXAT");
            let base = if is(o, "EX") || is(o, "PX") { now } else { 0 };
            ttl = Some(Some(expire_time(c, v, seconds, base)?));
            if !is(o, "PXAT") {
                rewrite_at = Some(i);
            }
            i += 1;
        } else if is(o, "KEEPTTL") {
            if ttl.is_some() {
                return Err(c.err(one_expiry));
            }
            ttl = Some(None);
        } else if is(o, "FXX") || is(o, "FNX") {
            if exist != Exist::Any {
                return Err(c.err("Only one of FXX or FNX arguments can be specified"));
            }
            exist = if is(o, "FXX") { Exist::Fxx } else { Exist::Fnx };
        } else {
            return Err(c.err(format!("unknown argument: {}", String::from_utf8_lossy(o))));
        }
        i += 1;
    }
    let Some(first) = first else {
        return Err(arity());
    };
    let pairs: Vec<&[&[u8]]> = a[first..].chunks(2).collect();
    let exists = c.hash(a[1], false)?.is_some();
    if !exists && exist == Exist::Fxx {
        c.out.int(0);
        return Ok(());
    }
    if exist != Exist::Any {
        let Ctx { ks, out, db, .. } = c;
        if let Some(h) = hash_at(ks, *db, a[1]) {
            let mut found = 0;
            for fv in &pairs {
                lazy_expire(h, out, *db, a[1], fv[0], now);
                let here = live(Some(h), fv[0], now).is_some();
                found += usize::from(here);
                if here == (exist == Exist::Fnx) {
                    break;
                }
            }
            let ok = match exist {
                Exist::Fnx => found == 0,
                _ => found == pairs.len(),
            };
            if !ok {
                out.int(0);
                c.drop_if_empty(a[1]);
                return Ok(());
            }
        }
    }
    let past = matches!(ttl, Some(Some(at)) if already_expired(c.out, at, now));
    let Ctx { ks, out, db, .. } = c;
    let db = *db;
    let h = match &mut ks
        .db_mut(db)
        .get_or_insert_with(a[1], || Obj::hash(Hash::default()))
        .obj
    {
        Obj::Hash(h) => &mut **h,
        _ => return Ok(()),
    };
    for fv in &pairs {
        set_value(h, fv[0], fv[1], ttl.is_some());
        if let Some(Some(at)) = ttl {
            if past {
                h.remove(fv[0]);
                out.propagate(db, &[b"HDEL", a[1], fv[0]]);
            } else {
                set_expiry(h, fv[0], at, Cond::None);
            }
        }
    }
    out.int(1);
    out.changed(pairs.len() as u64);
    if let (Some(at), Some(Some(ms)), false) = (rewrite_at, ttl, past)
        && out.is_on()
    {
        let ms = itoa::Buffer::new().format(ms).as_bytes().to_vec();
        let mut args: Vec<&[u8]> = a.to_vec();
        args[at] = b"PXAT";
        args[at + 1] = &ms;
        out.propagate(db, &args);
    }
    c.drop_if_empty(a[1]);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::tests::{error_of, run};
    use crate::engine::{Keyspace, Obj, Out, Session};

    /// The hash at `k` in db 0 as (field, value, ttl), in order.
    fn hash(ks: &Keyspace, k: &str) -> Vec<(String, String, Option<i64>)> {
        match &ks.dbs[0].get(k.as_bytes()).expect("key").obj {
            Obj::Hash(h) => h
                .iter()
                .map(|(f, v)| {
                    (
                        String::from_utf8_lossy(f).into_owned(),
                        String::from_utf8_lossy(v.value).into_owned(),
                        v.expire_ms,
                    )
                })
                .collect(),
            o => panic!("{o:?}"),
        }
    }

    fn order(ks: &Keyspace, k: &str) -> Vec<String> {
        hash(ks, k).into_iter().map(|x| x.0).collect()
    }

    fn val(ks: &Keyspace, k: &str, f: &str) -> Option<String> {
        hash(ks, k).into_iter().find(|x| x.0 == f).map(|x| x.1)
    }

    fn ttl(ks: &Keyspace, k: &str, f: &str) -> Option<i64> {
        hash(ks, k).into_iter().find(|x| x.0 == f).and_then(|x| x.2)
    }

    const FAR: i64 = 4_102_444_800_000; // 2100-01-01

    #[test]
    fn hset_hmset_keep_insertion_order_and_update_in_place() {
        let ks = run(&["HSET h a 1 b 2 c 3", "HMSET h b 20 d 4", "HSET h a 10"]);
        assert_eq!(order(&ks, "h"), ["a", "b", "c", "d"]);
        assert_eq!(val(&ks, "h", "a").unwrap(), "10");
        assert_eq!(val(&ks, "h", "b").unwrap(), "20");
        assert!(error_of(&[], "HSET h a 1 b").contains("wrong number"));
        assert!(error_of(&["SET s x"], "HSET s a 1").contains("WRONGTYPE"));
    }

    #[test]
    fn hsetnx_and_hdel() {
        let ks = run(&[
            "HSETNX h a 1",
            "HSETNX h a 2",
            "HSET h b 2 c 3",
            "HDEL h a x",
            "HDEL missing a",
            "HSET g f v",
            "HDEL g f",
        ]);
        assert_eq!(hash(&ks, "h").len(), 2);
        assert_eq!(order(&ks, "h"), ["b", "c"]);
        assert!(ks.dbs[0].get(b"g").is_none(), "emptied hash is deleted");
        assert!(ks.dbs[0].get(b"missing").is_none(), "HDEL creates nothing");
    }

    #[test]
    fn hincrby_counts_and_checks() {
        let ks = run(&[
            "HINCRBY h n 5",
            "HINCRBY h n -7",
            "HSET h m 10",
            "HINCRBY h m 1",
        ]);
        assert_eq!(val(&ks, "h", "n").unwrap(), "-2");
        assert_eq!(val(&ks, "h", "m").unwrap(), "11");
        assert!(error_of(&["HSET h a x"], "HINCRBY h a 1").contains("not an integer"));
        assert!(error_of(&["HSET h a 1"], "HINCRBY h a x").contains("not an integer"));
        assert!(error_of(&["HSET h a 9223372036854775807"], "HINCRBY h a 1").contains("overflow"));
        assert!(error_of(&["HSET h a 01"], "HINCRBY h a 1").contains("not an integer"));
        let ks = run(&[]);
        assert!(ks.dbs[0].is_empty());
        // a failed HINCRBY on a missing key creates nothing
        let mut ks = run(&[]);
        let _ = Session::new().execute(&mut ks, &[b"HINCRBY", b"h", b"f", b"x"]);
        assert!(ks.dbs[0].is_empty());
    }

    #[test]
    fn hincrbyfloat_formats_like_redis() {
        let ks = run(&[
            "HSET h a 10.50 i 3",
            "HINCRBYFLOAT h a 0.1",
            "HINCRBYFLOAT h b 5.0e3",
            "HINCRBYFLOAT h b 2.0e2",
            "HINCRBYFLOAT h i 1.5",
            "HINCRBYFLOAT h z -0.0",
            "HINCRBYFLOAT h t 0.1",
            "HINCRBYFLOAT h t 0.2",
            "HINCRBYFLOAT h x 1e-20",
            "HINCRBYFLOAT h y 123456789012345678",
            "HINCRBYFLOAT h hex 0x10",
        ]);
        assert_eq!(val(&ks, "h", "a").unwrap(), "10.6");
        assert_eq!(val(&ks, "h", "b").unwrap(), "5200");
        assert_eq!(val(&ks, "h", "i").unwrap(), "4.5");
        assert_eq!(val(&ks, "h", "z").unwrap(), "0");
        assert_eq!(val(&ks, "h", "t").unwrap(), "0.3");
        assert_eq!(val(&ks, "h", "x").unwrap(), "0", "%.17Lf rounds 1e-20 away");
        assert_eq!(val(&ks, "h", "y").unwrap(), "123456789012345678");
        assert_eq!(val(&ks, "h", "hex").unwrap(), "16");
        assert!(error_of(&["HSET h a x"], "HINCRBYFLOAT h a 1").contains("not a float"));
        assert!(error_of(&[], "HINCRBYFLOAT h a x").contains("not a valid float"));
        assert!(error_of(&[], "HINCRBYFLOAT h a inf").contains("NaN or Infinity"));
        assert!(error_of(&["HSET h a inf"], "HINCRBYFLOAT h a 1").contains("NaN or Infinity"));
        assert!(
            error_of(&["HSET h a 1e4932"], "HINCRBYFLOAT h a 1e4932").contains("NaN or Infinity")
        );
    }

    #[test]
    fn hincrby_keeps_the_field_ttl_and_place() {
        let ks = run(&[
            "HSET h a 1 b 2",
            &format!("HPEXPIREAT h {FAR} FIELDS 1 b"),
            "HINCRBY h b 5",
            "HINCRBYFLOAT h b 0.5",
            "HSETEX h KEEPTTL FIELDS 1 b 9",
        ]);
        assert_eq!(
            hash(&ks, "h"),
            [
                ("b".into(), "9".into(), Some(FAR)),
                ("a".into(), "1".into(), None)
            ]
        );
    }

    #[test]
    fn field_expiry_orders_like_listpack_ex() {
        let ks = run(&[
            "HSET h a 1 b 2 c 3 d 4",
            "HPEXPIREAT h 5000 FIELDS 1 c",
            "HPEXPIREAT h 3000 FIELDS 1 d",
            "HPEXPIREAT h 5000 FIELDS 1 a",
            "HSET h e 5",
        ]);
        // d(3000), a(5000, re-timed: before the equal c), c(5000), then b, e.
        assert_eq!(order(&ks, "h"), ["d", "a", "c", "b", "e"]);
        let ks = run(&[
            "HSET h a 1 b 2 c 3",
            "HPEXPIREAT h 5000 FIELDS 2 a b",
            "HPERSIST h FIELDS 1 a",
            "HSET h b 20",
        ]);
        // HPERSIST (of an expired field: left alone) and HSET (drops the TTL: b moves last)
        assert_eq!(order(&ks, "h"), ["a", "c", "b"]);
        assert_eq!(
            ttl(&ks, "h", "a"),
            Some(5000),
            "expired at now: HPERSIST skips it"
        );
        assert_eq!(ttl(&ks, "h", "b"), None);
        let ks = run(&[
            "HSET h a 1 b 2 c 3",
            &format!("HPEXPIREAT h {FAR} FIELDS 2 a b"),
            "HPERSIST h FIELDS 2 a c",
        ]);
        assert_eq!(order(&ks, "h"), ["b", "c", "a"]);
        assert_eq!(ttl(&ks, "h", "a"), None);
    }

    #[test]
    fn hexpire_conditions_units_and_past_times() {
        let now = super::now_ms();
        let ks = run(&[
            "HSET h a 1 b 2 c 3 d 4",
            "HEXPIREAT h 100 FIELDS 1 a",
            "HPEXPIREAT h 7000 XX FIELDS 2 a b",
            "HPEXPIREAT h 9000 NX FIELDS 3 a b nosuch",
            "HPEXPIREAT h 8000 GT FIELDS 2 b c",
            "HPEXPIREAT h 6000 LT FIELDS 2 a d",
            "HEXPIRE h 1000 FIELDS 1 c",
            "HPEXPIRE h 5000 FIELDS 1 nosuch",
            "HPEXPIREAT missing 1 FIELDS 1 a",
        ]);
        assert_eq!(ttl(&ks, "h", "a"), Some(6000), "XX then LT");
        assert_eq!(ttl(&ks, "h", "b"), Some(9000), "NX on none, GT not greater");
        let c = ttl(&ks, "h", "c").unwrap();
        assert!(
            c >= now + 1_000_000 && c < now + 1_100_000,
            "HEXPIRE is relative seconds"
        );
        assert_eq!(
            ttl(&ks, "h", "d"),
            Some(6000),
            "LT applies to fields without TTL"
        );
        assert_eq!(
            hash(&ks, "h").len(),
            4,
            "past times are stored, never applied"
        );
        assert!(ks.dbs[0].get(b"missing").is_none());
        assert!(error_of(&[], "HPEXPIREAT h -1 FIELDS 1 a").contains(">= 0"));
        assert!(error_of(&[], "HPEXPIREAT h 1 FIELDS 2 a").contains("numfields"));
        assert!(error_of(&[], "HPEXPIREAT h 1 FIELDS 0 a").contains("greater than 0"));
        assert!(error_of(&[], "HPEXPIREAT h 1 XX FILDS 1 a").contains("FIELDS"));
        assert!(error_of(&[], "HEXPIREAT h 70368744177664 FIELDS 1 a").contains("expire time"));
        assert!(error_of(&[], "HPEXPIREAT h 70368744177664 FIELDS 1 a").contains("expire time"));
        assert!(error_of(&["SET s x"], "HPEXPIREAT s 1 FIELDS 1 a").contains("WRONGTYPE"));
    }

    #[test]
    fn expired_fields_read_as_missing_while_replaying() {
        // A field whose TTL is already past is kept, but commands see it as absent.
        let ks = run(&[
            "HSET h n 41 s 1 k 1 x 1",
            "HPEXPIREAT h 1000 FIELDS 4 n s k x",
            "HINCRBY h n 1",
            "HSETNX h s new",
            "HGETDEL h FIELDS 1 k",
            "HGETEX h PERSIST FIELDS 1 x",
        ]);
        assert_eq!(val(&ks, "h", "n").unwrap(), "1", "counted from 0");
        assert_eq!(ttl(&ks, "h", "n"), Some(1000), "and the TTL kept");
        assert_eq!(val(&ks, "h", "s").unwrap(), "new");
        assert_eq!(ttl(&ks, "h", "s"), None, "HSETNX set it, without TTL");
        assert_eq!(
            val(&ks, "h", "k").unwrap(),
            "1",
            "HGETDEL skips expired fields"
        );
        assert_eq!(
            ttl(&ks, "h", "x"),
            Some(1000),
            "HGETEX skips expired fields"
        );
    }

    #[test]
    fn hgetdel_and_hgetex() {
        let ks = run(&[
            "HSET h a 1 b 2 c 3",
            "HGETDEL h FIELDS 2 a nosuch",
            &format!("HGETEX h PXAT {FAR} FIELDS 1 c"),
            "HGETEX h FIELDS 1 b",
            "HSET g x 1",
            "HGETDEL g FIELDS 1 x",
            "HGETDEL missing FIELDS 1 x",
        ]);
        assert_eq!(order(&ks, "h"), ["c", "b"]);
        assert_eq!(ttl(&ks, "h", "c"), Some(FAR));
        assert!(ks.dbs[0].get(b"g").is_none());
        let ks = run(&[
            "HSET h a 1",
            "HGETEX h EXAT 5000000000 FIELDS 1 a",
            "HSET h b 2",
            "HGETEX h PERSIST FIELDS 2 a b",
        ]);
        assert_eq!(order(&ks, "h"), ["b", "a"]);
        assert_eq!(ttl(&ks, "h", "a"), None);
        let ks = run(&["HSET h a 1", "HGETEX h EX 100 FIELDS 1 a"]);
        let t = ttl(&ks, "h", "a").unwrap();
        assert!((t - super::now_ms() - 100_000).abs() < 5_000);
        assert!(error_of(&[], "HGETEX h EX 10 FIELDS 2 a").contains("numfields"));
        assert!(error_of(&[], "HGETDEL h FIELD 1 a").contains("FIELDS"));
    }

    #[test]
    fn hsetex_forms() {
        let ks = run(&[
            &format!("HSETEX h PXAT {FAR} FIELDS 2 a 1 b 2"),
            "HSETEX h FIELDS 1 a 10",
            "HSETEX h FNX FIELDS 2 b 3 c 3",
            "HSETEX h FNX KEEPTTL FIELDS 1 c 3",
            "HSETEX h FXX FIELDS 2 c 4 d 4",
            "HSETEX h FXX PXAT 1000 FIELDS 1 c 5",
            "HSETEX k FXX FIELDS 1 a 1",
            "HSETEX k FNX EX 100 FIELDS 1 a 1",
        ]);
        assert_eq!(
            hash(&ks, "h"),
            [
                ("c".into(), "5".into(), Some(1000)),
                ("b".into(), "2".into(), Some(FAR)),
                ("a".into(), "10".into(), None),
            ]
        );
        assert!(ttl(&ks, "k", "a").is_some());
        let ks = run(&["HSETEX k FXX FIELDS 1 a 1"]);
        assert!(ks.dbs[0].is_empty(), "FXX on a missing key creates nothing");
        assert!(error_of(&[], "HSETEX h EX 1 PX 1 FIELDS 1 a 1").contains("Only one"));
        assert!(error_of(&[], "HSETEX h FXX FNX FIELDS 1 a 1").contains("Only one of FXX"));
        assert!(error_of(&[], "HSETEX h FIELDS 2 a 1").contains("wrong number"));
        assert!(error_of(&[], "HSETEX h FIELDS 0 a 1").contains("invalid number"));
        assert!(error_of(&[], "HSETEX h BOGUS FIELDS 1 a 1").contains("unknown argument"));
        assert!(error_of(&[], "HSETEX h EX -1 FIELDS 1 a 1").contains(">= 0"));
    }

    #[test]
    fn big_hashes_are_tables() {
        let mut cmds: Vec<String> = (0..1100).map(|i| format!("HSET h f{i} v")).collect();
        cmds.push("HPEXPIREAT h 5000 FIELDS 1 f500".into());
        let refs: Vec<&str> = cmds.iter().map(String::as_str).collect();
        let ks = run(&refs);
        assert_eq!(order(&ks, "h").len(), 1100);
        assert_eq!(ttl(&ks, "h", "f500"), Some(5000));
        match &ks.dbs[0].get(b"h").expect("h").obj {
            Obj::Hash(h) => assert!(!h.is_ordered(), "past 512 fields, a hash table"),
            o => panic!("{o:?}"),
        }
    }

    // ------------------------------------------------------------ client replies

    /// What a client's command (split on spaces) gives: its RESP reply (an error
    /// included), its changes and what it propagates (each command space-joined).
    fn client(ks: &mut Keyspace, cmd: &str) -> (String, u64, Vec<String>) {
        let mut out = Out::client();
        let args: Vec<&[u8]> = cmd.split(' ').map(str::as_bytes).collect();
        if let Err(e) = Session::new().call(ks, &args, &mut out) {
            out.exec_error(&e);
        }
        let props = out
            .propagated()
            .iter()
            .map(|p| {
                let a: Vec<String> = p
                    .args
                    .iter()
                    .map(|a| String::from_utf8_lossy(a).into_owned())
                    .collect();
                a.join(" ")
            })
            .collect();
        (
            String::from_utf8_lossy(out.reply()).into_owned(),
            out.dirty(),
            props,
        )
    }

    /// `client`, asserting its reply and changes; returns what it propagated.
    fn expect(ks: &mut Keyspace, cmd: &str, reply: &str, dirty: u64) -> Vec<String> {
        let (r, d, p) = client(ks, cmd);
        assert_eq!((r.as_str(), d), (reply, dirty), "{cmd}");
        p
    }

    /// The absolute ms a propagated `HPEXPIREAT k <ms> ...` / `... PXAT <ms> ...` holds
    /// in `word` position `at`, checked to be `delta` ms from now (within 5 s).
    fn abs_ms(p: &str, at: usize, delta: i64) -> i64 {
        let ms: i64 = p.split(' ').nth(at).unwrap().parse().unwrap();
        assert!((ms - super::now_ms() - delta).abs() < 5_000, "{p}");
        ms
    }

    #[test]
    fn client_hset_family_replies_and_counts() {
        let mut ks = Keyspace::default();
        let p = expect(&mut ks, "HSET h a 1 b 2 a 3", ":2\r\n", 3);
        assert_eq!(p, ["HSET h a 1 b 2 a 3"]);
        expect(&mut ks, "HMSET h c 1", "+OK\r\n", 1);
        expect(
            &mut ks,
            "HSET h c",
            "-ERR wrong number of arguments for 'hset' command\r\n",
            0,
        );
        expect(&mut ks, "HSETNX h a 9", ":0\r\n", 0);
        expect(&mut ks, "HDEL h a x a", ":1\r\n", 1);
        expect(&mut ks, "HINCRBY h n 5", ":5\r\n", 1);
        let p = expect(&mut ks, "HINCRBYFLOAT h n 0.5", "$3\r\n5.5\r\n", 1);
        assert_eq!(p, ["HSET h n 5.5"]);
        expect(&mut ks, "HDEL h b c n", ":3\r\n", 3);
        assert!(ks.dbs[0].is_empty(), "the last field deletes the key");
        expect(&mut ks, "HDEL h a", ":0\r\n", 0);
    }

    #[test]
    fn client_reads_of_expired_fields_delete_them_first() {
        // Replayed: the past expiry is stored; a client's command then finds it passed.
        let mut ks = run(&["HSET h a 1 b 2 c x", "HPEXPIREAT h 5000 FIELDS 2 a c"]);
        let p = expect(&mut ks, "HINCRBY h a 3", ":3\r\n", 1);
        assert_eq!(p, ["MULTI", "HDEL h a", "HINCRBY h a 3", "EXEC"]);
        assert_eq!(ttl(&ks, "h", "a"), None, "a new field");
        let p = expect(&mut ks, "HSETNX h c v", ":1\r\n", 1);
        assert_eq!(p, ["MULTI", "HDEL h c", "HSETNX h c v", "EXEC"]);
        // A field with an expiry keeps it through HINCRBYFLOAT, and so does its replay.
        let far = FAR.to_string();
        run_client(&mut ks, &format!("HPEXPIREAT h {far} FIELDS 1 b"));
        let p = expect(&mut ks, "HINCRBYFLOAT h b 1", "$1\r\n3\r\n", 1);
        assert_eq!(
            p,
            [
                "MULTI",
                "HSET h b 3",
                &format!("HPEXPIREAT h {far} FIELDS 1 b"),
                "EXEC"
            ]
        );
        assert_eq!(ttl(&ks, "h", "b"), Some(FAR));
    }

    fn run_client(ks: &mut Keyspace, cmd: &str) {
        let (r, _, _) = client(ks, cmd);
        assert!(!r.starts_with('-'), "{cmd}: {r}");
    }

    #[test]
    fn client_hexpire_codes_and_propagation() {
        let mut ks = run(&["HSET h a 1 b 2 c 3"]);
        let p = expect(
            &mut ks,
            "HPEXPIRE h 100000 FIELDS 3 a nosuch b",
            "*3\r\n:1\r\n:-2\r\n:1\r\n",
            2,
        );
        assert_eq!(p.len(), 1);
        let ms = abs_ms(&p[0], 2, 100_000);
        assert_eq!(p[0], format!("HPEXPIREAT h {ms} FIELDS 2 a b"));
        assert_eq!(ttl(&ks, "h", "a"), Some(ms));
        let p = expect(
            &mut ks,
            "HEXPIREAT h 4102444800 NX FIELDS 2 a c",
            "*2\r\n:0\r\n:1\r\n",
            1,
        );
        assert_eq!(p, [format!("HPEXPIREAT h {FAR} NX FIELDS 1 c")]);
        let p = expect(&mut ks, "HEXPIRE h 10 GT FIELDS 1 c", "*1\r\n:0\r\n", 0);
        assert!(p.is_empty(), "nothing set, nothing propagated");
        expect(&mut ks, "HEXPIRE h 10 LT FIELDS 1 c", "*1\r\n:1\r\n", 1);
        expect(
            &mut ks,
            "HPEXPIREAT nokey 1 FIELDS 2 a b",
            "*2\r\n:-2\r\n:-2\r\n",
            0,
        );
        // A time already past deletes the fields (HDEL), and the last one the key.
        let p = expect(
            &mut ks,
            "HPEXPIREAT h 1 FIELDS 3 a b x",
            "*3\r\n:2\r\n:2\r\n:-2\r\n",
            2,
        );
        assert_eq!(p, ["MULTI", "HDEL h a", "HDEL h b", "EXEC"]);
        assert_eq!(order(&ks, "h"), ["c"]);
        let p = expect(&mut ks, "HEXPIREAT h 0 FIELDS 1 c", "*1\r\n:2\r\n", 1);
        assert_eq!(p, ["HDEL h c"]);
        assert!(ks.dbs[0].is_empty());
        run_client(&mut ks, "SET s x");
        expect(
            &mut ks,
            "HEXPIRE s 10 FIELDS 1 a",
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
            0,
        );
        expect(
            &mut ks,
            "HEXPIRE h 10 FIELDS 0 a",
            "-ERR Parameter `numFields` should be greater than 0\r\n",
            0,
        );
    }

    #[test]
    fn client_hpersist_codes() {
        let mut ks = run(&[
            "HSET h a 1 b 2 c 3",
            &format!("HPEXPIREAT h {FAR} FIELDS 1 a"),
            "HPEXPIREAT h 5000 FIELDS 1 c",
        ]);
        let p = expect(
            &mut ks,
            "HPERSIST h FIELDS 4 a b x c",
            "*4\r\n:1\r\n:-1\r\n:-2\r\n:-2\r\n",
            1,
        );
        assert_eq!(p, ["HPERSIST h FIELDS 4 a b x c"]);
        assert_eq!(ttl(&ks, "h", "c"), Some(5000), "an expired field is left");
        expect(&mut ks, "HPERSIST h FIELDS 1 a", "*1\r\n:-1\r\n", 0);
        expect(&mut ks, "HPERSIST nokey FIELDS 1 a", "*1\r\n:-2\r\n", 0);
    }

    #[test]
    fn client_hgetdel() {
        let mut ks = run(&["HSET h a 1 b 2 c 3", "HPEXPIREAT h 5000 FIELDS 1 c"]);
        let p = expect(
            &mut ks,
            "HGETDEL h FIELDS 4 a x c a",
            "*4\r\n$1\r\n1\r\n$-1\r\n$-1\r\n$-1\r\n",
            1,
        );
        assert_eq!(p, ["MULTI", "HDEL h c", "HDEL h a x c a", "EXEC"]);
        assert_eq!(order(&ks, "h"), ["b"]);
        let p = expect(&mut ks, "HGETDEL h FIELDS 1 b", "*1\r\n$1\r\n2\r\n", 1);
        assert_eq!(p, ["HDEL h b"]);
        assert!(ks.dbs[0].is_empty());
        let p = expect(&mut ks, "HGETDEL h FIELDS 1 b", "*1\r\n$-1\r\n", 0);
        assert!(p.is_empty());
        expect(
            &mut ks,
            "HGETDEL h FIELDS 2 b",
            "-ERR The `numfields` parameter must match the number of arguments\r\n",
            0,
        );
    }

    #[test]
    fn client_hgetex() {
        let mut ks = run(&["HSET h a 1 b 2"]);
        let p = expect(
            &mut ks,
            "HGETEX h PX 100000 FIELDS 2 a x",
            "*2\r\n$1\r\n1\r\n$-1\r\n",
            1,
        );
        let ms = abs_ms(&p[0], 2, 100_000);
        assert_eq!(p, [format!("HPEXPIREAT h {ms} FIELDS 2 a x")]);
        let p = expect(&mut ks, "HGETEX h FIELDS 1 a", "*1\r\n$1\r\n1\r\n", 0);
        assert!(p.is_empty());
        let p = expect(
            &mut ks,
            "HGETEX h PERSIST FIELDS 2 a b",
            "*2\r\n$1\r\n1\r\n$1\r\n2\r\n",
            1,
        );
        assert_eq!(p, ["HPERSIST h FIELDS 2 a b"]);
        expect(
            &mut ks,
            "HGETEX h PERSIST FIELDS 1 b",
            "*1\r\n$1\r\n2\r\n",
            0,
        );
        let p = expect(
            &mut ks,
            "HGETEX h EXAT 1 FIELDS 2 a b",
            "*2\r\n$1\r\n1\r\n$1\r\n2\r\n",
            2,
        );
        assert_eq!(p, ["MULTI", "HDEL h a", "HDEL h b", "EXEC"]);
        assert!(ks.dbs[0].is_empty());
        expect(&mut ks, "HGETEX h EX 10 FIELDS 1 a", "*1\r\n$-1\r\n", 0);
    }

    #[test]
    fn client_hsetex() {
        let mut ks = Keyspace::default();
        let p = expect(&mut ks, "HSETEX h FNX EX 100 FIELDS 2 a 1 b 2", ":1\r\n", 2);
        let ms = abs_ms(&p[0], 4, 100_000);
        assert_eq!(p, [format!("HSETEX h FNX PXAT {ms} FIELDS 2 a 1 b 2")]);
        assert_eq!(ttl(&ks, "h", "b"), Some(ms));
        expect(&mut ks, "HSETEX h FNX FIELDS 2 c 3 a 3", ":0\r\n", 0);
        let p = expect(&mut ks, "HSETEX h FXX KEEPTTL FIELDS 1 a 5", ":1\r\n", 1);
        assert_eq!(p, ["HSETEX h FXX KEEPTTL FIELDS 1 a 5"]);
        assert_eq!(ttl(&ks, "h", "a"), Some(ms));
        let p = expect(&mut ks, "HSETEX h FIELDS 1 a 6", ":1\r\n", 1);
        assert_eq!(p, ["HSETEX h FIELDS 1 a 6"]);
        assert_eq!(ttl(&ks, "h", "a"), None);
        let p = expect(&mut ks, "HSETEX h PXAT 1 FIELDS 2 a 9 c 9", ":1\r\n", 2);
        assert_eq!(p, ["MULTI", "HDEL h a", "HDEL h c", "EXEC"]);
        assert_eq!(order(&ks, "h"), ["b"]);
        expect(&mut ks, "HSETEX k FXX FIELDS 1 a 1", ":0\r\n", 0);
        assert!(ks.dbs[0].get(b"k").is_none());
        expect(&mut ks, "HSETEX h PX 0 FIELDS 1 b 1", ":1\r\n", 1);
        assert!(ks.dbs[0].is_empty(), "the last field deletes the key");
        expect(
            &mut ks,
            "HSETEX h FIELDS 2 a 1",
            "-ERR wrong number of arguments for 'hsetex' command\r\n",
            0,
        );
    }
}

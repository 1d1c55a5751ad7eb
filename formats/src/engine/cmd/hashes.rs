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
//! HINCRBYFLOAT is computed as Redis does on x86-64 (x87 `long double`, `%.17Lf` then
//! trimmed: `ld2string(LD_STR_HUMAN)`), using the shared `cfloat` module. Redis
//! 7.x propagates it as `HSET k f <result>` and 8.x as `HSETEX k KEEPTTL FIELDS 1 f
//! <result>`; both forms replay here.

use super::cfloat::{self, Parsed, Prec};
use super::{Ctx, ExecError, Handler, is, now_ms, parse_i64};
use crate::engine::{Hash, HashField};

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

// ------------------------------------------------------------------ commands

fn hset(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    if a.len() % 2 == 1 {
        return Err(c.err("wrong number of arguments"));
    }
    if let Some(h) = c.hash(a[1], true)? {
        for fv in a[2..].chunks(2) {
            set_value(h, fv[0], fv[1], false);
        }
    }
    Ok(())
}

fn hsetnx(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let now = now_ms();
    if live(c.hash(a[1], false)?.as_deref(), a[2], now).is_some() {
        return Ok(());
    }
    if let Some(h) = c.hash(a[1], true)? {
        set_value(h, a[2], a[3], false);
    }
    Ok(())
}

fn hdel(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    if let Some(h) = c.hash(a[1], false)? {
        for f in &a[2..] {
            h.remove(f);
        }
    }
    c.drop_if_empty(a[1]);
    Ok(())
}

fn hincrby(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let incr = parse_i64(a[3]).ok_or_else(|| c.err("value is not an integer or out of range"))?;
    let now = now_ms();
    let not_int = c.err("hash value is not an integer");
    let cur = match live(c.hash(a[1], false)?.as_deref(), a[2], now) {
        Some(f) => parse_i64(f.value).ok_or(not_int)?,
        None => 0,
    };
    let new = cur
        .checked_add(incr)
        .ok_or_else(|| c.err("increment or decrement would overflow"))?;
    if let Some(h) = c.hash(a[1], true)? {
        set_value(h, a[2], itoa::Buffer::new().format(new).as_bytes(), true);
    }
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

fn hincrbyfloat(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let now = now_ms();
    let cur = live(c.hash(a[1], false)?.as_deref(), a[2], now).map(|f| f.value.to_vec());
    let text = incr_float(c, cur.as_deref(), a[3])?;
    if let Some(h) = c.hash(a[1], true)? {
        set_value(h, a[2], &text, true);
    }
    Ok(())
}

/// HEXPIRE / HPEXPIRE / HEXPIREAT / HPEXPIREAT key time [NX|XX|GT|LT] FIELDS n f...
/// (Redis propagates all four as HPEXPIREAT with the updated fields only.)
fn hexpire(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    c.hash(a[1], false)?;
    let (seconds, relative) = match c.name {
        "HEXPIRE" => (true, true),
        "HPEXPIRE" => (false, true),
        "HEXPIREAT" => (true, false),
        _ => (false, false),
    };
    let base = if relative { now_ms() } else { 0 };
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
    if let Some(h) = c.hash(a[1], false)? {
        for f in fields {
            set_expiry(h, f, at, cond);
        }
    }
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

/// HPERSIST key FIELDS n f...: drops the expiry of fields that have one (a field already
/// expired at the current time is left as is, as Redis does).
fn hpersist(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    c.hash(a[1], false)?;
    let fields = fields_tail(c, a, 2)?;
    let now = now_ms();
    if let Some(h) = c.hash(a[1], false)? {
        for f in fields {
            let persist = h
                .get(f)
                .is_some_and(|x| x.expire_ms.is_some_and(|t| t >= now));
            if persist {
                relocate(h, f, None);
            }
        }
    }
    Ok(())
}

/// HGETDEL key FIELDS n f... (8.0; propagated as HDEL): deletes the live fields.
fn hgetdel(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    c.hash(a[1], false)?;
    let fields = fields_tail(c, a, 2)?;
    let now = now_ms();
    if let Some(h) = c.hash(a[1], false)? {
        for f in fields {
            if live(Some(h), f, now).is_some() {
                h.remove(f);
            }
        }
    }
    c.drop_if_empty(a[1]);
    Ok(())
}

/// HGETEX key [EX s|PX ms|EXAT s|PXAT ms|PERSIST] FIELDS n f... (8.0; propagated as
/// HPEXPIREAT or HPERSIST): sets or drops the expiry of the live fields.
fn hgetex(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    c.hash(a[1], false)?;
    enum Op {
        Get,
        Persist,
        Expire(i64),
    }
    let opt = a[2];
    let (op, fields_at) = if is(opt, "EX") || is(opt, "PX") || is(opt, "EXAT") || is(opt, "PXAT") {
        let seconds = is(opt, "EX") || is(opt, "EXAT");
        let base = if is(opt, "EX") || is(opt, "PX") {
            now_ms()
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
    let now = now_ms();
    if let Some(h) = c.hash(a[1], false)? {
        for f in fields {
            let Some(cur) = live(Some(h), f, now) else {
                continue;
            };
            match op {
                Op::Get => {}
                Op::Persist => {
                    if cur.expire_ms.is_some() {
                        relocate(h, f, None);
                    }
                }
                Op::Expire(at) => {
                    set_expiry(h, f, at, Cond::None);
                }
            }
        }
    }
    Ok(())
}

/// HSETEX key [FNX|FXX] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL] FIELDS n f v... (8.0).
fn hsetex(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    #[derive(PartialEq)]
    enum Exist {
        Any,
        Fnx,
        Fxx,
    }
    let mut exist = Exist::Any;
    let mut ttl: Option<Option<i64>> = None; // Some(None): KEEPTTL
    let mut first = None;
    let mut i = 2;
    let one_expiry = "Only one of EX, PX, EXAT, PXAT or KEEPTTL arguments can be specified";
    while i < a.len() {
        let o = a[i];
        if is(o, "FIELDS") {
            if i + 3 >= a.len() {
                return Err(c.err("wrong number of arguments"));
            }
            let n = parse_i64(a[i + 1])
                .filter(|&n| (1..=i64::from(i32::MAX)).contains(&n))
                .ok_or_else(|| c.err("invalid number of fields"))?;
            let remaining = a.len() - i - 2;
            if !remaining.is_multiple_of(2) || n as usize != remaining / 2 {
                return Err(c.err("wrong number of arguments"));
            }
            first = Some(i + 2);
            break;
        } else if is(o, "EX") || is(o, "PX") || is(o, "EXAT") || is(o, "PXAT") {
            if ttl.is_some() {
                return Err(c.err(one_expiry));
            }
            let v = a.get(i + 1).ok_or_else(|| c.err("missing expire time"))?;
            let seconds = is(o, "EX") || is(o, "EXAT");
            let base = if is(o, "EX") || is(o, "PX") {
                now_ms()
            } else {
                0
            };
            ttl = Some(Some(expire_time(c, v, seconds, base)?));
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
        return Err(c.err("wrong number of arguments"));
    };
    let pairs: Vec<&[&[u8]]> = a[first..].chunks(2).collect();
    let now = now_ms();
    let cur = c.hash(a[1], false)?;
    if exist != Exist::Any {
        let found = pairs
            .iter()
            .filter(|fv| live(cur.as_deref(), fv[0], now).is_some())
            .count();
        let ok = match exist {
            Exist::Fnx => found == 0,
            _ => found == pairs.len(),
        };
        if !ok {
            return Ok(());
        }
    }
    if let Some(h) = c.hash(a[1], true)? {
        for fv in pairs {
            set_value(h, fv[0], fv[1], ttl.is_some());
            if let Some(Some(at)) = ttl {
                set_expiry(h, fv[0], at, Cond::None);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::tests::{error_of, run};
    use crate::engine::{Keyspace, Obj, Session};

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
}

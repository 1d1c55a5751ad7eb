//! Sorted-set commands: ZADD (NX/XX/GT/LT/CH/INCR; also the lower-case `zadd` GEOADD is
//! propagated as), ZINCRBY, ZREM, ZREMRANGEBYSCORE/RANK/LEX, ZPOPMIN/ZPOPMAX [count],
//! ZMPOP, ZUNIONSTORE/ZINTERSTORE/ZDIFFSTORE (WEIGHTS, AGGREGATE), ZRANGESTORE
//! (BYSCORE/BYLEX/REV/LIMIT), and the blocking BZPOPMIN/BZPOPMAX/BZMPOP applied as the
//! pops they are propagated as (nothing to pop: a no-op, they could only have blocked).
//!
//! For a client each replies and counts its changes as Redis 7.0 does; the pops that
//! Redis rewrites are propagated as it rewrites them (BZPOPMIN as `ZPOPMIN key`,
//! ZMPOP/BZMPOP as `ZPOPMIN key <number popped>`); a blocking pop with nothing to pop
//! replies what Redis replies at its timeout (a nil array), the server layer doing the
//! blocking.
//!
//! Semantics follow `src/t_zset.c` (7.0 … 8.x):
//! - numbers are read as Redis reads them: scores and weights with `string2d` (glibc
//!   `strtod`: decimal, hex floats, `inf`/`infinity` with a sign; no leading space; NaN
//!   refused), range bounds with `zslParseRange` (`strtod` on the C string: leading
//!   spaces allowed, an empty bound is 0, `(` makes it exclusive). Where Redis 8's
//!   `fast_float` accepts more (out-of-range exponents become ±inf or 0) the engine
//!   accepts it too: it replays what some Redis accepted;
//! - score arithmetic is the same IEEE double operations in the same order: ZADD INCR
//!   and ZINCRBY add the increment to the current score (NaN is an error), a score is
//!   only rewritten when it compares different (so `-0` never replaces `0`), and
//!   Z*STORE aggregate per `zunionInterDiffGenericCommand`: sources sorted by
//!   cardinality (a stable sort, as glibc's `qsort`), `weight * score` with NaN made 0
//!   for the first/every union value, SUM turning NaN (`inf + -inf`) into 0, MIN/MAX
//!   keeping the current value against NaN;
//! - lex ranges (and score ranges) are walked as the listpack encoding walks them: the
//!   first element (in score order) at or above the minimum, then on while at or below
//!   the maximum. With mixed scores a skiplist-encoded set may find another start (its
//!   search depends on random node levels), so that case is not reproducible;
//! - the sign of a zero score depends on the encoding: Redis 7.0+ stores an integral
//!   score in a listpack as an integer, so `-0` reads back as `0`, while a skiplist keeps
//!   `-0`. [`Zset`] holds a set in the encoding Redis holds it in (a new set or a
//!   ZRANGESTORE result starts as Redis starts it and turns into a skiplist at the
//!   member that does not fit the default limits, 128 entries / 64 bytes; a set that
//!   shrinks stays a skiplist; Z*STORE results are built as skiplists and converted back
//!   when they fit, `zsetConvertToListpackIfNeeded`), so the sign is Redis's.

use std::cmp::Ordering;
use std::collections::HashMap;

use super::{Ctx, ExecError, Handler, invalid, is, parse_i64};
use crate::engine::zset::LISTPACK_ENTRIES;
use crate::engine::{Obj, Zset};

pub(super) fn lookup(name: &str) -> Option<(Handler, i32)> {
    Some(match name {
        "ZADD" => (zadd, -4),
        "ZINCRBY" => (zadd, 4),
        "ZREM" => (zrem, -3),
        "ZREMRANGEBYSCORE" | "ZREMRANGEBYRANK" | "ZREMRANGEBYLEX" => (zremrange, 4),
        "ZPOPMIN" | "ZPOPMAX" => (zpop, -2),
        "BZPOPMIN" | "BZPOPMAX" => (bzpop, -3),
        "ZMPOP" => (zmpop, -4),
        "BZMPOP" => (zmpop, -5),
        "ZUNIONSTORE" | "ZINTERSTORE" | "ZDIFFSTORE" => (zstore, -4),
        "ZRANGESTORE" => (zrangestore, -5),
        _ => return None,
    })
}

const NOT_INT: &str = "value is not an integer or out of range";
const NOT_FLOAT: &str = "value is not a valid float";
const SYNTAX: &str = "syntax error";

// ------------------------------------------------------------------ number parsing

/// C `isspace` in the C locale.
fn c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn starts_ci(s: &[u8], word: &[u8]) -> bool {
    s.len() >= word.len() && s[..word.len()].eq_ignore_ascii_case(word)
}

/// glibc `strtod` (C locale) on `s`: the value and how many bytes it used, `None` when
/// it converts nothing. Decimal is rounded correctly (as glibc does); hex floats too.
pub(super) fn strtod(s: &[u8]) -> Option<(f64, usize)> {
    let mut i = 0;
    while s.get(i).copied().is_some_and(c_space) {
        i += 1;
    }
    let start = i;
    let neg = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let sign = |v: f64| if neg { -v } else { v };
    let rest = s.get(i..).unwrap_or_default();
    if starts_ci(rest, b"inf") {
        let n = if starts_ci(rest, b"infinity") { 8 } else { 3 };
        return Some((sign(f64::INFINITY), i + n));
    }
    if starts_ci(rest, b"nan") {
        let mut n = 3;
        if rest.get(3) == Some(&b'(') {
            let body = rest[4..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                .count();
            if rest.get(4 + body) == Some(&b')') {
                n = 4 + body + 1;
            }
        }
        return Some((f64::NAN, i + n));
    }
    if rest.len() >= 2 && rest[0] == b'0' && (rest[1] | 0x20) == b'x' {
        return Some(match hex_float(&rest[2..]) {
            Some((v, n)) => (sign(v), i + 2 + n),
            // "0x" with no hex digit: only the 0 converts.
            None => (sign(0.0), i + 1),
        });
    }
    let digits = |from: usize| {
        s.get(from..)
            .unwrap_or_default()
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let mut j = i;
    let int = digits(j);
    j += int;
    let mut frac = 0;
    if s.get(j) == Some(&b'.') {
        frac = digits(j + 1);
        if int + frac > 0 {
            j += 1 + frac;
        }
    }
    if int + frac == 0 {
        return None;
    }
    if matches!(s.get(j), Some(b'e' | b'E')) {
        let mut k = j + 1;
        if matches!(s.get(k), Some(b'+' | b'-')) {
            k += 1;
        }
        let e = digits(k);
        if e > 0 {
            j = k + e;
        }
    }
    let text = std::str::from_utf8(&s[start..j]).ok()?;
    text.parse::<f64>().ok().map(|v| (v, j))
}

/// The hex digits (with an optional point and binary exponent) after `0x`, rounded to
/// nearest-even as glibc does; `None` without a hex digit.
fn hex_float(s: &[u8]) -> Option<(f64, usize)> {
    let mut mant: u128 = 0;
    let mut exp: i64 = 0;
    let mut sticky = false;
    let mut any = false;
    let mut dot = false;
    let mut i = 0;
    loop {
        match s.get(i) {
            Some(&b) if b.is_ascii_hexdigit() => {
                any = true;
                let d = char::from(b).to_digit(16).unwrap_or(0);
                if mant >> 116 == 0 {
                    mant = (mant << 4) | u128::from(d);
                    if dot {
                        exp -= 4;
                    }
                } else {
                    if !dot {
                        exp += 4;
                    }
                    sticky |= d != 0;
                }
            }
            Some(b'.') if !dot => dot = true,
            _ => break,
        }
        i += 1;
    }
    if !any {
        return None;
    }
    if matches!(s.get(i), Some(b'p' | b'P')) {
        let mut k = i + 1;
        let eneg = match s.get(k) {
            Some(b'-') => {
                k += 1;
                true
            }
            Some(b'+') => {
                k += 1;
                false
            }
            _ => false,
        };
        let from = k;
        let mut e: i64 = 0;
        while let Some(d) = s.get(k).filter(|b| b.is_ascii_digit()) {
            e = (e * 10 + i64::from(d - b'0')).min(1 << 40);
            k += 1;
        }
        if k > from {
            exp += if eneg { -e } else { e };
            i = k;
        }
    }
    if mant == 0 {
        return Some((0.0, i));
    }
    if sticky {
        mant |= 1;
    }
    // Round to the precision the result has (53 bits, fewer when subnormal).
    let bits = i64::from(128 - mant.leading_zeros());
    let top = bits - 1 + exp;
    let prec = if top >= -1022 { 53 } else { top + 1075 };
    let (kept, shift) = if bits <= prec {
        (mant, 0)
    } else {
        let shift = bits - prec;
        if shift >= 128 {
            (0, shift)
        } else {
            let kept = mant >> shift;
            let rem = mant & ((1u128 << shift) - 1);
            let half = 1u128 << (shift - 1);
            let up = rem > half || (rem == half && kept & 1 == 1);
            (kept + u128::from(up), shift)
        }
    };
    let mut v = kept as f64;
    let mut e = exp + shift;
    while e > 1000 && v.is_finite() {
        v *= 2f64.powi(1000);
        e -= 1000;
    }
    while e < -1000 && v != 0.0 {
        v *= 2f64.powi(-1000);
        e += 1000;
    }
    Some((v * 2f64.powi(e as i32), i))
}

/// Redis's `string2d` (scores, weights): the whole string is a number, no leading
/// space, not NaN.
pub(super) fn string2d(b: &[u8]) -> Option<f64> {
    if b.first().is_none_or(|&c| c_space(c)) {
        return None;
    }
    let (v, n) = strtod(b)?;
    (n == b.len() && !v.is_nan()).then_some(v)
}

/// A blocking command's timeout in seconds (Redis's `getTimeoutFromObjectOrReply`): a
/// float whose milliseconds, rounded up, are not negative. Redis converts them to a
/// `long long`, and on x86 a value that does not fit (`inf`, `1e20`) becomes
/// `LLONG_MIN`: negative too.
///
/// Redis reads it as a `long double` (`string2ld`), which refuses a decimal that
/// overflows it or underflows to 0; between those and a double's range the result is
/// the same (±inf or 0 here, a huge or tiny finite value there).
pub(super) fn timeout_ok(b: &[u8]) -> Result<(), &'static str> {
    const NOT_FLOAT: &str = "timeout is not a float or out of range";
    let v = string2d(b).ok_or(NOT_FLOAT)?;
    if v.is_infinite() || v == 0.0 {
        // The largest long double is about 1.19e4932, the smallest 3.6e-4951.
        match decimal_magnitude(b) {
            Some(e) if !(-4951..=4932).contains(&e) => return Err(NOT_FLOAT),
            _ => {}
        }
    }
    let ms = (v * 1000.0).ceil();
    // 2^63: the first value a long long cannot hold.
    if !(0.0..9_223_372_036_854_775_808.0).contains(&ms) {
        return Err("timeout is negative");
    }
    Ok(())
}

/// The power of ten of the first non-zero digit of a decimal number (`-1.5e3`: 3),
/// None for zero, `inf` or a hex float.
fn decimal_magnitude(b: &[u8]) -> Option<i64> {
    let b = b.strip_prefix(b"-").or(b.strip_prefix(b"+")).unwrap_or(b);
    if !b.first().is_some_and(|c| c.is_ascii_digit() || *c == b'.') || starts_ci(b, b"0x") {
        return None;
    }
    let mant_end = b
        .iter()
        .position(|c| *c == b'e' || *c == b'E')
        .unwrap_or(b.len());
    let (mant, exp) = b.split_at(mant_end);
    let exp = match exp.get(1..) {
        None => 0,
        Some(e) => {
            let (neg, d) = match e.first() {
                Some(b'-') => (true, &e[1..]),
                Some(b'+') => (false, &e[1..]),
                _ => (false, e),
            };
            let v = d.iter().fold(0i64, |acc, c| {
                (acc * 10 + i64::from(c.wrapping_sub(b'0'))).min(1 << 40)
            });
            if neg { -v } else { v }
        }
    };
    let point = mant.iter().position(|c| *c == b'.').unwrap_or(mant.len());
    let first = mant.iter().position(|c| (b'1'..=b'9').contains(c))?;
    let at = if first < point { point - first - 1 } else { 0 } as i64;
    let below = if first > point {
        (first - point) as i64
    } else {
        0
    };
    Some(exp + at - below)
}

// ------------------------------------------------------------------ ranges

/// A score interval (`zrangespec`).
#[derive(Debug, Clone, Copy)]
struct ScoreRange {
    min: f64,
    max: f64,
    minex: bool,
    maxex: bool,
}

impl ScoreRange {
    fn gte_min(&self, v: f64) -> bool {
        if self.minex {
            v > self.min
        } else {
            v >= self.min
        }
    }

    fn lte_max(&self, v: f64) -> bool {
        if self.maxex {
            v < self.max
        } else {
            v <= self.max
        }
    }

    fn always_empty(&self) -> bool {
        self.min > self.max || (self.min == self.max && (self.minex || self.maxex))
    }
}

/// One bound of `zslParseRange`: `strtod` on the C string (up to a NUL), the whole of
/// it used (an empty bound is 0), not NaN.
fn score_bound(b: &[u8]) -> Option<(f64, bool)> {
    let (ex, b) = match b.first() {
        Some(b'(') => (true, &b[1..]),
        _ => (false, b),
    };
    let b = b.split(|&c| c == 0).next().unwrap_or_default();
    let (v, n) = strtod(b).unwrap_or((0.0, 0));
    (n == b.len() && !v.is_nan()).then_some((v, ex))
}

fn score_range(min: &[u8], max: &[u8]) -> Option<ScoreRange> {
    let (min, minex) = score_bound(min)?;
    let (max, maxex) = score_bound(max)?;
    Some(ScoreRange {
        min,
        max,
        minex,
        maxex,
    })
}

/// A lex bound: `-` (below everything), `+` (above everything), or a string.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Lex {
    Min,
    Max,
    Val(Vec<u8>),
}

#[derive(Debug, Clone)]
struct LexRange {
    min: Lex,
    max: Lex,
    minex: bool,
    maxex: bool,
}

/// `zslParseLexRangeItem`.
fn lex_bound(b: &[u8]) -> Option<(Lex, bool)> {
    // The C code looks at c[1] of a NUL-terminated string.
    let alone = b.get(1).is_none_or(|&c| c == 0);
    match b.first() {
        Some(b'+') if alone => Some((Lex::Max, true)),
        Some(b'-') if alone => Some((Lex::Min, true)),
        Some(b'(') => Some((Lex::Val(b[1..].to_vec()), true)),
        Some(b'[') => Some((Lex::Val(b[1..].to_vec()), false)),
        _ => None,
    }
}

fn lex_range(min: &[u8], max: &[u8]) -> Option<LexRange> {
    let (min, minex) = lex_bound(min)?;
    let (max, maxex) = lex_bound(max)?;
    Some(LexRange {
        min,
        max,
        minex,
        maxex,
    })
}

/// A member against a bound (`sdscmplex(value, bound)`).
fn cmp_lex(v: &[u8], bound: &Lex) -> Ordering {
    match bound {
        Lex::Min => Ordering::Greater,
        Lex::Max => Ordering::Less,
        Lex::Val(b) => v.cmp(b.as_slice()),
    }
}

impl LexRange {
    fn gte_min(&self, v: &[u8]) -> bool {
        let c = cmp_lex(v, &self.min);
        if self.minex { c.is_gt() } else { c.is_ge() }
    }

    fn lte_max(&self, v: &[u8]) -> bool {
        let c = cmp_lex(v, &self.max);
        if self.maxex { c.is_lt() } else { c.is_le() }
    }

    /// `sdscmplex(min, max)` says the range can hold nothing.
    fn always_empty(&self) -> bool {
        let c = match (&self.min, &self.max) {
            (Lex::Min, Lex::Min) | (Lex::Max, Lex::Max) => Ordering::Equal,
            (Lex::Min, _) | (_, Lex::Max) => Ordering::Less,
            (Lex::Max, _) | (_, Lex::Min) => Ordering::Greater,
            (Lex::Val(a), Lex::Val(b)) => a.cmp(b),
        };
        c.is_gt() || (c.is_eq() && (self.minex || self.maxex))
    }
}

/// A range of elements (`zrangespec`, `zlexrangespec`).
trait Spec {
    /// The range can hold nothing.
    fn empty(&self) -> bool;
    fn gte_min(&self, member: &[u8], score: f64) -> bool;
    fn lte_max(&self, member: &[u8], score: f64) -> bool;
}

impl Spec for ScoreRange {
    fn empty(&self) -> bool {
        self.always_empty()
    }

    fn gte_min(&self, _: &[u8], s: f64) -> bool {
        ScoreRange::gte_min(self, s)
    }

    fn lte_max(&self, _: &[u8], s: f64) -> bool {
        ScoreRange::lte_max(self, s)
    }
}

impl Spec for LexRange {
    fn empty(&self) -> bool {
        self.always_empty()
    }

    fn gte_min(&self, m: &[u8], _: f64) -> bool {
        LexRange::gte_min(self, m)
    }

    fn lte_max(&self, m: &[u8], _: f64) -> bool {
        LexRange::lte_max(self, m)
    }
}

/// The elements a ranged read (or removal) takes, walked as a listpack walks them:
/// from the first element at or above the minimum (`zzlFirstInRange`; with `rev`, the
/// last at or below the maximum, `zzlLastInRange`) if it is also in range, `offset`
/// elements skipped without a check (a negative offset takes nothing), then on while
/// in range, at most `limit` (negative: no limit). The answer is (position of the first
/// taken in walk order, how many): a run of consecutive elements.
///
/// With mixed scores a skiplist may start a lex walk elsewhere (its search depends on
/// random node levels), so that case is not reproducible; score walks are the same in
/// both encodings.
fn select<R: Spec>(z: &Zset, r: &R, rev: bool, offset: i64, limit: i64) -> (usize, usize) {
    let none = (0, 0);
    if r.empty() {
        return none;
    }
    // zzlIsInRange / zzlIsInLexRange.
    let (Some(first), Some(last)) = (z.first(), z.last()) else {
        return none;
    };
    if !r.gte_min(last.0, last.1) || !r.lte_max(first.0, first.1) {
        return none;
    }
    let Ok(offset) = usize::try_from(offset) else {
        return none;
    };
    let gte = |e: &(&[u8], f64)| r.gte_min(e.0, e.1);
    let lte = |e: &(&[u8], f64)| r.lte_max(e.0, e.1);
    if rev {
        walk(z.iter_rev(), lte, gte, offset, limit)
    } else {
        walk(z.iter(), gte, lte, offset, limit)
    }
}

/// [`select`] along `it`: the first element that passes `start` (if it passes
/// `go_on`), `offset` skipped, then on while `go_on`, at most `limit`.
fn walk<'a>(
    it: impl Iterator<Item = (&'a [u8], f64)>,
    start: impl Fn(&(&'a [u8], f64)) -> bool,
    go_on: impl Fn(&(&'a [u8], f64)) -> bool,
    offset: usize,
    limit: i64,
) -> (usize, usize) {
    let mut it = it.enumerate();
    let Some(first) = it.find(|(_, e)| start(e)) else {
        return (0, 0);
    };
    if !go_on(&first.1) {
        return (0, 0);
    }
    let mut cur = match offset.checked_sub(1) {
        None => Some(first),
        Some(skip) => it.nth(skip),
    };
    let from = cur.map_or(0, |c| c.0);
    let (mut n, mut left) = (0, limit);
    while let Some((_, e)) = cur {
        if left == 0 || !go_on(&e) {
            break;
        }
        n += 1;
        left -= 1;
        cur = it.next();
    }
    (from, n)
}

/// Rank range normalization (ZRANGE, ZREMRANGEBYRANK): the inclusive ranks, or `None`
/// when empty.
fn rank_range(start: i64, end: i64, len: usize) -> Option<(usize, usize)> {
    let llen = len as i64;
    let mut start = if start < 0 { start + llen } else { start };
    let mut end = if end < 0 { end + llen } else { end };
    if start < 0 {
        start = 0;
    }
    if start > end || start >= llen {
        return None;
    }
    if end >= llen {
        end = llen - 1;
    }
    Some((start as usize, end as usize))
}

// ------------------------------------------------------------------ ZADD / ZINCRBY

#[derive(Debug, Default, Clone, Copy)]
struct AddFlags {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
    incr: bool,
}

/// What [`zset_add`] did to a member (`zsetAdd`'s out flags).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Added {
    /// Nothing: NX met a member, XX a missing one, or GT/LT refused the score.
    Nop,
    /// A new member with this score.
    New(f64),
    /// The member's score was rewritten to this.
    Updated(f64),
    /// The member was processed but its score compares equal: kept as it was (the
    /// value is the computed score, which INCR replies).
    Same(f64),
}

/// `zsetAdd` with its flags: Err when INCR makes NaN. ([`Zset::insert`] turns a
/// listpack into a skiplist when a new member does not fit.)
fn zset_add(z: &mut Zset, score: f64, member: &[u8], f: AddFlags) -> Result<Added, ()> {
    match z.score(member) {
        Some(cur) => {
            if f.nx {
                return Ok(Added::Nop);
            }
            let mut s = score;
            if f.incr {
                s += cur;
                if s.is_nan() {
                    return Err(());
                }
            }
            if (f.lt && s >= cur) || (f.gt && s <= cur) {
                return Ok(Added::Nop);
            }
            // A score that compares equal (0 and -0) is left as it is.
            if s != cur {
                z.insert(member, s);
                Ok(Added::Updated(s))
            } else {
                Ok(Added::Same(s))
            }
        }
        None => {
            if f.xx {
                return Ok(Added::Nop);
            }
            z.insert(member, score);
            Ok(Added::New(score))
        }
    }
}

/// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...];
/// ZINCRBY key increment member.
///
/// Replies the members added (with CH: added or updated), or with INCR the new score
/// (nil when nothing was processed); counts added + updated.
fn zadd(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let mut f = AddFlags {
        incr: c.name == "ZINCRBY",
        ..AddFlags::default()
    };
    let mut ch = false;
    let mut at = 2;
    // ZINCRBY reads options too (its arity leaves them a syntax error).
    while at < a.len() {
        let o = a[at];
        match () {
            _ if is(o, "NX") => f.nx = true,
            _ if is(o, "XX") => f.xx = true,
            _ if is(o, "CH") => ch = true,
            _ if is(o, "INCR") => f.incr = true,
            _ if is(o, "GT") => f.gt = true,
            _ if is(o, "LT") => f.lt = true,
            _ => break,
        }
        at += 1;
    }
    let pairs = &a[at..];
    if pairs.is_empty() || !pairs.len().is_multiple_of(2) {
        return Err(c.err(SYNTAX));
    }
    if f.nx && f.xx {
        return Err(c.err("XX and NX options at the same time are not compatible"));
    }
    if ((f.gt || f.lt) && f.nx) || (f.gt && f.lt) {
        return Err(c.err("GT, LT, and/or NX options at the same time are not compatible"));
    }
    if f.incr && pairs.len() > 2 {
        return Err(c.err("INCR option supports a single increment-element pair"));
    }
    let mut scores = Vec::with_capacity(pairs.len() / 2);
    for p in pairs.chunks(2) {
        scores.push(string2d(p[0]).ok_or_else(|| c.err(NOT_FLOAT))?);
    }
    let exists = c.zset(a[1], false)?.is_some();
    let (mut added, mut updated) = (0u64, 0u64);
    // The score INCR replies: the last processed one.
    let mut last: Option<f64> = None;
    if exists || !f.xx {
        // The error is only built when returned (no allocation per ZADD replayed).
        let name = c.name;
        if let Some(z) = c.zset(a[1], true)? {
            // A new key starts as a listpack: it turns into a skiplist at the first
            // member that does not fit, as 7.0 does (a first member too long for a
            // listpack makes it a skiplist from the start, the same thing).
            for (p, &s) in pairs.chunks(2).zip(&scores) {
                // Only INCR can make NaN, and it has a single pair: nothing changed.
                match zset_add(z, s, p[1], f)
                    .map_err(|()| invalid(name, "resulting score is not a number (NaN)"))?
                {
                    Added::Nop => {}
                    Added::New(v) => {
                        added += 1;
                        last = Some(v);
                    }
                    Added::Updated(v) => {
                        updated += 1;
                        last = Some(v);
                    }
                    Added::Same(v) => last = Some(v),
                }
            }
        }
        c.drop_if_empty(a[1]);
    }
    c.changed(added + updated);
    if f.incr {
        match last {
            Some(v) => c.out.double(v),
            None => c.out.nil(),
        }
    } else {
        c.out.int((if ch { added + updated } else { added }) as i64);
    }
    Ok(())
}

// ------------------------------------------------------------------ removals

/// ZREM key member [member ...]: replies and counts the members removed.
fn zrem(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let mut n = 0u64;
    if let Some(z) = c.zset(a[1], false)? {
        for m in &a[2..] {
            n += u64::from(z.remove(m).is_some());
            if z.is_empty() {
                break;
            }
        }
    }
    c.drop_if_empty(a[1]);
    c.changed(n);
    c.out.int(n as i64);
    Ok(())
}

enum RangeSpec {
    Rank(i64, i64),
    Score(ScoreRange),
    Lex(LexRange),
}

impl RangeSpec {
    /// Parses the bounds of a BYSCORE / BYLEX / rank range.
    fn parse(c: &Ctx<'_>, kind: u8, min: &[u8], max: &[u8]) -> Result<RangeSpec, ExecError> {
        Ok(match kind {
            b'S' => RangeSpec::Score(
                score_range(min, max).ok_or_else(|| c.err("min or max is not a float"))?,
            ),
            b'L' => RangeSpec::Lex(
                lex_range(min, max)
                    .ok_or_else(|| c.err("min or max not valid string range item"))?,
            ),
            _ => {
                let s = parse_i64(min).ok_or_else(|| c.err(NOT_INT))?;
                let e = parse_i64(max).ok_or_else(|| c.err(NOT_INT))?;
                RangeSpec::Rank(s, e)
            }
        })
    }
}

/// ZREMRANGEBYSCORE / ZREMRANGEBYRANK / ZREMRANGEBYLEX key min max: replies and
/// counts the members removed.
fn zremrange(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let kind = match c.name {
        "ZREMRANGEBYSCORE" => b'S',
        "ZREMRANGEBYLEX" => b'L',
        _ => b'R',
    };
    let spec = RangeSpec::parse(c, kind, a[2], a[3])?;
    let Some(z) = c.zset(a[1], false)? else {
        c.out.int(0);
        return Ok(());
    };
    let (start, n) = match &spec {
        RangeSpec::Rank(s, e) => {
            rank_range(*s, *e, z.len()).map_or((0, 0), |(s, e)| (s, e - s + 1))
        }
        RangeSpec::Score(r) => select(z, r, false, 0, -1),
        RangeSpec::Lex(r) => select(z, r, false, 0, -1),
    };
    z.remove_ranks(start, n);
    c.drop_if_empty(a[1]);
    c.changed(n as u64);
    c.out.int(n as i64);
    Ok(())
}

// ------------------------------------------------------------------ pops

/// What a pop took: the key, how many members, and (only for a client's reply) the
/// members and scores in pop order.
struct Popped<'k> {
    key: &'k [u8],
    n: usize,
    items: Vec<(Vec<u8>, f64)>,
}

/// Pops `n` members from the low (`max` false) or high end; with `keep`, returns them
/// in pop order.
fn pop_n(z: &mut Zset, max: bool, n: u64, keep: bool) -> (usize, Vec<(Vec<u8>, f64)>) {
    let len = z.len();
    let n = usize::try_from(n).unwrap_or(usize::MAX).min(len);
    let items = if !keep {
        Vec::new()
    } else if max {
        z.iter_rev().take(n).map(|(m, s)| (m.to_vec(), s)).collect()
    } else {
        z.iter().take(n).map(|(m, s)| (m.to_vec(), s)).collect()
    };
    z.remove_ranks(if max { len - n } else { 0 }, n);
    (n, items)
}

/// Pops from the first of `keys` that exists (a key of another type met first is
/// WRONGTYPE), counting each member popped; None when no key exists.
fn pop_first<'k>(
    c: &mut Ctx<'_>,
    keys: &[&'k [u8]],
    max: bool,
    n: u64,
) -> Result<Option<Popped<'k>>, ExecError> {
    let keep = c.out.is_on();
    for &k in keys {
        if let Some(z) = c.zset(k, false)? {
            if z.is_empty() {
                continue;
            }
            let (n, items) = pop_n(z, max, n, keep);
            c.drop_if_empty(k);
            c.changed(n as u64);
            return Ok(Some(Popped { key: k, n, items }));
        }
    }
    Ok(None)
}

/// Replies popped members as a flat array: member, score, ...
fn reply_flat(c: &mut Ctx<'_>, items: &[(Vec<u8>, f64)]) {
    for (m, s) in items {
        c.out.bulk(m);
        c.out.double(*s);
    }
}

/// The name of the pop a blocking or multi-key pop is propagated as.
fn pop_name(max: bool) -> &'static [u8] {
    if max { b"ZPOPMAX" } else { b"ZPOPMIN" }
}

/// ZPOPMIN / ZPOPMAX key [count]: a flat array of member, score (empty for a missing
/// key or a count of 0).
fn zpop(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    if a.len() > 3 {
        return Err(c.err(SYNTAX));
    }
    let n = match a.get(2) {
        None => 1,
        Some(n) => parse_i64(n)
            .filter(|&n| n >= 0)
            .ok_or_else(|| c.err("value is out of range, must be positive"))?
            as u64,
    };
    if n == 0 {
        // Only the type is checked.
        c.zset(a[1], false)?;
        c.out.array(0);
        return Ok(());
    }
    match pop_first(c, &a[1..2], c.name == "ZPOPMAX", n)? {
        Some(p) => {
            c.out.array(p.n * 2);
            reply_flat(c, &p.items);
        }
        None => c.out.array(0),
    }
    Ok(())
}

/// BZPOPMIN / BZPOPMAX key [key ...] timeout: [key, member, score], propagated as
/// `ZPOPMIN key`; with nothing to pop, what Redis replies at the timeout (a nil
/// array): the server layer blocks the client itself.
fn bzpop(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let n = a.len();
    timeout_ok(a[n - 1]).map_err(|m| c.err(m))?;
    let max = c.name == "BZPOPMAX";
    match pop_first(c, &a[1..n - 1], max, 1)? {
        Some(p) => {
            c.out.array(3);
            c.out.bulk(p.key);
            reply_flat(c, &p.items);
            c.propagate(&[pop_name(max), p.key]);
        }
        None => c.out.nil_array(),
    }
    Ok(())
}

/// ZMPOP numkeys key [key ...] MIN|MAX [COUNT n]; BZMPOP timeout numkeys ...:
/// [key, [[member, score], ...]] or a nil array, propagated as `ZPOPMIN key n` with
/// the number popped.
fn zmpop(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let at = if c.name == "BZMPOP" { 2 } else { 1 };
    let numkeys = parse_i64(a[at])
        .filter(|&n| n >= 1)
        .ok_or_else(|| c.err("numkeys should be greater than 0"))? as u64;
    let where_at = usize::try_from(numkeys)
        .ok()
        .and_then(|n| n.checked_add(at + 1))
        .filter(|&w| w < a.len())
        .ok_or_else(|| c.err(SYNTAX))?;
    let max = if is(a[where_at], "MIN") {
        false
    } else if is(a[where_at], "MAX") {
        true
    } else {
        return Err(c.err(SYNTAX));
    };
    let mut count: Option<u64> = None;
    let mut j = where_at + 1;
    while j < a.len() {
        if count.is_none() && is(a[j], "COUNT") && j + 1 < a.len() {
            let n = parse_i64(a[j + 1])
                .filter(|&n| n >= 1)
                .ok_or_else(|| c.err("count should be greater than 0"))?;
            count = Some(n as u64);
            j += 2;
        } else {
            return Err(c.err(SYNTAX));
        }
    }
    if at == 2 {
        timeout_ok(a[1]).map_err(|m| c.err(m))?;
    }
    match pop_first(c, &a[at + 1..where_at], max, count.unwrap_or(1))? {
        Some(p) => {
            c.out.array(2);
            c.out.bulk(p.key);
            c.out.array(p.n);
            for (m, s) in &p.items {
                c.out.array(2);
                c.out.bulk(m);
                c.out.double(*s);
            }
            c.propagate(&[
                pop_name(max),
                p.key,
                itoa::Buffer::new().format(p.n).as_bytes(),
            ]);
        }
        None => c.out.nil_array(),
    }
    Ok(())
}

// ------------------------------------------------------------------ Z*STORE

/// A source of ZUNIONSTORE & co.
#[derive(Clone, Copy)]
enum Src<'a> {
    Missing,
    Set(&'a crate::engine::Set),
    Zset(&'a Zset),
}

impl<'a> Src<'a> {
    fn len(&self) -> usize {
        match self {
            Src::Missing => 0,
            Src::Set(s) => s.len(),
            Src::Zset(z) => z.len(),
        }
    }

    /// A member's score (1 in a set).
    fn find(&self, m: &[u8]) -> Option<f64> {
        match self {
            Src::Missing => None,
            Src::Set(s) => s.contains(m).then_some(1.0),
            Src::Zset(z) => z.score(m),
        }
    }

    fn items(&self) -> Vec<(&'a [u8], f64)> {
        match *self {
            Src::Missing => Vec::new(),
            Src::Set(s) => s.iter().map(|m| (m, 1.0)).collect(),
            Src::Zset(z) => z.iter().collect(),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Agg {
    Sum,
    Min,
    Max,
}

/// `zunionInterAggregate`.
fn aggregate(target: &mut f64, val: f64, agg: Agg) {
    match agg {
        Agg::Sum => {
            *target += val;
            // inf + -inf: Redis's convention is 0.
            if target.is_nan() {
                *target = 0.0;
            }
        }
        Agg::Min => {
            if val < *target {
                *target = val;
            }
        }
        Agg::Max => {
            if val > *target {
                *target = val;
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum SetOp {
    Union,
    Inter,
    Diff,
}

/// `zunionInterDiffGenericCommand` on the sources (already weighted and, for union and
/// intersection, ordered by cardinality).
fn combine(op: SetOp, srcs: &[(Src<'_>, f64)], agg: Agg) -> Zset {
    // Built as a skiplist (`createZsetObject`), which keeps `-0`.
    let mut out = Zset::skiplist();
    let Some(&(first, w0)) = srcs.first() else {
        return out;
    };
    match op {
        SetOp::Inter => {
            if first.len() == 0 {
                return out;
            }
            'members: for (m, s) in first.items() {
                let mut score = w0 * s;
                if score.is_nan() {
                    score = 0.0;
                }
                for &(src, w) in &srcs[1..] {
                    match src.find(m) {
                        Some(v) => aggregate(&mut score, v * w, agg),
                        None => continue 'members,
                    }
                }
                out.insert(m, score);
            }
        }
        SetOp::Union => {
            let mut acc: HashMap<&[u8], f64> = HashMap::new();
            for &(src, w) in srcs {
                for (m, s) in src.items() {
                    let mut score = w * s;
                    if score.is_nan() {
                        score = 0.0;
                    }
                    match acc.get_mut(m) {
                        Some(t) => aggregate(t, score, agg),
                        None => {
                            acc.insert(m, score);
                        }
                    }
                }
            }
            for (m, s) in acc {
                out.insert(m, s);
            }
        }
        SetOp::Diff => {
            for (m, s) in first.items() {
                if !srcs[1..].iter().any(|(src, _)| src.find(m).is_some()) {
                    out.insert(m, s);
                }
            }
        }
    }
    out
}

/// ZUNIONSTORE / ZINTERSTORE dst numkeys key [key ...] [WEIGHTS w ...]
/// [AGGREGATE SUM|MIN|MAX]; ZDIFFSTORE dst numkeys key [key ...]: replies the size of
/// the result.
fn zstore(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let name = c.name;
    let err = |m: &str| invalid(name, m);
    let op = match name {
        "ZUNIONSTORE" => SetOp::Union,
        "ZINTERSTORE" => SetOp::Inter,
        _ => SetOp::Diff,
    };
    let dst = a[1];
    let setnum = parse_i64(a[2]).ok_or_else(|| err(NOT_INT))?;
    if setnum < 1 {
        return Err(err(&format!(
            "at least 1 input key is needed for '{}' command",
            name.to_ascii_lowercase()
        )));
    }
    if setnum > (a.len() - 3) as i64 {
        return Err(err(SYNTAX));
    }
    let setnum = setnum as usize;
    let result = {
        let db = c.db();
        let mut srcs: Vec<(Src<'_>, f64)> = Vec::with_capacity(setnum);
        for k in &a[3..3 + setnum] {
            let src = match db.get(k).map(|e| &e.obj) {
                None => Src::Missing,
                Some(Obj::Set(s)) => Src::Set(s),
                Some(Obj::Zset(z)) => Src::Zset(z),
                Some(_) => {
                    return Err(err(
                        "WRONGTYPE Operation against a key holding the wrong kind of value",
                    ));
                }
            };
            srcs.push((src, 1.0));
        }
        let mut agg = Agg::Sum;
        let mut j = 3 + setnum;
        while j < a.len() {
            let remaining = a.len() - j;
            if op != SetOp::Diff && remaining > setnum && is(a[j], "WEIGHTS") {
                j += 1;
                for src in srcs.iter_mut() {
                    src.1 = string2d(a[j]).ok_or_else(|| err("weight value is not a float"))?;
                    j += 1;
                }
            } else if op != SetOp::Diff && remaining >= 2 && is(a[j], "AGGREGATE") {
                let v = a[j + 1];
                agg = if is(v, "SUM") {
                    Agg::Sum
                } else if is(v, "MIN") {
                    Agg::Min
                } else if is(v, "MAX") {
                    Agg::Max
                } else {
                    return Err(err(SYNTAX));
                };
                j += 2;
            } else {
                return Err(err(SYNTAX));
            }
        }
        if op != SetOp::Diff {
            // glibc's qsort is a (stable) merge sort.
            srcs.sort_by_key(|(s, _)| s.len());
        }
        let mut z = combine(op, &srcs, agg);
        z.convert_to_listpack_if_needed();
        z
    };
    store_result(c, dst, result);
    Ok(())
}

/// Stores a Z*STORE / ZRANGESTORE result at `dst` and replies its size: an empty
/// result deletes `dst` (a change only if it existed), any other is one change.
fn store_result(c: &mut Ctx<'_>, dst: &[u8], result: Zset) {
    let n = result.len();
    let db = c.db();
    if n == 0 {
        if db.remove(dst).is_some() {
            c.changed(1);
        }
    } else {
        db.set(dst, Obj::zset(result), None);
        c.changed(1);
    }
    c.out.int(n as i64);
}

// ------------------------------------------------------------------ ZRANGESTORE

/// ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]: replies
/// the size of the result.
fn zrangestore(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let (dst, src) = (a[1], a[2]);
    let mut rev = false;
    let mut kind = 0u8;
    let (mut offset, mut limit) = (0i64, -1i64);
    let mut j = 5;
    while j < a.len() {
        let o = a[j];
        if is(o, "LIMIT") && j + 2 < a.len() {
            offset = parse_i64(a[j + 1]).ok_or_else(|| c.err(NOT_INT))?;
            limit = parse_i64(a[j + 2]).ok_or_else(|| c.err(NOT_INT))?;
            j += 2;
        } else if !rev && is(o, "REV") {
            rev = true;
        } else if kind == 0 && is(o, "BYLEX") {
            kind = b'L';
        } else if kind == 0 && is(o, "BYSCORE") {
            kind = b'S';
        } else {
            return Err(c.err(SYNTAX));
        }
        j += 1;
    }
    if kind == 0 {
        kind = b'R';
    }
    if limit != -1 && kind == b'R' {
        return Err(c.err(
            "syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
        ));
    }
    let (min, max) = if rev && kind != b'R' {
        (a[4], a[3])
    } else {
        (a[3], a[4])
    };
    let spec = RangeSpec::parse(c, kind, min, max)?;
    let wrong = c.wrong_type();
    let result: Zset = {
        let db = c.db();
        let z = match db.get(src).map(|e| &e.obj) {
            None => None,
            Some(Obj::Zset(z)) => Some(z),
            Some(_) => return Err(wrong),
        };
        let mut out = Zset::new();
        if let Some(z) = z {
            let n = z.len();
            let (start, count) = match &spec {
                RangeSpec::Rank(s, e) => {
                    rank_range(*s, *e, n).map_or((0, 0), |(s, e)| (s, e - s + 1))
                }
                RangeSpec::Score(_) if offset > 0 && offset >= n as i64 => (0, 0),
                RangeSpec::Score(r) => select(z, r, rev, offset, limit),
                RangeSpec::Lex(r) => select(z, r, rev, offset, limit),
            };
            // 7.0 makes the result a skiplist up front only for a rank range longer
            // than the listpack limit (`zrangeResultBeginStore`); otherwise a listpack,
            // converted when it grows. Members are added in walk order.
            if matches!(spec, RangeSpec::Rank(..)) && count > LISTPACK_ENTRIES {
                out = Zset::skiplist();
            }
            if rev {
                for (m, s) in z.iter_rev().skip(start).take(count) {
                    out.insert(m, s);
                }
            } else {
                for (m, s) in z.iter().skip(start).take(count) {
                    out.insert(m, s);
                }
            }
        }
        out
    };
    store_result(c, dst, result);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::tests::{exists, fails, run};
    use super::{string2d, strtod};
    use crate::engine::{Keyspace, Obj, Session};

    fn zset(ks: &Keyspace, k: &str) -> Vec<(String, f64)> {
        match ks.dbs[0].get(k.as_bytes()).map(|e| &e.obj) {
            Some(Obj::Zset(z)) => z
                .iter()
                .map(|(m, s)| {
                    assert_eq!(z.score(m).map(f64::to_bits), Some(s.to_bits()));
                    (String::from_utf8_lossy(m).into_owned(), s)
                })
                .collect(),
            None => Vec::new(),
            Some(o) => panic!("{k}: {o:?}"),
        }
    }

    fn listpack(ks: &Keyspace, k: &str) -> bool {
        match ks.dbs[0].get(k.as_bytes()).map(|e| &e.obj) {
            Some(Obj::Zset(z)) => z.is_listpack(),
            o => panic!("{k}: {o:?}"),
        }
    }

    fn members(ks: &Keyspace, k: &str) -> Vec<String> {
        zset(ks, k).into_iter().map(|(m, _)| m).collect()
    }

    fn score(ks: &Keyspace, k: &str, m: &str) -> f64 {
        zset(ks, k)
            .into_iter()
            .find(|(x, _)| x == m)
            .unwrap_or_else(|| panic!("{k} has no {m}"))
            .1
    }

    #[test]
    fn number_parsing_follows_strtod() {
        for (s, v) in [
            ("1", 1.0),
            ("-2.5", -2.5),
            ("+3", 3.0),
            ("1.", 1.0),
            (".5", 0.5),
            ("-.5", -0.5),
            ("1e3", 1000.0),
            ("1E-2", 0.01),
            ("inf", f64::INFINITY),
            ("+inf", f64::INFINITY),
            ("-INF", f64::NEG_INFINITY),
            ("Infinity", f64::INFINITY),
            ("-infinity", f64::NEG_INFINITY),
            ("0x10", 16.0),
            ("0X1p-2", 0.25),
            ("0x.8", 0.5),
            ("-0x1.8P1", -3.0),
            ("0x1fffffffffffff", 9_007_199_254_740_991.0),
            ("0x20000000000001", 9_007_199_254_740_992.0),
            ("0x20000000000003", 9_007_199_254_740_996.0),
            ("0x1p-1074", 5e-324),
            ("0x1p-1075", 0.0),
            ("0x1.8p-1075", 5e-324),
            ("1e400", f64::INFINITY),
            ("1e-400", 0.0),
            ("0.1", 0.1),
            ("123456789012345678901234567890", 1.2345678901234568e29),
        ] {
            assert_eq!(
                string2d(s.as_bytes()).map(f64::to_bits),
                Some(v.to_bits()),
                "{s}"
            );
        }
        for s in [
            "", " 1", "1 ", "nan", "-nan", "NaN(123)", "abc", "1e", "1e+", "0x", "0xg", "1.2.3",
            "--1", "infinit", "1\x000",
        ] {
            assert_eq!(string2d(s.as_bytes()), None, "{s:?}");
        }
        assert_eq!(strtod(b"  12abc"), Some((12.0, 4)));
        assert_eq!(strtod(b"0x"), Some((0.0, 1)));
        assert_eq!(strtod(b"1e+"), Some((1.0, 1)));
        assert_eq!(strtod(b"infin"), Some((f64::INFINITY, 3)));
        assert_eq!(strtod(b"   "), None);
        let ks = run(&["ZADD z -0 a", "ZADD z 0x10 b", "ZADD z -inf c"]);
        assert_eq!(score(&ks, "z", "a"), 0.0);
        assert_eq!(score(&ks, "z", "b"), 16.0);
        assert_eq!(members(&ks, "z"), ["c", "a", "b"]);
    }

    #[test]
    fn timeouts_are_read_as_redis_reads_them() {
        use super::timeout_ok;
        for t in ["0", "0.5", "-0.0001", "0x10", "9223372036854"] {
            assert_eq!(timeout_ok(t.as_bytes()), Ok(()), "{t}");
        }
        // Milliseconds past a long long turn negative in Redis.
        for t in ["-1", "inf", "1e30", "1e400", "-inf"] {
            assert_eq!(timeout_ok(t.as_bytes()), Err("timeout is negative"), "{t}");
        }
        assert_eq!(super::decimal_magnitude(b"-12.5e3"), Some(4));
        assert_eq!(super::decimal_magnitude(b"0.0012"), Some(-3));
        assert_eq!(super::decimal_magnitude(b".5"), Some(-1));
        assert_eq!(super::decimal_magnitude(b"0.0"), None);
        for t in ["-1e-400", "1e-4950", "1e4931", "1e4932"] {
            assert_ne!(
                timeout_ok(t.as_bytes()),
                Err("timeout is not a float or out of range"),
                "{t}"
            );
        }
        for t in [
            "x",
            "nan",
            " 1",
            "",
            "1e5000",
            "-1e5000",
            "1e-5000",
            "0.1e-4951",
        ] {
            assert_eq!(
                timeout_ok(t.as_bytes()),
                Err("timeout is not a float or out of range"),
                "{t}"
            );
        }
    }

    #[test]
    fn zadd_flags() {
        let ks = run(&[
            "ZADD z 1 a 2 b 3 c",
            "ZADD z NX 10 a 4 d",
            "ZADD z XX 20 b 5 e",
            "ZADD z GT 0 c 30 d",
            "ZADD z LT 100 a -1 c",
            "ZADD z XX GT CH 25 b",
            "ZADD z XX LT 26 b",
            "ZADD z INCR 2 a",
            "ZADD z GT INCR -5 c",
            "ZADD z LT INCR 5 d",
            "ZADD z NX INCR 5 new",
            "ZADD none XX 1 a",
            "ZADD none2 XX INCR 1 a",
            "zadd z ch 7 g",
        ]);
        assert_eq!(
            zset(&ks, "z"),
            [
                ("c".into(), -1.0),
                ("a".into(), 3.0),
                ("new".into(), 5.0),
                ("g".into(), 7.0),
                ("b".into(), 25.0),
                ("d".into(), 30.0)
            ]
        );
        assert!(!exists(&ks, "none") && !exists(&ks, "none2"));
    }

    #[test]
    fn zadd_errors() {
        let s = &["ZADD z 1 a"];
        assert!(fails(s, "ZADD z NX XX 1 a").contains("not compatible"));
        assert!(fails(s, "ZADD z GT LT 1 a").contains("not compatible"));
        assert!(fails(s, "ZADD z NX GT 1 a").contains("not compatible"));
        assert!(fails(s, "ZADD z INCR 1 a 2 b").contains("single"));
        assert!(fails(s, "ZADD z 1 a 2").contains("syntax"));
        assert!(fails(s, "ZADD z NX 1").contains("syntax"));
        assert!(fails(s, "ZADD z nan a").contains("float"));
        assert!(
            fails(s, "ZADD z 1 b x c").contains("float"),
            "all scores first"
        );
        assert!(fails(&["SET z 1"], "ZADD z 1 a").contains("WRONGTYPE"));
        assert!(fails(&["ZADD z inf a"], "ZADD z INCR -inf a").contains("NaN"));
        assert!(fails(&["ZADD z inf a"], "ZINCRBY z -inf a").contains("NaN"));
        assert!(fails(s, "ZINCRBY z nx a").contains("syntax"));
    }

    #[test]
    fn equal_scores_keep_their_bits() {
        // In a skiplist (here: a member longer than 64 bytes) -0 stays -0.
        let long = "x".repeat(65);
        let ks = run(&[
            &format!("ZADD z 1 {long}"),
            "ZADD z 0 a",
            "ZADD z -0 a",
            "ZADD z -0 b",
            "ZADD z 0 b",
            "ZINCRBY z 0 b",
            "ZINCRBY z -0 new",
            "ZADD z 0 c",
            "ZINCRBY z -0 c",
        ]);
        assert!(score(&ks, "z", "a").is_sign_positive());
        assert!(
            score(&ks, "z", "b").is_sign_negative(),
            "0 == -0: not rewritten"
        );
        assert!(score(&ks, "z", "new").is_sign_negative());
        assert!(score(&ks, "z", "c").is_sign_positive());
        assert_eq!(
            members(&ks, "z")[..4],
            ["a", "b", "c", "new"],
            "-0 sorts with 0"
        );
        let ks = run(&["ZINCRBY z 0.1 a", "ZINCRBY z 0.2 a", "ZADD z INCR 1e300 b"]);
        assert_eq!(score(&ks, "z", "a").to_bits(), (0.1f64 + 0.2).to_bits());
        assert_eq!(score(&ks, "z", "b"), 1e300);
    }

    #[test]
    fn listpacks_store_minus_zero_as_zero() {
        let ks = run(&[
            "ZADD z -0 a 1 b",
            "ZINCRBY z -0 new",
            "ZADD z -1 c",
            "ZINCRBY z 1 c",
        ]);
        for m in ["a", "new", "c"] {
            assert!(score(&ks, "z", m).is_sign_positive(), "{m}");
        }
        // The member that does not fit turns the listpack into a skiplist first.
        let long = "y".repeat(65);
        let ks = run(&[&format!("ZADD z -0 a -0 {long} -0 b")]);
        assert!(score(&ks, "z", "a").is_sign_positive());
        assert!(score(&ks, "z", &long).is_sign_negative());
        assert!(score(&ks, "z", "b").is_sign_negative());
        // 129 entries: the 129th converts.
        let mut add = String::from("ZADD big");
        for i in 0..130 {
            add.push_str(&format!(" -0 m{i:03}"));
        }
        let ks = run(&[&add]);
        let z = zset(&ks, "big");
        let neg: Vec<&str> = z
            .iter()
            .filter(|(_, s)| s.is_sign_negative())
            .map(|(m, _)| m.as_str())
            .collect();
        assert_eq!(neg, ["m128", "m129"]);
        // Z*STORE results that fit are listpacks; ZRANGESTORE fills a listpack in order.
        let ks = run(&[
            &format!("ZADD src 1 {long} -0 a -0 b"),
            "ZUNIONSTORE small 1 src WEIGHTS 1 AGGREGATE SUM",
            "ZADD w 0 a 0 b",
            "ZUNIONSTORE neg 1 w WEIGHTS -1",
            "ZUNIONSTORE keep 1 src",
            "ZRANGESTORE r1 src 0 -1",
            "ZRANGESTORE r2 src 0 -1 REV",
            "ZRANGESTORE r3 src 0 1",
        ]);
        assert!(score(&ks, "src", "a").is_sign_negative());
        assert!(
            score(&ks, "neg", "a").is_sign_positive(),
            "0 * -1 = -0, then 0"
        );
        assert!(
            score(&ks, "keep", "a").is_sign_negative(),
            "a long member: skiplist"
        );
        assert!(
            score(&ks, "r1", "a").is_sign_positive() && score(&ks, "r1", "b").is_sign_positive()
        );
        assert!(
            score(&ks, "r2", "a").is_sign_negative() && score(&ks, "r2", "b").is_sign_negative()
        );
        assert!(score(&ks, "r3", "a").is_sign_positive());
        let _ = ks.dbs[0].get(b"small").expect("small");
        assert!(listpack(&ks, "neg") && listpack(&ks, "r3"));
        assert!(!listpack(&ks, "src") && !listpack(&ks, "small") && !listpack(&ks, "r1"));
        // A set that grew past the limits and shrank back stays a skiplist: -0 kept.
        let ks = run(&[
            &add,
            "ZPOPMAX big 100",
            "ZADD big -0 late",
            "ZADD lp 1 a",
            "ZADD lp -0 late",
        ]);
        assert!(!listpack(&ks, "big") && listpack(&ks, "lp"));
        assert!(score(&ks, "big", "late").is_sign_negative());
        assert!(score(&ks, "lp", "late").is_sign_positive());
        // Z*STORE of it fits: converted back, -0 packed as 0; a rank ZRANGESTORE of
        // more than 128 starts as a skiplist.
        let ks = run(&[
            &add,
            "ZPOPMAX big 100",
            "ZADD big -0 late",
            "ZUNIONSTORE u 1 big",
            "ZRANGESTORE r big 0 -1",
            &format!("ZADD all -0 {long}"),
            &add.replace("big", "all"),
            "ZRANGESTORE r2 all 0 -1",
            "ZRANGESTORE r3 all -inf +inf BYSCORE",
        ]);
        assert!(listpack(&ks, "u") && listpack(&ks, "r"));
        assert!(score(&ks, "u", "late").is_sign_positive());
        assert!(score(&ks, "r", "late").is_sign_positive());
        assert!(!listpack(&ks, "r2") && !listpack(&ks, "r3"));
        let r2 = zset(&ks, "r2");
        assert_eq!(r2.iter().filter(|(_, s)| s.is_sign_negative()).count(), 131);
        let r3 = zset(&ks, "r3");
        let neg: Vec<&str> = r3
            .iter()
            .filter(|(_, s)| s.is_sign_negative())
            .map(|(m, _)| m.as_str())
            .collect();
        assert_eq!(
            neg,
            ["m128", "m129", long.as_str()],
            "BYSCORE: a listpack converted at the 129th"
        );
    }

    #[test]
    fn zrem_and_rank_ranges() {
        let base = "ZADD z 1 a 2 b 3 c 4 d 5 e";
        let ks = run(&[base, "ZREM z a x e", "ZREM missing a"]);
        assert_eq!(members(&ks, "z"), ["b", "c", "d"]);
        let ks = run(&["ZADD z 1 a", "ZREM z a b"]);
        assert!(!exists(&ks, "z"));
        for (cmd, want) in [
            ("ZREMRANGEBYRANK z 0 1", vec!["c", "d", "e"]),
            ("ZREMRANGEBYRANK z -2 -1", vec!["a", "b", "c"]),
            ("ZREMRANGEBYRANK z 3 1", vec!["a", "b", "c", "d", "e"]),
            ("ZREMRANGEBYRANK z -100 0", vec!["b", "c", "d", "e"]),
            ("ZREMRANGEBYRANK z 4 100", vec!["a", "b", "c", "d"]),
            ("ZREMRANGEBYRANK z 5 100", vec!["a", "b", "c", "d", "e"]),
            ("ZREMRANGEBYRANK z 0 -1", vec![]),
        ] {
            let ks = run(&[base, cmd]);
            assert_eq!(members(&ks, "z"), want, "{cmd}");
            assert_eq!(exists(&ks, "z"), !want.is_empty());
        }
        assert!(fails(&[base], "ZREMRANGEBYRANK z a 1").contains("integer"));
    }

    #[test]
    fn score_ranges() {
        let base = "ZADD z -inf m 1 a 2 b 3 c 4 d inf p";
        for (cmd, want) in [
            ("ZREMRANGEBYSCORE z 2 3", vec!["m", "a", "d", "p"]),
            ("ZREMRANGEBYSCORE z (2 3", vec!["m", "a", "b", "d", "p"]),
            ("ZREMRANGEBYSCORE z (1 (4", vec!["m", "a", "d", "p"]),
            ("ZREMRANGEBYSCORE z -inf (2", vec!["b", "c", "d", "p"]),
            ("ZREMRANGEBYSCORE z (-inf +inf", vec!["m"]),
            ("ZREMRANGEBYSCORE z -inf (inf", vec!["p"]),
            ("ZREMRANGEBYSCORE z 3 2", vec!["m", "a", "b", "c", "d", "p"]),
            (
                "ZREMRANGEBYSCORE z (2 2",
                vec!["m", "a", "b", "c", "d", "p"],
            ),
            ("ZREMRANGEBYSCORE z  2", vec!["m", "c", "d", "p"]),
            ("ZREMRANGEBYSCORE z ( 1", vec!["m", "b", "c", "d", "p"]),
            ("ZREMRANGEBYSCORE z 0x2 0x3", vec!["m", "a", "d", "p"]),
            ("ZREMRANGEBYSCORE z 4 inf", vec!["m", "a", "b", "c"]),
        ] {
            let ks = run(&[base, cmd]);
            assert_eq!(members(&ks, "z"), want, "{cmd}");
        }
        // Leading spaces are skipped by strtod; trailing ones are not.
        let mut ks = run(&[base]);
        Session::new()
            .execute(&mut ks, &[b"ZREMRANGEBYSCORE", b"z", b" 2", b"(\t3"])
            .unwrap();
        assert_eq!(members(&ks, "z"), ["m", "a", "c", "d", "p"]);
        assert!(fails(&[base], "ZREMRANGEBYSCORE z 1 x").contains("float"));
        assert!(fails(&[base], "ZREMRANGEBYSCORE z nan 1").contains("float"));
        assert!(fails(&[base], "ZREMRANGEBYSCORE z [1 2").contains("float"));
        let ks = run(&["ZADD z 1 a", "ZREMRANGEBYSCORE z 1 1"]);
        assert!(!exists(&ks, "z"));
    }

    #[test]
    fn lex_ranges() {
        let base = "ZADD z 0 a 0 b 0 c 0 d 0 e";
        for (cmd, want) in [
            ("ZREMRANGEBYLEX z [b [d", vec!["a", "e"]),
            ("ZREMRANGEBYLEX z (b (d", vec!["a", "b", "d", "e"]),
            ("ZREMRANGEBYLEX z - (c", vec!["c", "d", "e"]),
            ("ZREMRANGEBYLEX z [d +", vec!["a", "b", "c"]),
            ("ZREMRANGEBYLEX z + -", vec!["a", "b", "c", "d", "e"]),
            ("ZREMRANGEBYLEX z - -", vec!["a", "b", "c", "d", "e"]),
            ("ZREMRANGEBYLEX z [c [c", vec!["a", "b", "d", "e"]),
            ("ZREMRANGEBYLEX z (c [c", vec!["a", "b", "c", "d", "e"]),
            ("ZREMRANGEBYLEX z [ (b", vec!["b", "c", "d", "e"]),
            ("ZREMRANGEBYLEX z [bb +", vec!["a", "b"]),
        ] {
            let ks = run(&[base, cmd]);
            assert_eq!(members(&ks, "z"), want, "{cmd}");
        }
        assert!(fails(&[base], "ZREMRANGEBYLEX z a [b").contains("string range"));
        assert!(fails(&[base], "ZREMRANGEBYLEX z [a +b").contains("string range"));
        // Mixed scores: the walk is the listpack's (first at or above min, then on while
        // at or below max).
        let ks = run(&["ZADD z 1 a 2 c 3 b 4 d", "ZREMRANGEBYLEX z [b [c"]);
        assert_eq!(members(&ks, "z"), ["a", "d"]);
        let ks = run(&["ZADD z 1 c 2 a", "ZREMRANGEBYLEX z [b [z"]);
        assert_eq!(
            members(&ks, "z"),
            ["c", "a"],
            "last element below min: nothing"
        );
        let ks = run(&["ZADD z 1 d 2 a 3 c", "ZREMRANGEBYLEX z [a [c"]);
        assert_eq!(
            members(&ks, "z"),
            ["d", "a", "c"],
            "first element above max: nothing"
        );
    }

    #[test]
    fn pops() {
        let base = "ZADD z 1 a 2 b 3 c 4 d 5 e";
        let ks = run(&[
            base,
            "ZPOPMIN z",
            "ZPOPMAX z 2",
            "ZPOPMIN z 0",
            "ZPOPMAX missing",
        ]);
        assert_eq!(members(&ks, "z"), ["b", "c"]);
        let ks = run(&[base, "ZPOPMIN z 10"]);
        assert!(!exists(&ks, "z"));
        let ks = run(&[
            base,
            "ZADD y 1 x",
            "BZPOPMIN none y z 0",
            "BZPOPMAX none z 0.5",
            "BZPOPMIN none 0",
        ]);
        assert!(!exists(&ks, "y"));
        assert_eq!(members(&ks, "z"), ["a", "b", "c", "d"]);
        let ks = run(&[
            base,
            "ZMPOP 2 none z MIN",
            "ZMPOP 1 z max COUNT 2",
            "BZMPOP 0 2 none z MAX COUNT 1",
            "ZMPOP 1 none MIN",
        ]);
        assert_eq!(members(&ks, "z"), ["b"]);
        let s = &[base];
        assert!(fails(s, "ZPOPMIN z -1").contains("positive"));
        assert!(fails(s, "ZPOPMIN z 1 2").contains("syntax"));
        assert!(fails(s, "ZMPOP 0 z MIN").contains("numkeys"));
        assert!(fails(s, "ZMPOP 1 z LEFT").contains("syntax"));
        assert!(fails(s, "ZMPOP 2 z MIN").contains("syntax"));
        assert!(fails(s, "ZMPOP 1 z MIN COUNT 0").contains("count"));
        assert!(fails(s, "ZMPOP 1 z MIN COUNT 1 COUNT 1").contains("syntax"));
        assert!(fails(s, "BZMPOP -1 1 z MIN").contains("negative"));
        assert!(fails(s, "BZPOPMIN z x").contains("timeout"));
        assert!(fails(&["SET s 1", base], "ZMPOP 2 s z MIN").contains("WRONGTYPE"));
        assert!(fails(&["SET s 1", base], "BZPOPMIN s z 0").contains("WRONGTYPE"));
        // The first existing key is served; a later key of another type is not looked at.
        let ks = run(&["SET s 1", base, "ZMPOP 2 z s MIN", "BZPOPMAX z s 0"]);
        assert_eq!(members(&ks, "z"), ["b", "c", "d"]);
    }

    #[test]
    fn union_inter_diff() {
        let ks = run(&[
            "ZADD a 1 x 2 y 3 z",
            "ZADD b 10 y 20 z 30 w",
            "SADD s z w q",
            "ZUNIONSTORE u 2 a b",
            "ZINTERSTORE i 2 a b WEIGHTS 2 3",
            "ZUNIONSTORE umin 3 a b s AGGREGATE MIN",
            "ZINTERSTORE imax 3 a b s AGGREGATE max",
            "ZDIFFSTORE d 2 a b",
            "ZDIFFSTORE ds 2 s a",
            "ZUNIONSTORE uw 2 a b WEIGHTS 1 0 AGGREGATE SUM AGGREGATE MAX",
        ]);
        assert_eq!(
            zset(&ks, "u"),
            [
                ("x".into(), 1.0),
                ("y".into(), 12.0),
                ("z".into(), 23.0),
                ("w".into(), 30.0)
            ]
        );
        assert_eq!(zset(&ks, "i"), [("y".into(), 34.0), ("z".into(), 66.0)]);
        assert_eq!(
            zset(&ks, "umin"),
            [
                ("q".into(), 1.0),
                ("w".into(), 1.0),
                ("x".into(), 1.0),
                ("z".into(), 1.0),
                ("y".into(), 2.0)
            ]
        );
        assert_eq!(zset(&ks, "imax"), [("z".into(), 20.0)]);
        assert_eq!(zset(&ks, "d"), [("x".into(), 1.0)]);
        assert_eq!(zset(&ks, "ds"), [("q".into(), 1.0), ("w".into(), 1.0)]);
        assert_eq!(
            zset(&ks, "uw"),
            [
                ("w".into(), 0.0),
                ("x".into(), 1.0),
                ("y".into(), 2.0),
                ("z".into(), 3.0)
            ]
        );
    }

    #[test]
    fn store_edge_cases() {
        let ks = run(&[
            "ZADD a 1 x",
            "SET dst str",
            "PEXPIREAT dst 99999999999999",
            "ZUNIONSTORE dst 1 a",
            "ZADD e 1 q",
            "ZINTERSTORE e 2 a missing",
            "ZADD f 1 q",
            "ZDIFFSTORE f 2 a a",
            "ZADD g 1 q",
            "ZUNIONSTORE g 1 missing",
            "ZADD a2 5 x 6 y",
            "ZINTERSTORE a2 2 a2 a2",
        ]);
        assert_eq!(zset(&ks, "dst"), [("x".into(), 1.0)]);
        assert_eq!(
            ks.dbs[0].get(b"dst").unwrap().expire_ms(),
            None,
            "TTL dropped"
        );
        assert!(!exists(&ks, "e") && !exists(&ks, "f") && !exists(&ks, "g"));
        assert_eq!(zset(&ks, "a2"), [("x".into(), 10.0), ("y".into(), 12.0)]);
        let s = &["ZADD a 1 x", "SET str 1"];
        assert!(fails(s, "ZUNIONSTORE d 2 a str").contains("WRONGTYPE"));
        assert!(fails(s, "ZUNIONSTORE d 0 a").contains("at least 1 input key"));
        assert!(fails(s, "ZUNIONSTORE d 2 a").contains("syntax"));
        assert!(fails(s, "ZUNIONSTORE d 1 a WEIGHTS").contains("syntax"));
        assert!(fails(s, "ZUNIONSTORE d 1 a WEIGHTS x").contains("weight"));
        assert!(fails(s, "ZUNIONSTORE d 1 a AGGREGATE AVG").contains("syntax"));
        assert!(fails(s, "ZUNIONSTORE d 1 a WITHSCORES").contains("syntax"));
        assert!(fails(s, "ZDIFFSTORE d 1 a WEIGHTS 1").contains("syntax"));
        assert!(fails(s, "ZDIFFSTORE d 1 a AGGREGATE SUM").contains("syntax"));
        assert!(fails(s, "ZINTERSTORE d x a").contains("integer"));
    }

    #[test]
    fn store_arithmetic_is_redis_s() {
        let ks = run(&[
            "ZADD a inf x 1 y 0 z inf n",
            "ZADD b -inf x 2 y inf z -inf n",
            "ZUNIONSTORE u 2 a b",
            "ZINTERSTORE i 2 a b",
            "ZINTERSTORE w 2 a b WEIGHTS 0 1",
            "ZUNIONSTORE w2 2 a b WEIGHTS 0 1",
            "ZINTERSTORE mn 2 a b WEIGHTS 0 1 AGGREGATE MIN",
            "ZUNIONSTORE mn2 2 a b WEIGHTS 0 1 AGGREGATE MIN",
            "ZINTERSTORE mx 2 b a WEIGHTS 1 0 AGGREGATE MAX",
        ]);
        // inf + -inf = 0 (SUM).
        assert_eq!(score(&ks, "u", "x"), 0.0);
        assert_eq!(score(&ks, "u", "z"), f64::INFINITY);
        assert_eq!(score(&ks, "i", "x"), 0.0);
        // 0 * inf: the first value's NaN is 0; in an intersection a later NaN value
        // makes a SUM NaN, hence 0, while MIN/MAX ignore it.
        assert_eq!(score(&ks, "w", "x"), f64::NEG_INFINITY);
        assert_eq!(score(&ks, "w", "z"), f64::INFINITY);
        assert_eq!(score(&ks, "w2", "x"), f64::NEG_INFINITY);
        assert_eq!(score(&ks, "mn", "x"), f64::NEG_INFINITY);
        assert_eq!(score(&ks, "mn", "n"), f64::NEG_INFINITY);
        assert_eq!(score(&ks, "mn2", "z"), 0.0);
        assert_eq!(score(&ks, "mx", "z"), f64::INFINITY);
        // b is the first (same size): x = -inf (b) then a's 0*inf = NaN: MAX keeps -inf.
        assert_eq!(score(&ks, "mx", "x"), f64::NEG_INFINITY);
        // Union: later NaN values become 0 before aggregating.
        let ks = run(&[
            "ZADD a inf x",
            "ZADD b 5 x 1 y",
            "ZUNIONSTORE u 2 a b WEIGHTS 0 1",
            "ZUNIONSTORE m 2 b a WEIGHTS 1 0 AGGREGATE MIN",
        ]);
        assert_eq!(score(&ks, "u", "x"), 5.0);
        assert_eq!(
            score(&ks, "m", "x"),
            0.0,
            "a (smaller) first: 0*inf -> 0, min 0"
        );
        // Aggregation order is by cardinality (stable for ties), which matters for
        // sums that are not associative.
        let ks = run(&[
            "ZADD a 1e16 x",
            "ZADD b 1 x",
            "ZADD c 1 x",
            "ZADD big 0 q 0 r",
            "ZUNIONSTORE abc 3 a b c",
            "ZUNIONSTORE bca 3 b c a",
            "ZUNIONSTORE sorted 2 big b WEIGHTS 1 1",
        ]);
        assert_eq!(score(&ks, "abc", "x"), (1e16f64 + 1.0) + 1.0);
        assert_eq!(score(&ks, "bca", "x"), (1.0f64 + 1.0) + 1e16);
        assert_ne!(score(&ks, "abc", "x"), score(&ks, "bca", "x"));
    }

    #[test]
    fn zrangestore_forms() {
        let base = "ZADD z 1 a 2 b 3 c 4 d 5 e";
        for (cmd, want) in [
            ("ZRANGESTORE d z 0 -1", vec!["a", "b", "c", "d", "e"]),
            ("ZRANGESTORE d z 1 2", vec!["b", "c"]),
            ("ZRANGESTORE d z 0 1 REV", vec!["d", "e"]),
            ("ZRANGESTORE d z -2 -1 REV", vec!["a", "b"]),
            ("ZRANGESTORE d z 3 1", vec![]),
            ("ZRANGESTORE d z 2 4 BYSCORE", vec!["b", "c", "d"]),
            ("ZRANGESTORE d z (2 4 BYSCORE", vec!["c", "d"]),
            ("ZRANGESTORE d z 4 2 BYSCORE REV", vec!["b", "c", "d"]),
            ("ZRANGESTORE d z 2 4 BYSCORE REV", vec![]),
            (
                "ZRANGESTORE d z -inf +inf BYSCORE LIMIT 1 2",
                vec!["b", "c"],
            ),
            (
                "ZRANGESTORE d z +inf -inf BYSCORE REV LIMIT 1 2",
                vec!["c", "d"],
            ),
            (
                "ZRANGESTORE d z -inf +inf BYSCORE LIMIT 3 -1",
                vec!["d", "e"],
            ),
            ("ZRANGESTORE d z -inf +inf BYSCORE LIMIT 5 1", vec![]),
            ("ZRANGESTORE d z -inf +inf BYSCORE LIMIT -1 1", vec![]),
            ("ZRANGESTORE d z -inf +inf BYSCORE LIMIT 0 0", vec![]),
            (
                "ZRANGESTORE d z 0 -1 LIMIT 0 -1",
                vec!["a", "b", "c", "d", "e"],
            ),
            ("ZRANGESTORE d missing 0 -1", vec![]),
        ] {
            let ks = run(&[base, "SET d x", cmd]);
            assert_eq!(members(&ks, "d"), want, "{cmd}");
            assert_eq!(exists(&ks, "d"), !want.is_empty(), "{cmd}");
        }
        let lex = "ZADD z 0 a 0 b 0 c 0 d 0 e";
        for (cmd, want) in [
            ("ZRANGESTORE d z [b (e BYLEX", vec!["b", "c", "d"]),
            ("ZRANGESTORE d z (e [b BYLEX REV", vec!["b", "c", "d"]),
            ("ZRANGESTORE d z - + BYLEX LIMIT 2 2", vec!["c", "d"]),
            (
                "ZRANGESTORE d z + - BYLEX REV LIMIT 1 3",
                vec!["b", "c", "d"],
            ),
            ("ZRANGESTORE d z + - BYLEX REV LIMIT 4 3", vec!["a"]),
            ("ZRANGESTORE d z + - BYLEX REV LIMIT 5 3", vec![]),
        ] {
            let ks = run(&[lex, cmd]);
            assert_eq!(members(&ks, "d"), want, "{cmd}");
        }
        let ks = run(&[base, "ZRANGESTORE z z 1 2"]);
        assert_eq!(zset(&ks, "z"), [("b".into(), 2.0), ("c".into(), 3.0)]);
        let s = &[base];
        assert!(fails(s, "ZRANGESTORE d z 0 1 LIMIT 0 1").contains("LIMIT"));
        assert!(fails(s, "ZRANGESTORE d z 0 1 WITHSCORES").contains("syntax"));
        assert!(fails(s, "ZRANGESTORE d z 0 1 REV REV").contains("syntax"));
        assert!(fails(s, "ZRANGESTORE d z 0 1 BYSCORE BYLEX").contains("syntax"));
        assert!(fails(s, "ZRANGESTORE d z 0 1 BYSCORE LIMIT 0").contains("syntax"));
        assert!(fails(s, "ZRANGESTORE d z a 1 BYSCORE").contains("float"));
        assert!(fails(s, "ZRANGESTORE d z a b BYLEX").contains("string range"));
        assert!(fails(s, "ZRANGESTORE d z a 1").contains("integer"));
        assert!(fails(&["SET s 1"], "ZRANGESTORE d s 0 1").contains("WRONGTYPE"));
    }
}

//! List commands: LPUSH, RPUSH, LPUSHX, RPUSHX, LINSERT, LSET, LREM, LTRIM, LPOP and
//! RPOP (with a count), RPOPLPUSH, LMOVE, LMPOP, and the blocking forms BLPOP, BRPOP,
//! BRPOPLPUSH, BLMOVE, BLMPOP applied as the non-blocking command they are propagated as.
//! A blocking command that finds nothing to pop changes nothing and replies what Redis
//! replies at its timeout: the server blocks the client itself and only calls the engine
//! once there is data or the time is up.
//!
//! Semantics, replies and change counts follow `src/t_list.c` (7.0): options are checked
//! before the key, a key of another type is WRONGTYPE, a list that becomes empty is
//! deleted. Redis 7.0 propagates BLPOP/BRPOP as `LPOP|RPOP key`, LMPOP/BLMPOP as
//! `LPOP|RPOP key count` (the number popped), BLMOVE as LMOVE, BRPOPLPUSH as RPOPLPUSH.

use super::zsets::timeout_ok;
use super::{Ctx, ExecError, Handler, is, parse_i64};
use crate::engine::List;

pub(super) fn lookup(name: &str) -> Option<(Handler, i32)> {
    Some(match name {
        "LPUSH" | "RPUSH" | "LPUSHX" | "RPUSHX" => (push, -3),
        "LINSERT" => (linsert, 5),
        "LSET" => (lset, 4),
        "LREM" => (lrem, 4),
        "LTRIM" => (ltrim, 4),
        "LPOP" | "RPOP" => (pop, -2),
        "RPOPLPUSH" => (lmove, 3),
        "BRPOPLPUSH" => (lmove, 4),
        "LMOVE" => (lmove, 5),
        "BLMOVE" => (lmove, 6),
        "BLPOP" | "BRPOP" => (bpop, -3),
        "LMPOP" => (lmpop, -4),
        "BLMPOP" => (lmpop, -5),
        _ => return None,
    })
}

const NOT_INT: &str = "value is not an integer or out of range";
const SYNTAX: &str = "syntax error";

/// Which end of a list.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum End {
    Head,
    Tail,
}

fn push_at(l: &mut List, end: End, v: &[u8]) {
    match end {
        End::Head => l.push_front(v),
        End::Tail => l.push_back(v),
    }
}

fn pop_at(l: &mut List, end: End) -> Option<Vec<u8>> {
    match end {
        End::Head => l.pop_front(),
        End::Tail => l.pop_back(),
    }
}

/// Removes `n` elements (at most the length) from one end.
fn pop_n(l: &mut List, end: End, n: u64) {
    let n = usize::try_from(n).unwrap_or(usize::MAX).min(l.len());
    match end {
        End::Head => l.drain_front(n),
        End::Tail => l.truncate(l.len() - n),
    }
}

/// LEFT / RIGHT.
fn position(c: &Ctx<'_>, a: &[u8]) -> Result<End, ExecError> {
    if is(a, "LEFT") {
        Ok(End::Head)
    } else if is(a, "RIGHT") {
        Ok(End::Tail)
    } else {
        Err(c.err(SYNTAX))
    }
}

/// A blocking command's timeout (seconds, a float, not negative).
fn timeout(c: &Ctx<'_>, a: &[u8]) -> Result<(), ExecError> {
    timeout_ok(a).map_err(|m| c.err(m))
}

fn push(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let end = if c.name.starts_with('L') {
        End::Head
    } else {
        End::Tail
    };
    let only_existing = c.name.ends_with('X');
    let Some(l) = c.list(a[1], !only_existing)? else {
        c.out.int(0);
        return Ok(());
    };
    for v in &a[2..] {
        push_at(l, end, v);
    }
    let len = l.len();
    c.out.int(len as i64);
    c.changed(a.len() as u64 - 2);
    Ok(())
}

fn linsert(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let after = if is(a[2], "AFTER") {
        true
    } else if is(a[2], "BEFORE") {
        false
    } else {
        return Err(c.err(SYNTAX));
    };
    let Some(l) = c.list(a[1], false)? else {
        c.out.int(0);
        return Ok(());
    };
    let Some(i) = l.iter().position(|e| e == a[3]) else {
        c.out.int(-1);
        return Ok(());
    };
    l.insert(if after { i + 1 } else { i }, a[4]);
    let len = l.len();
    c.out.int(len as i64);
    c.changed(1);
    Ok(())
}

fn lset(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let no_key = c.err("no such key");
    let not_int = c.err(NOT_INT);
    let range = c.err("index out of range");
    let l = c.list(a[1], false)?.ok_or(no_key)?;
    let index = parse_i64(a[2]).ok_or(not_int)?;
    let len = l.len() as i64;
    let i = if index < 0 { index + len } else { index };
    match usize::try_from(i) {
        Ok(i) if l.set(i, a[3]) => {
            c.out.ok();
            c.changed(1);
            Ok(())
        }
        _ => Err(range),
    }
}

fn lrem(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let count = parse_i64(a[2]).ok_or_else(|| c.err(NOT_INT))?;
    let Some(l) = c.list(a[1], false)? else {
        c.out.int(0);
        return Ok(());
    };
    // 7.0 accepts LONG_MIN (its negation overflows and nothing ever reaches it): it
    // removes every match, as later versions' 0 does.
    let limit = if count == 0 || count == i64::MIN {
        u64::MAX
    } else {
        count.unsigned_abs()
    };
    let matches: Vec<usize> = l
        .iter()
        .enumerate()
        .filter(|(_, e)| *e == a[3])
        .map(|(i, _)| i)
        .collect();
    let take = usize::try_from(limit)
        .unwrap_or(usize::MAX)
        .min(matches.len());
    // From the tail for a negative count.
    let gone = if count < 0 {
        matches.get(matches.len() - take..).unwrap_or_default()
    } else {
        matches.get(..take).unwrap_or_default()
    };
    if !gone.is_empty() {
        let (mut i, mut next) = (0usize, gone.iter().peekable());
        l.retain(|_| {
            let drop = next.peek().is_some_and(|&&g| g == i);
            if drop {
                next.next();
            }
            i += 1;
            !drop
        });
    }
    let removed = gone.len();
    c.drop_if_empty(a[1]);
    c.out.int(removed as i64);
    c.changed(removed as u64);
    Ok(())
}

fn ltrim(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let not_int = c.err(NOT_INT);
    let mut start = parse_i64(a[2]).ok_or_else(|| not_int.clone())?;
    let mut end = parse_i64(a[3]).ok_or(not_int)?;
    let Some(l) = c.list(a[1], false)? else {
        c.out.ok();
        return Ok(());
    };
    let len = l.len() as i64;
    if start < 0 {
        start += len;
    }
    if end < 0 {
        end += len;
    }
    if start < 0 {
        start = 0;
    }
    if start > end || start >= len {
        l.clear();
    } else {
        if end >= len {
            end = len - 1;
        }
        l.truncate(end as usize + 1);
        l.drain_front(start as usize);
    }
    // Redis counts every element trimmed away.
    let removed = len as u64 - l.len() as u64;
    c.drop_if_empty(a[1]);
    c.out.ok();
    c.changed(removed);
    Ok(())
}

/// Pops up to `n` elements from `end`: how many, and, when `keep` (a client waits for
/// them), the elements in the order they were popped.
fn take(l: &mut List, end: End, n: u64, keep: bool) -> (u64, Vec<Vec<u8>>) {
    let before = l.len();
    if !keep {
        pop_n(l, end, n);
        return ((before - l.len()) as u64, Vec::new());
    }
    let n = usize::try_from(n).unwrap_or(usize::MAX).min(before);
    let v: Vec<Vec<u8>> = (0..n).map_while(|_| pop_at(l, end)).collect();
    (v.len() as u64, v)
}

/// The command that pops from `end` (LPOP or RPOP), for propagation.
fn pop_name(end: End) -> &'static [u8] {
    match end {
        End::Head => b"LPOP",
        End::Tail => b"RPOP",
    }
}

/// LPOP / RPOP key [count]: a bulk (nil when missing); with a count, an array (a nil
/// array when missing).
fn pop(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    if a.len() > 3 {
        return Err(c.wrong_arity());
    }
    let end = if c.name == "LPOP" {
        End::Head
    } else {
        End::Tail
    };
    let has_count = a.len() == 3;
    let count = match a.get(2) {
        None => 1,
        Some(n) => parse_i64(n)
            .filter(|&n| n >= 0)
            .ok_or_else(|| c.err("value is out of range, must be positive"))?
            as u64,
    };
    let on = c.out.is_on();
    let Some(l) = c.list(a[1], false)? else {
        if has_count {
            c.out.nil_array();
        } else {
            c.out.nil();
        }
        return Ok(());
    };
    let (n, popped) = take(l, end, count, on);
    c.drop_if_empty(a[1]);
    if has_count {
        c.out.array(popped.len());
        for e in &popped {
            c.out.bulk(e);
        }
    } else {
        match popped.first() {
            Some(e) => c.out.bulk(e),
            None => c.out.nil(),
        }
    }
    c.changed(n);
    Ok(())
}

/// RPOPLPUSH, LMOVE, BRPOPLPUSH, BLMOVE: the element moved; nil when the source is
/// missing (a nil array for the blocking forms: their timeout's reply). The blocking
/// forms are propagated as RPOPLPUSH / LMOVE.
fn lmove(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let (from, to) = match c.name {
        "RPOPLPUSH" | "BRPOPLPUSH" => (End::Tail, End::Head),
        _ => (position(c, a[3])?, position(c, a[4])?),
    };
    match c.name {
        "BRPOPLPUSH" => timeout(c, a[3])?,
        "BLMOVE" => timeout(c, a[5])?,
        _ => {}
    }
    let (src, dst) = (a[1], a[2]);
    if c.list(src, false)?.is_none_or(|l| l.is_empty()) {
        // Redis 7.0 answers a blocked client's timeout with a nil array, BLMOVE's too.
        if c.name.starts_with('B') {
            c.out.nil_array();
        } else {
            c.out.nil();
        }
        return Ok(());
    }
    // The destination's type is checked before anything moves.
    c.list(dst, false)?;
    let Some(v) = c.list(src, false)?.and_then(|l| pop_at(l, from)) else {
        c.out.nil();
        return Ok(());
    };
    if let Some(l) = c.list(dst, true)? {
        push_at(l, to, &v);
    }
    c.drop_if_empty(src);
    c.out.bulk(&v);
    c.changed(1);
    match c.name {
        "BLMOVE" => c.propagate(&[b"LMOVE", src, dst, a[3], a[4]]),
        "BRPOPLPUSH" => c.propagate(&[b"RPOPLPUSH", src, dst]),
        _ => {}
    }
    Ok(())
}

/// What a multi-key pop took: the key, how many elements, and, for a client, them.
type Popped<'k> = (&'k [u8], u64, Vec<Vec<u8>>);

/// Pops `count` elements from `end` of the first of `keys` that holds a non-empty list
/// (a key of another type met before it is WRONGTYPE): the key, how many were popped,
/// and, for a client, the elements.
fn pop_first<'k>(
    c: &mut Ctx<'_>,
    keys: &[&'k [u8]],
    end: End,
    count: u64,
) -> Result<Option<Popped<'k>>, ExecError> {
    let on = c.out.is_on();
    for &k in keys {
        if let Some(l) = c.list(k, false)? {
            if l.is_empty() {
                continue;
            }
            let (n, popped) = take(l, end, count, on);
            c.drop_if_empty(k);
            return Ok(Some((k, n, popped)));
        }
    }
    Ok(None)
}

/// BLPOP / BRPOP key [key ...] timeout: LPOP/RPOP of the first non-empty list, replied
/// as [key, element] and propagated as that LPOP/RPOP; a nil array (the timeout's
/// reply) when every list is empty.
fn bpop(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let n = a.len();
    timeout(c, a[n - 1])?;
    let end = if c.name == "BLPOP" {
        End::Head
    } else {
        End::Tail
    };
    let Some((key, popped, elements)) = pop_first(c, &a[1..n - 1], end, 1)? else {
        c.out.nil_array();
        return Ok(());
    };
    c.out.array(2);
    c.out.bulk(key);
    if let Some(e) = elements.first() {
        c.out.bulk(e);
    }
    c.changed(popped);
    c.propagate(&[pop_name(end), key]);
    Ok(())
}

/// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT n]; BLMPOP timeout numkeys ...:
/// [key, [elements]] (a nil array when every list is empty), propagated as
/// `LPOP|RPOP key popped`.
fn lmpop(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let at = if c.name == "BLMPOP" { 2 } else { 1 };
    let numkeys = parse_i64(a[at])
        .filter(|&n| n >= 1)
        .ok_or_else(|| c.err("numkeys should be greater than 0"))? as u64;
    let where_at = usize::try_from(numkeys)
        .ok()
        .and_then(|n| n.checked_add(at + 1))
        .filter(|&w| w < a.len())
        .ok_or_else(|| c.err(SYNTAX))?;
    let end = position(c, a[where_at])?;
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
        timeout(c, a[1])?;
    }
    let Some((key, popped, elements)) =
        pop_first(c, &a[at + 1..where_at], end, count.unwrap_or(1))?
    else {
        c.out.nil_array();
        return Ok(());
    };
    c.out.array(2);
    c.out.bulk(key);
    c.out.array(elements.len());
    for e in &elements {
        c.out.bulk(e);
    }
    c.changed(popped);
    c.propagate(&[
        pop_name(end),
        key,
        itoa::Buffer::new().format(popped).as_bytes(),
    ]);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::tests::{exists, fails, run};
    use crate::engine::{Keyspace, Obj};

    fn list(ks: &Keyspace, k: &str) -> Vec<String> {
        match ks.dbs[0].get(k.as_bytes()).map(|e| &e.obj) {
            Some(Obj::List(l)) => l
                .iter()
                .map(|e| String::from_utf8_lossy(e).into_owned())
                .collect(),
            None => Vec::new(),
            Some(o) => panic!("{k}: {o:?}"),
        }
    }

    #[test]
    fn push_and_pushx() {
        let ks = run(&[
            "LPUSH l a b c",
            "RPUSH l x y",
            "LPUSHX l h",
            "RPUSHX l t",
            "LPUSHX none a",
            "RPUSHX none a",
        ]);
        assert_eq!(list(&ks, "l"), ["h", "c", "b", "a", "x", "y", "t"]);
        assert!(!exists(&ks, "none"));
        assert!(fails(&["SET s 1"], "LPUSH s a").contains("WRONGTYPE"));
        assert!(fails(&["SET s 1"], "RPUSHX s a").contains("WRONGTYPE"));
    }

    #[test]
    fn linsert_finds_the_first_pivot() {
        let ks = run(&[
            "RPUSH l a b a c",
            "LINSERT l BEFORE a x",
            "LINSERT l after a y",
            "LINSERT l AFTER c z",
            "LINSERT l BEFORE nope q",
            "LINSERT missing BEFORE a q",
        ]);
        assert_eq!(list(&ks, "l"), ["x", "a", "y", "b", "a", "c", "z"]);
        assert!(!exists(&ks, "missing"));
        assert!(fails(&["RPUSH l a"], "LINSERT l MIDDLE a b").contains("syntax"));
    }

    #[test]
    fn lset_indexes_and_errors() {
        let ks = run(&["RPUSH l a b c", "LSET l 0 x", "LSET l -1 z", "LSET l -2 y"]);
        assert_eq!(list(&ks, "l"), ["x", "y", "z"]);
        assert!(fails(&["RPUSH l a"], "LSET l 1 x").contains("out of range"));
        assert!(fails(&["RPUSH l a"], "LSET l -2 x").contains("out of range"));
        assert!(fails(&[], "LSET l 0 x").contains("no such key"));
        assert!(fails(&["RPUSH l a"], "LSET l x x").contains("integer"));
    }

    #[test]
    fn lrem_directions() {
        let ks = run(&[
            "RPUSH a x 1 x 2 x 3 x",
            "LREM a 2 x",
            "RPUSH b x 1 x 2 x 3 x",
            "LREM b -2 x",
            "RPUSH c x 1 x",
            "LREM c 0 x",
            "RPUSH d x x",
            "LREM d 0 x",
            "RPUSH e x 1 x",
            "LREM e -9223372036854775808 x",
            "LREM missing 1 x",
        ]);
        assert_eq!(list(&ks, "a"), ["1", "2", "x", "3", "x"]);
        assert_eq!(list(&ks, "b"), ["x", "1", "x", "2", "3"]);
        assert_eq!(list(&ks, "c"), ["1"]);
        assert!(!exists(&ks, "d"), "emptied list is deleted");
        assert_eq!(list(&ks, "e"), ["1"]);
        assert!(fails(&["RPUSH l a"], "LREM l 01 a").contains("integer"));
    }

    #[test]
    fn ltrim_ranges() {
        let base = "RPUSH l 0 1 2 3 4 5";
        let cases: &[(&str, &[&str])] = &[
            ("LTRIM l 1 3", &["1", "2", "3"]),
            ("LTRIM l -2 -1", &["4", "5"]),
            ("LTRIM l -100 1", &["0", "1"]),
            ("LTRIM l 2 100", &["2", "3", "4", "5"]),
            ("LTRIM l 4 2", &[]),
            ("LTRIM l 6 10", &[]),
            ("LTRIM l 0 -7", &[]),
            ("LTRIM l 0 -6", &["0"]),
            (
                "LTRIM l -9223372036854775808 9223372036854775807",
                &["0", "1", "2", "3", "4", "5"],
            ),
        ];
        for (cmd, want) in cases {
            let ks = run(&[base, cmd]);
            assert_eq!(list(&ks, "l"), *want, "{cmd}");
            assert_eq!(exists(&ks, "l"), !want.is_empty(), "{cmd}");
        }
        let ks = run(&["LTRIM missing 0 1"]);
        assert!(!exists(&ks, "missing"));
    }

    #[test]
    fn pops_with_and_without_count() {
        let ks = run(&[
            "RPUSH l a b c d e f",
            "LPOP l",
            "RPOP l",
            "LPOP l 2",
            "RPOP l 0",
            "LPOP missing",
            "RPOP missing 3",
            "RPUSH m a b",
            "RPOP m 10",
        ]);
        assert_eq!(list(&ks, "l"), ["d", "e"]);
        assert!(!exists(&ks, "m"));
        assert!(fails(&["RPUSH l a"], "LPOP l -1").contains("positive"));
        assert!(fails(&["RPUSH l a"], "LPOP l 1 2").contains("arguments"));
        assert!(fails(&["SET s 1"], "LPOP s").contains("WRONGTYPE"));
    }

    #[test]
    fn lmove_family() {
        let ks = run(&[
            "RPUSH s a b c",
            "RPOPLPUSH s d",
            "LMOVE s d LEFT RIGHT",
            "BLMOVE s d right left 0",
            "BRPOPLPUSH missing d 0",
            "LMOVE missing d LEFT LEFT",
            "RPUSH r 1 2 3",
            "LMOVE r r LEFT RIGHT",
            "RPUSH one x",
            "RPOPLPUSH one one",
        ]);
        assert!(!exists(&ks, "s"));
        assert_eq!(list(&ks, "d"), ["b", "c", "a"]);
        assert_eq!(list(&ks, "r"), ["2", "3", "1"]);
        assert_eq!(list(&ks, "one"), ["x"]);
        assert!(fails(&["RPUSH s a", "SET d 1"], "LMOVE s d LEFT LEFT").contains("WRONGTYPE"));
        assert!(fails(&["RPUSH s a"], "LMOVE s d UP LEFT").contains("syntax"));
        assert!(fails(&["RPUSH s a"], "BLMOVE s d LEFT LEFT -1").contains("timeout"));
        assert!(fails(&["RPUSH s a"], "BRPOPLPUSH s d x").contains("timeout"));
        // A missing source is a no-op even when the destination has another type.
        let ks = run(&["SET d 1", "LMOVE s d LEFT LEFT"]);
        assert!(!exists(&ks, "s"));
    }

    #[test]
    fn blocking_pops_serve_the_first_non_empty_list() {
        let ks = run(&[
            "RPUSH b 1 2 3",
            "RPUSH c x",
            "BLPOP a b c 0",
            "BRPOP a b c 0.5",
            "BLPOP nothing here 1",
            "SET s 1",
            "BRPOP c s 0",
        ]);
        assert_eq!(list(&ks, "b"), ["2"]);
        assert!(!exists(&ks, "c"));
        assert!(fails(&["SET s 1", "RPUSH l a"], "BLPOP s l 0").contains("WRONGTYPE"));
        assert!(fails(&["RPUSH l a"], "BLPOP l -0.5").contains("negative"));
        // ceil(-0.0001 * 1000) is 0: accepted.
        run(&["RPUSH l a", "BLPOP l -0.0001"]);
    }

    #[test]
    fn lmpop_and_blmpop() {
        let ks = run(&[
            "RPUSH b 1 2 3 4 5",
            "LMPOP 2 a b LEFT",
            "LMPOP 2 a b RIGHT COUNT 2",
            "BLMPOP 0 3 x y b left count 10",
            "LMPOP 1 nothing LEFT",
        ]);
        assert!(!exists(&ks, "b"));
        let ks = run(&["RPUSH b 1 2 3 4 5", "BLMPOP 1.5 1 b RIGHT COUNT 3"]);
        assert_eq!(list(&ks, "b"), ["1", "2"]);
        let setup = &["RPUSH b 1"];
        assert!(fails(setup, "LMPOP 0 b LEFT").contains("numkeys"));
        assert!(fails(setup, "LMPOP 2 b LEFT").contains("syntax"));
        assert!(fails(setup, "LMPOP 1 b UP").contains("syntax"));
        assert!(fails(setup, "LMPOP 1 b LEFT COUNT 0").contains("count"));
        assert!(fails(setup, "LMPOP 1 b LEFT COUNT 1 COUNT 1").contains("syntax"));
        assert!(fails(setup, "LMPOP 1 b LEFT COUNT").contains("syntax"));
        assert!(fails(setup, "BLMPOP -1 1 b LEFT").contains("negative"));
        assert!(fails(setup, "LMPOP 9223372036854775807 b LEFT").contains("syntax"));
        assert!(fails(&["SET s 1"], "LMPOP 2 s b LEFT").contains("WRONGTYPE"));
    }
}

//! Set commands: SADD, SREM, SMOVE, SINTERSTORE, SUNIONSTORE, SDIFFSTORE, and SPOP.
//!
//! Semantics, replies and change counts follow `src/t_set.c` (7.0). The STORE commands
//! type-check every source key first, replace the destination whatever its type
//! (dropping its TTL), and delete it when the result is empty.
//!
//! SPOP picks members at random, so Redis never writes it to an AOF: it propagates
//! `SPOP key` as `SREM key member`, `SPOP key count` as one `SREM key member` per member
//! popped, or as `DEL key` when it takes the whole set. A replayed SPOP is therefore
//! refused (no consistent AOF holds one); a client's pops at random, as Redis does.

use std::collections::HashSet;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

use super::{Ctx, ExecError, Handler, parse_i64};
use crate::engine::{Obj, Set};

pub(super) fn lookup(name: &str) -> Option<(Handler, i32)> {
    Some(match name {
        "SADD" => (sadd, -3),
        "SREM" => (srem, -3),
        "SMOVE" => (smove, 4),
        "SPOP" => (spop, -2),
        "SINTERSTORE" | "SUNIONSTORE" | "SDIFFSTORE" => (store, -3),
        _ => return None,
    })
}

fn sadd(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let mut added = 0u64;
    if let Some(s) = c.set(a[1], true)? {
        for m in &a[2..] {
            added += u64::from(s.insert(m));
        }
    }
    c.out.int(added as i64);
    c.changed(added);
    Ok(())
}

fn srem(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let mut removed = 0u64;
    if let Some(s) = c.set(a[1], false)? {
        for m in &a[2..] {
            removed += u64::from(s.remove(m));
        }
    }
    c.drop_if_empty(a[1]);
    c.out.int(removed as i64);
    c.changed(removed);
    Ok(())
}

/// SMOVE source destination member: 1 when moved (or, when source and destination are
/// the same key, when it is a member), else 0. Redis counts the removal and, when the
/// destination did not have it, the addition.
fn smove(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let (src, dst, m) = (a[1], a[2], a[3]);
    // A missing source is a no-op, whatever the destination holds.
    if !c.db().contains(src) {
        c.out.int(0);
        return Ok(());
    }
    c.set(src, false)?;
    c.set(dst, false)?;
    if src == dst {
        let member = c.set(src, false)?.is_some_and(|s| s.contains(m));
        c.out.int(i64::from(member));
        return Ok(());
    }
    let removed = c.set(src, false)?.is_some_and(|s| s.remove(m));
    if !removed {
        c.out.int(0);
        return Ok(());
    }
    c.drop_if_empty(src);
    let added = c.set(dst, true)?.is_some_and(|s| s.insert(m));
    c.out.int(1);
    c.changed(1 + u64::from(added));
    Ok(())
}

/// A random number below `n` (> 0), for SPOP. Each call hashes a counter with a fresh
/// `RandomState` (random keys per process, moved on per call): no dependency, and good
/// enough for picking members.
fn random_below(n: usize) -> usize {
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let mut h = RandomState::new().build_hasher();
    h.write_u64(CALLS.fetch_add(1, Ordering::Relaxed));
    (h.finish() % n as u64) as usize
}

/// `k` distinct positions below `n` (k <= n), at random (Floyd's sampling), ascending.
fn sample(n: usize, k: usize) -> Vec<usize> {
    let mut picked: HashSet<usize> = HashSet::with_capacity(k);
    for j in n - k..n {
        let t = random_below(j + 1);
        if !picked.insert(t) {
            picked.insert(j);
        }
    }
    let mut v: Vec<usize> = picked.into_iter().collect();
    v.sort_unstable();
    v
}

/// How many of a set's first members (in its order) SPOP picks from at least.
const SPOP_WINDOW: usize = 1024;

/// SPOP key [count]: see the module documentation.
fn spop(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    if !c.out.is_on() {
        return Err(c.err(
            "SPOP picks members at random and cannot be replayed deterministically \
             (Redis propagates it as SREM or DEL/UNLINK, so no AOF it writes contains it)",
        ));
    }
    if a.len() > 3 {
        return Err(c.err("syntax error"));
    }
    let key = a[1];
    let count = match a.get(2) {
        None => None,
        Some(n) => Some(
            parse_i64(n)
                .filter(|&n| n >= 0)
                .ok_or_else(|| c.err("value is out of range, must be positive"))?
                as u64,
        ),
    };
    let Some(s) = c.set(key, false)? else {
        match count {
            Some(_) => c.out.array(0),
            None => c.out.nil(),
        }
        return Ok(());
    };
    let size = s.len();
    let want = usize::try_from(count.unwrap_or(1))
        .unwrap_or(usize::MAX)
        .min(size);
    if want == 0 {
        // Only `SPOP key 0` (an existing set is never empty).
        match count {
            Some(_) => c.out.array(0),
            None => c.out.nil(),
        }
        return Ok(());
    }
    // The picks come from the first `span` members in the set's (hash) order, so that
    // a pop costs O(count), not O(size): random enough, and Redis's own pick is not
    // uniform either (dictGetFairRandomKey).
    let span = size.min(want.saturating_mul(4).max(SPOP_WINDOW));
    let positions = sample(span, want);
    let mut next = positions.iter().peekable();
    let mut popped: Vec<Vec<u8>> = Vec::with_capacity(want);
    for (i, m) in s.iter().enumerate() {
        let Some(&&p) = next.peek() else {
            break;
        };
        if p == i {
            next.next();
            popped.push(m.to_vec());
        }
    }
    for m in &popped {
        s.remove(m);
    }
    c.drop_if_empty(key);
    c.changed(popped.len() as u64);
    match count {
        None => {
            c.out.bulk(&popped[0]);
            c.propagate(&[b"SREM", key, &popped[0]]);
        }
        Some(_) => {
            c.out.array(popped.len());
            for m in &popped {
                c.out.bulk(m);
            }
            if want == size {
                c.propagate(&[b"DEL", key]);
            } else {
                for m in &popped {
                    c.propagate(&[b"SREM", key, m]);
                }
            }
        }
    }
    Ok(())
}

/// SINTERSTORE / SUNIONSTORE / SDIFFSTORE destination key [key ...]: the result's size.
/// Storing a result is one change; an empty result deletes the destination, a change
/// only when it existed.
fn store(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let wrong = c.wrong_type();
    let name = c.name;
    let dst = a[1];
    let result: Set = {
        let db = c.db();
        let mut sets: Vec<Option<&Set>> = Vec::with_capacity(a.len() - 2);
        for k in &a[2..] {
            match db.get(k).map(|e| &e.obj) {
                None => sets.push(None),
                Some(Obj::Set(s)) => sets.push(Some(s)),
                Some(_) => return Err(wrong),
            }
        }
        match name {
            "SINTERSTORE" => {
                if sets.iter().any(Option::is_none) {
                    Set::new()
                } else {
                    let all: Vec<&Set> = sets.iter().flatten().copied().collect();
                    let smallest = all.iter().min_by_key(|s| s.len()).copied();
                    smallest
                        .map(|first| {
                            first
                                .iter()
                                .filter(|m| all.iter().all(|s| s.contains(m)))
                                .collect()
                        })
                        .unwrap_or_default()
                }
            }
            "SUNIONSTORE" => sets.iter().flatten().flat_map(|s| s.iter()).collect(),
            _ => match sets.first().copied().flatten() {
                None => Set::new(),
                Some(first) => first
                    .iter()
                    .filter(|m| !sets[1..].iter().flatten().any(|s| s.contains(m)))
                    .collect(),
            },
        }
    };
    let size = result.len();
    let db = c.db();
    let changed = if result.is_empty() {
        db.remove(dst).is_some()
    } else {
        db.set(dst, Obj::set(result), None);
        true
    };
    c.out.int(size as i64);
    c.changed(u64::from(changed));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::tests::{exists, fails, run};
    use crate::engine::{Keyspace, Obj};

    fn set(ks: &Keyspace, k: &str) -> Vec<String> {
        match ks.dbs[0].get(k.as_bytes()).map(|e| &e.obj) {
            Some(Obj::Set(s)) => {
                let mut v: Vec<String> = s
                    .iter()
                    .map(|e| String::from_utf8_lossy(e).into_owned())
                    .collect();
                v.sort();
                v
            }
            None => Vec::new(),
            Some(o) => panic!("{k}: {o:?}"),
        }
    }

    #[test]
    fn sadd_srem() {
        let ks = run(&[
            "SADD s a b c a",
            "SREM s b x",
            "SADD t 1",
            "SREM t 1",
            "SREM missing a",
        ]);
        assert_eq!(set(&ks, "s"), ["a", "c"]);
        assert!(!exists(&ks, "t") && !exists(&ks, "missing"));
        assert!(fails(&["SET k 1"], "SADD k a").contains("WRONGTYPE"));
        assert!(fails(&["SET k 1"], "SREM k a").contains("WRONGTYPE"));
    }

    #[test]
    fn smove_cases() {
        let ks = run(&[
            "SADD a x y",
            "SMOVE a b x",
            "SMOVE a b nope",
            "SMOVE a a y",
            "SMOVE a c y",
            "SET str 1",
            "SMOVE missing str x",
        ]);
        assert!(!exists(&ks, "a"), "emptied source deleted");
        assert_eq!(set(&ks, "b"), ["x"]);
        assert_eq!(set(&ks, "c"), ["y"]);
        assert!(fails(&["SADD a x", "SET d 1"], "SMOVE a d x").contains("WRONGTYPE"));
        assert!(fails(&["SET a 1"], "SMOVE a d x").contains("WRONGTYPE"));
    }

    #[test]
    fn store_commands() {
        let ks = run(&[
            "SADD a 1 2 3 x",
            "SADD b 2 3 4 x",
            "SADD c 3 x z",
            "SINTERSTORE i a b c",
            "SUNIONSTORE u a b missing c",
            "SDIFFSTORE d a b",
            "SDIFFSTORE d2 a missing c",
            "SET dst string",
            "PEXPIREAT dst 99999999999999",
            "SUNIONSTORE dst a",
            "SET e1 x",
            "SINTERSTORE e1 a missing",
            "SADD e2 q",
            "SDIFFSTORE e2 a a",
            "SADD e3 q",
            "SINTERSTORE e3 a e3",
            "SUNIONSTORE e4 missing",
            "SDIFFSTORE e5 missing a",
            "SINTERSTORE a a b",
        ]);
        assert_eq!(set(&ks, "i"), ["3", "x"]);
        assert_eq!(set(&ks, "u"), ["1", "2", "3", "4", "x", "z"]);
        assert_eq!(set(&ks, "d"), ["1"]);
        assert_eq!(set(&ks, "d2"), ["1", "2"]);
        assert_eq!(set(&ks, "dst"), ["1", "2", "3", "x"]);
        assert_eq!(
            ks.dbs[0].get(b"dst").unwrap().expire_ms(),
            None,
            "TTL dropped"
        );
        for k in ["e1", "e2", "e3", "e4", "e5"] {
            assert!(!exists(&ks, k), "{k}");
        }
        assert_eq!(
            set(&ks, "a"),
            ["2", "3", "x"],
            "destination may be a source"
        );
        assert!(fails(&["SADD a 1", "SET s 1"], "SUNIONSTORE d a s").contains("WRONGTYPE"));
        assert!(
            fails(&["SADD a 1", "SET s 1"], "SINTERSTORE d missing s").contains("WRONGTYPE"),
            "every key is type-checked even when one is missing"
        );
    }

    #[test]
    fn samples_are_distinct_ascending_and_in_range() {
        for (n, k) in [(1, 1), (10, 0), (10, 3), (10, 10), (1000, 999)] {
            let v = super::sample(n, k);
            assert_eq!(v.len(), k, "{n} {k}");
            assert!(v.windows(2).all(|w| w[0] < w[1]), "{v:?}");
            assert!(v.iter().all(|&i| i < n));
        }
    }

    #[test]
    fn spop_is_refused() {
        assert!(fails(&["SADD s a b"], "SPOP s").contains("deterministic"));
        assert!(fails(&["SADD s a b"], "SPOP s 5").contains("deterministic"));
    }
}

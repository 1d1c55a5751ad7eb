//! Set commands: SADD, SREM, SMOVE, SINTERSTORE, SUNIONSTORE, SDIFFSTORE, and SPOP,
//! which is refused: it is random, and Redis never writes it (it propagates the members
//! it popped as SREM, or DEL/UNLINK when it emptied the set).
//!
//! Semantics follow `src/t_set.c` (7.0 … 8.x). The STORE commands type-check every
//! source key first, replace the destination whatever its type (dropping its TTL), and
//! delete it when the result is empty.

use super::{Ctx, ExecError, Handler};
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
    if let Some(s) = c.set(a[1], true)? {
        for m in &a[2..] {
            s.insert(m);
        }
    }
    Ok(())
}

fn srem(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    if let Some(s) = c.set(a[1], false)? {
        for m in &a[2..] {
            s.remove(m);
        }
    }
    c.drop_if_empty(a[1]);
    Ok(())
}

fn smove(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let (src, dst, m) = (a[1], a[2], a[3]);
    // A missing source is a no-op, whatever the destination holds.
    if !c.db().contains(src) {
        return Ok(());
    }
    c.set(src, false)?;
    c.set(dst, false)?;
    if src == dst {
        return Ok(());
    }
    let removed = c.set(src, false)?.is_some_and(|s| s.remove(m));
    if !removed {
        return Ok(());
    }
    c.drop_if_empty(src);
    if let Some(s) = c.set(dst, true)? {
        s.insert(m);
    }
    Ok(())
}

fn spop(c: &mut Ctx<'_>, _: &[&[u8]]) -> Result<(), ExecError> {
    Err(c.err(
        "SPOP picks members at random and cannot be replayed deterministically \
         (Redis propagates it as SREM or DEL/UNLINK, so no AOF it writes contains it)",
    ))
}

/// SINTERSTORE / SUNIONSTORE / SDIFFSTORE destination key [key ...]
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
    let db = c.db();
    if result.is_empty() {
        db.remove(dst);
    } else {
        db.set(dst, Obj::set(result), None);
    }
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
    fn spop_is_refused() {
        assert!(fails(&["SADD s a b"], "SPOP s").contains("deterministic"));
        assert!(fails(&["SADD s a b"], "SPOP s 5").contains("deterministic"));
    }
}

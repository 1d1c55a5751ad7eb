//! String commands: SET and its forms, MSET(NX), APPEND, SETRANGE, the INCR/DECR
//! family, GETSET, GETDEL, GETEX.

use super::{Ctx, ExecError, Handler, is, now_ms, parse_i64};
use crate::engine::Obj;

/// Redis's `proto-max-bulk-len` default: the largest string SETRANGE/APPEND make.
const MAX_STRING: usize = 512 * 1024 * 1024;

pub(super) fn lookup(name: &str) -> Option<(Handler, i32)> {
    Some(match name {
        "SET" => (set, -3),
        "SETNX" => (setnx, 3),
        "SETEX" => (setex, 4),
        "PSETEX" => (setex, 4),
        "MSET" => (mset, -3),
        "MSETNX" => (mset, -3),
        "GETSET" => (getset, 3),
        "GETDEL" => (getdel, 2),
        "GETEX" => (getex, -2),
        "APPEND" => (append, 3),
        "SETRANGE" => (setrange, 4),
        "INCR" | "DECR" => (incr, 2),
        "INCRBY" | "DECRBY" => (incr, 3),
        _ => return None,
    })
}

/// Parses an expiry option pair at `a[i]`, `a[i + 1]` into absolute ms.
fn expiry(c: &Ctx<'_>, opt: &[u8], val: &[u8]) -> Result<i64, ExecError> {
    let v = parse_i64(val)
        .filter(|&v| v > 0)
        .ok_or_else(|| c.err("invalid expire time"))?;
    let ms = if is(opt, "EX") {
        v.checked_mul(1000).and_then(|x| x.checked_add(now_ms()))
    } else if is(opt, "PX") {
        v.checked_add(now_ms())
    } else if is(opt, "EXAT") {
        v.checked_mul(1000)
    } else {
        Some(v)
    };
    ms.ok_or_else(|| c.err("invalid expire time"))
}

fn set(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let (key, val) = (a[1], a[2]);
    let (mut nx, mut xx, mut keep) = (false, false, false);
    let mut exp = None;
    let mut i = 3;
    while i < a.len() {
        let o = a[i];
        if is(o, "NX") {
            nx = true;
        } else if is(o, "XX") {
            xx = true;
        } else if is(o, "GET") {
        } else if is(o, "KEEPTTL") {
            keep = true;
        } else if ["EX", "PX", "EXAT", "PXAT"].iter().any(|w| is(o, w)) && i + 1 < a.len() {
            exp = Some(expiry(c, o, a[i + 1])?);
            i += 1;
        } else {
            return Err(c.err("syntax error"));
        }
        i += 1;
    }
    let db = c.db();
    let exists = db.contains(key);
    if (nx && exists) || (xx && !exists) {
        return Ok(());
    }
    let old_ttl = if keep {
        db.get(key).and_then(|e| e.expire_ms())
    } else {
        None
    };
    db.set(key, Obj::Str(val.into()), exp.or(old_ttl));
    Ok(())
}

fn setnx(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let db = c.db();
    if !db.contains(a[1]) {
        db.set(a[1], Obj::Str(a[2].into()), None);
    }
    Ok(())
}

fn setex(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let opt: &[u8] = if c.name == "SETEX" { b"EX" } else { b"PX" };
    let at = expiry(c, opt, a[2])?;
    c.db().set(a[1], Obj::Str(a[3].into()), Some(at));
    Ok(())
}

fn mset(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    if a.len().is_multiple_of(2) {
        return Err(c.err("wrong number of arguments"));
    }
    let nx = c.name == "MSETNX";
    let db = c.db();
    if nx && a[1..].chunks(2).any(|kv| db.contains(kv[0])) {
        return Ok(());
    }
    for kv in a[1..].chunks(2) {
        db.set(kv[0], Obj::Str(kv[1].into()), None);
    }
    Ok(())
}

fn getset(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    c.string_bytes(a[1], false)?;
    c.db().set(a[1], Obj::Str(a[2].into()), None);
    Ok(())
}

fn getdel(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    if c.string_bytes(a[1], false)?.is_some() {
        c.db().remove(a[1]);
    }
    Ok(())
}

fn getex(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    c.string_bytes(a[1], false)?;
    let new = match a.get(2) {
        None => return Ok(()),
        Some(o) if is(o, "PERSIST") && a.len() == 3 => None,
        Some(o) if a.len() == 4 => Some(expiry(c, o, a[3])?),
        _ => return Err(c.err("syntax error")),
    };
    if let Some(e) = c.entry(a[1]) {
        e.set_expire_ms(new);
    }
    Ok(())
}

fn append(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let err = c.err("string exceeds maximum allowed size (proto-max-bulk-len)");
    let s = c.string(a[1], true)?.ok_or_else(|| err.clone())?;
    if s.len() + a[2].len() > MAX_STRING {
        return Err(err);
    }
    s.extend_from_slice(a[2]);
    Ok(())
}

fn setrange(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let off = parse_i64(a[2])
        .filter(|&o| o >= 0)
        .ok_or_else(|| c.err("offset is out of range"))? as usize;
    let v = a[3];
    if off + v.len() > MAX_STRING {
        return Err(c.err("string exceeds maximum allowed size (proto-max-bulk-len)"));
    }
    if v.is_empty() {
        // Nothing to write: a missing key is not created (the type is still checked).
        c.string_bytes(a[1], false)?;
        return Ok(());
    }
    if let Some(s) = c.string(a[1], true)? {
        if s.len() < off + v.len() {
            s.resize(off + v.len(), 0);
        }
        if let Some(dst) = s.get_mut(off..off + v.len()) {
            dst.copy_from_slice(v);
        }
    }
    Ok(())
}

fn incr(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let by = match c.name {
        "INCR" => 1,
        "DECR" => -1,
        _ => {
            let v =
                parse_i64(a[2]).ok_or_else(|| c.err("value is not an integer or out of range"))?;
            if c.name == "DECRBY" {
                v.checked_neg()
                    .ok_or_else(|| c.err("decrement would overflow"))?
            } else {
                v
            }
        }
    };
    let not_int = c.err("value is not an integer or out of range");
    let overflow = c.err("increment or decrement would overflow");
    let s = c.string_bytes(a[1], true)?.ok_or_else(|| not_int.clone())?;
    let cur = if s.is_empty() { Some(0) } else { parse_i64(s) };
    let cur = cur.ok_or(not_int)?;
    let new = cur.checked_add(by).ok_or(overflow)?;
    // A counter stays inline (at most 20 digits).
    *s = crate::engine::Bytes::from(itoa::Buffer::new().format(new).as_bytes());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::tests::run;
    use crate::engine::Obj;

    fn get(ks: &crate::engine::Keyspace, k: &str) -> Vec<u8> {
        match &ks.dbs[0].get(k.as_bytes()).unwrap().obj {
            Obj::Str(s) => s.to_vec(),
            o => panic!("{o:?}"),
        }
    }

    #[test]
    fn set_forms() {
        let ks = run(&[
            "SET a 1 PXAT 4000000000000",
            "SET a 2 KEEPTTL",
            "SET b 1 NX",
            "SET b 2 NX",
            "SET c 1 XX",
            "MSETNX b 9 d 9",
            "APPEND b xyz",
            "SETRANGE e 3 ab",
            "INCRBY n 5",
            "DECR n",
        ]);
        assert_eq!(get(&ks, "a"), b"2");
        assert_eq!(
            ks.dbs[0].get(b"a").unwrap().expire_ms(),
            Some(4_000_000_000_000)
        );
        assert_eq!(get(&ks, "b"), b"1xyz");
        assert!(ks.dbs[0].get(b"c").is_none() && ks.dbs[0].get(b"d").is_none());
        assert_eq!(get(&ks, "e"), b"\0\0\0ab");
        assert_eq!(get(&ks, "n"), b"4");
    }
}

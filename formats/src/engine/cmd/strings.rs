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

/// Parses an expiry option and its value into absolute ms.
fn expiry(c: &Ctx<'_>, opt: &[u8], val: &[u8]) -> Result<i64, ExecError> {
    let bad = || {
        c.err(format!(
            "invalid expire time in '{}' command",
            c.name.to_ascii_lowercase()
        ))
    };
    let v = parse_i64(val).ok_or_else(|| c.err("value is not an integer or out of range"))?;
    if v <= 0 {
        return Err(bad());
    }
    let ms = if is(opt, "EX") {
        v.checked_mul(1000).and_then(|x| x.checked_add(now_ms()))
    } else if is(opt, "PX") {
        v.checked_add(now_ms())
    } else if is(opt, "EXAT") {
        v.checked_mul(1000)
    } else {
        Some(v)
    };
    ms.ok_or_else(bad)
}

fn set(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let (key, val) = (a[1], a[2]);
    let (mut nx, mut xx, mut keep, mut get) = (false, false, false, false);
    let mut exp: Option<(i64, bool)> = None;
    let mut i = 3;
    while i < a.len() {
        let o = a[i];
        if is(o, "NX") && !xx {
            nx = true;
        } else if is(o, "XX") && !nx {
            xx = true;
        } else if is(o, "GET") {
            get = true;
        } else if is(o, "KEEPTTL") && exp.is_none() {
            keep = true;
        } else if ["EX", "PX", "EXAT", "PXAT"].iter().any(|w| is(o, w))
            && !keep
            && exp.is_none()
            && i + 1 < a.len()
        {
            exp = Some((expiry(c, o, a[i + 1])?, is(o, "PXAT")));
            i += 1;
        } else {
            return Err(c.err("syntax error"));
        }
        i += 1;
    }
    if get {
        match c.string_bytes(key, false)? {
            Some(old) => {
                let old = old.to_vec();
                c.out.bulk(&old);
            }
            None => c.out.nil(),
        }
    }
    let db = c.db();
    let exists = db.contains(key);
    if (nx && exists) || (xx && !exists) {
        if !get {
            c.out.nil();
        }
        return Ok(());
    }
    let old_ttl = if keep {
        db.get(key).and_then(|e| e.expire_ms())
    } else {
        None
    };
    db.set(key, Obj::Str(val.into()), exp.map(|e| e.0).or(old_ttl));
    if !get {
        c.out.ok();
    }
    c.changed(1);
    if let Some((ms, false)) = exp {
        c.propagate(&[
            b"SET",
            key,
            val,
            b"PXAT",
            itoa::Buffer::new().format(ms).as_bytes(),
        ]);
    }
    Ok(())
}

fn setnx(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let db = c.db();
    if db.contains(a[1]) {
        c.out.int(0);
    } else {
        db.set(a[1], Obj::Str(a[2].into()), None);
        c.out.int(1);
        c.changed(1);
    }
    Ok(())
}

fn setex(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let opt: &[u8] = if c.name == "SETEX" { b"EX" } else { b"PX" };
    let at = expiry(c, opt, a[2])?;
    c.db().set(a[1], Obj::Str(a[3].into()), Some(at));
    c.out.ok();
    c.changed(1);
    c.propagate(&[
        b"SET",
        a[1],
        a[3],
        b"PXAT",
        itoa::Buffer::new().format(at).as_bytes(),
    ]);
    Ok(())
}

fn mset(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    if a.len().is_multiple_of(2) {
        return Err(c.wrong_arity());
    }
    let nx = c.name == "MSETNX";
    let db = c.db();
    if nx && a[1..].chunks(2).any(|kv| db.contains(kv[0])) {
        c.out.int(0);
        return Ok(());
    }
    for kv in a[1..].chunks(2) {
        db.set(kv[0], Obj::Str(kv[1].into()), None);
    }
    if nx {
        c.out.int(1);
    } else {
        c.out.ok();
    }
    c.changed((a.len() as u64 - 1) / 2);
    Ok(())
}

/// Replies with the string at `key` (nil when missing); WRONGTYPE for other types.
fn reply_string(c: &mut Ctx<'_>, key: &[u8]) -> Result<bool, ExecError> {
    let on = c.out.is_on();
    let Some(v) = c.string_bytes(key, false)? else {
        c.out.nil();
        return Ok(false);
    };
    if on {
        let v = v.to_vec();
        c.out.bulk(&v);
    }
    Ok(true)
}

fn getset(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    reply_string(c, a[1])?;
    c.db().set(a[1], Obj::Str(a[2].into()), None);
    c.changed(1);
    c.propagate(&[b"SET", a[1], a[2]]);
    Ok(())
}

fn getdel(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    if reply_string(c, a[1])? {
        c.db().remove(a[1]);
        c.changed(1);
        c.propagate(&[b"DEL", a[1]]);
    }
    Ok(())
}

fn getex(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let new = match a.get(2) {
        None => None,
        Some(o) if is(o, "PERSIST") && a.len() == 3 => Some(None),
        Some(o) if a.len() == 4 && ["EX", "PX", "EXAT", "PXAT"].iter().any(|w| is(o, w)) => {
            Some(Some(expiry(c, o, a[3])?))
        }
        _ => return Err(c.err("syntax error")),
    };
    if !reply_string(c, a[1])? {
        return Ok(());
    }
    match new {
        None => {}
        Some(None) => {
            if let Some(e) = c.entry(a[1])
                && e.expire_ms().is_some()
            {
                e.set_expire_ms(None);
                c.changed(1);
                c.propagate(&[b"PERSIST", a[1]]);
            }
        }
        Some(Some(at)) => {
            if let Some(e) = c.entry(a[1]) {
                e.set_expire_ms(Some(at));
            }
            c.changed(1);
            c.propagate(&[
                b"PEXPIREAT",
                a[1],
                itoa::Buffer::new().format(at).as_bytes(),
            ]);
        }
    }
    Ok(())
}

const TOO_BIG: &str = "string exceeds maximum allowed size (proto-max-bulk-len)";

fn append(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    if let Some(s) = c.string_bytes(a[1], false)?
        && s.len() + a[2].len() > MAX_STRING
    {
        return Err(c.err(TOO_BIG));
    }
    let too_big = c.err(TOO_BIG);
    let s = c.string(a[1], true)?.ok_or(too_big)?;
    s.extend_from_slice(a[2]);
    let n = s.len() as i64;
    c.out.int(n);
    c.changed(1);
    Ok(())
}

fn setrange(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let off = parse_i64(a[2]).ok_or_else(|| c.err("value is not an integer or out of range"))?;
    if off < 0 {
        return Err(c.err("offset is out of range"));
    }
    let off = off as usize;
    let v = a[3];
    let cur = c.string_bytes(a[1], false)?.map(|s| s.len());
    if v.is_empty() {
        // Nothing to write: a missing key is not created.
        c.out.int(cur.unwrap_or(0) as i64);
        return Ok(());
    }
    if off + v.len() > MAX_STRING {
        return Err(c.err(TOO_BIG));
    }
    if let Some(s) = c.string(a[1], true)? {
        if s.len() < off + v.len() {
            s.resize(off + v.len(), 0);
        }
        if let Some(dst) = s.get_mut(off..off + v.len()) {
            dst.copy_from_slice(v);
        }
        let n = s.len() as i64;
        c.out.int(n);
    }
    c.changed(1);
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
    let cur = match c.string_bytes(a[1], false)? {
        None => Some(0),
        Some(s) => parse_i64(s),
    };
    let cur = cur.ok_or_else(|| c.err("value is not an integer or out of range"))?;
    let new = cur
        .checked_add(by)
        .ok_or_else(|| c.err("increment or decrement would overflow"))?;
    let Some(s) = c.string_bytes(a[1], true)? else {
        return Ok(());
    };
    // A counter stays inline (at most 20 digits).
    *s = crate::engine::Bytes::from(itoa::Buffer::new().format(new).as_bytes());
    c.out.int(new);
    c.changed(1);
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

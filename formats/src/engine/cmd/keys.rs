//! Keyspace commands: DEL, UNLINK, the EXPIRE family, PERSIST, RENAME(NX), MOVE, COPY,
//! SWAPDB, FLUSHDB, FLUSHALL.
//!
//! For a client they reply and count their changes as Redis 7.0's db.c and expire.c do;
//! a relative expiry is propagated as `PEXPIREAT` with the absolute time, and an
//! expiry already past deletes the key and is propagated as `DEL`.

use super::{Ctx, ExecError, Handler, db_limit, expire_if_due, is, now_ms, parse_i64};

pub(super) fn lookup(name: &str) -> Option<(Handler, i32)> {
    Some(match name {
        "DEL" | "UNLINK" => (del, -2),
        "EXPIRE" => (expire, -3),
        "PEXPIRE" => (expire, -3),
        "EXPIREAT" => (expire, -3),
        "PEXPIREAT" => (expire, -3),
        "PERSIST" => (persist, 2),
        "RENAME" => (rename, 3),
        "RENAMENX" => (rename, 3),
        "MOVE" => (move_key, 3),
        "COPY" => (copy, -3),
        "SWAPDB" => (swapdb, 3),
        "FLUSHDB" => (flushdb, -1),
        "FLUSHALL" => (flushall, -1),
        _ => return None,
    })
}

fn del(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let mut n = 0;
    for k in a.iter().skip(1) {
        if c.db().remove(k).is_some() {
            n += 1;
        }
    }
    c.out.int(n);
    c.changed(n as u64);
    Ok(())
}

/// The options after an EXPIRE-family command's time.
#[derive(Default)]
struct ExpireFlags {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
}

fn expire_flags(c: &Ctx<'_>, opts: &[&[u8]]) -> Result<ExpireFlags, ExecError> {
    let mut f = ExpireFlags::default();
    for o in opts {
        if is(o, "NX") {
            f.nx = true;
        } else if is(o, "XX") {
            f.xx = true;
        } else if is(o, "GT") {
            f.gt = true;
        } else if is(o, "LT") {
            f.lt = true;
        } else {
            return Err(c.err(format!("Unsupported option {}", String::from_utf8_lossy(o))));
        }
    }
    if f.nx && (f.xx || f.gt || f.lt) {
        return Err(c.err("NX and XX, GT or LT options at the same time are not compatible"));
    }
    if f.gt && f.lt {
        return Err(c.err("GT and LT options at the same time are not compatible"));
    }
    Ok(f)
}

/// The absolute ms time an EXPIRE-family command asks for, with Redis's overflow
/// checks.
fn expire_at(c: &Ctx<'_>, t: i64) -> Result<i64, ExecError> {
    let bad = || {
        c.err(format!(
            "invalid expire time in '{}' command",
            c.name.to_ascii_lowercase()
        ))
    };
    let (seconds, base) = match c.name {
        "EXPIRE" => (true, now_ms()),
        "PEXPIRE" => (false, now_ms()),
        "EXPIREAT" => (true, 0),
        _ => (false, 0),
    };
    let ms = if seconds {
        t.checked_mul(1000).ok_or_else(bad)?
    } else {
        t
    };
    if ms > i64::MAX - base {
        return Err(bad());
    }
    Ok(ms + base)
}

fn expire(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let f = expire_flags(c, &a[3..])?;
    let t = parse_i64(a[2]).ok_or_else(|| c.err("value is not an integer or out of range"))?;
    let at = expire_at(c, t)?;
    let on = c.out.is_on();
    let Some(e) = c.entry(a[1]) else {
        c.out.int(0);
        return Ok(());
    };
    let cur = e.expire_ms();
    let refused = (f.nx && cur.is_some())
        || (f.xx && cur.is_none())
        || (f.gt && cur.is_none_or(|old| at <= old))
        || (f.lt && cur.is_some_and(|old| at >= old));
    if refused {
        c.out.int(0);
        return Ok(());
    }
    c.out.int(1);
    c.changed(1);
    // While loading nothing expires; a client's expiry in the past deletes the key.
    if on && at <= now_ms() {
        c.db().remove(a[1]);
        c.propagate(&[b"DEL", a[1]]);
        return Ok(());
    }
    set_expiry(c, a[1], at);
    if on && c.name != "PEXPIREAT" {
        let t = itoa::Buffer::new().format(at).as_bytes().to_vec();
        let mut args: Vec<&[u8]> = a.to_vec();
        args[0] = b"PEXPIREAT";
        args[2] = &t;
        c.propagate(&args);
    }
    Ok(())
}

/// Sets `key`'s expiry (the key exists).
fn set_expiry(c: &mut Ctx<'_>, key: &[u8], at: i64) {
    if let Some(e) = c.entry(key) {
        e.set_expire_ms(Some(at));
    }
}

fn persist(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let had = match c.entry(a[1]) {
        Some(e) if e.expire_ms().is_some() => {
            e.set_expire_ms(None);
            true
        }
        _ => false,
    };
    c.out.int(i64::from(had));
    c.changed(u64::from(had));
    Ok(())
}

fn rename(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let (src, dst) = (a[1], a[2]);
    let nx = c.name == "RENAMENX";
    if !c.db().contains(src) {
        return Err(c.err("no such key"));
    }
    let reply = |c: &mut Ctx<'_>, done: bool| {
        if nx {
            c.out.int(i64::from(done));
        } else {
            c.out.ok();
        }
    };
    if src == dst {
        reply(c, false);
        return Ok(());
    }
    // The destination is looked up as Redis does: an expired one is deleted first.
    let here = c.db;
    let dst_exists = live_in(c, here, dst);
    if nx && dst_exists {
        reply(c, false);
        return Ok(());
    }
    let db = c.db();
    if let Some(e) = db.remove(src) {
        db.put(dst, e);
    }
    c.changed(1);
    reply(c, true);
    Ok(())
}

/// Whether `key` exists in db `db`; for a client, an expired one is deleted (and that
/// propagated as `DEL`) first, as Redis's lookupKeyWrite does.
fn live_in(c: &mut Ctx<'_>, db: usize, key: &[u8]) -> bool {
    if c.out.is_on() && expire_if_due(c.ks, db, key, c.out, now_ms()) {
        return false;
    }
    c.ks.db_mut(db).contains(key)
}

/// A database index argument as Redis's getIntFromObjectOrReply and selectDb check
/// it. A client has the databases of the keyspace; a replayed AOF may come from a
/// server with more.
fn db_index(c: &Ctx<'_>, a: &[u8], msg: Option<&str>) -> Result<usize, ExecError> {
    let err = |m: &str| c.err(msg.unwrap_or(m));
    let v = parse_i64(a).ok_or_else(|| err("value is not an integer or out of range"))?;
    if i32::try_from(v).is_err() {
        return Err(err(
            "value is out of range, value must between -2147483648 and 2147483647",
        ));
    }
    if !(0..db_limit(c.ks, c.out)).contains(&v) {
        return Err(c.err("DB index is out of range"));
    }
    Ok(v as usize)
}

fn move_key(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let to = db_index(c, a[2], None)?;
    if to == c.db {
        return Err(c.err("source and destination objects are the same"));
    }
    if !c.db().contains(a[1]) || live_in(c, to, a[1]) {
        c.out.int(0);
        return Ok(());
    }
    if let Some(e) = c.db().remove(a[1]) {
        c.ks.db_mut(to).put(a[1], e);
    }
    c.out.int(1);
    c.changed(1);
    Ok(())
}

fn copy(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let (src, dst) = (a[1], a[2]);
    let mut to = c.db;
    let mut replace = false;
    let mut i = 3;
    while i < a.len() {
        if is(a[i], "REPLACE") {
            replace = true;
        } else if is(a[i], "DB") && i + 1 < a.len() {
            to = db_index(c, a[i + 1], None)?;
            i += 1;
        } else {
            return Err(c.err("syntax error"));
        }
        i += 1;
    }
    if to == c.db && src == dst {
        return Err(c.err("source and destination objects are the same"));
    }
    let Some(e) = c.db().get(src).cloned() else {
        c.out.int(0);
        return Ok(());
    };
    if live_in(c, to, dst) && !replace {
        c.out.int(0);
        return Ok(());
    }
    c.ks.db_mut(to).put(dst, e);
    c.out.int(1);
    c.changed(1);
    Ok(())
}

fn swapdb(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let x = db_index(c, a[1], Some("invalid first DB index"))?;
    let y = db_index(c, a[2], Some("invalid second DB index"))?;
    c.ks.db_mut(x.max(y));
    c.ks.dbs.swap(x, y);
    c.out.ok();
    c.changed(1);
    Ok(())
}

/// FLUSHDB/FLUSHALL's `[ASYNC|SYNC]`.
fn flush_args(c: &Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    match a {
        [_] => Ok(()),
        [_, o] if is(o, "SYNC") || is(o, "ASYNC") => Ok(()),
        _ => Err(c.err("syntax error")),
    }
}

fn flushdb(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    flush_args(c, a)?;
    let db = c.db();
    let n = db.len() as u64;
    db.clear();
    c.changed(n);
    // Redis propagates a flush even when there was nothing to delete.
    c.propagate(a);
    c.out.ok();
    Ok(())
}

fn flushall(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    flush_args(c, a)?;
    let mut n = 0;
    for d in &mut c.ks.dbs {
        n += d.len() as u64;
        d.clear();
    }
    c.changed(n);
    c.propagate(a);
    c.out.ok();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::tests::run;

    #[test]
    fn expire_options_follow_redis() {
        let ks = run(&[
            "SET a 1",
            "PEXPIREAT a 5000 XX",
            "SET b 1",
            "PEXPIREAT b 5000 NX",
            "PEXPIREAT b 4000 GT",
            "PEXPIREAT b 6000 GT",
            "SET c 1",
            "PEXPIREAT c 100 LT",
        ]);
        let d = &ks.dbs[0];
        assert_eq!(d.get(b"a").unwrap().expire_ms(), None);
        assert_eq!(d.get(b"b").unwrap().expire_ms(), Some(6000));
        assert_eq!(d.get(b"c").unwrap().expire_ms(), Some(100));
    }

    #[test]
    fn rename_move_copy_swapdb() {
        let ks = run(&[
            "SET a 1",
            "PEXPIREAT a 99999999999999",
            "RENAME a b",
            "SET x 1",
            "MOVE x 2",
            "COPY b y DB 3",
            "SET s 9",
            "RENAMENX s b",
            "SWAPDB 2 5",
            "FLUSHDB",
        ]);
        assert!(ks.dbs[0].is_empty());
        assert!(ks.dbs[5].get(b"x").is_some() && ks.dbs[2].is_empty());
        assert_eq!(
            ks.dbs[3].get(b"y").unwrap().expire_ms(),
            Some(99_999_999_999_999)
        );
    }
}

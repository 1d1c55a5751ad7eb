//! Keyspace commands: DEL, UNLINK, the EXPIRE family, PERSIST, RENAME(NX), MOVE, COPY,
//! SWAPDB, FLUSHDB, FLUSHALL.

use super::{Ctx, ExecError, Handler, is, now_ms, parse_i64};

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
    for k in a.iter().skip(1) {
        c.db().remove(k);
    }
    Ok(())
}

/// The absolute ms time an EXPIRE-family command asks for.
fn expire_at(c: &Ctx<'_>, t: i64) -> Result<i64, ExecError> {
    let (ms, abs) = match c.name {
        "EXPIRE" => (t.checked_mul(1000), false),
        "PEXPIRE" => (Some(t), false),
        "EXPIREAT" => (t.checked_mul(1000), true),
        _ => (Some(t), true),
    };
    let ms = ms.ok_or_else(|| c.err("invalid expire time"))?;
    if abs {
        Ok(ms)
    } else {
        ms.checked_add(now_ms())
            .ok_or_else(|| c.err("invalid expire time"))
    }
}

fn expire(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let t = parse_i64(a[2]).ok_or_else(|| c.err("value is not an integer or out of range"))?;
    let at = expire_at(c, t)?;
    let (mut nx, mut xx, mut gt, mut lt) = (false, false, false, false);
    for o in a.iter().skip(3) {
        match () {
            _ if is(o, "NX") => nx = true,
            _ if is(o, "XX") => xx = true,
            _ if is(o, "GT") => gt = true,
            _ if is(o, "LT") => lt = true,
            _ => return Err(c.err("Unsupported option")),
        }
    }
    let Some(e) = c.entry(a[1]) else {
        return Ok(());
    };
    let cur = e.expire_ms();
    let apply = match cur {
        None => !xx && !gt,
        Some(old) => !nx && (!gt || at > old) && (!lt || at < old),
    };
    if apply {
        e.set_expire_ms(Some(at));
    }
    Ok(())
}

fn persist(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    if let Some(e) = c.entry(a[1]) {
        e.set_expire_ms(None);
    }
    Ok(())
}

fn rename(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let (src, dst) = (a[1], a[2]);
    let nx = c.name == "RENAMENX";
    let db = c.db();
    if !db.contains(src) {
        return Err(c.err("no such key"));
    }
    if src == dst || (nx && db.contains(dst)) {
        return Ok(());
    }
    if let Some(e) = db.remove(src) {
        db.put(dst, e);
    }
    Ok(())
}

fn db_index(c: &Ctx<'_>, a: &[u8]) -> Result<usize, ExecError> {
    parse_i64(a)
        .filter(|&d| (0..=i64::from(u16::MAX)).contains(&d))
        .map(|d| d as usize)
        .ok_or_else(|| c.err("DB index is out of range"))
}

fn move_key(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let to = db_index(c, a[2])?;
    if to == c.db {
        return Err(c.err("source and destination objects are the same"));
    }
    if c.ks.db_mut(to).contains(a[1]) {
        return Ok(());
    }
    if let Some(e) = c.db().remove(a[1]) {
        c.ks.db_mut(to).put(a[1], e);
    }
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
            to = db_index(c, a[i + 1])?;
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
        return Ok(());
    };
    let target = c.ks.db_mut(to);
    if target.contains(dst) && !replace {
        return Ok(());
    }
    target.put(dst, e);
    Ok(())
}

fn swapdb(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let x = db_index(c, a[1])?;
    let y = db_index(c, a[2])?;
    c.ks.db_mut(x.max(y));
    c.ks.dbs.swap(x, y);
    Ok(())
}

fn flushdb(c: &mut Ctx<'_>, _: &[&[u8]]) -> Result<(), ExecError> {
    c.db().clear();
    Ok(())
}

fn flushall(c: &mut Ctx<'_>, _: &[&[u8]]) -> Result<(), ExecError> {
    for d in &mut c.ks.dbs {
        d.clear();
    }
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

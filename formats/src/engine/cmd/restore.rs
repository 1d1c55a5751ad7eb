//! RESTORE (DUMP payloads of every RDB version) and the FUNCTION commands.

use super::{Ctx, ExecError, Handler, is, now_ms, parse_i64};
use crate::engine::Keyspace;
use crate::rdb::{Flavor, Version};

pub(super) fn lookup(name: &str) -> Option<(Handler, i32)> {
    Some(match name {
        "RESTORE" => (restore, -4),
        "FUNCTION" => (function, -2),
        _ => return None,
    })
}

/// The `name=` of a library's first line (`#!lua name=mylib`).
pub(crate) fn library_name(code: &[u8]) -> Option<Vec<u8>> {
    let first = code.split(|&b| b == b'\n').next()?;
    let first = std::str::from_utf8(first).ok()?;
    if !first.starts_with("#!") {
        return None;
    }
    first.split_whitespace().skip(1).find_map(|t| {
        let (k, v) = t.split_once('=')?;
        k.eq_ignore_ascii_case("name")
            .then(|| v.as_bytes().to_vec())
    })
}

/// Checks a DUMP payload's footer (RDB version, CRC-64) and returns its body and the
/// version it was written with.
fn payload(c: &Ctx<'_>, p: &[u8]) -> Result<(Vec<u8>, Version), ExecError> {
    let bad = || c.err("DUMP payload version or checksum are wrong");
    if p.len() < 10 {
        return Err(bad());
    }
    let (body, footer) = p.split_at(p.len() - 10);
    let ver = u16::from_le_bytes([footer[0], footer[1]]);
    let crc = u64::from_le_bytes(footer[2..10].try_into().map_err(|_| bad())?);
    let computed = crate::crc::crc64(&p[..p.len() - 8]);
    if crc != 0 && crc != computed {
        return Err(bad());
    }
    let version = if u32::from(ver) >= crate::rdb::NEWEST_VALKEY_VERSION {
        Version {
            flavor: Flavor::Valkey,
            number: u32::from(ver),
        }
    } else {
        Version {
            flavor: Flavor::Redis,
            number: u32::from(ver),
        }
    };
    Ok((body.to_vec(), version))
}

/// Reads `records` (RDB record bytes) as a whole RDB file of `version` into a keyspace.
fn read_records(c: &Ctx<'_>, version: Version, records: &[u8]) -> Result<Keyspace, ExecError> {
    let mut file = version.magic().into_bytes();
    file.extend_from_slice(records);
    file.push(0xff);
    if version.has_checksum() {
        file.extend_from_slice(&[0; 8]);
    }
    crate::engine::load_rdb(&file[..])
        .map(|(ks, _)| ks)
        .map_err(|e| c.err(format!("bad DUMP payload: {e}")))
}

fn restore(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let (key, ttl, p) = (a[1], a[2], a[3]);
    let ttl = parse_i64(ttl)
        .filter(|&t| t >= 0)
        .ok_or_else(|| c.err("Invalid TTL value, must be >= 0"))?;
    let (mut replace, mut abs) = (false, false);
    let mut i = 4;
    while i < a.len() {
        if is(a[i], "REPLACE") {
            replace = true;
        } else if is(a[i], "ABSTTL") {
            abs = true;
        } else if (is(a[i], "IDLETIME") || is(a[i], "FREQ")) && i + 1 < a.len() {
            i += 1;
        } else {
            return Err(c.err("syntax error"));
        }
        i += 1;
    }
    if !replace && c.db().contains(key) {
        return Err(c.err("BUSYKEY Target key name already exists."));
    }
    let (body, version) = payload(c, p)?;
    // type byte, then the value: give it a key so it reads as a record.
    let (&t, value) = body
        .split_first()
        .ok_or_else(|| c.err("empty DUMP payload"))?;
    let mut rec = vec![t, 1, b'k'];
    rec.extend_from_slice(value);
    let mut ks = read_records(c, version, &rec)?;
    let obj = ks
        .db_mut(0)
        .remove(b"k")
        .ok_or_else(|| c.err("bad DUMP payload: no value"))?
        .obj;
    let expire = match (ttl, abs) {
        (0, _) => None,
        (t, true) => Some(t),
        (t, false) => Some(now_ms().saturating_add(t)),
    };
    c.db().set(key, obj, expire);
    Ok(())
}

fn function(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let sub = a[1];
    if is(sub, "LOAD") {
        let (replace, code) = match a.len() {
            3 => (false, a[2]),
            4 if is(a[2], "REPLACE") => (true, a[3]),
            _ => return Err(c.err("syntax error")),
        };
        let name = library_name(code).ok_or_else(|| c.err("library metadata has no name"))?;
        if !replace && c.ks.functions.contains_key(&name) {
            return Err(c.err("Library already exists"));
        }
        c.ks.functions.insert(name, code.to_vec());
    } else if is(sub, "DELETE") && a.len() == 3 {
        c.ks.functions
            .remove(a[2])
            .ok_or_else(|| c.err("Library not found"))?;
    } else if is(sub, "FLUSH") {
        c.ks.functions.clear();
    } else if is(sub, "RESTORE") && a.len() >= 3 {
        let policy = a.get(3).copied().unwrap_or(b"APPEND");
        let (body, version) = payload(c, a[2])?;
        let libs = read_records(c, version, &body)?.functions;
        if is(policy, "FLUSH") {
            c.ks.functions.clear();
        } else if is(policy, "APPEND") {
            if libs.keys().any(|n| c.ks.functions.contains_key(n)) {
                return Err(c.err("Library already exists"));
            }
        } else if !is(policy, "REPLACE") {
            return Err(c.err("Wrong restore policy given"));
        }
        c.ks.functions.extend(libs);
    } else {
        return Err(c.err("unknown FUNCTION subcommand"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::engine::{Keyspace, Session};

    #[test]
    fn function_libraries_load_replace_delete() {
        let mut ks = Keyspace::default();
        let mut s = Session::new();
        let code: &[u8] =
            b"#!lua name=mylib\nredis.register_function('f', function() return 1 end)";
        s.execute(&mut ks, &[b"FUNCTION", b"LOAD", code]).unwrap();
        assert!(s.execute(&mut ks, &[b"FUNCTION", b"LOAD", code]).is_err());
        s.execute(&mut ks, &[b"FUNCTION", b"LOAD", b"REPLACE", code])
            .unwrap();
        assert_eq!(ks.functions.len(), 1);
        s.execute(&mut ks, &[b"FUNCTION", b"DELETE", b"mylib"])
            .unwrap();
        assert!(ks.functions.is_empty());
        assert_eq!(super::library_name(b"#!lua NAME=x"), Some(b"x".to_vec()));
        assert_eq!(super::library_name(b"no shebang"), None);
    }

    #[test]
    fn restore_reads_dump_payloads() {
        // DUMP of a string "hello" from Redis 7.0: type 0, string, RDB 10, CRC-64.
        let mut p = vec![0u8, 5];
        p.extend_from_slice(b"hello");
        p.extend_from_slice(&10u16.to_le_bytes());
        let crc = crate::crc::crc64(&p);
        p.extend_from_slice(&crc.to_le_bytes());
        let mut ks = Keyspace::default();
        let mut s = Session::new();
        s.execute(
            &mut ks,
            &[b"RESTORE", b"k", b"4102444800000", &p, b"ABSTTL"],
        )
        .unwrap();
        let e = ks.dbs[0].get(b"k").unwrap();
        assert_eq!(e.obj, crate::engine::Obj::Str(b"hello".into()));
        assert_eq!(e.expire_ms(), Some(4_102_444_800_000));
        assert!(
            s.execute(&mut ks, &[b"RESTORE", b"k", b"0", &p]).is_err(),
            "BUSYKEY"
        );
        let mut bad = p.clone();
        bad[2] ^= 1;
        assert!(
            s.execute(&mut ks, &[b"RESTORE", b"j", b"0", &bad]).is_err(),
            "CRC"
        );
    }
}

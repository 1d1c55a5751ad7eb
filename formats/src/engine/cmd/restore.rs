//! RESTORE (DUMP payloads of every RDB version) and the FUNCTION commands that change
//! the libraries (LOAD, DELETE, FLUSH, RESTORE).
//!
//! For a client they reply as Redis 7.0 (cluster.c, functions.c): a DUMP payload must
//! be of RDB version 10 at most with a correct CRC-64, a relative TTL is propagated as
//! an absolute one with `ABSTTL`. The engine does not run Lua: a library is checked as
//! far as its metadata line and stored as text, so a library whose code Redis would
//! refuse (a compile error, no function registered, a function name another library
//! has) is accepted here.

use super::{Ctx, ExecError, Handler, is, now_ms, parse_i64};
use crate::engine::Keyspace;
use crate::rdb::{Flavor, Version};

/// Redis 7.0's `RDB_VERSION`: the newest DUMP payload it restores.
const REDIS70_RDB_VERSION: u16 = 10;

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
/// version it was written with. A client gets Redis 7.0's checks; a replayed AOF may
/// come from a newer server or one that skipped the checksum (0).
fn payload(c: &Ctx<'_>, p: &[u8]) -> Result<(Vec<u8>, Version), ExecError> {
    let bad = || c.err("DUMP payload version or checksum are wrong");
    if p.len() < 10 {
        return Err(bad());
    }
    let (body, footer) = p.split_at(p.len() - 10);
    let ver = u16::from_le_bytes([footer[0], footer[1]]);
    let crc = u64::from_le_bytes(footer[2..10].try_into().map_err(|_| bad())?);
    let computed = crate::crc::crc64(&p[..p.len() - 8]);
    let strict = c.out.is_on();
    if (strict && ver > REDIS70_RDB_VERSION) || (crc != computed && (strict || crc != 0)) {
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
        .map_err(|e| c.err(bad_format(c, e)))
}

/// Redis's words for a payload it cannot read; a replay keeps the reason.
fn bad_format(c: &Ctx<'_>, why: impl std::fmt::Display) -> String {
    if c.out.is_on() {
        "Bad data format".to_string()
    } else {
        format!("bad DUMP payload: {why}")
    }
}

fn restore(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let (key, p) = (a[1], a[3]);
    let not_int = |c: &Ctx<'_>| c.err("value is not an integer or out of range");
    let (mut replace, mut abs, mut idle, mut freq) = (false, false, false, false);
    let mut i = 4;
    while i < a.len() {
        let more = i + 1 < a.len();
        if is(a[i], "REPLACE") {
            replace = true;
        } else if is(a[i], "ABSTTL") {
            abs = true;
        } else if is(a[i], "IDLETIME") && more && !freq {
            let v = parse_i64(a[i + 1]).ok_or_else(|| not_int(c))?;
            if v < 0 {
                return Err(c.err("Invalid IDLETIME value, must be >= 0"));
            }
            idle = true;
            i += 1;
        } else if is(a[i], "FREQ") && more && !idle {
            let v = parse_i64(a[i + 1]).ok_or_else(|| not_int(c))?;
            if !(0..=255).contains(&v) {
                return Err(c.err("Invalid FREQ value, must be >= 0 and <= 255"));
            }
            freq = true;
            i += 1;
        } else {
            return Err(c.err("syntax error"));
        }
        i += 1;
    }
    if !replace && c.db().contains(key) {
        return Err(c.err("BUSYKEY Target key name already exists."));
    }
    let ttl = parse_i64(a[2]).ok_or_else(|| not_int(c))?;
    if ttl < 0 {
        return Err(c.err("Invalid TTL value, must be >= 0"));
    }
    let (body, version) = payload(c, p)?;
    // type byte, then the value: give it a key so it reads as a record.
    let (&t, value) = body
        .split_first()
        .ok_or_else(|| c.err(bad_format(c, "empty")))?;
    let mut rec = vec![t, 1, b'k'];
    rec.extend_from_slice(value);
    let mut ks = read_records(c, version, &rec)?;
    let obj = ks
        .db_mut(0)
        .remove(b"k")
        .ok_or_else(|| c.err(bad_format(c, "no value")))?
        .obj;
    let on = c.out.is_on();
    let expire = match (ttl, abs) {
        (0, _) => None,
        (t, true) => Some(t),
        (t, false) => Some(now_ms().saturating_add(t)),
    };
    // While loading nothing expires; a client's TTL in the past only deletes the key
    // it replaces.
    if let Some(at) = expire
        && on
        && at <= now_ms()
    {
        if replace && c.db().remove(key).is_some() {
            c.changed(1);
            c.propagate(&[b"DEL", key]);
        } else {
            c.out.propagate_nothing();
        }
        c.out.ok();
        return Ok(());
    }
    c.db().set(key, obj, expire);
    if let (Some(at), false, true) = (expire, abs, on) {
        let at = itoa::Buffer::new().format(at).as_bytes().to_vec();
        let mut args: Vec<&[u8]> = a.to_vec();
        args[2] = &at;
        args.push(b"ABSTTL");
        c.propagate(&args);
    }
    c.out.ok();
    c.changed(1);
    Ok(())
}

/// A FUNCTION subcommand's arity check, worded as Redis words it.
fn sub_arity(c: &Ctx<'_>, a: &[&[u8]], sub: &str, arity: i32) -> Result<(), ExecError> {
    let n = a.len() as i32;
    if (arity > 0 && n != arity) || (arity < 0 && n < -arity) {
        return Err(c.err(format!(
            "wrong number of arguments for 'function|{sub}' command"
        )));
    }
    Ok(())
}

fn syntax_sub(c: &Ctx<'_>, a: &[&[u8]]) -> ExecError {
    c.err(format!(
        "unknown subcommand or wrong number of arguments for '{}'. Try {} HELP.",
        String::from_utf8_lossy(a[1]),
        String::from_utf8_lossy(a[0]).to_ascii_uppercase()
    ))
}

/// Redis's `functionExtractLibMetaData` and the checks before the code is compiled:
/// the library's name.
fn library_metadata(c: &Ctx<'_>, code: &[u8]) -> Result<Vec<u8>, ExecError> {
    if !code.starts_with(b"#!") {
        return Err(c.err("Missing library metadata"));
    }
    let end = code
        .iter()
        .position(|&b| b == b'\n')
        .ok_or_else(|| c.err("Invalid library metadata"))?;
    let parts = crate::aof::manifest::split_args(&code[..end])
        .filter(|p| !p.is_empty())
        .ok_or_else(|| c.err("Invalid library metadata"))?;
    let engine = parts[0].get(2..).unwrap_or_default();
    let mut name: Option<&[u8]> = None;
    for part in &parts[1..] {
        match part.get(..5) {
            Some(p) if p.eq_ignore_ascii_case(b"name=") => {
                if name.is_some() {
                    return Err(
                        c.err("Invalid metadata value, name argument was given multiple times")
                    );
                }
                name = Some(&part[5..]);
            }
            _ => {
                return Err(c.err(format!(
                    "Invalid metadata value given: {}",
                    String::from_utf8_lossy(part)
                )));
            }
        }
    }
    let name = name.ok_or_else(|| c.err("Library name was not given"))?;
    if name.is_empty() || !name.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(c.err(
            "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long",
        ));
    }
    if !engine.eq_ignore_ascii_case(b"lua") {
        return Err(c.err(format!(
            "Engine '{}' not found",
            String::from_utf8_lossy(engine)
        )));
    }
    Ok(name.to_vec())
}

fn function(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let sub = a[1];
    if is(sub, "LOAD") {
        sub_arity(c, a, "load", -3)?;
        let code = a[a.len() - 1];
        let mut replace = false;
        for o in &a[2..a.len() - 1] {
            if is(o, "REPLACE") {
                replace = true;
            } else {
                return Err(c.err(format!(
                    "Unknown option given: {}",
                    String::from_utf8_lossy(o)
                )));
            }
        }
        let name = library_metadata(c, code)?;
        if !replace && c.ks.functions.contains_key(&name) {
            return Err(c.err(format!(
                "Library '{}' already exists",
                String::from_utf8_lossy(&name)
            )));
        }
        c.out.bulk(&name);
        c.ks.functions.insert(name, code.to_vec());
    } else if is(sub, "DELETE") {
        sub_arity(c, a, "delete", 3)?;
        c.ks.functions
            .remove(a[2])
            .ok_or_else(|| c.err("Library not found"))?;
        c.out.ok();
    } else if is(sub, "FLUSH") {
        sub_arity(c, a, "flush", -2)?;
        match a.len() {
            2 => {}
            3 if is(a[2], "SYNC") || is(a[2], "ASYNC") => {}
            3 => return Err(c.err("FUNCTION FLUSH only supports SYNC|ASYNC option")),
            _ => return Err(syntax_sub(c, a)),
        }
        c.ks.functions.clear();
        c.out.ok();
    } else if is(sub, "RESTORE") {
        sub_arity(c, a, "restore", -3)?;
        if a.len() > 4 {
            return Err(syntax_sub(c, a));
        }
        let policy = a.get(3).copied().unwrap_or(b"APPEND");
        let (flush, replace) = if is(policy, "APPEND") {
            (false, false)
        } else if is(policy, "REPLACE") {
            (false, true)
        } else if is(policy, "FLUSH") {
            (true, false)
        } else {
            return Err(c.err(
                "Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.",
            ));
        };
        let (body, version) = payload(c, a[2])?;
        // Only function records (RDB opcodes 0xf5, 0xf6) may be in the payload.
        if body.first().is_some_and(|&t| t != 0xf5 && t != 0xf6) {
            return Err(c.err("given type is not a function"));
        }
        let restored = read_records(c, version, &body)?;
        if restored.key_count() > 0 {
            return Err(c.err("given type is not a function"));
        }
        let libs = restored.functions;
        if flush {
            c.ks.functions.clear();
        } else if !replace && let Some(n) = libs.keys().find(|n| c.ks.functions.contains_key(*n)) {
            return Err(c.err(format!(
                "Library {} already exists",
                String::from_utf8_lossy(n)
            )));
        }
        c.ks.functions.extend(libs);
        c.out.ok();
    } else {
        return Err(c.err(format!(
            "unknown subcommand '{}'. Try FUNCTION HELP.",
            String::from_utf8_lossy(sub)
        )));
    }
    c.changed(1);
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
    fn library_lines_split_like_sdssplitargs() {
        let split = |l: &str| crate::aof::manifest::split_args(l.as_bytes());
        let v = |t: &[&str]| Some(t.iter().map(|s| s.as_bytes().to_vec()).collect());
        assert_eq!(split("#!lua name=\"a\" x"), v(&["#!lua", "name=a", "x"]));
        assert_eq!(split(" 'it\\'s'\t\"\\x41\\n\""), v(&["it's", "A\n"]));
        assert_eq!(
            split("name=\"a\"b"),
            None,
            "a closing quote must end the token"
        );
        assert_eq!(split("name=\"a"), None);
        assert_eq!(split("\"\""), v(&[""]));
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

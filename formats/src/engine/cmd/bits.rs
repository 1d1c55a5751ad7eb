//! Bit, float, HyperLogLog, geo and SORT commands: INCRBYFLOAT, SETBIT, BITFIELD
//! (BITFIELD_RO), BITOP, PFADD, PFMERGE, PFCOUNT, PFDEBUG, GEOADD, GEORADIUS and
//! GEORADIUSBYMEMBER with STORE/STOREDIST, GEOSEARCHSTORE, SORT (SORT_RO).
//!
//! Each one computes what Redis 7.0 stores, byte for byte: HyperLogLogs keep Redis's
//! sparse/dense encodings and cached cardinality, geo scores are Redis's 52-bit
//! geohashes, distances use its haversine with the same libm calls, INCRBYFLOAT emulates
//! the x87 `long double` (see `cfloat`), and partial sorts use Redis's own `pqsort`.

mod geo;
mod hll;
mod pqsort;
mod sort;

use super::cfloat::{self, Ld, Parsed, Prec};
use super::{Ctx, ExecError, Handler, is, parse_i64};
use crate::engine::Obj;

/// Redis's default `proto-max-bulk-len`: the largest string a bit command grows. (While
/// loading an AOF Redis does not check it; a file from a server configured above the
/// default is refused here rather than allocating without bound.)
const MAX_STRING_BYTES: u64 = 512 * 1024 * 1024;

pub(super) fn lookup(name: &str) -> Option<(Handler, i32)> {
    Some(match name {
        "INCRBYFLOAT" => (incrbyfloat, 3),
        "SETBIT" => (setbit, 4),
        "BITFIELD" => (bitfield, -2),
        "BITFIELD_RO" => (bitfield, -2),
        "BITOP" => (bitop, -4),
        "PFADD" => (hll::pfadd, -2),
        "PFCOUNT" => (hll::pfcount, -2),
        "PFMERGE" => (hll::pfmerge, -2),
        "PFDEBUG" => (hll::pfdebug, 3),
        "GEOADD" => (geo::geoadd, -5),
        "GEORADIUS" => (geo::georadius, -6),
        "GEORADIUSBYMEMBER" => (geo::georadius, -5),
        "GEOSEARCHSTORE" => (geo::georadius, -8),
        "GEORADIUS_RO" => (geo::georadius, -6),
        "GEORADIUSBYMEMBER_RO" => (geo::georadius, -5),
        "GEOSEARCH" => (geo::georadius, -7),
        "GEOPOS" => (geo::geopos, -2),
        "GEODIST" => (geo::geodist, -4),
        "GEOHASH" => (geo::geohash, -2),
        "SORT" => (sort::sort, -2),
        "SORT_RO" => (sort::sort, -2),
        _ => return None,
    })
}

/// Redis's `string2ld`: the whole string as a C `long double`, no leading space.
fn string2ld(s: &[u8]) -> Option<Parsed> {
    // MAX_LONG_DOUBLE_CHARS is 5 KiB, the terminating NUL included.
    if s.is_empty() || s.len() >= 5 * 1024 || cfloat::is_c_space(s[0]) {
        return None;
    }
    cfloat::parse(s, Prec::Extended)
}

fn incrbyfloat(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let not_float = c.err("value is not a valid float");
    let nan_inf = c.err("increment would produce NaN or Infinity");
    let cur = match c.string_bytes(a[1], false)? {
        None => Parsed::Num(Ld::ZERO),
        Some(s) => string2ld(s).ok_or_else(|| not_float.clone())?,
    };
    let incr = string2ld(a[2]).ok_or(not_float)?;
    let (Parsed::Num(x), Parsed::Num(y)) = (cur, incr) else {
        return Err(nan_inf);
    };
    let sum = cfloat::add(x, y).ok_or(nan_inf)?;
    let text = cfloat::format_human(sum);
    c.out.bulk(&text);
    c.changed(1);
    // Redis propagates the value it computed, so that replicas agree on the digits.
    c.propagate(&[b"SET", a[1], &text, b"KEEPTTL"]);
    // dbOverwrite keeps the TTL; a new key has none.
    if let Some(s) = c.string_bytes(a[1], true)? {
        *s = text.into();
    }
    Ok(())
}

/// Redis's `getBitOffsetFromArgument`: `#n` (with `hash_bits`) means `n * bits`.
fn bit_offset(c: &Ctx<'_>, arg: &[u8], hash_bits: Option<u32>) -> Result<u64, ExecError> {
    let err = || c.err("bit offset is not an integer or out of range");
    let (digits, mul) = match (arg.first(), hash_bits) {
        (Some(b'#'), Some(bits)) => (&arg[1..], i64::from(bits)),
        _ => (arg, 1),
    };
    let v = parse_i64(digits)
        .and_then(|v| v.checked_mul(mul))
        .filter(|&v| v >= 0)
        .ok_or_else(err)?;
    if (v as u64) >> 3 >= MAX_STRING_BYTES {
        return Err(err());
    }
    Ok(v as u64)
}

/// Redis's `lookupStringForBitCommand`: the string at `key`, created or zero-padded so
/// that bit `maxbit` exists, and whether it was created or grown.
fn string_for_bits<'c>(
    c: &'c mut Ctx<'_>,
    key: &[u8],
    maxbit: u64,
) -> Result<(&'c mut Vec<u8>, bool), ExecError> {
    let need = (maxbit >> 3) as usize + 1;
    let missing = c.err("no string");
    let existed = c.string_bytes(key, false)?.is_some();
    let s = c.string(key, true)?.ok_or(missing)?;
    let mut grown = !existed;
    if s.len() < need {
        s.resize(need, 0);
        grown = true;
    }
    Ok((s, grown))
}

fn setbit(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let off = bit_offset(c, a[2], None)?;
    let on = parse_i64(a[3])
        .filter(|v| v & !1 == 0)
        .ok_or_else(|| c.err("bit is not an integer or out of range"))?;
    let (s, grown) = string_for_bits(c, a[1], off)?;
    let byte = (off >> 3) as usize;
    let bit = 7 - (off & 7);
    let old = (s[byte] >> bit) & 1;
    s[byte] = (s[byte] & !(1 << bit)) | ((on as u8) << bit);
    // Redis counts a change only when the string was created or grown or the bit
    // flipped.
    let changed = grown || i64::from(old) != on;
    c.out.int(i64::from(old));
    c.changed(u64::from(changed));
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Overflow {
    Wrap,
    Sat,
    Fail,
}

#[derive(Debug, Clone, Copy)]
struct FieldOp {
    write: Option<bool>, // None: GET; Some(true): INCRBY; Some(false): SET
    signed: bool,
    bits: u32,
    offset: u64,
    value: i64,
    overflow: Overflow,
}

/// `i8`..`i64`, `u1`..`u63` (case-sensitive prefix, as Redis).
fn bitfield_type(c: &Ctx<'_>, arg: &[u8]) -> Result<(bool, u32), ExecError> {
    let err = || {
        c.err("Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.")
    };
    let signed = match arg.first() {
        Some(b'i') => true,
        Some(b'u') => false,
        _ => return Err(err()),
    };
    let bits = parse_i64(&arg[1..]).ok_or_else(err)?;
    if bits < 1 || (signed && bits > 64) || (!signed && bits > 63) {
        return Err(err());
    }
    Ok((signed, bits as u32))
}

fn bitfield(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let mut ops = Vec::new();
    let mut overflow = Overflow::Wrap;
    let mut highest: u64 = 0;
    let mut j = 2;
    while j < a.len() {
        let rem = a.len() - j - 1;
        let sub = a[j];
        let write = if is(sub, "GET") && rem >= 2 {
            None
        } else if is(sub, "SET") && rem >= 3 {
            Some(false)
        } else if is(sub, "INCRBY") && rem >= 3 {
            Some(true)
        } else if is(sub, "OVERFLOW") && rem >= 1 {
            let t = a[j + 1];
            overflow = if is(t, "WRAP") {
                Overflow::Wrap
            } else if is(t, "SAT") {
                Overflow::Sat
            } else if is(t, "FAIL") {
                Overflow::Fail
            } else {
                return Err(c.err("Invalid OVERFLOW type specified"));
            };
            j += 2;
            continue;
        } else {
            return Err(c.err("syntax error"));
        };
        let (signed, bits) = bitfield_type(c, a[j + 1])?;
        let offset = bit_offset(c, a[j + 2], Some(bits))?;
        let mut value = 0;
        if write.is_some() {
            highest = highest.max(offset + u64::from(bits) - 1);
            value = parse_i64(a[j + 3])
                .ok_or_else(|| c.err("value is not an integer or out of range"))?;
        }
        ops.push(FieldOp {
            write,
            signed,
            bits,
            offset,
            value,
            overflow,
        });
        j += if write.is_some() { 4 } else { 3 };
    }
    let on = c.out.is_on();
    // Each op's reply (None: an overflow FAILed); collected only for a client, and
    // written once the string is no longer borrowed.
    let mut replies: Vec<Option<i64>> = Vec::new();
    if ops.iter().all(|o| o.write.is_none()) {
        // Only GETs: the type is still checked, a missing key reads as zeros.
        let s = c.string_bytes(a[1], false)?;
        if on {
            let p: &[u8] = s.as_deref().map_or(&[], |b| &b[..]);
            replies.extend(ops.iter().map(|op| Some(get_field(p, op))));
        }
        write_replies(c, &replies);
        return Ok(());
    }
    if c.name == "BITFIELD_RO" {
        return Err(c.err("BITFIELD_RO only supports the GET subcommand"));
    }
    // The key is created / grown before any operation, even when all of them FAIL.
    let (s, grown) = string_for_bits(c, a[1], highest)?;
    let mut changes = 0u64;
    for op in &ops {
        let Some(incr) = op.write else {
            if on {
                replies.push(Some(get_field(s, op)));
            }
            continue;
        };
        // (the op FAILed, what it replies, whether it changed the field)
        let (failed, reply, changed) = if op.signed {
            let old = get_signed(s, op.offset, op.bits);
            let (over, new) = if incr {
                match check_signed(old, op.value, op.bits, op.overflow) {
                    (0, _) => (false, old.wrapping_add(op.value)),
                    (_, w) => (true, w),
                }
            } else {
                match check_signed(op.value, 0, op.bits, op.overflow) {
                    (0, _) => (false, op.value),
                    (_, w) => (true, w),
                }
            };
            let failed = over && op.overflow == Overflow::Fail;
            if !failed {
                set_unsigned(s, op.offset, op.bits, new as u64);
            }
            (failed, if incr { new } else { old }, old != new)
        } else {
            let old = get_unsigned(s, op.offset, op.bits);
            let (over, new) = if incr {
                match check_unsigned(old, op.value, op.bits, op.overflow) {
                    (0, _) => (false, old.wrapping_add(op.value as u64)),
                    (_, w) => (true, w),
                }
            } else {
                match check_unsigned(op.value as u64, 0, op.bits, op.overflow) {
                    (0, _) => (false, op.value as u64),
                    (_, w) => (true, w),
                }
            };
            let failed = over && op.overflow == Overflow::Fail;
            if !failed {
                set_unsigned(s, op.offset, op.bits, new);
            }
            (failed, (if incr { new } else { old }) as i64, old != new)
        };
        if !failed && (grown || changed) {
            changes += 1;
        }
        if on {
            replies.push((!failed).then_some(reply));
        }
    }
    write_replies(c, &replies);
    // Redis counts one change per write that changed its field (or every one that did
    // not FAIL when the string was created or grown).
    c.changed(changes);
    Ok(())
}

/// A GET op's value: the field read from `p` (zeros past its end).
fn get_field(p: &[u8], op: &FieldOp) -> i64 {
    if op.signed {
        get_signed(p, op.offset, op.bits)
    } else {
        get_unsigned(p, op.offset, op.bits) as i64
    }
}

/// BITFIELD's reply: an array of integers, nil for a FAILed overflow.
fn write_replies(c: &mut Ctx<'_>, replies: &[Option<i64>]) {
    if c.out.is_on() {
        c.out.array(replies.len());
        for r in replies {
            match r {
                Some(v) => c.out.int(*v),
                None => c.out.nil(),
            }
        }
    }
}

fn get_unsigned(p: &[u8], mut offset: u64, bits: u32) -> u64 {
    let mut v = 0u64;
    for _ in 0..bits {
        let byte = p.get((offset >> 3) as usize).copied().unwrap_or(0);
        let bit = 7 - (offset & 7);
        v = (v << 1) | u64::from((byte >> bit) & 1);
        offset += 1;
    }
    v
}

fn get_signed(p: &[u8], offset: u64, bits: u32) -> i64 {
    let mut v = get_unsigned(p, offset, bits) as i64;
    if bits < 64 && v & (1i64 << (bits - 1)) != 0 {
        v |= -1i64 << bits;
    }
    v
}

fn set_unsigned(p: &mut [u8], mut offset: u64, bits: u32, value: u64) {
    for j in 0..bits {
        let bitval = u8::from(value & (1u64 << (bits - 1 - j)) != 0);
        let bit = 7 - (offset & 7);
        if let Some(b) = p.get_mut((offset >> 3) as usize) {
            *b = (*b & !(1 << bit)) | (bitval << bit);
        }
        offset += 1;
    }
}

/// Redis's `checkUnsignedBitfieldOverflow`: (0, _) when `value + incr` fits, else
/// (1 | -1, what to store for WRAP / SAT).
fn check_unsigned(value: u64, incr: i64, bits: u32, ow: Overflow) -> (i32, u64) {
    let max = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    let maxincr = max.wrapping_sub(value) as i64;
    let minincr = value.wrapping_neg() as i64;
    let wrap = || {
        let mask = if bits == 64 { 0 } else { u64::MAX << bits };
        value.wrapping_add(incr as u64) & !mask
    };
    if value > max || (incr > 0 && incr > maxincr) {
        match ow {
            Overflow::Wrap => (1, wrap()),
            _ => (1, max),
        }
    } else if incr < 0 && incr < minincr {
        match ow {
            Overflow::Wrap => (1, wrap()),
            _ => (-1, 0),
        }
    } else {
        (0, 0)
    }
}

/// Redis's `checkSignedBitfieldOverflow`.
fn check_signed(value: i64, incr: i64, bits: u32, ow: Overflow) -> (i32, i64) {
    let max = if bits == 64 {
        i64::MAX
    } else {
        (1i64 << (bits - 1)) - 1
    };
    let min = -max - 1;
    let maxincr = (max as u64).wrapping_sub(value as u64) as i64;
    let minincr = min.wrapping_sub(value);
    let wrap = || {
        let msb = 1u64 << (bits - 1);
        let mut c = (value as u64).wrapping_add(incr as u64);
        if bits < 64 {
            let mask = u64::MAX << bits;
            if c & msb != 0 {
                c |= mask;
            } else {
                c &= !mask;
            }
        }
        c as i64
    };
    if value > max || (bits != 64 && incr > maxincr) || (value >= 0 && incr > 0 && incr > maxincr) {
        match ow {
            Overflow::Wrap => (1, wrap()),
            _ => (1, max),
        }
    } else if value < min
        || (bits != 64 && incr < minincr)
        || (value < 0 && incr < 0 && incr < minincr)
    {
        match ow {
            Overflow::Wrap => (1, wrap()),
            _ => (-1, min),
        }
    } else {
        (0, 0)
    }
}

fn bitop(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    #[derive(PartialEq)]
    enum Op {
        And,
        Or,
        Xor,
        Not,
    }
    let op = match () {
        _ if is(a[1], "AND") => Op::And,
        _ if is(a[1], "OR") => Op::Or,
        _ if is(a[1], "XOR") => Op::Xor,
        _ if is(a[1], "NOT") => Op::Not,
        _ => return Err(c.err("syntax error")),
    };
    if op == Op::Not && a.len() != 4 {
        return Err(c.err("BITOP NOT must be called with a single source key."));
    }
    let mut srcs: Vec<Vec<u8>> = Vec::with_capacity(a.len() - 3);
    for k in &a[3..] {
        srcs.push(
            c.string_bytes(k, false)?
                .map(|s| s.to_vec())
                .unwrap_or_default(),
        );
    }
    let maxlen = srcs.iter().map(Vec::len).max().unwrap_or(0);
    c.out.int(maxlen as i64);
    if maxlen == 0 {
        // An empty result deletes the destination; nothing to delete is no change.
        if c.db().remove(a[2]).is_some() {
            c.changed(1);
        }
        return Ok(());
    }
    let at = |s: &Vec<u8>, j: usize| s.get(j).copied().unwrap_or(0);
    let mut res = vec![0u8; maxlen];
    for (j, r) in res.iter_mut().enumerate() {
        let mut out = at(&srcs[0], j);
        match op {
            Op::Not => out = !out,
            Op::And => srcs[1..].iter().for_each(|s| out &= at(s, j)),
            Op::Or => srcs[1..].iter().for_each(|s| out |= at(s, j)),
            Op::Xor => srcs[1..].iter().for_each(|s| out ^= at(s, j)),
        }
        *r = out;
    }
    c.db().set(a[2], Obj::Str(res.into()), None);
    c.changed(1);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::tests::run;
    use crate::engine::{Keyspace, Obj, Session};

    pub(super) fn get(ks: &Keyspace, k: &str) -> Option<Vec<u8>> {
        match &ks.dbs[0].get(k.as_bytes())?.obj {
            Obj::Str(s) => Some(s.to_vec()),
            other => panic!("{k} is {other:?}"),
        }
    }

    pub(super) fn fails(setup: &[&str], cmd: &[&[u8]]) -> String {
        fails_with(Vec::new(), setup, cmd)
    }

    /// Runs `cmd` on a keyspace holding `objs` then `setup`; its error.
    pub(super) fn fails_with(objs: Vec<(&str, Obj)>, setup: &[&str], cmd: &[&[u8]]) -> String {
        let mut ks = with(objs, setup);
        Session::new()
            .execute(&mut ks, cmd)
            .expect_err("should fail")
            .to_string()
    }

    /// A keyspace holding `objs` (values of other families, built directly), after
    /// `cmds`.
    pub(super) fn with(objs: Vec<(&str, Obj)>, cmds: &[&str]) -> Keyspace {
        let mut ks = Keyspace::default();
        for (k, o) in objs {
            ks.dbs[0].set(k.as_bytes(), o, None);
        }
        let mut s = Session::new();
        for c in cmds {
            let args: Vec<&[u8]> = c.split(' ').map(str::as_bytes).collect();
            s.execute(&mut ks, &args)
                .unwrap_or_else(|e| panic!("{c}: {e}"));
        }
        ks
    }

    pub(super) fn list(items: &[&str]) -> Obj {
        Obj::list(items.iter().map(|s| s.as_bytes().to_vec()).collect())
    }

    #[test]
    fn incrbyfloat_formats_like_redis() {
        let ks = run(&[
            "SET a 10.50",
            "INCRBYFLOAT a 0.1",
            "INCRBYFLOAT b 5.0e3",
            "INCRBYFLOAT b 2.0e2",
        ]);
        assert_eq!(get(&ks, "a").unwrap(), b"10.6");
        assert_eq!(get(&ks, "b").unwrap(), b"5200");
        let ks = run(&[
            "SET c 1",
            "PEXPIREAT c 99999999999999",
            "INCRBYFLOAT c -1",
            "INCRBYFLOAT d 3",
        ]);
        assert_eq!(get(&ks, "c").unwrap(), b"0");
        assert_eq!(
            ks.dbs[0].get(b"c").unwrap().expire_ms(),
            Some(99999999999999),
            "keeps the TTL"
        );
        assert_eq!(get(&ks, "d").unwrap(), b"3");
        assert!(fails(&["SET a x"], &[b"INCRBYFLOAT", b"a", b"1"]).contains("not a valid float"));
        assert!(fails(&[], &[b"INCRBYFLOAT", b"a", b" 1"]).contains("not a valid float"));
        assert!(fails(&[], &[b"INCRBYFLOAT", b"a", b"inf"]).contains("NaN or Infinity"));
        assert!(
            fails(&["SET a 1e4932"], &[b"INCRBYFLOAT", b"a", b"1e4932"])
                .contains("NaN or Infinity")
        );
        assert!(
            fails_with(
                vec![("l", list(&["x"]))],
                &[],
                &[b"INCRBYFLOAT", b"l", b"1"]
            )
            .contains("WRONGTYPE")
        );
        let ks = run(&["INCRBYFLOAT h 0x10", "INCRBYFLOAT z 0e-5000"]);
        assert_eq!(get(&ks, "h").unwrap(), b"16");
        assert_eq!(get(&ks, "z").unwrap(), b"0");
        assert!(
            fails(&[], &[b"INCRBYFLOAT", b"a", b"1e-5000"]).contains("not a valid float"),
            "underflow"
        );
    }

    #[test]
    fn setbit_grows_and_sets() {
        let ks = run(&[
            "SETBIT a 7 1",
            "SETBIT b 17 1",
            "SETBIT b 17 0",
            "SET c x",
            "SETBIT c 0 0",
        ]);
        assert_eq!(get(&ks, "a").unwrap(), [1]);
        assert_eq!(get(&ks, "b").unwrap(), [0, 0, 0]);
        assert_eq!(get(&ks, "c").unwrap(), [b'x' & 0x7f]);
        assert!(fails(&[], &[b"SETBIT", b"a", b"-1", b"1"]).contains("bit offset"));
        assert!(fails(&[], &[b"SETBIT", b"a", b"1", b"2"]).contains("bit is not"));
        assert!(fails(&[], &[b"SETBIT", b"a", b"4294967296", b"1"]).contains("bit offset"));
    }

    #[test]
    fn bitfield_set_incrby_overflow() {
        let ks = run(&[
            "BITFIELD a SET u8 0 255 INCRBY u8 0 10",
            "BITFIELD b OVERFLOW SAT INCRBY i8 0 200 SET u4 #2 -1",
            "BITFIELD c OVERFLOW FAIL INCRBY u2 0 5",
            "BITFIELD d GET u8 0",
            "BITFIELD e SET i16 #1 -2 INCRBY i5 100 -100",
            "BITFIELD f SET i64 0 -1 INCRBY u63 1 1",
            "BITFIELD g OVERFLOW WRAP INCRBY i8 0 130",
        ]);
        assert_eq!(get(&ks, "a").unwrap(), [9]);
        assert_eq!(get(&ks, "b").unwrap(), [127, 0xf0]);
        assert_eq!(
            get(&ks, "c").unwrap(),
            [0],
            "created even though the op FAILed"
        );
        assert_eq!(get(&ks, "d"), None, "GET only: no key");
        let e = get(&ks, "e").unwrap();
        assert_eq!(&e[..4], &[0, 0, 0xff, 0xfe]);
        // bits 100..105 hold -100 wrapped to i5: (-100) mod 32 = 28 = 0b11100
        assert_eq!(super::get_signed(&e, 100, 5), -4);
        assert_eq!(
            get(&ks, "f").unwrap(),
            [0x80, 0, 0, 0, 0, 0, 0, 0],
            "u63 at 1 wraps to 0"
        );
        assert_eq!(get(&ks, "g").unwrap(), [130u8], "130 wraps to -126");
        assert!(
            fails(&[], &[b"BITFIELD_RO", b"a", b"SET", b"u8", b"0", b"1"]).contains("BITFIELD_RO")
        );
        assert!(
            fails(&[], &[b"BITFIELD", b"a", b"SET", b"u64", b"0", b"1"])
                .contains("Invalid bitfield type")
        );
        assert!(
            fails(&[], &[b"BITFIELD", b"a", b"SET", b"I8", b"0", b"1"])
                .contains("Invalid bitfield type")
        );
        assert!(fails(&[], &[b"BITFIELD", b"a", b"OVERFLOW", b"X"]).contains("OVERFLOW"));
        assert!(fails(&[], &[b"BITFIELD", b"a", b"SET", b"u8", b"0"]).contains("syntax"));
        let ks = run(&["BITFIELD_RO a GET u8 0", "BITFIELD a"]);
        assert!(ks.dbs[0].is_empty());
    }

    #[test]
    fn bitfield_sat_and_fail_edges() {
        let ks = run(&[
            "BITFIELD a OVERFLOW SAT SET u8 0 -1",
            "BITFIELD b OVERFLOW SAT INCRBY u8 0 -5",
            "BITFIELD c SET u8 0 10 OVERFLOW FAIL INCRBY u8 0 -11 INCRBY u8 0 -10",
            "BITFIELD d OVERFLOW SAT SET i8 0 -1000",
            "BITFIELD e OVERFLOW SAT INCRBY i64 0 -9223372036854775808 INCRBY i64 0 -1",
        ]);
        assert_eq!(
            get(&ks, "a").unwrap(),
            [255],
            "a negative SET into an unsigned SATurates to max"
        );
        assert_eq!(get(&ks, "b").unwrap(), [0]);
        assert_eq!(get(&ks, "c").unwrap(), [0]);
        assert_eq!(get(&ks, "d").unwrap(), [0x80]);
        assert_eq!(get(&ks, "e").unwrap(), [0x80, 0, 0, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn bitop_ops_and_empty_result() {
        let ks = run(&[
            "SET a abc",
            "SET b A",
            "BITOP AND d1 a b",
            "BITOP OR d2 a b missing",
            "BITOP XOR d3 a b",
            "BITOP NOT d4 b",
            "SET d5 x",
            "BITOP OR d5 missing1 missing2",
        ]);
        assert_eq!(get(&ks, "d1").unwrap(), [b'a' & b'A', 0, 0]);
        assert_eq!(get(&ks, "d2").unwrap(), [b'a' | b'A', b'b', b'c']);
        assert_eq!(get(&ks, "d3").unwrap(), [b'a' ^ b'A', b'b', b'c']);
        assert_eq!(get(&ks, "d4").unwrap(), [!b'A']);
        assert_eq!(
            get(&ks, "d5"),
            None,
            "an empty result deletes the destination"
        );
        assert!(
            fails(&["SET a x"], &[b"BITOP", b"NOT", b"d", b"a", b"a"]).contains("single source")
        );
        assert!(
            fails_with(
                vec![("l", list(&["x"]))],
                &[],
                &[b"BITOP", b"AND", b"d", b"l"]
            )
            .contains("WRONGTYPE")
        );
        assert!(fails(&[], &[b"BITOP", b"NAND", b"d", b"a"]).contains("syntax"));
        let ks = run(&[
            "SET d x",
            "PEXPIREAT d 99999999999999",
            "SET a y",
            "BITOP OR d a",
        ]);
        assert_eq!(
            ks.dbs[0].get(b"d").unwrap().expire_ms(),
            None,
            "BITOP replaces the TTL"
        );
    }
}

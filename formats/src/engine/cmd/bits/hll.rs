//! HyperLogLog (Redis 7.0 `hyperloglog.c`): PFADD, PFCOUNT, PFMERGE, PFDEBUG on the
//! exact string Redis stores: a 16-byte header (`HYLL`, encoding, 3 unused bytes, the
//! cached cardinality little-endian with bit 63 meaning "stale"), then the sparse
//! opcodes (ZERO `00xxxxxx`, XZERO `01xxxxxx xxxxxxxx`, VAL `1vvvvvxx`) or 16384 dense
//! 6-bit registers. Sparse updates split and merge opcodes exactly as Redis does, and a
//! sparse HLL turns dense when a register exceeds 32 or it would outgrow
//! `hll-sparse-max-bytes` (the default, 3000, is assumed).

use super::super::{Ctx, ExecError, is};

const HDR: usize = 16;
const P: u32 = 14;
const Q: u32 = 64 - P;
const REGISTERS: usize = 1 << P;
const P_MASK: u64 = (REGISTERS as u64) - 1;
const BITS: usize = 6;
const REGISTER_MAX: u8 = (1 << BITS) - 1;
const DENSE_SIZE: usize = HDR + (REGISTERS * BITS).div_ceil(8);
const DENSE: u8 = 0;
const SPARSE: u8 = 1;
const SPARSE_VAL_MAX_VALUE: u8 = 32;
const SPARSE_VAL_MAX_LEN: usize = 4;
const SPARSE_ZERO_MAX_LEN: usize = 64;
const SPARSE_XZERO_MAX_LEN: usize = 16384;
/// Redis's default `hll-sparse-max-bytes`.
const SPARSE_MAX_BYTES: usize = 3000;
/// `HLL_ALPHA_INF`, 0.5 / ln 2 (0.721347520444481703680 in the C source).
const ALPHA_INF: f64 = 0.721_347_520_444_481_7;

/// A corrupted sparse representation (Redis: `INVALIDOBJ Corrupted HLL object`).
#[derive(Debug)]
pub(super) struct Invalid;

fn is_zero(b: u8) -> bool {
    b & 0xc0 == 0
}

fn is_xzero(b: u8) -> bool {
    b & 0xc0 == 0x40
}

fn is_val(b: u8) -> bool {
    b & 0x80 != 0
}

fn zero_len(b: u8) -> usize {
    usize::from(b & 0x3f) + 1
}

fn xzero_len(b0: u8, b1: u8) -> usize {
    ((usize::from(b0 & 0x3f) << 8) | usize::from(b1)) + 1
}

fn val_value(b: u8) -> u8 {
    ((b >> 2) & 0x1f) + 1
}

fn val_len(b: u8) -> usize {
    usize::from(b & 0x3) + 1
}

fn val_op(val: u8, len: usize) -> u8 {
    ((val - 1) << 2) | ((len - 1) as u8) | 0x80
}

fn zero_op(len: usize) -> u8 {
    (len - 1) as u8
}

fn xzero_op(len: usize) -> [u8; 2] {
    let l = len - 1;
    [((l >> 8) as u8) | 0x40, (l & 0xff) as u8]
}

/// Byte `i` of `s`, or the 0 past its end (sds strings are NUL-terminated, and Redis
/// reads that byte in a few places).
fn at(s: &[u8], i: usize) -> u8 {
    s.get(i).copied().unwrap_or(0)
}

/// Redis's `MurmurHash64A`, endian-neutral version.
pub(super) fn murmur64a(key: &[u8], seed: u64) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    let mut h = seed ^ (key.len() as u64).wrapping_mul(M);
    let mut chunks = key.chunks_exact(8);
    for ch in &mut chunks {
        let mut k = ch
            .iter()
            .rev()
            .fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        for (i, &b) in tail.iter().enumerate().rev() {
            h ^= u64::from(b) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

/// The register an element goes to and its run length of zeros plus one.
fn pat_len(ele: &[u8]) -> (usize, u8) {
    let mut hash = murmur64a(ele, 0xadc8_3b19);
    let index = (hash & P_MASK) as usize;
    hash >>= P;
    hash |= 1u64 << Q;
    (index, (hash.trailing_zeros() + 1) as u8)
}

fn dense_get(regs: &[u8], i: usize) -> u8 {
    let byte = i * BITS / 8;
    let fb = (i * BITS) & 7;
    let b0 = u16::from(at(regs, byte));
    let b1 = u16::from(at(regs, byte + 1));
    (((b0 >> fb) | (b1 << (8 - fb))) & u16::from(REGISTER_MAX)) as u8
}

fn dense_set(regs: &mut [u8], i: usize, val: u8) {
    let byte = i * BITS / 8;
    let fb = (i * BITS) & 7;
    let v = u16::from(val);
    let m = u16::from(REGISTER_MAX);
    if let Some(b) = regs.get_mut(byte) {
        *b = ((u16::from(*b) & !(m << fb)) | (v << fb)) as u8;
    }
    if let Some(b) = regs.get_mut(byte + 1) {
        *b = ((u16::from(*b) & !(m >> (8 - fb))) | (v >> (8 - fb))) as u8;
    }
}

/// `hllDenseSet`: raises the register; whether it changed.
fn dense_raise(regs: &mut [u8], i: usize, count: u8) -> bool {
    if count > dense_get(regs, i) {
        dense_set(regs, i, count);
        true
    } else {
        false
    }
}

/// `createHLLObject`: an empty sparse HLL with a zero (valid) cached cardinality.
pub(super) fn create() -> Vec<u8> {
    let mut s = b"HYLL".to_vec();
    s.push(SPARSE);
    s.extend_from_slice(&[0; 11]);
    let mut aux = REGISTERS;
    while aux > 0 {
        let x = aux.min(SPARSE_XZERO_MAX_LEN);
        s.extend_from_slice(&xzero_op(x));
        aux -= x;
    }
    s
}

/// `isHLLObjectOrReply` (after the type check).
pub(super) fn is_hll(s: &[u8]) -> bool {
    s.len() >= HDR
        && &s[..4] == b"HYLL"
        && s[4] <= SPARSE
        && (s[4] != DENSE || s.len() == DENSE_SIZE)
}

fn invalidate(s: &mut [u8]) {
    s[15] |= 0x80;
}

/// `hllSparseToDense` (a no-op for a dense HLL).
fn sparse_to_dense(s: &mut Vec<u8>) -> Result<(), Invalid> {
    if s[4] == DENSE {
        return Ok(());
    }
    let mut dense = vec![0u8; DENSE_SIZE];
    dense[..HDR].copy_from_slice(&s[..HDR]);
    dense[4] = DENSE;
    let mut idx = 0usize;
    let mut p = HDR;
    while p < s.len() {
        let b = s[p];
        if is_zero(b) {
            idx += zero_len(b);
            p += 1;
        } else if is_xzero(b) {
            idx += xzero_len(b, at(s, p + 1));
            p += 2;
        } else {
            let (runlen, val) = (val_len(b), val_value(b));
            if runlen + idx > REGISTERS {
                break;
            }
            for _ in 0..runlen {
                dense_set(&mut dense[HDR..], idx, val);
                idx += 1;
            }
            p += 1;
        }
    }
    if idx != REGISTERS {
        return Err(Invalid);
    }
    *s = dense;
    Ok(())
}

/// `hllSparseSet`: raises register `index` to `count`, splitting/merging opcodes or
/// promoting to dense. Whether anything changed.
fn sparse_set(s: &mut Vec<u8>, index: usize, count: u8) -> Result<bool, Invalid> {
    if count > SPARSE_VAL_MAX_VALUE {
        return promote(s, index, count);
    }
    let mut end = s.len();
    let mut p = HDR;
    let mut first = 0usize;
    let mut prev: Option<usize> = None;
    let mut span = 0usize;
    while p < end {
        let b = s[p];
        let mut oplen = 1;
        if is_zero(b) {
            span = zero_len(b);
        } else if is_val(b) {
            span = val_len(b);
        } else {
            span = xzero_len(b, at(s, p + 1));
            oplen = 2;
        }
        if index < first + span {
            break;
        }
        prev = Some(p);
        p += oplen;
        first += span;
    }
    if span == 0 || p >= end {
        return Err(Invalid);
    }
    let b = s[p];
    let (zero, xzero, val) = (is_zero(b), is_xzero(b), is_val(b));
    let runlen = if zero {
        zero_len(b)
    } else if xzero {
        xzero_len(b, at(s, p + 1))
    } else {
        val_len(b)
    };
    let mut simple = false;
    if val {
        if val_value(b) >= count {
            return Ok(false);
        }
        if runlen == 1 {
            s[p] = val_op(count, 1);
            simple = true;
        }
    }
    if !simple && zero && runlen == 1 {
        s[p] = val_op(count, 1);
        simple = true;
    }
    if !simple {
        let mut seq: Vec<u8> = Vec::with_capacity(5);
        let last = first + span - 1;
        if zero || xzero {
            let zeros = |seq: &mut Vec<u8>, len: usize| {
                if len > SPARSE_ZERO_MAX_LEN {
                    seq.extend_from_slice(&xzero_op(len));
                } else {
                    seq.push(zero_op(len));
                }
            };
            if index != first {
                zeros(&mut seq, index - first);
            }
            seq.push(val_op(count, 1));
            if index != last {
                zeros(&mut seq, last - index);
            }
        } else {
            let cur = val_value(b);
            if index != first {
                seq.push(val_op(cur, index - first));
            }
            seq.push(val_op(count, 1));
            if index != last {
                seq.push(val_op(cur, last - index));
            }
        }
        let oldlen = if xzero { 2 } else { 1 };
        if seq.len() > oldlen && s.len() + seq.len() - oldlen > SPARSE_MAX_BYTES {
            return promote(s, index, count);
        }
        let oldend = (p + oldlen).min(s.len());
        end = end - (oldend - p) + seq.len();
        s.splice(p..oldend, seq);
    }
    // Merge adjacent VAL opcodes of the same value, from the opcode before ours, up to
    // five opcodes.
    let mut p = prev.unwrap_or(HDR);
    let mut scanlen = 5;
    while p < end && scanlen > 0 {
        scanlen -= 1;
        let b = s[p];
        if is_xzero(b) {
            p += 2;
            continue;
        } else if is_zero(b) {
            p += 1;
            continue;
        }
        if p + 1 < end && is_val(s[p + 1]) {
            let (v1, v2) = (val_value(b), val_value(s[p + 1]));
            if v1 == v2 {
                let len = val_len(b) + val_len(s[p + 1]);
                if len <= SPARSE_VAL_MAX_LEN {
                    s[p + 1] = val_op(v1, len);
                    s.remove(p);
                    end -= 1;
                    continue;
                }
            }
        }
        p += 1;
    }
    invalidate(s);
    Ok(true)
}

fn promote(s: &mut Vec<u8>, index: usize, count: u8) -> Result<bool, Invalid> {
    sparse_to_dense(s)?;
    dense_raise(&mut s[HDR..], index, count);
    Ok(true)
}

/// `hllAdd`: whether a register changed.
fn add(s: &mut Vec<u8>, ele: &[u8]) -> Result<bool, Invalid> {
    let (index, count) = pat_len(ele);
    match s[4] {
        DENSE => Ok(dense_raise(&mut s[HDR..], index, count)),
        SPARSE => sparse_set(s, index, count),
        _ => Err(Invalid),
    }
}

fn sigma(mut x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let mut y = 1.0;
    let mut z = x;
    loop {
        x *= x;
        let zp = z;
        z += x * y;
        y += y;
        if zp == z {
            return z;
        }
    }
}

fn tau(mut x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let mut y = 1.0;
    let mut z = 1.0 - x;
    loop {
        x = x.sqrt();
        let zp = z;
        y *= 0.5;
        // pow(1 - x, 2), which gcc turns into a multiplication
        z -= (1.0 - x) * (1.0 - x) * y;
        if zp == z {
            return z / 3.0;
        }
    }
}

/// `hllCount` from a register histogram.
fn estimate(reghisto: &[u32; 64]) -> u64 {
    let m = REGISTERS as f64;
    let mut z = m * tau((m - f64::from(reghisto[Q as usize + 1])) / m);
    for j in (1..=Q as usize).rev() {
        z += f64::from(reghisto[j]);
        z *= 0.5;
    }
    z += m * sigma(f64::from(reghisto[0]) / m);
    (ALPHA_INF * m * m / z).round() as u64
}

/// `hllCount` of a stored HLL (sparse ones are checked).
fn count(s: &[u8]) -> Result<u64, Invalid> {
    let mut h = [0u32; 64];
    if s[4] == DENSE {
        let regs = &s[HDR..];
        for i in 0..REGISTERS {
            h[usize::from(dense_get(regs, i))] += 1;
        }
    } else {
        let mut idx = 0usize;
        let mut p = HDR;
        while p < s.len() {
            let b = s[p];
            if is_zero(b) {
                idx += zero_len(b);
                h[0] += zero_len(b) as u32;
                p += 1;
            } else if is_xzero(b) {
                let l = xzero_len(b, at(s, p + 1));
                idx += l;
                h[0] += l as u32;
                p += 2;
            } else {
                idx += val_len(b);
                h[usize::from(val_value(b))] += val_len(b) as u32;
                p += 1;
            }
        }
        if idx != REGISTERS {
            return Err(Invalid);
        }
    }
    Ok(estimate(&h))
}

/// `hllMerge`: `max[i] = MAX(max[i], hll[i])`.
fn merge(max: &mut [u8], s: &[u8]) -> Result<(), Invalid> {
    if s[4] == DENSE {
        for (i, m) in max.iter_mut().enumerate().take(REGISTERS) {
            *m = (*m).max(dense_get(&s[HDR..], i));
        }
        return Ok(());
    }
    let mut i = 0usize;
    let mut p = HDR;
    while p < s.len() {
        let b = s[p];
        if is_zero(b) {
            i += zero_len(b);
            p += 1;
        } else if is_xzero(b) {
            i += xzero_len(b, at(s, p + 1));
            p += 2;
        } else {
            let (runlen, val) = (val_len(b), val_value(b));
            if runlen + i > REGISTERS {
                break;
            }
            for m in &mut max[i..i + runlen] {
                *m = (*m).max(val);
            }
            i += runlen;
            p += 1;
        }
    }
    if i != REGISTERS {
        return Err(Invalid);
    }
    Ok(())
}

fn corrupted(c: &Ctx<'_>) -> ExecError {
    c.err("INVALIDOBJ Corrupted HLL object detected")
}

fn not_hll(c: &Ctx<'_>) -> ExecError {
    c.err("WRONGTYPE Key is not a valid HyperLogLog string value.")
}

/// The HLL string at `key` (None when missing); errors for other types and strings that
/// are not HLLs.
fn hll_at<'c>(c: &'c mut Ctx<'_>, key: &[u8]) -> Result<Option<&'c mut Vec<u8>>, ExecError> {
    let bad = not_hll(c);
    match c.string(key, false)? {
        Some(s) if !is_hll(s) => Err(bad),
        other => Ok(other),
    }
}

/// PFADD: 1 when a register changed (or the key was created), else 0; Redis counts
/// one change for the creation and one per element that raised a register.
pub(super) fn pfadd(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let bad = corrupted(c);
    let mut updated = 0u64;
    if hll_at(c, a[1])?.is_none() {
        c.db()
            .set(a[1], crate::engine::Obj::Str(create().into()), None);
        updated = 1;
    }
    if let Some(s) = hll_at(c, a[1])? {
        for ele in &a[2..] {
            // Redis keeps the registers already raised when a later element finds the
            // HLL corrupted (and refuses the command).
            if add(s, ele).map_err(|_| bad.clone())? {
                updated += 1;
            }
        }
        if updated > 0 {
            invalidate(s);
        }
    }
    c.changed(updated);
    c.out.int(i64::from(updated > 0));
    Ok(())
}

/// The cached cardinality of a header whose cache is valid.
fn cached(s: &[u8]) -> u64 {
    s[8..16]
        .iter()
        .rev()
        .fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
}

/// PFCOUNT of one key refreshes the cached cardinality when it is stale (a change
/// Redis counts and propagates, PFCOUNT as sent); with several keys it counts the union
/// and writes nothing.
pub(super) fn pfcount(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let bad = corrupted(c);
    if a.len() > 2 {
        let mut max = vec![0u8; REGISTERS];
        for k in &a[1..] {
            if let Some(s) = hll_at(c, k)? {
                merge(&mut max, s).map_err(|_| bad.clone())?;
            }
        }
        if c.out.is_on() {
            let mut h = [0u32; 64];
            for &m in &max {
                h[usize::from(m)] += 1;
            }
            c.out.int(estimate(&h) as i64);
        }
        return Ok(());
    }
    let Some(s) = hll_at(c, a[1])? else {
        c.out.int(0);
        return Ok(());
    };
    let (card, refreshed) = if s[15] & 0x80 != 0 {
        let card = count(s).map_err(|_| bad)?;
        for (i, b) in s[8..16].iter_mut().enumerate() {
            *b = (card >> (8 * i)) as u8;
        }
        (card, true)
    } else {
        (cached(s), false)
    };
    if refreshed {
        c.changed(1);
    }
    c.out.int(card as i64);
    Ok(())
}

/// PFMERGE: always `OK` and one change (the destination is created when missing).
pub(super) fn pfmerge(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let bad = corrupted(c);
    let mut max = vec![0u8; REGISTERS];
    let mut use_dense = false;
    for k in &a[1..] {
        if let Some(s) = hll_at(c, k)? {
            use_dense |= s[4] == DENSE;
            merge(&mut max, s).map_err(|_| bad.clone())?;
        }
    }
    if hll_at(c, a[1])?.is_none() {
        c.db()
            .set(a[1], crate::engine::Obj::Str(create().into()), None);
    }
    if let Some(s) = hll_at(c, a[1])? {
        if use_dense {
            sparse_to_dense(s).map_err(|_| bad)?;
        }
        for (j, &m) in max.iter().enumerate() {
            if m == 0 {
                continue;
            }
            if s[4] == DENSE {
                dense_raise(&mut s[HDR..], j, m);
            } else {
                // Redis ignores a corrupted destination here.
                let _ = sparse_set(s, j, m);
            }
        }
        invalidate(s);
    }
    c.changed(1);
    c.out.ok();
    Ok(())
}

/// `PFDEBUG DECODE`'s text: the sparse opcodes as `z:len`, `Z:len`, `v:value,len`.
fn decode_sparse(s: &[u8]) -> Vec<u8> {
    let mut parts: Vec<String> = Vec::new();
    let mut p = HDR;
    while p < s.len() {
        let b = s[p];
        if is_zero(b) {
            parts.push(format!("z:{}", zero_len(b)));
            p += 1;
        } else if is_xzero(b) {
            parts.push(format!("Z:{}", xzero_len(b, at(s, p + 1))));
            p += 2;
        } else {
            parts.push(format!("v:{},{}", val_value(b), val_len(b)));
            p += 1;
        }
    }
    parts.join(" ").into_bytes()
}

/// PFDEBUG (exactly one key, as Redis 7.0's arity says): GETREG (the 16384 registers) and TODENSE (1 when it converted) turn a
/// sparse HLL dense, a change Redis counts so that it is propagated; DECODE and
/// ENCODING only read.
pub(super) fn pfdebug(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let bad = corrupted(c);
    let sub = a[1];
    let on = c.out.is_on();
    let missing = c.err("The specified key does not exist");
    let unknown = c.err(format!(
        "Unknown PFDEBUG subcommand '{}'",
        String::from_utf8_lossy(sub)
    ));
    let not_sparse = c.err("HLL encoding is not sparse");
    let s = hll_at(c, a[2])?.ok_or(missing)?;
    if is(sub, "GETREG") || is(sub, "TODENSE") {
        let converted = s[4] == SPARSE;
        sparse_to_dense(s).map_err(|_| bad)?;
        let regs: Vec<u8> = if on && is(sub, "GETREG") {
            (0..REGISTERS).map(|i| dense_get(&s[HDR..], i)).collect()
        } else {
            Vec::new()
        };
        if converted {
            c.changed(1);
        }
        if is(sub, "TODENSE") {
            c.out.int(i64::from(converted));
        } else {
            c.out.array(REGISTERS);
            for r in regs {
                c.out.int(i64::from(r));
            }
        }
    } else if is(sub, "DECODE") {
        if s[4] != SPARSE {
            return Err(not_sparse);
        }
        let text = if on { decode_sparse(s) } else { Vec::new() };
        c.out.bulk(&text);
    } else if is(sub, "ENCODING") {
        let dense = s[4] == DENSE;
        c.out.simple(if dense { "dense" } else { "sparse" });
    } else {
        return Err(unknown);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::super::tests::run;
    use super::super::tests::{fails, get};
    use super::*;

    #[test]
    fn murmur_matches_redis() {
        // From Redis's MurmurHash64A in C with the HLL seed.
        let cases: [(&[u8], u64); 5] = [
            (b"", 15627466953755236146),
            (b"a", 6039968161137406375),
            (b"hello", 1109414937308947456),
            (b"hello world!", 1136107777615667724),
            (b"0123456789abcdef0", 14562392681920724844),
        ];
        for (k, h) in cases {
            assert_eq!(murmur64a(k, 0xadc8_3b19), h, "{k:?}");
        }
    }

    #[test]
    fn new_hll_is_sparse_with_stale_cache() {
        let ks = run(&["PFADD h"]);
        let s = get(&ks, "h").unwrap();
        assert_eq!(
            s,
            [
                b"HYLL".as_slice(),
                &[1, 0, 0, 0],
                &[0, 0, 0, 0, 0, 0, 0, 0x80],
                &[0x7f, 0xff]
            ]
            .concat()
        );
        let ks = run(&["PFADD h", "PFCOUNT h"]);
        assert_eq!(&get(&ks, "h").unwrap()[8..16], &[0; 8], "PFCOUNT caches 0");
    }

    #[test]
    fn pfadd_sparse_opcodes_and_count() {
        let ks = run(&["PFADD h a b c", "PFCOUNT h"]);
        let s = get(&ks, "h").unwrap();
        assert!(is_hll(&s));
        assert_eq!(s[4], SPARSE);
        assert_eq!(u64::from(s[8]), 3, "cardinality 3 cached");
        assert_eq!(count(&s).unwrap(), 3);
        // three registers set: XZERO / VAL / ... sums to 16384 registers
        let mut max = vec![0u8; REGISTERS];
        merge(&mut max, &s).unwrap();
        assert_eq!(max.iter().filter(|&&m| m > 0).count(), 3);
    }

    #[test]
    fn many_elements_promote_to_dense() {
        let mut cmds = vec![];
        for i in 0..40 {
            let elems: Vec<String> = (0..100).map(|j| format!("e{}", i * 100 + j)).collect();
            cmds.push(format!("PFADD h {}", elems.join(" ")));
        }
        cmds.push("PFCOUNT h".to_string());
        let refs: Vec<&str> = cmds.iter().map(String::as_str).collect();
        let ks = run(&refs);
        let s = get(&ks, "h").unwrap();
        assert_eq!(s[4], DENSE);
        assert_eq!(s.len(), DENSE_SIZE);
        let card = s[8..16]
            .iter()
            .rev()
            .fold(0u64, |a, &b| (a << 8) | u64::from(b));
        assert!((3900..4100).contains(&card), "{card}");
    }

    #[test]
    fn pfmerge_and_pfdebug() {
        let ks = run(&["PFADD a x y", "PFADD b y z", "PFMERGE d a b", "PFCOUNT d"]);
        assert_eq!(get(&ks, "d").unwrap()[8], 3);
        assert_eq!(get(&ks, "d").unwrap()[4], SPARSE);
        let ks = run(&[
            "PFADD a x y",
            "PFDEBUG TODENSE a",
            "PFADD b z",
            "PFMERGE b a",
        ]);
        assert_eq!(get(&ks, "a").unwrap()[4], DENSE);
        assert_eq!(
            get(&ks, "b").unwrap()[4],
            DENSE,
            "a dense source makes the target dense"
        );
        assert_eq!(get(&ks, "b").unwrap()[15] & 0x80, 0x80);
        assert!(
            fails(&["SET s hello"], &[b"PFADD", b"s", b"x"]).contains("not a valid HyperLogLog")
        );
        assert!(
            fails(&["SET s hello"], &[b"PFMERGE", b"d", b"s"]).contains("not a valid HyperLogLog")
        );
        assert!(fails(&[], &[b"PFDEBUG", b"TODENSE", b"nokey"]).contains("does not exist"));
        let ks = run(&["PFMERGE empty"]);
        assert_eq!(get(&ks, "empty").unwrap().len(), 18);
    }
}

//! Redis 7.0's `DEBUG DIGEST` and `DEBUG DIGEST-VALUE`, computed from the engine's
//! values (src/debug.c: `xorObjectDigest`, `computeDatasetDigest`).
//!
//! Two ways of folding bytes into a 20-byte digest:
//! - *xor*: `d ^= SHA1(bytes)`, where order does not matter (set members, hash fields,
//!   zset members, keys of a database);
//! - *mix*: `d = SHA1(d ^ SHA1(bytes))`, where it does (list elements, stream entries,
//!   the parts of one element).
//!
//! A value's digest mixes its type (Redis's `OBJ_*` number, 4 bytes big-endian), then its
//! content, then xors `"!!expire!!"` when the key has an expiry (its time does not
//! count). `DEBUG DIGEST-VALUE` is that digest alone; `DEBUG DIGEST` starts from zeros
//! and, for every non-empty database in order, mixes the db number (4 bytes big-endian)
//! and xors each key's digest (the key's name mixed, then its value's digest).
//!
//! What 7.0 leaves out, so does this: stream metadata and consumer groups (only entries
//! count), hash-field TTLs (7.0 has none). Zset scores are their `%.17g` text. A module
//! value's digest comes from its module's `digest` callback, which only the module can
//! run: here a module value counts its type (and expiry) only, which is what Redis
//! reports for a module type without a digest callback.

use sha1_smol::Sha1;

use super::{Entry, Keyspace, Obj};

/// A SHA1-sized digest.
pub type Digest = [u8; 20];

fn sha1(data: &[u8]) -> Digest {
    Sha1::from(data).digest().bytes()
}

/// `d ^= SHA1(data)` (debug.c `xorDigest`).
fn xor(d: &mut Digest, data: &[u8]) {
    for (a, b) in d.iter_mut().zip(sha1(data)) {
        *a ^= b;
    }
}

/// `d = SHA1(d ^ SHA1(data))` (debug.c `mixDigest`).
fn mix(d: &mut Digest, data: &[u8]) {
    xor(d, data);
    *d = sha1(d);
}

/// Redis's `OBJ_*` type numbers.
fn type_number(o: &Obj) -> u32 {
    match o {
        Obj::Str(_) => 0,
        Obj::List(_) => 1,
        Obj::Set(_) => 2,
        Obj::Zset(_) => 3,
        Obj::Hash(_) => 4,
        Obj::Module(_) => 5,
        Obj::Stream(_) => 6,
    }
}

/// What `DEBUG DIGEST-VALUE key` returns for this key in Redis 7.0.
pub fn value_digest(e: &Entry) -> Digest {
    let mut d = [0; 20];
    add_value(&mut d, e);
    d
}

/// Mixes the value of `e` (its type, content and expiry mark) into `d`.
fn add_value(d: &mut Digest, e: &Entry) {
    mix(d, &type_number(&e.obj).to_be_bytes());
    match &e.obj {
        Obj::Str(s) => mix(d, s),
        Obj::List(l) => l.iter().for_each(|v| mix(d, v)),
        Obj::Set(s) => s.iter().for_each(|m| xor(d, m)),
        Obj::Zset(z) => {
            for (m, score) in z.iter() {
                let mut el = [0; 20];
                mix(&mut el, m);
                mix(&mut el, fmt_g17(score).as_bytes());
                xor(d, &el);
            }
        }
        Obj::Hash(h) => {
            for (k, f) in h.iter() {
                let mut el = [0; 20];
                mix(&mut el, k);
                mix(&mut el, f.value);
                xor(d, &el);
            }
        }
        Obj::Stream(s) => {
            for (id, fields) in &s.entries {
                mix(d, format!("{}.{}", id.ms, id.seq).as_bytes());
                for (f, v) in fields {
                    mix(d, f);
                    mix(d, v);
                }
            }
        }
        // Opaque: see the module documentation.
        Obj::Module(_) => {}
    }
    if e.expire_ms().is_some() {
        xor(d, b"!!expire!!");
    }
}

/// What `DEBUG DIGEST` returns in Redis 7.0 holding `ks`: every key in the keyspace
/// counts, expired or not (as in Redis, where `DEBUG DIGEST` sees keys not yet
/// reclaimed); empty collections, which Redis never holds, are left out.
pub fn dataset_digest(ks: &Keyspace) -> Digest {
    let mut out = [0; 20];
    for (n, db) in ks.dbs.iter().enumerate() {
        let mut keys = db
            .iter()
            .filter(|e| !e.obj.is_empty_collection())
            .peekable();
        if keys.peek().is_none() {
            continue;
        }
        mix(&mut out, &(n as u32).to_be_bytes());
        for e in keys {
            let mut d = [0; 20];
            mix(&mut d, e.key());
            add_value(&mut d, e);
            xor(&mut out, &d);
        }
    }
    out
}

/// The digest as Redis prints it: 40 lowercase hex digits.
pub fn hex(d: &Digest) -> String {
    use std::fmt::Write;
    d.iter().fold(String::with_capacity(40), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// `f` as C's `printf("%.17g", f)` writes it (glibc): 17 significant digits, trailing
/// zeros dropped, exponent form below 1e-4 and from 1e17.
pub fn fmt_g17(f: f64) -> String {
    if f.is_nan() {
        return if f.is_sign_negative() { "-nan" } else { "nan" }.into();
    }
    if f.is_infinite() {
        return if f < 0.0 { "-inf" } else { "inf" }.into();
    }
    // Rounded to 17 significant digits, which decides the exponent as C does.
    let e = format!("{f:.16e}");
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let x: i32 = exp.parse().unwrap_or(0);
    if (-4..17).contains(&x) {
        let prec = usize::try_from(16 - x).unwrap_or(0);
        trim_zeros(format!("{f:.prec$}"))
    } else {
        let m = trim_zeros(mant.to_string());
        format!(
            "{m}e{}{:02}",
            if x < 0 { '-' } else { '+' },
            x.unsigned_abs()
        )
    }
}

/// Drops trailing fraction zeros, and the point when nothing follows it.
fn trim_zeros(mut s: String) -> String {
    if s.contains('.') {
        let t = s.trim_end_matches('0').trim_end_matches('.').len();
        s.truncate(t);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{List, Zset};

    #[test]
    fn empty_dataset_digest_is_zeros() {
        let ks = Keyspace::default();
        assert_eq!(hex(&dataset_digest(&ks)), "0".repeat(40));
    }

    #[test]
    fn g17_matches_printf() {
        for (f, s) in [
            (0.1, "0.10000000000000001"),
            (1.0, "1"),
            (-0.0, "-0"),
            (0.0, "0"),
            (1e300, "1.0000000000000001e+300"),
            (1e17, "1e+17"),
            (1e16, "10000000000000000"),
            (0.0001, "0.0001"),
            (0.00001, "1.0000000000000001e-05"),
            (1.5, "1.5"),
            (-2.5e-7, "-2.4999999999999999e-07"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (123456789.0, "123456789"),
            (1.1, "1.1000000000000001"),
        ] {
            assert_eq!(fmt_g17(f), s, "{f:e}");
        }
    }

    /// Built by hand from debug.c's definitions.
    #[test]
    fn string_digest_by_hand() {
        let e = Entry::new(b"k", Obj::Str(b"v".as_slice().into()), None);
        let mut d = [0u8; 20];
        // mix(type 0)
        let h = sha1(&[0, 0, 0, 0]);
        d = sha1(&std::array::from_fn::<u8, 20, _>(|i| d[i] ^ h[i]));
        // mix("v")
        let h = sha1(b"v");
        d = sha1(&std::array::from_fn::<u8, 20, _>(|i| d[i] ^ h[i]));
        assert_eq!(value_digest(&e), d);

        let with_ttl = Entry::new(b"k", Obj::Str(b"v".as_slice().into()), Some(1));
        let mark = sha1(b"!!expire!!");
        let want: Digest = std::array::from_fn(|i| d[i] ^ mark[i]);
        assert_eq!(value_digest(&with_ttl), want);

        let mut ks = Keyspace::default();
        ks.db_mut(0).set(b"k", e.obj.clone(), None);
        let mut out = [0u8; 20];
        mix(&mut out, &[0, 0, 0, 0]);
        let mut kd = [0u8; 20];
        mix(&mut kd, b"k");
        mix(&mut kd, &[0, 0, 0, 0]);
        mix(&mut kd, b"v");
        xor(&mut out, &kd);
        assert_eq!(dataset_digest(&ks), out);
    }

    /// Values Redis 7.0.15 answered (`DEBUG DIGEST-VALUE`, `DEBUG DIGEST`) for the same
    /// commands.
    #[test]
    fn digests_redis_70_reported() {
        let s = |v: &[u8]| Obj::Str(v.into());
        let e = |k: &[u8], o: Obj, t: Option<i64>| hex(&value_digest(&Entry::new(k, o, t)));
        // SET k v
        assert_eq!(
            e(b"k", s(b"v"), None),
            "d79ee9fe5d5ad902d7f6620efc3b07b75ddd742f"
        );
        // SET t v PX 999999999
        assert_eq!(
            e(b"t", s(b"v"), Some(4_102_444_800_000)),
            "311b17018163335616e089f6b951c82c477335ac"
        );
        // ZADD z 0.1 a 1 b -0.0 c
        let mut z = Zset::default();
        z.insert(b"a", 0.1);
        z.insert(b"b", 1.0);
        z.insert(b"c", -0.0);
        assert_eq!(
            e(b"z", Obj::zset(z), None),
            "a3b3002c1e346be3a0d614b3dac1b2b82ef02457"
        );
        // RPUSH l a 1 b
        let mut l = List::new();
        for v in [b"a", b"1", b"b"] {
            l.push_back(v);
        }
        assert_eq!(
            e(b"l", Obj::list(l), None),
            "d5f44352f6226abea9252dad248ef5de0d964396"
        );
        // SET k v; SELECT 3; SET k3 5
        let mut ks = Keyspace::default();
        ks.db_mut(0).set(b"k", s(b"v"), None);
        assert_eq!(
            hex(&dataset_digest(&ks)),
            "264ccf65edec66bccfa7cc659414ccca432057d2"
        );
        ks.db_mut(3).set(b"k3", s(b"5"), None);
        assert_eq!(
            hex(&dataset_digest(&ks)),
            "1b422fc24a55280e12ee98eeddfddb53ad2ea10e"
        );
    }

    #[test]
    fn list_order_counts_and_zset_order_does_not() {
        let l = |v: &[&[u8]]| {
            let mut l = List::new();
            v.iter().for_each(|x| l.push_back(x));
            Entry::new(b"l", Obj::list(l), None)
        };
        assert_ne!(
            value_digest(&l(&[b"a", b"b"])),
            value_digest(&l(&[b"b", b"a"]))
        );
        let mut z = Zset::default();
        z.insert(b"a", 1.0);
        z.insert(b"b", 0.1);
        let mut el_a = [0u8; 20];
        mix(&mut el_a, b"a");
        mix(&mut el_a, b"1");
        let mut el_b = [0u8; 20];
        mix(&mut el_b, b"b");
        mix(&mut el_b, b"0.10000000000000001");
        let mut want = [0u8; 20];
        mix(&mut want, &3u32.to_be_bytes());
        xor(&mut want, &el_a);
        xor(&mut want, &el_b);
        assert_eq!(value_digest(&Entry::new(b"z", Obj::zset(z), None)), want);
    }
}

//! SORT (Redis 7.0 `sort.c`). Only SORT ... STORE writes: it stores the result as a list
//! (replacing the destination and its TTL) or deletes the destination when the result is
//! empty, and replies the number of elements stored. SORT without STORE and SORT_RO
//! reply the sorted elements (or what the GET patterns find, nil when nothing).
//!
//! The order is Redis's: numeric sorts break ties by the element's bytes, ALPHA compares
//! bytes with STORE (`compareStringObjects`) and C strings without (`strcoll`, which
//! is `strcmp` in the C locale a server runs in by default), a full sort is glibc's
//! stable merge sort and a sort with a BY pattern and a LIMIT is Redis's `pqsort`. The
//! one order the engine cannot always know is the one Redis reads a set or a sorted set
//! in (a sorted set to sort, and a set that is not an intset, in the order of the
//! server's hash table, seeded at random): a set is taken in the order of Redis 7.0's
//! intset (ascending integers) when it could be one, else in byte order, a sorted set in
//! score order. It matters for ALPHA with a BY pattern whose values tie, and for a set
//! BY nosort without STORE.

use super::super::{Ctx, ExecError, is, parse_i64};
use super::pqsort::pqsort;
use crate::engine::cmd::cfloat::{self, Parsed, Prec};
use crate::engine::{Db, Obj, Zset};

struct Item {
    obj: Vec<u8>,
    score: f64,
    cmp: Option<Vec<u8>>,
}

/// Redis's `lookupKeyByPattern`: `#` is the element itself; the first `*` is replaced
/// by the element; `key->field` reads a hash field.
fn lookup_by_pattern(db: &Db, pattern: &[u8], subst: &[u8]) -> Option<Vec<u8>> {
    // strchr/strstr see the pattern up to its first NUL byte.
    let cstr = &pattern[..pattern
        .iter()
        .position(|&b| b == 0)
        .unwrap_or(pattern.len())];
    if pattern.first() == Some(&b'#') && pattern.get(1).is_none_or(|&b| b == 0) {
        return Some(subst.to_vec());
    }
    let p = cstr.iter().position(|&b| b == b'*')?;
    let f = cstr[p + 1..]
        .windows(2)
        .position(|w| w == b"->")
        .map(|i| p + 1 + i);
    let field = match f {
        Some(f) if f + 2 < cstr.len() => Some(&pattern[f + 2..]),
        _ => None,
    };
    let postfix = pattern.len() - (p + 1) - field.map_or(0, |f| f.len() + 2);
    let mut key = pattern[..p].to_vec();
    key.extend_from_slice(subst);
    key.extend_from_slice(&pattern[p + 1..p + 1 + postfix]);
    let e = db.get(&key)?;
    match (field, &e.obj) {
        (Some(f), Obj::Hash(h)) => h.get(f).map(|hf| hf.value.to_vec()),
        (None, Obj::Str(s)) => Some(s.to_vec()),
        _ => None,
    }
}

/// `strtod` as SORT uses it: the C string (up to a NUL) must be consumed entirely
/// (leading spaces allowed, an empty string is 0) and ERANGE is an error.
fn sort_score(b: &[u8]) -> Option<f64> {
    let s = &b[..b.iter().position(|&x| x == 0).unwrap_or(b.len())];
    if s.is_empty() {
        return Some(0.0);
    }
    let start = s.iter().position(|&x| !cfloat::is_c_space(x))?;
    match cfloat::parse_erange(&s[start..], Prec::Double)? {
        (_, true) => None,
        (Parsed::Num(v), false) => Some(v.to_f64()),
        (Parsed::Inf { neg }, false) => Some(if neg {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        }),
    }
}

/// `compareStringObjects` (binary).
fn cmp_bytes(a: &[u8], b: &[u8]) -> i32 {
    match a.cmp(b) {
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    }
}

pub(super) fn sort(c: &mut Ctx<'_>, a: &[&[u8]]) -> Result<(), ExecError> {
    let readonly = c.name == "SORT_RO";
    let (mut desc, mut alpha, mut dontsort) = (false, false, false);
    let (mut limit_start, mut limit_count) = (0i64, -1i64);
    let mut store: Option<&[u8]> = None;
    let mut sortby: Option<&[u8]> = None;
    let mut gets: Vec<&[u8]> = Vec::new();
    let mut j = 2;
    while j < a.len() {
        let left = a.len() - j - 1;
        let o = a[j];
        if is(o, "ASC") {
            desc = false;
        } else if is(o, "DESC") {
            desc = true;
        } else if is(o, "ALPHA") {
            alpha = true;
        } else if is(o, "LIMIT") && left >= 2 {
            let not_int = || c.err("value is not an integer or out of range");
            limit_start = parse_i64(a[j + 1]).ok_or_else(not_int)?;
            limit_count = parse_i64(a[j + 2]).ok_or_else(not_int)?;
            j += 2;
        } else if !readonly && is(o, "STORE") && left >= 1 {
            store = Some(a[j + 1]);
            j += 1;
        } else if is(o, "BY") && left >= 1 {
            sortby = Some(a[j + 1]);
            let cpat = a[j + 1].split(|&b| b == 0).next().unwrap_or_default();
            dontsort = !cpat.contains(&b'*');
            j += 1;
        } else if is(o, "GET") && left >= 1 {
            gets.push(a[j + 1]);
            j += 1;
        } else {
            return Err(c.err("syntax error"));
        }
        j += 1;
    }
    let wrong = c.wrong_type();
    let on = c.out.is_on();
    let db = c.db();
    // Redis converts a sorted set it sorts to a skiplist, for good (`zsetConvert`).
    if let Some(Obj::Zset(z)) = db.get_mut(a[1]).map(|e| &mut e.obj)
        && z.is_listpack()
    {
        let mut big = Zset::skiplist();
        for (m, score) in z.iter() {
            big.insert(m, score);
        }
        **z = big;
    }
    let (elems, kind): (Vec<Vec<u8>>, u8) = match db.get(a[1]).map(|e| &e.obj) {
        None => (Vec::new(), b'l'),
        Some(Obj::List(l)) => (l.iter().map(<[u8]>::to_vec).collect(), b'l'),
        Some(Obj::Set(s)) => (set_order(s.iter().map(<[u8]>::to_vec).collect()), b's'),
        Some(Obj::Zset(z)) => (z.iter().map(|(m, _)| m.to_vec()).collect(), b'z'),
        Some(_) => return Err(wrong),
    };
    if store.is_none() && !on {
        return Ok(()); // a read, replayed
    }
    if dontsort && kind == b's' && store.is_some() {
        // A set has no order of its own: SORT ... STORE sorts it (ALPHA) anyway.
        dontsort = false;
        alpha = true;
        sortby = None;
    }
    let len = elems.len() as i64;
    let mut start = limit_start.max(0).min(len);
    let count = limit_count.max(-1).min(len);
    let mut end = if count < 0 {
        len - 1
    } else {
        start + count - 1
    };
    if start >= len {
        start = len - 1;
        end = len - 2;
    }
    if end >= len {
        end = len - 1;
    }
    let item = |obj: &Vec<u8>| Item {
        obj: obj.clone(),
        score: 0.0,
        cmp: None,
    };
    let mut vector: Vec<Item> = Vec::new();
    if kind != b's' && dontsort {
        // Native order (reversed by DESC), only the LIMIT range.
        if end >= start {
            let n = (end - start + 1) as usize;
            if desc {
                vector.extend(elems.iter().rev().skip(start as usize).take(n).map(item));
            } else {
                vector.extend(elems.iter().skip(start as usize).take(n).map(item));
            }
            end -= start;
            start = 0;
        }
    } else {
        vector.extend(elems.iter().map(item));
    }
    let vectorlen = vector.len() as i64;
    let mut conversion_error = false;
    if !dontsort {
        for it in &mut vector {
            let byval = match sortby {
                Some(by) => match lookup_by_pattern(db, by, &it.obj) {
                    Some(v) => v,
                    None => continue,
                },
                None => it.obj.clone(),
            };
            if alpha {
                if sortby.is_some() {
                    it.cmp = Some(byval);
                }
            } else {
                match sort_score(&byval) {
                    Some(v) => it.score = v,
                    None => conversion_error = true,
                }
            }
        }
        let bypattern = sortby.is_some();
        let text_cmp = if store.is_some() { cmp_bytes } else { cmp_c };
        let mut cmp = |x: &Item, y: &Item| -> i32 {
            let r = if !alpha {
                if x.score > y.score {
                    1
                } else if x.score < y.score {
                    -1
                } else {
                    cmp_bytes(&x.obj, &y.obj)
                }
            } else if bypattern {
                match (&x.cmp, &y.cmp) {
                    (None, None) => 0,
                    (None, Some(_)) => -1,
                    (Some(_), None) => 1,
                    (Some(p), Some(q)) => text_cmp(p, q),
                }
            } else {
                text_cmp(&x.obj, &y.obj)
            };
            if desc { -r } else { r }
        };
        if bypattern && (start != 0 || end != vectorlen - 1) {
            pqsort(&mut vector, &mut cmp, start, end);
        } else {
            // glibc's qsort is a (stable) merge sort
            vector.sort_by(|x, y| cmp(x, y).cmp(&0));
        }
    }
    if conversion_error {
        return Err(c.err("One or more scores can't be converted into double"));
    }
    let mut out: Vec<Option<Vec<u8>>> = Vec::new();
    let db = c.db();
    if end >= start {
        for it in &vector[start as usize..=end as usize] {
            if gets.is_empty() {
                out.push(Some(it.obj.clone()));
            }
            for g in &gets {
                out.push(lookup_by_pattern(db, g, &it.obj));
            }
        }
    }
    let Some(store) = store else {
        c.out.array(out.len());
        for v in &out {
            match v {
                Some(v) => c.out.bulk(v),
                None => c.out.nil(),
            }
        }
        return Ok(());
    };
    let n = out.len();
    if n == 0 {
        if db.remove(store).is_some() {
            c.changed(1);
        }
    } else {
        let list = out.into_iter().map(Option::unwrap_or_default).collect();
        db.set(store, Obj::list(list), None);
        c.changed(n as u64);
    }
    c.out.int(n as i64);
    Ok(())
}

/// A set's members in the order Redis 7.0 walks it when it is an intset (at most
/// `set-max-intset-entries`, 512, canonical integers): ascending; other sets in byte
/// order.
fn set_order(mut v: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    let ints: Option<Vec<i64>> = (v.len() <= 512)
        .then(|| v.iter().map(|m| parse_i64(m)).collect())
        .flatten();
    match ints {
        Some(mut ints) => {
            ints.sort_unstable();
            ints.iter().map(|i| i.to_string().into_bytes()).collect()
        }
        None => {
            v.sort_unstable();
            v
        }
    }
}

/// `strcmp` of the C strings (up to a NUL): `strcoll` in the C locale.
fn cmp_c(a: &[u8], b: &[u8]) -> i32 {
    let c = |s: &[u8]| s.iter().position(|&x| x == 0).map_or(s.len(), |p| p);
    cmp_bytes(&a[..c(a)], &b[..c(b)])
}

#[cfg(test)]
mod tests {
    use super::super::tests::{fails_with, list as l, with};
    use crate::engine::{Hash, Keyspace, Obj, Zset};

    fn h(f: &str, v: &str) -> Obj {
        let mut h = Hash::default();
        h.insert(f.as_bytes(), v.as_bytes(), None);
        Obj::hash(h)
    }

    fn list(ks: &Keyspace, k: &str) -> Option<Vec<String>> {
        match &ks.dbs[0].get(k.as_bytes())?.obj {
            Obj::List(l) => Some(
                l.iter()
                    .map(|e| String::from_utf8_lossy(e).into_owned())
                    .collect(),
            ),
            other => panic!("{k} is {other:?}"),
        }
    }

    #[test]
    fn numeric_alpha_desc_limit() {
        let ks = with(
            vec![("l", l(&["3", "1", "2", "10", "1.0"]))],
            &[
                "SORT l STORE d1",
                "SORT l DESC STORE d2",
                "SORT l ALPHA STORE d3",
                "SORT l LIMIT 1 2 STORE d4",
                "SORT l LIMIT 10 2 STORE d5",
                "SORT l BY nosort STORE d6",
                "SORT l BY nosort DESC LIMIT 1 2 STORE d7",
            ],
        );
        assert_eq!(list(&ks, "d1").unwrap(), ["1", "1.0", "2", "3", "10"]);
        assert_eq!(list(&ks, "d2").unwrap(), ["10", "3", "2", "1.0", "1"]);
        assert_eq!(list(&ks, "d3").unwrap(), ["1", "1.0", "10", "2", "3"]);
        assert_eq!(list(&ks, "d4").unwrap(), ["1.0", "2"]);
        assert_eq!(list(&ks, "d5"), None);
        assert_eq!(list(&ks, "d6").unwrap(), ["3", "1", "2", "10", "1.0"]);
        assert_eq!(list(&ks, "d7").unwrap(), ["10", "2"]);
    }

    #[test]
    fn by_and_get_patterns() {
        let mut z = Zset::default();
        z.insert(b"q", 1.0);
        z.insert(b"p", 2.0);
        let objs = vec![
            ("l", l(&["a", "b", "c"])),
            ("h_c", h("f", "2")),
            ("h_a", h("f", "9")),
            (
                "s",
                Obj::set(
                    ["z", "y", "x"]
                        .iter()
                        .map(|s| s.as_bytes().to_vec())
                        .collect(),
                ),
            ),
            ("z", Obj::zset(z)),
        ];
        let ks = with(
            objs,
            &[
                "SET w_a 3",
                "SET w_b 1",
                "SORT l BY w_* GET # GET h_*->f STORE d1",
                "SORT l BY h_*->f DESC STORE d2",
                "SORT l BY w_* ALPHA LIMIT 0 2 STORE d3",
                "SORT s BY nosort STORE d4",
                "SORT z BY nosort DESC STORE d5",
                "SORT z BY nosort LIMIT 1 5 STORE d6",
            ],
        );
        assert_eq!(list(&ks, "d1").unwrap(), ["c", "2", "b", "", "a", "9"]);
        assert_eq!(list(&ks, "d2").unwrap(), ["a", "c", "b"]);
        assert_eq!(list(&ks, "d3").unwrap(), ["c", "b"]);
        assert_eq!(
            list(&ks, "d4").unwrap(),
            ["x", "y", "z"],
            "a set is sorted even BY nosort"
        );
        assert_eq!(list(&ks, "d5").unwrap(), ["p", "q"]);
        match &ks.dbs[0].get(b"z".as_slice()).unwrap().obj {
            Obj::Zset(z) => assert!(!z.is_listpack(), "SORT converts a sorted set it sorts"),
            other => panic!("z is {other:?}"),
        }
        assert_eq!(list(&ks, "d6").unwrap(), ["p"]);
    }

    #[test]
    fn errors_and_read_only_forms() {
        let sort_l: &[&[u8]] = &[b"SORT", b"l", b"STORE", b"d"];
        assert!(fails_with(vec![("l", l(&["a"]))], &[], sort_l).contains("can't be converted"));
        assert!(fails_with(vec![], &["SET l a"], sort_l).contains("WRONGTYPE"));
        assert!(
            fails_with(
                vec![("l", l(&["1"]))],
                &[],
                &[b"SORT_RO", b"l", b"STORE", b"d"]
            )
            .contains("syntax")
        );
        let ks = with(
            vec![("l", l(&["2", "1"]))],
            &["SORT l", "SORT_RO l", "SET d x", "SORT missing STORE d"],
        );
        assert_eq!(
            ks.dbs[0].len(),
            1,
            "SORT without STORE writes nothing; an empty result deletes"
        );
        assert!(fails_with(vec![("l", l(&["1e400"]))], &[], sort_l).contains("can't be converted"));
        assert!(
            fails_with(vec![("l", l(&["1e-310"]))], &[], sort_l).contains("can't be converted")
        );
        let ks = with(vec![("l", l(&["2", "", " 1"]))], &["SORT l STORE d"]);
        assert_eq!(
            list(&ks, "d").unwrap(),
            ["", " 1", "2"],
            "an empty string is 0, spaces lead"
        );
    }
}

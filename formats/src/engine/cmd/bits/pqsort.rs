//! Redis's `pqsort.c`: Bentley & McIlroy's quicksort that only recurses into the parts
//! overlapping the wanted range `[lrange, rrange]`. When the comparison has ties the
//! order it leaves depends on the algorithm, so SORT ... LIMIT and GEORADIUS ... COUNT
//! must use this exact one to store what Redis stores.

/// Sorts `v` so that positions `lrange..=rrange` hold what a full sort would put there;
/// `cmp` returns a negative, zero or positive number like C's comparators.
pub(super) fn pqsort<T>(
    v: &mut [T],
    cmp: &mut impl FnMut(&T, &T) -> i32,
    lrange: i64,
    rrange: i64,
) {
    let n = v.len();
    sort(v, 0, n, cmp, lrange, rrange);
}

/// Whether the sub-array `[s, s + k)` lies entirely outside the wanted range (Redis
/// compares byte pointers, the right end pointing at the last byte of element `r`:
/// these are the same tests in elements).
fn outside(s: usize, k: usize, l: i64, r: i64) -> bool {
    let (s, k) = (s as i64, k as i64);
    (l < s && r < s) || (l >= s + k && r >= s + k)
}

fn med3<T>(v: &[T], a: usize, b: usize, c: usize, cmp: &mut impl FnMut(&T, &T) -> i32) -> usize {
    if cmp(&v[a], &v[b]) < 0 {
        if cmp(&v[b], &v[c]) < 0 {
            b
        } else if cmp(&v[a], &v[c]) < 0 {
            c
        } else {
            a
        }
    } else if cmp(&v[b], &v[c]) > 0 {
        b
    } else if cmp(&v[a], &v[c]) < 0 {
        a
    } else {
        c
    }
}

fn vecswap<T>(v: &mut [T], a: usize, b: usize, n: usize) {
    for i in 0..n {
        v.swap(a + i, b + i);
    }
}

fn sort<T>(
    v: &mut [T],
    mut a: usize,
    mut n: usize,
    cmp: &mut impl FnMut(&T, &T) -> i32,
    l: i64,
    r: i64,
) {
    loop {
        if n < 7 {
            for pm in a + 1..a + n {
                let mut pl = pm;
                while pl > a && cmp(&v[pl - 1], &v[pl]) > 0 {
                    v.swap(pl, pl - 1);
                    pl -= 1;
                }
            }
            return;
        }
        let mut pm = a + n / 2;
        if n > 7 {
            let mut pl = a;
            let mut pn = a + n - 1;
            if n > 40 {
                let d = n / 8;
                pl = med3(v, pl, pl + d, pl + 2 * d, cmp);
                pm = med3(v, pm - d, pm, pm + d, cmp);
                pn = med3(v, pn - 2 * d, pn - d, pn, cmp);
            }
            pm = med3(v, pl, pm, pn, cmp);
        }
        v.swap(a, pm);
        let (mut pa, mut pb) = (a + 1, a + 1);
        let (mut pc, mut pd) = (a + n - 1, a + n - 1);
        loop {
            while pb <= pc {
                let c = cmp(&v[pb], &v[a]);
                if c > 0 {
                    break;
                }
                if c == 0 {
                    v.swap(pa, pb);
                    pa += 1;
                }
                pb += 1;
            }
            while pb <= pc {
                let c = cmp(&v[pc], &v[a]);
                if c < 0 {
                    break;
                }
                if c == 0 {
                    v.swap(pc, pd);
                    pd -= 1;
                }
                pc -= 1;
            }
            if pb > pc {
                break;
            }
            v.swap(pb, pc);
            pb += 1;
            pc -= 1;
        }
        let pn = a + n;
        let k = (pa - a).min(pb - pa);
        vecswap(v, a, pb - k, k);
        let k = (pd - pc).min(pn - pd - 1);
        vecswap(v, pb, pn - k, k);
        let k = pb - pa;
        if k > 1 && !outside(a, k, l, r) {
            sort(v, a, k, cmp, l, r);
        }
        let k = pd - pc;
        if k > 1 {
            a = pn - k;
            n = k;
            if !outside(a, n, l, r) {
                continue;
            }
        }
        return;
    }
}

#[cfg(test)]
mod tests {
    use super::pqsort;

    #[test]
    fn the_wanted_range_is_sorted() {
        let mut x: u64 = 12345;
        for n in [0usize, 1, 5, 7, 8, 40, 41, 100, 1000] {
            let v: Vec<i64> = (0..n)
                .map(|_| {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((x >> 33) % 50) as i64
                })
                .collect();
            let mut full = v.clone();
            full.sort();
            for (lo, hi) in [
                (0i64, n as i64 - 1),
                (0, 4),
                (3, 9),
                (n as i64 / 2, n as i64 / 2 + 3),
            ] {
                let mut w = v.clone();
                pqsort(
                    &mut w,
                    &mut |a: &i64, b: &i64| (a > b) as i32 - (a < b) as i32,
                    lo,
                    hi,
                );
                for i in lo.max(0)..=hi.min(n as i64 - 1) {
                    assert_eq!(w[i as usize], full[i as usize], "n={n} range {lo}..={hi}");
                }
            }
        }
    }
}

//! The difference between two values of the same type, once their digests differ:
//! members added, removed and changed for sets, sorted sets and hashes, a minimal edit
//! script for lists, entries, counters and group state for streams.

use std::collections::{HashMap, HashSet};

use formats::rdb::read::{StreamGroup, StreamId};
use formats::rdb::value::{StreamEntry, StreamValue, Value};

use super::digest::Scope;

/// Past this many edits (after the common head and tail), a list's middle is reported
/// as one replaced run rather than searched for a shorter script.
const MAX_EDITS: usize = 1000;
/// Bound on the work of the edit search, in element comparisons.
const MAX_WORK: usize = 200_000_000;

pub struct Hunk<'a> {
    pub a_index: usize,
    pub b_index: usize,
    pub removed: Vec<&'a [u8]>,
    pub added: Vec<&'a [u8]>,
}

pub struct FieldChange<'a> {
    pub field: &'a [u8],
    pub a: &'a [u8],
    pub b: &'a [u8],
    /// The field's own TTLs, when they differ.
    pub expire: Option<(Option<i64>, Option<i64>)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    Id(StreamId),
    N(Option<u64>),
}

pub struct GroupChange<'a> {
    pub name: &'a [u8],
    pub last_id: Option<(StreamId, StreamId)>,
    pub entries_read: Option<(Option<u64>, Option<u64>)>,
    pub pel_added: Vec<StreamId>,
    pub pel_removed: Vec<StreamId>,
    /// Same id, another owner, delivery count, time or NACK state.
    pub pel_changed: Vec<StreamId>,
    pub consumers_added: Vec<&'a [u8]>,
    pub consumers_removed: Vec<&'a [u8]>,
}

#[derive(Default)]
pub struct StreamChange<'a> {
    pub added: Vec<(StreamId, StreamEntry<'a>)>,
    pub removed: Vec<(StreamId, StreamEntry<'a>)>,
    pub changed: Vec<(StreamId, StreamEntry<'a>, StreamEntry<'a>)>,
    pub meta: Vec<(&'static str, Counter, Counter)>,
    pub groups_added: Vec<&'a [u8]>,
    pub groups_removed: Vec<&'a [u8]>,
    pub groups_changed: Vec<GroupChange<'a>>,
}

pub enum ValueDiff<'a> {
    String {
        a: &'a [u8],
        b: &'a [u8],
    },
    List(Vec<Hunk<'a>>),
    Set {
        added: Vec<&'a [u8]>,
        removed: Vec<&'a [u8]>,
    },
    Zset {
        added: Vec<(&'a [u8], f64)>,
        removed: Vec<(&'a [u8], f64)>,
        changed: Vec<(&'a [u8], f64, f64)>,
    },
    Hash {
        added: Vec<(&'a [u8], &'a [u8], Option<i64>)>,
        removed: Vec<(&'a [u8], &'a [u8], Option<i64>)>,
        changed: Vec<FieldChange<'a>>,
    },
    Stream(Box<StreamChange<'a>>),
    Module {
        a: (&'a str, &'a [u8]),
        b: (&'a str, &'a [u8]),
    },
}

/// How the values `a` and `b` (of the same type) differ, within `scope`.
pub fn compare<'a>(a: &'a Value, b: &'a Value, scope: Scope) -> Option<ValueDiff<'a>> {
    Some(match (a, b) {
        (Value::String(a), Value::String(b)) => ValueDiff::String { a, b },
        (Value::List(a), Value::List(b)) => {
            let a: Vec<&[u8]> = a.iter().collect();
            let b: Vec<&[u8]> = b.iter().collect();
            ValueDiff::List(list_hunks(&a, &b))
        }
        (Value::Set(a), Value::Set(b)) => {
            let sa: HashSet<&[u8]> = a.iter().collect();
            let sb: HashSet<&[u8]> = b.iter().collect();
            let mut added: Vec<&[u8]> = b.iter().filter(|m| !sa.contains(m)).collect();
            let mut removed: Vec<&[u8]> = a.iter().filter(|m| !sb.contains(m)).collect();
            added.sort_unstable();
            removed.sort_unstable();
            ValueDiff::Set { added, removed }
        }
        (Value::Zset(a), Value::Zset(b)) => {
            let ma: HashMap<&[u8], f64> = a.members.iter().zip(a.scores.iter().copied()).collect();
            let mb: HashMap<&[u8], f64> = b.members.iter().zip(b.scores.iter().copied()).collect();
            let mut added = Vec::new();
            let mut changed = Vec::new();
            for (&m, &sb) in &mb {
                match ma.get(m) {
                    None => added.push((m, sb)),
                    Some(&sa) if sa.to_bits() != sb.to_bits() => changed.push((m, sa, sb)),
                    Some(_) => {}
                }
            }
            let mut removed: Vec<(&[u8], f64)> = ma
                .iter()
                .filter(|(m, _)| !mb.contains_key(*m))
                .map(|(&m, &s)| (m, s))
                .collect();
            added.sort_unstable_by(|x, y| x.0.cmp(y.0));
            removed.sort_unstable_by(|x, y| x.0.cmp(y.0));
            changed.sort_unstable_by(|x, y| x.0.cmp(y.0));
            ValueDiff::Zset {
                added,
                removed,
                changed,
            }
        }
        (Value::Hash(a), Value::Hash(b)) => {
            let fields = |h: &'a formats::rdb::value::HashValue| {
                h.fields
                    .iter()
                    .zip(h.values.iter())
                    .zip(h.ttls.iter().copied())
                    .map(|((f, v), t)| (f, (v, t)))
                    .collect::<HashMap<&[u8], (&[u8], Option<i64>)>>()
            };
            let (ma, mb) = (fields(a), fields(b));
            let mut added = Vec::new();
            let mut changed = Vec::new();
            for (&f, &(vb, tb)) in &mb {
                match ma.get(f) {
                    None => added.push((f, vb, tb)),
                    Some(&(va, ta)) => {
                        let ttl = scope.field_ttls && ta != tb;
                        if va != vb || ttl {
                            changed.push(FieldChange {
                                field: f,
                                a: va,
                                b: vb,
                                expire: ttl.then_some((ta, tb)),
                            });
                        }
                    }
                }
            }
            let mut removed: Vec<_> = ma
                .iter()
                .filter(|(f, _)| !mb.contains_key(*f))
                .map(|(&f, &(v, t))| (f, v, t))
                .collect();
            added.sort_unstable_by(|x, y| x.0.cmp(y.0));
            removed.sort_unstable_by(|x, y| x.0.cmp(y.0));
            changed.sort_unstable_by(|x, y| x.field.cmp(y.field));
            ValueDiff::Hash {
                added,
                removed,
                changed,
            }
        }
        (Value::Stream(a), Value::Stream(b)) => ValueDiff::Stream(Box::new(streams(a, b, scope))),
        (Value::Module(a), Value::Module(b)) => ValueDiff::Module {
            a: (&a.name, &a.raw),
            b: (&b.name, &b.raw),
        },
        _ => return None,
    })
}

fn streams<'a>(a: &'a StreamValue, b: &'a StreamValue, scope: Scope) -> StreamChange<'a> {
    let mut d = StreamChange::default();
    let mut ea = a.entries().peekable();
    let mut eb = b.entries().peekable();
    loop {
        match (ea.peek(), eb.peek()) {
            (None, None) => break,
            (Some(_), None) => d.removed.extend(ea.next()),
            (None, Some(_)) => d.added.extend(eb.next()),
            (Some((ia, _)), Some((ib, _))) => {
                if ia < ib {
                    d.removed.extend(ea.next());
                } else if ib < ia {
                    d.added.extend(eb.next());
                } else if let (Some((id, x)), Some((_, y))) = (ea.next(), eb.next())
                    && !x.pairs().eq(y.pairs())
                {
                    d.changed.push((id, x, y));
                }
            }
        }
    }
    let (ma, mb) = (&a.meta, &b.meta);
    if ma.last_id != mb.last_id {
        d.meta
            .push(("last_id", Counter::Id(ma.last_id), Counter::Id(mb.last_id)));
    }
    if scope.stream_counters {
        if ma.entries_added != mb.entries_added {
            d.meta.push((
                "entries_added",
                Counter::N(Some(ma.entries_added)),
                Counter::N(Some(mb.entries_added)),
            ));
        }
        if ma.max_deleted_id != mb.max_deleted_id {
            d.meta.push((
                "max_deleted_id",
                Counter::Id(ma.max_deleted_id),
                Counter::Id(mb.max_deleted_id),
            ));
        }
    }
    let ga: HashMap<&[u8], &StreamGroup> = a.groups.iter().map(|g| (&g.name[..], g)).collect();
    let gb: HashMap<&[u8], &StreamGroup> = b.groups.iter().map(|g| (&g.name[..], g)).collect();
    d.groups_removed = ga
        .keys()
        .filter(|n| !gb.contains_key(*n))
        .copied()
        .collect();
    d.groups_added = gb
        .keys()
        .filter(|n| !ga.contains_key(*n))
        .copied()
        .collect();
    d.groups_removed.sort_unstable();
    d.groups_added.sort_unstable();
    for (name, x) in &ga {
        if let Some(y) = gb.get(name)
            && let Some(c) = group(x, y, scope)
        {
            d.groups_changed.push(c);
        }
    }
    d.groups_changed.sort_unstable_by(|x, y| x.name.cmp(y.name));
    d
}

fn group<'a>(a: &'a StreamGroup, b: &'a StreamGroup, scope: Scope) -> Option<GroupChange<'a>> {
    let owner = |g: &'a StreamGroup, c: Option<usize>| -> Option<&'a [u8]> {
        c.and_then(|i| g.consumers.get(i)).map(|c| &c.name[..])
    };
    let pa: HashMap<StreamId, _> = a.pel.iter().map(|p| (p.id, p)).collect();
    let pb: HashMap<StreamId, _> = b.pel.iter().map(|p| (p.id, p)).collect();
    let mut c = GroupChange {
        name: &a.name,
        last_id: (a.last_id != b.last_id).then_some((a.last_id, b.last_id)),
        entries_read: match (a.entries_read, b.entries_read) {
            (Some(x), Some(y)) if scope.stream_counters && x != y => Some((Some(x), Some(y))),
            _ => None,
        },
        pel_added: pb
            .keys()
            .filter(|id| !pa.contains_key(*id))
            .copied()
            .collect(),
        pel_removed: pa
            .keys()
            .filter(|id| !pb.contains_key(*id))
            .copied()
            .collect(),
        pel_changed: Vec::new(),
        consumers_added: Vec::new(),
        consumers_removed: Vec::new(),
    };
    for (id, x) in &pa {
        if let Some(y) = pb.get(id)
            && (x.delivery_time_ms != y.delivery_time_ms
                || x.delivery_count != y.delivery_count
                || x.nacked != y.nacked
                || owner(a, x.consumer) != owner(b, y.consumer))
        {
            c.pel_changed.push(*id);
        }
    }
    let ca: HashSet<&[u8]> = a.consumers.iter().map(|c| &c.name[..]).collect();
    let cb: HashSet<&[u8]> = b.consumers.iter().map(|c| &c.name[..]).collect();
    c.consumers_added = cb.difference(&ca).copied().collect();
    c.consumers_removed = ca.difference(&cb).copied().collect();
    c.pel_added.sort_unstable();
    c.pel_removed.sort_unstable();
    c.pel_changed.sort_unstable();
    c.consumers_added.sort_unstable();
    c.consumers_removed.sort_unstable();
    let same = c.last_id.is_none()
        && c.entries_read.is_none()
        && c.pel_added.is_empty()
        && c.pel_removed.is_empty()
        && c.pel_changed.is_empty()
        && c.consumers_added.is_empty()
        && c.consumers_removed.is_empty();
    (!same).then_some(c)
}

/// A short edit script from `a` to `b`: the common head and tail are skipped, the middle
/// searched with Myers' algorithm (as `diff` does) up to [`MAX_EDITS`] edits; beyond
/// that, the middle is one replaced run.
pub fn list_hunks<'a>(a: &[&'a [u8]], b: &[&'a [u8]]) -> Vec<Hunk<'a>> {
    let head = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (ra, rb) = (&a[head..], &b[head..]);
    let tail = ra
        .iter()
        .rev()
        .zip(rb.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ma, mb) = (&ra[..ra.len() - tail], &rb[..rb.len() - tail]);
    if ma.is_empty() && mb.is_empty() {
        return Vec::new();
    }
    let max_edits = MAX_EDITS
        .min(MAX_WORK / (ma.len() + mb.len()).max(1))
        .max(1);
    let ops = myers(ma, mb, max_edits).unwrap_or_else(|| {
        let mut ops = vec![Op::Del; ma.len()];
        ops.extend(std::iter::repeat_n(Op::Ins, mb.len()));
        ops
    });
    // Group the runs of deletions and insertions between equal elements.
    let mut hunks: Vec<Hunk<'a>> = Vec::new();
    let (mut x, mut y) = (0usize, 0usize);
    let mut open = false;
    for op in ops {
        match op {
            Op::Eq => {
                x += 1;
                y += 1;
                open = false;
            }
            Op::Del | Op::Ins => {
                if !open {
                    hunks.push(Hunk {
                        a_index: head + x,
                        b_index: head + y,
                        removed: Vec::new(),
                        added: Vec::new(),
                    });
                    open = true;
                }
                if let Some(h) = hunks.last_mut() {
                    if op == Op::Del {
                        h.removed.extend(ma.get(x).copied());
                        x += 1;
                    } else {
                        h.added.extend(mb.get(y).copied());
                        y += 1;
                    }
                }
            }
        }
    }
    hunks
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Op {
    Eq,
    Del,
    Ins,
}

/// Myers' O(ND) shortest edit script, or `None` past `max_d` edits. Keeps the furthest
/// reaching x of each diagonal after every step (O(D²) memory) to walk back.
fn myers(a: &[&[u8]], b: &[&[u8]], max_d: usize) -> Option<Vec<Op>> {
    let (n, m) = (a.len() as i64, b.len() as i64);
    let max_d = max_d.min(a.len() + b.len()) as i64;
    let off = max_d + 1;
    let mut v = vec![0i64; (2 * off + 1) as usize];
    let at = |k: i64| (k + off) as usize;
    // trace[d] holds v[-d-1..=d+1] as it was before step d.
    let mut trace: Vec<Vec<i64>> = Vec::new();
    let mut found = None;
    'search: for d in 0..=max_d {
        trace.push(v[at(-d - 1)..=at(d + 1)].to_vec());
        let mut k = -d;
        while k <= d {
            let down = k == -d || (k != d && v[at(k - 1)] < v[at(k + 1)]);
            let mut x = if down { v[at(k + 1)] } else { v[at(k - 1)] + 1 };
            let mut y = x - k;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
            }
            v[at(k)] = x;
            if x >= n && y >= m {
                found = Some(d);
                break 'search;
            }
            k += 2;
        }
    }
    let dmax = found?;
    let mut ops = Vec::with_capacity((n + m) as usize);
    let (mut x, mut y) = (n, m);
    for d in (0..=dmax).rev() {
        let saved = &trace[d as usize];
        let get = |k: i64| saved[(k + d + 1) as usize];
        let k = x - y;
        let down = k == -d || (k != d && get(k - 1) < get(k + 1));
        let pk = if down { k + 1 } else { k - 1 };
        let px = if d == 0 { 0 } else { get(pk) };
        let py = if d == 0 { 0 } else { px - pk };
        while x > px && y > py {
            ops.push(Op::Eq);
            x -= 1;
            y -= 1;
        }
        if d > 0 {
            ops.push(if down { Op::Ins } else { Op::Del });
        }
        x = px;
        y = py;
    }
    ops.reverse();
    Some(ops)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(a: &[&[u8]], hunks: &[Hunk<'_>]) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let mut i = 0;
        for h in hunks {
            out.extend(a[i..h.a_index].iter().map(|e| e.to_vec()));
            out.extend(h.added.iter().map(|e| e.to_vec()));
            for (j, r) in h.removed.iter().enumerate() {
                assert_eq!(a[h.a_index + j], *r);
            }
            i = h.a_index + h.removed.len();
        }
        out.extend(a[i..].iter().map(|e| e.to_vec()));
        out
    }

    fn words(s: &str) -> Vec<&[u8]> {
        s.split(' ')
            .filter(|w| !w.is_empty())
            .map(str::as_bytes)
            .collect()
    }

    #[test]
    fn list_edits_are_minimal_and_rebuild_b() {
        let cases = [
            ("1 2 3", "2 3 4", 2),
            ("a b c a b b a", "c b a b a c", 5),
            ("", "x y", 2),
            ("x y", "", 2),
            ("a b c d e", "a b X d e", 2),
            ("q", "q", 0),
            ("a b c", "c b a", 4),
        ];
        for (a, b, edits) in cases {
            let (a, b) = (words(a), words(b));
            let hunks = list_hunks(&a, &b);
            let n: usize = hunks.iter().map(|h| h.removed.len() + h.added.len()).sum();
            assert_eq!(n, edits, "{a:?} -> {b:?}");
            let rebuilt = apply(&a, &hunks);
            assert_eq!(rebuilt, b.iter().map(|e| e.to_vec()).collect::<Vec<_>>());
        }
    }

    #[test]
    fn a_queue_that_moved_on_is_a_pop_and_a_push() {
        let a = words("1 2 3 4 5");
        let b = words("3 4 5 6");
        let h = list_hunks(&a, &b);
        assert_eq!(h.len(), 2);
        assert_eq!(
            (h[0].a_index, h[0].removed.len(), h[0].added.len()),
            (0, 2, 0)
        );
        assert_eq!((h[1].b_index, &h[1].added[..]), (3, &[&b"6"[..]][..]));
    }

    #[test]
    fn past_the_edit_bound_the_middle_is_one_run() {
        let a: Vec<Vec<u8>> = (0..3000u32).map(|i| i.to_string().into_bytes()).collect();
        let b: Vec<Vec<u8>> = (0..3000u32)
            .map(|i| (i * 7 + 1).to_string().into_bytes())
            .collect();
        let a: Vec<&[u8]> = a.iter().map(|v| &v[..]).collect();
        let b: Vec<&[u8]> = b.iter().map(|v| &v[..]).collect();
        let h = list_hunks(&a, &b);
        let rebuilt = apply(&a, &h);
        assert_eq!(rebuilt, b.iter().map(|e| e.to_vec()).collect::<Vec<_>>());
    }
}

//! Sorted sets, held the way Redis 7.0 holds them.
//!
//! - Small (Redis's listpack, while a set has at most [`LISTPACK_ENTRIES`] members of at
//!   most [`LISTPACK_VALUE`] bytes): one [`Pack`] of member, score, member, score... in
//!   order by (score, member). A score is packed as an integer of 0 to 7 bytes when it is
//!   integral (as a listpack stores it) and as the 8 bytes of the double otherwise, so a
//!   small set costs a few bytes per member.
//! - Big (Redis's skiplist + dict): a hash table member -> score and a B-tree of
//!   (score, member). A member is inline up to 22 bytes (in both), else one shared
//!   allocation (as Redis shares one sds between its dict and skiplist).
//!
//! The encoding changes where Redis changes it: [`Zset::insert`] (`zsetAdd`) turns a
//! small set into a big one when a new member would not fit, and only
//! [`Zset::convert_to_listpack_if_needed`] (what Z*STORE and the GEO stores call)
//! turns a big one back. The encoding shows in the sign of zero scores: a listpack
//! stores an integral score as an integer, so `-0` inserted into a small set reads
//! back as `0`, while a big set keeps `-0`.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::collections::{BTreeSet, btree_set};
use std::sync::Arc;

use hashbrown::HashTable;

use super::Bytes;
use super::pack::Pack;
use super::table::hash;
use crate::rdb::value::ZsetValue;

/// Redis's default `zset-max-listpack-entries`.
pub const LISTPACK_ENTRIES: usize = 128;
/// Redis's default `zset-max-listpack-value`.
pub const LISTPACK_VALUE: usize = 64;

/// A score with a total order (NaN never stored: Redis refuses NaN scores).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score(pub f64);

impl Eq for Score {}

impl PartialOrd for Score {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Score {
    fn cmp(&self, other: &Self) -> Ordering {
        // -0 and 0 are the same score in Redis.
        (self.0 + 0.0).total_cmp(&(other.0 + 0.0))
    }
}

// ------------------------------------------------------------------ small form

/// The packed form of a score: an integral score of magnitude below 2^55 (not `-0`)
/// as a little-endian two's complement integer of 0 to 7 bytes, anything else as the
/// 8 bytes of the double.
#[derive(Clone, Copy)]
struct Enc {
    buf: [u8; 8],
    len: u8,
}

impl Enc {
    fn bytes(&self) -> &[u8] {
        self.buf.get(..usize::from(self.len)).unwrap_or_default()
    }
}

fn enc_score(s: f64) -> Enc {
    const LIMIT: f64 = (1u64 << 55) as f64;
    if s.trunc() == s && s.abs() < LIMIT && !(s == 0.0 && s.is_sign_negative()) {
        let i = s as i64;
        if i == 0 {
            return Enc {
                buf: [0; 8],
                len: 0,
            };
        }
        let mut n = 1;
        while n < 7 && (i << (64 - 8 * n)) >> (64 - 8 * n) != i {
            n += 1;
        }
        return Enc {
            buf: i.to_le_bytes(),
            len: n as u8,
        };
    }
    Enc {
        buf: s.to_le_bytes(),
        len: 8,
    }
}

fn dec_score(b: &[u8]) -> f64 {
    let mut a = [0u8; 8];
    for (d, s) in a.iter_mut().zip(b) {
        *d = *s;
    }
    match b.len() {
        8 => f64::from_le_bytes(a),
        n @ 1..8 => {
            let shift = 64 - 8 * n as u32;
            ((i64::from_le_bytes(a) << shift) >> shift) as f64
        }
        _ => 0.0,
    }
}

/// A score as a listpack stores it (`zzlInsertAt`): an integral score becomes an
/// integer, which turns `-0` into `0`.
fn lp_score(s: f64) -> f64 {
    if s == 0.0 { 0.0 } else { s }
}

/// One member of a pack: where its member item starts, its end (after the score),
/// the member and the score.
struct Slot<'a> {
    off: usize,
    end: usize,
    member: &'a [u8],
    score: f64,
}

fn slot_at(p: &Pack, off: usize) -> Option<Slot<'_>> {
    let (member, mid) = p.get_at(off)?;
    let (s, end) = p.get_at(mid)?;
    Some(Slot {
        off,
        end,
        member,
        score: dec_score(s),
    })
}

/// The slots of a pack, first to last.
fn slots(p: &Pack) -> impl Iterator<Item = Slot<'_>> {
    let mut off = 0;
    std::iter::from_fn(move || {
        let s = slot_at(p, off)?;
        off = s.end;
        Some(s)
    })
}

fn pack_find<'a>(p: &'a Pack, member: &[u8]) -> Option<Slot<'a>> {
    slots(p).find(|s| s.member == member)
}

/// (score, member) against (score, member), in Redis's order.
fn cmp_entry(s1: f64, m1: &[u8], s2: f64, m2: &[u8]) -> Ordering {
    Score(s1).cmp(&Score(s2)).then_with(|| m1.cmp(m2))
}

/// Inserts a member known to be absent at its place (`zzlInsert`), the score as given.
fn pack_insert(p: &mut Pack, member: &[u8], score: f64) {
    let at = slots(p)
        .find(|s| cmp_entry(s.score, s.member, score, member).is_gt())
        .map_or(p.bytes(), |s| s.off);
    p.insert_at(at, &[member, enc_score(score).bytes()]);
}

/// A pack of `items`, which are in order and distinct.
fn pack_of<'a>(items: impl Iterator<Item = (&'a [u8], f64)>, lp: bool) -> Pack {
    let items: Vec<(&[u8], Enc)> = items
        .map(|(m, s)| (m, enc_score(if lp { lp_score(s) } else { s })))
        .collect();
    let mut flat: Vec<&[u8]> = Vec::with_capacity(items.len() * 2);
    for (m, enc) in &items {
        flat.push(m);
        flat.push(enc.bytes());
    }
    let mut p = Pack::new();
    p.push(&flat);
    p
}

// ------------------------------------------------------------------ big form

/// A member of the big form: inline up to [`bytes::INLINE`](super::bytes::INLINE)
/// bytes, else one allocation shared by the hash table and the B-tree.
#[derive(Clone)]
enum Member {
    Inline(Bytes),
    Shared(Arc<[u8]>),
}

impl Member {
    fn new(m: &[u8]) -> Member {
        if m.len() <= super::bytes::INLINE {
            Member::Inline(Bytes::from(m))
        } else {
            Member::Shared(Arc::from(m))
        }
    }

    fn as_slice(&self) -> &[u8] {
        match self {
            Member::Inline(b) => b.as_slice(),
            Member::Shared(a) => a,
        }
    }

    /// The shared allocation: the bytes and two reference counts.
    fn heap_size(&self) -> usize {
        match self {
            Member::Inline(_) => 0,
            Member::Shared(a) => a.len() + 2 * std::mem::size_of::<usize>(),
        }
    }
}

impl std::ops::Deref for Member {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl PartialEq<[u8]> for Member {
    fn eq(&self, o: &[u8]) -> bool {
        self.as_slice() == o
    }
}

impl std::fmt::Debug for Member {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", crate::error::KeyPreview::new(self.as_slice()))
    }
}

/// An element of the big form's order.
#[derive(Debug, Clone)]
struct Node {
    score: Score,
    member: Member,
}

/// A (score, member) to look up in the order without building a [`Node`].
trait Key {
    fn key(&self) -> (Score, &[u8]);
}

impl Key for Node {
    fn key(&self) -> (Score, &[u8]) {
        (self.score, self.member.as_slice())
    }
}

impl Key for (Score, &[u8]) {
    fn key(&self) -> (Score, &[u8]) {
        (self.0, self.1)
    }
}

impl<'a> Borrow<dyn Key + 'a> for Node {
    fn borrow(&self) -> &(dyn Key + 'a) {
        self
    }
}

impl PartialEq for dyn Key + '_ {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o).is_eq()
    }
}

impl Eq for dyn Key + '_ {}

impl PartialOrd for dyn Key + '_ {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

impl Ord for dyn Key + '_ {
    fn cmp(&self, o: &Self) -> Ordering {
        self.key().cmp(&o.key())
    }
}

impl PartialEq for Node {
    fn eq(&self, o: &Node) -> bool {
        self.key() == o.key()
    }
}

impl Eq for Node {}

impl PartialOrd for Node {
    fn partial_cmp(&self, o: &Node) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

impl Ord for Node {
    fn cmp(&self, o: &Node) -> Ordering {
        self.key().cmp(&o.key())
    }
}

#[derive(Clone, Default)]
struct Big {
    scores: HashTable<(Member, f64)>,
    order: BTreeSet<Node>,
}

fn rehash(e: &(Member, f64)) -> u64 {
    hash(&e.0)
}

impl Big {
    fn score(&self, member: &[u8]) -> Option<f64> {
        self.scores
            .find(hash(member), |e| e.0 == *member)
            .map(|e| e.1)
    }

    /// Adds a member or updates its score (`zsetAdd` on a skiplist: a score that
    /// compares equal is left as it is). Whether it was new.
    fn insert(&mut self, member: &[u8], score: f64) -> bool {
        let h = hash(member);
        if let Some(e) = self.scores.find_mut(h, |e| e.0 == *member) {
            if e.1 != score {
                self.order.remove(&(Score(e.1), member) as &dyn Key);
                self.order.insert(Node {
                    score: Score(score),
                    member: e.0.clone(),
                });
                e.1 = score;
            }
            return false;
        }
        let m = Member::new(member);
        self.order.insert(Node {
            score: Score(score),
            member: m.clone(),
        });
        self.scores.insert_unique(h, (m, score), rehash);
        true
    }

    fn remove(&mut self, member: &[u8]) -> Option<f64> {
        let e = self
            .scores
            .find_entry(hash(member), |e| e.0 == *member)
            .ok()?;
        let ((_, s), _) = e.remove();
        self.order.remove(&(Score(s), member) as &dyn Key);
        self.shrink();
        Some(s)
    }

    /// Gives back table space after removals (as Redis's dict shrinks).
    fn shrink(&mut self) {
        let (len, cap) = (self.scores.len(), self.scores.capacity());
        if cap > 64 && len * 8 < cap {
            self.scores.shrink_to(len * 2, rehash);
        }
    }

    fn heap_size(&self) -> usize {
        // A B-tree leaf holds up to 11 elements and is about 2/3 full after random
        // inserts: about 1.5 slots per element, plus the internal nodes' edges.
        let nodes = self.order.len() * std::mem::size_of::<Node>() * 3 / 2;
        let edges = self.order.len() / 7 * 8;
        let members: usize = self
            .scores
            .iter()
            .map(|(m, _)| m.heap_size())
            .sum::<usize>();
        std::mem::size_of::<Big>() + self.scores.allocation_size() + nodes + edges + members
    }
}

// ------------------------------------------------------------------ the set

#[derive(Clone)]
enum Repr {
    Pack(Pack),
    Big(Box<Big>),
}

/// A sorted set (see the module documentation).
#[derive(Clone)]
pub struct Zset(Repr);

impl Default for Zset {
    /// An empty set held as a listpack (`createZsetListpackObject`).
    fn default() -> Self {
        Zset::new()
    }
}

impl Zset {
    /// An empty set held as a listpack (`createZsetListpackObject`).
    pub const fn new() -> Zset {
        Zset(Repr::Pack(Pack::new()))
    }

    /// An empty set held as a skiplist (`createZsetObject`).
    pub fn skiplist() -> Zset {
        Zset(Repr::Big(Box::default()))
    }

    /// Whether Redis holds this set as a listpack (else as a skiplist).
    pub fn is_listpack(&self) -> bool {
        matches!(self.0, Repr::Pack(_))
    }

    pub fn len(&self) -> usize {
        match &self.0 {
            Repr::Pack(p) => slots(p).count(),
            Repr::Big(b) => b.scores.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        match &self.0 {
            Repr::Pack(p) => p.is_empty(),
            Repr::Big(b) => b.scores.is_empty(),
        }
    }

    pub fn score(&self, member: &[u8]) -> Option<f64> {
        match &self.0 {
            Repr::Pack(p) => pack_find(p, member).map(|s| s.score),
            Repr::Big(b) => b.score(member),
        }
    }

    /// Adds a member or sets its score as `zsetAdd` does without flags: a new member
    /// that would not fit a listpack turns it into a skiplist first; a listpack stores
    /// `-0` as `0`; a score that compares equal to the current one (`0` and `-0`) is
    /// left as it is. Whether the member was new.
    pub fn insert(&mut self, member: &[u8], score: f64) -> bool {
        if let Repr::Pack(p) = &mut self.0 {
            let mut n = 0;
            let mut found = None;
            for s in slots(p) {
                n += 1;
                if s.member == member {
                    found = Some((s.off, s.end, s.score));
                    break;
                }
            }
            if let Some((off, end, cur)) = found {
                if cur != score {
                    p.remove_range(off, end);
                    pack_insert(p, member, lp_score(score));
                }
                return false;
            }
            if n < LISTPACK_ENTRIES && member.len() <= LISTPACK_VALUE {
                pack_insert(p, member, lp_score(score));
                return true;
            }
            self.convert_to_skiplist();
        }
        match &mut self.0 {
            Repr::Big(b) => b.insert(member, score),
            Repr::Pack(_) => false,
        }
    }

    pub fn remove(&mut self, member: &[u8]) -> Option<f64> {
        match &mut self.0 {
            Repr::Pack(p) => {
                let (off, end, s) = pack_find(p, member).map(|s| (s.off, s.end, s.score))?;
                p.remove_range(off, end);
                Some(s)
            }
            Repr::Big(b) => b.remove(member),
        }
    }

    /// Removes `count` members from rank `start` on (ranks from 0, by score).
    pub fn remove_ranks(&mut self, start: usize, count: usize) {
        if count == 0 {
            return;
        }
        match &mut self.0 {
            Repr::Pack(p) => {
                let mut it = slots(p).skip(start);
                let Some(first) = it.next() else {
                    return;
                };
                let from = first.off;
                let to = it.take(count - 1).last().map_or(first.end, |s| s.end);
                p.remove_range(from, to);
            }
            Repr::Big(b) => {
                let len = b.order.len();
                let count = count.min(len.saturating_sub(start));
                let gone: Vec<Node> = if start == 0 {
                    (0..count).filter_map(|_| b.order.pop_first()).collect()
                } else if start + count == len {
                    (0..count).filter_map(|_| b.order.pop_last()).collect()
                } else {
                    let v: Vec<Node> = b.order.iter().skip(start).take(count).cloned().collect();
                    for n in &v {
                        b.order.remove(n);
                    }
                    v
                };
                for n in gone {
                    if let Ok(e) = b
                        .scores
                        .find_entry(hash(&n.member), |e| e.0.as_slice() == n.member.as_slice())
                    {
                        e.remove();
                    }
                }
                b.shrink();
            }
        }
    }

    /// The members by score, lowest first: (member, score).
    pub fn iter(&self) -> Iter<'_> {
        Iter(match &self.0 {
            Repr::Pack(p) => IterRepr::Pack { pack: p, off: 0 },
            Repr::Big(b) => IterRepr::Big(b.order.iter()),
        })
    }

    /// The members by score, highest first.
    pub fn iter_rev(&self) -> RevIter<'_> {
        RevIter(match &self.0 {
            Repr::Pack(p) => {
                let v: Vec<(&[u8], f64)> = slots(p).map(|s| (s.member, s.score)).collect();
                RevRepr::Pack(v.into_iter().rev())
            }
            Repr::Big(b) => RevRepr::Big(b.order.iter().rev()),
        })
    }

    /// The members from the first whose score is at least `min` (`-0` and `0` alike).
    pub fn iter_from(&self, min: f64) -> Iter<'_> {
        Iter(match &self.0 {
            Repr::Pack(p) => IterRepr::Pack {
                pack: p,
                off: slots(p)
                    .find(|s| Score(s.score) >= Score(min))
                    .map_or(p.bytes(), |s| s.off),
            },
            Repr::Big(b) => {
                let lo: (Score, &[u8]) = (Score(min), &[]);
                IterRepr::BigFrom(b.order.range::<dyn Key, _>((
                    std::ops::Bound::Included(&lo as &dyn Key),
                    std::ops::Bound::Unbounded,
                )))
            }
        })
    }

    /// The member with the lowest score.
    pub fn first(&self) -> Option<(&[u8], f64)> {
        self.iter().next()
    }

    /// The member with the highest score.
    pub fn last(&self) -> Option<(&[u8], f64)> {
        match &self.0 {
            Repr::Pack(p) => slots(p).last().map(|s| (s.member, s.score)),
            Repr::Big(b) => b.order.last().map(|n| (n.member.as_slice(), n.score.0)),
        }
    }

    /// Turns a listpack into a skiplist (`zsetConvert`), scores kept as they are.
    fn convert_to_skiplist(&mut self) {
        if let Repr::Pack(p) = &self.0 {
            let mut b = Big::default();
            b.scores.reserve(slots(p).count(), rehash);
            for s in slots(p) {
                b.insert(s.member, s.score);
            }
            self.0 = Repr::Big(Box::new(b));
        }
    }

    /// `zsetConvertToListpackIfNeeded`: a skiplist that fits a listpack becomes one
    /// (its integral scores stored as integers: `-0` becomes `0`).
    pub fn convert_to_listpack_if_needed(&mut self) {
        if let Repr::Big(b) = &self.0
            && b.order.len() <= LISTPACK_ENTRIES
            && b.order.iter().all(|n| n.member.len() <= LISTPACK_VALUE)
        {
            let p = pack_of(
                b.order.iter().map(|n| (n.member.as_slice(), n.score.0)),
                true,
            );
            self.0 = Repr::Pack(p);
        }
    }

    /// Heap bytes held.
    pub fn heap_size(&self) -> usize {
        match &self.0 {
            Repr::Pack(p) => p.heap_size(),
            Repr::Big(b) => b.heap_size(),
        }
    }

    /// The members into a record's value, by score.
    pub fn fill(&self, v: &mut ZsetValue) {
        for (m, s) in self.iter() {
            v.push(m, s);
        }
    }

    /// A record's value as Redis loads it: a listpack when it fits (at most 128 members
    /// of at most 64 bytes), else a skiplist; scores kept bit for bit (a listpack
    /// written by Redis 6 can hold `-0`). A member given twice keeps its first score
    /// in (score, member) order.
    pub fn from_value(z: &ZsetValue) -> Zset {
        let n = z.len();
        let fits =
            n <= LISTPACK_ENTRIES && (0..n).all(|i| z.members.get(i).len() <= LISTPACK_VALUE);
        let pairs = || {
            z.ascending()
                .into_iter()
                .filter_map(|i| Some((z.members.get(i), *z.scores.get(i)?)))
        };
        if fits {
            let mut seen: Vec<&[u8]> = Vec::with_capacity(n);
            let items: Vec<(&[u8], f64)> = pairs()
                .filter(|(m, _)| {
                    let dup = seen.contains(m);
                    if !dup {
                        seen.push(m);
                    }
                    !dup
                })
                .collect();
            return Zset(Repr::Pack(pack_of(items.into_iter(), false)));
        }
        let mut b = Big::default();
        b.scores.reserve(n, rehash);
        for (m, s) in pairs() {
            if b.score(m).is_none() {
                b.insert(m, s);
            }
        }
        Zset(Repr::Big(Box::new(b)))
    }
}

impl<'a> FromIterator<(&'a [u8], f64)> for Zset {
    /// Members added one by one as ZADD adds them to a new key.
    fn from_iter<I: IntoIterator<Item = (&'a [u8], f64)>>(it: I) -> Zset {
        let mut z = Zset::new();
        for (m, s) in it {
            z.insert(m, s);
        }
        z
    }
}

impl PartialEq for Zset {
    /// The same members with the same scores (bit for bit), whatever the encodings.
    fn eq(&self, o: &Zset) -> bool {
        self.len() == o.len()
            && self
                .iter()
                .zip(o.iter())
                .all(|(a, b)| a.0 == b.0 && a.1.to_bits() == b.1.to_bits())
    }
}

impl std::fmt::Debug for Zset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.is_listpack() {
            "Zset(listpack) "
        } else {
            "Zset(skiplist) "
        })?;
        f.debug_list()
            .entries(
                self.iter()
                    .map(|(m, s)| (crate::error::KeyPreview::new(m), s)),
            )
            .finish()
    }
}

/// Members of a [`Zset`] by score, lowest first.
pub struct Iter<'a>(IterRepr<'a>);

enum IterRepr<'a> {
    Pack { pack: &'a Pack, off: usize },
    Big(btree_set::Iter<'a, Node>),
    BigFrom(btree_set::Range<'a, Node>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a [u8], f64);

    fn next(&mut self) -> Option<(&'a [u8], f64)> {
        match &mut self.0 {
            IterRepr::Pack { pack, off } => {
                let s = slot_at(pack, *off)?;
                *off = s.end;
                Some((s.member, s.score))
            }
            IterRepr::Big(it) => it.next().map(|n| (n.member.as_slice(), n.score.0)),
            IterRepr::BigFrom(it) => it.next().map(|n| (n.member.as_slice(), n.score.0)),
        }
    }
}

/// Members of a [`Zset`] by score, highest first.
pub struct RevIter<'a>(RevRepr<'a>);

enum RevRepr<'a> {
    Pack(std::iter::Rev<std::vec::IntoIter<(&'a [u8], f64)>>),
    Big(std::iter::Rev<btree_set::Iter<'a, Node>>),
}

impl<'a> Iterator for RevIter<'a> {
    type Item = (&'a [u8], f64);

    fn next(&mut self) -> Option<(&'a [u8], f64)> {
        match &mut self.0 {
            RevRepr::Pack(it) => it.next(),
            RevRepr::Big(it) => it.next().map(|n| (n.member.as_slice(), n.score.0)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(z: &Zset) -> Vec<(Vec<u8>, u64)> {
        z.iter().map(|(m, s)| (m.to_vec(), s.to_bits())).collect()
    }

    /// Both forms agree with a model and with each other.
    fn check(z: &Zset) {
        let fwd = items(z);
        let mut rev: Vec<(Vec<u8>, u64)> = z
            .iter_rev()
            .map(|(m, s)| (m.to_vec(), s.to_bits()))
            .collect();
        rev.reverse();
        assert_eq!(fwd, rev);
        assert_eq!(fwd.len(), z.len());
        assert_eq!(z.is_empty(), fwd.is_empty());
        for w in fwd.windows(2) {
            let (a, b) = (&w[0], &w[1]);
            assert!(
                cmp_entry(f64::from_bits(a.1), &a.0, f64::from_bits(b.1), &b.0).is_lt(),
                "{w:?}"
            );
        }
        for (m, s) in &fwd {
            assert_eq!(z.score(m).map(f64::to_bits), Some(*s));
        }
        if let Repr::Big(b) = &z.0 {
            assert_eq!(b.order.len(), b.scores.len());
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(std::mem::size_of::<Member>(), 24);
        assert_eq!(std::mem::size_of::<Node>(), 32);
        assert_eq!(std::mem::size_of::<Zset>(), 24);
        let long = [7u8; 40];
        let mut z = Zset::skiplist();
        z.insert(&long, 1.0);
        z.insert(b"short", 2.0);
        if let Repr::Big(b) = &z.0 {
            let n = b.order.first().unwrap();
            let Member::Shared(a) = &n.member else {
                panic!("shared")
            };
            assert_eq!(Arc::strong_count(a), 2, "one allocation for both");
        }
    }

    #[test]
    fn scores_pack_small_and_exact() {
        for s in [
            0.0,
            -0.0,
            1.0,
            -1.0,
            127.0,
            128.0,
            -128.0,
            -129.0,
            1000.0,
            0.5,
            -2.25,
            1e300,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MIN_POSITIVE,
            5e-324,
            (1u64 << 55) as f64,
            -((1u64 << 55) as f64),
            ((1u64 << 55) - 1) as f64,
            -(((1u64 << 55) - 1) as f64),
            9_007_199_254_740_993.0,
        ] {
            assert_eq!(
                dec_score(enc_score(s).bytes()).to_bits(),
                s.to_bits(),
                "{s}"
            );
        }
        assert_eq!(enc_score(0.0).len, 0);
        assert_eq!(enc_score(100.0).len, 1);
        assert_eq!(enc_score(-128.0).len, 1);
        assert_eq!(enc_score(1000.0).len, 2);
        assert_eq!(enc_score(-0.0).len, 8);
        assert_eq!(enc_score(0.5).len, 8);
    }

    #[test]
    fn listpack_until_it_does_not_fit() {
        let mut z = Zset::new();
        for i in 0..128 {
            assert!(z.insert(format!("m{i:03}").as_bytes(), f64::from(i % 7)));
            assert!(z.is_listpack());
        }
        check(&z);
        assert!(!z.insert(b"m005", 3.5));
        assert!(z.is_listpack());
        assert!(z.insert(b"m128", -0.0));
        assert!(!z.is_listpack(), "the 129th member converts");
        check(&z);
        assert!(z.score(b"m128").unwrap().is_sign_negative());
        // Shrinking does not convert back.
        z.remove_ranks(29, 100);
        assert_eq!(z.len(), 29);
        assert!(!z.is_listpack());
        check(&z);
        z.convert_to_listpack_if_needed();
        assert!(z.is_listpack());
        check(&z);
        assert!(
            z.score(b"m128").unwrap().is_sign_positive(),
            "-0 packed as 0"
        );

        let mut z = Zset::new();
        z.insert(b"a", -0.0);
        assert!(z.score(b"a").unwrap().is_sign_positive());
        z.insert(&[b'x'; 65], -0.0);
        assert!(!z.is_listpack());
        assert!(z.score(&[b'x'; 65]).unwrap().is_sign_negative());
        z.insert(b"b", -0.0);
        assert!(z.score(b"b").unwrap().is_sign_negative());
        z.insert(b"b", 0.0);
        assert!(z.score(b"b").unwrap().is_sign_negative(), "equal: kept");
        check(&z);
        z.convert_to_listpack_if_needed();
        assert!(!z.is_listpack(), "a long member stays a skiplist");
    }

    #[test]
    fn both_forms_do_the_same() {
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut small = Zset::new();
        let mut big = Zset::skiplist();
        for _ in 0..3000 {
            let r = next();
            let m = format!("m{}", r % 40);
            let s = ((r >> 8) % 9) as f64 - 4.0;
            match (r >> 20) % 5 {
                0 => {
                    assert_eq!(small.remove(m.as_bytes()), big.remove(m.as_bytes()));
                }
                1 => {
                    let (st, n) = (((r >> 24) % 12) as usize, ((r >> 30) % 5) as usize);
                    small.remove_ranks(st, n);
                    big.remove_ranks(st, n);
                }
                _ => {
                    assert_eq!(small.insert(m.as_bytes(), s), big.insert(m.as_bytes(), s));
                }
            }
            assert!(small.is_listpack() && !big.is_listpack());
            assert_eq!(items(&small), items(&big));
            let from = ((r >> 40) % 9) as f64 - 4.5;
            let a: Vec<_> = small.iter_from(from).collect();
            let b: Vec<_> = big.iter_from(from).collect();
            assert_eq!(a, b);
            assert_eq!(small.first(), big.first());
            assert_eq!(small.last(), big.last());
        }
        check(&small);
        check(&big);
        assert_eq!(small, big);
    }

    #[test]
    fn from_value_and_back() {
        let mut v = ZsetValue::default();
        v.push(b"b", 2.0);
        v.push(b"a", -0.0);
        v.push(b"c", 0.5);
        v.push(b"a", 7.0);
        let z = Zset::from_value(&v);
        assert!(z.is_listpack());
        check(&z);
        assert!(z.score(b"a").unwrap().is_sign_negative(), "kept as given");
        let mut back = ZsetValue::default();
        z.fill(&mut back);
        assert_eq!(back.len(), 3);
        let mut v = ZsetValue::default();
        for i in 0..200 {
            v.push(format!("m{i}").as_bytes(), f64::from(i));
        }
        let z = Zset::from_value(&v);
        assert!(!z.is_listpack());
        check(&z);
        assert_eq!(z.len(), 200);
        assert!(z.heap_size() > 200 * 32);
    }
}

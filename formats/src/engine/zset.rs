//! Sorted sets.

use std::collections::{BTreeSet, HashMap};

use crate::rdb::value::ZsetValue;

/// A score with a total order (NaN never stored: Redis refuses NaN scores).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score(pub f64);

impl Eq for Score {}

impl PartialOrd for Score {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Score {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        // -0 and 0 are the same score in Redis.
        (self.0 + 0.0).total_cmp(&(other.0 + 0.0))
    }
}

/// A sorted set: member -> score, and (score, member) in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Zset {
    pub scores: HashMap<Vec<u8>, f64>,
    pub order: BTreeSet<(Score, Vec<u8>)>,
}

impl Zset {
    pub fn len(&self) -> usize {
        self.scores.len()
    }

    pub fn is_empty(&self) -> bool {
        self.scores.is_empty()
    }

    /// Adds or updates a member; returns whether it was new.
    pub fn insert(&mut self, member: &[u8], score: f64) -> bool {
        match self.scores.get_mut(member) {
            Some(old) => {
                if old.to_bits() != score.to_bits() {
                    self.order.remove(&(Score(*old), member.to_vec()));
                    self.order.insert((Score(score), member.to_vec()));
                    *old = score;
                }
                false
            }
            None => {
                self.scores.insert(member.to_vec(), score);
                self.order.insert((Score(score), member.to_vec()));
                true
            }
        }
    }

    pub fn remove(&mut self, member: &[u8]) -> Option<f64> {
        let s = self.scores.remove(member)?;
        self.order.remove(&(Score(s), member.to_vec()));
        Some(s)
    }

    pub fn score(&self, member: &[u8]) -> Option<f64> {
        self.scores.get(member).copied()
    }
}

impl Zset {
    /// Heap bytes held (estimate).
    pub fn heap_size(&self) -> usize {
        self.scores
            .keys()
            .map(|m| 2 * m.capacity() + 96)
            .sum::<usize>()
    }

    /// The members into a record's value, by score.
    pub fn fill(&self, v: &mut ZsetValue) {
        for (s, m) in &self.order {
            v.push(m, s.0);
        }
    }

    pub fn from_value(z: &ZsetValue) -> Zset {
        let mut out = Zset::default();
        for (m, &s) in z.members.iter().zip(&z.scores) {
            out.insert(m, s);
        }
        out
    }
}

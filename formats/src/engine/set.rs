//! Sets.

use std::collections::HashSet;

use crate::rdb::value::Strings;

/// A set (to become compact).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Set(pub HashSet<Vec<u8>>);

impl std::ops::Deref for Set {
    type Target = HashSet<Vec<u8>>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for Set {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl FromIterator<Vec<u8>> for Set {
    fn from_iter<I: IntoIterator<Item = Vec<u8>>>(it: I) -> Set {
        Set(it.into_iter().collect())
    }
}

impl Set {
    pub fn new() -> Set {
        Set::default()
    }

    /// Heap bytes held.
    pub fn heap_size(&self) -> usize {
        self.0.capacity() * 25 + self.0.iter().map(Vec::capacity).sum::<usize>()
    }

    /// The members into a record's value, in byte order.
    pub fn fill(&self, v: &mut Strings) {
        let mut m: Vec<&Vec<u8>> = self.0.iter().collect();
        m.sort_unstable();
        m.into_iter().for_each(|e| v.push(e));
    }

    pub fn from_value(s: &Strings) -> Set {
        s.iter().map(<[u8]>::to_vec).collect()
    }
}

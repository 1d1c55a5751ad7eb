//! Lists.

use std::collections::VecDeque;

use crate::rdb::value::Strings;

/// A list (to become compact).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct List(pub VecDeque<Vec<u8>>);

impl std::ops::Deref for List {
    type Target = VecDeque<Vec<u8>>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for List {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl FromIterator<Vec<u8>> for List {
    fn from_iter<I: IntoIterator<Item = Vec<u8>>>(it: I) -> List {
        List(it.into_iter().collect())
    }
}

impl List {
    pub fn new() -> List {
        List::default()
    }

    /// Heap bytes held.
    pub fn heap_size(&self) -> usize {
        self.0.capacity() * 24 + self.0.iter().map(Vec::capacity).sum::<usize>()
    }

    /// The elements into a record's value.
    pub fn fill(&self, v: &mut Strings) {
        self.0.iter().for_each(|e| v.push(e));
    }

    pub fn from_value(l: &Strings) -> List {
        l.iter().map(<[u8]>::to_vec).collect()
    }
}

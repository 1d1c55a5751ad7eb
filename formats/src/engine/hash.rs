//! Hashes.

use crate::rdb::value::HashValue;

/// A hash field: value and its own absolute expiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashField {
    pub value: Vec<u8>,
    pub expire_ms: Option<i64>,
}

/// A hash. Field order is kept as inserted (what listpack-encoded hashes show).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hash {
    pub fields: indexed::IndexMap,
}

impl Hash {
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Heap bytes held (estimate).
    pub fn heap_size(&self) -> usize {
        self.fields
            .iter()
            .map(|(k, v)| 2 * k.len() + v.value.capacity() + 120)
            .sum::<usize>()
    }

    /// The fields into a record's value.
    pub fn fill(&self, v: &mut HashValue) {
        for (f, hf) in self.fields.iter() {
            v.push(f, &hf.value, hf.expire_ms);
        }
    }

    pub fn from_value(h: &HashValue) -> Hash {
        let mut out = Hash::default();
        for ((f, v), &t) in h.fields.iter().zip(h.values.iter()).zip(&h.ttls) {
            out.fields.insert(
                f,
                HashField {
                    value: v.to_vec(),
                    expire_ms: t,
                },
            );
        }
        out
    }
}

/// An insertion-ordered map of byte strings to hash fields (fields keep the order they
/// were added in; removal keeps the order of the others).
pub mod indexed {
    use std::collections::HashMap;

    use super::HashField;

    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct IndexMap {
        index: HashMap<Vec<u8>, usize>,
        items: Vec<(Vec<u8>, HashField)>,
    }

    impl IndexMap {
        pub fn len(&self) -> usize {
            self.items.len()
        }

        pub fn is_empty(&self) -> bool {
            self.items.is_empty()
        }

        pub fn get(&self, k: &[u8]) -> Option<&HashField> {
            self.index
                .get(k)
                .and_then(|&i| self.items.get(i))
                .map(|(_, v)| v)
        }

        pub fn get_mut(&mut self, k: &[u8]) -> Option<&mut HashField> {
            match self.index.get(k) {
                Some(&i) => self.items.get_mut(i).map(|(_, v)| v),
                None => None,
            }
        }

        /// Inserts or replaces; returns whether the field was new.
        pub fn insert(&mut self, k: &[u8], v: HashField) -> bool {
            match self.index.get(k) {
                Some(&i) => {
                    if let Some(slot) = self.items.get_mut(i) {
                        slot.1 = v;
                    }
                    false
                }
                None => {
                    self.index.insert(k.to_vec(), self.items.len());
                    self.items.push((k.to_vec(), v));
                    true
                }
            }
        }

        /// Removes a field, keeping the order of the others.
        pub fn remove(&mut self, k: &[u8]) -> Option<HashField> {
            let i = self.index.remove(k)?;
            if i >= self.items.len() {
                return None;
            }
            let (_, v) = self.items.remove(i);
            for slot in self.index.values_mut() {
                if *slot > i {
                    *slot -= 1;
                }
            }
            Some(v)
        }

        pub fn iter(&self) -> impl Iterator<Item = (&[u8], &HashField)> + '_ {
            self.items.iter().map(|(k, v)| (k.as_slice(), v))
        }

        pub fn iter_mut(&mut self) -> impl Iterator<Item = (&[u8], &mut HashField)> + '_ {
            self.items.iter_mut().map(|(k, v)| (k.as_slice(), v))
        }

        pub fn retain(&mut self, mut keep: impl FnMut(&[u8], &HashField) -> bool) {
            self.items.retain(|(k, v)| keep(k, v));
            self.index = self
                .items
                .iter()
                .enumerate()
                .map(|(i, (k, _))| (k.clone(), i))
                .collect();
        }
    }
}

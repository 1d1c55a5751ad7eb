//! Property test over the encoding matrix: random datasets, each key written in a
//! randomly chosen encoding (hashtable and compact forms, LZF-compressed blobs,
//! quicklist v1/v2 with PLAIN and PACKED nodes, field-expiry layouts), read back equal.

use std::collections::BTreeMap;

use formats::lzf::Compressor;
use formats::rdb::encodings::{intset, listpack, ziplist, zipmap};
use formats::rdb::read::{KeyInfo, Visitor};
use formats::rdb::testing::RdbBytes;
use formats::rdb::{Reader, TypeId};
use proptest::prelude::*;

#[derive(Debug, Clone, PartialEq)]
enum Value {
    Str(Vec<u8>),
    List(Vec<Vec<u8>>),
    Set(Vec<Vec<u8>>),
    /// Members unique, scores finite.
    Zset(Vec<(Vec<u8>, f64)>),
    /// Fields unique, optional field expiry.
    Hash(Vec<(Vec<u8>, Vec<u8>, Option<i64>)>),
}

/// Appends an RDB string: raw, or LZF-compressed when `lzf` and it compresses.
fn string(mut b: RdbBytes, s: &[u8], lzf: bool) -> RdbBytes {
    if lzf && s.len() > 4 {
        let mut out = vec![0u8; s.len() - 4];
        if let Some(n) = Compressor::new().compress(s, &mut out) {
            b = b
                .byte(0xc3)
                .len(n as u64)
                .len(s.len() as u64)
                .raw(&out[..n]);
            return b;
        }
    }
    b.str(s)
}

fn ints(v: &[Vec<u8>]) -> Option<Vec<i64>> {
    v.iter().map(|x| intset::write::can_hold(x)).collect()
}

/// Writes one key in the encoding picked by `how`; returns the value as read back
/// should look (sets and hashes in file order).
fn write_key(mut b: RdbBytes, key: &[u8], v: &Value, how: u8, lzf: bool) -> RdbBytes {
    match v {
        Value::Str(s) => string(b.key(TypeId::String, key), s, lzf),
        Value::List(items) => match how % 4 {
            0 => {
                b = b.key(TypeId::List, key).len(items.len() as u64);
                for i in items {
                    b = string(b, i, lzf);
                }
                b
            }
            1 => {
                let mut z = ziplist::write::Writer::new();
                items.iter().for_each(|i| z.push_bytes(i));
                string(b.key(TypeId::ListZiplist, key), &z.finish(), lzf)
            }
            2 => {
                // quicklist v1: ziplist nodes of up to 3 elements
                let chunks: Vec<_> = items.chunks(3).collect();
                b = b.key(TypeId::ListQuicklist, key).len(chunks.len() as u64);
                for c in chunks {
                    let mut z = ziplist::write::Writer::new();
                    c.iter().for_each(|i| z.push_bytes(i));
                    b = string(b, &z.finish(), lzf);
                }
                b
            }
            _ => {
                // quicklist v2: long elements as PLAIN nodes, the rest PACKED in pairs
                let mut nodes: Vec<(u64, Vec<u8>)> = Vec::new();
                let mut pending: Vec<&Vec<u8>> = Vec::new();
                let flush = |pending: &mut Vec<&Vec<u8>>, nodes: &mut Vec<(u64, Vec<u8>)>| {
                    if !pending.is_empty() {
                        let mut l = listpack::write::Writer::new();
                        pending.iter().for_each(|i| l.push_bytes(i));
                        nodes.push((2, l.finish()));
                        pending.clear();
                    }
                };
                for i in items {
                    if i.len() > 20 {
                        flush(&mut pending, &mut nodes);
                        nodes.push((1, i.clone()));
                    } else {
                        pending.push(i);
                        if pending.len() == 2 {
                            flush(&mut pending, &mut nodes);
                        }
                    }
                }
                flush(&mut pending, &mut nodes);
                b = b.key(TypeId::ListQuicklist2, key).len(nodes.len() as u64);
                for (c, n) in nodes {
                    b = string(b.len(c), &n, lzf);
                }
                b
            }
        },
        Value::Set(m) => match (how % 3, ints(m)) {
            (0, Some(iv)) if !iv.is_empty() => {
                let mut w = intset::write::Writer::new();
                iv.iter().for_each(|&x| {
                    w.push(x);
                });
                string(b.key(TypeId::SetIntset, key), &w.finish(), lzf)
            }
            (1, _) => {
                let mut l = listpack::write::Writer::new();
                m.iter().for_each(|i| l.push_bytes(i));
                string(b.key(TypeId::SetListpack, key), &l.finish(), lzf)
            }
            _ => {
                b = b.key(TypeId::Set, key).len(m.len() as u64);
                for i in m {
                    b = string(b, i, lzf);
                }
                b
            }
        },
        Value::Zset(m) => {
            let text = |s: f64| format!("{s:?}").into_bytes();
            match how % 4 {
                0 => {
                    b = b.key(TypeId::Zset2, key).len(m.len() as u64);
                    for (mem, s) in m {
                        b = string(b, mem, lzf).raw(&s.to_le_bytes());
                    }
                    b
                }
                1 => {
                    b = b.key(TypeId::Zset, key).len(m.len() as u64);
                    for (mem, s) in m {
                        let t = text(*s);
                        b = string(b, mem, lzf).byte(t.len() as u8).raw(&t);
                    }
                    b
                }
                2 => {
                    let mut z = ziplist::write::Writer::new();
                    for (mem, s) in m {
                        z.push_bytes(mem);
                        z.push_bytes(&text(*s));
                    }
                    string(b.key(TypeId::ZsetZiplist, key), &z.finish(), lzf)
                }
                _ => {
                    let mut l = listpack::write::Writer::new();
                    for (mem, s) in m {
                        l.push_bytes(mem);
                        l.push_bytes(&text(*s));
                    }
                    string(b.key(TypeId::ZsetListpack, key), &l.finish(), lzf)
                }
            }
        }
        Value::Hash(f) => {
            let has_ttl = f.iter().any(|x| x.2.is_some());
            match (how % 4, has_ttl) {
                (0, false) => {
                    let mut z = zipmap::write::Writer::new();
                    f.iter().for_each(|(k, v, _)| z.push(k, v));
                    string(b.key(TypeId::HashZipmap, key), &z.finish(), lzf)
                }
                (1, false) => {
                    let mut z = ziplist::write::Writer::new();
                    f.iter().for_each(|(k, v, _)| {
                        z.push_bytes(k);
                        z.push_bytes(v);
                    });
                    string(b.key(TypeId::HashZiplist, key), &z.finish(), lzf)
                }
                (2, false) => {
                    let mut l = listpack::write::Writer::new();
                    f.iter().for_each(|(k, v, _)| {
                        l.push_bytes(k);
                        l.push_bytes(v);
                    });
                    string(b.key(TypeId::HashListpack, key), &l.finish(), lzf)
                }
                (_, false) => {
                    b = b.key(TypeId::Hash, key).len(f.len() as u64);
                    for (k, v, _) in f {
                        b = string(string(b, k, lzf), v, lzf);
                    }
                    b
                }
                (n, true) if n % 2 == 0 => {
                    // HASH_METADATA: ttl relative to the smallest, +1; 0 = none
                    let min = f.iter().filter_map(|x| x.2).min().unwrap_or(0);
                    b = b
                        .key(TypeId::HashMetadata, key)
                        .raw(&min.to_le_bytes())
                        .len(f.len() as u64);
                    for (k, v, t) in f {
                        let rel = t.map_or(0, |t| (t - min + 1) as u64);
                        b = string(string(b.len(rel), k, lzf), v, lzf);
                    }
                    b
                }
                _ => {
                    // HASH_LISTPACK_EX: fields with a TTL first, ascending, then the rest
                    let mut order: Vec<_> = f.iter().collect();
                    order.sort_by_key(|x| (x.2.is_none(), x.2));
                    let min = f.iter().filter_map(|x| x.2).min().unwrap_or(0);
                    let mut l = listpack::write::Writer::new();
                    for (k, v, t) in &order {
                        l.push_bytes(k);
                        l.push_bytes(v);
                        l.push_int(t.unwrap_or(0));
                    }
                    string(
                        b.key(TypeId::HashListpackEx, key).raw(&min.to_le_bytes()),
                        &l.finish(),
                        lzf,
                    )
                }
            }
        }
    }
}

#[derive(Default)]
struct Read {
    keys: BTreeMap<Vec<u8>, Value>,
    cur: Option<(Vec<u8>, Value)>,
}

impl Visitor for Read {
    fn begin_key(&mut self, k: &KeyInfo<'_>) -> formats::Result<()> {
        use formats::rdb::DataType::*;
        let v = match k.data_type {
            String => Value::Str(Vec::new()),
            List => Value::List(Vec::new()),
            Set => Value::Set(Vec::new()),
            Zset => Value::Zset(Vec::new()),
            _ => Value::Hash(Vec::new()),
        };
        self.cur = Some((k.key.to_vec(), v));
        Ok(())
    }
    fn string(&mut self, s: &[u8]) -> formats::Result<()> {
        if let Some((_, Value::Str(x))) = &mut self.cur {
            *x = s.to_vec();
        }
        Ok(())
    }
    fn list_element(&mut self, e: &[u8]) -> formats::Result<()> {
        if let Some((_, Value::List(x))) = &mut self.cur {
            x.push(e.to_vec());
        }
        Ok(())
    }
    fn set_member(&mut self, e: &[u8]) -> formats::Result<()> {
        if let Some((_, Value::Set(x))) = &mut self.cur {
            x.push(e.to_vec());
        }
        Ok(())
    }
    fn zset_member(&mut self, m: &[u8], s: f64) -> formats::Result<()> {
        if let Some((_, Value::Zset(x))) = &mut self.cur {
            x.push((m.to_vec(), s));
        }
        Ok(())
    }
    fn hash_field(&mut self, f: &[u8], v: &[u8], e: Option<i64>) -> formats::Result<()> {
        if let Some((_, Value::Hash(x))) = &mut self.cur {
            x.push((f.to_vec(), v.to_vec(), e));
        }
        Ok(())
    }
    fn end_key(&mut self) -> formats::Result<()> {
        if let Some((k, v)) = self.cur.take() {
            self.keys.insert(k, v);
        }
        Ok(())
    }
}

/// Sorted for comparison (sets and hashes are unordered, zsets by member).
fn canon(v: &Value) -> Value {
    match v.clone() {
        Value::Set(mut m) => {
            m.sort();
            Value::Set(m)
        }
        Value::Zset(mut m) => {
            m.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Zset(m)
        }
        Value::Hash(mut f) => {
            f.sort();
            Value::Hash(f)
        }
        other => other,
    }
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..40),
        (any::<i64>()).prop_map(|i| i.to_string().into_bytes()),
        (0u8..13).prop_map(|i| i.to_string().into_bytes()),
        Just(b"007".to_vec()),
        proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'b')], 20..90),
    ]
}

fn unique(v: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    let mut seen = std::collections::BTreeSet::new();
    v.into_iter().filter(|x| seen.insert(x.clone())).collect()
}

fn value() -> impl Strategy<Value = Value> {
    let ttl = prop_oneof![Just(None), (1i64..(1 << 40)).prop_map(Some)];
    prop_oneof![
        bytes().prop_map(Value::Str),
        proptest::collection::vec(bytes(), 1..12).prop_map(Value::List),
        proptest::collection::vec(bytes(), 1..12).prop_map(|v| Value::Set(unique(v))),
        proptest::collection::vec((bytes(), -1e9f64..1e9), 1..10).prop_map(|v| {
            let mut seen = std::collections::BTreeSet::new();
            let mut m: Vec<_> = v.into_iter().filter(|x| seen.insert(x.0.clone())).collect();
            // compact forms keep (score, member) order
            m.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
            Value::Zset(m)
        }),
        proptest::collection::vec((bytes(), bytes(), ttl), 1..10).prop_map(|v| {
            let mut seen = std::collections::BTreeSet::new();
            Value::Hash(v.into_iter().filter(|x| seen.insert(x.0.clone())).collect())
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn every_encoding_reads_back(keys in proptest::collection::vec((value(), any::<u8>(), any::<bool>()), 1..12)) {
        let mut b = RdbBytes::new("REDIS0012").select(0);
        let mut want = BTreeMap::new();
        for (i, (v, how, lzf)) in keys.iter().enumerate() {
            let key = format!("key:{i}").into_bytes();
            b = write_key(b, &key, v, *how, *lzf);
            want.insert(key, canon(v));
        }
        let bytes = b.finish();
        let mut r = Read::default();
        Reader::new(&bytes[..]).run(&mut r).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let got: BTreeMap<_, _> = r.keys.iter().map(|(k, v)| (k.clone(), canon(v))).collect();
        prop_assert_eq!(got, want);
    }
}

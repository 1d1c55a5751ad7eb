//! The key filters shared by every command that reads keys (contract.md).

use std::os::unix::ffi::OsStrExt;

use anyhow::{Context as _, Result, bail};
use formats::glob::Pattern;
use formats::rdb::DataType;
use formats::rdb::read::KeyInfo;

use crate::cli::{Expired, FilterArgs};

pub struct Filter {
    dbs: Vec<u64>,
    glob: Option<Pattern>,
    regex: Option<regex::bytes::Regex>,
    types: Vec<DataType>,
    exclude_expired: bool,
    now_ms: i64,
}

impl Filter {
    pub fn new(a: &FilterArgs) -> Result<Self> {
        let mut types = Vec::new();
        for t in &a.types {
            match DataType::from_name(t) {
                Some(dt) => types.push(dt),
                None => bail!(
                    "unknown type {t:?} (one of: string, list, set, zset, hash, stream, module)"
                ),
            }
        }
        let regex = match &a.key_regex {
            Some(re) => Some(
                regex::bytes::Regex::new(re)
                    .with_context(|| format!("invalid --key-regex {re:?}"))?,
            ),
            None => None,
        };
        Ok(Filter {
            dbs: a.dbs.clone(),
            glob: a.key.as_ref().map(|g| Pattern::new(g.as_bytes())),
            regex,
            types,
            exclude_expired: a.expired == Expired::Exclude,
            now_ms: now_ms(),
        })
    }

    /// Whether any filter is set (some keys may be left out).
    pub fn is_active(&self) -> bool {
        !self.dbs.is_empty()
            || self.glob.is_some()
            || self.regex.is_some()
            || !self.types.is_empty()
            || self.exclude_expired
    }

    pub fn accepts(&self, k: &KeyInfo<'_>) -> bool {
        (self.dbs.is_empty() || self.dbs.contains(&k.db))
            && (self.types.is_empty() || self.types.contains(&k.data_type))
            && !(self.exclude_expired && k.expire_ms.is_some_and(|e| e <= self.now_ms))
            && self.glob.as_ref().is_none_or(|g| g.matches(k.key))
            && self.regex.as_ref().is_none_or(|r| r.is_match(k.key))
    }
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

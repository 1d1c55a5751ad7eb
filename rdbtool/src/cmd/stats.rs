//! A visitor that counts what an RDB holds and collects problems; `verify` and `info`
//! both report from it.

use std::collections::BTreeMap;

use formats::cli::progress::Progress;
use formats::rdb::read::{ChecksumStatus, FunctionPreGa, KeyInfo, ModuleData, Visitor};
use formats::rdb::{Flavor, TypeId, Version};
use formats::{Error, ErrorKind};

use super::lzfcheck::{LzfChecker, Owner};

#[derive(Default, Clone, Copy)]
pub struct DbStats {
    pub keys: u64,
    pub expires: u64,
    pub expired: u64,
    pub resize_hint: Option<(u64, u64)>,
}

pub struct ModuleAuxInfo {
    pub name: String,
    pub module_id: u64,
    pub when: Option<u64>,
    pub bytes: usize,
}

pub struct Stats {
    pub version: Option<Version>,
    pub aux: Vec<(Vec<u8>, Vec<u8>)>,
    /// Function libraries: (name, engine, code length).
    pub functions: Vec<(String, String, usize)>,
    pub module_aux: Vec<ModuleAuxInfo>,
    pub slot_infos: u64,
    pub dbs: BTreeMap<u64, DbStats>,
    /// Keys by RDB type byte (cheap per key; see [`Stats::by_encoding`]).
    by_type_id: [u64; 256],
    pub modules: BTreeMap<String, u64>,
    pub keys: u64,
    pub expires: u64,
    pub expired: u64,
    pub with_idle: u64,
    pub with_freq: u64,
    pub key_meta: u64,
    pub checksum: Option<ChecksumStatus>,
    pub errors: Vec<Error>,
    /// Go on past damaged keys (verify --all).
    pub keep_going: bool,
    pub progress: Progress,
    now_ms: i64,
    cur: Option<(u64, bool, bool)>,
    /// `verify`: compressed string values checked on a second thread.
    lzf: Option<LzfChecker>,
    /// The current key, kept only while `lzf` is on (for its error reports).
    cur_key: Vec<u8>,
}

impl Stats {
    pub fn new(keep_going: bool, progress: Progress) -> Self {
        Stats {
            version: None,
            aux: Vec::new(),
            functions: Vec::new(),
            module_aux: Vec::new(),
            slot_infos: 0,
            dbs: BTreeMap::new(),
            by_type_id: [0; 256],
            modules: BTreeMap::new(),
            keys: 0,
            expires: 0,
            expired: 0,
            with_idle: 0,
            with_freq: 0,
            key_meta: 0,
            checksum: None,
            errors: Vec::new(),
            keep_going,
            progress,
            now_ms: crate::filter::now_ms(),
            cur: None,
            lzf: None,
            cur_key: Vec::new(),
        }
    }

    /// Checks compressed string values on a second thread (see [`LzfChecker`]).
    pub fn check_lzf_in_parallel(&mut self) {
        self.lzf = Some(LzfChecker::new());
    }

    /// Collects the second thread's findings: each one is a damaged key that was
    /// counted as intact, so the counts are corrected. Errors end up in file order.
    pub fn finish_lzf(&mut self) {
        let Some(c) = self.lzf.take() else { return };
        for f in c.finish() {
            self.keys = self.keys.saturating_sub(1);
            self.expires = self.expires.saturating_sub(u64::from(f.owner.expires));
            self.expired = self.expired.saturating_sub(u64::from(f.owner.expired));
            if let Some(d) = self.dbs.get_mut(&f.owner.db) {
                d.keys = d.keys.saturating_sub(1);
                d.expires = d.expires.saturating_sub(u64::from(f.owner.expires));
                d.expired = d.expired.saturating_sub(u64::from(f.owner.expired));
            }
            self.errors.push(f.err);
        }
        self.errors.sort_by_key(|e| e.offset.unwrap_or(u64::MAX));
        if !self.keep_going {
            self.errors.truncate(1);
        }
    }

    pub fn aux_value(&self, key: &str) -> Option<String> {
        self.aux
            .iter()
            .find(|(k, _)| k == key.as_bytes())
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
    }

    /// `redis-ver 7.0.15` / `valkey-ver 8.1.1`, if the file says.
    pub fn writer(&self) -> Option<String> {
        for k in ["valkey-ver", "redis-ver"] {
            if let Some(v) = self.aux_value(k) {
                return Some(format!("{k} {v}"));
            }
        }
        None
    }

    /// (type, encoding) -> keys.
    pub fn by_encoding(&self) -> BTreeMap<(&'static str, &'static str), u64> {
        let mut m = BTreeMap::new();
        for (b, &n) in self.by_type_id.iter().enumerate() {
            if let (Ok(t), true) = (TypeId::try_from(b as u8), n > 0) {
                *m.entry((t.data_type().name(), t.encoding_name()))
                    .or_default() += n;
            }
        }
        m
    }

    /// Whether everything read was intact.
    pub fn ok(&self) -> bool {
        self.errors.is_empty()
            && !matches!(self.checksum, Some(ChecksumStatus::Mismatch { .. }) | None)
    }

    /// Records a fatal error that ended the read.
    pub fn fatal(&mut self, e: Error) {
        self.errors.push(e);
    }
}

/// `name=` from a library's `#!<engine> name=<lib>` first line, and the engine.
pub fn library_name(code: &[u8]) -> (String, String) {
    let first = code.split(|&b| b == b'\n').next().unwrap_or_default();
    let text = String::from_utf8_lossy(first);
    let mut tokens = text.split_whitespace();
    let engine = tokens
        .next()
        .unwrap_or("")
        .trim_start_matches("#!")
        .to_string();
    let name = tokens
        .find_map(|t| {
            let (k, v) = t.split_once('=')?;
            k.eq_ignore_ascii_case("name").then(|| v.to_string())
        })
        .unwrap_or_default();
    (name, engine)
}

impl Visitor for Stats {
    fn header(&mut self, version: Version) -> formats::Result<()> {
        self.version = Some(version);
        Ok(())
    }
    fn aux(&mut self, key: &[u8], value: &[u8]) -> formats::Result<()> {
        self.aux.push((key.to_vec(), value.to_vec()));
        Ok(())
    }
    fn module_aux(&mut self, m: &ModuleData<'_>) -> formats::Result<()> {
        self.module_aux.push(ModuleAuxInfo {
            name: m.name.to_string(),
            module_id: m.module_id,
            when: m.when,
            bytes: m.raw.len(),
        });
        Ok(())
    }
    fn function(&mut self, code: &[u8]) -> formats::Result<()> {
        let (name, engine) = library_name(code);
        self.functions.push((name, engine, code.len()));
        Ok(())
    }
    fn function_pre_ga(&mut self, f: &FunctionPreGa<'_>) -> formats::Result<()> {
        self.functions.push((
            String::from_utf8_lossy(f.name).into_owned(),
            String::from_utf8_lossy(f.engine).into_owned(),
            f.code.len(),
        ));
        Ok(())
    }
    fn select_db(&mut self, db: u64) -> formats::Result<()> {
        self.dbs.entry(db).or_default();
        Ok(())
    }
    fn resize_db(&mut self, a: u64, b: u64) -> formats::Result<()> {
        if let Some(d) = self.dbs.values_mut().next_back() {
            d.resize_hint = Some((a, b));
        }
        Ok(())
    }
    fn slot_info(&mut self, _: u64, _: u64, _: u64) -> formats::Result<()> {
        self.slot_infos += 1;
        Ok(())
    }
    fn wants_string_values(&self) -> bool {
        false
    }
    fn compressed_string(&mut self, data: &[u8], ulen: usize, at: u64) -> formats::Result<bool> {
        let (Some(c), Some((db, expires, expired))) = (&mut self.lzf, self.cur) else {
            return Ok(false);
        };
        Ok(c.push(
            data,
            ulen,
            at,
            &self.cur_key,
            Owner {
                db,
                expires,
                expired,
            },
        ))
    }
    fn begin_key(&mut self, k: &KeyInfo<'_>) -> formats::Result<()> {
        self.progress.set(k.offset);
        let expired = k.expire_ms.is_some_and(|e| e <= self.now_ms);
        self.cur = Some((k.db, k.expire_ms.is_some(), expired));
        if self.lzf.is_some() {
            self.cur_key.clear();
            self.cur_key.extend_from_slice(k.key);
        }
        if let Some(n) = self.by_type_id.get_mut(usize::from(k.type_id as u8)) {
            *n += 1;
        }
        self.with_idle += u64::from(k.idle_s.is_some());
        self.with_freq += u64::from(k.freq.is_some());
        self.key_meta += u64::from(k.key_meta.is_some());
        Ok(())
    }
    fn module_value(&mut self, m: &ModuleData<'_>) -> formats::Result<()> {
        *self.modules.entry(m.name.to_string()).or_default() += 1;
        Ok(())
    }
    fn end_key(&mut self) -> formats::Result<()> {
        if let Some((db, has_exp, expired)) = self.cur.take() {
            let d = match self.dbs.last_entry() {
                Some(e) if *e.key() == db => e.into_mut(),
                _ => self.dbs.entry(db).or_default(),
            };
            d.keys += 1;
            d.expires += u64::from(has_exp);
            d.expired += u64::from(expired);
            self.keys += 1;
            self.expires += u64::from(has_exp);
            self.expired += u64::from(expired);
        }
        Ok(())
    }
    fn key_error(&mut self, err: Error) -> formats::Result<()> {
        self.cur = None;
        if self.keep_going {
            self.errors.push(err);
            Ok(())
        } else {
            Err(err)
        }
    }
    fn end(&mut self, checksum: ChecksumStatus) -> formats::Result<()> {
        self.checksum = Some(checksum);
        Ok(())
    }
}

pub fn flavor_name(v: &Version) -> &'static str {
    match v.flavor {
        Flavor::Redis => "redis",
        Flavor::Valkey => "valkey",
    }
}

/// The checksum mismatch as an error entry (it is a problem of the file).
pub fn checksum_error(status: ChecksumStatus) -> Option<Error> {
    match status {
        ChecksumStatus::Mismatch { stored, computed } => {
            let mut e = Error::new(ErrorKind::ChecksumMismatch { stored, computed });
            e.ctx.doing = formats::Doing::Checksum;
            Some(e)
        }
        _ => None,
    }
}

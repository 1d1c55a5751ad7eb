//! Writing a [`Keyspace`]: as an RDB of a chosen version (an AOF BASE, a snapshot) or
//! as the RESP commands that rebuild it.

use std::io::Write;

use super::Keyspace;
use crate::aof::resp::write_command;
use crate::error::{Doing, Error, ErrorKind, KeyPreview, Result};
use crate::rdb::Version;
use crate::rdb::commands::{Emitter, Origin, Sink};
use crate::rdb::value::replay;
use crate::rdb::write::{Rules, Writer, WriterOptions, choose, losses};

/// How to write a keyspace.
#[derive(Debug, Clone)]
pub struct Output {
    pub version: Version,
    pub opts: WriterOptions,
    pub rules: Rules,
    /// AUX fields, in order.
    pub aux: Vec<(Vec<u8>, Vec<u8>)>,
    /// Keys that expired at or before this time are left out, unless `keep_expired`.
    pub now_ms: i64,
    pub keep_expired: bool,
}

fn loss_error(db: u64, key: &[u8], v: Version, what: &str) -> Error {
    let mut e = Error::new(ErrorKind::Invalid(format!(
        "{} cannot hold {what}",
        v.magic()
    )));
    e.ctx.doing = Doing::Write;
    e.ctx.db = Some(db);
    e.ctx.key = Some(KeyPreview::new(key));
    e
}

/// The lowest version from `at_least` up (same flavor) that holds every key and the
/// functions without loss.
pub fn version_for(ks: &Keyspace, at_least: Version, now_ms: i64, keep_expired: bool) -> Version {
    let mut v = at_least;
    if !ks.functions.is_empty() && v.flavor == crate::rdb::Flavor::Redis && v.number < 10 {
        v.number = 10;
    }
    let newest = match v.flavor {
        crate::rdb::Flavor::Redis => crate::rdb::NEWEST_REDIS_VERSION,
        crate::rdb::Flavor::Valkey => crate::rdb::NEWEST_VALKEY_VERSION,
    };
    let _ = ks.records(now_ms, keep_expired, |rec| {
        while v.number < newest && !losses(rec, v).is_empty() {
            v.number += 1;
        }
        Ok(())
    });
    v
}

/// Writes `ks` as an RDB into `out` (functions, then each db with its RESIZEDB hint and
/// its keys in byte order); returns `out`.
pub fn write_rdb<W: Write>(ks: &Keyspace, out: W, o: &Output) -> Result<W> {
    let v = o.version;
    let mut w = Writer::new(out, v, o.opts)?;
    if v.flavor == crate::rdb::Flavor::Valkey || v.number >= 7 {
        for (k, val) in &o.aux {
            w.aux(k, val)?;
        }
    }
    for code in ks.functions.values() {
        w.function(code)?;
    }
    let mut current: Option<u64> = None;
    ks.records(o.now_ms, o.keep_expired, |rec| {
        if current != Some(rec.db) {
            let d = ks.db(rec.db as usize);
            let keys = d.map_or(0, |d| d.len() as u64);
            let expires = d.map_or(0, |d| {
                d.iter().filter(|e| e.expire_ms().is_some()).count() as u64
            });
            w.select_db(rec.db)?;
            w.resize_db(keys, expires)?;
            current = Some(rec.db);
        }
        if let Some(l) = losses(rec, v).first() {
            return Err(loss_error(rec.db, &rec.key, v, l.describe()));
        }
        w.record(rec, &o.rules).map(|_| ())
    })?;
    w.finish()
}

/// What an AOF's RDB part is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AofRole {
    /// The preamble of a single-file AOF (flagged `aof-preamble`).
    Preamble,
    /// The BASE of a multi-part AOF (flagged `aof-base`).
    Base,
}

/// The dataset as an AOF base or single file, as Redis's rewrite writes it: an RDB of
/// `rdb_version` with Redis's aux fields (`aof-base` / `aof-preamble` flagged as that
/// version does), or, without a version, RESP commands.
pub fn write_aof_base<W: Write>(
    ks: &Keyspace,
    out: W,
    rdb_version: Option<Version>,
    role: AofRole,
    now_ms: i64,
    keep_expired: bool,
) -> Result<W> {
    let Some(v) = rdb_version else {
        return write_resp(ks, out, now_ms, keep_expired);
    };
    let flag = |k: &str| (k.as_bytes().to_vec(), b"1".to_vec());
    let mut aux = vec![
        (b"redis-ver".to_vec(), b"7.0.0".to_vec()),
        (b"redis-bits".to_vec(), b"64".to_vec()),
        (b"ctime".to_vec(), (now_ms / 1000).to_string().into_bytes()),
        (b"used-mem".to_vec(), b"0".to_vec()),
    ];
    if v.flavor == crate::rdb::Flavor::Valkey || v.number >= 10 {
        aux.push(flag("aof-base"));
    } else if role == AofRole::Preamble && v.number >= 8 {
        aux.push(flag("aof-preamble"));
    }
    let o = Output {
        version: v,
        opts: WriterOptions::default(),
        rules: Rules::for_target(v, v.flavor == crate::rdb::Flavor::Valkey),
        aux,
        now_ms,
        keep_expired,
    };
    write_rdb(ks, out, &o)
}

struct RespOut<W> {
    out: W,
}

impl<W: Write> Sink for RespOut<W> {
    fn command(&mut self, _: Origin, args: &[&[u8]]) -> Result<()> {
        write_command(&mut self.out, args).map_err(Error::from)
    }
}

/// Writes `ks` as RESP commands (SELECT, FUNCTION LOAD, one key at a time in the forms
/// Redis's own rewrite uses); returns `out`.
pub fn write_resp<W: Write>(ks: &Keyspace, out: W, now_ms: i64, keep_expired: bool) -> Result<W> {
    use crate::rdb::Visitor;
    let mut em = Emitter::new(RespOut { out });
    em.header(Version {
        flavor: crate::rdb::Flavor::Redis,
        number: crate::rdb::NEWEST_REDIS_VERSION,
    })?;
    for code in ks.functions.values() {
        em.function(code)?;
    }
    let newest = Version {
        flavor: crate::rdb::Flavor::Redis,
        number: crate::rdb::NEWEST_REDIS_VERSION,
    };
    ks.records(now_ms, keep_expired, |rec| {
        let e = choose(&rec.value, newest, &Rules::default());
        replay(rec, e.type_id, e.encoding, 0, &mut em)
    })?;
    let mut out = em.into_sink().out;
    out.flush()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::cmd::tests::run;
    use crate::rdb::Flavor;

    #[test]
    fn a_keyspace_round_trips_through_rdb_and_resp() {
        let ks = run(&[
            "SET a 1",
            "SELECT 2",
            "SET b 2",
            "PEXPIREAT b 4102444800000",
            "SET gone x",
            "PEXPIREAT gone 1",
        ]);
        let o = Output {
            version: Version {
                flavor: Flavor::Redis,
                number: 10,
            },
            opts: WriterOptions::default(),
            rules: Rules::default(),
            aux: vec![(b"aof-base".to_vec(), b"1".to_vec())],
            now_ms: 1_800_000_000_000,
            keep_expired: false,
        };
        let bytes = write_rdb(&ks, Vec::new(), &o).unwrap();
        let (back, v) = crate::engine::load_rdb(&bytes[..]).unwrap();
        assert_eq!(v.number, 10);
        assert_eq!(back.key_count(), 2, "the expired key is left out");
        assert_eq!(back.dbs[2].get(b"b"), ks.dbs[2].get(b"b"));

        let resp = write_resp(&ks, Vec::new(), o.now_ms, true).unwrap();
        let text = String::from_utf8_lossy(&resp);
        assert!(text.contains("SELECT") && text.contains("PEXPIREAT") && text.contains("gone"));
        assert_eq!(version_for(&ks, o.version, o.now_ms, false).number, 10);
    }
}

//! Snapshots as BGSAVE takes them: `fork()`, the child writes the keyspace of the
//! instant of the fork to `temp-<pid>.rdb`, fsyncs it, renames it over the target and
//! fsyncs the folder, then `_exit`s; the parent goes on applying the stream and reaps the
//! child without blocking ([`super::child`]). One child at a time (snapshot or AOF
//! rewrite); the save rules are Redis's `save`.

use std::fs;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use formats::engine::Keyspace;
use formats::engine::write::{Output, write_rdb};
use formats::rdb::write::{Rules, WriterOptions, default_release};
use formats::rdb::{Flavor, Version};

use super::child::{Forked, Reaped, cow_text, fork_child, reap};
use super::status::say;
use crate::filter::now_ms;

/// Redis's `CONFIG_BGSAVE_RETRY_DELAY`: after a failed snapshot, the rules wait this
/// long before trying again.
const RETRY_DELAY: Duration = Duration::from_secs(5);

/// The `save` rules: (seconds, changes) pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveRules(pub Vec<(u64, u64)>);

impl SaveRules {
    /// Parses Redis's `save` value: "SECONDS CHANGES [SECONDS CHANGES ...]", or "" for
    /// none.
    pub fn parse(s: &str) -> Result<SaveRules> {
        let words: Vec<&str> = s.split_whitespace().collect();
        if !words.len().is_multiple_of(2) {
            bail!("--save {s:?}: expected pairs of SECONDS CHANGES");
        }
        let mut rules = Vec::new();
        for p in words.chunks(2) {
            let num = |w: &str| {
                w.parse::<u64>()
                    .with_context(|| format!("--save {s:?}: {w:?} is not a number"))
            };
            if let [secs, changes] = p {
                rules.push((num(secs)?, num(changes)?));
            }
        }
        Ok(SaveRules(rules))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether a rule fires: at least `changes` changes and more than `seconds` since the
    /// last successful snapshot (serverCron's test).
    pub fn fire(&self, dirty: u64, since_save: Duration) -> bool {
        self.0
            .iter()
            .any(|&(secs, changes)| dirty >= changes && since_save > Duration::from_secs(secs))
    }
}

/// What a snapshot holds, for its log line.
#[derive(Debug, Clone)]
pub struct Meta {
    pub keys: usize,
    pub offset: u64,
    pub replid: String,
    pub db: usize,
    pub version: Version,
}

struct Child {
    forked: Forked,
    meta: Meta,
    dirty_at_fork: u64,
}

/// Takes snapshots and remembers when the last one succeeded.
pub struct Saver {
    dir: PathBuf,
    name: String,
    pub rules: SaveRules,
    quiet: bool,
    child: Option<Child>,
    last_save: Instant,
    last_try: Option<Instant>,
    last_ok: bool,
    pub saves: u64,
    /// Copy-on-write bytes the last snapshot's child reported (`rdb_last_cow_size`).
    pub last_cow: Option<u64>,
    /// The master link's socket, closed in a child so that a child outliving a killed
    /// parent does not keep the link open.
    pub link_fd: Option<std::os::fd::RawFd>,
    /// Unix seconds of the last successful snapshot (`LASTSAVE`; the start until one).
    pub last_save_unix: u64,
    /// How long the last `fork()` took (`latest_fork_usec`).
    pub latest_fork_us: u128,
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Saver {
    /// Whether a snapshot child runs.
    pub fn busy(&self) -> bool {
        self.child.is_some()
    }

    /// Whether the last snapshot succeeded (`rdb_last_bgsave_status`).
    pub fn last_ok(&self) -> bool {
        self.last_ok
    }

    pub fn new(dir: PathBuf, name: String, rules: SaveRules, quiet: bool) -> Saver {
        Saver {
            dir,
            name,
            rules,
            quiet,
            child: None,
            last_save: Instant::now(),
            last_try: None,
            last_ok: true,
            last_cow: None,
            saves: 0,
            link_fd: None,
            last_save_unix: unix_now(),
            latest_fork_us: 0,
        }
    }

    pub fn target(&self) -> PathBuf {
        self.dir.join(&self.name)
    }

    /// Whether a rule asks for a snapshot now (none running, and a failed one long
    /// enough ago).
    pub fn due(&self, dirty: u64) -> bool {
        self.child.is_none()
            && self.rules.fire(dirty, self.last_save.elapsed())
            && (self.last_ok || self.last_try.is_none_or(|t| t.elapsed() > RETRY_DELAY))
    }

    /// Forks a child that writes `ks` as it is now. Returns at once in the parent.
    pub fn bgsave(&mut self, ks: &Keyspace, meta: Meta, dirty: u64) -> Result<()> {
        if self.child.is_some() {
            bail!("a snapshot is already being written");
        }
        self.last_try = Some(Instant::now());
        let (dir, name) = (&self.dir, &self.name);
        let f = fork_child(self.link_fd, "snapshot", || {
            write_snapshot(ks, dir, name, &meta, std::process::id())
        })
        .inspect_err(|_| self.last_ok = false)?;
        self.child = Some(Child {
            forked: f,
            meta,
            dirty_at_fork: dirty,
        });
        Ok(())
    }

    /// Reaps the child if it has ended (`block`: waits for it); returns the changes the
    /// snapshot covered when it succeeded, so the caller subtracts them from its count.
    pub fn reap(&mut self, block: bool) -> Option<u64> {
        let c = self.child.as_mut()?;
        let r = reap(&mut c.forked, block);
        if r == Reaped::Running {
            return None;
        }
        let c = self.child.take()?;
        if let Reaped::Failed(how) = r {
            self.last_ok = false;
            let _ = fs::remove_file(self.dir.join(temp_name(c.forked.pid as u32)));
            say!(
                "rdbtool: snapshot failed ({how}); {} is unchanged",
                self.target().display()
            );
            None
        } else {
            let cow = match r {
                Reaped::Succeeded(cow) => cow,
                _ => None,
            };
            self.done(&c.meta, c.forked.fork_us, cow);
            Some(c.dirty_at_fork)
        }
    }

    fn done(&mut self, meta: &Meta, fork_us: u128, cow: Option<u64>) {
        self.last_ok = true;
        self.last_save = Instant::now();
        self.last_save_unix = unix_now();
        if fork_us > 0 {
            self.latest_fork_us = fork_us;
        }
        self.saves += 1;
        self.last_cow = cow;
        if !self.quiet {
            say!(
                "snapshot saved: {}, {} keys, offset {}, fork {fork_us} us{}",
                self.target().display(),
                meta.keys,
                meta.offset,
                cow_text(cow)
            );
        }
    }

    /// Writes a snapshot and waits for it (the final one, at shutdown): by a forked
    /// child like every other, or in this process if the fork fails.
    pub fn save_now(&mut self, ks: &Keyspace, meta: Meta) -> Result<()> {
        match self.bgsave(ks, meta.clone(), 0) {
            Ok(()) => match self.reap(true) {
                Some(_) => Ok(()),
                None => bail!("the snapshot child failed"),
            },
            Err(e) => {
                say!("rdbtool: {e:#}; writing the snapshot in this process");
                write_snapshot(ks, &self.dir, &self.name, &meta, std::process::id())?;
                self.done(&meta, 0, None);
                Ok(())
            }
        }
    }
}

fn temp_name(pid: u32) -> String {
    format!("temp-{pid}.rdb")
}

/// Writes `ks` to `dir/temp-<pid>.rdb`, fsyncs it, renames it over `dir/name` and
/// fsyncs `dir`. The temporary file is removed on failure.
pub fn write_snapshot(ks: &Keyspace, dir: &Path, name: &str, meta: &Meta, pid: u32) -> Result<()> {
    let tmp = dir.join(temp_name(pid));
    let r = (|| -> Result<()> {
        let f =
            fs::File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
        let out = write_rdb(ks, BufWriter::with_capacity(1 << 20, f), &output(meta))
            .with_context(|| format!("writing {}", tmp.display()))?;
        let f = out.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
        drop(f);
        let target = dir.join(name);
        fs::rename(&tmp, &target)
            .with_context(|| format!("cannot rename {} to {}", tmp.display(), target.display()))?;
        fs::File::open(dir)?.sync_all()?;
        Ok(())
    })();
    if r.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    r
}

/// How a snapshot is written: the master's RDB version, with the aux fields a Redis
/// replica's BGSAVE writes (its replication id and offset, so a replica restarted from it
/// could ask for a partial resync).
fn output(meta: &Meta) -> Output {
    let v = meta.version;
    let now = now_ms();
    let mut aux = vec![
        (
            b"redis-ver".to_vec(),
            default_release(v).as_bytes().to_vec(),
        ),
        (b"redis-bits".to_vec(), b"64".to_vec()),
        (b"ctime".to_vec(), (now / 1000).to_string().into_bytes()),
        (b"used-mem".to_vec(), b"0".to_vec()),
    ];
    if !meta.replid.is_empty() {
        aux.push((b"repl-stream-db".to_vec(), meta.db.to_string().into_bytes()));
        aux.push((b"repl-id".to_vec(), meta.replid.as_bytes().to_vec()));
        aux.push((
            b"repl-offset".to_vec(),
            meta.offset.to_string().into_bytes(),
        ));
    }
    aux.push((b"aof-base".to_vec(), b"0".to_vec()));
    Output {
        version: v,
        opts: WriterOptions::default(),
        rules: Rules::for_target(v, v.flavor == Flavor::Valkey),
        aux,
        now_ms: now,
        // As Redis: a snapshot holds the keys still in memory, expired or not; the
        // master's DELs remove them.
        keep_expired: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capture_save_rules_parse_and_fire() {
        let r = SaveRules::parse("3600 1 300 100 60 10000").unwrap();
        assert_eq!(r.0, vec![(3600, 1), (300, 100), (60, 10000)]);
        assert!(SaveRules::parse("").unwrap().is_empty());
        assert!(SaveRules::parse("1").is_err());
        assert!(SaveRules::parse("1 x").is_err());
        assert!(!r.fire(100, Duration::from_secs(300)));
        assert!(r.fire(100, Duration::from_secs(301)));
        assert!(!r.fire(0, Duration::from_secs(100_000)));
        assert!(r.fire(10_000, Duration::from_secs(61)));
    }

    #[test]
    fn capture_forked_snapshot_is_written_and_reaped() {
        let dir = tempfile::tempdir().unwrap();
        let mut ks = Keyspace::default();
        formats::engine::Session::new()
            .execute(&mut ks, &[b"SET", b"k", b"v"])
            .unwrap();
        let mut s = Saver::new(
            dir.path().to_path_buf(),
            "dump.rdb".into(),
            SaveRules::parse("1 1").unwrap(),
            true,
        );
        let meta = Meta {
            keys: 1,
            offset: 7,
            replid: "a".repeat(40),
            db: 0,
            version: Version {
                flavor: Flavor::Redis,
                number: 10,
            },
        };
        s.bgsave(&ks, meta.clone(), 1).unwrap();
        assert!(
            s.bgsave(&ks, s.child.as_ref().unwrap().meta.clone(), 1)
                .is_err()
        );
        assert_eq!(s.reap(true), Some(1));
        let bytes = fs::read(dir.path().join("dump.rdb")).unwrap();
        let (back, v) = formats::engine::load_rdb(&bytes[..]).unwrap();
        assert_eq!(v.number, 10);
        assert_eq!(back.key_count(), 1);
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file is left");

        formats::engine::Session::new()
            .execute(&mut ks, &[b"SET", b"k2", b"v"])
            .unwrap();
        let meta = Meta { keys: 2, ..meta };
        s.save_now(&ks, meta).unwrap();
        assert_eq!(s.saves, 2);
        let bytes = fs::read(dir.path().join("dump.rdb")).unwrap();
        assert_eq!(
            formats::engine::load_rdb(&bytes[..]).unwrap().0.key_count(),
            2
        );
    }
}

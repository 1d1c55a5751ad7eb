//! capture's settings: the command line, then a redis.conf-style `--config` file, then
//! Redis's defaults. The file is read as Redis reads its configuration
//! (`loadServerConfigFromString`): one directive per line, `#` comments, arguments split
//! as `sdssplitargs` splits them; the directives capture uses are taken, the others ignored.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, anyhow, bail};
use formats::aof::live::Fsync;

use crate::cli::{CaptureArgs, fsync_policy, memory_size, yes_no};

/// Every setting, resolved.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `HOST:PORT`; empty for a primary (`--listen` without a master).
    pub replicaof: String,
    pub user: Option<String>,
    pub password: Option<String>,
    pub dir: PathBuf,
    pub dbfilename: String,
    pub save: String,
    pub load: Option<PathBuf>,
    pub appendonly: bool,
    pub appendfsync: Fsync,
    pub appenddirname: String,
    pub appendfilename: String,
    pub aof_use_rdb_preamble: bool,
    pub auto_aof_rewrite_percentage: u64,
    pub auto_aof_rewrite_min_size: u64,
    pub skip_unknown: bool,
    pub quiet: bool,
    /// `--listen ADDR`.
    pub listen: Option<String>,
}

/// What a config file sets.
#[derive(Debug, Default)]
struct FromFile {
    replicaof: Option<String>,
    user: Option<String>,
    password: Option<String>,
    dir: Option<PathBuf>,
    dbfilename: Option<String>,
    save: Option<String>,
    appendonly: Option<bool>,
    appendfsync: Option<Fsync>,
    appenddirname: Option<String>,
    appendfilename: Option<String>,
    aof_use_rdb_preamble: Option<bool>,
    auto_aof_rewrite_percentage: Option<u64>,
    auto_aof_rewrite_min_size: Option<u64>,
}

impl Settings {
    pub fn resolve(a: CaptureArgs) -> Result<Settings> {
        let f = match &a.config {
            Some(p) => read_config(p)?,
            None => FromFile::default(),
        };
        let replicaof = a.replicaof.or(f.replicaof);
        // Without a master, capture is a primary its clients write to.
        let replicaof = match replicaof {
            Some(r) => r,
            None if a.listen.is_some() => String::new(),
            None => bail!(
                "nothing to capture: give --replicaof HOST:PORT to follow a master (or \
                 replicaof in --config), or --listen ADDR to serve clients that write"
            ),
        };
        let password = a.password.or(f.password);
        let user = a.user.or(f.user);
        if user.is_some() && password.is_none() {
            bail!("--user (masteruser) needs a password (--password or masterauth)");
        }
        Ok(Settings {
            replicaof,
            user,
            password,
            dir: a.dir.or(f.dir).unwrap_or_else(|| PathBuf::from(".")),
            dbfilename: a
                .dbfilename
                .or(f.dbfilename)
                .unwrap_or_else(|| "dump.rdb".to_string()),
            save: a
                .save
                .or(f.save)
                .unwrap_or_else(|| "3600 1 300 100 60 10000".to_string()),
            load: a.load,
            appendonly: a.appendonly.or(f.appendonly).unwrap_or(false),
            appendfsync: a.appendfsync.or(f.appendfsync).unwrap_or(Fsync::EverySec),
            appenddirname: a
                .appenddirname
                .or(f.appenddirname)
                .unwrap_or_else(|| "appendonlydir".to_string()),
            appendfilename: a
                .appendfilename
                .or(f.appendfilename)
                .unwrap_or_else(|| "appendonly.aof".to_string()),
            aof_use_rdb_preamble: a
                .aof_use_rdb_preamble
                .or(f.aof_use_rdb_preamble)
                .unwrap_or(true),
            auto_aof_rewrite_percentage: a
                .auto_aof_rewrite_percentage
                .or(f.auto_aof_rewrite_percentage)
                .unwrap_or(100),
            auto_aof_rewrite_min_size: a
                .auto_aof_rewrite_min_size
                .or(f.auto_aof_rewrite_min_size)
                .unwrap_or(64 << 20),
            skip_unknown: a.skip_unknown,
            quiet: a.quiet,
            listen: a.listen,
        })
    }
}

fn read_config(p: &Path) -> Result<FromFile> {
    let text = std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?;
    parse_config(&text).with_context(|| format!("in {}", p.display()))
}

fn parse_config(text: &[u8]) -> Result<FromFile> {
    let mut f = FromFile::default();
    let mut save: Option<Vec<String>> = None;
    for (i, line) in text.split(|&b| b == b'\n').enumerate() {
        let n = i + 1;
        let line = String::from_utf8_lossy(line);
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let args =
            split_args(line).ok_or_else(|| anyhow!("line {n}: unbalanced quotes: {line}"))?;
        let Some((name, rest)) = args.split_first() else {
            continue;
        };
        let name = name.to_ascii_lowercase();
        let one = || -> Result<&String> {
            match rest {
                [v] => Ok(v),
                _ => Err(anyhow!("line {n}: {name} takes one argument: {line}")),
            }
        };
        let bad = |e: String| anyhow!("line {n}: {name}: {e}");
        match name.as_str() {
            "replicaof" | "slaveof" => match rest {
                [host, port] => f.replicaof = Some(format!("{host}:{port}")),
                _ => bail!("line {n}: {name} takes HOST PORT: {line}"),
            },
            "masteruser" => f.user = Some(one()?.clone()),
            "masterauth" => f.password = Some(one()?.clone()),
            "dir" => f.dir = Some(PathBuf::from(one()?)),
            "dbfilename" => f.dbfilename = Some(one()?.clone()),
            "save" => {
                // Lines add rules; `save ""` clears them (as Redis 7 reads them).
                let rules = save.get_or_insert_with(Vec::new);
                if rest.len() == 1 && rest.first().is_some_and(String::is_empty) {
                    rules.clear();
                } else {
                    rules.extend(rest.iter().cloned());
                }
            }
            "appendonly" => f.appendonly = Some(yes_no(one()?).map_err(bad)?),
            "appendfsync" => f.appendfsync = Some(fsync_policy(one()?).map_err(bad)?),
            "appenddirname" => f.appenddirname = Some(one()?.clone()),
            "appendfilename" => f.appendfilename = Some(one()?.clone()),
            "aof-use-rdb-preamble" => f.aof_use_rdb_preamble = Some(yes_no(one()?).map_err(bad)?),
            "auto-aof-rewrite-percentage" => {
                f.auto_aof_rewrite_percentage = Some(
                    one()?
                        .parse()
                        .map_err(|_| bad(format!("{:?}: not a number", rest)))?,
                );
            }
            "auto-aof-rewrite-min-size" => {
                f.auto_aof_rewrite_min_size = Some(memory_size(one()?).map_err(bad)?);
            }
            _ => {}
        }
    }
    f.save = save.map(|r| r.join(" "));
    Ok(f)
}

/// Splits a config line as Redis does (`sdssplitargs`, shared with the manifest parser).
fn split_args(line: &str) -> Option<Vec<String>> {
    let tokens = formats::aof::manifest::split_args(line.as_bytes())?;
    Some(
        tokens
            .into_iter()
            .map(|t| String::from_utf8_lossy(&t).into_owned())
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capture_config_lines_split_as_redis_splits_them() {
        assert_eq!(
            split_args(r#"save "" "a b" 'c\'d' "\x41\n""#).unwrap(),
            ["save", "", "a b", "c'd", "A\n"]
        );
        assert!(split_args(r#"dir "unclosed"#).is_none());
        assert!(split_args(r#"dir "a"b"#).is_none());
    }

    #[test]
    fn capture_config_file_sets_what_capture_uses() {
        let f = parse_config(
            b"# a redis.conf\nport 6380\nreplicaof 10.0.0.1 6379\nmasterauth \"s3 cret\"\n\
              save 900 1\nsave 60 10000\ndir /data\nappendonly yes\nappendfsync always\n\
              auto-aof-rewrite-min-size 1gb\nmaxmemory 2gb\n",
        )
        .unwrap();
        assert_eq!(f.replicaof.as_deref(), Some("10.0.0.1:6379"));
        assert_eq!(f.password.as_deref(), Some("s3 cret"));
        assert_eq!(f.save.as_deref(), Some("900 1 60 10000"));
        assert_eq!(f.dir, Some(PathBuf::from("/data")));
        assert_eq!(f.appendonly, Some(true));
        assert_eq!(f.appendfsync, Some(Fsync::Always));
        assert_eq!(f.auto_aof_rewrite_min_size, Some(1 << 30));
        let f = parse_config(b"save 900 1\nsave \"\"\n").unwrap();
        assert_eq!(f.save.as_deref(), Some(""));
        let e = parse_config(b"appendonly maybe\n").unwrap_err();
        assert!(format!("{e:#}").contains("line 1"), "{e:#}");
        assert!(parse_config(b"replicaof onlyhost\n").is_err());
    }

    #[test]
    fn capture_command_line_wins_over_the_file() {
        use clap::Parser;
        let t = tempfile::tempdir().unwrap();
        let conf = t.path().join("redis.conf");
        std::fs::write(
            &conf,
            "replicaof h 1\ndbfilename file.rdb\nappendonly yes\n",
        )
        .unwrap();
        let cli = crate::cli::Cli::try_parse_from([
            "rdbtool",
            "capture",
            "--config",
            conf.to_str().unwrap(),
            "--dbfilename",
            "flag.rdb",
        ])
        .unwrap();
        let crate::cli::Command::Capture(a) = cli.cmd else {
            panic!("not capture");
        };
        let s = Settings::resolve(a).unwrap();
        assert_eq!(s.replicaof, "h:1");
        assert_eq!(s.dbfilename, "flag.rdb");
        assert!(s.appendonly);
        assert_eq!(s.save, "3600 1 300 100 60 10000");
        assert_eq!(s.dir, PathBuf::from("."));
    }
}

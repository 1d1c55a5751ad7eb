//! Opening a dataset: a file path or `-` for standard input.

use std::fs::File;
use std::io::{self, IsTerminal, Read};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

pub struct Opened {
    pub reader: Box<dyn Read + Send>,
    /// File size, when known (for progress).
    pub size: Option<u64>,
    /// How to name the input in messages.
    pub name: String,
}

/// The dataset argument, or `-` when none was given and standard input is not a
/// terminal.
pub fn resolve(arg: Option<&Path>) -> Result<PathBuf> {
    match arg {
        Some(p) => Ok(p.to_path_buf()),
        None if !io::stdin().is_terminal() => Ok(PathBuf::from("-")),
        None => anyhow::bail!("no DATASET given (an RDB file, or - for standard input)"),
    }
}

pub fn open(path: &Path) -> Result<Opened> {
    if path.as_os_str() == "-" {
        return Ok(Opened {
            reader: Box::new(io::stdin()),
            size: None,
            name: "<stdin>".to_string(),
        });
    }
    let f = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let meta = f
        .metadata()
        .with_context(|| format!("cannot stat {}", path.display()))?;
    if meta.is_dir() {
        anyhow::bail!("{} is a directory, not an RDB file", path.display());
    }
    Ok(Opened {
        reader: Box::new(f),
        size: Some(meta.len()),
        name: path.display().to_string(),
    })
}

//! `aoftool verify`: every file of an AOF checked in load order.

use std::io::{IsTerminal, Write};

use anyhow::Result;
use formats::aof::check::{self, Report};
use formats::aof::repair;
use formats::cli::Exit;
use formats::cli::aof_report::{self, report_json, report_text};

use crate::cli::VerifyArgs;

pub fn run(a: VerifyArgs) -> Result<Exit> {
    let report = match check::check(&a.input) {
        Ok(r) => r,
        // The files cannot be read at all: unreadable.
        Err(e) if e.is_io() => {
            return Err(anyhow::Error::new(e).context(format!("reading {}", a.input.display())));
        }
        // A manifest that Redis would refuse, or no manifest in a directory: invalid.
        Err(e) => {
            print_unloadable(&a, &e)?;
            return Ok(Exit::Negative);
        }
    };
    if a.fix || a.truncate_to_timestamp.is_some() {
        return repair(&a, &report);
    }
    print_report(&a, &report)?;
    Ok(if report.ok() {
        Exit::Ok
    } else {
        Exit::Negative
    })
}

fn print_report(a: &VerifyArgs, report: &Report) -> Result<()> {
    let mut out = std::io::stdout().lock();
    if a.json {
        out.write_all(&report_json(report))?;
    } else {
        out.write_all(report_text(report).as_bytes())?;
    }
    out.flush()?;
    Ok(())
}

/// `--fix` / `--truncate-to-timestamp`: plan, show, confirm, back up, cut, check again.
fn repair(a: &VerifyArgs, report: &Report) -> Result<Exit> {
    let plan = match a.truncate_to_timestamp {
        Some(ts) => repair::plan_timestamp(report, ts),
        None => repair::plan_fix(report),
    }
    .map_err(|e| anyhow::anyhow!("cannot repair: {e}"))?;
    let Some(plan) = plan else {
        eprintln!(
            "aoftool: {}",
            match a.truncate_to_timestamp {
                Some(ts) => format!("no #TS annotation later than {ts}: nothing to cut"),
                None => "nothing to fix".to_string(),
            }
        );
        print_report(a, report)?;
        return Ok(if report.ok() {
            Exit::Ok
        } else {
            Exit::Negative
        });
    };
    eprintln!(
        "aoftool: will cut {} at offset {} (was {} bytes: {} bytes dropped)",
        plan.file.display(),
        plan.cut_at,
        plan.old_size,
        plan.old_size.saturating_sub(plan.cut_at)
    );
    for h in &plan.to_history {
        eprintln!(
            "aoftool: {} will no longer be loaded (moved to history in the manifest)",
            h.display()
        );
    }
    if !a.yes {
        if !std::io::stdin().is_terminal() {
            anyhow::bail!("standard input is not a terminal: pass --yes to repair without asking");
        }
        eprint!("Continue? [y/N] ");
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            eprintln!("aoftool: nothing changed");
            return Ok(Exit::Negative);
        }
    }
    let suffix = format!(".bak-{}", unix_now());
    let applied = repair::apply(&plan, (!a.no_backup).then_some(suffix.as_str()))?;
    for (orig, backup) in &applied.backups {
        eprintln!(
            "aoftool: backup of {} in {}",
            orig.display(),
            backup.display()
        );
    }
    let after = check::check(&a.input)?;
    print_report(a, &after)?;
    Ok(if after.ok() { Exit::Ok } else { Exit::Negative })
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn print_unloadable(a: &VerifyArgs, e: &formats::Error) -> Result<()> {
    let name = a.input.display().to_string();
    let mut out = std::io::stdout().lock();
    if a.json {
        out.write_all(&aof_report::unloadable_json(e, &name))?;
    } else {
        writeln!(out, "{name}: {e}\nINVALID")?;
    }
    Ok(())
}

//! Loads a dataset (an RDB, or an AOF of any layout) into the keyspace engine and
//! reports the time taken, the keys held and the process's resident memory: the
//! engine's side of `scripts/bench-rewrite.sh`.
//!
//! `cargo run --release -p formats --example engine_load -- FILE`

use std::time::Instant;

fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
}

fn main() {
    let Some(path) = std::env::args_os().nth(1) else {
        eprintln!("usage: engine_load FILE");
        std::process::exit(2);
    };
    let path = std::path::PathBuf::from(path);
    let before = rss_bytes();
    let t = Instant::now();
    let mut head = [0u8; 5];
    let is_rdb = std::fs::File::open(&path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .is_ok()
        && &head == b"REDIS"
        && !path.is_dir();
    let (ks, what) = if is_rdb {
        let f = std::fs::File::open(&path).expect("open");
        let (ks, _) = formats::engine::load_rdb(std::io::BufReader::with_capacity(1 << 20, f))
            .expect("load rdb");
        (ks, "rdb".to_string())
    } else {
        let layout = formats::aof::check::detect(&path).expect("layout");
        let (ks, rep) =
            formats::engine::load_aof(&layout, formats::engine::Keyspace::default(), true, |_| {})
                .expect("load aof");
        (ks, format!("aof, {} commands", rep.commands))
    };
    let secs = t.elapsed().as_secs_f64();
    let after = rss_bytes();
    println!(
        "loaded {} ({what}): {} keys in {secs:.2} s; rss {:.1} MB (engine {:.1} MB)",
        path.display(),
        ks.key_count(),
        after as f64 / 1e6,
        after.saturating_sub(before) as f64 / 1e6
    );
}

//! Generates a large mixed RDB with a real Redis 7.0 for the benchmark
//! (`scripts/bench.sh`): the test dataset (every type and encoding) at a large scale,
//! the big list and hash, plus many strings with a realistic mix of values (40% JSON
//! documents, 30% prose, 20% integers, 10% hex tokens; 20 to 400 bytes), written with
//! pipelined SETs.
//!
//!     bench-dataset OUT.rdb [SCALE] [STRINGS]

use e2e::populate::Rng;
use e2e::{PopulateOpts, Server, ServerKind, populate};

const WORDS: &[&str] = &[
    "alpha",
    "bravo",
    "status",
    "active",
    "user",
    "session",
    "2026-11-22T04:21:00Z",
    "eu-west-1",
    "order",
    "paid",
    "cart",
    "item",
    "price",
    "12.50",
    "true",
    "false",
    "null",
    "Zürich",
];

fn value(rng: &mut Rng, i: u64) -> Vec<u8> {
    let kind = rng.below(10);
    if kind < 2 {
        return (rng.next_u64() >> rng.below(60)).to_string().into_bytes();
    }
    let target = rng.range(20, 400);
    if kind < 3 {
        let n = rng.range(32, 65);
        return (0..n)
            .map(|_| b"0123456789abcdef"[rng.below(16) as usize])
            .collect();
    }
    if kind < 6 {
        let mut v = Vec::new();
        while v.len() < target {
            v.extend_from_slice(WORDS[rng.below(WORDS.len() as u64) as usize].as_bytes());
            v.push(b' ');
        }
        return v;
    }
    let mut v = format!("{{\"id\":{i},\"fields\":[").into_bytes();
    while v.len() < target {
        let w = WORDS[rng.below(WORDS.len() as u64) as usize];
        v.extend_from_slice(format!("\"{w}\",").as_bytes());
    }
    v.extend_from_slice(b"\"end\"]}");
    v
}

fn main() {
    let mut args = std::env::args().skip(1);
    let out = args
        .next()
        .expect("usage: bench-dataset OUT.rdb [SCALE] [STRINGS]");
    let scale: usize = args
        .next()
        .map_or(300, |s| s.parse().expect("SCALE is a number"));
    let strings: u64 = args
        .next()
        .map_or(2_000_000, |s| s.parse().expect("STRINGS is a number"));
    let server = Server::start(ServerKind::Redis70, &[]);
    let mut c = server.client();
    populate(
        &mut c,
        ServerKind::Redis70,
        &PopulateOpts::scale(scale).with_big(),
    );
    c.cmd_ok(&[b"SELECT", b"1"]);
    let mut rng = Rng::new(42);
    let mut batch = Vec::new();
    for i in 0..strings {
        let key = format!("user:{i}:profile").into_bytes();
        batch.push(vec![b"SET".to_vec(), key, value(&mut rng, i)]);
        if batch.len() == 20_000 {
            c.pipeline_ok(&batch);
            batch.clear();
        }
    }
    c.pipeline_ok(&batch);
    let rdb = server.save_rdb();
    std::fs::copy(&rdb, &out).expect("copy the RDB");
    let size = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
    eprintln!("bench-dataset: wrote {out} ({:.1} MB)", size as f64 / 1e6);
}

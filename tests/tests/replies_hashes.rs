//! The hash commands answering a client, next to a real Redis 7.0: replies, change
//! counts, the data (`DEBUG DIGEST`) and what they propagate (see `e2e::oracle`).
//! Redis 7.0 has no field expiry: HEXPIRE and the 7.4/8.0 commands are unit-tested in
//! the engine (`engine::cmd::hashes`).

use e2e::oracle::Oracle;
use e2e::populate::Rng;

#[test]
fn hash_commands_reply_count_and_propagate_as_redis() {
    let mut o = Oracle::new();
    let long = "x".repeat(100);
    let fixed: &[&[&str]] = &[
        &["HSET", "h", "a", "1"],
        &["HSET", "h", "a", "2", "b", "3", "a", "4"],
        &["HSET", "h", "c", "1", "d"],
        &["HMSET", "h", "e", "5", "b", "6"],
        &["HMSET", "h", "e"],
        &["hset", "h", "f", "7"],
        &["hmset", "h", "g", "8"],
        &["SET", "s", "v"],
        &["HSET", "s", "a", "1"],
        &["HMSET", "s", "a", "1"],
        &["HSETNX", "s", "a", "1"],
        &["HDEL", "s", "a"],
        &["HINCRBY", "s", "a", "1"],
        &["HINCRBYFLOAT", "s", "a", "1"],
        &["HSETNX", "h", "a", "9"],
        &["HSETNX", "h", "z", "9"],
        &["HSETNX", "new", "z", "9"],
        &["HDEL", "h", "nosuch"],
        &["HDEL", "nokey", "a"],
        &["HDEL", "h", "a", "a", "b", "nosuch"],
        &["HDEL", "new", "z", "z"],
        &["HSET", "one", "a", "1", "b", "2"],
        &["HDEL", "one", "a", "b", "c"],
        &["HINCRBY", "n", "f", "5"],
        &["HINCRBY", "n", "f", "-7"],
        &["HINCRBY", "n", "f", "x"],
        &["HINCRBY", "n", "f", "1.5"],
        &["HINCRBY", "n", "f", "9223372036854775808"],
        &["HINCRBY", "n", "big", "9223372036854775807"],
        &["HINCRBY", "n", "big", "1"],
        &["HINCRBY", "n", "small", "-9223372036854775808"],
        &["HINCRBY", "n", "small", "-1"],
        &["HINCRBY", "n", "small", "0"],
        &[
            "HSET", "n", "text", "abc", "lead", "01", "sp", " 1", "fl", "1.5",
        ],
        &["HINCRBY", "n", "text", "1"],
        &["HINCRBY", "n", "lead", "1"],
        &["HINCRBY", "n", "sp", "1"],
        &["HINCRBY", "n", "fl", "1"],
        &["HINCRBY", "fresh", "f", "x"],
        &["HINCRBYFLOAT", "n", "fl", "0.1"],
        &["HINCRBYFLOAT", "n", "fl", "-1.6"],
        &["HINCRBYFLOAT", "n", "f", "2.5e3"],
        &["HINCRBYFLOAT", "n", "g", "-0.0"],
        &["HINCRBYFLOAT", "n", "t", "0.1"],
        &["HINCRBYFLOAT", "n", "t", "0.2"],
        &["HINCRBYFLOAT", "n", "tiny", "1e-20"],
        &["HINCRBYFLOAT", "n", "huge", "123456789012345678"],
        &["HINCRBYFLOAT", "n", "hex", "0x10"],
        &["HINCRBYFLOAT", "n", "text", "1"],
        &["HINCRBYFLOAT", "n", "fl", "x"],
        &["HINCRBYFLOAT", "n", "fl", "inf"],
        &["HINCRBYFLOAT", "n", "fl", "-inf"],
        &["HINCRBYFLOAT", "n", "fl", "nan"],
        &["HINCRBYFLOAT", "n", "fl", ""],
        &["HINCRBYFLOAT", "n", "fl", " 1"],
        &["HINCRBYFLOAT", "n", "fl", "1e5000"],
        &["HSET", "n", "inf", "inf", "max", "1e4932"],
        &["HINCRBYFLOAT", "n", "inf", "1"],
        &["HINCRBYFLOAT", "n", "max", "1e4932"],
        &["HINCRBYFLOAT", "fresh", "f", "x"],
        &["HINCRBYFLOAT", "fresh2", "f", "3"],
        &["HSET", "big", "a", &long],
        &["HINCRBY", "big", "n", "3"],
        &["HDEL", "big", "a", "n"],
        &["HSETNX", "big", "a", "1"],
        &["HSET"],
        &["HSET", "h"],
        &["HSETNX", "h", "a"],
        &["HDEL", "h"],
        &["HINCRBY", "h", "a"],
        &["HINCRBYFLOAT", "h", "a", "1", "2"],
    ];
    for c in fixed {
        o.run_str(c);
    }
    // A hash past the listpack limits (512 fields) and back below them.
    let mut args: Vec<String> = vec!["HSET".into(), "many".into()];
    for i in 0..600 {
        args.push(format!("f{i}"));
        args.push(i.to_string());
    }
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    o.run_str(&a);
    o.run_str(&["HDEL", "many", "f1", "f2", "f3"]);
    o.run_str(&["HINCRBYFLOAT", "many", "f10", "0.5"]);
    // In a transaction: the server's change count can only be read at EXEC.
    o.check_dirty = false;
    for c in [
        &["MULTI"][..],
        &["HSET", "t", "a", "1"],
        &["HINCRBY", "t", "a", "x"],
        &["HINCRBYFLOAT", "t", "a", "1.25"],
        &["HDEL", "t", "a"],
    ] {
        o.run_str(c);
    }
    o.check_dirty = true;
    o.run_str(&["EXEC"]);

    let mut r = Rng::new(11);
    let keys = ["k0", "k1", "k2", "k3"];
    let fields = ["a", "b", "c", "d", "e"];
    for _ in 0..400 {
        let k = *r.pick(&keys);
        let f = *r.pick(&fields);
        let g = *r.pick(&fields);
        let v = format!("{}", r.below(100) as i64 - 30);
        match r.below(10) {
            0 => o.run_str(&["HSET", k, f, &v]),
            1 => o.run_str(&["HSET", k, f, &v, g, "x"]),
            2 => o.run_str(&["HMSET", k, f, &v]),
            3 => o.run_str(&["HSETNX", k, f, &v]),
            4 => o.run_str(&["HDEL", k, f]),
            5 => o.run_str(&["HDEL", k, f, g]),
            6 => o.run_str(&["HINCRBY", k, f, &v]),
            7 => o.run_str(&["HINCRBYFLOAT", k, f, &format!("{v}.25")]),
            8 => o.run_str(&["SET", k, &v]),
            _ => o.run_str(&["HINCRBYFLOAT", k, f, &format!("{}e-1", r.below(50))]),
        };
    }
    o.finish();
}

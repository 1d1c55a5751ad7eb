//! The string commands answering a client, next to a real Redis 7.0: replies, change
//! counts, the data (`DEBUG DIGEST`) and what they propagate (see `e2e::oracle`).

use e2e::oracle::Oracle;
use e2e::populate::Rng;

#[test]
fn string_commands_reply_count_and_propagate_as_redis() {
    let mut o = Oracle::new();
    let fixed: &[&[&str]] = &[
        &["SET", "a", "1"],
        &["SET", "a", "2", "NX"],
        &["SET", "a", "3", "XX", "GET"],
        &["SET", "b", "1", "XX"],
        &["SET", "b", "1", "NX", "XX"],
        &["SET", "b", "1", "EX", "10", "PX", "5"],
        &["SET", "b", "1", "KEEPTTL", "EX", "5"],
        &["SET", "b", "1", "EX", "0"],
        &["SET", "b", "1", "EX", "x"],
        &["SET", "b", "1", "PXAT", "4000000000000"],
        &["SET", "b", "2", "KEEPTTL", "GET"],
        &["SETNX", "b", "9"],
        &["SETNX", "c", "9"],
        &["MSET", "m1", "1", "m2", "2"],
        &["MSET", "m1", "1", "m2"],
        &["MSETNX", "m1", "x", "m3", "y"],
        &["MSETNX", "m4", "x", "m3", "y"],
        &["GETSET", "m1", "new"],
        &["GETSET", "nope", "new"],
        &["GETDEL", "m4"],
        &["GETDEL", "m4"],
        &["GETEX", "m3"],
        &["GETEX", "m3", "PERSIST"],
        &["GETEX", "m3", "PXAT", "4000000000000"],
        &["GETEX", "m3", "PERSIST"],
        &["GETEX", "m3", "EX"],
        &["APPEND", "m3", "abc"],
        &["APPEND", "new", "abc"],
        &["SETRANGE", "new", "10", "x"],
        &["SETRANGE", "new2", "0", ""],
        &["SETRANGE", "new2", "-1", "a"],
        &["INCR", "n"],
        &["INCRBY", "n", "41"],
        &["DECRBY", "n", "-9223372036854775808"],
        &["INCRBY", "n", "9223372036854775807"],
        &["INCR", "new"],
        &["DECR", "n"],
    ];
    for c in fixed {
        o.run_str(c);
    }
    // Relative expiries: their replies are the same; their propagation is absolute.
    for c in [
        &["SET", "e1", "v", "EX", "100"][..],
        &["SETEX", "e2", "100", "v"],
        &["PSETEX", "e3", "100000", "v"],
        &["GETEX", "e3", "EX", "50"],
    ] {
        o.run_str(c);
    }
    let mut r = Rng::new(7);
    let keys = ["k0", "k1", "k2", "k3"];
    for _ in 0..300 {
        let k = *r.pick(&keys);
        let v = format!("{}", r.below(100));
        match r.below(8) {
            0 => o.run_str(&["SET", k, &v]),
            1 => o.run_str(&["INCRBY", k, &v]),
            2 => o.run_str(&["APPEND", k, &v]),
            3 => o.run_str(&["GETDEL", k]),
            4 => o.run_str(&["SETRANGE", k, &v, "z"]),
            5 => o.run_str(&["MSETNX", k, &v, "k9", "1"]),
            6 => o.run_str(&["GETSET", k, &v]),
            _ => o.run_str(&["SET", k, &v, "PX", "100000", "GET"]),
        };
    }
    o.finish();
}

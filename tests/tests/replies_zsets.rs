//! The sorted-set commands answering a client, next to a real Redis 7.0: replies,
//! change counts, the data (`DEBUG DIGEST`) and what they propagate (see
//! `e2e::oracle`).

use e2e::oracle::Oracle;
use e2e::populate::Rng;

#[test]
fn zset_commands_reply_count_and_propagate_as_redis() {
    let mut o = Oracle::new();
    let long = "L".repeat(70);
    let fixed: &[&[&str]] = &[
        // ZADD and its options.
        &["ZADD", "z", "1", "a", "2", "b", "3", "c"],
        &["ZADD", "z", "1", "a", "5", "b", "4", "d"],
        &["ZADD", "z", "CH", "1", "a", "6", "b", "7", "e"],
        &["ZADD", "z", "NX", "10", "a", "8", "f"],
        &["ZADD", "z", "XX", "20", "a", "9", "g"],
        &["ZADD", "z", "XX", "CH", "21", "a", "9", "g"],
        &["ZADD", "z", "GT", "CH", "0", "a", "30", "b", "11", "h"],
        &["ZADD", "z", "LT", "CH", "100", "a", "-1", "c"],
        &["ZADD", "z", "XX", "GT", "CH", "25", "b", "1", "nope"],
        &["ZADD", "z", "xx", "lt", "ch", "-5", "d"],
        &["ZADD", "z", "INCR", "2", "a"],
        &["ZADD", "z", "INCR", "2", "new"],
        &["ZADD", "z", "NX", "INCR", "2", "a"],
        &["ZADD", "z", "XX", "INCR", "2", "missing"],
        &["ZADD", "z", "GT", "INCR", "-5", "c"],
        &["ZADD", "z", "LT", "INCR", "-5", "c"],
        &["ZADD", "z", "INCR", "0", "a"],
        &["ZADD", "z", "CH", "1", "a", "1", "a"],
        &["ZADD", "none", "XX", "1", "a"],
        &["ZADD", "none", "XX", "INCR", "1", "a"],
        &["ZADD", "none", "XX", "CH", "1", "a", "2", "b"],
        &["ZADD", "z", "NX", "XX", "1", "a"],
        &["ZADD", "z", "GT", "LT", "1", "a"],
        &["ZADD", "z", "NX", "GT", "1", "a"],
        &["ZADD", "z", "NX", "LT", "1", "a"],
        &["ZADD", "z", "INCR", "1", "a", "2", "b"],
        &["ZADD", "z", "1", "a", "2"],
        &["ZADD", "z", "NX", "CH"],
        &["ZADD", "z", "x", "a"],
        &["ZADD", "z", "1", "a", "nan", "b"],
        &["ZADD", "z", " 1", "a"],
        &["ZADD", "z"],
        &[
            "ZADD", "z", "0x10", "hex", "1e3", "exp", "-inf", "ninf", "+inf", "pinf",
        ],
        &["ZADD", "infs", "inf", "a"],
        &["ZADD", "infs", "INCR", "-inf", "a"],
        &["ZINCRBY", "infs", "-inf", "a"],
        &["ZINCRBY", "infs", "1", "a"],
        &["ZADD", "zero", "0", "a"],
        &["ZADD", "zero", "INCR", "-0", "a"],
        &["ZADD", "zero", "INCR", "-0", "b"],
        &["ZINCRBY", "zero", "-0", "c"],
        &["ZINCRBY", "zero", "0.1", "d"],
        &["ZINCRBY", "zero", "0.2", "d"],
        &["ZINCRBY", "zero", "1e300", "e"],
        &["ZINCRBY", "zero", "1e308", "e"],
        &["ZINCRBY", "zero", "1e308", "e"],
        &["ZINCRBY", "zero", "x", "a"],
        &["ZINCRBY", "zero", "nx", "a"],
        &["ZINCRBY", "zero", "incr", "xx"],
        &["SET", "str", "v"],
        &["ZADD", "str", "1", "a"],
        &["ZADD", "str", "x", "a"],
        &["ZINCRBY", "str", "1", "a"],
        // ZREM.
        &["ZREM", "z", "nope"],
        &["ZREM", "z", "a", "a", "nope", "b"],
        &["ZREM", "missing", "a"],
        &["ZREM", "str", "a"],
        &["ZADD", "two", "1", "a", "2", "b"],
        &["ZREM", "two", "a", "b", "c"],
        &["ZREM", "two", "a"],
        // ZREMRANGEBY*.
        &[
            "ZADD", "r", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f",
        ],
        &["ZREMRANGEBYSCORE", "r", "(1", "2"],
        &["ZREMRANGEBYSCORE", "r", "10", "20"],
        &["ZREMRANGEBYSCORE", "r", "5", "1"],
        &["ZREMRANGEBYSCORE", "r", "x", "1"],
        &["ZREMRANGEBYSCORE", "r", "1", "(x"],
        &["ZREMRANGEBYSCORE", "r", "nan", "1"],
        &["ZREMRANGEBYSCORE", "missing", "-inf", "+inf"],
        &["ZREMRANGEBYSCORE", "str", "-inf", "+inf"],
        &["ZREMRANGEBYRANK", "r", "-1", "-1"],
        &["ZREMRANGEBYRANK", "r", "10", "20"],
        &["ZREMRANGEBYRANK", "r", "2", "1"],
        &["ZREMRANGEBYRANK", "r", "a", "1"],
        &["ZREMRANGEBYRANK", "r", "0", "1.5"],
        &["ZREMRANGEBYRANK", "missing", "0", "-1"],
        &["ZREMRANGEBYRANK", "str", "0", "-1"],
        &["ZREMRANGEBYRANK", "r", "-100", "0"],
        &[
            "ZREMRANGEBYRANK",
            "r",
            "-9223372036854775808",
            "9223372036854775807",
        ],
        &["ZREMRANGEBYRANK", "r", "0", "9223372036854775808"],
        &["ZPOPMIN", "r", "9223372036854775807"],
        &["ZPOPMIN", "r", "9223372036854775808"],
        &["ZUNIONSTORE", "u", "9223372036854775807", "r"],
        &["ZUNIONSTORE", "u", "9223372036854775808", "r"],
        &["ZMPOP", "9223372036854775807", "r", "MIN"],
        &["ZMPOP", "1", "r", "MIN", "COUNT", "9223372036854775807"],
        &["ZRANGESTORE", "o", "r", "0", "-9223372036854775808"],
        &[
            "ZRANGESTORE",
            "o",
            "r",
            "-inf",
            "inf",
            "BYSCORE",
            "LIMIT",
            "9223372036854775807",
            "-9223372036854775808",
        ],
        &["ZREMRANGEBYSCORE", "r", "-inf", "+inf"],
        &[
            "ZADD", "lex", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e",
        ],
        &["ZREMRANGEBYLEX", "lex", "[b", "(d"],
        &["ZREMRANGEBYLEX", "lex", "(e", "+"],
        &["ZREMRANGEBYLEX", "lex", "+", "-"],
        &["ZREMRANGEBYLEX", "lex", "b", "c"],
        &["ZREMRANGEBYLEX", "lex", "[a", "x"],
        &["ZREMRANGEBYLEX", "missing", "-", "+"],
        &["ZREMRANGEBYLEX", "str", "-", "+"],
        &["ZREMRANGEBYLEX", "lex", "-", "+"],
        // ZPOPMIN / ZPOPMAX.
        &[
            "ZADD", "p", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e",
        ],
        &["ZPOPMIN", "p"],
        &["ZPOPMAX", "p"],
        &["ZPOPMIN", "p", "2"],
        &["ZPOPMAX", "p", "0"],
        &["ZPOPMIN", "p", "-1"],
        &["ZPOPMIN", "p", "x"],
        &["ZPOPMIN", "p", "1", "2"],
        &["ZPOPMAX", "p", "10"],
        &["ZPOPMIN", "p"],
        &["ZPOPMIN", "p", "0"],
        &["ZPOPMIN", "str"],
        &["ZPOPMAX", "str", "0"],
        // BZPOPMIN / BZPOPMAX (with something to pop, or blocking a moment).
        &["ZADD", "b1", "1", "a", "2", "b"],
        &["ZADD", "b2", "3", "c"],
        &["BZPOPMIN", "missing", "b1", "b2", "0"],
        &["BZPOPMAX", "b2", "b1", "1"],
        &["BZPOPMAX", "missing", "b1", "0.5"],
        &["BZPOPMIN", "missing", "b1", "0.01"],
        &["BZPOPMIN", "missing", "str", "0"],
        &["BZPOPMIN", "missing", "-1"],
        &["BZPOPMIN", "missing", "x"],
        &["BZPOPMIN", "missing", "inf"],
        &["BZPOPMIN", "missing", "1e30"],
        &["BZPOPMIN", "missing", "nan"],
        &["BZPOPMIN", "missing", "1e4931"],
        &["BZPOPMIN", "missing", "1e4933"],
        &["BZPOPMIN", "missing", "-1e5000"],
        &["BZPOPMIN", "missing", "1e-5000"],
        &["BZPOPMIN", "missing", "1e-400"],
        &["BZPOPMIN", "str", "-0.0001"],
        // ZMPOP / BZMPOP.
        &["ZADD", "m1", "1", "a", "2", "b", "3", "c"],
        &["ZADD", "m2", "4", "d"],
        &["ZMPOP", "2", "missing", "m1", "MIN"],
        &["ZMPOP", "2", "m2", "m1", "max", "COUNT", "5"],
        &["ZMPOP", "2", "m2", "m1", "MAX", "COUNT", "5"],
        &["ZMPOP", "1", "m1", "MIN", "COUNT", "5"],
        &["ZMPOP", "2", "m1", "m2", "MIN"],
        &["ZMPOP", "0", "m1", "MIN"],
        &["ZMPOP", "-1", "m1", "MIN"],
        &["ZMPOP", "x", "m1", "MIN"],
        &["ZMPOP", "5", "m1", "MIN"],
        &["ZMPOP", "1", "m1", "MID"],
        &["ZMPOP", "1", "m1", "MIN", "COUNT", "0"],
        &["ZMPOP", "1", "m1", "MIN", "COUNT", "x"],
        &["ZMPOP", "1", "m1", "MIN", "COUNT"],
        &["ZMPOP", "1", "m1", "MIN", "COUNT", "1", "COUNT", "2"],
        &["ZMPOP", "1", "m1", "MIN", "junk"],
        &["ZMPOP", "2", "missing", "str", "MIN"],
        &["ZADD", "m1", "1", "a", "2", "b", "3", "c"],
        &["BZMPOP", "0", "2", "missing", "m1", "MIN", "COUNT", "2"],
        &["BZMPOP", "0.5", "1", "m1", "MAX"],
        &["BZMPOP", "0.01", "1", "m1", "MAX"],
        &["BZMPOP", "0.01", "2", "missing", "m1", "MAX", "COUNT", "3"],
        &["BZMPOP", "-1", "1", "m1", "MAX"],
        &["BZMPOP", "x", "1", "m1", "MAX"],
        &["BZMPOP", "inf", "1", "m1", "MAX"],
        &["BZMPOP", "0", "0", "m1", "MAX"],
        &["BZMPOP", "x", "1", "m1", "MAX", "COUNT", "0"],
        &["BZMPOP", "0", "1", "str", "MAX"],
        // Z*STORE.
        &["ZADD", "s1", "1", "a", "2", "b", "3", "c"],
        &["ZADD", "s2", "10", "b", "20", "c", "30", "d"],
        &["ZADD", "s3", "inf", "a", "-inf", "b"],
        &["ZUNIONSTORE", "u", "2", "s1", "s2"],
        &[
            "ZUNIONSTORE",
            "u",
            "3",
            "s1",
            "s2",
            "missing",
            "WEIGHTS",
            "2",
            "0.5",
            "1",
        ],
        &["ZUNIONSTORE", "u", "2", "s1", "s2", "AGGREGATE", "MIN"],
        &[
            "ZUNIONSTORE",
            "u",
            "2",
            "s1",
            "s2",
            "aggregate",
            "max",
            "weights",
            "-1",
            "1",
        ],
        &["ZUNIONSTORE", "u", "2", "s1", "s3", "WEIGHTS", "-inf", "1"],
        &["ZUNIONSTORE", "u", "2", "s3", "s3", "WEIGHTS", "1", "-1"],
        &["ZINTERSTORE", "i", "2", "s1", "s2"],
        &[
            "ZINTERSTORE",
            "i",
            "2",
            "s1",
            "s2",
            "AGGREGATE",
            "MAX",
            "WEIGHTS",
            "3",
            "0",
        ],
        &["ZINTERSTORE", "i", "2", "s1", "s3", "WEIGHTS", "0", "1"],
        &["ZDIFFSTORE", "d", "2", "s1", "s2"],
        &["ZDIFFSTORE", "d", "1", "s2"],
        &["ZDIFFSTORE", "d", "2", "s1", "s1"],
        &["ZDIFFSTORE", "d", "2", "s1", "s1"],
        &["ZINTERSTORE", "i", "2", "s1", "missing"],
        &["ZINTERSTORE", "i", "2", "s1", "missing"],
        &["ZUNIONSTORE", "str", "1", "missing"],
        &["SET", "str", "v"],
        &["ZUNIONSTORE", "str2", "1", "missing"],
        &["ZUNIONSTORE", "u", "0", "s1"],
        &["ZINTERSTORE", "u", "-1", "s1"],
        &["ZDIFFSTORE", "u", "0", "s1"],
        &["ZUNIONSTORE", "u", "x", "s1"],
        &["ZUNIONSTORE", "u", "3", "s1", "s2"],
        &["ZUNIONSTORE", "u", "2", "s1", "str"],
        &["ZUNIONSTORE", "u", "2", "s1", "s2", "WEIGHTS", "1"],
        &["ZUNIONSTORE", "u", "2", "s1", "s2", "WEIGHTS", "1", "x"],
        &["ZUNIONSTORE", "u", "2", "s1", "s2", "WEIGHTS", "1", "nan"],
        &["ZUNIONSTORE", "u", "2", "s1", "s2", "AGGREGATE", "AVG"],
        &["ZUNIONSTORE", "u", "2", "s1", "s2", "AGGREGATE"],
        &["ZUNIONSTORE", "u", "2", "s1", "s2", "WITHSCORES"],
        &["ZDIFFSTORE", "u", "2", "s1", "s2", "WEIGHTS", "1", "1"],
        &["ZDIFFSTORE", "u", "2", "s1", "s2", "AGGREGATE", "MIN"],
        // ZRANGESTORE.
        &[
            "ZADD", "rs", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e",
        ],
        &["ZRANGESTORE", "o", "rs", "0", "-1"],
        &["ZRANGESTORE", "o", "rs", "1", "2", "REV"],
        &["ZRANGESTORE", "o", "rs", "-2", "100"],
        &["ZRANGESTORE", "o", "rs", "(1", "4", "BYSCORE"],
        &["ZRANGESTORE", "o", "rs", "4", "(1", "BYSCORE", "REV"],
        &[
            "ZRANGESTORE",
            "o",
            "rs",
            "-inf",
            "+inf",
            "BYSCORE",
            "LIMIT",
            "1",
            "2",
        ],
        &[
            "ZRANGESTORE",
            "o",
            "rs",
            "+inf",
            "-inf",
            "BYSCORE",
            "REV",
            "LIMIT",
            "1",
            "-1",
        ],
        &[
            "ZRANGESTORE",
            "o",
            "rs",
            "-inf",
            "+inf",
            "BYSCORE",
            "LIMIT",
            "10",
            "2",
        ],
        &[
            "ZRANGESTORE",
            "o2",
            "rs",
            "-inf",
            "+inf",
            "BYSCORE",
            "LIMIT",
            "-1",
            "2",
        ],
        &["ZRANGESTORE", "o", "lex2", "-", "+", "BYLEX"],
        &["ZADD", "lex2", "0", "a", "0", "b", "0", "c", "0", "d"],
        &["ZRANGESTORE", "o", "lex2", "[b", "+", "BYLEX"],
        &[
            "ZRANGESTORE",
            "o",
            "lex2",
            "(c",
            "-",
            "BYLEX",
            "REV",
            "LIMIT",
            "0",
            "1",
        ],
        &["ZRANGESTORE", "o", "lex2", "x", "+", "BYLEX"],
        &["ZRANGESTORE", "o", "rs", "x", "1", "BYSCORE"],
        &["ZRANGESTORE", "o", "rs", "x", "1"],
        &["ZRANGESTORE", "o", "rs", "0", "1", "LIMIT", "0", "1"],
        &[
            "ZRANGESTORE",
            "o",
            "rs",
            "0",
            "1",
            "BYSCORE",
            "LIMIT",
            "x",
            "1",
        ],
        &["ZRANGESTORE", "o", "rs", "0", "1", "BYSCORE", "BYLEX"],
        &["ZRANGESTORE", "o", "rs", "0", "1", "REV", "REV"],
        &["ZRANGESTORE", "o", "rs", "0", "1", "WITHSCORES"],
        &["ZRANGESTORE", "o", "rs", "0", "1", "LIMIT", "1"],
        &["ZRANGESTORE", "o", "str", "0", "1"],
        &["ZRANGESTORE", "o", "rs", "10", "20"],
        &["ZRANGESTORE", "o", "rs", "10", "20"],
        &["ZRANGESTORE", "str", "missing", "0", "-1"],
        &["ZRANGESTORE", "rs", "rs", "0", "1"],
    ];
    for c in fixed {
        o.run_str(c);
    }
    // Long members make a skiplist; `-0` stays `-0` there.
    let neg_zero: &[&[&str]] = &[
        &["ZADD", "big", "1", &long, "-0", "a"],
        &["ZINCRBY", "big", "-0", "b"],
        &["ZADD", "big", "INCR", "0", "b"],
        &["ZPOPMIN", "big", "2"],
        &["ZADD", "big", "-0", "a"],
        &["ZUNIONSTORE", "bigu", "1", "big", "WEIGHTS", "-1"],
        &["ZRANGESTORE", "bigr", "big", "0", "-1", "REV"],
        &["ZMPOP", "1", "big", "MAX", "COUNT", "10"],
    ];
    for c in neg_zero {
        o.run_str(c);
    }
    // A blocking pop in a transaction cannot block: it answers the timeout's nil.
    // (The server's change count cannot be read inside MULTI: not compared here.)
    o.check_dirty = false;
    for c in [
        &["MULTI"][..],
        &["BZPOPMIN", "missing", "0"],
        &["BZMPOP", "0", "1", "missing", "MIN"],
        &["ZADD", "t", "1", "a"],
        &["BZPOPMAX", "missing", "t", "0"],
        &["EXEC"],
    ] {
        o.run_str(c);
    }
    o.check_dirty = true;
    // Takes the server's change count again (a no-op on both sides).
    o.run_engine_first(&[b"ZREM", b"missing", b"x"]);

    let mut r = Rng::new(11);
    let keys = ["z0", "z1", "z2", "z3"];
    let members = ["a", "b", "c", "d", "e", "f", "g", "h"];
    let scores = ["0", "1", "2", "-1", "2.5", "10", "-inf", "inf", "1e3", "-0"];
    for _ in 0..400 {
        let k = *r.pick(&keys);
        let k2 = *r.pick(&keys);
        let m = *r.pick(&members);
        let s = *r.pick(&scores);
        let n = format!("{}", r.below(4));
        let i = format!("{}", r.below(8) as i64 - 4);
        match r.below(16) {
            0..=3 => {
                let mut cmd = vec!["ZADD", k];
                for opt in ["NX", "XX", "GT", "LT", "CH"] {
                    if r.chance(15) {
                        cmd.push(opt);
                    }
                }
                let pairs = if r.chance(20) {
                    cmd.push("INCR");
                    1
                } else {
                    1 + r.below(3)
                };
                for _ in 0..pairs {
                    cmd.push(*r.pick(&scores));
                    cmd.push(*r.pick(&members));
                }
                o.run_str(&cmd)
            }
            4 => o.run_str(&["ZINCRBY", k, s, m]),
            5 => o.run_str(&["ZREM", k, m, *r.pick(&members)]),
            6 => o.run_str(&["ZREMRANGEBYSCORE", k, s, *r.pick(&scores)]),
            7 => o.run_str(&["ZREMRANGEBYRANK", k, &i, &n]),
            8 => o.run_str(&[*r.pick(&["ZPOPMIN", "ZPOPMAX"]), k, &n]),
            9 => o.run_str(&["ZMPOP", "2", k, k2, *r.pick(&["MIN", "MAX"]), "COUNT", "2"]),
            10 => o.run_str(&[*r.pick(&["BZPOPMIN", "BZPOPMAX"]), k, k2, "0.01"]),
            11 => o.run_str(&["BZMPOP", "0.01", "1", k, "MAX"]),
            12 => o.run_str(&[
                *r.pick(&["ZUNIONSTORE", "ZINTERSTORE"]),
                k,
                "2",
                k2,
                *r.pick(&keys),
                "WEIGHTS",
                s,
                "2",
                "AGGREGATE",
                *r.pick(&["SUM", "MIN", "MAX"]),
            ]),
            13 => o.run_str(&["ZDIFFSTORE", k, "2", k2, *r.pick(&keys)]),
            14 => {
                let mut cmd = vec!["ZRANGESTORE", k, k2, &i, &n];
                if r.chance(50) {
                    cmd.push("REV");
                }
                o.run_str(&cmd)
            }
            _ => o.run_str(&[
                "ZRANGESTORE",
                k,
                k2,
                s,
                *r.pick(&scores),
                "BYSCORE",
                "LIMIT",
                &n,
                "3",
            ]),
        };
    }
    // Sets past the listpack limits (129+ members, long members): skiplists.
    let mut r = Rng::new(12);
    let big: Vec<String> = (0..160).map(|i| format!("m{i}")).collect();
    let long_members: Vec<String> = (0..4).map(|i| format!("{i}{long}")).collect();
    for _ in 0..300 {
        let k = *r.pick(&["y0", "y1"]);
        let k2 = *r.pick(&["y0", "y1", "z0"]);
        let m = if r.chance(5) {
            r.pick(&long_members).as_str()
        } else {
            r.pick(&big).as_str()
        };
        let s = *r.pick(&scores);
        let n = format!("{}", r.below(40));
        match r.below(10) {
            0..=4 => {
                let mut cmd = vec!["ZADD", k];
                for _ in 0..1 + r.below(20) {
                    cmd.push(*r.pick(&scores));
                    cmd.push(r.pick(&big).as_str());
                }
                cmd.push(s);
                cmd.push(m);
                o.run_str(&cmd)
            }
            5 => o.run_str(&["ZINCRBY", k, s, m]),
            6 => o.run_str(&["ZREMRANGEBYRANK", k, "0", &n]),
            7 => o.run_str(&["ZMPOP", "1", k, *r.pick(&["MIN", "MAX"]), "COUNT", &n]),
            8 => o.run_str(&["ZUNIONSTORE", k, "2", k, k2, "AGGREGATE", "MAX"]),
            _ => o.run_str(&["ZRANGESTORE", k2, k, s, "+inf", "BYSCORE", "LIMIT", "0", &n]),
        };
    }
    o.finish();
}

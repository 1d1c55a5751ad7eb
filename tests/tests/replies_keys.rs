//! The keyspace commands (DEL, the EXPIRE family, RENAME, MOVE, COPY, SWAPDB, FLUSH*),
//! RESTORE, FUNCTION LOAD/DELETE/FLUSH/RESTORE, INCRBYFLOAT, SETBIT, BITFIELD and BITOP
//! answering a client, next to a real Redis 7.0: replies, change counts, the data
//! (`DEBUG DIGEST`) and what they propagate (see `e2e::oracle`).

use e2e::oracle::Oracle;
use e2e::populate::Rng;

/// Runs each command (all `&str` arguments) on both sides.
fn run_all(o: &mut Oracle, cmds: &[&[&str]]) {
    for c in cmds {
        o.run_str(c);
    }
}

/// The server's DUMP of a value built there by `build` (commands of other families the
/// engine may not answer yet), then deleted there again.
fn dump_of(o: &mut Oracle, build: &[&[&str]]) -> Vec<u8> {
    let s = o.server();
    for c in build {
        let r = s.call(c);
        assert!(!r.is_error(), "{c:?}: {r:?}");
    }
    let key = build[0][1];
    let p = s
        .call(&["DUMP", key])
        .as_bytes()
        .expect("DUMP gives a payload")
        .to_vec();
    s.call(&["DEL", key]);
    p
}

#[test]
fn keyspace_commands_reply_count_and_propagate_as_redis() {
    let mut o = Oracle::new();
    run_all(
        &mut o,
        &[
            &["SET", "a", "1"],
            &["SET", "b", "2"],
            &["SET", "c", "3"],
            &["DEL", "a", "nope", "a"],
            &["DEL", "nope"],
            &["UNLINK", "b", "c", "x"],
            // The EXPIRE family: options, errors, relative and absolute times.
            &["SET", "e", "v"],
            &["EXPIRE", "e", "1000"],
            &["EXPIRE", "nope", "1000"],
            &["EXPIRE", "e", "x"],
            &["EXPIRE", "e", "100", "NX", "XX"],
            &["EXPIRE", "e", "100", "NX", "GT"],
            &["EXPIRE", "e", "100", "GT", "LT"],
            &["EXPIRE", "e", "100", "FOO"],
            &["EXPIRE", "e", "x", "FOO"],
            &["EXPIRE", "e", "9223372036854775807"],
            &["PEXPIRE", "e", "9223372036854775807"],
            &["EXPIREAT", "e", "-9223372036854775808"],
            &["EXPIRE", "e", "2000", "NX"],
            &["EXPIRE", "e", "2000", "XX"],
            &["EXPIRE", "e", "500", "GT"],
            &["EXPIRE", "e", "5000", "GT"],
            &["EXPIRE", "e", "9000", "LT"],
            &["PEXPIRE", "e", "100000", "LT"],
            &["PEXPIREAT", "e", "4000000000000", "gt"],
            &["EXPIREAT", "e", "4100000000", "xx"],
            &["PERSIST", "e"],
            &["PERSIST", "e"],
            &["PERSIST", "nope"],
            &["EXPIRE", "e", "100", "XX"],
            &["EXPIRE", "e", "100", "GT"],
            &["EXPIRE", "e", "100", "LT"],
            &["PEXPIREAT", "e", "5000000000000", "NX"],
            // A time already past deletes the key (propagated as DEL).
            &["SET", "p1", "v"],
            &["SET", "p2", "v"],
            &["SET", "p3", "v"],
            &["SET", "p4", "v"],
            &["EXPIRE", "p1", "-1"],
            &["PEXPIRE", "p2", "0"],
            &["EXPIREAT", "p3", "1"],
            &["PEXPIREAT", "p4", "100"],
            &["EXPIRE", "p1", "-1"],
            // RENAME / RENAMENX.
            &["SET", "r1", "v"],
            &["PEXPIREAT", "r1", "4000000000000"],
            &["RENAME", "r1", "r2"],
            &["RENAME", "r1", "r2"],
            &["RENAME", "r2", "r2"],
            &["RENAME", "nope", "nope"],
            &["RENAMENX", "r2", "r2"],
            &["RENAMENX", "nope", "x"],
            &["SET", "r3", "w"],
            &["RENAMENX", "r2", "r3"],
            &["RENAME", "r3", "r2"],
            &["RENAMENX", "r2", "r4"],
            // MOVE.
            &["SET", "m", "v"],
            &["MOVE", "m", "0"],
            &["MOVE", "m", "16"],
            &["MOVE", "m", "-1"],
            &["MOVE", "m", "x"],
            &["MOVE", "m", "4294967296"],
            &["MOVE", "nope", "1"],
            &["MOVE", "m", "1"],
            &["SET", "m", "again"],
            &["MOVE", "m", "1"],
            // COPY.
            &["SET", "s", "v"],
            &["PEXPIREAT", "s", "4000000000000"],
            &["COPY", "s", "t"],
            &["COPY", "s", "t"],
            &["COPY", "s", "t", "REPLACE"],
            &["COPY", "s", "s"],
            &["COPY", "s", "s", "DB", "0"],
            &["COPY", "s", "s", "DB", "2"],
            &["COPY", "s", "t", "DB", "2", "REPLACE"],
            &["COPY", "s", "t", "DB", "16"],
            &["COPY", "s", "t", "DB", "x"],
            &["COPY", "s", "t", "DB"],
            &["COPY", "s", "t", "FOO"],
            &["COPY", "nope", "t"],
            // SWAPDB.
            &["SWAPDB", "0", "2"],
            &["SWAPDB", "0", "0"],
            &["SWAPDB", "x", "0"],
            &["SWAPDB", "0", "x"],
            &["SWAPDB", "0", "16"],
            &["SWAPDB", "-1", "0"],
            &["SWAPDB", "2", "0"],
            // FLUSHDB / FLUSHALL: propagated even when nothing was deleted.
            &["SELECT", "3"],
            &["FLUSHDB"],
            &["SET", "f", "v"],
            &["FLUSHDB", "ASYNC"],
            &["FLUSHDB", "sync"],
            &["FLUSHDB", "x"],
            &["FLUSHDB", "ASYNC", "x"],
            &["SELECT", "1"],
            &["FLUSHALL", "x"],
            &["FLUSHALL", "SYNC"],
            &["FLUSHALL"],
            &["SELECT", "0"],
        ],
    );
    // Relative expiries.
    run_all(
        &mut o,
        &[
            &["SET", "k", "v"],
            &["EXPIRE", "k", "100000"],
            &["PEXPIRE", "k", "200000000", "GT"],
            &["EXPIRE", "k", "50000", "LT"],
        ],
    );
    // Destinations in another db that have just expired: Redis deletes them as it
    // looks them up, and the MOVE / COPY succeeds.
    run_all(
        &mut o,
        &[
            &["SELECT", "1"],
            &["SET", "mv", "old"],
            &["SET", "cp", "old"],
            &["PEXPIRE", "mv", "20"],
            &["PEXPIRE", "cp", "20"],
            &["SELECT", "0"],
            &["SET", "mv", "new"],
            &["SET", "cp", "new"],
        ],
    );
    std::thread::sleep(std::time::Duration::from_millis(60));
    run_all(
        &mut o,
        &[&["MOVE", "mv", "1"], &["COPY", "cp", "cp", "DB", "1"]],
    );

    let mut r = Rng::new(11);
    let keys = ["k0", "k1", "k2", "k3", "k4"];
    for _ in 0..400 {
        let k = *r.pick(&keys);
        let k2 = *r.pick(&keys);
        let n = r.below(100).to_string();
        match r.below(14) {
            0 | 1 => o.run_str(&["SET", k, &n]),
            2 => o.run_str(&["DEL", k, k2]),
            3 => o.run_str(&["EXPIRE", k, "100000", *r.pick(&["NX", "XX", "GT", "LT"])]),
            4 => o.run_str(&["PEXPIREAT", k, "4000000000000"]),
            5 => o.run_str(&["EXPIRE", k, "-5"]),
            6 => o.run_str(&["PERSIST", k]),
            7 => o.run_str(&["RENAME", k, k2]),
            8 => o.run_str(&["RENAMENX", k, k2]),
            9 => o.run_str(&["COPY", k, k2, "REPLACE"]),
            10 => o.run_str(&["COPY", k, k2, "DB", "1"]),
            11 => o.run_str(&["MOVE", k, "1"]),
            12 => o.run_str(&["UNLINK", k]),
            _ => o.run_str(&["SWAPDB", "0", "1"]),
        };
    }
    o.finish();
}

#[test]
fn restore_and_function_reply_count_and_propagate_as_redis() {
    let mut o = Oracle::new();
    o.run_str(&["SET", "s", "hello"]);
    let list = dump_of(&mut o, &[&["RPUSH", "tmp", "a", "b", "c"]]);
    let hash = dump_of(&mut o, &[&["HSET", "tmp", "f", "1", "g", "2"]]);
    let zset = dump_of(&mut o, &[&["ZADD", "tmp", "1", "x", "2.5", "y"]]);
    let set = dump_of(&mut o, &[&["SADD", "tmp", "1", "2", "x"]]);
    let stream = dump_of(
        &mut o,
        &[
            &["XADD", "tmp", "1-1", "f", "v"],
            &["XGROUP", "CREATE", "tmp", "g", "0"],
        ],
    );
    let string = o.server().call(&["DUMP", "s"]).as_bytes().unwrap().to_vec();
    // The server's direct changes above: the next command resynchronises the counts.
    o.run_engine_first(&[b"RESTORE", b"l", b"0", &list]);

    let mut bad_crc = string.clone();
    let last = bad_crc.len() - 1;
    bad_crc[last] ^= 1;
    let mut newer = string.clone();
    let v = newer.len() - 10;
    newer[v] = 11;
    let bad_body = {
        let mut p = vec![0u8, 50, b'x'];
        p.extend_from_slice(&10u16.to_le_bytes());
        let crc = formats::crc::crc64(&p);
        p.extend_from_slice(&crc.to_le_bytes());
        p
    };
    let cmds: &[&[&[u8]]] = &[
        &[b"RESTORE", b"h", b"0", &hash],
        &[b"RESTORE", b"z", b"0", &zset],
        &[b"RESTORE", b"st", b"0", &set],
        &[b"RESTORE", b"x", b"0", &stream],
        &[b"RESTORE", b"h", b"0", &hash],
        &[b"RESTORE", b"h", b"0", &string, b"REPLACE"],
        &[b"RESTORE", b"t1", b"100000", &string],
        &[b"RESTORE", b"t2", b"4000000000000", &string, b"ABSTTL"],
        &[b"RESTORE", b"t3", b"1", &string, b"ABSTTL"],
        &[b"RESTORE", b"t2", b"1", &string, b"ABSTTL", b"REPLACE"],
        &[
            b"RESTORE",
            b"t4",
            b"0",
            &string,
            b"IDLETIME",
            b"10",
            b"REPLACE",
        ],
        &[b"RESTORE", b"t5", b"0", &string, b"FREQ", b"10"],
        &[b"RESTORE", b"t6", b"0", &string, b"FREQ", b"256"],
        &[b"RESTORE", b"t6", b"0", &string, b"FREQ", b"-1"],
        &[b"RESTORE", b"t6", b"0", &string, b"IDLETIME", b"-1"],
        &[b"RESTORE", b"t6", b"0", &string, b"IDLETIME", b"x"],
        &[
            b"RESTORE",
            b"t6",
            b"0",
            &string,
            b"IDLETIME",
            b"1",
            b"FREQ",
            b"1",
        ],
        &[b"RESTORE", b"t6", b"0", &string, b"FOO"],
        &[b"RESTORE", b"t6", b"0", &string, b"IDLETIME"],
        &[b"RESTORE", b"t6", b"-1", &string],
        &[b"RESTORE", b"t6", b"x", &string],
        &[b"RESTORE", b"t6", b"0", &bad_crc],
        &[b"RESTORE", b"t6", b"0", &newer],
        &[b"RESTORE", b"t6", b"0", b"short"],
        &[b"RESTORE", b"t6", b"0", &bad_body],
        &[b"RESTORE", b"h", b"x", &string],
        // Wrong types for the string commands of this family.
        &[b"INCRBYFLOAT", b"l", b"1"],
        &[b"SETBIT", b"h", b"1", b"1"],
        &[b"BITFIELD", b"z", b"GET", b"u8", b"0"],
        &[b"BITFIELD", b"z", b"SET", b"u8", b"0", b"1"],
        &[b"BITOP", b"OR", b"dest", b"s", b"l"],
        &[b"COPY", b"x", b"x2"],
        &[b"RENAME", b"z", b"z2"],
        &[b"MOVE", b"st", b"2"],
    ];
    for c in cmds {
        o.run(c);
    }

    let lib = "#!lua name=lib1\nredis.register_function('f1', function() return 1 end)";
    let lib_again = "#!lua name=lib1\nredis.register_function('f2', function() return 2 end)";
    let lib2 = "#!LUA name=lib2\nredis.register_function('g1', function() return 1 end)";
    run_all(
        &mut o,
        &[
            &["FUNCTION", "LOAD", lib],
            &["FUNCTION", "LOAD", lib],
            &["FUNCTION", "LOAD", "REPLACE", lib_again],
            &["FUNCTION", "LOAD", "replace", "REPLACE", lib_again],
            &["FUNCTION", "LOAD", "FOO", lib],
            &["FUNCTION", "LOAD", lib2],
            &["FUNCTION", "LOAD", "return 1"],
            &["FUNCTION", "LOAD", "#!lua name=x"],
            &["FUNCTION", "LOAD", "#!lua\nreturn 1"],
            &["FUNCTION", "LOAD", "#!lua name=a name=b\nreturn 1"],
            &["FUNCTION", "LOAD", "#!lua foo=b\nreturn 1"],
            &["FUNCTION", "LOAD", "#!lua name=a-b\nreturn 1"],
            &["FUNCTION", "LOAD", "#!lua name=\nreturn 1"],
            &["FUNCTION", "LOAD", "#!lua name='a b'\nreturn 1"],
            &[
                "FUNCTION",
                "LOAD",
                "#!lua name=\"lib3\"\nredis.register_function('h1', function() return 1 end)",
            ],
            &["FUNCTION", "DELETE", "lib3"],
            &["FUNCTION", "LOAD", "#!js name=a\nreturn 1"],
            &["FUNCTION", "LOAD"],
            &["FUNCTION", "DELETE", "nope"],
            &["FUNCTION", "DELETE"],
            &["FUNCTION", "DELETE", "lib2"],
            &["FUNCTION", "NOSUCH"],
            &["FUNCTION", "FLUSH", "x"],
            &["FUNCTION", "FLUSH", "ASYNC", "x"],
        ],
    );
    let dump = o
        .server()
        .call(&["FUNCTION", "DUMP"])
        .as_bytes()
        .unwrap()
        .to_vec();
    let fcmds: &[&[&[u8]]] = &[
        &[b"FUNCTION", b"RESTORE", &dump],
        &[b"FUNCTION", b"RESTORE", &dump, b"APPEND"],
        &[b"FUNCTION", b"RESTORE", &dump, b"REPLACE"],
        &[b"FUNCTION", b"RESTORE", &dump, b"FOO"],
        &[b"FUNCTION", b"RESTORE", &dump, b"FLUSH", b"x"],
        &[b"FUNCTION", b"RESTORE", &bad_crc],
        &[b"FUNCTION", b"RESTORE", &string],
        &[b"FUNCTION", b"FLUSH"],
        &[b"FUNCTION", b"FLUSH", b"SYNC"],
        &[b"FUNCTION", b"RESTORE", &dump],
        &[b"FUNCTION", b"RESTORE", &dump, b"FLUSH"],
    ];
    for c in fcmds {
        o.run(c);
    }
    o.finish();
}

#[test]
fn bit_and_float_commands_reply_count_and_propagate_as_redis() {
    let mut o = Oracle::new();
    run_all(
        &mut o,
        &[
            &["SET", "f", "10.50"],
            &["INCRBYFLOAT", "f", "0.1"],
            &["INCRBYFLOAT", "f", "-5.0e3"],
            &["INCRBYFLOAT", "new", "3"],
            &["INCRBYFLOAT", "new", "1.5e-3"],
            &["INCRBYFLOAT", "new", "x"],
            &["INCRBYFLOAT", "new", ""],
            &["INCRBYFLOAT", "new", "inf"],
            &["INCRBYFLOAT", "new", " 1"],
            &["SET", "notnum", "abc"],
            &["INCRBYFLOAT", "notnum", "1"],
            &["SET", "big", "1e308"],
            &["INCRBYFLOAT", "big", "1e308"],
            &["SET", "ttl", "1"],
            &["PEXPIREAT", "ttl", "4000000000000"],
            &["INCRBYFLOAT", "ttl", "0.25"],
            &["INCRBYFLOAT", "ttl", "0"],
            // SETBIT: the old bit; no change when the bit is already so.
            &["SETBIT", "b", "7", "1"],
            &["SETBIT", "b", "7", "1"],
            &["SETBIT", "b", "7", "0"],
            &["SETBIT", "b", "100", "0"],
            &["SETBIT", "b", "3", "0"],
            &["SETBIT", "b", "-1", "1"],
            &["SETBIT", "b", "#1", "1"],
            &["SETBIT", "b", "4294967296", "1"],
            &["SETBIT", "b", "1", "2"],
            &["SETBIT", "b", "1", "x"],
            &["SETBIT", "b2", "0", "0"],
            // BITFIELD.
            &["BITFIELD", "bf"],
            &["BITFIELD", "bf", "GET", "u8", "0"],
            &["BITFIELD_RO", "bf", "GET", "i8", "0"],
            &[
                "BITFIELD", "bf", "SET", "u8", "0", "255", "GET", "u8", "0", "INCRBY", "u8", "0",
                "10",
            ],
            &[
                "BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "i8", "8", "200", "SET", "u4", "#4",
                "-1",
            ],
            &[
                "BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "5", "INCRBY", "u2",
                "0", "1",
            ],
            &[
                "BITFIELD", "bf", "SET", "u8", "0", "9", "SET", "u8", "0", "9",
            ],
            &[
                "BITFIELD", "bf", "SET", "i16", "#1", "-2", "INCRBY", "i5", "100", "-100",
            ],
            &[
                "BITFIELD", "bf", "SET", "i64", "0", "-1", "INCRBY", "u63", "1", "1", "GET", "i64",
                "0",
            ],
            &[
                "BITFIELD", "bf", "OVERFLOW", "WRAP", "INCRBY", "i8", "0", "130",
            ],
            &["BITFIELD", "bf", "GET", "u8", "1000000"],
            &["BITFIELD", "bf2", "SET", "u8", "#3", "0"],
            &["BITFIELD", "bf", "SET", "u64", "0", "1"],
            &["BITFIELD", "bf", "SET", "I8", "0", "1"],
            &["BITFIELD", "bf", "SET", "i0", "0", "1"],
            &["BITFIELD", "bf", "SET", "i8", "-1", "1"],
            &["BITFIELD", "bf", "SET", "i8", "#x", "1"],
            &["BITFIELD", "bf", "SET", "i8", "0", "x"],
            &["BITFIELD", "bf", "OVERFLOW", "X"],
            &["BITFIELD", "bf", "SET", "u8", "0"],
            &["BITFIELD", "bf", "FOO"],
            &["BITFIELD_RO", "bf", "SET", "u8", "0", "1"],
            &["BITFIELD_RO", "bf", "INCRBY", "u8", "0", "1"],
            &["BITFIELD_RO", "nope", "GET", "u8", "0"],
            // BITOP.
            &["SET", "x", "abc"],
            &["SET", "y", "A"],
            &["BITOP", "AND", "d1", "x", "y"],
            &["BITOP", "or", "d2", "x", "y", "missing"],
            &["BITOP", "XOR", "d3", "x", "y"],
            &["BITOP", "NOT", "d4", "y"],
            &["BITOP", "NOT", "d4", "y", "x"],
            &["BITOP", "NAND", "d4", "y"],
            &["SET", "d5", "v"],
            &["BITOP", "OR", "d5", "missing1", "missing2"],
            &["BITOP", "OR", "d5", "missing1"],
            &["BITOP", "AND", "x", "x", "f"],
        ],
    );
    let mut r = Rng::new(5);
    let keys = ["k0", "k1", "k2", "k3"];
    for _ in 0..400 {
        let k = *r.pick(&keys);
        let k2 = *r.pick(&keys);
        let n = r.below(64).to_string();
        let v = r.below(300).to_string();
        let t = *r.pick(&["u8", "i8", "u3", "i13", "u1"]);
        let ow = *r.pick(&["WRAP", "SAT", "FAIL"]);
        match r.below(9) {
            0 => o.run_str(&["SET", k, &n]),
            1 => o.run_str(&["INCRBYFLOAT", k, &format!("{}.{}", r.below(10), n)]),
            2 => o.run_str(&["SETBIT", k, &n, &(r.below(2)).to_string()]),
            3 => o.run_str(&["BITFIELD", k, "SET", t, &n, &v, "GET", t, &n]),
            // (A SET first: Redis does not propagate a BITFIELD whose writes all
            // FAIL, even when it created or grew the string.)
            4 => o.run_str(&[
                "BITFIELD", k, "SET", t, &n, "0", "OVERFLOW", ow, "INCRBY", t, &n, &v,
            ]),
            5 => o.run_str(&["BITOP", *r.pick(&["AND", "OR", "XOR"]), k, k2, "k3"]),
            6 => o.run_str(&["BITOP", "NOT", k, k2]),
            7 => o.run_str(&["DEL", k]),
            _ => o.run_str(&["BITFIELD_RO", k, "GET", t, &n]),
        };
    }
    o.finish();
}

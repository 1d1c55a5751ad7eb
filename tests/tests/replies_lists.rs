//! The list and set commands answering a client, next to a real Redis 7.0: replies,
//! change counts, the data (`DEBUG DIGEST`) and what they propagate (see `e2e::oracle`).
//! SPOP picks at random: it runs on the engine first and Redis gets what it propagated.

use e2e::oracle::Oracle;
use e2e::populate::Rng;
use e2e::resp::Reply;

/// Every list command with its options, errors and edge cases.
const LISTS: &[&[&str]] = &[
    &["LPUSH", "l", "a", "b", "c"],
    &["RPUSH", "l", "x", "y"],
    &["LPUSHX", "l", "h"],
    &["RPUSHX", "l", "t", "u"],
    &["LPUSHX", "none", "a"],
    &["RPUSHX", "none", "a"],
    &["SET", "str", "v"],
    &["LPUSH", "str", "a"],
    &["RPUSHX", "str", "a"],
    &["LINSERT", "l", "BEFORE", "a", "p"],
    &["LINSERT", "l", "after", "a", "q"],
    &["LINSERT", "l", "AFTER", "nope", "q"],
    &["LINSERT", "none", "BEFORE", "a", "q"],
    &["LINSERT", "l", "MIDDLE", "a", "q"],
    &["LINSERT", "none", "MIDDLE", "a", "q"],
    &["LINSERT", "str", "BEFORE", "a", "q"],
    &["LSET", "l", "0", "first"],
    &["LSET", "l", "-1", "last"],
    &["LSET", "l", "100", "x"],
    &["LSET", "l", "-100", "x"],
    &["LSET", "l", "x", "x"],
    &["LSET", "none", "0", "x"],
    &["LSET", "none", "x", "x"],
    &["LSET", "str", "0", "x"],
    &["RPUSH", "r", "x", "1", "x", "2", "x", "3", "x"],
    &["LREM", "r", "2", "x"],
    &["LREM", "r", "-1", "x"],
    &["LREM", "r", "0", "nope"],
    &["LREM", "r", "01", "x"],
    &["LREM", "none", "1", "x"],
    &["LREM", "str", "1", "x"],
    &["LREM", "r", "0", "x"],
    &["RPUSH", "gone", "x", "x"],
    &["LREM", "gone", "0", "x"],
    &["RPUSH", "t", "0", "1", "2", "3", "4", "5", "6", "7"],
    &["LTRIM", "t", "1", "-2"],
    &["LTRIM", "t", "-100", "100"],
    &["LTRIM", "t", "x", "1"],
    &["LTRIM", "t", "0", "y"],
    &["LTRIM", "none", "0", "1"],
    &["LTRIM", "str", "0", "1"],
    &["LTRIM", "t", "2", "1"],
    &["RPUSH", "p", "a", "b", "c", "d", "e", "f", "g", "h"],
    &["LPOP", "p"],
    &["RPOP", "p"],
    &["LPOP", "p", "2"],
    &["RPOP", "p", "2"],
    &["LPOP", "p", "0"],
    &["RPOP", "p", "-1"],
    &["RPOP", "p", "x"],
    &["LPOP", "p", "1", "2"],
    &["LPOP", "none"],
    &["RPOP", "none", "3"],
    &["LPOP", "none", "0"],
    &["LPOP", "str"],
    &["RPOP", "str", "2"],
    &["RPOP", "p", "100"],
    &["RPUSH", "s", "a", "b", "c"],
    &["RPOPLPUSH", "s", "d"],
    &["LMOVE", "s", "d", "LEFT", "RIGHT"],
    &["LMOVE", "s", "d", "left", "left"],
    &["LMOVE", "s", "d", "LEFT", "LEFT"],
    &["RPOPLPUSH", "s", "d"],
    &["LMOVE", "d", "d", "RIGHT", "LEFT"],
    &["RPOPLPUSH", "d", "d"],
    &["LMOVE", "d", "s", "UP", "LEFT"],
    &["LMOVE", "d", "s", "LEFT", "DOWN"],
    &["LMOVE", "d", "str", "LEFT", "LEFT"],
    &["RPOPLPUSH", "str", "d"],
    &["LMOVE", "none", "str", "LEFT", "LEFT"],
    &["RPUSH", "one", "x"],
    &["RPOPLPUSH", "one", "one"],
    &["LMOVE", "one", "two", "RIGHT", "RIGHT"],
    // LMPOP
    &["RPUSH", "m", "1", "2", "3", "4", "5", "6"],
    &["LMPOP", "2", "none", "m", "LEFT"],
    &["LMPOP", "2", "none", "m", "right", "COUNT", "2"],
    &["LMPOP", "1", "m", "LEFT", "count", "100"],
    &["LMPOP", "1", "m", "LEFT"],
    &["LMPOP", "2", "none", "m", "LEFT"],
    &["LMPOP", "0", "m", "LEFT"],
    &["LMPOP", "-1", "m", "LEFT"],
    &["LMPOP", "x", "m", "LEFT"],
    &["LMPOP", "2", "m", "LEFT"],
    &["LMPOP", "1", "m", "UP"],
    &["LMPOP", "1", "m", "LEFT", "COUNT", "0"],
    &["LMPOP", "1", "m", "LEFT", "COUNT", "-1"],
    &["LMPOP", "1", "m", "LEFT", "COUNT", "x"],
    &["LMPOP", "1", "m", "LEFT", "COUNT"],
    &["LMPOP", "1", "m", "LEFT", "COUNT", "1", "COUNT", "1"],
    &["LMPOP", "1", "m", "LEFT", "EXTRA"],
    &["RPUSH", "m", "1"],
    &["LMPOP", "2", "str", "m", "LEFT"],
    &["LMPOP", "2", "m", "str", "LEFT"],
    // Blocking forms that find data, and their errors.
    &[
        "RPUSH", "b", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12",
    ],
    &["BLPOP", "none", "b", "0"],
    &["BRPOP", "none", "b", "0.5"],
    &["BLPOP", "b", "-0.0001"],
    &["BLPOP", "b", "-1"],
    &["BLPOP", "b", "x"],
    &["BRPOP", "str", "b", "0"],
    &["BRPOP", "b", "str", "0"],
    &["BRPOPLPUSH", "b", "bd", "0"],
    &["BRPOPLPUSH", "b", "bd", "-1"],
    &["BRPOPLPUSH", "b", "bd", "x"],
    &["BRPOPLPUSH", "b", "str", "0"],
    &["BRPOPLPUSH", "str", "bd", "0"],
    &["BLMOVE", "b", "bd", "LEFT", "right", "0"],
    &["BLMOVE", "b", "bd", "LEFT", "RIGHT", "-5"],
    &["BLMOVE", "b", "bd", "UP", "RIGHT", "0"],
    &["BLMOVE", "b", "bd", "LEFT", "RIGHT", "nan"],
    &["BLMOVE", "b", "str", "LEFT", "RIGHT", "0"],
    &["BLMPOP", "0", "2", "none", "b", "LEFT"],
    &["BLMPOP", "0", "2", "none", "b", "RIGHT", "COUNT", "2"],
    &["BLMPOP", "-1", "1", "b", "LEFT"],
    &["BLMPOP", "x", "1", "b", "LEFT"],
    &["BLMPOP", "0", "0", "b", "LEFT"],
    &["BLMPOP", "0", "1", "b", "LEFT", "COUNT", "0"],
    &["BLMPOP", "0", "2", "str", "b", "LEFT"],
    &["BLMPOP", "0", "1", "b", "LEFT", "COUNT", "100"],
    // Blocking forms that find nothing: Redis answers at the timeout.
    &["BLPOP", "none", "b", "0.01"],
    &["BRPOP", "none", "0.01"],
    &["BRPOPLPUSH", "none", "bd", "0.01"],
    &["BLMOVE", "none", "bd", "LEFT", "LEFT", "0.01"],
    &["BLMPOP", "0.01", "2", "none", "b", "LEFT", "COUNT", "3"],
];

/// Every set command (SPOP apart) with its errors and edge cases.
const SETS: &[&[&str]] = &[
    &["SADD", "sa", "a", "b", "c", "a"],
    &["SADD", "sa", "a", "d"],
    &["SADD", "sa", "a"],
    &["SADD", "str", "a"],
    &["SADD", "si", "1", "2", "3", "100000"],
    &["SREM", "sa", "b", "x", "b"],
    &["SREM", "sa", "nope"],
    &["SREM", "none", "a"],
    &["SREM", "str", "a"],
    &["SADD", "tmp", "1"],
    &["SREM", "tmp", "1", "2"],
    &["SMOVE", "sa", "sb", "a"],
    &["SMOVE", "sa", "sb", "nope"],
    &["SADD", "sb", "c"],
    &["SMOVE", "sa", "sb", "c"],
    &["SMOVE", "sb", "sb", "c"],
    &["SMOVE", "sb", "sb", "nope"],
    &["SMOVE", "none", "sb", "a"],
    &["SMOVE", "none", "str", "a"],
    &["SMOVE", "str", "sb", "a"],
    &["SMOVE", "sb", "str", "a"],
    &["SMOVE", "sa", "new", "d"],
    &["SADD", "x1", "1", "2", "3", "a"],
    &["SADD", "x2", "2", "3", "4", "a"],
    &["SADD", "x3", "3", "a", "z"],
    &["SINTERSTORE", "i", "x1", "x2", "x3"],
    &["SINTERSTORE", "i", "x1", "none"],
    &["SINTERSTORE", "i", "x1", "none"],
    &["SINTERSTORE", "i2", "x1", "x2", "x3"],
    &["SINTERSTORE", "i2", "x1", "new"],
    &["SINTERSTORE", "i3", "none", "str"],
    &["SINTERSTORE", "i3", "str", "x1"],
    &["SINTERSTORE", "x1c", "x1"],
    &["SUNIONSTORE", "u", "x1", "x2", "none", "x3"],
    &["SUNIONSTORE", "u", "none"],
    &["SUNIONSTORE", "u", "none"],
    &["SUNIONSTORE", "u", "x1", "str"],
    &["SET", "dst", "string"],
    &["SUNIONSTORE", "dst", "x1"],
    &["SDIFFSTORE", "d", "x1", "x2"],
    &["SDIFFSTORE", "d", "x1", "x1"],
    &["SDIFFSTORE", "d2", "x1", "none", "x3"],
    &["SDIFFSTORE", "d3", "none", "x1"],
    &["SDIFFSTORE", "d2", "str", "x1"],
    &["SDIFFSTORE", "x2", "x2", "x3"],
    &["SINTERSTORE", "x1", "x1", "x2"],
    // An empty result deletes a destination of any type.
    &["SET", "str2", "v"],
    &["SINTERSTORE", "str2", "x1", "none"],
    &["SET", "str2", "v"],
    &["SDIFFSTORE", "str2", "x1", "x1"],
];

fn len(r: &Reply) -> Option<usize> {
    match r {
        Reply::Array(Some(v)) => Some(v.len()),
        _ => None,
    }
}

#[test]
fn list_and_set_commands_reply_count_and_propagate_as_redis() {
    let mut o = Oracle::new();
    for c in LISTS.iter().chain(SETS) {
        o.run_str(c);
    }
    // SPOP: the pick is random, so only the shapes are compared.
    let spops: &[(&[&str], Reply)] = &[
        (&["SPOP", "none"], Reply::Bulk(None)),
        (&["SPOP", "none", "3"], Reply::Array(Some(Vec::new()))),
        (&["SPOP", "none", "0"], Reply::Array(Some(Vec::new()))),
        (&["SPOP", "si", "0"], Reply::Array(Some(Vec::new()))),
    ];
    for (c, want) in spops {
        let a: Vec<&[u8]> = c.iter().map(|s| s.as_bytes()).collect();
        assert_eq!(&o.run_engine_first(&a), want, "{c:?}");
    }
    for c in [
        &["SPOP", "str"][..],
        &["SPOP", "str", "1"],
        &["SPOP", "si", "-1"],
        &["SPOP", "si", "x"],
        &["SPOP", "si", "1", "2"],
    ] {
        o.run_str(c);
    }
    o.run_str(&[
        "SADD", "sp", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j",
    ]);
    let counted: &[(&[&str], usize)] = &[
        (&["SPOP", "sp", "3"], 3),
        (&["SPOP", "sp", "1"], 1),
        (&["SPOP", "sp", "5"], 5),
        (&["SPOP", "sp", "5"], 1),
        (&["SPOP", "si", "4"], 4),
        (&["SPOP", "si", "4"], 0),
    ];
    for (c, n) in counted {
        let a: Vec<&[u8]> = c.iter().map(|s| s.as_bytes()).collect();
        assert_eq!(len(&o.run_engine_first(&a)), Some(*n), "{c:?}");
    }
    o.run_str(&["SADD", "one", "x", "y"]);
    for _ in 0..3 {
        o.run_engine_first(&[b"SPOP", b"one"]);
    }

    // A seeded random workload over a few keys of both types.
    let mut r = Rng::new(11);
    let lists = ["L0", "L1", "L2"];
    let sets = ["S0", "S1", "S2"];
    for _ in 0..400 {
        let l = *r.pick(&lists);
        let l2 = *r.pick(&lists);
        let s = *r.pick(&sets);
        let s2 = *r.pick(&sets);
        let v = r.below(6).to_string();
        let n = r.below(4).to_string();
        let side = *r.pick(&["LEFT", "RIGHT"]);
        let side2 = *r.pick(&["LEFT", "RIGHT"]);
        match r.below(22) {
            0 => o.run_str(&["LPUSH", l, &v, "x"]),
            1 => o.run_str(&["RPUSH", l, &v]),
            2 => o.run_str(&["RPUSHX", l, &v]),
            3 => o.run_str(&["LINSERT", l, "BEFORE", &v, "ins"]),
            4 => o.run_str(&["LSET", l, &n, &v]),
            5 => o.run_str(&["LREM", l, &n, &v]),
            6 => o.run_str(&["LTRIM", l, &n, "-2"]),
            7 => o.run_str(&["LPOP", l]),
            8 => o.run_str(&["RPOP", l, &n]),
            9 => o.run_str(&["LMOVE", l, l2, side, side2]),
            10 => o.run_str(&["LMPOP", "2", l, l2, side, "COUNT", "2"]),
            11 => o.run_str(&["BLPOP", l, l2, "0.01"]),
            12 => o.run_str(&["BLMOVE", l, l2, side, side2, "0.01"]),
            13 => o.run_str(&["SADD", s, &v, "1"]),
            14 => o.run_str(&["SREM", s, &v, "2"]),
            15 => o.run_str(&["SMOVE", s, s2, &v]),
            16 => o.run_str(&["SINTERSTORE", s, s2, *r.pick(&sets)]),
            17 => o.run_str(&["SUNIONSTORE", s, s2, *r.pick(&sets)]),
            18 => o.run_str(&["SDIFFSTORE", s2, s, *r.pick(&sets)]),
            19 => o.run_str(&["SADD", l, &v]),
            20 => o.run_engine_first(&[b"SPOP", s.as_bytes(), n.as_bytes()]),
            _ => o.run_engine_first(&[b"SPOP", s.as_bytes()]),
        };
    }
    // In a transaction, the blocking forms that find data. The oracle reads Redis's
    // change count with INFO, which a transaction would queue: not compared here.
    o.run_str(&["RPUSH", "tx", "1", "2", "3", "4", "5"]);
    o.check_dirty = false;
    for c in [
        &["MULTI"][..],
        &["BLPOP", "tx", "0"],
        &["BLMPOP", "0", "1", "tx", "RIGHT", "COUNT", "2"],
        &["BLMOVE", "tx", "tx2", "LEFT", "RIGHT", "0"],
        &["SADD", "tx3", "a"],
        &["EXEC"],
    ] {
        o.run_str(c);
    }
    o.finish();
}

//! The HyperLogLog, geo and SORT commands answering a client, next to a real Redis
//! 7.0: replies, change counts, the data (`DEBUG DIGEST`) and what they propagate (see
//! `e2e::oracle`).

use e2e::oracle::Oracle;
use e2e::populate::Rng;
use formats::engine::Session;

/// Runs each command on both sides.
fn all(o: &mut Oracle, cmds: &[&[&str]]) {
    for c in cmds {
        o.run_str(c);
    }
}

#[test]
fn hyperloglog_commands_reply_count_and_propagate_as_redis() {
    let mut o = Oracle::new();
    all(
        &mut o,
        &[
            &["PFADD", "h"],
            &["PFADD", "h"],
            &["PFCOUNT", "h"],
            &["PFCOUNT", "h"],
            &["PFADD", "h", "a", "b", "c", "a"],
            &["PFADD", "h", "a"],
            &["PFCOUNT", "h"],
            &["PFCOUNT", "h"],
            &["PFCOUNT", "nokey"],
            &["PFCOUNT", "nokey", "other"],
            &["PFADD", "h2", "c", "d", "e"],
            &["PFCOUNT", "h", "h2"],
            &["PFCOUNT", "h", "h2", "nokey"],
            &["PFMERGE", "m", "h", "h2"],
            &["PFMERGE", "m"],
            &["PFMERGE", "empty"],
            &["PFCOUNT", "m"],
            &["PFDEBUG", "ENCODING", "m"],
            &["PFDEBUG", "DECODE", "m"],
            &["PFDEBUG", "decode", "empty"],
            &["PFDEBUG", "TODENSE", "m"],
            &["PFDEBUG", "TODENSE", "m"],
            &["PFDEBUG", "ENCODING", "m"],
            &["PFDEBUG", "DECODE", "m"],
            &["PFCOUNT", "m"],
            &["PFADD", "m", "x", "y"],
            &["PFCOUNT", "m"],
            &["PFDEBUG", "GETREG", "h2"],
            &["PFDEBUG", "GETREG", "h2"],
            &["PFDEBUG", "NOSUCH", "h"],
            &["PFDEBUG", "ENCODING", "h", "extra"],
            &["PFDEBUG", "NOSUCH", "h", "extra"],
            &["PFDEBUG", "GETREG"],
            &["PFDEBUG", "TODENSE", "nokey"],
            // a dense source makes the destination dense
            &["PFMERGE", "h3", "m", "h"],
            &["PFDEBUG", "ENCODING", "h3"],
            &["PFCOUNT", "h3", "h"],
            // not HLLs
            &["SET", "s", "hello"],
            &["SET", "n", "12345678901234567890"],
            &["SET", "i", "12"],
            &["PFADD", "s", "x"],
            &["PFADD", "i", "x"],
            &["PFCOUNT", "s"],
            &["PFCOUNT", "h", "n"],
            &["PFMERGE", "h", "s"],
            &["PFMERGE", "s", "h"],
            &["PFDEBUG", "ENCODING", "s"],
            &["GEOADD", "z", "1", "1", "a"],
            &["PFADD", "z", "x"],
            &["PFCOUNT", "z"],
            &["PFCOUNT", "h", "z"],
            &["PFMERGE", "h", "z"],
            &["PFDEBUG", "GETREG", "z"],
        ],
    );
    // Growth past the sparse limits: 3000 bytes, or a register above 32.
    let mut r = Rng::new(11);
    for i in 0..60 {
        let elems: Vec<String> = (0..40).map(|j| format!("e{}", i * 40 + j)).collect();
        let mut cmd = vec!["PFADD", "big"];
        cmd.extend(elems.iter().map(String::as_str));
        o.run_str(&cmd);
        if i % 7 == 0 {
            o.run_str(&["PFCOUNT", "big"]);
            o.run_str(&["PFDEBUG", "ENCODING", "big"]);
        }
    }
    let keys = ["p0", "p1", "p2", "p3"];
    for _ in 0..300 {
        let k = *r.pick(&keys);
        let k2 = *r.pick(&keys);
        let e1 = format!("v{}", r.below(2000));
        let e2 = format!("v{}", r.below(2000));
        match r.below(10) {
            0..=3 => o.run_str(&["PFADD", k, &e1, &e2]),
            4 | 5 => o.run_str(&["PFCOUNT", k]),
            6 => o.run_str(&["PFCOUNT", k, k2, "big"]),
            7 => o.run_str(&["PFMERGE", k, k2]),
            8 => o.run_str(&["PFDEBUG", "ENCODING", k]),
            _ => o.run_str(&["PFMERGE", k, "big"]),
        };
    }
    o.finish();
}

#[test]
fn geo_commands_reply_count_and_propagate_as_redis() {
    let mut o = Oracle::new();
    all(
        &mut o,
        &[
            &[
                "GEOADD",
                "Sicily",
                "13.361389",
                "38.115556",
                "Palermo",
                "15.087269",
                "37.502669",
                "Catania",
            ],
            &["GEOADD", "Sicily", "13.583333", "37.316667", "Agrigento"],
            &["GEOADD", "Sicily", "13.583333", "37.316667", "Agrigento"],
            &["GEOADD", "Sicily", "CH", "13.6", "37.3", "Agrigento"],
            &[
                "GEOADD",
                "Sicily",
                "NX",
                "13.5",
                "37.3",
                "Agrigento",
                "14",
                "37",
                "X",
            ],
            &[
                "GEOADD",
                "Sicily",
                "XX",
                "13.583333",
                "37.316667",
                "Agrigento",
                "14",
                "38",
                "Y",
            ],
            &["GEOADD", "Sicily", "xx", "ch", "14.1", "37.1", "X"],
            &["GEOADD", "Sicily", "NX", "CH", "14.1", "37.1", "X"],
            &["GEOADD", "new", "XX", "1", "1", "a"],
            &["GEOADD", "new", "NX", "XX", "1", "1", "a"],
            &["GEOADD", "new", "1", "1"],
            &["GEOADD", "new", "NX", "CH", "CH"],
            &["GEOADD", "new", "200", "1", "a"],
            &["GEOADD", "new", "1", "86", "a"],
            &["GEOADD", "new", "x", "1", "a"],
            &["GEOADD", "new", "1", "1", "a", "1", "1", "a"],
            &["GEOADD", "new", "1", "1", "a", "2", "2", "a"],
            &["SET", "str", "x"],
            &["GEOADD", "str", "1", "1", "a"],
            // reads
            &["GEOPOS", "Sicily", "Palermo", "nope", "Catania"],
            &["GEOPOS", "nokey", "a"],
            &["GEOPOS", "str", "a"],
            &["GEODIST", "Sicily", "Palermo", "Catania"],
            &["GEODIST", "Sicily", "Palermo", "Catania", "km"],
            &["GEODIST", "Sicily", "Palermo", "Catania", "MI"],
            &["GEODIST", "Sicily", "Palermo", "Catania", "ft"],
            &["GEODIST", "Sicily", "Palermo", "Palermo"],
            &["GEODIST", "Sicily", "Palermo", "nope"],
            &["GEODIST", "nokey", "a", "b"],
            &["GEODIST", "Sicily", "Palermo", "Catania", "yd"],
            &["GEODIST", "Sicily", "Palermo", "Catania", "km", "x"],
            &["GEODIST", "str", "a", "b"],
            &["GEOHASH", "Sicily", "Palermo", "Catania", "nope"],
            &["GEOHASH", "nokey", "a"],
            &["GEOHASH", "str", "a"],
            &["GEORADIUS", "Sicily", "15", "37", "200", "km"],
            &["GEORADIUS", "Sicily", "15", "37", "200", "km", "ASC"],
            &[
                "GEORADIUS",
                "Sicily",
                "15",
                "37",
                "200",
                "km",
                "DESC",
                "WITHDIST",
            ],
            &[
                "GEORADIUS",
                "Sicily",
                "15",
                "37",
                "200",
                "km",
                "WITHCOORD",
                "WITHHASH",
                "WITHDIST",
            ],
            &[
                "GEORADIUS",
                "Sicily",
                "15",
                "37",
                "200",
                "km",
                "COUNT",
                "2",
                "WITHDIST",
            ],
            &[
                "GEORADIUS",
                "Sicily",
                "15",
                "37",
                "200",
                "km",
                "COUNT",
                "2",
                "DESC",
            ],
            &[
                "GEORADIUS",
                "Sicily",
                "15",
                "37",
                "200",
                "km",
                "COUNT",
                "1",
                "ANY",
            ],
            &[
                "GEORADIUS",
                "Sicily",
                "15",
                "37",
                "200",
                "mi",
                "COUNT",
                "1",
                "ANY",
                "ASC",
            ],
            &["GEORADIUS", "Sicily", "15", "37", "1", "m"],
            &["GEORADIUS", "Sicily", "15", "37", "0", "m", "WITHDIST"],
            &["GEORADIUS", "nokey", "15", "37", "200", "km"],
            &["GEORADIUS", "str", "15", "37", "200", "km"],
            &["GEORADIUS", "Sicily", "15", "37", "-1", "km"],
            &["GEORADIUS", "Sicily", "15", "37", "x", "km"],
            &["GEORADIUS", "Sicily", "15", "37", "1", "yd"],
            &["GEORADIUS", "Sicily", "15", "95", "1", "km"],
            &["GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "0"],
            &["GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "x"],
            &["GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT"],
            &["GEORADIUS", "Sicily", "15", "37", "200", "km", "ANY"],
            &["GEORADIUS", "Sicily", "15", "37", "200", "km", "BOGUS"],
            &[
                "GEORADIUS",
                "Sicily",
                "15",
                "37",
                "200",
                "km",
                "STORE",
                "d",
                "WITHDIST",
            ],
            &[
                "GEORADIUS",
                "Sicily",
                "15",
                "37",
                "200",
                "km",
                "STORE",
                "d1",
            ],
            &[
                "GEORADIUS",
                "Sicily",
                "15",
                "37",
                "200",
                "km",
                "STOREDIST",
                "d2",
            ],
            &[
                "GEORADIUS",
                "Sicily",
                "15",
                "37",
                "200",
                "km",
                "COUNT",
                "2",
                "STORE",
                "d3",
            ],
            &[
                "GEORADIUS",
                "Sicily",
                "15",
                "37",
                "200",
                "km",
                "COUNT",
                "2",
                "DESC",
                "STOREDIST",
                "d4",
            ],
            &["GEORADIUS", "Sicily", "15", "37", "1", "m", "STORE", "d4"],
            &["GEORADIUS", "Sicily", "15", "37", "1", "m", "STORE", "d4"],
            &["GEORADIUS", "nokey", "15", "37", "1", "m", "STORE", "d3"],
            &["GEORADIUS", "nokey", "15", "37", "1", "m", "STORE", "d3"],
            &[
                "GEORADIUS_RO",
                "Sicily",
                "15",
                "37",
                "200",
                "km",
                "WITHDIST",
                "ASC",
            ],
            &[
                "GEORADIUS_RO",
                "Sicily",
                "15",
                "37",
                "200",
                "km",
                "STORE",
                "d",
            ],
            &["GEORADIUSBYMEMBER", "Sicily", "Agrigento", "100", "km"],
            &[
                "GEORADIUSBYMEMBER",
                "Sicily",
                "Agrigento",
                "100",
                "km",
                "WITHDIST",
                "WITHCOORD",
                "DESC",
            ],
            &[
                "GEORADIUSBYMEMBER",
                "Sicily",
                "Agrigento",
                "100",
                "km",
                "STORE",
                "d5",
            ],
            &["GEORADIUSBYMEMBER", "Sicily", "nope", "100", "km"],
            &["GEORADIUSBYMEMBER", "nokey", "nope", "x", "y"],
            &[
                "GEORADIUSBYMEMBER",
                "nokey",
                "nope",
                "x",
                "y",
                "STORE",
                "d5",
            ],
            &[
                "GEORADIUSBYMEMBER_RO",
                "Sicily",
                "Agrigento",
                "100",
                "km",
                "COUNT",
                "1",
            ],
            &[
                "GEORADIUSBYMEMBER_RO",
                "Sicily",
                "Agrigento",
                "100",
                "km",
                "STOREDIST",
                "x",
            ],
            &[
                "GEOSEARCH",
                "Sicily",
                "FROMLONLAT",
                "15",
                "37",
                "BYRADIUS",
                "200",
                "km",
                "ASC",
            ],
            &[
                "GEOSEARCH",
                "Sicily",
                "FROMMEMBER",
                "Palermo",
                "BYBOX",
                "400",
                "400",
                "km",
                "WITHDIST",
                "WITHCOORD",
                "WITHHASH",
            ],
            &[
                "GEOSEARCH",
                "Sicily",
                "FROMLONLAT",
                "15",
                "37",
                "BYBOX",
                "200",
                "100",
                "km",
                "DESC",
            ],
            &[
                "GEOSEARCH",
                "Sicily",
                "FROMLONLAT",
                "15",
                "37",
                "BYBOX",
                "-1",
                "x",
                "km",
            ],
            &[
                "GEOSEARCH",
                "Sicily",
                "FROMLONLAT",
                "15",
                "37",
                "BYBOX",
                "x",
                "-1",
                "km",
            ],
            &[
                "GEOSEARCH",
                "Sicily",
                "FROMLONLAT",
                "15",
                "37",
                "BYBOX",
                "1",
                "-1",
                "km",
            ],
            &[
                "GEOSEARCH",
                "Sicily",
                "FROMLONLAT",
                "15",
                "37",
                "COUNT",
                "1",
            ],
            &["geosearch", "Sicily", "BYRADIUS", "1", "km", "COUNT", "1"],
            &[
                "GEOSEARCH",
                "Sicily",
                "FROMMEMBER",
                "nope",
                "BYRADIUS",
                "1",
                "km",
            ],
            &[
                "GEOSEARCH",
                "nokey",
                "FROMMEMBER",
                "nope",
                "BYRADIUS",
                "1",
                "km",
            ],
            &[
                "GEOSEARCH",
                "Sicily",
                "FROMLONLAT",
                "15",
                "37",
                "BYRADIUS",
                "1",
                "km",
                "STORE",
                "x",
            ],
            &[
                "GEOSEARCH",
                "Sicily",
                "FROMLONLAT",
                "15",
                "37",
                "BYRADIUS",
                "1",
                "km",
                "FROMMEMBER",
                "Palermo",
            ],
            &[
                "GEOSEARCH",
                "Sicily",
                "FROMLONLAT",
                "15",
                "37",
                "BYRADIUS",
                "1",
                "km",
                "BYBOX",
                "1",
                "1",
                "km",
            ],
            &[
                "GEOSEARCHSTORE",
                "d6",
                "Sicily",
                "FROMLONLAT",
                "15",
                "37",
                "BYBOX",
                "400",
                "400",
                "km",
                "ASC",
                "COUNT",
                "2",
                "STOREDIST",
            ],
            &[
                "GEOSEARCHSTORE",
                "d7",
                "Sicily",
                "FROMMEMBER",
                "Palermo",
                "BYRADIUS",
                "300",
                "km",
            ],
            &[
                "GEOSEARCHSTORE",
                "d7",
                "Sicily",
                "FROMMEMBER",
                "Palermo",
                "BYRADIUS",
                "300",
                "km",
                "WITHDIST",
            ],
            &[
                "GEOSEARCHSTORE",
                "d7",
                "Sicily",
                "FROMMEMBER",
                "Palermo",
                "BYRADIUS",
                "1",
                "m",
            ],
            &[
                "GEOSEARCHSTORE",
                "d7",
                "nokey",
                "FROMMEMBER",
                "Palermo",
                "BYRADIUS",
                "1",
                "m",
            ],
            &["GEOSEARCHSTORE", "d8", "Sicily", "BYRADIUS", "1", "m"],
            &["GEOPOS", "d2", "Palermo"],
        ],
    );
    let mut r = Rng::new(5);
    let keys = ["g0", "g1", "g2"];
    let members: Vec<String> = (0..12).map(|i| format!("m{i}")).collect();
    let units = ["m", "km", "mi", "ft"];
    for _ in 0..400 {
        let k = *r.pick(&keys);
        let m = r.pick(&members).clone();
        let lon = format!("{:.6}", r.uniform(12.0, 16.0));
        let lat = format!("{:.6}", r.uniform(36.0, 39.0));
        let rad = format!("{}", r.below(300));
        let u = *r.pick(&units);
        let count = format!("{}", 1 + r.below(5));
        let opt = *r.pick(&["WITHDIST", "WITHCOORD", "WITHHASH", "ASC", "DESC"]);
        match r.below(14) {
            0..=3 => o.run_str(&["GEOADD", k, &lon, &lat, &m]),
            4 => o.run_str(&["GEOADD", k, "CH", &lon, &lat, &m, "14", "37", "m0"]),
            5 => o.run_str(&["GEORADIUS", k, &lon, &lat, &rad, "km", opt, "WITHDIST"]),
            6 => o.run_str(&["GEORADIUS", k, &lon, &lat, &rad, u, "COUNT", &count, opt]),
            7 => o.run_str(&[
                "GEORADIUSBYMEMBER",
                k,
                &m,
                &rad,
                "km",
                "COUNT",
                &count,
                "ANY",
                opt,
            ]),
            8 => o.run_str(&[
                "GEORADIUS",
                k,
                &lon,
                &lat,
                &rad,
                "km",
                "STORE",
                *r.pick(&keys),
            ]),
            9 => o.run_str(&[
                "GEOSEARCHSTORE",
                *r.pick(&keys),
                k,
                "FROMMEMBER",
                &m,
                "BYBOX",
                &rad,
                &rad,
                "km",
                "STOREDIST",
            ]),
            10 => o.run_str(&[
                "GEOSEARCH",
                k,
                "FROMLONLAT",
                &lon,
                &lat,
                "BYRADIUS",
                &rad,
                u,
                opt,
                "WITHCOORD",
            ]),
            11 => o.run_str(&["GEODIST", k, &m, "m0", u]),
            12 => o.run_str(&["GEOPOS", k, &m, "m0", "nope"]),
            _ => o.run_str(&["GEOHASH", k, &m, "m1"]),
        };
    }
    o.finish();
}

/// Runs `args` on the engine as a replayed command and on the server directly:
/// for data of types whose commands do not reply in this branch yet.
fn setup(o: &mut Oracle, args: &[&str]) {
    let a: Vec<&[u8]> = args.iter().map(|s| s.as_bytes()).collect();
    Session::new()
        .execute(&mut o.ks, &a)
        .expect("setup command");
    let r = o.server().call(args);
    assert!(!r.is_error(), "{args:?}: {r:?}");
}

#[test]
fn sort_replies_counts_and_propagates_as_redis() {
    let mut o = Oracle::new();
    // A sorted set from GEOADD (its members in score order), a list from SORT ... STORE.
    all(
        &mut o,
        &[
            &[
                "GEOADD", "z", "1", "1", "3", "2", "2", "1", "3", "3", "10", "4", "4", "1.0", "5",
                "5", "2",
            ],
            &["SORT", "z", "BY", "nosort", "STORE", "l"],
            &["SORT", "z"],
            &["SORT", "z", "BY", "nosort"],
            &["SORT", "z", "BY", "nosort", "DESC"],
            &["SORT", "z", "BY", "nosort", "LIMIT", "1", "3"],
            &["SORT", "z", "BY", "nosort", "DESC", "LIMIT", "1", "3"],
            &["SORT", "l"],
            &["SORT", "l", "DESC"],
            &["SORT", "l", "ALPHA"],
            &["SORT", "l", "ALPHA", "DESC"],
            &["SORT", "l", "LIMIT", "1", "2"],
            &["SORT", "l", "LIMIT", "-5", "2"],
            &["SORT", "l", "LIMIT", "2", "-1"],
            &["SORT", "l", "LIMIT", "10", "2"],
            &["SORT", "l", "LIMIT", "0", "0"],
            &["SORT", "l", "BY", "nosort"],
            &["SORT", "l", "BY", "nosort", "DESC", "LIMIT", "1", "2"],
            &["SORT_RO", "l", "DESC"],
            &["SET", "w_1", "30"],
            &["SET", "w_2", "20"],
            &["SET", "w_3", "10"],
            &["SET", "w_10", "5"],
            &["SET", "o_1", "one"],
            &["SET", "o_3", "three"],
            &["SORT", "l", "BY", "w_*"],
            &["SORT", "l", "BY", "w_*", "DESC"],
            &["SORT", "l", "BY", "w_*", "ALPHA"],
            &["SORT", "l", "BY", "w_*", "LIMIT", "1", "2"],
            &["SORT", "l", "BY", "w_*", "GET", "#", "GET", "o_*"],
            &["SORT", "l", "GET", "o_*"],
            &["SORT", "l", "GET", "o_*", "GET", "w_*", "STORE", "got"],
            &["SORT", "l", "BY", "w_*", "GET", "#", "STORE", "byw"],
            &["SORT", "l", "DESC", "STORE", "l"],
            &["SORT", "l", "LIMIT", "0", "2", "STORE", "short"],
            &["SORT", "l", "LIMIT", "9", "2", "STORE", "short"],
            &["SORT", "l", "LIMIT", "9", "2", "STORE", "short"],
            &["SORT", "nokey"],
            &["SORT", "nokey", "STORE", "got"],
            &["SORT", "nokey", "STORE", "got"],
            &["SORT_RO", "nokey"],
            // errors
            &["SORT", "w_1"],
            &["SORT", "w_1", "STORE", "x"],
            &["SORT", "l", "LIMIT", "x", "1"],
            &["SORT", "l", "LIMIT", "1"],
            &["SORT", "l", "BOGUS"],
            &["SORT", "l", "STORE"],
            &["SORT_RO", "l", "STORE", "x"],
            &["GEOADD", "z2", "1", "1", "a", "2", "2", "b"],
            &["SORT", "z2"],
            &["SORT", "z2", "STORE", "x"],
            &["SORT", "z2", "ALPHA", "STORE", "x"],
            &["SORT", "z2", "BY", "w_*"],
            // (not BY w_* ALPHA: its ties come in the order of the server's hash table)
        ],
    );
    // Sets and hashes, set up directly on both sides; dropped again at the end so that
    // the propagated commands replay to the same data.
    let mut scratch: Vec<String> = Vec::new();
    {
        let mut s = |o: &mut Oracle, args: &[&str]| {
            scratch.push(args[1].to_string());
            setup(o, args);
        };
        s(&mut o, &["SADD", "x:ints", "5", "-1", "30", "2", "100"]);
        s(&mut o, &["SADD", "x:strs", "b", "a", "c", "10", "9"]);
        s(&mut o, &["HSET", "x:h_5", "f", "3"]);
        s(&mut o, &["HSET", "x:h_2", "f", "1", "g", "z"]);
        s(&mut o, &["HSET", "x:h_30", "g", "y"]);
    }
    // Resets the server's change count baseline after the direct setup.
    o.run_engine_first(&[b"PFCOUNT", b"nokey"]);
    all(
        &mut o,
        &[
            &["SORT", "x:ints"],
            &["SORT", "x:ints", "DESC", "LIMIT", "1", "2"],
            &["SORT", "x:ints", "BY", "nosort"],
            &["SORT", "x:ints", "BY", "nosort", "STORE", "x:d1"],
            &["SORT", "x:strs", "ALPHA"],
            &["SORT", "x:strs", "ALPHA", "STORE", "x:d2"],
            &["SORT", "x:strs", "BY", "nosort", "STORE", "x:d3"],
            &["SORT", "x:strs"],
            &["SORT", "x:strs", "STORE", "x:d3"],
            &["SORT", "x:ints", "BY", "x:h_*->f"],
            &[
                "SORT", "x:ints", "BY", "x:h_*->f", "GET", "#", "GET", "x:h_*->g",
            ],
            &[
                "SORT", "x:ints", "BY", "x:h_*->g", "ALPHA", "GET", "x:h_*->g", "STORE", "x:d4",
            ],
            &[
                "SORT", "x:ints", "GET", "x:h_*->f", "GET", "x:h_*->g", "STORE", "x:d5",
            ],
            &["SORT", "x:h_5"],
        ],
    );
    scratch.extend(["x:d1", "x:d2", "x:d3", "x:d4", "x:d5"].map(String::from));
    for k in &scratch {
        o.ks.dbs[0].remove(k.as_bytes());
        o.server().call(&["DEL", k.as_str()]);
    }
    o.run_engine_first(&[b"PFCOUNT", b"nokey"]);
    let mut r = Rng::new(3);
    let keys = ["l0", "l1", "l2"];
    for i in 0..200 {
        let k = *r.pick(&keys);
        let d = *r.pick(&keys);
        let start = format!("{}", r.below(6) as i64 - 1);
        let count = format!("{}", r.below(6) as i64 - 1);
        let m = format!("{}", r.below(20));
        let lon = format!("{}", i % 50);
        match r.below(9) {
            0 | 1 => o.run_str(&["GEOADD", "zz", &lon, "1", &m]),
            2 => o.run_str(&[
                "SORT", "zz", "BY", "nosort", "LIMIT", &start, &count, "STORE", d,
            ]),
            3 => o.run_str(&["SORT", k, "STORE", d]),
            4 => o.run_str(&["SORT", k, "ALPHA", "DESC", "LIMIT", &start, &count]),
            5 => o.run_str(&[
                "SORT", k, "BY", "w_*", "LIMIT", &start, &count, "GET", "#", "GET", "w_*",
            ]),
            6 => o.run_str(&["SET", &format!("w_{m}"), &count]),
            7 => o.run_str(&["SORT", k, "BY", "w_*", "DESC", "STORE", d]),
            _ => o.run_str(&["SORT", "zz", "DESC", "LIMIT", &start, &count]),
        };
    }
    o.finish();
}

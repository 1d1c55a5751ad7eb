//! The stream commands answering a client, next to a real Redis 7.0: replies, change
//! counts, the data (`DEBUG DIGEST`, entries only) and what they propagate (see
//! `e2e::oracle`). Consumer groups are not in the digest: they are compared through the
//! replies of the commands that read them (XCLAIM, XAUTOCLAIM, XREADGROUP, XACK,
//! XGROUP DELCONSUMER / CREATECONSUMER).
//!
//! XADD `*` and anything whose outcome depends on the clock go to the engine first
//! (`run_engine_first`); reads whose replies do not depend on the clock (a min-idle
//! of 0, or one no entry can reach) go to both.

use e2e::oracle::Oracle;
use e2e::populate::Rng;
use e2e::resp::Reply;

/// Runs every command on both sides.
fn all(o: &mut Oracle, cmds: &[&[&str]]) {
    for c in cmds {
        o.run_str(c);
    }
}

/// Deletes `key` with the string commands (SET, then GETDEL), which both sides answer.
fn drop_key(o: &mut Oracle, key: &str) {
    o.run_str(&["SET", key, "x"]);
    o.run_str(&["GETDEL", key]);
}

fn engine_first(o: &mut Oracle, args: &[&str]) -> Reply {
    let a: Vec<&[u8]> = args.iter().map(|s| s.as_bytes()).collect();
    o.run_engine_first(&a)
}

/// An ID reply (`ms-seq`).
fn is_id(r: &Reply) -> bool {
    r.as_bytes().is_some_and(|b| {
        let s = String::from_utf8_lossy(b);
        s.split_once('-')
            .is_some_and(|(a, b)| a.parse::<u64>().is_ok() && b.parse::<u64>().is_ok())
    })
}

/// An entry reply: `[id, [field, value, ...]]`.
fn is_entry(r: &Reply) -> bool {
    r.as_array().is_some_and(|e| {
        e.len() == 2 && is_id(&e[0]) && e[1].as_array().is_some_and(|f| f.len() % 2 == 0)
    })
}

#[test]
fn xadd_xtrim_xdel_xsetid_reply_count_and_propagate_as_redis() {
    let mut o = Oracle::new();
    all(
        &mut o,
        &[
            &["SET", "str", "x"],
            &["XADD", "s", "1-1", "a", "1"],
            &["XADD", "s", "1-1", "a", "1"],
            &["XADD", "s", "1-0", "a", "1"],
            &["XADD", "s", "1-*", "b", "2", "c", "3"],
            &["XADD", "s", "5", "a", "1"],
            &["XADD", "s", "6-*", "a", "1"],
            &["XADD", "s", "0-0", "a", "1"],
            &["XADD", "s", "7-1", "a"],
            &["XADD", "s", "MAXLEN", "1"],
            &["XADD", "s", "x-1", "a", "1"],
            &["XADD", "s", "7-1-1", "a", "1"],
            &["XADD", "s", "MAXLEN", "-1", "7-1", "a", "1"],
            &["XADD", "s", "MAXLEN", "x", "7-1", "a", "1"],
            &["XADD", "s", "MAXLEN", "5", "MINID", "1", "7-1", "a", "1"],
            &["XADD", "s", "LIMIT", "5", "7-1", "a", "1"],
            &["XADD", "s", "MAXLEN", "5", "LIMIT", "5", "7-1", "a", "1"],
            &[
                "XADD", "s", "MAXLEN", "=", "5", "LIMIT", "5", "7-1", "a", "1",
            ],
            &[
                "XADD", "s", "MAXLEN", "~", "5", "LIMIT", "-1", "7-1", "a", "1",
            ],
            &["XADD", "s", "MINID", "bad", "7-1", "a", "1"],
            &["XADD", "str", "7-1", "a", "1"],
            &["XADD", "nope", "NOMKSTREAM", "1-1", "a", "1"],
            &["XADD", "nope", "NOMKSTREAM", "*", "a", "1"],
            &[
                "XADD",
                "s",
                "NOMKSTREAM",
                "MAXLEN",
                "=",
                "4",
                "8-1",
                "a",
                "1",
            ],
            &["XADD", "s", "MAXLEN", "3", "9-1", "a", "1"],
            &["XADD", "s", "MINID", "9", "10-1", "a", "1"],
            &["XADD", "s", "MINID", "=", "10", "10-2", "a", "1"],
            // Approximate: a node of fewer than 100 entries stays, unless all may go.
            &["XADD", "s", "MAXLEN", "~", "1", "11-1", "a", "1"],
            &[
                "XADD", "s", "MAXLEN", "~", "1", "LIMIT", "0", "11-2", "a", "1",
            ],
            &["XADD", "s", "MINID", "~", "11-2", "11-3", "a", "1"],
            &["XADD", "s", "MAXLEN", "~", "0", "12-1", "a", "1"],
            &["XADD", "s", "13-1", "a", "1"],
            &["XADD", "s", "MINID", "~", "99", "14-1", "a", "1"],
            &["XADD", "s2", "MAXLEN", "0", "1-1", "a", "1"],
            &["XADD", "s", "15-1", "a", "1", "b", "2"],
            &["XADD", "s", "16-1", "a", "1"],
            &["XADD", "s", "17-1", "a", "1"],
            &["XADD", "s", "18-1", "a", "1"],
            // XTRIM
            &["XTRIM", "s"],
            &["XTRIM", "s", "LIMIT", "5"],
            &["XTRIM", "s", "MAXLEN", "5", "LIMIT", "5"],
            &["XTRIM", "s", "MAXLEN", "5", "MINID", "3"],
            &["XTRIM", "s", "FOO", "5"],
            &["XTRIM", "s", "MAXLEN", "-5"],
            &["XTRIM", "str", "MAXLEN", "5"],
            &["XTRIM", "nope", "MAXLEN", "0"],
            &["XTRIM", "s", "MAXLEN", "10"],
            &["XTRIM", "s", "MAXLEN", "~", "1"],
            &["XTRIM", "s", "MAXLEN", "~", "1", "LIMIT", "2"],
            &["XTRIM", "s", "MAXLEN", "=", "3"],
            &["XTRIM", "s", "MINID", "17"],
            &["XTRIM", "s", "MINID", "~", "17-1"],
            &["XTRIM", "s", "MINID", "~", "20"],
            &["XTRIM", "s", "MAXLEN", "0"],
            // XDEL
            &["XADD", "d", "1-1", "a", "1"],
            &["XADD", "d", "2-1", "a", "1"],
            &["XADD", "d", "3-1", "a", "1"],
            &["XDEL", "d", "2-1", "bad"],
            &["XDEL", "d", "2-1", "9-9", "1-1", "2-1"],
            &["XDEL", "d", "2-1"],
            &["XDEL", "nope", "bad"],
            &["XDEL", "str", "1-1"],
            &["XDEL", "d", "3-1"],
            &["XADD", "d", "2-5", "a", "1"],
            &["XADD", "d", "4-1", "a", "1"],
            // XSETID
            &["XSETID", "d", "3-0"],
            &["XSETID", "d", "10-0"],
            &["XSETID", "d", "10-0", "ENTRIESADDED", "0"],
            &["XSETID", "d", "10-0", "ENTRIESADDED", "-1"],
            &["XSETID", "d", "10-0", "ENTRIESADDED", "x"],
            &["XSETID", "d", "10-0", "MAXDELETEDID", "11-0"],
            &[
                "XSETID",
                "d",
                "10-0",
                "MAXDELETEDID",
                "9-0",
                "ENTRIESADDED",
                "20",
            ],
            &["XSETID", "d", "10-0", "FOO", "1"],
            &["XSETID", "d", "bad"],
            &["XSETID", "nope", "1-1"],
            &["XSETID", "str", "1-1"],
            &["XADD", "d", "10-0", "a", "1"],
            &["XADD", "d", "10-*", "a", "1"],
            &["XSETID", "d", "18446744073709551615-18446744073709551615"],
            &["XADD", "d", "*", "a", "1"],
            &["XADD", "d", "18446744073709551615-*", "a", "1"],
        ],
    );
    // Whole nodes: 250 entries are nodes of 100, 100 and 50.
    for i in 1..=250 {
        let id = format!("{i}-1");
        o.run_str(&["XADD", "big", &id, "f", "v"]);
    }
    all(
        &mut o,
        &[
            &["XTRIM", "big", "MAXLEN", "~", "200"],
            &["XTRIM", "big", "MAXLEN", "~", "120", "LIMIT", "50"],
            &["XTRIM", "big", "MAXLEN", "~", "120"],
            &["XTRIM", "big", "MINID", "~", "250-1"],
            &["XADD", "big", "MAXLEN", "~", "10", "251-1", "f", "v"],
            &["XTRIM", "big", "MINID", "~", "300"],
        ],
    );
    // Generated IDs: the engine's ID is propagated.
    for _ in 0..3 {
        let r = engine_first(&mut o, &["XADD", "auto", "*", "f", "v"]);
        assert!(is_id(&r), "{r:?}");
    }
    let r = engine_first(&mut o, &["XADD", "auto", "MAXLEN", "~", "1", "*", "f", "v"]);
    assert!(is_id(&r), "{r:?}");
    drop_key(&mut o, "auto");
    o.finish();
}

#[test]
fn consumer_groups_reply_count_and_propagate_as_redis() {
    let mut o = Oracle::new();
    all(
        &mut o,
        &[
            &["SET", "str", "x"],
            &["XADD", "s", "1-1", "a", "1"],
            &["XADD", "s", "2-1", "b", "2"],
            &["XADD", "s", "3-1", "c", "3"],
            &["XADD", "s", "4-1", "d", "4"],
            // XGROUP
            &["XGROUP", "HELP"],
            &["XGROUP", "HELP", "x"],
            &["XGROUP", "help"],
            &["XGROUP"],
            &[
                "XGROUP",
                "CREATE",
                "s",
                "g",
                "0",
                "MKSTREAM",
                "ENTRIESREAD",
                "1",
                "MKSTREAM",
            ],
            &["XGROUP", "CREATE", "s"],
            &["XGROUP", "FOO", "s", "g"],
            &["XGROUP", "CREATE", "nope", "g", "$"],
            &["XGROUP", "CREATE", "str", "g", "$"],
            &["XGROUP", "CREATE", "s", "g", "bad"],
            &["XGROUP", "CREATE", "s", "g", "-"],
            &["XGROUP", "CREATE", "s", "g", "0", "ENTRIESREAD", "-2"],
            &["XGROUP", "CREATE", "s", "g", "0", "ENTRIESREAD", "x"],
            &["XGROUP", "CREATE", "s", "g", "0", "FOO"],
            &["XGROUP", "CREATE", "s", "g", "0"],
            &["XGROUP", "CREATE", "s", "g", "0"],
            &["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"],
            &["XGROUP", "CREATE", "s", "g2", "$", "ENTRIESREAD", "4"],
            &[
                "XGROUP",
                "CREATE",
                "s",
                "g3",
                "2-1",
                "MKSTREAM",
                "ENTRIESREAD",
                "-1",
            ],
            &["XGROUP", "CREATE", "m", "g", "$", "MKSTREAM"],
            &[
                "XGROUP",
                "CREATE",
                "m2",
                "g",
                "5-5",
                "MKSTREAM",
                "ENTRIESREAD",
                "0",
            ],
            &["XGROUP", "SETID", "s", "nog", "0"],
            &["XGROUP", "SETID", "s", "g3", "0", "MKSTREAM"],
            &["XGROUP", "SETID", "s", "g3", "bad"],
            &["XGROUP", "SETID", "s", "g3", "-"],
            &["XGROUP", "SETID", "s", "g3", "$"],
            &["XGROUP", "SETID", "s", "g3", "1", "ENTRIESREAD", "1"],
            &["XGROUP", "SETID", "s", "g3", "1", "ENTRIESREAD"],
            &["XGROUP", "CREATECONSUMER", "s", "g", "alice"],
            &["XGROUP", "CREATECONSUMER", "s", "g", "alice"],
            &["XGROUP", "CREATECONSUMER", "s", "nog", "alice"],
            &["XGROUP", "CREATECONSUMER", "nope", "g", "alice"],
            &["XGROUP", "CREATECONSUMER", "s", "g"],
            &["XGROUP", "DELCONSUMER", "s", "g", "nobody"],
            &["XGROUP", "DELCONSUMER", "s", "g", "alice"],
            &["XGROUP", "DELCONSUMER", "s", "nog", "alice"],
            &["XGROUP", "DESTROY", "s", "nog"],
            &["XGROUP", "DESTROY", "m", "g"],
            &["XGROUP", "DESTROY", "nope", "g"],
            &["XGROUP", "DESTROY", "s", "g", "x"],
            // XREADGROUP
            &["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s"],
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "alice",
                "STREAMS",
                "s",
                ">",
                "x",
            ],
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "alice",
                "FOO",
                "STREAMS",
                "s",
                ">",
            ],
            &["XREADGROUP", "COUNT", "1", "STREAMS", "s", ">"],
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "alice",
                "COUNT",
                "x",
                "STREAMS",
                "s",
                ">",
            ],
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "alice",
                "BLOCK",
                "-1",
                "STREAMS",
                "s",
                ">",
            ],
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "alice",
                "BLOCK",
                "x",
                "STREAMS",
                "s",
                ">",
            ],
            &["XREADGROUP", "GROUP", "nog", "alice", "STREAMS", "s", ">"],
            &["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "nope", ">"],
            &["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "str", ">"],
            &["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "$"],
            &["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "+"],
            &["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "bad"],
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "alice",
                "COUNT",
                "2",
                "STREAMS",
                "s",
                ">",
            ],
            &["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0"],
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "alice",
                "COUNT",
                "1",
                "STREAMS",
                "s",
                "1-1",
            ],
            &["XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", "0"],
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "bob",
                "COUNT",
                "-5",
                "STREAMS",
                "s",
                ">",
            ],
            &["XREADGROUP", "GROUP", "g", "carol", "STREAMS", "s", ">"],
            &["XGROUP", "CREATECONSUMER", "s", "g", "carol"],
            &[
                "XREADGROUP",
                "GROUP",
                "g2",
                "dave",
                "NOACK",
                "STREAMS",
                "s",
                ">",
            ],
            &["XADD", "s", "5-1", "e", "5"],
            &["XADD", "s", "6-1", "f", "6"],
            &[
                "XREADGROUP",
                "GROUP",
                "g2",
                "dave",
                "NOACK",
                "COUNT",
                "1",
                "STREAMS",
                "s",
                ">",
            ],
            &[
                "XREADGROUP",
                "GROUP",
                "g2",
                "erin",
                "NOACK",
                "STREAMS",
                "s",
                ">",
            ],
            &["XGROUP", "CREATECONSUMER", "s", "g2", "erin"],
            &["XGROUP", "CREATECONSUMER", "s", "g2", "dave"],
            &["XREADGROUP", "GROUP", "g2", "dave", "STREAMS", "s", "0"],
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "bob",
                "BLOCK",
                "0",
                "STREAMS",
                "s",
                ">",
            ],
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "carol",
                "BLOCK",
                "10",
                "STREAMS",
                "s",
                ">",
            ],
            // Two streams, one served.
            &["XGROUP", "CREATE", "m2", "g2", "0"],
            &["XGROUP", "CREATE", "s", "g4", "$"],
            &[
                "XREADGROUP",
                "GROUP",
                "g2",
                "x",
                "STREAMS",
                "m2",
                "s",
                ">",
                ">",
            ],
            &[
                "XREADGROUP",
                "GROUP",
                "g2",
                "x",
                "STREAMS",
                "m2",
                "s",
                "0",
                "0",
            ],
            // The group moved back: entries already pending change owner.
            &["XGROUP", "SETID", "s", "g", "0"],
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "carol",
                "COUNT",
                "1",
                "STREAMS",
                "s",
                ">",
            ],
            &["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0"],
            // Deleted entries still pending.
            &["XDEL", "s", "2-1"],
            &["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0"],
            // XACK
            &["XACK", "s", "g", "bad"],
            &["XACK", "nope", "g", "bad"],
            &["XACK", "s", "nog", "1-1"],
            &["XACK", "str", "g", "1-1"],
            &["XACK", "s", "g", "9-9", "3-1", "3-1"],
            &["XGROUP", "DELCONSUMER", "s", "g", "carol"],
            &["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0"],
            // XCLAIM
            &["XCLAIM", "nope", "g", "c", "0", "1-1"],
            &["XCLAIM", "str", "g", "c", "0", "1-1"],
            &["XCLAIM", "s", "nog", "c", "0", "1-1"],
            &["XCLAIM", "s", "g", "c", "x", "1-1"],
            &["XCLAIM", "s", "g", "c", "0", "1-1", "BOGUS"],
            &["XCLAIM", "s", "g", "c", "0", "1-1", "TIME", "x"],
            &["XCLAIM", "s", "g", "c", "0", "1-1", "IDLE", "x"],
            &["XCLAIM", "s", "g", "c", "0", "1-1", "RETRYCOUNT", "x"],
            &["XCLAIM", "s", "g", "c", "0", "1-1", "LASTID", "-"],
            &["XCLAIM", "s", "g", "c", "0", "-"],
            &["XCLAIM", "s", "g", "frank", "0", "9-9"],
            &["XGROUP", "CREATECONSUMER", "s", "g", "frank"],
            &["XCLAIM", "s", "g", "gina", "0", "1-1", "4-1", "JUSTID"],
            &["XCLAIM", "s", "g", "gina", "3600000", "1-1", "4-1"],
            &[
                "XCLAIM",
                "s",
                "g",
                "hal",
                "0",
                "1-1",
                "TIME",
                "1000",
                "RETRYCOUNT",
                "7",
            ],
            &[
                "XCLAIM", "s", "g", "hal", "0", "5-1", "6-1", "IDLE", "5000", "FORCE",
            ],
            &[
                "XCLAIM", "s", "g", "hal", "0", "6-1", "FORCE", "JUSTID", "LASTID", "99-0",
            ],
            &["XCLAIM", "s", "g", "ivy", "0", "9-9", "LASTID", "100-0"],
            &["XCLAIM", "s", "g", "ivy", "0", "9-9", "LASTID", "1-0"],
            &[
                "XCLAIM",
                "s",
                "g",
                "ivy",
                "-5",
                "1-1",
                "RETRYCOUNT",
                "-3",
                "TIME",
                "-1",
            ],
            &["XDEL", "s", "1-1"],
            &["XCLAIM", "s", "g", "ivy", "0", "1-1", "5-1"],
            &["XGROUP", "DELCONSUMER", "s", "g", "hal"],
            &["XGROUP", "DELCONSUMER", "s", "g", "ivy"],
            &["XGROUP", "DELCONSUMER", "s", "g", "gina"],
            // XAUTOCLAIM
            &["XAUTOCLAIM", "s", "g", "c", "x", "0"],
            &["XAUTOCLAIM", "s", "g", "c", "0", "bad"],
            &[
                "XAUTOCLAIM",
                "s",
                "g",
                "c",
                "0",
                "(18446744073709551615-18446744073709551615",
            ],
            &["XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "0"],
            &["XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "x"],
            &["XAUTOCLAIM", "s", "g", "c", "0", "0", "FOO"],
            &["XAUTOCLAIM", "nope", "g", "c", "0", "0"],
            &["XAUTOCLAIM", "str", "g", "c", "0", "0"],
            &["XAUTOCLAIM", "s", "nog", "c", "0", "0"],
            &["XGROUP", "SETID", "s", "g", "0"],
            &["XREADGROUP", "GROUP", "g", "jo", "STREAMS", "s", ">"],
            &["XAUTOCLAIM", "s", "g", "kim", "3600000", "0"],
            &["XGROUP", "CREATECONSUMER", "s", "g", "kim"],
            &["XAUTOCLAIM", "s", "g", "kim", "0", "0", "COUNT", "1"],
            &[
                "XAUTOCLAIM",
                "s",
                "g",
                "kim",
                "0",
                "(3-1",
                "COUNT",
                "1",
                "JUSTID",
            ],
            &["XDEL", "s", "5-1"],
            &["XAUTOCLAIM", "s", "g", "lee", "0", "-", "COUNT", "2"],
            &["XAUTOCLAIM", "s", "g", "lee", "0", "+"],
            &["XAUTOCLAIM", "s", "g", "lee", "0", "0"],
            &["XGROUP", "DELCONSUMER", "s", "g", "lee"],
            &["XGROUP", "DELCONSUMER", "s", "g", "kim"],
            &["XGROUP", "DELCONSUMER", "s", "g", "jo"],
            &["XGROUP", "DESTROY", "s", "g"],
            &["XGROUP", "DESTROY", "s", "g"],
        ],
    );
    // The clock: what the engine propagates is what Redis replays.
    all(
        &mut o,
        &[
            &["XADD", "t", "1-1", "a", "1"],
            &["XADD", "t", "2-1", "a", "1"],
            &["XADD", "t", "3-1", "a", "1"],
            &["XGROUP", "CREATE", "t", "g", "0"],
        ],
    );
    let r = engine_first(
        &mut o,
        &["XREADGROUP", "GROUP", "g", "a", "STREAMS", "t", ">"],
    );
    let streams = r.as_array().expect("served");
    assert_eq!(streams.len(), 1);
    let entries = streams[0].as_array().expect("[key, entries]")[1]
        .as_array()
        .expect("entries");
    assert!(entries.len() == 3 && entries.iter().all(is_entry), "{r:?}");
    let r = engine_first(&mut o, &["XCLAIM", "t", "g", "b", "1", "1-1", "2-1"]);
    assert!(
        r.as_array().is_some_and(|a| a.iter().all(is_entry)),
        "{r:?}"
    );
    let r = engine_first(&mut o, &["XAUTOCLAIM", "t", "g", "c", "1", "0", "JUSTID"]);
    let a = r.as_array().expect("array");
    assert!(a.len() == 3 && is_id(&a[0]), "{r:?}");
    // Both sides now hold the same groups: replies that do not depend on the clock.
    all(
        &mut o,
        &[
            &["XACK", "t", "g", "1-1", "2-1", "3-1"],
            &["XREADGROUP", "GROUP", "g", "a", "STREAMS", "t", "0"],
            &["XGROUP", "DELCONSUMER", "t", "g", "a"],
            &["XGROUP", "DELCONSUMER", "t", "g", "b"],
            &["XGROUP", "DELCONSUMER", "t", "g", "c"],
        ],
    );
    o.finish();
}

#[test]
fn random_stream_workload_matches_redis() {
    let mut o = Oracle::new();
    let mut r = Rng::new(11);
    let keys = ["x0", "x1", "x2"];
    let groups = ["g0", "g1"];
    let consumers = ["c0", "c1", "c2"];
    let mut next_ms = [1u64; 3];
    for _ in 0..500 {
        let ki = r.below(keys.len() as u64) as usize;
        let k = keys[ki];
        let g = *r.pick(&groups);
        let cons = *r.pick(&consumers);
        let id = |r: &mut Rng, top: u64| format!("{}-{}", r.below(top + 2), r.below(3));
        let n = format!("{}", r.below(6));
        match r.below(16) {
            0..=3 => {
                next_ms[ki] += r.below(3);
                let new = format!("{}-*", next_ms[ki]);
                let v = format!("{}", r.below(1000));
                match r.below(4) {
                    0 => o.run_str(&["XADD", k, "MAXLEN", "~", &n, &new, "f", &v]),
                    1 => o.run_str(&["XADD", k, "MAXLEN", &n, &new, "f", &v, "g", "x"]),
                    _ => o.run_str(&["XADD", k, &new, "f", &v]),
                }
            }
            4 => {
                let i = id(&mut r, next_ms[ki]);
                o.run_str(&["XDEL", k, &i])
            }
            5 => match r.below(3) {
                0 => o.run_str(&["XTRIM", k, "MAXLEN", &n]),
                1 => o.run_str(&["XTRIM", k, "MAXLEN", "~", &n]),
                _ => {
                    let i = id(&mut r, next_ms[ki]);
                    o.run_str(&["XTRIM", k, "MINID", "~", &i])
                }
            },
            6 => {
                let i = id(&mut r, next_ms[ki]);
                o.run_str(&["XTRIM", k, "MINID", &i])
            }
            7 => o.run_str(&["XGROUP", "CREATE", k, g, "0", "MKSTREAM"]),
            8 => {
                let i = id(&mut r, next_ms[ki]);
                o.run_str(&["XGROUP", "SETID", k, g, &i])
            }
            9 | 10 => o.run_str(&[
                "XREADGROUP",
                "GROUP",
                g,
                cons,
                "COUNT",
                &n,
                "STREAMS",
                k,
                ">",
            ]),
            11 => o.run_str(&["XREADGROUP", "GROUP", g, cons, "STREAMS", k, "0"]),
            12 => {
                let (a, b) = (id(&mut r, next_ms[ki]), id(&mut r, next_ms[ki]));
                o.run_str(&["XACK", k, g, &a, &b])
            }
            13 => {
                let (a, b) = (id(&mut r, next_ms[ki]), id(&mut r, next_ms[ki]));
                o.run_str(&["XCLAIM", k, g, cons, "0", &a, &b, "JUSTID"])
            }
            14 => o.run_str(&["XAUTOCLAIM", k, g, cons, "0", "0", "COUNT", "3"]),
            _ => match r.below(3) {
                0 => o.run_str(&["XGROUP", "DELCONSUMER", k, g, cons]),
                1 => o.run_str(&["XGROUP", "CREATECONSUMER", k, g, cons]),
                _ => o.run_str(&["XGROUP", "DESTROY", k, g]),
            },
        };
    }
    o.finish();
}

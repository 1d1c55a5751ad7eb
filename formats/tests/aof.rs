//! RESP records and the multi-part manifest against the AOFs real servers wrote.

use std::path::{Path, PathBuf};

use formats::ErrorKind;
use formats::aof::manifest::{self, FileType};
use formats::aof::resp::{ItemRef, Reader, write_command, write_timestamp};
use proptest::prelude::*;

fn shared() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("SKIPPED: ../shared/fixtures not found; AOF fixture tests skipped");
        None
    }
}

fn files_named(root: &Path, ends: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().ends_with(ends) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Reads every record and writes it back: (bytes written, commands, annotations).
fn rewrite(data: &[u8]) -> formats::Result<(Vec<u8>, usize, usize)> {
    let mut r = Reader::new(data);
    let (mut out, mut cmds, mut notes) = (Vec::new(), 0, 0);
    while let Some(item) = r.next_item()? {
        match item {
            ItemRef::Command(c) => {
                let args: Vec<&[u8]> = c.args().collect();
                assert_eq!(
                    c.offset as usize + c.len as usize,
                    r_offset_hint(&args, c.offset)
                );
                write_command(&mut out, &args).unwrap();
                cmds += 1;
            }
            ItemRef::Annotation { text, .. } => {
                out.extend_from_slice(text);
                out.extend_from_slice(b"\r\n");
                notes += 1;
            }
        }
    }
    Ok((out, cmds, notes))
}

/// The end offset a command of these arguments has when written by Redis.
fn r_offset_hint(args: &[&[u8]], offset: u64) -> usize {
    let mut v = Vec::new();
    write_command(&mut v, args).unwrap();
    offset as usize + v.len()
}

#[test]
fn every_fixture_aof_reads_and_rewrites_byte_for_byte() {
    let Some(root) = shared() else { return };
    let mut checked = 0;
    for f in files_named(&root, ".aof") {
        let data = std::fs::read(&f).unwrap();
        if data.starts_with(b"REDIS") || f.to_string_lossy().contains("truncated") {
            continue; // RDB preambles: see the resume test; the cut file: its own test
        }
        let (out, cmds, _) = rewrite(&data).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        assert_eq!(out, data, "{}: rewritten bytes differ", f.display());
        assert!(cmds > 0 || data.is_empty(), "{}", f.display());
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} AOF files");
}

#[test]
fn a_cut_file_fails_where_redis_check_aof_says() {
    let Some(root) = shared() else { return };
    let f = root.join("redis-7.0/aof-truncated/appendonlydir/appendonly.aof.2.incr.aof");
    let data = std::fs::read(&f).unwrap();
    let mut r = Reader::new(&data[..]);
    let e = loop {
        match r.next_item() {
            Ok(Some(_)) => {}
            Ok(None) => panic!("a cut file read to the end"),
            Err(e) => break e,
        }
    };
    assert!(matches!(e.kind, ErrorKind::UnexpectedEof), "{e}");
    // check.txt: "ok_up_to=1601"
    assert_eq!(r.valid_up_to(), 1601);
    assert_eq!(e.offset, Some(1601));
}

#[test]
fn timestamps_are_annotations() {
    let Some(root) = shared() else { return };
    let f = root.join("redis-7.0/aof-timestamp/appendonlydir/appendonly.aof.2.incr.aof");
    let data = std::fs::read(&f).unwrap();
    let mut r = Reader::new(&data[..]);
    let mut ts = Vec::new();
    while let Some(item) = r.next_item().unwrap() {
        if let Some(t) = item.timestamp() {
            ts.push(t);
        }
    }
    assert_eq!(ts.len(), 3, "{ts:?}");
    assert!(
        ts.windows(2).all(|w| w[0] < w[1]) && ts[0] > 1_700_000_000,
        "{ts:?}"
    );
}

#[test]
fn an_rdb_preamble_then_resp() {
    let Some(root) = shared() else { return };
    let data = std::fs::read(root.join("external/redis__redis/rdb-preamble.aof")).unwrap();
    let mut rdb = formats::rdb::Reader::new(&data[..]);
    struct Keys(usize);
    impl formats::rdb::Visitor for Keys {
        fn end_key(&mut self) -> formats::Result<()> {
            self.0 += 1;
            Ok(())
        }
    }
    let mut k = Keys(0);
    let summary = rdb.run(&mut k).unwrap();
    assert_eq!(k.0, 2);
    let (rest, ahead) = rdb.into_parts();
    let mut r = Reader::resume(rest, ahead, summary.end_offset);
    let mut cmds = Vec::new();
    while let Some(ItemRef::Command(c)) = r.next_item().unwrap() {
        cmds.push((
            c.offset,
            c.args()
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect::<Vec<_>>(),
        ));
    }
    assert_eq!(cmds.len(), 2);
    assert_eq!(cmds[0].0, summary.end_offset);
    assert_eq!(cmds[0].1, ["SELECT", "0"]);
    assert_eq!(cmds[1].1, ["set", "k3", "v3"]);
    assert_eq!(r.valid_up_to(), data.len() as u64);
}

#[test]
fn malformed_records_name_the_offset() {
    let cases: &[(&[u8], u64, &str)] = &[
        (b"+OK\r\n", 0, "expected '*'"),
        (b"*1\r\n$3\r\nGETXX", 11, "not followed by"),
        (b"*1\r\n$x\r\nGET\r\n", 5, "invalid number"),
        (b"*0\r\n", 1, "0 arguments"),
        (b"*1\r\n$3\r\nGET\r\n*1\r\n#3\r\n", 17, "expected '$'"),
        (b"*1\r\n$3\rxGET\r\n", 7, "expected '\\n'"),
    ];
    for (input, off, what) in cases {
        let mut r = Reader::new(*input);
        let e = loop {
            match r.next_item() {
                Ok(Some(_)) => {}
                Ok(None) => panic!("{input:?} read fine"),
                Err(e) => break e,
            }
        };
        assert!(matches!(e.kind, ErrorKind::Resp(_)), "{input:?}: {e}");
        assert_eq!(e.offset, Some(*off), "{input:?}: {e}");
        assert!(e.to_string().contains(what), "{input:?}: {e}");
    }
    // A length beyond the limit is an error, not an allocation.
    let mut r = Reader::new(&b"*1\r\n$99999999999999\r\n"[..]);
    assert!(r.next_item().is_err());
}

/// Returns at most `n` bytes per read, to exercise refills.
struct Trickle<'a>(&'a [u8], usize);

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.1.min(buf.len()).min(self.0.len());
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

proptest! {
    #[test]
    fn commands_round_trip_through_any_chunking(
        cmds in proptest::collection::vec(proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), 1..6), 0..20),
        ts in proptest::option::of(0i64..2_000_000_000),
        chunk in 1usize..50,
        cut in any::<prop::sample::Index>(),
    ) {
        let mut data = Vec::new();
        if let Some(t) = ts {
            write_timestamp(&mut data, t).unwrap();
        }
        let mut ends = Vec::new();
        for c in &cmds {
            let args: Vec<&[u8]> = c.iter().map(Vec::as_slice).collect();
            write_command(&mut data, &args).unwrap();
            ends.push(data.len() as u64);
        }
        let mut r = Reader::new(Trickle(&data, chunk));
        let mut got = Vec::new();
        while let Some(item) = r.next_item().unwrap() {
            if let ItemRef::Command(c) = item {
                got.push(c.args().map(<[u8]>::to_vec).collect::<Vec<_>>());
            }
        }
        prop_assert_eq!(&got, &cmds);
        // Cut anywhere: complete commands before the cut, then a clean end or an EOF
        // error at the start of the cut command, never a panic.
        let at = cut.index(data.len() + 1);
        let mut r = Reader::new(&data[..at]);
        let mut n = 0;
        loop {
            match r.next_item() {
                Ok(Some(ItemRef::Command(_))) => n += 1,
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(e) => {
                    prop_assert!(matches!(e.kind, ErrorKind::UnexpectedEof));
                    prop_assert_eq!(e.offset, Some(r.valid_up_to()));
                    break;
                }
            }
        }
        prop_assert_eq!(n, ends.iter().filter(|&&e| e <= at as u64).count());
    }
}

#[test]
fn fixture_manifests_parse_and_write_back_byte_for_byte() {
    let Some(root) = shared() else { return };
    let files = files_named(&root, ".manifest");
    assert!(files.len() >= 8);
    for f in files {
        let text = std::fs::read(&f).unwrap();
        let m = manifest::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        assert_eq!(m.to_bytes(), text, "{}", f.display());
        assert!(
            m.base().is_some() && m.incrs().count() >= 1,
            "{}",
            f.display()
        );
    }
}

#[test]
fn manifest_quoting_and_errors() {
    let m = manifest::parse(
        b"file \"a b\\n\\x01\\\"q\" seq 1 type b\nfile x.incr seq 2 type i extra 1\n",
    )
    .unwrap();
    assert_eq!(m.entries[0].file, b"a b\n\x01\"q");
    assert_eq!(m.entries[1].kind, FileType::Incr);
    assert_eq!(m.entries[1].extra, vec![(b"extra".to_vec(), b"1".to_vec())]);
    let again = manifest::parse(&m.to_bytes()).unwrap();
    assert_eq!(again.entries[0].file, m.entries[0].file);
    assert_eq!(again.to_bytes(), m.to_bytes());
    let bad: &[(&[u8], usize)] = &[
        (b"", 0),
        (b"file a seq 1 type b\n\nfile b seq 2 type i\n", 2),
        (b"file a seq 0 type b\n", 1),
        (b"file a/b seq 1 type b\n", 1),
        (b"file a seq 1 type b\nfile b seq 2 type b\n", 2),
        (b"file a seq 3 type i\nfile b seq 2 type i\n", 2),
        (b"file a seq 1\n", 1),
        (b"file \"a seq 1 type b\n", 1),
        (b"file a seq 1 type x\n", 1),
    ];
    for (text, line) in bad {
        let e = manifest::parse(text).expect_err(&String::from_utf8_lossy(text));
        match e.kind {
            ErrorKind::Manifest { line: l, .. } => {
                assert_eq!(l, *line, "{}", String::from_utf8_lossy(text))
            }
            other => panic!("{other:?}"),
        }
    }
    // Comments are skipped.
    assert_eq!(
        manifest::parse(b"# hi\nfile a seq 1 type b\n")
            .unwrap()
            .entries
            .len(),
        1
    );
}

#[test]
fn command_table_lookups() {
    use formats::aof::{arity_ok, command, subcommand_arity};
    let set = command(b"SeT").expect("set");
    assert_eq!((set.arity, set.first, set.write), (-3, 1, true));
    assert!(command(b"zadd").is_some_and(|c| c.arity == -4));
    assert!(
        command(b"hpexpireat").is_some(),
        "7.4 commands are in the table"
    );
    assert!(command(b"nosuchcommand").is_none());
    assert_eq!(subcommand_arity(b"XGROUP", b"create"), Some(-5));
    assert_eq!(subcommand_arity(b"function", b"LOAD"), Some(-3));
    assert!(arity_ok(-3, 3) && arity_ok(-3, 5) && !arity_ok(-3, 2));
    assert!(arity_ok(2, 2) && !arity_ok(2, 3));
}

#[test]
fn append_and_write_give_the_same_bytes() {
    let args: [&[u8]; 3] = [b"SET", b"k\r\n", b""];
    let mut a = Vec::new();
    formats::aof::resp::append_command(&mut a, &args);
    let mut w = Vec::new();
    write_command(&mut w, &args).unwrap();
    assert_eq!(a, w);
    assert_eq!(a, b"*3\r\n$3\r\nSET\r\n$3\r\nk\r\n\r\n$0\r\n\r\n");
}

#[test]
fn key_positions_follow_the_command_table_and_movable_forms() {
    use formats::aof::key_positions as k;
    assert_eq!(k(&[b"SET", b"a", b"1"]), [1]);
    assert_eq!(k(&[b"mset", b"a", b"1", b"b", b"2"]), [1, 3]);
    assert_eq!(k(&[b"DEL", b"a", b"b", b"c"]), [1, 2, 3]);
    assert_eq!(k(&[b"EVAL", b"s", b"2", b"a", b"b", b"x"]), [3, 4]);
    assert_eq!(
        k(&[
            b"ZUNIONSTORE",
            b"d",
            b"2",
            b"a",
            b"b",
            b"WEIGHTS",
            b"1",
            b"2"
        ]),
        [1, 3, 4]
    );
    assert_eq!(k(&[b"LMPOP", b"2", b"a", b"b", b"LEFT"]), [2, 3]);
    assert_eq!(k(&[b"SORT", b"a", b"BY", b"w_*", b"STORE", b"d"]), [1, 5]);
    assert_eq!(
        k(&[
            b"XREADGROUP",
            b"GROUP",
            b"g",
            b"c",
            b"STREAMS",
            b"s1",
            b"s2",
            b">",
            b">"
        ]),
        [5, 6]
    );
    assert_eq!(k(&[b"HPEXPIREAT", b"h", b"1", b"FIELDS", b"1", b"f"]), [1]);
    assert!(k(&[b"SELECT", b"1"]).is_empty() && k(&[b"NOPE", b"x"]).is_empty());
}

proptest! {
    /// Random byte flips and cuts: the reader never panics, every error has an offset
    /// inside the input, and the checker reports a valid prefix that really is valid.
    #[test]
    fn flipped_and_cut_aofs_never_panic_and_always_give_an_offset(
        cmds in proptest::collection::vec(proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 1..5), 1..15),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 0..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut data = Vec::new();
        for c in &cmds {
            let args: Vec<&[u8]> = c.iter().map(Vec::as_slice).collect();
            write_command(&mut data, &args).unwrap();
        }
        for (i, x) in flips {
            let at = i.index(data.len());
            data[at] ^= x;
        }
        data.truncate(cut.index(data.len() + 1));
        let mut r = Reader::new(&data[..]);
        loop {
            match r.next_item() {
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(e) => {
                    let off = e.offset.expect("an error names its offset");
                    prop_assert!(off <= data.len() as u64);
                    prop_assert!(r.valid_up_to() <= off);
                    // What is before the valid offset reads cleanly.
                    let mut again = Reader::new(&data[..r.valid_up_to() as usize]);
                    while again.next_item().map_err(|e| TestCaseError::fail(e.to_string()))?.is_some() {}
                    break;
                }
            }
        }
    }
}

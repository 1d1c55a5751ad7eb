//! Any bytes through every compact-encoding reader and the LZF decoder: no panic, and
//! LZF validation agrees with decompression.
#![no_main]

use formats::lzf;
use formats::rdb::encodings::{intset, listpack, ziplist, zipmap};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = listpack::read::Iter::new(data).take(data.len() + 2).count();
    let _ = ziplist::read::Iter::new(data).take(data.len() + 2).count();
    let _ = intset::read::Iter::new(data).take(data.len() + 2).count();
    let _ = zipmap::read::Iter::new(data).take(data.len() + 2).count();
    if let Some((&n, rest)) = data.split_first() {
        let ulen = usize::from(n) * 4;
        let mut out = vec![0u8; ulen];
        assert_eq!(lzf::decompress(rest, &mut out), lzf::validate(rest, ulen));
    }
});

//! Any bytes through the AOF record reader and the manifest parser: no panic, and every
//! reader error names an offset inside the input.
#![no_main]

use formats::aof::{manifest, resp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut r = resp::Reader::new(data);
    loop {
        match r.next_item() {
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(e) => {
                assert!(e.offset.is_some_and(|o| o <= data.len() as u64));
                break;
            }
        }
    }
    let _ = manifest::parse(data).map(|m| manifest::parse(&m.to_bytes()).expect("written manifests parse"));
});

//! Any bytes through the streaming RDB reader, in every mode: no panic, no hang, no
//! unbounded allocation. Seed the corpus with the fixtures:
//!     cargo fuzz run -s none rdb_read fuzz/corpus/rdb_read ../fixtures
#![no_main]

use formats::rdb::read::{ReaderBuilder, Visitor};
use libfuzzer_sys::fuzz_target;

struct KeepGoing(bool);

impl Visitor for KeepGoing {
    fn wants_string_values(&self) -> bool {
        self.0
    }
    fn key_error(&mut self, _: formats::Error) -> formats::Result<()> {
        Ok(())
    }
}

fuzz_target!(|data: &[u8]| {
    let limits = formats::Limits { max_string: 1 << 20, ..formats::Limits::default() };
    for deep in [true, false] {
        let mut v = KeepGoing(deep);
        let _ = ReaderBuilder::new()
            .deep(deep)
            .allow_future_version(true)
            .limits(limits)
            .build(data)
            .run(&mut v);
    }
});

//! `rdbtool dump --format resp`: the commands that rebuild the dataset (the library's
//! [`Emitter`]), filtered, written as RESP for `redis-cli --pipe`.

use std::io::Write;

use formats::Error;
use formats::aof::resp::append_command;
use formats::cli::interrupt;
use formats::cli::progress::Progress;
use formats::rdb::Version;
use formats::rdb::commands::{Emitter, Origin, Sink};
use formats::rdb::encodings::Elem;
use formats::rdb::read::{KeyInfo, ModuleData, StreamGroup, StreamId, StreamMeta, Visitor};

use super::dump::DumpVisitor;
use crate::filter::Filter;

/// Buffered output is handed to the writer at this size (outside a key under
/// --skip-corrupt).
const FLUSH_AT: usize = 1 << 20;

/// RESP bytes of the emitted commands.
#[derive(Default)]
struct RespBytes(Vec<u8>);

impl Sink for RespBytes {
    fn command(&mut self, _: Origin, args: &[&[u8]]) -> formats::Result<()> {
        append_command(&mut self.0, args);
        Ok(())
    }
}

pub(super) struct RespDump<'w> {
    emitter: Emitter<RespBytes>,
    out: &'w mut dyn Write,
    filter: Filter,
    skip_corrupt: bool,
    progress: Progress,
    active: bool,
    key_start: usize,
    skipped: u64,
}

impl<'w> RespDump<'w> {
    pub(super) fn new(
        out: &'w mut dyn Write,
        filter: Filter,
        skip_corrupt: bool,
        progress: Progress,
    ) -> Self {
        RespDump {
            emitter: Emitter::new(RespBytes::default()),
            out,
            filter,
            skip_corrupt,
            progress,
            active: false,
            key_start: 0,
            skipped: 0,
        }
    }

    fn buf(&mut self) -> &mut Vec<u8> {
        &mut self.emitter.sink_mut().0
    }

    fn maybe_flush(&mut self) -> formats::Result<()> {
        if interrupt::interrupted() {
            return Err(interrupt::error());
        }
        if self.emitter.sink().0.len() >= FLUSH_AT && !(self.skip_corrupt && self.active) {
            self.flush_all()?;
        }
        Ok(())
    }
}

impl DumpVisitor for RespDump<'_> {
    fn finish(&mut self) -> formats::Result<()> {
        Ok(self.flush_all()?)
    }
    fn flush_all(&mut self) -> std::io::Result<()> {
        let buf = std::mem::take(&mut self.emitter.sink_mut().0);
        let r = self.out.write_all(&buf);
        let mut buf = buf;
        buf.clear();
        self.emitter.sink_mut().0 = buf;
        self.key_start = 0;
        r
    }
    fn skipped(&self) -> u64 {
        self.skipped
    }
    fn progress(&self) -> &Progress {
        &self.progress
    }
}

/// Forwards a value callback to the emitter for keys that pass the filter.
macro_rules! forward {
    ($self:ident, $call:expr) => {{
        if !$self.active {
            return Ok(());
        }
        $call?;
        $self.maybe_flush()
    }};
}

impl Visitor for RespDump<'_> {
    fn header(&mut self, v: Version) -> formats::Result<()> {
        self.emitter.header(v)
    }
    fn function(&mut self, code: &[u8]) -> formats::Result<()> {
        self.emitter.function(code)?;
        self.maybe_flush()
    }
    fn begin_key(&mut self, k: &KeyInfo<'_>) -> formats::Result<()> {
        self.progress.set(k.offset);
        self.active = self.filter.accepts(k);
        if !self.active {
            return Ok(());
        }
        self.key_start = self.buf().len();
        self.emitter.begin_key(k)?;
        self.maybe_flush()
    }
    fn string(&mut self, v: &[u8]) -> formats::Result<()> {
        forward!(self, self.emitter.string(v))
    }
    fn list_element(&mut self, e: &[u8]) -> formats::Result<()> {
        forward!(self, self.emitter.list_element(e))
    }
    fn set_member(&mut self, m: &[u8]) -> formats::Result<()> {
        forward!(self, self.emitter.set_member(m))
    }
    fn zset_member(&mut self, m: &[u8], score: f64) -> formats::Result<()> {
        forward!(self, self.emitter.zset_member(m, score))
    }
    fn hash_field(&mut self, f: &[u8], v: &[u8], e: Option<i64>) -> formats::Result<()> {
        forward!(self, self.emitter.hash_field(f, v, e))
    }
    fn stream_entry(
        &mut self,
        id: StreamId,
        fields: &[(Elem<'_>, Elem<'_>)],
    ) -> formats::Result<()> {
        forward!(self, self.emitter.stream_entry(id, fields))
    }
    fn stream_meta(&mut self, m: &StreamMeta) -> formats::Result<()> {
        forward!(self, self.emitter.stream_meta(m))
    }
    fn stream_group(&mut self, g: &StreamGroup) -> formats::Result<()> {
        forward!(self, self.emitter.stream_group(g))
    }
    fn module_value(&mut self, m: &ModuleData<'_>) -> formats::Result<()> {
        forward!(self, self.emitter.module_value(m))
    }
    fn end_key(&mut self) -> formats::Result<()> {
        let was = std::mem::take(&mut self.active);
        if was {
            self.emitter.end_key()?;
        }
        self.maybe_flush()
    }
    fn key_error(&mut self, err: Error) -> formats::Result<()> {
        if !self.skip_corrupt || err.offset.is_none() {
            return Err(err);
        }
        if self.active {
            let at = self.key_start;
            self.buf().truncate(at);
            self.emitter.discard_key();
        }
        self.active = false;
        self.skipped += 1;
        eprintln!("rdbtool: skipped damaged key: {err}");
        Ok(())
    }
}

//! `rdbtool dump`: every key as JSON Lines, JSON, text, RESP commands or key names,
//! streamed: a big collection goes out element by element.

use std::io::Write;

use anyhow::{Context as _, Result, bail};
use formats::Error;
use formats::cli::output::{Output, same_file};
use formats::cli::progress::Progress;
use formats::cli::time::iso8601_ms;
use formats::cli::{Exit, interrupt, json};
use formats::escape::write_escaped;
use formats::rdb::encodings::Elem;
use formats::rdb::read::{
    ChecksumStatus, KeyInfo, ModuleData, ReaderBuilder, StreamGroup, StreamId, StreamIdmp,
    StreamMeta, Visitor,
};
use formats::rdb::{DataType, TypeId};

use crate::cli::{DumpArgs, DumpFormat};
use crate::filter::Filter;
use crate::input;
use crate::zsort::ZsetSorter;

use super::resp::RespDump;

/// Output is handed to the writer once this much is buffered (outside --skip-corrupt,
/// where a key's output is held until the key is known to be intact).
const FLUSH_AT: usize = 1 << 20;

pub fn run(a: DumpArgs) -> Result<Exit> {
    let filter = Filter::new(&a.filter)?;
    interrupt::install();
    let path = input::resolve(a.input.input.as_deref())?;
    if let Some(o) = &a.output
        && o.as_os_str() != "-"
        && same_file(&path, o)
    {
        bail!(
            "refusing to overwrite the input {} with the output",
            o.display()
        );
    }
    let inp = input::open(&path)?;
    let mut out = Output::open(a.output.as_deref()).with_context(|| {
        format!(
            "cannot create {}",
            a.output.as_deref().unwrap_or("-".as_ref()).display()
        )
    })?;
    let escape = out.is_terminal();
    let progress = Progress::new(inp.size, !a.quiet && inp.size.is_some());
    let mut reader = ReaderBuilder::new()
        .allow_future_version(a.input.allow_future_version)
        .build(inp.reader);
    let read = if a.format == DumpFormat::Resp {
        let mut v = RespDump::new(&mut out, filter, a.skip_corrupt, progress);
        drive(&mut reader, &mut v, a.skip_corrupt)
    } else {
        let mut v = Dump::new(a.format, &mut out, filter, escape, a.skip_corrupt, progress);
        drive(&mut reader, &mut v, a.skip_corrupt)
    };
    let (summary, skipped) = match read {
        Ok(x) => x,
        Err(e) if e.is_io() && formats::cli::is_broken_pipe(&e) => return Ok(Exit::Ok),
        Err(_) if interrupt::interrupted() => {
            // `out` is dropped unfinished: an output file's temporary is removed.
            eprintln!("rdbtool: interrupted");
            return Ok(Exit::Interrupted);
        }
        Err(e) => return Err(anyhow::Error::new(e).context(format!("reading {}", inp.name))),
    };
    // Before the output is committed: a file whose checksum is wrong gives no output
    // file unless the user accepts it.
    if let ChecksumStatus::Mismatch { stored, computed } = summary.checksum {
        let msg = format!(
            "{}: checksum mismatch: stored 0x{stored:016x}, computed 0x{computed:016x}",
            inp.name
        );
        if !a.skip_corrupt {
            bail!("{msg} (the data may be damaged; --skip-corrupt to accept)");
        }
        eprintln!("rdbtool: warning: {msg}");
    }
    out.finish().context("writing output")?;
    if skipped > 0 {
        eprintln!("rdbtool: {skipped} damaged key(s) skipped");
    }
    Ok(Exit::Ok)
}

/// What `run` needs from a dump visitor besides the visiting.
pub(super) trait DumpVisitor: Visitor {
    /// Writes what is still buffered (and a JSON array's end).
    fn finish(&mut self) -> formats::Result<()>;
    /// Writes what is buffered, as far as it goes (after an error).
    fn flush_all(&mut self) -> std::io::Result<()>;
    fn skipped(&self) -> u64;
    fn progress(&self) -> &Progress;
}

/// Reads the whole input into `v`: parsing on one core, formatting and output on the
/// other. Returns the summary and the number of damaged keys skipped.
pub(super) fn drive<R: std::io::Read + Send, V: DumpVisitor>(
    reader: &mut formats::rdb::Reader<R>,
    v: &mut V,
    skip_corrupt: bool,
) -> formats::Result<(formats::rdb::read::Summary, u64)> {
    let result = reader.run_threaded(v, skip_corrupt);
    v.progress().finish();
    match result {
        Ok(s) => {
            v.finish()?;
            Ok((s, v.skipped()))
        }
        Err(e) => {
            // Keep what was read; the error says where it stopped.
            let _ = v.flush_all();
            Err(e)
        }
    }
}

pub(super) struct Dump<'w> {
    fmt: DumpFormat,
    out: &'w mut dyn Write,
    buf: Vec<u8>,
    filter: Filter,
    escape: bool,
    skip_corrupt: bool,
    progress: Progress,
    skipped: u64,
    records: u64,
    // The key being read.
    active: bool,
    key_start: usize,
    type_id: TypeId,
    first: bool,
    /// Skiplist zsets are stored descending (or unordered for type 3): sorted before
    /// output, in bounded memory.
    zset: Option<ZsetSorter>,
}

impl<'w> Dump<'w> {
    pub(super) fn new(
        fmt: DumpFormat,
        out: &'w mut dyn Write,
        filter: Filter,
        escape: bool,
        skip_corrupt: bool,
        progress: Progress,
    ) -> Self {
        let mut d = Dump {
            fmt,
            out,
            buf: Vec::with_capacity(FLUSH_AT + 4096),
            filter,
            escape,
            skip_corrupt,
            progress,
            skipped: 0,
            records: 0,
            active: false,
            key_start: 0,
            type_id: TypeId::String,
            first: true,
            zset: None,
        };
        if fmt == DumpFormat::Json {
            d.buf.push(b'[');
        }
        d
    }

    fn flush_all(&mut self) -> std::io::Result<()> {
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        self.key_start = 0;
        Ok(())
    }

    /// Hands buffered output to the writer when there is enough of it and it may be
    /// released (not inside a key under --skip-corrupt).
    fn maybe_flush(&mut self) -> formats::Result<()> {
        if interrupt::interrupted() {
            return Err(interrupt::error());
        }
        if self.buf.len() >= FLUSH_AT && !(self.skip_corrupt && self.active) {
            self.flush_all()?;
        }
        Ok(())
    }

    fn finish_json(&mut self) -> formats::Result<()> {
        if self.fmt == DumpFormat::Json {
            self.buf
                .extend_from_slice(if self.records == 0 { b"]\n" } else { b"\n]\n" });
        }
        self.flush_all()?;
        Ok(())
    }

    fn text_bytes(&mut self, b: &[u8]) {
        if self.escape {
            self.buf.push(b'"');
            let mut s = String::new();
            let _ = write_escaped(&mut s, b);
            self.buf.extend_from_slice(s.as_bytes());
            self.buf.push(b'"');
        } else {
            self.buf.extend_from_slice(b);
        }
    }

    /// Separator before an element of a JSON array.
    fn comma(&mut self) {
        if !self.first {
            self.buf.push(b',');
        }
        self.first = false;
    }

    fn element(&mut self, e: &[u8]) -> formats::Result<()> {
        if !self.active {
            return Ok(());
        }
        match self.fmt {
            DumpFormat::Jsonl | DumpFormat::Json => {
                self.comma();
                json::write_bytes(&mut self.buf, e);
            }
            DumpFormat::Text => {
                self.buf.extend_from_slice(b"  ");
                self.text_bytes(e);
                self.buf.push(b'\n');
            }
            DumpFormat::Resp | DumpFormat::Keys => {}
        }
        self.maybe_flush()
    }

    fn write_zset_member(&mut self, member: &[u8], score: f64) {
        match self.fmt {
            DumpFormat::Jsonl | DumpFormat::Json => {
                self.comma();
                self.buf.push(b'[');
                json::write_bytes(&mut self.buf, member);
                self.buf.push(b',');
                json::write_f64(&mut self.buf, score);
                self.buf.push(b']');
            }
            DumpFormat::Text => {
                self.buf.extend_from_slice(b"  ");
                self.text_bytes(member);
                self.buf.extend_from_slice(b" => ");
                self.buf
                    .extend_from_slice(formats::rdb::commands::score_text(score).as_bytes());
                self.buf.push(b'\n');
            }
            DumpFormat::Resp | DumpFormat::Keys => {}
        }
    }
}

fn id_text(id: StreamId) -> String {
    id.to_string()
}

/// `,"idmp":{...}`: a stream's idempotent-producer state (Redis 8.6), written only when
/// the stream has one.
fn write_idmp(b: &mut Vec<u8>, m: &StreamIdmp) {
    b.extend_from_slice(b",\"idmp\":{\"duration_s\":");
    json::write_u64(b, m.duration_s);
    b.extend_from_slice(b",\"max_entries\":");
    json::write_u64(b, m.max_entries);
    b.extend_from_slice(b",\"producers\":[");
    for (i, (pid, entries)) in m.producers.iter().enumerate() {
        if i > 0 {
            b.push(b',');
        }
        b.extend_from_slice(b"{\"id\":");
        json::write_bytes(b, pid);
        b.extend_from_slice(b",\"entries\":[");
        for (j, (iid, id)) in entries.iter().enumerate() {
            if j > 0 {
                b.push(b',');
            }
            b.push(b'[');
            json::write_bytes(b, iid);
            b.extend_from_slice(b",\"");
            b.extend_from_slice(id_text(*id).as_bytes());
            b.extend_from_slice(b"\"]");
        }
        b.extend_from_slice(b"]}");
    }
    b.extend_from_slice(b"],\"iids_added\":");
    json::write_u64(b, m.iids_added);
    b.extend_from_slice(b",\"iids_duplicates\":");
    json::write_u64(b, m.iids_duplicates);
    b.push(b'}');
}

impl DumpVisitor for Dump<'_> {
    fn finish(&mut self) -> formats::Result<()> {
        self.finish_json()
    }
    fn flush_all(&mut self) -> std::io::Result<()> {
        Dump::flush_all(self)
    }
    fn skipped(&self) -> u64 {
        self.skipped
    }
    fn progress(&self) -> &Progress {
        &self.progress
    }
}

impl Visitor for Dump<'_> {
    fn begin_key(&mut self, k: &KeyInfo<'_>) -> formats::Result<()> {
        if interrupt::interrupted() {
            return Err(interrupt::error());
        }
        self.progress.set(k.offset);
        self.active = self.filter.accepts(k);
        if !self.active {
            return Ok(());
        }
        self.key_start = self.buf.len();
        self.type_id = k.type_id;
        self.first = true;
        self.zset = matches!(k.type_id, TypeId::Zset | TypeId::Zset2).then(ZsetSorter::new);
        match self.fmt {
            DumpFormat::Jsonl | DumpFormat::Json => {
                if self.fmt == DumpFormat::Json {
                    self.buf
                        .extend_from_slice(if self.records == 0 { b"\n" } else { b",\n" });
                }
                let b = &mut self.buf;
                b.extend_from_slice(b"{\"db\":");
                json::write_u64(b, k.db);
                b.extend_from_slice(b",\"key\":");
                json::write_bytes(b, k.key);
                b.extend_from_slice(b",\"type\":\"");
                b.extend_from_slice(k.data_type.name().as_bytes());
                b.extend_from_slice(b"\",\"expire_ms\":");
                match k.expire_ms {
                    Some(e) => json::write_i64(b, e),
                    None => b.extend_from_slice(b"null"),
                }
                b.extend_from_slice(b",\"encoding\":\"");
                b.extend_from_slice(k.encoding.as_bytes());
                b.push(b'"');
                if let Some(i) = k.idle_s {
                    b.extend_from_slice(b",\"idle_s\":");
                    json::write_u64(b, i);
                }
                if let Some(f) = k.freq {
                    b.extend_from_slice(b",\"freq\":");
                    json::write_u64(b, u64::from(f));
                }
                b.extend_from_slice(b",\"value\":");
                match k.data_type {
                    DataType::String | DataType::Module => {}
                    DataType::Stream => b.extend_from_slice(b"{\"entries\":["),
                    _ => b.push(b'['),
                }
            }
            DumpFormat::Text => {
                self.buf.extend_from_slice(b"db=");
                self.buf
                    .extend_from_slice(itoa::Buffer::new().format(k.db).as_bytes());
                self.buf.push(b' ');
                self.text_bytes(k.key);
                self.buf.push(b' ');
                self.buf.extend_from_slice(k.data_type.name().as_bytes());
                self.buf.extend_from_slice(b" encoding=");
                self.buf.extend_from_slice(k.encoding.as_bytes());
                if let Some(e) = k.expire_ms {
                    self.buf.extend_from_slice(b" expires=");
                    self.buf.extend_from_slice(iso8601_ms(e).as_bytes());
                }
                if let Some(i) = k.idle_s {
                    self.buf.extend_from_slice(format!(" idle={i}s").as_bytes());
                }
                if let Some(f) = k.freq {
                    self.buf.extend_from_slice(format!(" freq={f}").as_bytes());
                }
                self.buf.push(b'\n');
            }
            DumpFormat::Keys => {
                self.text_bytes(k.key);
                self.buf.push(b'\n');
            }
            // `resp` output has its own visitor (see `resp.rs`).
            DumpFormat::Resp => {}
        }
        Ok(())
    }

    fn string(&mut self, value: &[u8]) -> formats::Result<()> {
        if !self.active {
            return Ok(());
        }
        match self.fmt {
            DumpFormat::Jsonl | DumpFormat::Json => json::write_bytes(&mut self.buf, value),
            DumpFormat::Text => {
                self.buf.extend_from_slice(b"  ");
                self.text_bytes(value);
                self.buf.push(b'\n');
            }
            DumpFormat::Resp | DumpFormat::Keys => {}
        }
        self.maybe_flush()
    }

    fn list_element(&mut self, e: &[u8]) -> formats::Result<()> {
        self.element(e)
    }

    fn set_member(&mut self, m: &[u8]) -> formats::Result<()> {
        self.element(m)
    }

    fn zset_member(&mut self, member: &[u8], score: f64) -> formats::Result<()> {
        if !self.active {
            return Ok(());
        }
        if let Some(z) = &mut self.zset {
            return Ok(z.push(member, score)?);
        }
        self.write_zset_member(member, score);
        self.maybe_flush()
    }

    fn hash_field(&mut self, f: &[u8], v: &[u8], expire_ms: Option<i64>) -> formats::Result<()> {
        if !self.active {
            return Ok(());
        }
        match self.fmt {
            DumpFormat::Jsonl | DumpFormat::Json => {
                self.comma();
                self.buf.push(b'[');
                json::write_bytes(&mut self.buf, f);
                self.buf.push(b',');
                json::write_bytes(&mut self.buf, v);
                if let Some(e) = expire_ms {
                    self.buf.push(b',');
                    json::write_i64(&mut self.buf, e);
                }
                self.buf.push(b']');
            }
            DumpFormat::Text => {
                self.buf.extend_from_slice(b"  ");
                self.text_bytes(f);
                self.buf.extend_from_slice(b" => ");
                self.text_bytes(v);
                if let Some(e) = expire_ms {
                    self.buf.extend_from_slice(b" (expires ");
                    self.buf.extend_from_slice(iso8601_ms(e).as_bytes());
                    self.buf.push(b')');
                }
                self.buf.push(b'\n');
            }
            DumpFormat::Resp | DumpFormat::Keys => {}
        }
        self.maybe_flush()
    }

    fn stream_entry(
        &mut self,
        id: StreamId,
        fields: &[(Elem<'_>, Elem<'_>)],
    ) -> formats::Result<()> {
        if !self.active {
            return Ok(());
        }
        let (mut fb, mut vb) = (itoa::Buffer::new(), itoa::Buffer::new());
        match self.fmt {
            DumpFormat::Jsonl | DumpFormat::Json => {
                self.comma();
                self.buf.extend_from_slice(b"{\"id\":\"");
                self.buf.extend_from_slice(id_text(id).as_bytes());
                self.buf.extend_from_slice(b"\",\"fields\":[");
                for (i, (f, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        self.buf.push(b',');
                    }
                    self.buf.push(b'[');
                    json::write_bytes(&mut self.buf, f.as_bytes(&mut fb));
                    self.buf.push(b',');
                    json::write_bytes(&mut self.buf, v.as_bytes(&mut vb));
                    self.buf.push(b']');
                }
                self.buf.extend_from_slice(b"]}");
            }
            DumpFormat::Text => {
                self.buf.extend_from_slice(b"  ");
                self.buf.extend_from_slice(id_text(id).as_bytes());
                for (f, v) in fields {
                    self.buf.push(b' ');
                    self.text_bytes(f.as_bytes(&mut fb));
                    self.buf.push(b'=');
                    self.text_bytes(v.as_bytes(&mut vb));
                }
                self.buf.push(b'\n');
            }
            DumpFormat::Resp | DumpFormat::Keys => {}
        }
        self.maybe_flush()
    }

    fn stream_meta(&mut self, m: &StreamMeta) -> formats::Result<()> {
        if !self.active {
            return Ok(());
        }
        match self.fmt {
            DumpFormat::Jsonl | DumpFormat::Json => {
                let b = &mut self.buf;
                b.extend_from_slice(b"],\"length\":");
                json::write_u64(b, m.length);
                for (name, id) in [
                    (&b",\"last_id\":\""[..], m.last_id),
                    (b",\"first_id\":\"", m.first_id),
                    (b",\"max_deleted_id\":\"", m.max_deleted_id),
                ] {
                    b.extend_from_slice(name);
                    b.extend_from_slice(id_text(id).as_bytes());
                    b.push(b'"');
                }
                b.extend_from_slice(b",\"entries_added\":");
                json::write_u64(b, m.entries_added);
                if let Some(idmp) = &m.idmp {
                    write_idmp(b, idmp);
                }
                b.extend_from_slice(b",\"groups\":[");
                self.first = true;
            }
            DumpFormat::Text => {
                self.buf.extend_from_slice(
                    format!(
                        "  length={} last_id={} first_id={} max_deleted_id={} entries_added={}\n",
                        m.length, m.last_id, m.first_id, m.max_deleted_id, m.entries_added
                    )
                    .as_bytes(),
                );
            }
            DumpFormat::Resp | DumpFormat::Keys => {}
        }
        self.maybe_flush()
    }

    fn stream_group(&mut self, g: &StreamGroup) -> formats::Result<()> {
        if !self.active {
            return Ok(());
        }
        match self.fmt {
            DumpFormat::Jsonl | DumpFormat::Json => {
                self.comma();
                let b = &mut self.buf;
                b.extend_from_slice(b"{\"name\":");
                json::write_bytes(b, &g.name);
                b.extend_from_slice(b",\"last_id\":\"");
                b.extend_from_slice(id_text(g.last_id).as_bytes());
                b.extend_from_slice(b"\",\"entries_read\":");
                match g.entries_read {
                    Some(n) => json::write_u64(b, n),
                    None => b.extend_from_slice(b"null"),
                }
                b.extend_from_slice(b",\"pel\":[");
                for (i, p) in g.pel.iter().enumerate() {
                    if i > 0 {
                        b.push(b',');
                    }
                    b.extend_from_slice(b"{\"id\":\"");
                    b.extend_from_slice(id_text(p.id).as_bytes());
                    b.extend_from_slice(b"\",\"consumer\":");
                    match p.consumer.and_then(|c| g.consumers.get(c)) {
                        Some(c) => json::write_bytes(b, &c.name),
                        None => b.extend_from_slice(b"null"),
                    }
                    b.extend_from_slice(b",\"delivery_time_ms\":");
                    json::write_i64(b, p.delivery_time_ms);
                    b.extend_from_slice(b",\"delivery_count\":");
                    json::write_u64(b, p.delivery_count);
                    if p.nacked {
                        b.extend_from_slice(b",\"nacked\":true");
                    }
                    b.push(b'}');
                }
                b.extend_from_slice(b"],\"consumers\":[");
                for (i, c) in g.consumers.iter().enumerate() {
                    if i > 0 {
                        b.push(b',');
                    }
                    b.extend_from_slice(b"{\"name\":");
                    json::write_bytes(b, &c.name);
                    b.extend_from_slice(b",\"seen_time_ms\":");
                    json::write_i64(b, c.seen_time_ms);
                    b.extend_from_slice(b",\"active_time_ms\":");
                    match c.active_time_ms {
                        Some(t) => json::write_i64(b, t),
                        None => b.extend_from_slice(b"null"),
                    }
                    b.extend_from_slice(b",\"pel\":[");
                    for (j, id) in c.pel.iter().enumerate() {
                        if j > 0 {
                            b.push(b',');
                        }
                        b.push(b'"');
                        b.extend_from_slice(id_text(*id).as_bytes());
                        b.push(b'"');
                    }
                    b.extend_from_slice(b"]}");
                }
                b.extend_from_slice(b"]}");
            }
            DumpFormat::Text => {
                self.buf.extend_from_slice(b"  group ");
                self.text_bytes(&g.name);
                let er = g
                    .entries_read
                    .map_or("unknown".to_string(), |n| n.to_string());
                self.buf.extend_from_slice(
                    format!(
                        " last_id={} entries_read={er} pending={}\n",
                        g.last_id,
                        g.pel.len()
                    )
                    .as_bytes(),
                );
                for c in &g.consumers {
                    self.buf.extend_from_slice(b"    consumer ");
                    self.text_bytes(&c.name);
                    self.buf
                        .extend_from_slice(format!(" pending={}\n", c.pel.len()).as_bytes());
                }
            }
            DumpFormat::Resp | DumpFormat::Keys => {}
        }
        self.maybe_flush()
    }

    fn module_value(&mut self, m: &ModuleData<'_>) -> formats::Result<()> {
        if !self.active {
            return Ok(());
        }
        match self.fmt {
            DumpFormat::Jsonl | DumpFormat::Json => {
                let b = &mut self.buf;
                b.extend_from_slice(b"{\"module\":");
                json::write_str(b, m.name);
                b.extend_from_slice(b",\"module_id\":");
                json::write_u64(b, m.module_id);
                b.extend_from_slice(b",\"raw\":{\"base64\":\"");
                b.extend_from_slice(json::base64(m.raw).as_bytes());
                b.extend_from_slice(b"\"}}");
            }
            DumpFormat::Text => {
                self.buf.extend_from_slice(
                    format!(
                        "  module {} (id {}), {} bytes of payload\n",
                        m.name,
                        m.module_id,
                        m.raw.len()
                    )
                    .as_bytes(),
                );
            }
            DumpFormat::Resp | DumpFormat::Keys => {}
        }
        self.maybe_flush()
    }

    fn end_key(&mut self) -> formats::Result<()> {
        if !self.active {
            return Ok(());
        }
        if let Some(z) = self.zset.take() {
            z.finish(|m, s| {
                self.write_zset_member(m, s);
                self.maybe_flush().map_err(std::io::Error::other)
            })?;
        }
        match self.fmt {
            DumpFormat::Jsonl | DumpFormat::Json => {
                match self.type_id.data_type() {
                    DataType::String | DataType::Module => {}
                    DataType::Stream => self.buf.extend_from_slice(b"]}"),
                    _ => self.buf.push(b']'),
                }
                self.buf.push(b'}');
                if self.fmt == DumpFormat::Jsonl {
                    self.buf.push(b'\n');
                }
            }
            _ => {}
        }
        self.records += 1;
        self.active = false;
        self.maybe_flush()
    }

    fn key_error(&mut self, err: Error) -> formats::Result<()> {
        if !self.skip_corrupt || err.offset.is_none() {
            return Err(err);
        }
        if self.active {
            self.buf.truncate(self.key_start);
        }
        self.active = false;
        self.zset = None;
        self.skipped += 1;
        eprintln!("rdbtool: skipped damaged key: {err}");
        Ok(())
    }
}

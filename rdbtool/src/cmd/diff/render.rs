//! One differing key as a JSON Lines record (contract.md) or as text for people.

use formats::cli::json;
use formats::cli::time::iso8601_ms;
use formats::escape::write_escaped;
use formats::rdb::DataType;
use formats::rdb::read::StreamId;
use formats::rdb::value::StreamEntry;

use super::value::{Counter, Hunk, StreamChange, ValueDiff};

/// Text previews of string values stop after this many bytes.
const TEXT_PREVIEW: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    OnlyInA,
    OnlyInB,
    Changed,
}

/// What one side holds under the key.
#[derive(Debug, Clone, Copy)]
pub struct Side {
    pub ty: DataType,
    pub expire_ms: Option<i64>,
}

pub struct KeyDiff<'a> {
    pub db: u64,
    pub key: &'a [u8],
    pub status: Status,
    pub a: Option<Side>,
    pub b: Option<Side>,
    pub type_changed: bool,
    pub ttl_changed: bool,
    pub value: Option<ValueDiff<'a>>,
}

fn key_ref(out: &mut Vec<u8>, name: &str) {
    out.push(b'"');
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"\":");
}

fn opt_i64(out: &mut Vec<u8>, v: Option<i64>) {
    match v {
        Some(n) => json::write_i64(out, n),
        None => out.extend_from_slice(b"null"),
    }
}

fn side(out: &mut Vec<u8>, name: &str, s: &Side) {
    key_ref(out, name);
    out.extend_from_slice(b"{\"type\":\"");
    out.extend_from_slice(s.ty.name().as_bytes());
    out.extend_from_slice(b"\",\"expire_ms\":");
    opt_i64(out, s.expire_ms);
    out.push(b'}');
}

fn list<T>(out: &mut Vec<u8>, items: &[T], mut each: impl FnMut(&mut Vec<u8>, &T)) {
    out.push(b'[');
    for (i, it) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        each(out, it);
    }
    out.push(b']');
}

/// `,"name":[...]` when `items` is not empty; `first` is cleared once something is written.
fn field<T>(
    out: &mut Vec<u8>,
    first: &mut bool,
    name: &str,
    items: &[T],
    each: impl FnMut(&mut Vec<u8>, &T),
) {
    if items.is_empty() {
        return;
    }
    if !std::mem::take(first) {
        out.push(b',');
    }
    key_ref(out, name);
    list(out, items, each);
}

fn bytes(out: &mut Vec<u8>, b: &&[u8]) {
    json::write_bytes(out, b);
}

fn id(out: &mut Vec<u8>, id: &StreamId) {
    out.push(b'"');
    out.extend_from_slice(id.to_string().as_bytes());
    out.push(b'"');
}

fn pair_id(out: &mut Vec<u8>, name: &str, a: StreamId, b: StreamId) {
    key_ref(out, name);
    out.extend_from_slice(b"{\"a\":");
    id(out, &a);
    out.extend_from_slice(b",\"b\":");
    id(out, &b);
    out.push(b'}');
}

fn entry_fields(out: &mut Vec<u8>, e: &StreamEntry<'_>) {
    out.push(b'[');
    for (i, (f, v)) in e.pairs().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'[');
        json::write_bytes(out, f);
        out.push(b',');
        json::write_bytes(out, v);
        out.push(b']');
    }
    out.push(b']');
}

fn entry(out: &mut Vec<u8>, (i, e): &(StreamId, StreamEntry<'_>)) {
    out.extend_from_slice(b"{\"id\":");
    id(out, i);
    out.extend_from_slice(b",\"fields\":");
    entry_fields(out, e);
    out.push(b'}');
}

fn counter(out: &mut Vec<u8>, c: Counter) {
    match c {
        Counter::Id(i) => id(out, &i),
        Counter::N(n) => opt_i64(out, n.map(|n| n as i64)),
    }
}

/// Appends the key's JSON Lines record.
pub fn jsonl(out: &mut Vec<u8>, d: &KeyDiff<'_>) {
    out.extend_from_slice(b"{\"db\":");
    json::write_u64(out, d.db);
    out.extend_from_slice(b",\"key\":");
    json::write_bytes(out, d.key);
    out.extend_from_slice(match d.status {
        Status::OnlyInA => b",\"status\":\"only_in_a\"".as_slice(),
        Status::OnlyInB => b",\"status\":\"only_in_b\"",
        Status::Changed => b",\"status\":\"changed\"",
    });
    if d.status == Status::Changed {
        out.extend_from_slice(b",\"changes\":[");
        let mut names = Vec::new();
        if d.type_changed {
            names.push("\"type\"");
        }
        if d.ttl_changed {
            names.push("\"ttl\"");
        }
        if d.value.is_some() {
            names.push("\"value\"");
        }
        out.extend_from_slice(names.join(",").as_bytes());
        out.push(b']');
    }
    if let Some(a) = &d.a {
        out.push(b',');
        side(out, "a", a);
    }
    if let Some(b) = &d.b {
        out.push(b',');
        side(out, "b", b);
    }
    if let Some(v) = &d.value {
        out.extend_from_slice(b",\"value\":{");
        value_json(out, v);
        out.push(b'}');
    }
    out.extend_from_slice(b"}\n");
}

fn value_json(out: &mut Vec<u8>, v: &ValueDiff<'_>) {
    let mut first = true;
    match v {
        ValueDiff::String { a, b } => {
            out.extend_from_slice(b"\"a\":");
            json::write_bytes(out, a);
            out.extend_from_slice(b",\"b\":");
            json::write_bytes(out, b);
        }
        ValueDiff::List(hunks) => {
            key_ref(out, "hunks");
            list(out, hunks, |out, h: &Hunk<'_>| {
                out.extend_from_slice(b"{\"a_index\":");
                json::write_u64(out, h.a_index as u64);
                out.extend_from_slice(b",\"b_index\":");
                json::write_u64(out, h.b_index as u64);
                out.extend_from_slice(b",\"removed\":");
                list(out, &h.removed, bytes);
                out.extend_from_slice(b",\"added\":");
                list(out, &h.added, bytes);
                out.push(b'}');
            });
        }
        ValueDiff::Set { added, removed } => {
            field(out, &mut first, "added", added, bytes);
            field(out, &mut first, "removed", removed, bytes);
        }
        ValueDiff::Zset {
            added,
            removed,
            changed,
        } => {
            let member = |out: &mut Vec<u8>, (m, s): &(&[u8], f64)| {
                out.push(b'[');
                json::write_bytes(out, m);
                out.push(b',');
                json::write_f64(out, *s);
                out.push(b']');
            };
            field(out, &mut first, "added", added, member);
            field(out, &mut first, "removed", removed, member);
            field(out, &mut first, "changed", changed, |out, (m, a, b)| {
                out.extend_from_slice(b"{\"member\":");
                json::write_bytes(out, m);
                out.extend_from_slice(b",\"a\":");
                json::write_f64(out, *a);
                out.extend_from_slice(b",\"b\":");
                json::write_f64(out, *b);
                out.push(b'}');
            });
        }
        ValueDiff::Hash {
            added,
            removed,
            changed,
        } => {
            let fv = |out: &mut Vec<u8>, (f, v, t): &(&[u8], &[u8], Option<i64>)| {
                out.push(b'[');
                json::write_bytes(out, f);
                out.push(b',');
                json::write_bytes(out, v);
                if let Some(t) = t {
                    out.push(b',');
                    json::write_i64(out, *t);
                }
                out.push(b']');
            };
            field(out, &mut first, "added", added, fv);
            field(out, &mut first, "removed", removed, fv);
            field(out, &mut first, "changed", changed, |out, c| {
                out.extend_from_slice(b"{\"field\":");
                json::write_bytes(out, c.field);
                out.extend_from_slice(b",\"a\":");
                json::write_bytes(out, c.a);
                out.extend_from_slice(b",\"b\":");
                json::write_bytes(out, c.b);
                if let Some((ta, tb)) = c.expire {
                    out.extend_from_slice(b",\"expire_ms\":{\"a\":");
                    opt_i64(out, ta);
                    out.extend_from_slice(b",\"b\":");
                    opt_i64(out, tb);
                    out.push(b'}');
                }
                out.push(b'}');
            });
        }
        ValueDiff::Stream(s) => stream_json(out, s),
        ValueDiff::Module { a, b } => {
            for (name, (module, raw)) in [("a", a), ("b", b)] {
                if name == "b" {
                    out.push(b',');
                }
                key_ref(out, name);
                out.extend_from_slice(b"{\"module\":");
                json::write_str(out, module);
                out.extend_from_slice(b",\"raw\":{\"base64\":\"");
                out.extend_from_slice(json::base64(raw).as_bytes());
                out.extend_from_slice(b"\"}}");
            }
        }
    }
}

fn stream_json(out: &mut Vec<u8>, s: &StreamChange<'_>) {
    let mut first = true;
    let mut sep = |out: &mut Vec<u8>| {
        if !std::mem::take(&mut first) {
            out.push(b',');
        }
    };
    if !(s.added.is_empty() && s.removed.is_empty() && s.changed.is_empty()) {
        sep(out);
        key_ref(out, "entries");
        out.push(b'{');
        let mut f = true;
        field(out, &mut f, "added", &s.added, entry);
        field(out, &mut f, "removed", &s.removed, entry);
        field(out, &mut f, "changed", &s.changed, |out, (i, a, b)| {
            out.extend_from_slice(b"{\"id\":");
            id(out, i);
            out.extend_from_slice(b",\"a\":");
            entry_fields(out, a);
            out.extend_from_slice(b",\"b\":");
            entry_fields(out, b);
            out.push(b'}');
        });
        out.push(b'}');
    }
    if !s.meta.is_empty() {
        sep(out);
        key_ref(out, "meta");
        out.push(b'{');
        for (i, (name, a, b)) in s.meta.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            key_ref(out, name);
            out.extend_from_slice(b"{\"a\":");
            counter(out, *a);
            out.extend_from_slice(b",\"b\":");
            counter(out, *b);
            out.push(b'}');
        }
        out.push(b'}');
    }
    if !(s.groups_added.is_empty() && s.groups_removed.is_empty() && s.groups_changed.is_empty()) {
        sep(out);
        key_ref(out, "groups");
        out.push(b'{');
        let mut f = true;
        field(out, &mut f, "added", &s.groups_added, bytes);
        field(out, &mut f, "removed", &s.groups_removed, bytes);
        field(out, &mut f, "changed", &s.groups_changed, |out, g| {
            out.extend_from_slice(b"{\"name\":");
            json::write_bytes(out, g.name);
            if let Some((a, b)) = g.last_id {
                out.push(b',');
                pair_id(out, "last_id", a, b);
            }
            if let Some((a, b)) = g.entries_read {
                out.extend_from_slice(b",\"entries_read\":{\"a\":");
                counter(out, Counter::N(a));
                out.extend_from_slice(b",\"b\":");
                counter(out, Counter::N(b));
                out.push(b'}');
            }
            if !(g.pel_added.is_empty() && g.pel_removed.is_empty() && g.pel_changed.is_empty()) {
                out.extend_from_slice(b",\"pel\":{");
                let mut f = true;
                field(out, &mut f, "added", &g.pel_added, id);
                field(out, &mut f, "removed", &g.pel_removed, id);
                field(out, &mut f, "changed", &g.pel_changed, id);
                out.push(b'}');
            }
            if !(g.consumers_added.is_empty() && g.consumers_removed.is_empty()) {
                out.extend_from_slice(b",\"consumers\":{");
                let mut f = true;
                field(out, &mut f, "added", &g.consumers_added, bytes);
                field(out, &mut f, "removed", &g.consumers_removed, bytes);
                out.push(b'}');
            }
            out.push(b'}');
        });
        out.push(b'}');
    }
}

// ---- text ----

fn q(out: &mut Vec<u8>, b: &[u8]) {
    let mut s = String::with_capacity(b.len() + 2);
    s.push('"');
    let _ = write_escaped(&mut s, b.get(..TEXT_PREVIEW).unwrap_or(b));
    s.push('"');
    if b.len() > TEXT_PREVIEW {
        s.push_str(&format!("... ({} bytes)", b.len()));
    }
    out.extend_from_slice(s.as_bytes());
}

fn ttl_text(t: Option<i64>) -> String {
    match t {
        Some(ms) => iso8601_ms(ms),
        None => "none".to_string(),
    }
}

fn score(s: f64) -> String {
    let mut o = Vec::new();
    json::write_f64(&mut o, s);
    String::from_utf8_lossy(&o).trim_matches('"').to_string()
}

/// An indented line: the mark, a space, what `body` writes.
fn line(out: &mut Vec<u8>, mark: &str, body: impl FnOnce(&mut Vec<u8>)) {
    out.extend_from_slice(b"    ");
    out.extend_from_slice(mark.as_bytes());
    out.push(b' ');
    body(out);
    out.push(b'\n');
}

/// `"bytes"` then ` text`.
fn q_then(o: &mut Vec<u8>, b: &[u8], text: &str) {
    q(o, b);
    if !text.is_empty() {
        o.push(b' ');
        o.extend_from_slice(text.as_bytes());
    }
}

/// Appends the key's lines for people: a header line (`-` only in A, `+` only in B,
/// `~` changed), then one indented line per element that differs.
pub fn text(out: &mut Vec<u8>, d: &KeyDiff<'_>) {
    let (mark, s) = match d.status {
        Status::OnlyInA => ("-", d.a),
        Status::OnlyInB => ("+", d.b),
        Status::Changed => ("~", d.b),
    };
    out.extend_from_slice(format!("{mark} db{} ", d.db).as_bytes());
    q(out, d.key);
    if d.status != Status::Changed {
        if let Some(s) = s {
            out.extend_from_slice(format!(" {}", s.ty.name()).as_bytes());
            if let Some(t) = s.expire_ms {
                out.extend_from_slice(format!(", expires {}", iso8601_ms(t)).as_bytes());
            }
        }
        out.extend_from_slice(match d.status {
            Status::OnlyInA => b"  (only in A)\n".as_slice(),
            _ => b"  (only in B)\n",
        });
        return;
    }
    let (Some(a), Some(b)) = (d.a, d.b) else {
        out.push(b'\n');
        return;
    };
    let mut what = Vec::new();
    if d.type_changed {
        what.push(format!("type {} -> {}", a.ty.name(), b.ty.name()));
    } else {
        what.push(b.ty.name().to_string());
    }
    if d.ttl_changed {
        what.push(format!(
            "ttl {} -> {}",
            ttl_text(a.expire_ms),
            ttl_text(b.expire_ms)
        ));
    }
    if let Some(v) = &d.value {
        what.push(summary(v));
    }
    out.push(b' ');
    out.extend_from_slice(what.join(", ").as_bytes());
    out.push(b'\n');
    if let Some(v) = &d.value {
        value_text(out, v);
    }
}

fn summary(v: &ValueDiff<'_>) -> String {
    let counts = |parts: &[(usize, &str)]| {
        parts
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, w)| format!("{n} {w}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match v {
        ValueDiff::String { a, b } => format!("value changed ({} -> {} bytes)", a.len(), b.len()),
        ValueDiff::List(h) => {
            let r: usize = h.iter().map(|h| h.removed.len()).sum();
            let a: usize = h.iter().map(|h| h.added.len()).sum();
            counts(&[(a, "added"), (r, "removed")])
        }
        ValueDiff::Set { added, removed } => {
            counts(&[(added.len(), "added"), (removed.len(), "removed")])
        }
        ValueDiff::Zset {
            added,
            removed,
            changed,
        } => counts(&[
            (added.len(), "added"),
            (removed.len(), "removed"),
            (changed.len(), "changed"),
        ]),
        ValueDiff::Hash {
            added,
            removed,
            changed,
        } => counts(&[
            (added.len(), "added"),
            (removed.len(), "removed"),
            (changed.len(), "changed"),
        ]),
        ValueDiff::Stream(s) => {
            let mut parts = Vec::new();
            let entries = counts(&[
                (s.added.len(), "added"),
                (s.removed.len(), "removed"),
                (s.changed.len(), "changed"),
            ]);
            if !entries.is_empty() {
                parts.push(format!("entries: {entries}"));
            }
            let groups = counts(&[
                (s.groups_added.len(), "added"),
                (s.groups_removed.len(), "removed"),
                (s.groups_changed.len(), "changed"),
            ]);
            if !groups.is_empty() {
                parts.push(format!("groups: {groups}"));
            }
            if !s.meta.is_empty() && parts.is_empty() {
                parts.push("counters changed".to_string());
            }
            parts.join("; ")
        }
        ValueDiff::Module { .. } => "module value changed".to_string(),
    }
}

fn value_text(out: &mut Vec<u8>, v: &ValueDiff<'_>) {
    match v {
        ValueDiff::String { a, b } => {
            line(out, "-", |o| q(o, a));
            line(out, "+", |o| q(o, b));
        }
        ValueDiff::List(hunks) => {
            for h in hunks {
                out.extend_from_slice(
                    format!("    @ A[{}] B[{}]\n", h.a_index, h.b_index).as_bytes(),
                );
                for e in &h.removed {
                    line(out, "-", |o| q(o, e));
                }
                for e in &h.added {
                    line(out, "+", |o| q(o, e));
                }
            }
        }
        ValueDiff::Set { added, removed } => {
            for m in added {
                line(out, "+", |o| q(o, m));
            }
            for m in removed {
                line(out, "-", |o| q(o, m));
            }
        }
        ValueDiff::Zset {
            added,
            removed,
            changed,
        } => {
            for (mark, v) in [("+", added), ("-", removed)] {
                for (m, s) in v {
                    line(out, mark, |o| q_then(o, m, &score(*s)));
                }
            }
            for (m, a, b) in changed {
                line(out, "~", |o| {
                    q_then(o, m, &format!("{} -> {}", score(*a), score(*b)));
                });
            }
        }
        ValueDiff::Hash {
            added,
            removed,
            changed,
        } => {
            for (mark, v) in [("+", added), ("-", removed)] {
                for (f, v, t) in v {
                    line(out, mark, |o| {
                        q(o, f);
                        o.push(b' ');
                        let ttl =
                            t.map_or(String::new(), |t| format!("(expires {})", iso8601_ms(t)));
                        q_then(o, v, &ttl);
                    });
                }
            }
            for c in changed {
                line(out, "~", |o| {
                    q(o, c.field);
                    o.push(b' ');
                    q_then(o, c.a, "->");
                    o.push(b' ');
                    q(o, c.b);
                });
                if let Some((ta, tb)) = c.expire {
                    out.extend_from_slice(
                        format!("        ttl {} -> {}\n", ttl_text(ta), ttl_text(tb)).as_bytes(),
                    );
                }
            }
        }
        ValueDiff::Stream(s) => stream_text(out, s),
        ValueDiff::Module { a, b } => {
            out.extend_from_slice(
                format!(
                    "    module {} ({} bytes) -> {} ({} bytes)\n",
                    a.0,
                    a.1.len(),
                    b.0,
                    b.1.len()
                )
                .as_bytes(),
            );
        }
    }
}

fn entry_text(o: &mut Vec<u8>, id: StreamId, e: &StreamEntry<'_>) {
    o.extend_from_slice(id.to_string().as_bytes());
    for (f, v) in e.pairs() {
        o.push(b' ');
        q(o, f);
        o.push(b' ');
        q(o, v);
    }
}

fn stream_text(out: &mut Vec<u8>, s: &StreamChange<'_>) {
    for (mark, v) in [("+", &s.added), ("-", &s.removed)] {
        for (i, e) in v {
            line(out, mark, |o| entry_text(o, *i, e));
        }
    }
    for (i, a, b) in &s.changed {
        line(out, "~", |o| entry_text(o, *i, a));
        line(out, " ", |o| {
            o.extend_from_slice(b"-> ");
            entry_text(o, *i, b);
        });
    }
    for (name, a, b) in &s.meta {
        let c = |c: &Counter| match c {
            Counter::Id(i) => i.to_string(),
            Counter::N(Some(n)) => n.to_string(),
            Counter::N(None) => "unknown".to_string(),
        };
        out.extend_from_slice(format!("    {name}: {} -> {}\n", c(a), c(b)).as_bytes());
    }
    for (mark, v) in [("+", &s.groups_added), ("-", &s.groups_removed)] {
        for g in v {
            line(out, mark, |o| q_then(o, g, "(group)"));
        }
    }
    for g in &s.groups_changed {
        line(out, "~", |o| q_then(o, g.name, "(group)"));
        if let Some((a, b)) = g.last_id {
            out.extend_from_slice(format!("        last_id: {a} -> {b}\n").as_bytes());
        }
        if let Some((a, b)) = g.entries_read {
            let n = |n: Option<u64>| n.map_or("unknown".to_string(), |n| n.to_string());
            out.extend_from_slice(
                format!("        entries_read: {} -> {}\n", n(a), n(b)).as_bytes(),
            );
        }
        let ids = |v: &[StreamId]| {
            v.iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(" ")
        };
        for (w, v) in [
            ("pending added", &g.pel_added),
            ("pending removed", &g.pel_removed),
            ("pending changed", &g.pel_changed),
        ] {
            if !v.is_empty() {
                out.extend_from_slice(format!("        {w}: {}\n", ids(v)).as_bytes());
            }
        }
        for (mark, v) in [("+", &g.consumers_added), ("-", &g.consumers_removed)] {
            for c in v {
                out.extend_from_slice(format!("        {mark} consumer ").as_bytes());
                q(out, c);
                out.push(b'\n');
            }
        }
    }
}

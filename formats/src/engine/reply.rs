//! What a command gives back when a client sent it: its RESP2 reply, the number of
//! changes it made (Redis's `server.dirty`, which the save rules count) and the
//! commands that stand for it in an AOF or a replication stream.
//!
//! Replaying an AOF needs none of this, so an [`Out`] made by [`Out::silent`] ignores
//! every call and costs nothing; [`Out::client`] records them.
//!
//! Propagation follows Redis: a command that changed nothing (its dirty count did not
//! move) is not propagated; one that did is propagated as it was sent, unless its
//! handler said what stands for it (an `EXPIRE` as `PEXPIREAT` with the absolute time,
//! an `SPOP` as the `SREM` of what it popped, ...).

use super::ExecError;

/// A command to write to an AOF, and the database it applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prop {
    pub db: usize,
    pub args: Vec<Vec<u8>>,
}

/// A command's reply, changes and propagation; see the module documentation.
#[derive(Debug, Clone, Default)]
pub struct Out {
    on: bool,
    buf: Vec<u8>,
    dirty: u64,
    prop: Vec<Prop>,
    /// The running command chose its own propagation.
    pub(crate) own: bool,
}

/// The error codes Redis puts before a message instead of `ERR`.
const CODES: &[&str] = &[
    "ERR",
    "WRONGTYPE",
    "NOGROUP",
    "BUSYGROUP",
    "BUSYKEY",
    "NOSCRIPT",
    "EXECABORT",
    "NOTBUSY",
    "OOM",
    "INVALIDOBJ",
];

impl Out {
    /// Records nothing (AOF replay).
    pub fn silent() -> Out {
        Out::default()
    }

    /// Records replies, changes and propagation (a client's command).
    pub fn client() -> Out {
        Out {
            on: true,
            ..Out::default()
        }
    }

    pub fn is_on(&self) -> bool {
        self.on
    }

    /// The replies written so far.
    pub fn reply(&self) -> &[u8] {
        &self.buf
    }

    /// Hands the replies written so far to the caller and forgets them.
    pub fn drain_reply(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.buf)
    }

    /// Forgets the replies written so far.
    pub fn clear_reply(&mut self) {
        self.buf.clear();
    }

    /// Changes made so far (Redis's `server.dirty`).
    pub fn dirty(&self) -> u64 {
        self.dirty
    }

    /// The commands to propagate, in order.
    pub fn propagated(&self) -> &[Prop] {
        &self.prop
    }

    /// Hands the commands to propagate to the caller and forgets them.
    pub fn drain_propagated(&mut self) -> Vec<Prop> {
        std::mem::take(&mut self.prop)
    }

    /// Counts `n` changes.
    pub fn changed(&mut self, n: u64) {
        self.dirty = self.dirty.wrapping_add(n);
    }

    /// Propagates `args` on `db` for the running command, instead of the command
    /// itself; call it once per command that stands for it.
    pub fn propagate(&mut self, db: usize, args: &[&[u8]]) {
        self.own = true;
        if self.on {
            self.prop.push(Prop {
                db,
                args: args.iter().map(|a| a.to_vec()).collect(),
            });
        }
    }

    /// Propagates `cmds` (already owned) on `db` in place of the running command; none
    /// is propagating nothing.
    pub(crate) fn propagate_owned(&mut self, db: usize, cmds: Vec<Vec<Vec<u8>>>) {
        self.own = true;
        if self.on {
            self.prop
                .extend(cmds.into_iter().map(|args| Prop { db, args }));
        }
    }

    /// The running command propagates nothing, even though it changed data.
    pub fn propagate_nothing(&mut self) {
        self.own = true;
    }

    pub(crate) fn push_prop(&mut self, p: Prop) {
        if self.on {
            self.prop.push(p);
        }
    }

    /// See [`flatten_transactions`].
    pub(crate) fn flatten_transactions(&mut self, from: usize) {
        flatten_transactions(&mut self.prop, from);
    }

    pub(crate) fn insert_prop(&mut self, at: usize, p: Prop) {
        if self.on {
            self.prop.insert(at.min(self.prop.len()), p);
        }
    }

    /// Drops what was written after `reply` bytes and `props` commands (a command that
    /// failed half-way).
    pub(crate) fn truncate(&mut self, reply: usize, props: usize) {
        self.buf.truncate(reply);
        self.prop.truncate(props);
    }

    fn raw(&mut self, parts: &[&[u8]]) {
        if self.on {
            for p in parts {
                self.buf.extend_from_slice(p);
            }
        }
    }

    fn header(&mut self, kind: u8, n: i64) {
        if self.on {
            self.buf.push(kind);
            let mut b = itoa::Buffer::new();
            self.buf.extend_from_slice(b.format(n).as_bytes());
            self.buf.extend_from_slice(b"\r\n");
        }
    }

    /// `+OK`.
    pub fn ok(&mut self) {
        self.raw(&[b"+OK\r\n"]);
    }

    /// A status reply (`+text`).
    pub fn simple(&mut self, s: &str) {
        self.raw(&[b"+", s.as_bytes(), b"\r\n"]);
    }

    pub fn int(&mut self, n: i64) {
        self.header(b':', n);
    }

    pub fn bulk(&mut self, b: &[u8]) {
        if self.on {
            self.header(b'$', b.len() as i64);
            self.raw(&[b, b"\r\n"]);
        }
    }

    /// A bulk of an integer's decimal digits.
    pub fn bulk_int(&mut self, n: i64) {
        if self.on {
            let mut b = itoa::Buffer::new();
            let s = b.format(n);
            self.header(b'$', s.len() as i64);
            self.raw(&[s.as_bytes(), b"\r\n"]);
        }
    }

    /// A score or float as Redis 7.0's `addReplyDouble` writes it in RESP2: a bulk of
    /// `%.17g` (`inf`, `-inf`).
    pub fn double(&mut self, f: f64) {
        if self.on {
            self.bulk(super::digest::fmt_g17(f).as_bytes());
        }
    }

    /// The null bulk string (`$-1`).
    pub fn nil(&mut self) {
        self.raw(&[b"$-1\r\n"]);
    }

    /// The null array (`*-1`).
    pub fn nil_array(&mut self) {
        self.raw(&[b"*-1\r\n"]);
    }

    /// An array header for `n` replies that follow.
    pub fn array(&mut self, n: usize) {
        self.header(b'*', n as i64);
    }

    /// An error reply from its full text (with its code, e.g. `ERR syntax error`).
    pub fn error(&mut self, s: &str) {
        // RESP has no line breaks inside an error.
        if self.on {
            let clean: String = s
                .chars()
                .map(|c| if c == '\r' || c == '\n' { ' ' } else { c })
                .collect();
            self.raw(&[b"-", clean.as_bytes(), b"\r\n"]);
        }
    }

    /// The error reply a client gets for `e`.
    pub fn exec_error(&mut self, e: &ExecError) {
        if self.on {
            let text = error_text(e);
            self.error(&text);
        }
    }
}

/// Drops the MULTI and EXEC among `props[from..]`: those commands are about to be
/// wrapped in one transaction, and Redis nests none.
pub fn flatten_transactions(props: &mut Vec<Prop>, from: usize) {
    let mut i = 0;
    props.retain(|p| {
        i += 1;
        let wrapper = matches!(p.args.as_slice(), [w] if w.eq_ignore_ascii_case(b"MULTI")
            || w.eq_ignore_ascii_case(b"EXEC"));
        i <= from || !wrapper
    });
}

/// An error as Redis words it to a client: its message with the code in front (`ERR`
/// unless the message starts with another code).
pub fn error_text(e: &ExecError) -> String {
    match e {
        ExecError::Unknown(name) => format!("ERR unknown command '{name}'"),
        ExecError::Invalid { msg, .. } => {
            let first = msg.split(' ').next().unwrap_or("");
            if CODES.contains(&first) {
                msg.clone()
            } else {
                format!("ERR {msg}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silent_out_records_nothing() {
        let mut o = Out::silent();
        o.int(3);
        o.bulk(b"x");
        o.propagate(0, &[b"DEL", b"k"]);
        o.changed(2);
        assert!(o.reply().is_empty());
        assert!(o.propagated().is_empty());
        assert_eq!(o.dirty(), 2, "changes are counted either way");
    }

    #[test]
    fn client_out_writes_resp2() {
        let mut o = Out::client();
        o.array(5);
        o.int(-3);
        o.bulk(b"ab");
        o.nil();
        o.double(1.5);
        o.double(f64::NEG_INFINITY);
        o.ok();
        assert_eq!(
            o.reply(),
            b"*5\r\n:-3\r\n$2\r\nab\r\n$-1\r\n$3\r\n1.5\r\n$4\r\n-inf\r\n+OK\r\n"
        );
    }

    #[test]
    fn errors_get_err_unless_they_carry_a_code() {
        let e = |m: &str| {
            error_text(&ExecError::Invalid {
                cmd: "X".into(),
                msg: m.into(),
            })
        };
        assert_eq!(e("syntax error"), "ERR syntax error");
        assert_eq!(
            e("WRONGTYPE Operation against a key holding the wrong kind of value"),
            "WRONGTYPE Operation against a key holding the wrong kind of value"
        );
        assert_eq!(
            e("INCR option supports a single increment-element pair"),
            "ERR INCR option supports a single increment-element pair"
        );
    }
}

//! A minimal blocking RESP2 client over TCP, for talking to the servers the tests start.
//!
//! Commands are slices of byte strings. `cmd*` send one command and read its reply;
//! `pipeline*` write many commands at once and then read all replies (for bulk loads).
//! The `args!` macro builds one command from mixed argument types.

use std::fmt;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::time::Duration;

/// One RESP2 reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    Simple(Vec<u8>),
    Error(Vec<u8>),
    Int(i64),
    Bulk(Option<Vec<u8>>),
    Array(Option<Vec<Reply>>),
}

impl Reply {
    pub fn is_error(&self) -> bool {
        matches!(self, Reply::Error(_))
    }

    /// The bytes of a simple string or non-nil bulk string.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Reply::Simple(b) | Reply::Bulk(Some(b)) => Some(b),
            _ => None,
        }
    }

    /// An integer reply, or a simple/bulk string holding a decimal integer.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Reply::Int(i) => Some(*i),
            _ => std::str::from_utf8(self.as_bytes()?).ok()?.parse().ok(),
        }
    }

    pub fn as_array(&self) -> Option<&[Reply]> {
        match self {
            Reply::Array(Some(a)) => Some(a),
            _ => None,
        }
    }

    pub fn into_array(self) -> Option<Vec<Reply>> {
        match self {
            Reply::Array(Some(a)) => Some(a),
            _ => None,
        }
    }

    pub fn is_nil(&self) -> bool {
        matches!(self, Reply::Bulk(None) | Reply::Array(None))
    }

    /// The reply's text (lossy UTF-8) for simple/bulk strings and errors.
    pub fn text(&self) -> String {
        match self {
            Reply::Simple(b) | Reply::Error(b) | Reply::Bulk(Some(b)) => {
                String::from_utf8_lossy(b).into_owned()
            }
            other => other.to_string(),
        }
    }
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reply::Simple(b) => write!(f, "+{}", show_arg(b)),
            Reply::Error(b) => write!(f, "-{}", String::from_utf8_lossy(b)),
            Reply::Int(i) => write!(f, ":{i}"),
            Reply::Bulk(None) | Reply::Array(None) => f.write_str("(nil)"),
            Reply::Bulk(Some(b)) => write!(f, "\"{}\"", show_arg(b)),
            Reply::Array(Some(a)) => {
                f.write_str("[")?;
                for (i, r) in a.iter().enumerate().take(8) {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{r}")?;
                }
                if a.len() > 8 {
                    write!(f, ", ... ({} items)", a.len())?;
                }
                f.write_str("]")
            }
        }
    }
}

/// Converts one command argument to bytes (for `args!`).
pub trait ToArg {
    fn to_arg(&self) -> Vec<u8>;
}

impl ToArg for [u8] {
    fn to_arg(&self) -> Vec<u8> {
        self.to_vec()
    }
}
impl<const N: usize> ToArg for [u8; N] {
    fn to_arg(&self) -> Vec<u8> {
        self.to_vec()
    }
}
impl ToArg for Vec<u8> {
    fn to_arg(&self) -> Vec<u8> {
        self.clone()
    }
}
impl ToArg for str {
    fn to_arg(&self) -> Vec<u8> {
        self.as_bytes().to_vec()
    }
}
impl ToArg for String {
    fn to_arg(&self) -> Vec<u8> {
        self.as_bytes().to_vec()
    }
}
impl<T: ToArg + ?Sized> ToArg for &T {
    fn to_arg(&self) -> Vec<u8> {
        (**self).to_arg()
    }
}
macro_rules! int_to_arg {
    ($($t:ty),*) => {$(
        impl ToArg for $t {
            fn to_arg(&self) -> Vec<u8> {
                self.to_string().into_bytes()
            }
        }
    )*};
}
int_to_arg!(i32, i64, u32, u64, usize);

/// Builds one command (`Vec<Vec<u8>>`) from arguments of mixed types:
/// `args!["SET", key, value, "PXAT", 4102444800123u64]`.
#[macro_export]
macro_rules! args {
    ($($a:expr),* $(,)?) => {
        vec![$($crate::resp::ToArg::to_arg(&$a)),*]
    };
}

/// A command for messages: arguments space-separated, non-printable bytes escaped,
/// long arguments and long commands cut.
pub fn show_cmd<A: AsRef<[u8]>>(args: &[A]) -> String {
    let mut s = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        if i == 6 && args.len() > 8 {
            s.push_str(&format!("... ({} arguments)", args.len()));
            break;
        }
        s.push_str(&show_arg(a.as_ref()));
    }
    s
}

/// Bytes for messages: printable ASCII as is, the rest `\xNN`; cut after 60 bytes.
pub fn show_arg(b: &[u8]) -> String {
    let mut s = String::new();
    for &c in b.iter().take(60) {
        match c {
            b'\\' => s.push_str("\\\\"),
            b'"' => s.push_str("\\\""),
            0x20..=0x7e => s.push(c as char),
            _ => s.push_str(&format!("\\x{c:02x}")),
        }
    }
    if b.len() > 60 {
        s.push_str(&format!("...({} bytes)", b.len()));
    }
    s
}

/// A blocking RESP2 connection.
pub struct Client {
    reader: BufReader<TcpStream>,
    writer: BufWriter<TcpStream>,
    port: u16,
}

impl Client {
    /// Connects to 127.0.0.1:`port`.
    pub fn connect(port: u16) -> io::Result<Client> {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
        stream.set_nodelay(true)?;
        // generous, but a hung server must not hang the test run forever
        stream.set_read_timeout(Some(Duration::from_secs(600)))?;
        stream.set_write_timeout(Some(Duration::from_secs(600)))?;
        let writer = BufWriter::with_capacity(1 << 16, stream.try_clone()?);
        Ok(Client {
            reader: BufReader::with_capacity(1 << 16, stream),
            writer,
            port,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Writes one command to the output buffer (not flushed).
    fn write_cmd<A: AsRef<[u8]>>(&mut self, args: &[A]) -> io::Result<()> {
        write!(self.writer, "*{}\r\n", args.len())?;
        for a in args {
            let a = a.as_ref();
            write!(self.writer, "${}\r\n", a.len())?;
            self.writer.write_all(a)?;
            self.writer.write_all(b"\r\n")?;
        }
        Ok(())
    }

    /// Sends one command and reads its reply; I/O errors are returned.
    pub fn try_cmd<A: AsRef<[u8]>>(&mut self, args: &[A]) -> io::Result<Reply> {
        self.write_cmd(args)?;
        self.writer.flush()?;
        self.read_reply()
    }

    /// Sends one command and returns its reply (an error reply is returned, not a panic);
    /// panics on I/O errors.
    pub fn cmd(&mut self, args: &[&[u8]]) -> Reply {
        self.call(args)
    }

    /// `cmd` for any argument type (e.g. a `Vec<Vec<u8>>` from `args!`).
    pub fn call<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Reply {
        match self.try_cmd(args) {
            Ok(r) => r,
            Err(e) => panic!(
                "I/O error talking to the server on port {} during `{}`: {e}",
                self.port,
                show_cmd(args)
            ),
        }
    }

    /// `call`, panicking (with the command) on an error reply.
    pub fn call_ok<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Reply {
        let r = self.call(args);
        if let Reply::Error(e) = &r {
            panic!(
                "command `{}` failed on port {}: {}",
                show_cmd(args),
                self.port,
                String::from_utf8_lossy(e)
            );
        }
        r
    }

    /// Sends one command; panics on an error reply.
    pub fn cmd_ok(&mut self, args: &[&[u8]]) -> Reply {
        self.call_ok(args)
    }

    /// Sends one command that must answer an integer.
    pub fn cmd_int(&mut self, args: &[&[u8]]) -> i64 {
        match self.call_ok(args) {
            Reply::Int(i) => i,
            other => panic!(
                "command `{}` answered {other}, not an integer",
                show_cmd(args)
            ),
        }
    }

    /// Sends one command that must answer a bulk string or nil (simple strings accepted too).
    pub fn cmd_bulk(&mut self, args: &[&[u8]]) -> Option<Vec<u8>> {
        match self.call_ok(args) {
            Reply::Bulk(b) => b,
            Reply::Simple(b) => Some(b),
            other => panic!(
                "command `{}` answered {other}, not a bulk string",
                show_cmd(args)
            ),
        }
    }

    /// Sends one command that must answer a bulk/simple string; returns it as text.
    pub fn cmd_str(&mut self, args: &[&[u8]]) -> String {
        match self.cmd_bulk(args) {
            Some(b) => String::from_utf8_lossy(&b).into_owned(),
            None => panic!("command `{}` answered nil", show_cmd(args)),
        }
    }

    /// Writes all commands, then reads all replies (in order). Error replies are returned.
    /// Large batches are written in chunks so that neither side's socket buffer deadlocks.
    pub fn pipeline(&mut self, cmds: &[Vec<Vec<u8>>]) -> Vec<Reply> {
        const CHUNK: usize = 2000;
        let mut out = Vec::with_capacity(cmds.len());
        for chunk in cmds.chunks(CHUNK) {
            let res: io::Result<()> = (|| {
                for c in chunk {
                    self.write_cmd(c)?;
                }
                self.writer.flush()?;
                for _ in chunk {
                    out.push(self.read_reply()?);
                }
                Ok(())
            })();
            if let Err(e) = res {
                panic!(
                    "I/O error on port {} in a pipeline of {} commands (chunk starting with `{}`): {e}",
                    self.port,
                    cmds.len(),
                    show_cmd(&chunk[0])
                );
            }
        }
        out
    }

    /// `pipeline`, panicking on the first error reply (naming its command).
    pub fn pipeline_ok(&mut self, cmds: &[Vec<Vec<u8>>]) -> Vec<Reply> {
        let replies = self.pipeline(cmds);
        for (c, r) in cmds.iter().zip(&replies) {
            if let Reply::Error(e) = r {
                panic!(
                    "pipelined command `{}` failed on port {}: {}",
                    show_cmd(c),
                    self.port,
                    String::from_utf8_lossy(e)
                );
            }
        }
        replies
    }

    /// Reads one reply.
    pub fn read_reply(&mut self) -> io::Result<Reply> {
        read_reply(&mut self.reader)
    }
}

/// Every reply in `bytes` (e.g. what a RESP2 server wrote), in order.
pub fn parse_replies(bytes: &[u8]) -> io::Result<Vec<Reply>> {
    let mut r = io::Cursor::new(bytes);
    let mut v = Vec::new();
    while (r.position() as usize) < bytes.len() {
        v.push(read_reply(&mut r)?);
    }
    Ok(v)
}

/// Reads one reply from `reader`.
fn read_reply<R: BufRead>(reader: &mut R) -> io::Result<Reply> {
    let mut line = Vec::new();
    reader.read_until(b'\n', &mut line)?;
    if line.len() < 3 || !line.ends_with(b"\r\n") {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!("bad or truncated RESP line {:?}", show_arg(&line)),
        ));
    }
    let body = &line[1..line.len() - 2];
    let num = |b: &[u8]| -> io::Result<i64> {
        std::str::from_utf8(b)
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("bad RESP number {:?}", show_arg(b)),
                )
            })
    };
    Ok(match line[0] {
        b'+' => Reply::Simple(body.to_vec()),
        b'-' => Reply::Error(body.to_vec()),
        b':' => Reply::Int(num(body)?),
        b'$' => {
            let n = num(body)?;
            if n < 0 {
                Reply::Bulk(None)
            } else {
                let mut buf = vec![0u8; n as usize + 2];
                reader.read_exact(&mut buf)?;
                buf.truncate(n as usize);
                Reply::Bulk(Some(buf))
            }
        }
        b'*' => {
            let n = num(body)?;
            if n < 0 {
                Reply::Array(None)
            } else {
                let mut v = Vec::with_capacity(n.min(1 << 20) as usize);
                for _ in 0..n {
                    v.push(read_reply(reader)?);
                }
                Reply::Array(Some(v))
            }
        }
        c => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("unexpected RESP type byte {c:#04x} (this test client speaks RESP2 only)"),
            ));
        }
    })
}

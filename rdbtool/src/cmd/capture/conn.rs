//! The link to the master: a read buffer over the socket, the replies of the handshake,
//! the RDB payload of a full resynchronisation served as a bounded `Read`, and the
//! commands of the replication stream parsed in place.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::ops::Range;
use std::time::{Duration, Instant};

/// How long the socket read waits before the caller gets control back (to send ACKs,
/// reap a snapshot child, notice a signal).
const POLL: Duration = Duration::from_millis(100);
/// Redis's `repl-timeout` default: a master silent this long is taken as gone.
pub const REPL_TIMEOUT: Duration = Duration::from_secs(60);
/// Length of the diskless transfer's end mark (`CONFIG_RUN_ID_SIZE`).
pub const EOF_MARK_LEN: usize = 40;
/// Redis's `proto-max-bulk-len` default.
const MAX_BULK: usize = 512 << 20;
/// A bound on a command's argument count (Redis allows 1024*1024 in a multibulk header).
const MAX_ARGS: usize = 1024 * 1024;

pub struct Conn {
    sock: TcpStream,
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

/// What [`Conn::fill`] got.
#[derive(Debug, PartialEq, Eq)]
pub enum Filled {
    Data,
    /// Nothing arrived within the poll interval.
    Nothing,
}

impl Conn {
    pub fn connect(addr: &str) -> io::Result<Conn> {
        let mut last = None;
        for a in addr.to_socket_addrs()? {
            match TcpStream::connect_timeout(&a, Duration::from_secs(10)) {
                Ok(sock) => return Conn::new(sock),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| io::Error::other("the address resolves to nothing")))
    }

    fn new(sock: TcpStream) -> io::Result<Conn> {
        sock.set_nodelay(true)?;
        sock.set_read_timeout(Some(POLL))?;
        sock.set_write_timeout(Some(REPL_TIMEOUT))?;
        Ok(Conn {
            sock,
            buf: vec![0; 1 << 16],
            start: 0,
            end: 0,
        })
    }

    /// The socket's file descriptor.
    pub fn raw_fd(&self) -> std::os::fd::RawFd {
        std::os::fd::AsRawFd::as_raw_fd(&self.sock)
    }

    /// Sends one command as a RESP array.
    pub fn send(&mut self, args: &[&[u8]]) -> io::Result<()> {
        let mut out = Vec::with_capacity(64);
        out.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
        for a in args {
            out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            out.extend_from_slice(a);
            out.extend_from_slice(b"\r\n");
        }
        self.sock.write_all(&out)
    }

    /// The bytes received and not consumed yet.
    pub fn buffered(&self) -> &[u8] {
        self.buf.get(self.start..self.end).unwrap_or_default()
    }

    pub fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.end);
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
    }

    /// Reads more from the socket (waiting at most the poll interval); the end of the
    /// connection is an `UnexpectedEof` error.
    pub fn fill(&mut self) -> io::Result<Filled> {
        if self.end == self.buf.len() {
            if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            } else {
                let n = self.buf.len() * 2;
                self.buf.resize(n, 0);
            }
        }
        let room = self.buf.get_mut(self.end..).unwrap_or_default();
        match self.sock.read(room) {
            Ok(0) => Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the master closed the connection",
            )),
            Ok(n) => {
                self.end += n;
                Ok(Filled::Data)
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) =>
            {
                Ok(Filled::Nothing)
            }
            Err(e) => Err(e),
        }
    }

    /// One reply line (without its line end), waiting up to [`REPL_TIMEOUT`]. Empty
    /// lines are returned as such (a master sends `\n` to keep the link alive).
    pub fn read_line(&mut self) -> io::Result<Vec<u8>> {
        let deadline = Instant::now() + REPL_TIMEOUT;
        loop {
            if let Some(i) = memchr::memchr(b'\n', self.buffered()) {
                let line = self.buffered().get(..i).unwrap_or_default();
                let line = line.strip_suffix(b"\r").unwrap_or(line).to_vec();
                self.consume(i + 1);
                return Ok(line);
            }
            if self.buffered().len() > 64 << 10 {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "a reply line longer than 64 KiB",
                ));
            }
            if crate::cmd::capture::stop_requested() {
                return Err(io::Error::other("interrupted"));
            }
            if self.fill()? == Filled::Nothing && Instant::now() > deadline {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("no reply from the master in {} s", REPL_TIMEOUT.as_secs()),
                ));
            }
        }
    }

    /// Sends a command and reads its one-line reply (skipping keep-alive newlines).
    pub fn request(&mut self, args: &[&[u8]]) -> io::Result<Vec<u8>> {
        self.send(args)?;
        loop {
            let line = self.read_line()?;
            if !line.is_empty() {
                return Ok(line);
            }
        }
    }

    /// Parses the next command of the stream from the buffer into `args` (ranges into
    /// [`Conn::buffered`]); its length in bytes, `None` while it is incomplete.
    pub fn next_command(&self, args: &mut Vec<Range<usize>>) -> Result<Option<usize>, String> {
        parse_command(self.buffered(), args)
    }
}

/// Parses one RESP command (an array of bulk strings) at the start of `b`: its length,
/// or `None` if `b` ends inside it. A bare line end (a keep-alive newline) is a command
/// with no arguments.
pub fn parse_command(b: &[u8], args: &mut Vec<Range<usize>>) -> Result<Option<usize>, String> {
    args.clear();
    match b.first() {
        None => return Ok(None),
        Some(b'\n') => return Ok(Some(1)),
        Some(b'\r') => {
            return match b.get(1) {
                None => Ok(None),
                Some(b'\n') => Ok(Some(2)),
                Some(_) => Err("a stray carriage return in the stream".into()),
            };
        }
        Some(b'*') => {}
        Some(_) => {
            return Err(format!(
                "expected a command (a RESP array), got {:?}",
                String::from_utf8_lossy(b.get(..b.len().min(32)).unwrap_or_default())
            ));
        }
    }
    let Some((n, mut pos)) = header(b, 0, b'*')? else {
        return Ok(None);
    };
    if n > MAX_ARGS {
        return Err(format!("a command of {n} arguments"));
    }
    for _ in 0..n {
        if pos >= b.len() {
            return Ok(None);
        }
        let Some((len, at)) = header(b, pos, b'$')? else {
            return Ok(None);
        };
        if len > MAX_BULK {
            return Err(format!("an argument of {len} bytes"));
        }
        let end = at + len;
        if b.len() < end + 2 {
            return Ok(None);
        }
        if b.get(end..end + 2) != Some(b"\r\n") {
            return Err("an argument does not end with CRLF".into());
        }
        args.push(at..end);
        pos = end + 2;
    }
    Ok(Some(pos))
}

/// A `<prefix><decimal>\r\n` header at `pos`: the number and where the data after it
/// starts.
fn header(b: &[u8], pos: usize, prefix: u8) -> Result<Option<(usize, usize)>, String> {
    let rest = b.get(pos..).unwrap_or_default();
    if rest.first() != Some(&prefix) {
        return Err(format!(
            "expected '{}' in a command, got {:?}",
            prefix as char,
            String::from_utf8_lossy(rest.get(..rest.len().min(32)).unwrap_or_default())
        ));
    }
    let Some(nl) = memchr::memchr(b'\n', rest) else {
        if rest.len() > 32 {
            return Err("a length line longer than 32 bytes".into());
        }
        return Ok(None);
    };
    let digits = rest
        .get(1..nl)
        .and_then(|d| d.strip_suffix(b"\r"))
        .ok_or("a length line without CR")?;
    let n = std::str::from_utf8(digits)
        .ok()
        .filter(|s| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()))
        .and_then(|s| s.parse::<usize>().ok())
        .ok_or_else(|| format!("a bad length {:?}", String::from_utf8_lossy(digits)))?;
    Ok(Some((n, pos + nl + 1)))
}

/// How the master frames the RDB of a full resynchronisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Framing {
    /// `$<len>\r\n` and that many bytes (disk-based transfer).
    Length(u64),
    /// `$EOF:<mark>\r\n`, the bytes, then the mark again (diskless transfer).
    Mark([u8; EOF_MARK_LEN]),
}

impl Framing {
    /// Parses the payload's header line (without its line end).
    pub fn parse(line: &[u8]) -> Result<Framing, String> {
        let bad = || {
            format!(
                "expected the RDB payload ($<length> or $EOF:<mark>), got {:?}",
                String::from_utf8_lossy(line)
            )
        };
        let rest = line.strip_prefix(b"$").ok_or_else(bad)?;
        if let Some(mark) = rest.strip_prefix(b"EOF:") {
            // Redis takes the first 40 bytes of a longer mark.
            return mark
                .get(..EOF_MARK_LEN)
                .and_then(|m| m.try_into().ok())
                .map(Framing::Mark)
                .ok_or_else(bad);
        }
        std::str::from_utf8(rest)
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .map(Framing::Length)
            .ok_or_else(bad)
    }
}

/// The RDB payload as a reader that stops at its end (the length, or the end mark),
/// never reading past it. An I/O error of the link is kept in `link_error` so the caller
/// can tell a dropped link from a corrupt payload.
pub struct Payload<'a> {
    conn: &'a mut Conn,
    framing: Framing,
    /// Bytes of a `Length` payload still to come.
    left: u64,
    done: bool,
    pub link_error: Option<String>,
    pub bytes: u64,
}

impl<'a> Payload<'a> {
    pub fn new(conn: &'a mut Conn, framing: Framing) -> Payload<'a> {
        let left = match framing {
            Framing::Length(n) => n,
            Framing::Mark(_) => 0,
        };
        Payload {
            conn,
            framing,
            left,
            done: false,
            link_error: None,
            bytes: 0,
        }
    }

    /// Whether the payload was read to its end.
    #[cfg(test)]
    pub fn finished(&self) -> bool {
        self.done
    }

    /// Waits for more bytes (up to the replication timeout).
    fn more(&mut self) -> io::Result<()> {
        let deadline = Instant::now() + REPL_TIMEOUT;
        loop {
            if crate::cmd::capture::stop_requested() {
                return Err(self.fail(io::Error::other("interrupted")));
            }
            match self.conn.fill() {
                Ok(Filled::Data) => return Ok(()),
                Ok(Filled::Nothing) if Instant::now() > deadline => {
                    return Err(self.fail(io::Error::new(
                        io::ErrorKind::TimedOut,
                        format!(
                            "the master sent nothing for {} s during the transfer",
                            REPL_TIMEOUT.as_secs()
                        ),
                    )));
                }
                Ok(Filled::Nothing) => {}
                Err(e) => return Err(self.fail(e)),
            }
        }
    }

    fn fail(&mut self, e: io::Error) -> io::Error {
        self.link_error = Some(e.to_string());
        e
    }

    fn give(&mut self, out: &mut [u8], n: usize) -> usize {
        let n = n.min(out.len());
        if let (Some(dst), Some(src)) = (out.get_mut(..n), self.conn.buffered().get(..n)) {
            dst.copy_from_slice(src);
        }
        self.conn.consume(n);
        self.bytes += n as u64;
        n
    }
}

impl Read for Payload<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.done || out.is_empty() {
            return Ok(0);
        }
        loop {
            match &self.framing {
                Framing::Length(_) => {
                    if self.left == 0 {
                        self.done = true;
                        return Ok(0);
                    }
                    let have = self.conn.buffered().len();
                    if have > 0 {
                        let n = usize::try_from(self.left).unwrap_or(usize::MAX).min(have);
                        let n = self.give(out, n);
                        self.left -= n as u64;
                        return Ok(n);
                    }
                }
                Framing::Mark(mark) => {
                    let have = self.conn.buffered();
                    match memchr::memmem::find(have, mark) {
                        Some(0) => {
                            self.conn.consume(EOF_MARK_LEN);
                            self.done = true;
                            return Ok(0);
                        }
                        Some(i) => return Ok(self.give(out, i)),
                        // The last bytes may be the start of the mark: hold them back.
                        None if have.len() > EOF_MARK_LEN => {
                            let n = have.len() - EOF_MARK_LEN;
                            return Ok(self.give(out, n));
                        }
                        None => {}
                    }
                }
            }
            self.more()?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    type Parsed = Option<(usize, Vec<Vec<u8>>)>;

    fn parse(b: &[u8]) -> Result<Parsed, String> {
        let mut r = Vec::new();
        Ok(parse_command(b, &mut r)?
            .map(|n| (n, r.iter().map(|x| b[x.clone()].to_vec()).collect())))
    }

    #[test]
    fn capture_parses_commands_and_waits_for_the_rest() {
        let cmd = b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*1\r\n$4\r\nPING\r\n";
        let (n, args) = parse(cmd).unwrap().unwrap();
        assert_eq!(n, 23);
        assert_eq!(args, vec![b"SELECT".to_vec(), b"0".to_vec()]);
        for cut in 0..23 {
            assert_eq!(parse(&cmd[..cut]).unwrap(), None, "cut at {cut}");
        }
        assert_eq!(parse(b"\n*1").unwrap(), Some((1, vec![])));
        assert_eq!(parse(b"\r\n").unwrap(), Some((2, vec![])));
        assert_eq!(parse(b"*0\r\n").unwrap(), Some((4, vec![])));
        assert!(parse(b"+OK\r\n").is_err());
        assert!(parse(b"*1\r\n:5\r\n").is_err());
        assert!(parse(b"*1\r\n$3\r\nabcd\r\n").is_err());
        assert!(parse(b"*-1\r\n").is_err());
        assert!(parse(b"*1x\r\n").is_err());
    }

    #[test]
    fn capture_framing_headers() {
        assert_eq!(Framing::parse(b"$12").unwrap(), Framing::Length(12));
        let mark = [b'a'; 40];
        let mut line = b"$EOF:".to_vec();
        line.extend_from_slice(&mark);
        assert_eq!(Framing::parse(&line).unwrap(), Framing::Mark(mark));
        assert!(Framing::parse(b"$EOF:short").is_err());
        assert!(Framing::parse(b"+OK").is_err());
        assert!(Framing::parse(b"$-1").is_err());
    }

    /// A connected pair: our Conn and the "master" end.
    fn pair() -> (Conn, TcpStream) {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap().to_string();
        let c = Conn::connect(&addr).unwrap();
        let (m, _) = l.accept().unwrap();
        (c, m)
    }

    #[test]
    fn capture_payload_stops_at_the_length_and_at_the_mark() {
        let (mut c, mut m) = pair();
        m.write_all(b"hello world*1\r\n$4\r\nPING\r\n").unwrap();
        let mut p = Payload::new(&mut c, Framing::Length(11));
        let mut got = Vec::new();
        p.read_to_end(&mut got).unwrap();
        assert_eq!(got, b"hello world");
        assert!(p.finished());
        let mut args = Vec::new();
        while c.next_command(&mut args).unwrap().is_none() {
            c.fill().unwrap();
        }

        let (mut c, mut m) = pair();
        let mark = *b"0123456789012345678901234567890123456789";
        let body: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        let mut wire = body.clone();
        wire.extend_from_slice(&mark);
        let t = std::thread::spawn(move || {
            for chunk in wire.chunks(7777) {
                m.write_all(chunk).unwrap();
                std::thread::sleep(Duration::from_millis(1));
            }
            m
        });
        let mut p = Payload::new(&mut c, Framing::Mark(mark));
        let mut got = Vec::new();
        p.read_to_end(&mut got).unwrap();
        assert_eq!(got, body);
        assert!(p.finished());
        drop(t.join().unwrap());
    }
}

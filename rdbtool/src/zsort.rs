//! Sorting a sorted set's members into ZRANGE order (score ascending, then member
//! bytes) in bounded memory: a skiplist zset is stored descending (or, in old files,
//! unordered), and may hold millions of members. Up to [`MEM_LIMIT`] bytes are sorted in
//! memory; beyond that, sorted runs are spilled to temporary files and merged.

use std::cmp::Ordering;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};

/// Bytes of members held in memory before a run is spilled.
pub const MEM_LIMIT: usize = 16 << 20;

fn cmp(a: &(Vec<u8>, f64), b: &(Vec<u8>, f64)) -> Ordering {
    // -0 equals 0, as in Redis; NaN never reaches here (the reader rejects it).
    a.1.partial_cmp(&b.1)
        .unwrap_or(Ordering::Equal)
        .then_with(|| a.0.cmp(&b.0))
}

#[derive(Default)]
pub struct ZsetSorter {
    mem: Vec<(Vec<u8>, f64)>,
    mem_bytes: usize,
    runs: Vec<File>,
    limit: usize,
}

impl ZsetSorter {
    pub fn new() -> Self {
        ZsetSorter {
            limit: MEM_LIMIT,
            ..ZsetSorter::default()
        }
    }

    #[cfg(test)]
    fn with_limit(limit: usize) -> Self {
        ZsetSorter {
            limit,
            ..ZsetSorter::default()
        }
    }

    pub fn push(&mut self, member: &[u8], score: f64) -> io::Result<()> {
        self.mem_bytes += member.len() + 40;
        self.mem.push((member.to_vec(), score));
        if self.mem_bytes >= self.limit {
            self.spill()?;
        }
        Ok(())
    }

    fn spill(&mut self) -> io::Result<()> {
        self.mem.sort_by(cmp);
        let mut w = BufWriter::new(tempfile::tempfile()?);
        for (m, s) in self.mem.drain(..) {
            w.write_all(&s.to_bits().to_le_bytes())?;
            w.write_all(&(m.len() as u64).to_le_bytes())?;
            w.write_all(&m)?;
        }
        let mut f = w.into_inner().map_err(|e| e.into_error())?;
        io::Seek::rewind(&mut f)?;
        self.runs.push(f);
        self.mem_bytes = 0;
        Ok(())
    }

    /// Calls `f` for every member in ZRANGE order.
    pub fn finish(mut self, mut f: impl FnMut(&[u8], f64) -> io::Result<()>) -> io::Result<()> {
        self.mem.sort_by(cmp);
        if self.runs.is_empty() {
            for (m, s) in &self.mem {
                f(m, *s)?;
            }
            return Ok(());
        }
        let mut sources: Vec<Run> = self
            .runs
            .into_iter()
            .map(Run::new)
            .collect::<io::Result<_>>()?;
        let mut mem = self.mem.into_iter().peekable();
        loop {
            // The smallest head among the runs and the in-memory rest.
            let mut best: Option<usize> = None;
            for (i, r) in sources.iter().enumerate() {
                if let Some(h) = &r.head
                    && best.is_none_or(|b| {
                        sources
                            .get(b)
                            .and_then(|x| x.head.as_ref())
                            .is_none_or(|bh| cmp(h, bh).is_lt())
                    })
                {
                    best = Some(i);
                }
            }
            let take_mem = match (
                mem.peek(),
                best.and_then(|b| sources.get(b))
                    .and_then(|r| r.head.as_ref()),
            ) {
                (Some(m), Some(h)) => cmp(m, h).is_lt(),
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => return Ok(()),
            };
            if take_mem {
                if let Some((m, s)) = mem.next() {
                    f(&m, s)?;
                }
            } else if let Some(r) = best.and_then(|b| sources.get_mut(b)) {
                if let Some((m, s)) = r.head.take() {
                    f(&m, s)?;
                }
                r.advance()?;
            }
        }
    }
}

/// A spilled run being merged.
struct Run {
    r: BufReader<File>,
    head: Option<(Vec<u8>, f64)>,
}

impl Run {
    fn new(f: File) -> io::Result<Run> {
        let mut r = Run {
            r: BufReader::with_capacity(1 << 16, f),
            head: None,
        };
        r.advance()?;
        Ok(r)
    }

    fn advance(&mut self) -> io::Result<()> {
        let mut hdr = [0u8; 16];
        match self.r.read_exact(&mut hdr) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                self.head = None;
                return Ok(());
            }
            Err(e) => return Err(e),
        }
        let (s, n) = hdr.split_at(8);
        let score = f64::from_bits(u64::from_le_bytes(s.try_into().unwrap_or_default()));
        let len = u64::from_le_bytes(n.try_into().unwrap_or_default());
        let mut m = vec![0u8; usize::try_from(len).map_err(io::Error::other)?];
        self.r.read_exact(&mut m)?;
        self.head = Some((m, score));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spilled_runs_merge_into_zrange_order() {
        let mut x: u64 = 99;
        let mut items = Vec::new();
        for i in 0..5000u32 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let score = match i % 7 {
                0 => f64::INFINITY,
                1 => -0.0,
                2 => 0.0,
                _ => (x % 100) as f64 / 3.0,
            };
            items.push((format!("m{}", x % 100_000).into_bytes(), score));
        }
        items.sort_by(|a, b| a.0.cmp(&b.0));
        items.dedup_by(|a, b| a.0 == b.0);
        let mut s = ZsetSorter::with_limit(4096);
        for (m, sc) in items.iter().rev() {
            s.push(m, *sc).unwrap();
        }
        assert!(s.runs.len() > 10, "test must spill");
        let mut out = Vec::new();
        s.finish(|m, sc| {
            out.push((m.to_vec(), sc));
            Ok(())
        })
        .unwrap();
        let mut want = items.clone();
        want.sort_by(cmp);
        assert_eq!(out.len(), want.len());
        assert!(
            out.iter()
                .zip(&want)
                .all(|(a, b)| a.0 == b.0 && a.1.to_bits() == b.1.to_bits())
        );
    }
}

//! `verify`'s second core: LZF payloads of string values (which `verify` never needs
//! decompressed) are checked on a worker thread while the reader goes on. Payloads
//! travel in batches with the key they belong to, so a failure is reported exactly as
//! the reader would have reported it.

use std::sync::mpsc;
use std::thread::JoinHandle;

use formats::error::{Context, Doing, KeyPreview};
use formats::rdb::TypeId;
use formats::rdb::read::lzf_error;
use formats::{Error, lzf};

const BATCH: usize = 1 << 20;

/// Where a payload is in the batch and whose it is.
struct Job {
    key: (usize, usize),
    data: (usize, usize),
    ulen: usize,
    at: u64,
    owner: Owner,
}

/// The key a payload belongs to, for the error and for correcting the counts.
#[derive(Clone, Copy)]
pub struct Owner {
    pub db: u64,
    pub expires: bool,
    pub expired: bool,
}

pub struct Failure {
    pub err: Error,
    pub owner: Owner,
}

type Batch = (Vec<u8>, Vec<Job>);

pub struct LzfChecker {
    batch: Vec<u8>,
    jobs: Vec<Job>,
    tx: Option<mpsc::SyncSender<Batch>>,
    worker: Option<JoinHandle<Vec<Failure>>>,
}

impl LzfChecker {
    pub fn new() -> Self {
        LzfChecker {
            batch: Vec::new(),
            jobs: Vec::new(),
            tx: None,
            worker: None,
        }
    }

    /// Queues one payload; false if the worker is gone (the caller checks it itself).
    pub fn push(&mut self, data: &[u8], ulen: usize, at: u64, key: &[u8], owner: Owner) -> bool {
        if self.tx.is_none() {
            let (tx, rx) = mpsc::sync_channel::<Batch>(4);
            self.tx = Some(tx);
            self.worker = Some(std::thread::spawn(move || check_all(rx)));
        }
        let k = self.batch.len();
        self.batch.extend_from_slice(key);
        let d = self.batch.len();
        self.batch.extend_from_slice(data);
        self.jobs.push(Job {
            key: (k, key.len()),
            data: (d, data.len()),
            ulen,
            at,
            owner,
        });
        if self.batch.len() >= BATCH {
            return self.send();
        }
        true
    }

    fn send(&mut self) -> bool {
        let batch = (
            std::mem::take(&mut self.batch),
            std::mem::take(&mut self.jobs),
        );
        self.tx.as_ref().is_some_and(|tx| tx.send(batch).is_ok())
    }

    /// Checks what is still queued and returns every failure, in file order.
    pub fn finish(mut self) -> Vec<Failure> {
        if !self.jobs.is_empty() {
            self.send();
        }
        drop(self.tx.take());
        match self.worker.take() {
            Some(w) => w.join().unwrap_or_default(),
            None => Vec::new(),
        }
    }
}

fn check_all(rx: mpsc::Receiver<Batch>) -> Vec<Failure> {
    let mut failures = Vec::new();
    for (bytes, jobs) in rx {
        for j in jobs {
            let data = bytes.get(j.data.0..j.data.0 + j.data.1).unwrap_or_default();
            if let Err(e) = lzf::validate(data, j.ulen) {
                let key = bytes.get(j.key.0..j.key.0 + j.key.1).unwrap_or_default();
                let mut err = lzf_error(e, data.len(), j.ulen, j.at, j.at);
                err.ctx = Context {
                    doing: Doing::Value(TypeId::String),
                    db: Some(j.owner.db),
                    key: Some(KeyPreview::new(key)),
                };
                failures.push(Failure {
                    err,
                    owner: j.owner,
                });
            }
        }
    }
    failures
}

//! What a scan learns from file contents as they stream past: each file's fingerprint, its
//! sha256 where it may be needed, and, through a [`Probe`], the facts closure resolution needs
//! (ELF loader facts, `#!` lines, a few configuration files), so no layer is decompressed twice.
//!
//! sha256 costs as much CPU as zstd decompression, and duplicates need it only for contents
//! that share their size with another. A streamed file whose size no earlier file had gets an
//! xxh3-128 fingerprint only (about twenty times cheaper); every later file of that size gets
//! both. After the scans, a fingerprint-only content that equals another (same size and
//! fingerprint) takes that one's sha256 ([`crate::tree::FileTree::settle_hashes`]), and one
//! that equals none is unique and needs no sha256. Which file of a size came first depends on
//! thread scheduling; the settled hashes do not.

use hashbrown::HashSet;
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use crate::exec::probe::{Packed, Probe};

/// A content's digests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Digests {
    /// sha256, unless the content was the first of its size.
    pub sha256: Option<[u8; 32]>,
    /// xxh3-128, always.
    pub fingerprint: [u8; 16],
}

/// Everything learnt from one layer's contents.
#[derive(Debug, Default)]
pub(crate) struct Learnt {
    /// Digests of every content, in entry order.
    pub digests: Vec<Digests>,
    /// What the probes found, by position in `digests`.
    pub gathered: Vec<(u32, Packed)>,
}

/// Content sizes seen so far by every scan of one analysis.
#[derive(Debug, Default)]
pub(crate) struct SeenSizes(Mutex<HashSet<u64>>);

impl SeenSizes {
    /// Whether some content already had this size (and remember that one has now).
    pub(crate) fn seen_before(&self, size: u64) -> bool {
        // A poisoned lock only means another scan panicked; its set is still a set.
        let mut set = self.0.lock().unwrap_or_else(|p| p.into_inner());
        !set.insert(size)
    }
}

/// Consumes contents entry by entry.
pub(crate) struct Learner {
    sha: Option<Sha256>,
    fingerprint: twox_hash::XxHash3_128,
    probe: Option<Probe>,
    learnt: Learnt,
}

impl Learner {
    pub(crate) fn new() -> Learner {
        Learner {
            sha: None,
            fingerprint: twox_hash::XxHash3_128::new(),
            probe: None,
            learnt: Learnt::default(),
        }
    }

    /// A content of `size` bytes starts; `keep_text` keeps its bytes (see [`Probe::new`]);
    /// `sha256` computes its sha256 as well as its fingerprint.
    pub(crate) fn begin(&mut self, size: u64, keep_text: bool, sha256: bool) {
        self.probe = Some(Probe::new(size, keep_text));
        self.sha = sha256.then(Sha256::new);
        self.fingerprint = twox_hash::XxHash3_128::new();
    }

    /// The next bytes of the current content.
    pub(crate) fn update(&mut self, data: &[u8]) {
        if let Some(sha) = &mut self.sha {
            sha.update(data);
        }
        self.fingerprint.write(data);
        if let Some(p) = &mut self.probe {
            p.feed(data);
        }
    }

    /// The current content is complete.
    pub(crate) fn end(&mut self) {
        let index = self.learnt.digests.len() as u32;
        self.learnt.digests.push(Digests {
            sha256: self.sha.take().map(|s| s.finalize().into()),
            fingerprint: self.fingerprint.finish_128().to_le_bytes(),
        });
        if let Some(g) = self.probe.take().and_then(Probe::finish) {
            self.learnt.gathered.push((index, Packed::pack(&g)));
        }
    }

    pub(crate) fn finish(self) -> Learnt {
        self.learnt
    }
}

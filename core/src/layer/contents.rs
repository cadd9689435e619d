//! What a scan learns from file contents as they stream past: each file's sha256 and, through a
//! [`Probe`], the facts closure resolution needs (ELF loader facts, `#!` lines, a few
//! configuration files), so no layer is decompressed twice.

use sha2::{Digest, Sha256};

use crate::exec::probe::{Gathered, Probe};

/// Everything learnt from one layer's contents.
#[derive(Debug, Default)]
pub(crate) struct Learnt {
    /// sha256 of every content, in entry order.
    pub hashes: Vec<[u8; 32]>,
    /// What the probes found, by position in `hashes`.
    pub gathered: Vec<(u32, Gathered)>,
}

/// Consumes contents entry by entry.
pub(crate) struct Learner {
    sha: Sha256,
    probe: Option<Probe>,
    learnt: Learnt,
}

impl Learner {
    pub(crate) fn new() -> Learner {
        Learner {
            sha: Sha256::new(),
            probe: None,
            learnt: Learnt::default(),
        }
    }

    /// A content of `size` bytes starts; `keep_text` keeps its bytes (see [`Probe::new`]).
    pub(crate) fn begin(&mut self, size: u64, keep_text: bool) {
        self.probe = Some(Probe::new(size, keep_text));
    }

    /// The next bytes of the current content.
    pub(crate) fn update(&mut self, data: &[u8]) {
        self.sha.update(data);
        if let Some(p) = &mut self.probe {
            p.feed(data);
        }
    }

    /// The current content is complete.
    pub(crate) fn end(&mut self) {
        let index = self.learnt.hashes.len() as u32;
        self.learnt.hashes.push(self.sha.finalize_reset().into());
        if let Some(g) = self.probe.take().and_then(Probe::finish) {
            self.learnt.gathered.push((index, g));
        }
    }

    pub(crate) fn finish(self) -> Learnt {
        self.learnt
    }
}

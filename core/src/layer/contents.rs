//! What a scan learns from file contents as they stream past: each file's fingerprint, its
//! sha256 where it may be needed, and, through a [`Probe`], the facts closure resolution needs
//! (ELF loader facts, `#!` lines, a few configuration files), so no layer is decompressed twice.
//!
//! sha256 costs as much CPU as zstd decompression, and duplicates need it only for contents
//! that equal another. Every streamed file gets an xxh3-128 fingerprint (about twenty times
//! cheaper); a file gets a sha256 as well only when an earlier file had the same size and the
//! same first [`KEY_PREFIX`] bytes (its key). Keying on the size alone sent every file whose
//! size was common through sha256 (most small files of a node_modules tree). After the scans, a
//! fingerprint-only content that equals another (same size and fingerprint) takes that one's
//! sha256 ([`crate::tree::FileTree::settle_hashes`]), and one that equals none is unique and
//! needs no sha256. Which file of a key came first depends on thread scheduling; the settled
//! hashes do not.

use hashbrown::HashSet;
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use crate::exec::probe::{Packed, Probe};

/// A content's digests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Digests {
    /// sha256, unless the content was the first of its key.
    pub sha256: Option<[u8; 32]>,
    /// xxh3-128, always.
    pub fingerprint: [u8; 16],
}

/// The digests of one layer's contents, in entry order. Most contents are the first of their key
/// and have no sha256, so the few sha256 digests are kept apart: 16 bytes a content instead of
/// 49, held from the scan until the merge.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct DigestList {
    fingerprints: Vec<[u8; 16]>,
    /// `(index, sha256)`, by index.
    sha256: Vec<(u32, [u8; 32])>,
}

impl DigestList {
    /// Append the digests of the next content.
    pub(crate) fn push(&mut self, d: Digests) {
        if let Some(sha) = d.sha256 {
            self.sha256.push((self.fingerprints.len() as u32, sha));
        }
        self.fingerprints.push(d.fingerprint);
    }

    /// The digests of the content at `index`.
    pub(crate) fn get(&self, index: usize) -> Option<Digests> {
        let fingerprint = *self.fingerprints.get(index)?;
        let sha256 = self
            .sha256
            .binary_search_by_key(&(index as u32), |&(i, _)| i)
            .ok()
            .map(|at| self.sha256[at].1);
        Some(Digests {
            sha256,
            fingerprint,
        })
    }

    pub(crate) fn len(&self) -> usize {
        self.fingerprints.len()
    }

    pub(crate) fn shrink_to_fit(&mut self) {
        self.fingerprints.shrink_to_fit();
        self.sha256.shrink_to_fit();
    }
}

/// Everything learnt from one layer's contents.
#[derive(Debug, Default)]
pub(crate) struct Learnt {
    /// Digests of every content, in entry order.
    pub digests: DigestList,
    /// What the probes found, by position in `digests`.
    pub gathered: Vec<(u32, Packed)>,
}

/// Bytes of a content's start that, with its size, make its key.
pub(crate) const KEY_PREFIX: usize = 1024;

/// Content keys (size and first bytes, hashed to 32 bits) seen so far by every scan of one
/// analysis. Two different contents may share a key; that costs one sha256 too many, never a
/// missed duplicate, so 32 bits are plenty (a few shared keys among a million contents) and
/// take half the memory of 64.
#[derive(Debug, Default)]
pub(crate) struct SeenKeys(Mutex<HashSet<u32>>);

impl SeenKeys {
    /// Whether some content already had this key (and remember that one has now).
    fn seen_before(&self, key: u32) -> bool {
        // A poisoned lock only means another scan panicked; its set is still a set.
        let mut set = self.0.lock().unwrap_or_else(|p| p.into_inner());
        !set.insert(key)
    }
}

/// Whether the current content goes through sha256.
enum Sha {
    /// Not known until its first bytes are in `Learner::prefix`.
    Undecided,
    Yes(Sha256),
    No,
}

/// Consumes contents entry by entry.
pub(crate) struct Learner<'s> {
    seen: &'s SeenKeys,
    size: u64,
    /// The first bytes of the current content, while `sha` is undecided.
    prefix: Vec<u8>,
    sha: Sha,
    fingerprint: twox_hash::XxHash3_128,
    probe: Option<Probe>,
    learnt: Learnt,
}

impl<'s> Learner<'s> {
    pub(crate) fn new(seen: &'s SeenKeys) -> Learner<'s> {
        Learner {
            seen,
            size: 0,
            prefix: Vec::new(),
            sha: Sha::No,
            fingerprint: twox_hash::XxHash3_128::new(),
            probe: None,
            learnt: Learnt::default(),
        }
    }

    /// A content of `size` bytes starts; `keep_text` keeps its bytes (see [`Probe::new`]).
    pub(crate) fn begin(&mut self, size: u64, keep_text: bool) {
        self.probe = Some(Probe::new(size, keep_text));
        self.size = size;
        self.prefix.clear();
        self.sha = Sha::Undecided;
        self.fingerprint = twox_hash::XxHash3_128::new();
    }

    /// The next bytes of the current content.
    pub(crate) fn update(&mut self, data: &[u8]) {
        self.fingerprint.write(data);
        if let Some(p) = &mut self.probe {
            p.feed(data);
        }
        match &mut self.sha {
            Sha::Yes(sha) => sha.update(data),
            Sha::No => {}
            Sha::Undecided => self.prefix_update(data),
        }
    }

    /// Bytes of a content whose key is not complete yet.
    fn prefix_update(&mut self, data: &[u8]) {
        let want = self.key_len() - self.prefix.len();
        let (head, rest) = data.split_at(want.min(data.len()));
        self.prefix.extend_from_slice(head);
        if self.prefix.len() == self.key_len() {
            self.decide();
            if let Sha::Yes(sha) = &mut self.sha {
                sha.update(rest);
            }
        }
    }

    fn key_len(&self) -> usize {
        self.size.min(KEY_PREFIX as u64) as usize
    }

    /// Look the key up, and start the sha256 (with the bytes held so far) if it was seen.
    fn decide(&mut self) {
        let key = twox_hash::XxHash3_128::oneshot_with_seed(self.size, &self.prefix) as u32;
        self.sha = if self.seen.seen_before(key) {
            let mut sha = Sha256::new();
            sha.update(&self.prefix);
            Sha::Yes(sha)
        } else {
            Sha::No
        };
    }

    /// The current content is complete.
    pub(crate) fn end(&mut self) {
        // A content shorter than its key (cut short) is keyed on what it had.
        if matches!(self.sha, Sha::Undecided) {
            self.decide();
        }
        let index = self.learnt.digests.len() as u32;
        let sha = std::mem::replace(&mut self.sha, Sha::No);
        self.learnt.digests.push(Digests {
            sha256: match sha {
                Sha::Yes(sha) => Some(sha.finalize().into()),
                Sha::Undecided | Sha::No => None,
            },
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

#[cfg(test)]
mod tests {
    use sha2::{Digest, Sha256};

    use super::*;

    /// Learn `contents` in order, each in pieces of `piece` bytes; whether each got a sha256,
    /// checked to be the right one.
    fn sha_given(contents: &[&[u8]], piece: usize) -> Vec<bool> {
        let seen = SeenKeys::default();
        let mut l = Learner::new(&seen);
        for c in contents {
            l.begin(c.len() as u64, false);
            for p in c.chunks(piece) {
                l.update(p);
            }
            l.end();
        }
        let learnt = l.finish();
        contents
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let d = learnt.digests.get(i).expect("a digest per content");
                if let Some(sha) = d.sha256 {
                    assert_eq!(sha, <[u8; 32]>::from(Sha256::digest(c)));
                }
                d.sha256.is_some()
            })
            .collect()
    }

    #[test]
    fn sha256_only_for_a_key_seen_before() {
        let a = vec![7u8; 5000];
        let mut b = a.clone();
        b[0] = 8; // same size, other first bytes
        let mut c = a.clone();
        c[4000] = 9; // same size and first bytes: a key collision, hashed to be sure
        let small = b"abc".to_vec();
        let contents: [&[u8]; 6] = [&a, &b, &a, &c, &small, &small];
        for piece in [1, 100, KEY_PREFIX, 5000] {
            assert_eq!(
                sha_given(&contents, piece),
                [false, false, true, true, false, true],
                "pieces of {piece}"
            );
        }
    }
}

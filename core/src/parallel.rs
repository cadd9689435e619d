//! The only file that names rayon. Without the `parallel` feature (wasm32) everything runs in
//! order on the calling thread. Results never depend on scheduling: `map` returns them in input
//! order.

use crate::layer::contents::{Learner, Learnt};

/// Apply `f` to every item, largest `weight` first so one big layer does not start last; the
/// results come back in input order.
#[cfg(feature = "parallel")]
pub(crate) fn map_weighted<T, R, F>(items: &[T], weight: impl Fn(&T) -> u64, f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync + Send,
{
    use rayon::prelude::*;
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(weight(&items[i])));
    // One item per task: layers are few and uneven, so fine-grained stealing balances them.
    let mut results: Vec<(usize, R)> = order
        .par_iter()
        .with_max_len(1)
        .map(|&i| (i, f(&items[i])))
        .collect();
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// On one thread the order of work changes no wall time, so items run in input order: callers
/// pass them in file-offset order, and reading in that order is what keeps a browser's
/// `FileReaderSync` slices sequential (largest-first made the playground 6× slower).
#[cfg(not(feature = "parallel"))]
pub(crate) fn map_weighted<T, R, F>(items: &[T], _weight: impl Fn(&T) -> u64, f: F) -> Vec<R>
where
    F: Fn(&T) -> R,
{
    items.iter().map(f).collect()
}

/// Receives file contents entry by entry; what is learnt from them comes back in entry order.
pub(crate) trait ContentHasher {
    /// A buffer to read the next chunk into.
    fn buffer(&mut self) -> Vec<u8>;
    /// A content of `size` bytes starts; `keep_text` keeps its bytes when small.
    fn begin_entry(&mut self, size: u64, keep_text: bool);
    /// The first `len` bytes of `buf` are the next chunk of the current entry.
    fn submit(&mut self, buf: Vec<u8>, len: usize);
    /// The current entry is complete.
    fn end_entry(&mut self);
}

/// Chunk size handed between the reading and the hashing thread.
const CHUNK: usize = 128 * 1024;

/// Learns on the calling thread.
struct Inline {
    buf: Vec<u8>,
    learner: Learner,
}

impl ContentHasher for Inline {
    fn buffer(&mut self) -> Vec<u8> {
        let mut b = std::mem::take(&mut self.buf);
        b.resize(CHUNK, 0);
        b
    }

    fn begin_entry(&mut self, size: u64, keep_text: bool) {
        self.learner.begin(size, keep_text);
    }

    fn submit(&mut self, buf: Vec<u8>, len: usize) {
        self.learner.update(&buf[..len]);
        self.buf = buf;
    }

    fn end_entry(&mut self) {
        self.learner.end();
    }
}

/// Run `work` with a content hasher and return its result and what was learnt, in entry order.
///
/// With the `parallel` feature and `pipelined`, hashing runs on its own thread, fed chunks
/// through a bounded channel: a compressed layer is then decompressed on one core while its
/// files are hashed (and probed) on another. On a 2-core machine, where one large layer usually
/// dominates, this brings the scan close to the bare decompression time instead of
/// decompression plus hashing.
pub(crate) fn with_hasher<T>(
    pipelined: bool,
    work: impl FnOnce(&mut dyn ContentHasher) -> T,
) -> (T, Learnt) {
    #[cfg(feature = "parallel")]
    if pipelined {
        return piped::run(work);
    }
    let _ = pipelined;
    let mut h = Inline {
        buf: Vec::new(),
        learner: Learner::new(),
    };
    let out = work(&mut h);
    (out, h.learner.finish())
}

#[cfg(feature = "parallel")]
mod piped {
    use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

    use super::{CHUNK, ContentHasher, Learner, Learnt};

    enum Msg {
        Begin(u64, bool),
        Data(Vec<u8>, usize),
        End,
    }

    struct Piped {
        tx: SyncSender<Msg>,
        spare: Receiver<Vec<u8>>,
    }

    // A send fails only if the hashing thread died; its panic surfaces at join.
    impl ContentHasher for Piped {
        fn buffer(&mut self) -> Vec<u8> {
            let mut b = self.spare.try_recv().unwrap_or_default();
            b.resize(CHUNK, 0);
            b
        }

        fn begin_entry(&mut self, size: u64, keep_text: bool) {
            let _ = self.tx.send(Msg::Begin(size, keep_text));
        }

        fn submit(&mut self, buf: Vec<u8>, len: usize) {
            let _ = self.tx.send(Msg::Data(buf, len));
        }

        fn end_entry(&mut self) {
            let _ = self.tx.send(Msg::End);
        }
    }

    /// Buffers in flight between the threads: enough to ride out a large file's chunks while
    /// the reader parses small entries, little enough to keep memory flat (16 × 128 KiB).
    const IN_FLIGHT: usize = 16;

    pub(super) fn run<T>(work: impl FnOnce(&mut dyn ContentHasher) -> T) -> (T, Learnt) {
        let (tx, rx) = sync_channel::<Msg>(IN_FLIGHT);
        let (spare_tx, spare_rx) = sync_channel::<Vec<u8>>(IN_FLIGHT + 2);
        std::thread::scope(|s| {
            let hasher = s.spawn(move || {
                let mut learner = Learner::new();
                for msg in rx {
                    match msg {
                        Msg::Begin(size, keep_text) => learner.begin(size, keep_text),
                        Msg::Data(buf, len) => {
                            learner.update(&buf[..len]);
                            let _ = spare_tx.try_send(buf);
                        }
                        Msg::End => learner.end(),
                    }
                }
                learner.finish()
            });
            let mut piped = Piped {
                tx,
                spare: spare_rx,
            };
            let out = work(&mut piped);
            drop(piped);
            let learnt = hasher
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p));
            (out, learnt)
        })
    }
}

//! The only file that names rayon. Without the `parallel` feature (wasm32) everything runs in
//! order on the calling thread. Results never depend on scheduling: `map` returns them in input
//! order.

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

/// Receives file contents entry by entry and yields their sha256 digests in the same order.
pub(crate) trait ContentHasher {
    /// A buffer to read the next chunk into.
    fn buffer(&mut self) -> Vec<u8>;
    /// The first `len` bytes of `buf` are the next chunk of the current entry.
    fn submit(&mut self, buf: Vec<u8>, len: usize);
    /// The current entry is complete.
    fn end_entry(&mut self);
}

/// Chunk size handed between the reading and the hashing thread.
const CHUNK: usize = 128 * 1024;

/// Hashes on the calling thread.
struct Inline {
    buf: Vec<u8>,
    current: sha2::Sha256,
    done: Vec<[u8; 32]>,
}

impl ContentHasher for Inline {
    fn buffer(&mut self) -> Vec<u8> {
        let mut b = std::mem::take(&mut self.buf);
        b.resize(CHUNK, 0);
        b
    }

    fn submit(&mut self, buf: Vec<u8>, len: usize) {
        sha2::Digest::update(&mut self.current, &buf[..len]);
        self.buf = buf;
    }

    fn end_entry(&mut self) {
        let h = sha2::Digest::finalize_reset(&mut self.current);
        self.done.push(h.into());
    }
}

/// Run `work` with a content hasher and return its result and the digests, in entry order.
///
/// With the `parallel` feature and `pipelined`, hashing runs on its own thread, fed chunks
/// through a bounded channel: a compressed layer is then decompressed on one core while its
/// files are hashed on another. On a 2-core machine, where one large layer usually dominates,
/// this brings the scan close to the bare decompression time instead of decompression plus
/// hashing.
pub(crate) fn with_hasher<T>(
    pipelined: bool,
    work: impl FnOnce(&mut dyn ContentHasher) -> T,
) -> (T, Vec<[u8; 32]>) {
    #[cfg(feature = "parallel")]
    if pipelined {
        return piped::run(work);
    }
    let _ = pipelined;
    let mut h = Inline {
        buf: Vec::new(),
        current: sha2::Digest::new(),
        done: Vec::new(),
    };
    let out = work(&mut h);
    (out, h.done)
}

#[cfg(feature = "parallel")]
mod piped {
    use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

    use sha2::{Digest, Sha256};

    use super::{CHUNK, ContentHasher};

    enum Msg {
        Data(Vec<u8>, usize),
        End,
    }

    struct Piped {
        tx: SyncSender<Msg>,
        spare: Receiver<Vec<u8>>,
    }

    impl ContentHasher for Piped {
        fn buffer(&mut self) -> Vec<u8> {
            let mut b = self.spare.try_recv().unwrap_or_default();
            b.resize(CHUNK, 0);
            b
        }

        fn submit(&mut self, buf: Vec<u8>, len: usize) {
            // A send fails only if the hashing thread died; its panic surfaces at join.
            let _ = self.tx.send(Msg::Data(buf, len));
        }

        fn end_entry(&mut self) {
            let _ = self.tx.send(Msg::End);
        }
    }

    /// Buffers in flight between the threads: enough to ride out a large file's chunks while
    /// the reader parses small entries, little enough to keep memory flat (16 × 128 KiB).
    const IN_FLIGHT: usize = 16;

    pub(super) fn run<T>(work: impl FnOnce(&mut dyn ContentHasher) -> T) -> (T, Vec<[u8; 32]>) {
        let (tx, rx) = sync_channel::<Msg>(IN_FLIGHT);
        let (spare_tx, spare_rx) = sync_channel::<Vec<u8>>(IN_FLIGHT + 2);
        std::thread::scope(|s| {
            let hasher = s.spawn(move || {
                let mut done = Vec::new();
                let mut current = Sha256::new();
                for msg in rx {
                    match msg {
                        Msg::Data(buf, len) => {
                            current.update(&buf[..len]);
                            let _ = spare_tx.try_send(buf);
                        }
                        Msg::End => done.push(current.finalize_reset().into()),
                    }
                }
                done
            });
            let mut piped = Piped {
                tx,
                spare: spare_rx,
            };
            let out = work(&mut piped);
            drop(piped);
            let done = hasher
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p));
            (out, done)
        })
    }
}

//! The only file that names rayon. Without the `parallel` feature (wasm32) everything runs in
//! order on the calling thread. Results never depend on scheduling: `map` returns them in input
//! order.

use crate::layer::contents::{Learner, Learnt, SeenKeys};

/// Threads that [`map_weighted`] runs items on.
#[cfg(feature = "parallel")]
pub(crate) fn cores() -> usize {
    rayon::current_num_threads()
}

/// Everything runs on the calling thread.
#[cfg(not(feature = "parallel"))]
pub(crate) fn cores() -> usize {
    1
}

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
    /// A content of `size` bytes starts; `keep_text` keeps its bytes when small.
    fn begin_entry(&mut self, size: u64, keep_text: bool);
    /// Let `read` put the next bytes of the current content into a buffer of at least
    /// [`MIN_READ`] bytes; returns what `read` returned.
    fn fill(
        &mut self,
        read: &mut dyn FnMut(&mut [u8]) -> std::io::Result<usize>,
    ) -> std::io::Result<usize>;
    /// The current entry is complete.
    fn end_entry(&mut self);
}

/// Bytes of a batch learnt on the calling thread: contents of many small files, or a slice of a
/// large one.
const INLINE_CHUNK: usize = 128 * 1024;

/// Least room offered to one read.
pub(crate) const MIN_READ: usize = 16 * 1024;

/// What happens to the contents, in order; `Data` ranges index the batch's bytes.
#[derive(Debug, Clone)]
enum Event {
    Begin(u64, bool),
    Data(usize, usize),
    End,
}

/// Contents of consecutive entries collected in one buffer, handed over as a whole: one
/// message per file woke the hashing thread tens of thousands of times per layer, and the
/// wake-ups cost the reading thread more than the decompression it waited on.
struct Batch {
    bytes: Vec<u8>,
    fill: usize,
    events: Vec<Event>,
}

impl Batch {
    fn new(capacity: usize) -> Batch {
        Batch {
            bytes: vec![0; capacity],
            fill: 0,
            events: Vec::new(),
        }
    }

    fn clear(&mut self) {
        self.fill = 0;
        self.events.clear();
    }

    /// Whether the batch should go now: too little room for a read, or many entries queued.
    fn full(&self) -> bool {
        self.bytes.len() - self.fill < MIN_READ || self.events.len() >= 4096
    }

    fn read(
        &mut self,
        read: &mut dyn FnMut(&mut [u8]) -> std::io::Result<usize>,
    ) -> std::io::Result<usize> {
        let n = read(&mut self.bytes[self.fill..])?;
        if n > 0 {
            self.events.push(Event::Data(self.fill, self.fill + n));
            self.fill += n;
        }
        Ok(n)
    }

    fn learn(&self, learner: &mut Learner<'_>) {
        for e in &self.events {
            match *e {
                Event::Begin(size, keep_text) => learner.begin(size, keep_text),
                Event::Data(from, to) => learner.update(&self.bytes[from..to]),
                Event::End => learner.end(),
            }
        }
    }
}

/// Where full batches go: learnt on the spot, or handed to the hashing thread.
trait Sink {
    /// Take the batch's contents; leave `batch` empty and ready to fill again.
    fn hand_over(&mut self, batch: &mut Batch);
}

/// On the calling thread.
impl Sink for Learner<'_> {
    fn hand_over(&mut self, batch: &mut Batch) {
        batch.learn(self);
        batch.clear();
    }
}

/// Collects contents into a batch and hands it over whenever it is full.
struct Batching<S> {
    current: Batch,
    sink: S,
}

impl<S: Sink> ContentHasher for Batching<S> {
    fn begin_entry(&mut self, size: u64, keep_text: bool) {
        self.current.events.push(Event::Begin(size, keep_text));
    }

    fn fill(
        &mut self,
        read: &mut dyn FnMut(&mut [u8]) -> std::io::Result<usize>,
    ) -> std::io::Result<usize> {
        if self.current.full() {
            self.sink.hand_over(&mut self.current);
        }
        self.current.read(read)
    }

    fn end_entry(&mut self) {
        self.current.events.push(Event::End);
        if self.current.full() {
            self.sink.hand_over(&mut self.current);
        }
    }
}

/// Run `work` with a content hasher and return its result and what was learnt, in entry order;
/// `seen` holds the content keys of every scan of the analysis (see [`SeenKeys`]).
///
/// With the `parallel` feature and `pipelined`, hashing runs on its own thread, fed batches
/// through a bounded channel: a compressed layer is then decompressed on one core while its
/// files are hashed (and probed) on another. On a 2-core machine, where one large layer usually
/// dominates, this brings the scan close to the bare decompression time instead of
/// decompression plus hashing.
pub(crate) fn with_hasher<T>(
    pipelined: bool,
    seen: &SeenKeys,
    work: impl FnOnce(&mut dyn ContentHasher) -> T,
) -> (T, Learnt) {
    #[cfg(feature = "parallel")]
    if pipelined {
        return piped::run(seen, work);
    }
    let _ = pipelined;
    let mut h = Batching {
        current: Batch::new(INLINE_CHUNK),
        sink: Learner::new(seen),
    };
    let out = work(&mut h);
    h.sink.hand_over(&mut h.current);
    (out, h.sink.finish())
}

#[cfg(feature = "parallel")]
mod piped {
    use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

    use super::{Batch, Batching, ContentHasher, Learner, Learnt, SeenKeys, Sink};

    /// Hands batches to the hashing thread.
    struct Piped {
        tx: SyncSender<Batch>,
        spare: Receiver<Batch>,
        /// Batches allocated so far; never more than `POOL`.
        made: usize,
    }

    /// A fixed pool goes round between the threads, so no buffer is allocated (or zeroed) per
    /// batch.
    impl Sink for Piped {
        fn hand_over(&mut self, batch: &mut Batch) {
            let next = if let Ok(b) = self.spare.try_recv() {
                b
            } else if self.made < POOL {
                self.made += 1;
                Batch::new(PIPED_CHUNK)
            } else {
                // Every batch is queued or being hashed: the hasher hands one back soon.
                self.spare
                    .recv()
                    .unwrap_or_else(|_| Batch::new(PIPED_CHUNK))
            };
            let full = std::mem::replace(batch, next);
            // A send fails only if the hashing thread died; its panic surfaces at join.
            let _ = self.tx.send(full);
        }
    }

    /// Bytes of a batch handed to the hashing thread. The hasher is faster than the reader and
    /// sleeps between batches, so every batch costs the reader a wake-up (a system call and, on a
    /// virtual machine, an interrupt to the other core): four times fewer of them than with
    /// 128 KiB batches brought node-app's zstd flavours about 3 % closer to bare decompression in
    /// paired runs. A pool of two costs 1 MiB per pipelined layer.
    pub(super) const PIPED_CHUNK: usize = 512 * 1024;

    /// Batches queued between the threads: one, so the reader hands a batch over without
    /// waiting for the hasher to take it (a rendezvous made the two threads meet on every batch).
    const IN_FLIGHT: usize = 1;

    /// Batches in the pool: the queued one and the one being filled. The hasher is several times
    /// faster than the reader, so the batch it hashes is back before the reader needs another;
    /// a third batch in the pool made no difference in paired runs on node-app's zstd flavours
    /// and gcc-single.oci.
    const POOL: usize = IN_FLIGHT + 1;

    pub(super) fn run<T>(
        seen: &SeenKeys,
        work: impl FnOnce(&mut dyn ContentHasher) -> T,
    ) -> (T, Learnt) {
        let (tx, rx) = sync_channel::<Batch>(IN_FLIGHT);
        let (spare_tx, spare_rx) = sync_channel::<Batch>(POOL);
        std::thread::scope(|s| {
            let hasher = s.spawn(move || {
                let mut learner = Learner::new(seen);
                // Between batches the hasher sleeps. Asking again instead, yielding the core
                // between asks, spared the reader its wake-ups but burnt about half a core-second
                // per node-app analysis in system calls, on a core that may share its execution
                // units with the reader's.
                while let Ok(mut batch) = rx.recv() {
                    learner.hand_over(&mut batch);
                    let _ = spare_tx.try_send(batch);
                }
                learner.finish()
            });
            let mut piped = Batching {
                current: Batch::new(PIPED_CHUNK),
                sink: Piped {
                    tx,
                    spare: spare_rx,
                    made: 1,
                },
            };
            let out = work(&mut piped);
            piped.sink.hand_over(&mut piped.current);
            drop(piped);
            let learnt = hasher
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p));
            (out, learnt)
        })
    }
}

#[cfg(test)]
mod tests {
    use sha2::{Digest, Sha256};

    #[cfg(feature = "parallel")]
    use super::piped::PIPED_CHUNK;
    // Without threads nothing is handed over; the sizes still cross inline batches.
    #[cfg(not(feature = "parallel"))]
    const PIPED_CHUNK: usize = 4 * INLINE_CHUNK;
    use super::*;

    /// Feed `contents` through [`with_hasher`], each read in pieces of at most `piece` bytes
    /// (a decoder rarely fills a whole buffer).
    fn learn(pipelined: bool, contents: &[Vec<u8>], piece: usize) -> Learnt {
        let seen = SeenKeys::default();
        let ((), learnt) = with_hasher(pipelined, &seen, |h| {
            for c in contents {
                h.begin_entry(c.len() as u64, false);
                let mut at = 0;
                loop {
                    let n = h
                        .fill(&mut |buf: &mut [u8]| {
                            let n = buf.len().min(c.len() - at).min(piece);
                            buf[..n].copy_from_slice(&c[at..at + n]);
                            at += n;
                            Ok(n)
                        })
                        .expect("reading from memory");
                    if n == 0 {
                        break;
                    }
                }
                h.end_entry();
            }
        });
        learnt
    }

    #[test]
    fn the_hashing_thread_learns_what_the_reading_thread_would() {
        // Small contents (many to a batch), contents just over an inline batch, and one and a
        // half handed-over batches, enough of them for the pool to go round many times.
        // Contents i and i + 5 are equal when i % 10 < 5, so the second of each pair is the one
        // that gets a sha256.
        let contents: Vec<Vec<u8>> = (0..120u32)
            .map(|i| {
                let len = [1, 100, MIN_READ, INLINE_CHUNK + 1, 3 * PIPED_CHUNK / 2][i as usize % 5];
                (0..len as u32)
                    .map(|j| (j.wrapping_mul(2_654_435_761) ^ (i / 10)) as u8)
                    .collect()
            })
            .collect();
        for piece in [7_000, PIPED_CHUNK] {
            let piped = learn(true, &contents, piece);
            let inline = learn(false, &contents, piece);
            assert_eq!(piped.digests, inline.digests, "pieces of {piece}");
            assert_eq!(piped.digests.len(), contents.len());
            for (i, c) in contents.iter().enumerate() {
                let d = piped.digests.get(i).expect("a digest per content");
                let want = twox_hash::XxHash3_128::oneshot(c).to_le_bytes();
                assert_eq!(d.fingerprint, want, "content {i}");
                let sha: Option<[u8; 32]> = (i % 10 >= 5).then(|| Sha256::digest(c).into());
                assert_eq!(d.sha256, sha, "content {i}");
            }
        }
    }
}

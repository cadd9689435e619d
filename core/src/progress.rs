//! Progress and cancellation, shared between the scanning threads and the caller. The core never
//! spawns a thread to report progress: the CLI polls these counters from its own thread, and the
//! browser worker gets a callback between chunks.

use std::io::{self, Read};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::source::SkipRead;

/// Callback invoked now and then with the current state.
pub type ProgressCallback<'a> = dyn Fn(Snapshot) + Sync + 'a;

/// Live progress of one analysis.
#[derive(Default)]
pub struct Progress<'a> {
    done: AtomicU64,
    total: AtomicU64,
    layers_done: AtomicU64,
    layers_total: AtomicU64,
    cancelled: AtomicBool,
    callback: Option<&'a ProgressCallback<'a>>,
}

/// A copy of the counters at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Snapshot {
    /// Input bytes read (or skipped) so far.
    pub bytes_done: u64,
    /// Input bytes to read in all; 0 while unknown (stdin).
    pub bytes_total: u64,
    /// Layers fully scanned.
    pub layers_done: u64,
    /// Layers in the image; 0 while unknown.
    pub layers_total: u64,
}

/// How many bytes pass between callback calls.
const CALLBACK_EVERY: u64 = 8 << 20;

impl std::fmt::Debug for Progress<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Progress")
            .field("now", &self.snapshot())
            .finish()
    }
}

impl<'a> Progress<'a> {
    /// Progress that also calls `callback` about every 8 MiB and at each layer's end.
    pub fn with_callback(callback: &'a ProgressCallback<'a>) -> Self {
        Progress {
            callback: Some(callback),
            ..Progress::default()
        }
    }

    /// The counters now.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            bytes_done: self.done.load(Ordering::Relaxed),
            bytes_total: self.total.load(Ordering::Relaxed),
            layers_done: self.layers_done.load(Ordering::Relaxed),
            layers_total: self.layers_total.load(Ordering::Relaxed),
        }
    }

    /// Ask the analysis to stop; it returns [`crate::Error::Cancelled`] soon after.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    /// Whether [`Progress::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    pub(crate) fn set_totals(&self, bytes: u64, layers: u64) {
        self.total.store(bytes, Ordering::Relaxed);
        self.layers_total.store(layers, Ordering::Relaxed);
        self.notify();
    }

    pub(crate) fn layer_done(&self) {
        self.layers_done.fetch_add(1, Ordering::Relaxed);
        self.notify();
    }

    fn add(&self, n: u64) {
        let before = self.done.fetch_add(n, Ordering::Relaxed);
        if (before + n) / CALLBACK_EVERY != before / CALLBACK_EVERY {
            self.notify();
        }
    }

    fn notify(&self) {
        if let Some(cb) = self.callback {
            cb(self.snapshot());
        }
    }
}

/// Raised inside readers when the analysis was cancelled.
#[derive(Debug)]
pub(crate) struct CancelledIo;

impl std::fmt::Display for CancelledIo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("cancelled")
    }
}

impl std::error::Error for CancelledIo {}

/// Counts the input bytes a reader consumes into a [`Progress`], and stops it when cancelled.
pub(crate) struct Ticking<'p, 'a, R> {
    pub inner: R,
    pub progress: &'p Progress<'a>,
}

impl<R> Ticking<'_, '_, R> {
    fn check(&self) -> io::Result<()> {
        if self.progress.is_cancelled() {
            return Err(io::Error::other(CancelledIo));
        }
        Ok(())
    }
}

impl<R: Read> Read for Ticking<'_, '_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.check()?;
        let n = self.inner.read(buf)?;
        self.progress.add(n as u64);
        Ok(n)
    }
}

impl<R: SkipRead> SkipRead for Ticking<'_, '_, R> {
    fn skip(&mut self, n: u64) -> io::Result<()> {
        self.check()?;
        self.inner.skip(n)?;
        self.progress.add(n);
        Ok(())
    }

    fn skips_cheaply(&self) -> bool {
        self.inner.skips_cheaply()
    }
}

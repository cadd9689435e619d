//! The loader thread: `analyze` runs on its own thread while the UI thread polls the
//! progress counters and draws. A channel hands the finished analysis over; no async runtime
//! (gitui and dua-cli do the same).

use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::time::{Duration, Instant};

use imgslim_core::{Analysis, Progress, Snapshot};

/// What loads the image: given the progress counters to update, returns the analysis or an
/// error message naming the input.
pub type LoadFn = Box<dyn FnOnce(&Progress<'static>) -> Result<Analysis, String> + Send>;

/// A running load.
pub struct Loader {
    progress: Arc<Progress<'static>>,
    rx: Receiver<Result<Analysis, String>>,
    started: Instant,
}

impl Loader {
    /// Start loading on a new thread.
    pub fn spawn(load: LoadFn) -> Loader {
        let progress: Arc<Progress<'static>> = Arc::default();
        let (tx, rx) = mpsc::channel();
        let p = progress.clone();
        std::thread::Builder::new()
            .name("imgslim-loader".into())
            .spawn(move || {
                // The receiver is gone when the user quit while loading; nothing to tell then.
                let _ = tx.send(load(&p));
            })
            .expect("spawning a thread");
        Loader {
            progress,
            rx,
            started: Instant::now(),
        }
    }

    /// The counters now.
    pub fn snapshot(&self) -> Snapshot {
        self.progress.snapshot()
    }

    /// Time since the load started.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// The result, once the thread has finished.
    pub fn try_finish(&self) -> Option<Result<Analysis, String>> {
        match self.rx.try_recv() {
            Ok(r) => Some(r),
            Err(TryRecvError::Empty) => None,
            // The sender is dropped without sending only when the load panicked.
            Err(TryRecvError::Disconnected) => Some(Err("the loader thread panicked".into())),
        }
    }

    /// Wait for the result (tests and benches).
    pub fn wait(self) -> Result<Analysis, String> {
        self.rx
            .recv()
            .unwrap_or_else(|_| Err("the loader thread panicked".into()))
    }

    /// Ask the analysis to stop; it returns soon after with an error nobody reads.
    pub fn cancel(&self) {
        self.progress.cancel();
    }
}

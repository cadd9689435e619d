//! A progress bar on stderr, shown only on a terminal and only when the work is long enough to
//! want one. The core never starts threads for this: a small thread here polls its counters.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use imgslim_core::Progress;
use indicatif::{ProgressBar, ProgressStyle};

/// Images smaller than this finish before a bar would be useful.
const SHOW_ABOVE: u64 = 64 << 20;

/// A running bar; dropping it clears the line.
pub struct Bar {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

/// Start polling `progress` if stderr is a terminal.
pub fn start(progress: &'static Progress<'static>, enabled: bool) -> Bar {
    let stop = Arc::new(AtomicBool::new(false));
    let handle = (enabled && std::io::stderr().is_terminal()).then(|| {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let bar = ProgressBar::hidden();
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} {msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
                )
                .expect("static template")
                .progress_chars("=> "),
            );
            let mut shown = false;
            while !stop.load(Ordering::Relaxed) {
                let s = progress.snapshot();
                if !shown && s.bytes_total > SHOW_ABOVE {
                    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                    shown = true;
                }
                bar.set_length(s.bytes_total.max(s.bytes_done));
                bar.set_position(s.bytes_done);
                bar.set_message(format!("layers {}/{}", s.layers_done, s.layers_total));
                std::thread::sleep(Duration::from_millis(100));
            }
            bar.finish_and_clear();
        })
    });
    Bar { stop, handle }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

//! Loading an image with a progress bar: the one place the CLI calls the core's `analyze`.

use anyhow::{Result, anyhow};
use imgslim_core::{Analysis, Input, Options, Progress, Snapshot, analyze};

use crate::args::ImageArgs;
use crate::input::{self, Opened};

/// Analyse the image the arguments name. Errors carry the input's name.
pub fn load(args: &ImageArgs, options: &Options) -> Result<Analysis> {
    let name = input::display_name(&args.image);
    // The bar thread needs the counters for the whole run; one leaked struct per process is fine.
    let progress: &'static Progress<'static> =
        Box::leak(Box::new(Progress::with_callback(&between_phases)));
    let bar = crate::progress::start(progress, !args.no_progress);
    let result = match input::open(&args.image)? {
        Opened::Seekable(i) => analyze(i, options, progress),
        Opened::Stdin => {
            let mut stdin = std::io::stdin().lock();
            analyze(
                Input::Stream {
                    reader: &mut stdin,
                    name: "-".into(),
                },
                options,
                progress,
            )
        }
    };
    drop(bar);
    result.map_err(|e| {
        // Errors about the outer archive itself already start with its name.
        let msg = e.to_string();
        if msg.starts_with(&format!("{name}: ")) {
            anyhow!(msg)
        } else {
            anyhow!("{name}: {msg}")
        }
    })
}

/// Called by the scanning threads now and then: once every layer is scanned, the memory the
/// scans used for buffers goes back to the system before the merge allocates its own.
fn between_phases(now: Snapshot) {
    if scans_finished(now) {
        crate::allocator::release_free_pages();
    }
}

fn scans_finished(now: Snapshot) -> bool {
    now.layers_total > 0 && now.layers_done == now.layers_total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(layers_done: u64, layers_total: u64) -> Snapshot {
        Snapshot {
            bytes_done: 0,
            bytes_total: 0,
            layers_done,
            layers_total,
        }
    }

    #[test]
    fn pages_go_back_only_once_every_layer_is_scanned() {
        assert!(!scans_finished(at(0, 0)), "layer count not known yet");
        assert!(!scans_finished(at(2, 3)));
        assert!(scans_finished(at(3, 3)));
    }
}

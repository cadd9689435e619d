//! Loading an image with a progress bar: the one place the CLI calls the core's `analyze`.

use anyhow::{Result, anyhow};
use imgslim_core::{Analysis, Input, Options, Progress, analyze};

use crate::args::ImageArgs;
use crate::input::{self, Opened};

/// Analyse the image the arguments name. Errors carry the input's name.
pub fn load(args: &ImageArgs, options: &Options) -> Result<Analysis> {
    let name = input::display_name(&args.image);
    // The bar thread needs the counters for the whole run; one leaked struct per process is fine.
    let progress: &'static Progress<'static> = Box::leak(Box::default());
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

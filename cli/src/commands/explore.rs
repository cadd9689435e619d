//! `imgslim explore`: the terminal explorer (crate `imgslim-tui`) on any input `analyze` reads.

use std::io::IsTerminal;

use anyhow::{Result, anyhow, bail};
use imgslim_core::{Input, analyze};

use crate::args::ExploreArgs;
use crate::input::{self, Opened};

/// Run the explorer; exit code 0 when the user quits.
pub fn run(args: &ExploreArgs) -> Result<u8> {
    let keys = imgslim_tui::load_keys(args.keys.as_deref()).map_err(|e| anyhow!(e))?;
    let options = input::options(&args.input);
    let path = args.input.image.clone();
    let name = input::display_name(&path);
    // Open once here so a missing file is reported before the screen switches; the loader
    // thread opens it again because an opened stream input cannot cross threads.
    drop(input::open(&path)?);
    if !std::io::stdout().is_terminal() {
        bail!(
            "explore draws on a terminal, and stdout is not one; `imgslim analyze` writes reports"
        );
    }
    let load_name = name.clone();
    let load: imgslim_tui::LoadFn = Box::new(move |progress| {
        let result = match input::open(&path).map_err(|e| e.to_string())? {
            Opened::Seekable(i) => analyze(i, &options, progress),
            Opened::Stdin => {
                let mut stdin = std::io::stdin().lock();
                analyze(
                    Input::Stream {
                        reader: &mut stdin,
                        name: "-".into(),
                    },
                    &options,
                    progress,
                )
            }
        };
        result.map_err(|e| format!("{load_name}: {e}"))
    });
    imgslim_tui::run(&name, keys, load).map_err(|e| anyhow!(e))?;
    Ok(0)
}

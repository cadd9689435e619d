//! `imgslim analyze`.

use anyhow::Result;
use imgslim_core::report::{markdown, text};

use crate::args::{AnalyzeArgs, Format};
use crate::output;

/// Run the command; the exit code is 0 (a report is not a verdict) unless `--fail-on` is given
/// and a finding reaches it.
pub fn run(args: &AnalyzeArgs) -> Result<u8> {
    let mut options = crate::input::options(&args.input);
    options.list_limit = args.list_limit;
    let analysis = crate::load::load(&args.input, &options)?;
    let report = &analysis.report;
    match args.format {
        // Streamed: the JSON of an image with a million files is never a string in memory.
        Format::Json => output::emit_with(args.output.as_deref(), |w| {
            serde_json::to_writer_pretty(&mut *w, report)?;
            Ok(w.write_all(b"\n")?)
        })?,
        Format::Markdown | Format::Text => {
            let mut out = String::new();
            if args.format == Format::Markdown {
                markdown::render(report, &mut out)?;
            } else {
                let style = text::Style {
                    color: output::use_color(args.output.is_some()),
                };
                text::render(report, style, &mut out)?;
            }
            output::emit(&out, args.output.as_deref())?;
        }
    }
    Ok(crate::commands::suggest::exit_code(args.fail_on, report))
}

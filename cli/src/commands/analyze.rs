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
    let mut out = String::new();
    match args.format {
        Format::Json => {
            out = serde_json::to_string_pretty(report)?;
            out.push('\n');
        }
        Format::Markdown => markdown::render(report, &mut out)?,
        Format::Text => {
            let style = text::Style {
                color: output::use_color(args.output.is_some()),
            };
            text::render(report, style, &mut out)?;
        }
    }
    output::emit(&out, args.output.as_deref())?;
    Ok(crate::commands::suggest::exit_code(args.fail_on, report))
}

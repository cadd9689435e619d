//! `imgslim diff OLD NEW`: what changed between two images, either side an image or a saved
//! JSON report. Also the loader `imgslim check` uses for its image and baseline.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, anyhow};
use clap::Args;
use imgslim_core::diff::render::{Rows, markdown, text};
use imgslim_core::diff::{DiffOptions, Side, diff};
use imgslim_core::{Analysis, Input, Options, Progress, Report, analyze};

use crate::args::{Format, ImageArgs};
use crate::output;

/// `imgslim diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The old image (archive, OCI layout directory, `-`) or a saved `--format json` report.
    pub old: PathBuf,
    /// The new image or saved report.
    pub new: PathBuf,
    /// Pick one image from archives that hold several (both sides): NAME[:TAG], or #N.
    #[arg(long = "image", value_name = "NAME[:TAG]")]
    pub image_name: Option<String>,
    /// Pick one platform from multi-platform indexes (both sides): os/arch[/variant].
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the diff to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Rows of files shown in text and Markdown (directories: half as many).
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub top: usize,
    /// Files and directories listed in JSON.
    #[arg(long, value_name = "N", default_value_t = 200)]
    pub list_limit: usize,
    /// Never show a progress bar.
    #[arg(long)]
    pub no_progress: bool,
}

pub(crate) const DIFF_EXAMPLES: &str = "\
Examples:
  imgslim diff app-1.0.tar app-1.1.tar          exact, file by file
  imgslim diff release.json app.tar             a saved report against a new image
  imgslim diff old.tar new.tar --format markdown >> \"$GITHUB_STEP_SUMMARY\"
  imgslim diff old.tar new.tar --format json -o diff.json

A saved report (imgslim analyze --format json) lists files of 4 KiB or more and directory totals,
so a diff against one compares those; two images are compared file by file.";

/// One side, read: a report, and the analysis when it was an image.
pub struct Loaded {
    /// The report (the analysis's, or the saved one).
    pub report: Report,
    /// The analysis, when the side was an image.
    pub analysis: Option<Analysis>,
}

impl Loaded {
    /// As a side of a diff.
    pub fn side(&self) -> Side<'_> {
        Side {
            report: &self.report,
            tree: self.analysis.as_ref().map(|a| &a.tree),
        }
    }
}

/// How to read an image side.
pub struct LoadOptions {
    /// `--image`.
    pub image_name: Option<String>,
    /// `--platform`.
    pub platform: Option<String>,
    /// `--no-progress`.
    pub no_progress: bool,
}

/// A saved report is JSON: its first non-blank byte is `{`, which no tar archive starts with.
fn looks_like_json(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    head.iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'{')
}

fn parse_report(name: &str, bytes: &[u8]) -> Result<Report> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| anyhow!("{name}: looks like JSON but is not UTF-8"))?;
    // Our other JSON documents are not reports; say which one it is.
    if let Ok(serde_json::Value::Object(m)) = serde_json::from_str::<serde_json::Value>(text) {
        if let Some(kind) = m.get("kind").and_then(|k| k.as_str()) {
            if kind.starts_with("imgslim-") {
                anyhow::bail!(
                    "{name}: an `{kind}` document, not a report (write one with `imgslim analyze --format json`)"
                );
            }
        }
    }
    Report::from_json(text).map_err(|e| anyhow!("{name}: not a readable imgslim report: {e}"))
}

/// Read `path` as an image or, when its content is JSON, as a saved report.
pub fn load_side(path: &Path, o: &LoadOptions) -> Result<Loaded> {
    let name = crate::input::display_name(path);
    let options = Options {
        image: o.image_name.clone(),
        platform: o.platform.clone(),
        ..Options::default()
    };
    if path == Path::new("-") {
        // stdin cannot be sniffed and then streamed, so it is read whole.
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .context("-: cannot read stdin")?;
        if looks_like_json(&bytes) {
            return Ok(Loaded {
                report: parse_report("-", &bytes)?,
                analysis: None,
            });
        }
        let analysis = analyze(
            Input::Archive {
                source: Arc::new(bytes),
                name: "-".into(),
            },
            &options,
            &Progress::default(),
        )
        .map_err(|e| anyhow!("-: {e}"))?;
        return Ok(Loaded {
            report: analysis.report.clone(),
            analysis: Some(analysis),
        });
    }
    if path.is_file() {
        let mut head = [0u8; 64];
        let n = std::fs::File::open(path)
            .and_then(|mut f| f.read(&mut head))
            .with_context(|| format!("{name}: cannot open"))?;
        if looks_like_json(&head[..n]) {
            let bytes = std::fs::read(path).with_context(|| format!("{name}: cannot read"))?;
            return Ok(Loaded {
                report: parse_report(&name, &bytes)?,
                analysis: None,
            });
        }
    }
    let limits = &options.limits;
    let args = ImageArgs {
        image: path.to_path_buf(),
        image_name: o.image_name.clone(),
        platform: o.platform.clone(),
        verify: false,
        max_expansion: limits.max_expansion,
        expansion_floor: limits.expansion_floor,
        max_layer_size: limits.max_layer_bytes,
        max_entries: limits.max_entries,
        no_progress: o.no_progress,
    };
    let analysis = crate::load::load(&args, &options)?;
    Ok(Loaded {
        report: analysis.report.clone(),
        analysis: Some(analysis),
    })
}

/// Run the command; exit code 0 (a diff is not a verdict).
pub fn run(args: &DiffArgs) -> Result<u8> {
    let o = LoadOptions {
        image_name: args.image_name.clone(),
        platform: args.platform.clone(),
        no_progress: args.no_progress,
    };
    if args.old == Path::new("-") && args.new == Path::new("-") {
        anyhow::bail!("only one side can be read from stdin");
    }
    let old = load_side(&args.old, &o)?;
    let new = load_side(&args.new, &o)?;
    let d = diff(
        old.side(),
        new.side(),
        DiffOptions {
            list_limit: args.list_limit,
        },
    );
    let rows = Rows {
        dirs: args.top.div_ceil(2),
        files: args.top,
    };
    let mut out = String::new();
    match args.format {
        Format::Json => {
            out = serde_json::to_string_pretty(&d)?;
            out.push('\n');
        }
        Format::Markdown => markdown(&d, rows, &mut out)?,
        Format::Text => text(&d, rows, &mut out)?,
    }
    output::emit(&out, args.output.as_deref())?;
    Ok(0)
}

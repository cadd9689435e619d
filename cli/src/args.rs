//! Command-line arguments (clap derive). `--help` carries examples.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Why a container image is big, and how to make it small.
#[derive(Debug, Parser)]
#[command(name = "imgslim", version, about, long_about = None, after_help = EXAMPLES)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

const EXAMPLES: &str = "\
Examples:
  imgslim analyze app.tar                   readable report of a docker save archive
  docker save app | imgslim analyze -       read the archive from stdin, in one pass
  imgslim analyze app.oci/ --platform linux/arm64
  imgslim analyze app.tar --format json -o report.json

Exit codes: 0 ok, 1 findings or budget exceeded, 2 error.";

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Analyse an image: sizes per layer, wasted and duplicated files, dive-compatible figures.
    #[command(after_help = ANALYZE_EXAMPLES)]
    Analyze(AnalyzeArgs),
    /// Explore an image in the terminal: layers, their changes and the file tree, like dive.
    #[command(after_help = EXPLORE_EXAMPLES)]
    Explore(ExploreArgs),
    /// Check size budgets for CI (imgslim.toml, .dive-ci, flags), optionally against a baseline.
    #[command(after_help = crate::commands::check::CHECK_EXAMPLES)]
    Check(Box<crate::commands::check::CheckArgs>),
    /// Compare two images (or saved JSON reports): size per layer, paths, findings.
    #[command(after_help = crate::commands::diff::DIFF_EXAMPLES)]
    Diff(crate::commands::diff::DiffArgs),
    /// Propose a smaller image: entrypoint closure, findings, multi-stage/scratch/cleanup rewrites with sizes.
    #[command(after_help = crate::commands::suggest::SUGGEST_EXAMPLES)]
    Suggest(crate::commands::suggest::SuggestArgs),
    /// List the rules behind findings (codes, severities).
    Rules(crate::commands::rules::RulesArgs),
    /// Show one rule's documentation: what it detects, why, an example, what to do instead.
    Rule(crate::commands::rules::RuleArgs),
}

const ANALYZE_EXAMPLES: &str = "\
Examples:
  imgslim analyze app.tar
  imgslim analyze app.tar --format markdown -o report.md
  imgslim analyze images.tar --image myapp:1.2
  imgslim analyze ./oci-layout --platform linux/amd64
  podman save app | imgslim analyze -
  imgslim analyze app.tar --verify          check every layer digest (reads every byte)

Inputs: docker save / podman save archives (Docker <= 24 and >= 25), OCI archives, OCI layout
directories, and any of them gzip- or zstd-compressed; `-` reads stdin.";

const EXPLORE_EXAMPLES: &str = "\
Examples:
  imgslim explore app.tar                   browse layers and files; ? lists every key
  imgslim explore ./oci-layout --platform linux/arm64
  docker save app | imgslim explore -       stream from stdin (extraction then needs a file)
  imgslim explore app.tar --keys keys.toml  remap keys ([keys] filter = [\"/\"], quit = [\"q\"])

Keys follow dive: Tab pane, Ctrl+F filter, Space open dir, Ctrl+L layer/aggregated,
Ctrl+O sort, Ctrl+A/R/M/U toggle added/removed/modified/unchanged, x extract, q quit.";

/// Output formats of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable text (colour on a terminal).
    Text,
    /// The versioned JSON report (docs/report-schema.md).
    Json,
    /// GitHub-flavoured Markdown.
    Markdown,
}

/// Options shared by every command that reads an image.
#[derive(Debug, Args)]
pub struct ImageArgs {
    /// Image archive (docker/podman save, OCI archive), OCI layout directory, or `-` for stdin.
    pub image: PathBuf,
    /// Pick one image from an archive that holds several: NAME[:TAG], or #N for the N-th.
    #[arg(long = "image", alias = "image-name", value_name = "NAME[:TAG]")]
    pub image_name: Option<String>,
    /// Pick one platform from a multi-platform index: os/arch[/variant].
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,
    /// Read every byte and check every layer's diff_id and blob digest; a mismatch is an error.
    #[arg(long)]
    pub verify: bool,
    /// Refuse layers that decompress to more than RATIO times their compressed size (once past 1 GiB).
    #[arg(long, value_name = "RATIO", default_value_t = 250)]
    pub max_expansion: u64,
    /// Bytes a layer may decompress to before --max-expansion applies (lets tests use tiny bombs).
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 30, hide = true)]
    pub expansion_floor: u64,
    /// Refuse layers larger than this when uncompressed, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 256 << 30)]
    pub max_layer_size: u64,
    /// Refuse images with more tar entries than this.
    #[arg(long, value_name = "N", default_value_t = 20_000_000)]
    pub max_entries: u64,
    /// Never show a progress bar.
    #[arg(long)]
    pub no_progress: bool,
}

/// `imgslim analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// The image to read.
    #[command(flatten)]
    pub input: ImageArgs,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the report to FILE instead of stdout (written whole or not at all).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// How many wasted files and duplicate groups to list in JSON and Markdown.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub list_limit: usize,
    /// Exit 1 when a finding has this severity or a higher one (as `suggest --fail-on`).
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<crate::commands::suggest::FailOn>,
}

/// `imgslim explore`.
#[derive(Debug, Args)]
pub struct ExploreArgs {
    /// The image to read.
    #[command(flatten)]
    pub input: ImageArgs,
    /// Key file (TOML) remapping keys; default `~/.config/imgslim/keys.toml` when it exists.
    #[arg(long, value_name = "FILE")]
    pub keys: Option<PathBuf>,
}

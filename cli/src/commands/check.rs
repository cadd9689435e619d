//! `imgslim check IMAGE`: size budgets for CI, from `imgslim.toml`, a `.dive-ci` and flags,
//! optionally against a baseline. Exit 0 when every budget passes, 1 when one fails, 2 on error.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use clap::{Args, ValueEnum};
use imgslim_core::diff::{DiffOptions, diff};

use crate::budget::config::{Budgets, RawBudgets, WasteMeasure, parse_dive_ci, parse_toml};
use crate::budget::{Verdict, evaluate, render};
use crate::commands::diff::{LoadOptions, load_side};
use crate::output;

/// Output formats of `imgslim check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// Every budget with PASS / FAIL / SKIP, measured value and limit.
    Text,
    /// A JSON document (`kind: imgslim-check`) with the budgets, explanation and diff.
    Json,
    /// JUnit XML, one test case per budget.
    Junit,
    /// Markdown for a pull-request comment.
    Markdown,
    /// GitHub Actions annotations (`::error`) followed by the text.
    Github,
}

/// `imgslim check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The image to check (archive, OCI layout directory, `-`), or a saved JSON report.
    pub image: PathBuf,
    /// Budgets file; default `imgslim.toml` in the current directory, when there is one.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The previous release to measure growth against: a saved JSON report or an image.
    #[arg(long, value_name = "REPORT.json|IMAGE")]
    pub baseline: Option<PathBuf>,
    /// Also read dive's CI rules from this `.dive-ci` file (below imgslim.toml and flags).
    #[arg(long, value_name = "FILE")]
    pub dive_ci: Option<PathBuf>,
    /// Pick one image from archives that hold several (image and baseline): NAME[:TAG], or #N.
    #[arg(long = "image", value_name = "NAME[:TAG]")]
    pub image_name: Option<String>,
    /// Pick one platform from multi-platform indexes: os/arch[/variant].
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
    /// Write the result to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Never show a progress bar.
    #[arg(long)]
    pub no_progress: bool,
    /// Budget: largest total size (450MB, 1.2GiB, disabled).
    #[arg(
        long,
        value_name = "SIZE",
        help_heading = "Budgets (override imgslim.toml)"
    )]
    pub max_size: Option<String>,
    /// Budget: largest layer.
    #[arg(
        long,
        value_name = "SIZE",
        help_heading = "Budgets (override imgslim.toml)"
    )]
    pub max_layer_size: Option<String>,
    /// Budget: most layers.
    #[arg(
        long,
        value_name = "N",
        help_heading = "Budgets (override imgslim.toml)"
    )]
    pub max_layers: Option<String>,
    /// Budget: lowest efficiency, a ratio (0.95) or percentage (95%).
    #[arg(
        long,
        value_name = "RATIO",
        help_heading = "Budgets (override imgslim.toml)"
    )]
    pub min_efficiency: Option<String>,
    /// Budget: most wasted bytes.
    #[arg(
        long,
        value_name = "SIZE",
        help_heading = "Budgets (override imgslim.toml)"
    )]
    pub max_wasted: Option<String>,
    /// Budget: most wasted percent (5 or 5%).
    #[arg(
        long,
        value_name = "PERCENT",
        help_heading = "Budgets (override imgslim.toml)"
    )]
    pub max_wasted_percent: Option<String>,
    /// Which waste figure the waste budgets compare: dive or reclaimable (default).
    #[arg(
        long,
        value_name = "MEASURE",
        help_heading = "Budgets (override imgslim.toml)"
    )]
    pub waste_measure: Option<String>,
    /// Budget: most duplicate bytes.
    #[arg(
        long,
        value_name = "SIZE",
        help_heading = "Budgets (override imgslim.toml)"
    )]
    pub max_duplicate_bytes: Option<String>,
    /// Budget: most growth of the image against --baseline, in bytes.
    #[arg(
        long,
        value_name = "SIZE",
        help_heading = "Budgets (override imgslim.toml)"
    )]
    pub max_growth: Option<String>,
    /// Budget: most growth of the image against --baseline, in percent.
    #[arg(
        long,
        value_name = "PERCENT",
        help_heading = "Budgets (override imgslim.toml)"
    )]
    pub max_growth_percent: Option<String>,
    /// Budget: most growth of any one layer against --baseline, in bytes.
    #[arg(
        long,
        value_name = "SIZE",
        help_heading = "Budgets (override imgslim.toml)"
    )]
    pub max_layer_growth: Option<String>,
    /// Budget: most growth of any layer the baseline has, in percent.
    #[arg(
        long,
        value_name = "PERCENT",
        help_heading = "Budgets (override imgslim.toml)"
    )]
    pub max_layer_growth_percent: Option<String>,
    /// Budget: rules that must not fire: codes, severities (that or higher) or `*`; repeat or
    /// separate with commas.
    #[arg(
        long,
        value_name = "CODE|SEVERITY",
        value_delimiter = ',',
        help_heading = "Budgets (override imgslim.toml)"
    )]
    pub deny_rules: Option<Vec<String>>,
}

pub(crate) const CHECK_EXAMPLES: &str = "\
Examples:
  imgslim check app.tar                                   budgets from ./imgslim.toml
  imgslim check app.tar --baseline release.json --max-growth-percent 10
  imgslim check app.tar --baseline app-1.0.tar --format github
  imgslim check app.tar --dive-ci .dive-ci                dive's CI rules
  imgslim check app.tar --max-size 450MB --deny-rules high --format junit -o budgets.xml

Sizes take SI (kB, MB, GB: powers of 1000) or IEC units (KiB, MiB, GiB: powers of 1024);
`disabled` turns a budget off. With $GITHUB_STEP_SUMMARY set, the Markdown result is appended
to it. Exit codes: 0 every budget passes, 1 a budget failed, 2 error. See docs/ci.md.";

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("{}: cannot read", path.display()))
}

/// The budgets: `.dive-ci` < `imgslim.toml` < flags.
fn budgets(args: &CheckArgs) -> Result<Budgets> {
    let dive = match &args.dive_ci {
        Some(p) => parse_dive_ci(&read(p)?).map_err(|e| anyhow!("{}: {e}", p.display()))?,
        None => Budgets::default(),
    };
    let config = match &args.config {
        Some(p) => Some(p.clone()),
        None => Some(PathBuf::from("imgslim.toml")).filter(|p| p.is_file()),
    };
    let mut file = match &config {
        Some(p) => parse_toml(&read(p)?).map_err(|e| anyhow!("{}: {e}", p.display()))?,
        None => Budgets::default(),
    };
    let flag_measure = args
        .waste_measure
        .as_deref()
        .map(WasteMeasure::parse)
        .transpose()
        .map_err(|e| anyhow!("--waste-measure: {e}"))?;
    if let Some(m) = flag_measure {
        file.remeasure(m);
    }
    let raw = RawBudgets {
        max_size: args.max_size.clone(),
        max_layer_size: args.max_layer_size.clone(),
        max_layers: args.max_layers.clone(),
        min_efficiency: args.min_efficiency.clone(),
        max_wasted: args.max_wasted.clone(),
        max_wasted_percent: args.max_wasted_percent.clone(),
        waste_measure: args.waste_measure.clone(),
        max_duplicate_bytes: args.max_duplicate_bytes.clone(),
        max_growth: args.max_growth.clone(),
        max_growth_percent: args.max_growth_percent.clone(),
        max_layer_growth: args.max_layer_growth.clone(),
        max_layer_growth_percent: args.max_layer_growth_percent.clone(),
        deny_rules: args.deny_rules.as_ref().map(|v| {
            v.iter()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        }),
    };
    let flags = raw
        .parse(file.waste_measure.unwrap_or_default())
        .map_err(|e| match e.split_once(':') {
            Some((key, why)) => anyhow!("--{}:{why}", key.replace('_', "-")),
            None => anyhow!(e),
        })?;
    Ok(flags.over(file.over(dive)))
}

/// Run the command.
pub fn run(args: &CheckArgs) -> Result<u8> {
    // Budgets first: a typo in the config should not wait for a multi-GB image.
    let budgets = budgets(args)?;
    let o = LoadOptions {
        image_name: args.image_name.clone(),
        platform: args.platform.clone(),
        no_progress: args.no_progress,
    };
    if args.image == Path::new("-") && args.baseline.as_deref() == Some(Path::new("-")) {
        anyhow::bail!("the image and the baseline cannot both be read from stdin");
    }
    let image = load_side(&args.image, &o)?;
    let baseline = match &args.baseline {
        Some(p) => Some(load_side(p, &o)?),
        None => None,
    };
    let d = baseline
        .as_ref()
        .map(|b| diff(b.side(), image.side(), DiffOptions::default()));
    let verdict = Verdict {
        report: &image.report,
        diff: d.as_ref(),
        outcomes: evaluate(&image.report, d.as_ref(), &budgets),
    };
    let mut out = String::new();
    match args.format {
        CheckFormat::Text => render::text(&verdict, &mut out)?,
        CheckFormat::Json => out = render::json(&verdict)?,
        CheckFormat::Junit => render::junit(&verdict, &mut out)?,
        CheckFormat::Markdown => render::markdown(&verdict, &mut out)?,
        CheckFormat::Github => render::github(&verdict, &mut out)?,
    }
    if let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|s| !s.is_empty()) {
        // The verdict stands even when the job summary cannot be written: warn, do not fail.
        let mut md = String::new();
        render::markdown(&verdict, &mut md)?;
        md.push('\n');
        let path = PathBuf::from(summary);
        let appended = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .and_then(|mut f| f.write_all(md.as_bytes()));
        if let Err(e) = appended {
            eprintln!(
                "imgslim: warning: {}: cannot append the job summary: {e}",
                path.display()
            );
        }
    }
    output::emit(&out, args.output.as_deref())?;
    Ok(u8::from(verdict.failed()))
}

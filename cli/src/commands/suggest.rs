//! `imgslim suggest IMAGE [--dockerfile Dockerfile]`: the entrypoint and its runtime closure,
//! the findings (mapped to Dockerfile lines, hadolint-style, when one is given) and every
//! slimming proposal with its computed size and Dockerfile (or a unified diff against yours).

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use imgslim_core::Analysis;
use imgslim_core::exec::ExecKind;
use imgslim_core::propose::{Instruction, apply_to_dockerfile, map_layers, parse_dockerfile};
use imgslim_core::report::findings::Severity;
use imgslim_core::report::text::{self, Style};
use imgslim_core::report::units::{bytes, name_of};
use serde_json::json;

use crate::args::{Format, ImageArgs};
use crate::output;

/// `imgslim suggest`.
#[derive(Debug, Args)]
pub struct SuggestArgs {
    /// The image to read.
    #[command(flatten)]
    pub input: ImageArgs,
    /// The Dockerfile that built the image: findings are mapped to its lines and proposals are
    /// printed as unified diffs against it.
    #[arg(long, value_name = "FILE")]
    pub dockerfile: Option<PathBuf>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when a finding has this severity or a higher one.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,
}

/// `--fail-on` levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Any finding.
    Info,
    /// Low and above.
    Low,
    /// Medium and above.
    Medium,
    /// High only.
    High,
}

impl FailOn {
    pub(crate) fn severity(self) -> Severity {
        match self {
            FailOn::Info => Severity::Info,
            FailOn::Low => Severity::Low,
            FailOn::Medium => Severity::Medium,
            FailOn::High => Severity::High,
        }
    }
}

pub(crate) const SUGGEST_EXAMPLES: &str = "\
Examples:
  imgslim suggest app.tar                          proposals with the Dockerfile recovered from history
  imgslim suggest app.tar --dockerfile Dockerfile  findings by line, proposals as diffs of your Dockerfile
  imgslim suggest app.tar --format json -o proposals.json
  imgslim suggest app.tar --fail-on high           exit 1 when a high-severity finding fires

Every size is computed on the image's own file tree: the runtime stage's size is the base layers
plus the files it copies (the app and the libraries its entrypoint loads).";

/// Run the command.
pub fn run(args: &SuggestArgs) -> Result<u8> {
    let options = crate::input::options(&args.input);
    let analysis = crate::load::load(&args.input, &options)?;
    let dockerfile = match &args.dockerfile {
        Some(p) => Some(
            std::fs::read_to_string(p).with_context(|| format!("{}: cannot read", p.display()))?,
        ),
        None => None,
    };
    let mut out = String::new();
    match args.format {
        Format::Json => {
            out = serde_json::to_string_pretty(&to_json(&analysis, dockerfile.as_deref()))?;
            out.push('\n');
        }
        Format::Text | Format::Markdown => {
            let style = Style {
                color: args.format == Format::Text && output::use_color(args.output.is_some()),
            };
            let name = args
                .dockerfile
                .as_ref()
                .map_or_else(String::new, |p| p.display().to_string());
            render(
                &analysis,
                dockerfile.as_deref(),
                &name,
                args.format == Format::Markdown,
                style,
                &mut out,
            )?;
        }
    }
    output::emit(&out, args.output.as_deref())?;
    Ok(exit_code(args.fail_on, &analysis.report))
}

/// 1 when `--fail-on` is given and a finding reaches its severity, else 0.
pub(crate) fn exit_code(fail_on: Option<FailOn>, report: &imgslim_core::Report) -> u8 {
    let fail = fail_on.is_some_and(|level| {
        report
            .findings
            .iter()
            .any(|f| f.severity >= level.severity())
    });
    u8::from(fail)
}

fn mapped(analysis: &Analysis, dockerfile: &str) -> Vec<Instruction> {
    let mut ins = parse_dockerfile(dockerfile);
    map_layers(&mut ins, analysis.report.layers.len());
    ins
}

fn to_json(a: &Analysis, dockerfile: Option<&str>) -> serde_json::Value {
    let r = &a.report;
    let ins = dockerfile.map(|d| mapped(a, d));
    let line_of = |layer: Option<usize>| -> Option<usize> {
        let l = layer?;
        ins.as_ref()?
            .iter()
            .find(|i| i.layer == Some(l))
            .map(|i| i.line)
    };
    let findings: Vec<serde_json::Value> = r
        .findings
        .iter()
        .map(|f| {
            let mut v = serde_json::to_value(f).unwrap_or_default();
            if let (Some(line), Some(o)) = (line_of(f.layer), v.as_object_mut()) {
                o.insert("dockerfile_line".into(), json!(line));
            }
            v
        })
        .collect();
    let proposals: Vec<serde_json::Value> = r
        .proposals
        .iter()
        .map(|p| {
            let mut v = serde_json::to_value(p).unwrap_or_default();
            if let (Some(d), Some(o)) = (dockerfile, v.as_object_mut()) {
                if let Some(new) = apply_to_dockerfile(p, d, r.layers.len()) {
                    o.insert("dockerfile".into(), json!(new));
                    o.insert("diff".into(), json!(unified(d, &new)));
                }
            }
            v
        })
        .collect();
    json!({
        "schema_version": r.schema_version,
        "image": r.image.source,
        "size_bytes": r.summary.size_bytes,
        "exec": a.exec,
        "reconstructed_dockerfile": a.reconstructed_dockerfile,
        "findings": findings,
        "proposals": proposals,
    })
}

fn unified(old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header("Dockerfile", "Dockerfile.proposed")
        .to_string()
}

fn render(
    a: &Analysis,
    dockerfile: Option<&str>,
    dockerfile_name: &str,
    md: bool,
    style: Style,
    out: &mut String,
) -> std::fmt::Result {
    let r = &a.report;
    let h = |out: &mut String, t: &str| {
        if md {
            writeln!(out, "\n## {t}\n")
        } else {
            writeln!(out, "{t}")
        }
    };
    let fence = |out: &mut String, lang: &str, body: &str| -> std::fmt::Result {
        if md {
            writeln!(out, "```{lang}\n{}\n```", body.trim_end())
        } else {
            for l in body.trim_end().lines() {
                writeln!(out, "    {l}")?;
            }
            Ok(())
        }
    };
    let name = r
        .image
        .repo_tags
        .first()
        .map_or(r.image.source.as_str(), String::as_str);
    if md {
        writeln!(out, "# imgslim suggest: `{name}`")?;
    } else {
        writeln!(out, "Image {name}: {}", bytes(r.summary.size_bytes))?;
    }
    h(out, "Entrypoint")?;
    match &a.exec {
        None => writeln!(
            out,
            "  (no ENTRYPOINT or CMD, or contents not readable from a stream)"
        )?,
        Some(e) => {
            let kind = match e.kind {
                ExecKind::StaticElf => "static ELF",
                ExecKind::DynamicElf => "dynamic ELF",
                ExecKind::Script => "script",
                ExecKind::Unknown if e.resolved.is_none() => "not found in the image",
                ExecKind::Unknown => "neither ELF nor a script",
            };
            writeln!(
                out,
                "  {} -> {} ({kind}; closure {} files, {})",
                e.argv.join(" "),
                e.resolved.as_deref().unwrap_or("?"),
                e.closure.len(),
                bytes(e.closure_bytes())
            )?;
            for c in &e.closure {
                let via = if c.path == c.resolved {
                    String::new()
                } else {
                    format!(" -> {}", c.resolved)
                };
                writeln!(
                    out,
                    "    {:>10}  {}{via}  (layer {}, {})",
                    bytes(c.bytes),
                    c.path,
                    c.layer,
                    c.reason
                )?;
            }
            for m in &e.missing {
                writeln!(out, "    missing: {m}")?;
            }
        }
    }
    if !md {
        writeln!(out)?;
    }
    if let Some(d) = dockerfile {
        let ins = mapped(a, d);
        let name = dockerfile_name;
        h(out, "Findings by Dockerfile line")?;
        for f in &r.findings {
            let line = f
                .layer
                .and_then(|l| ins.iter().find(|i| i.layer == Some(l)))
                .map_or_else(|| "-".to_string(), |i| i.line.to_string());
            writeln!(
                out,
                "  {name}:{line} {} {} [{}] {}: {}",
                f.rule,
                f.name,
                name_of(f.severity),
                if f.bytes > 0 {
                    bytes(f.bytes)
                } else {
                    "-".into()
                },
                f.message
            )?;
        }
        writeln!(out)?;
    } else if md {
        h(out, "Findings")?;
        for f in &r.findings {
            writeln!(
                out,
                "- `{}` {} ({}, {}): {}",
                f.rule,
                f.name,
                name_of(f.severity),
                bytes(f.bytes),
                f.message
            )?;
        }
    } else {
        let mut only = r.clone();
        only.proposals.clear();
        text::findings(&only, style, out)?;
    }
    if dockerfile.is_none() {
        h(out, "Dockerfile recovered from the history")?;
        fence(out, "dockerfile", &a.reconstructed_dockerfile)?;
        writeln!(out)?;
    }
    h(out, "Proposals")?;
    if r.proposals.is_empty() {
        writeln!(
            out,
            "  none: nothing found that a rewrite would make smaller"
        )?;
    }
    for (i, p) in r.proposals.iter().enumerate() {
        writeln!(
            out,
            "{}{}. [{}] {}",
            if md { "### " } else { "  " },
            i + 1,
            name_of(p.kind),
            p.title
        )?;
        writeln!(
            out,
            "     size {} -> {} (saves {})",
            bytes(r.summary.size_bytes),
            bytes(p.estimated_size_bytes),
            bytes(p.saved_bytes)
        )?;
        writeln!(out, "     {}", p.rationale)?;
        if !p.copy.is_empty() && !md {
            writeln!(out, "     copies: {}", p.copy.join(", "))?;
        }
        let applied =
            dockerfile.and_then(|d| apply_to_dockerfile(p, d, r.layers.len()).map(|n| (d, n)));
        match (applied, &p.dockerfile) {
            (Some((old, new)), _) => fence(out, "diff", &unified(old, &new))?,
            (None, Some(df)) => fence(out, "dockerfile", df)?,
            (None, None) => {}
        }
        writeln!(out)?;
    }
    Ok(())
}

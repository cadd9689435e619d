//! `imgslim rules` (the catalog) and `imgslim rule CODE` (one rule's docs).

use anyhow::{Result, bail};
use clap::Args;
use imgslim_core::report::units::name_of;
use imgslim_core::rules::{catalog, render_doc, rule};

use crate::args::Format;

/// `imgslim rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Output format (text table, JSON array of rule docs, or Markdown).
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// `imgslim rule CODE`.
#[derive(Debug, Args)]
pub struct RuleArgs {
    /// Rule code (IS301) or name (apt-lists).
    pub code: String,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// List every rule.
pub fn run_list(args: &RulesArgs) -> Result<u8> {
    let docs = catalog();
    let mut out = String::new();
    match args.format {
        Format::Json => {
            out = serde_json::to_string_pretty(&docs)?;
            out.push('\n');
        }
        Format::Markdown => {
            out.push_str("| code | name | family | severity | what |\n|---|---|---|---|---|\n");
            for d in &docs {
                out.push_str(&format!(
                    "| {} | {} | {} | {} | {} |\n",
                    d.code,
                    d.name,
                    d.family,
                    name_of(d.severity),
                    d.what.replace('|', "\\|")
                ));
            }
        }
        Format::Text => {
            for d in &docs {
                let first = d
                    .what
                    .split(". ")
                    .next()
                    .unwrap_or(d.what)
                    .trim_end_matches('.');
                out.push_str(&format!(
                    "{}  {:<26} {:<8} {}\n",
                    d.code,
                    d.name,
                    name_of(d.severity),
                    first
                ));
            }
            out.push_str("\n`imgslim rule CODE` shows a rule's docs.\n");
        }
    }
    crate::output::emit(&out, None)?;
    Ok(0)
}

/// Show one rule.
pub fn run_one(args: &RuleArgs) -> Result<u8> {
    let Some(d) = rule(&args.code) else {
        bail!("no rule {:?}; `imgslim rules` lists them", args.code);
    };
    let out = match args.format {
        Format::Json => format!("{}\n", serde_json::to_string_pretty(&d)?),
        Format::Text | Format::Markdown => render_doc(&d),
    };
    crate::output::emit(&out, None)?;
    Ok(0)
}

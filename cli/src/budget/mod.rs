//! Size budgets for CI (`imgslim check`): where they come from ([`config`]), how values are
//! written ([`units`]), path globs for allowlists ([`glob`]), the verdicts ([`evaluate`]) and
//! their output formats ([`render`]).

pub mod config;
pub mod glob;
pub mod render;
pub mod units;

use imgslim_core::Report;
use imgslim_core::diff::{ImageDiff, LayerStatus};
use imgslim_core::report::findings::{Finding, Severity};
use imgslim_core::report::units::{bytes, command};
use serde::Serialize;

use config::{Allow, Budgets, WasteMeasure};
use units::Setting;

/// A budget's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Within the limit.
    Pass,
    /// Over the limit.
    Fail,
    /// Not checked: not set, disabled, or the figure is unavailable.
    Skip,
}

/// One budget's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// The `[budget]` key.
    pub budget: &'static str,
    /// Verdict.
    pub status: Status,
    /// The measured figure (bytes, a count, a ratio 0..1 or a percentage, as the key says);
    /// null when unavailable.
    pub measured: Option<f64>,
    /// The limit, in the same unit; null when not set.
    pub limit: Option<f64>,
    /// The measured figure for people.
    pub measured_text: String,
    /// The limit for people (`not set`, `disabled`).
    pub limit_text: String,
    /// Which waste figure (`dive` or `reclaimable`), for the waste budgets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measure: Option<&'static str>,
    /// One line: what was compared, what is over.
    pub detail: String,
}

/// Everything the renderers show.
pub struct Verdict<'a> {
    /// The checked image.
    pub report: &'a Report,
    /// The diff against the baseline, when one was given.
    pub diff: Option<&'a ImageDiff>,
    /// One outcome per budget key, in the documented order.
    pub outcomes: Vec<Outcome>,
}

impl Verdict<'_> {
    /// True when a budget failed.
    pub fn failed(&self) -> bool {
        self.outcomes.iter().any(|o| o.status == Status::Fail)
    }
}

fn pct(v: f64) -> String {
    if v.is_infinite() {
        "∞ %".into()
    } else {
        format!("{v:.2} %")
    }
}

/// Limits as numbers for comparison and JSON (bytes above 2^53 lose precision, 9 PB).
trait ToF64 {
    fn to_f64(self) -> f64;
}

impl ToF64 for u64 {
    fn to_f64(self) -> f64 {
        self as f64
    }
}

impl ToF64 for u32 {
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
}

impl ToF64 for f64 {
    fn to_f64(self) -> f64 {
        self
    }
}

struct Eval {
    budget: &'static str,
    measured: Option<f64>,
    measured_text: String,
    measure: Option<&'static str>,
}

impl Eval {
    fn new(budget: &'static str, measured: Option<f64>, measured_text: String) -> Eval {
        Eval {
            budget,
            measured,
            measured_text,
            measure: None,
        }
    }

    fn measure(mut self, m: WasteMeasure) -> Eval {
        self.measure = Some(m.name());
        self
    }

    /// Judge against `setting`: `fails(measured, limit)` says when it is over.
    fn judge<T: Copy + ToF64>(
        self,
        setting: &Setting<T>,
        limit_text: impl Fn(T) -> String,
        fails: impl Fn(f64, f64) -> bool,
        detail: impl Fn(bool) -> String,
    ) -> Outcome {
        let (status, limit, lt, detail) = match (setting, self.measured) {
            (Setting::Unset, _) => (Status::Skip, None, "not set".into(), "not set".into()),
            (Setting::Disabled, _) => (Status::Skip, None, "disabled".into(), "disabled".into()),
            (Setting::Value(v), None) => (
                Status::Skip,
                Some(v.to_f64()),
                limit_text(*v),
                detail(false),
            ),
            (Setting::Value(v), Some(m)) => {
                let failed = fails(m, v.to_f64());
                (
                    if failed { Status::Fail } else { Status::Pass },
                    Some(v.to_f64()),
                    limit_text(*v),
                    detail(failed),
                )
            }
        };
        Outcome {
            budget: self.budget,
            status,
            measured: self.measured,
            limit,
            measured_text: self.measured_text,
            limit_text: lt,
            measure: self.measure,
            detail,
        }
    }
}

/// A limit that carries its waste measure, split for [`Eval::judge`].
fn split<T: Copy>(
    s: &Setting<(T, WasteMeasure)>,
    default: WasteMeasure,
) -> (Setting<T>, WasteMeasure) {
    match s {
        Setting::Unset => (Setting::Unset, default),
        Setting::Disabled => (Setting::Disabled, default),
        Setting::Value((v, m)) => (Setting::Value(*v), *m),
    }
}

fn bytes_f(n: u64) -> f64 {
    n as f64
}

fn over(m: f64, l: f64) -> bool {
    // Written so that a NaN limit never fails, as in dive.
    m > l
}

fn under(m: f64, l: f64) -> bool {
    m < l
}

/// Judge every budget. `diff` is the diff from the baseline to `report`.
pub fn evaluate(report: &Report, diff: Option<&ImageDiff>, b: &Budgets) -> Vec<Outcome> {
    let s = &report.summary;
    let default_measure = b.waste_measure.unwrap_or_default();
    let size_text = |v: u64| bytes(v);
    let mut out = Vec::new();

    out.push(
        Eval::new("max_size", Some(bytes_f(s.size_bytes)), bytes(s.size_bytes)).judge(
            &b.max_size,
            size_text,
            over,
            |_| "total size (sum of the layers' tar header sizes, as dive and docker count)".into(),
        ),
    );

    let largest = report.layers.iter().max_by_key(|l| l.size_bytes);
    let limit = b.max_layer_size.value().copied();
    out.push(
        Eval::new(
            "max_layer_size",
            largest.map(|l| bytes_f(l.size_bytes)),
            largest.map_or_else(|| "no layers".into(), |l| bytes(l.size_bytes)),
        )
        .judge(&b.max_layer_size, size_text, over, |failed| {
            let Some(l) = largest else {
                return "no layers".into();
            };
            if failed {
                let over: Vec<String> = report
                    .layers
                    .iter()
                    .filter(|x| limit.is_some_and(|lim| x.size_bytes > lim))
                    .map(|x| {
                        format!(
                            "layer {} ({}) {}",
                            x.index,
                            bytes(x.size_bytes),
                            cmd(&x.command)
                        )
                    })
                    .collect();
                format!("over the limit: {}", over.join("; "))
            } else {
                format!("largest: layer {} {}", l.index, cmd(&l.command))
            }
        }),
    );

    out.push(
        Eval::new(
            "max_layers",
            Some(s.layer_count as f64),
            s.layer_count.to_string(),
        )
        .judge(
            &b.max_layers,
            |v| v.to_string(),
            over,
            |_| "number of layers".into(),
        ),
    );

    let (setting, m) = split(&b.min_efficiency, default_measure);
    let eff = match m {
        WasteMeasure::Dive => s.efficiency_score,
        WasteMeasure::Reclaimable => Some(if s.size_bytes == 0 {
            1.0
        } else {
            1.0 - s.reclaimable_bytes as f64 / s.size_bytes as f64
        }),
    };
    out.push(
        Eval::new(
            "min_efficiency",
            eff,
            eff.map_or_else(|| "n/a".into(), |e| pct(e * 100.0)),
        )
        .measure(m)
        .judge(
            &setting,
            |v| pct(v * 100.0),
            under,
            |_| match (m, eff) {
                (WasteMeasure::Dive, None) => {
                    "dive's figures are unavailable for this image (dive refuses it)".into()
                }
                (WasteMeasure::Dive, _) => "dive-compatible efficiency score".into(),
                _ => "1 − reclaimable bytes / total size".into(),
            },
        ),
    );

    let (setting, m) = split(&b.max_wasted, default_measure);
    let wasted = match m {
        WasteMeasure::Dive => s.inefficient_bytes,
        WasteMeasure::Reclaimable => Some(s.reclaimable_bytes),
    };
    out.push(
        Eval::new(
            "max_wasted",
            wasted.map(bytes_f),
            wasted.map_or_else(|| "n/a".into(), bytes),
        )
        .measure(m)
        .judge(&setting, size_text, over, |_| match m {
            WasteMeasure::Dive => "dive's wasted bytes (counts the surviving copy too)".into(),
            WasteMeasure::Reclaimable => format!(
                "bytes stored in layers but not in the final image ({} files)",
                s.reclaimable_files
            ),
        }),
    );

    let (setting, m) = split(&b.max_wasted_percent, default_measure);
    let wasted_pct = match m {
        WasteMeasure::Dive => s.user_wasted_ratio.map(|r| r * 100.0),
        WasteMeasure::Reclaimable => Some(if s.size_bytes == 0 {
            0.0
        } else {
            s.reclaimable_bytes as f64 * 100.0 / s.size_bytes as f64
        }),
    };
    out.push(
        Eval::new(
            "max_wasted_percent",
            wasted_pct,
            wasted_pct.map_or_else(|| "n/a".into(), pct),
        )
        .measure(m)
        .judge(&setting, pct, over, |_| match m {
            WasteMeasure::Dive => {
                "dive's user wasted percent: wasted bytes / size of all layers but the first".into()
            }
            WasteMeasure::Reclaimable => "reclaimable bytes / total size".into(),
        }),
    );

    out.push(
        Eval::new(
            "max_duplicate_bytes",
            Some(bytes_f(s.duplicate_bytes)),
            bytes(s.duplicate_bytes),
        )
        .judge(&b.max_duplicate_bytes, size_text, over, |_| {
            format!(
                "what keeping one copy of each identical file saves ({} groups)",
                s.duplicate_groups
            )
        }),
    );

    growth(&mut out, diff, b);
    out.push(deny(report, b));
    out
}

fn cmd(c: &Option<String>) -> String {
    c.as_deref().map_or_else(
        || "(no history)".into(),
        |c| {
            let c = command(c);
            if c.chars().count() > 80 {
                let mut t: String = c.chars().take(79).collect();
                t.push('…');
                t
            } else {
                c
            }
        },
    )
}

fn signed(change: i64) -> String {
    imgslim_core::diff::render::signed_bytes(change)
}

fn growth(out: &mut Vec<Outcome>, diff: Option<&ImageDiff>, b: &Budgets) {
    let no_baseline = |key: &'static str, setting_given: bool| Outcome {
        budget: key,
        status: Status::Skip,
        measured: None,
        limit: None,
        measured_text: "n/a".into(),
        limit_text: if setting_given {
            "set".into()
        } else {
            "not set".into()
        },
        measure: None,
        detail: "needs --baseline".into(),
    };
    let Some(d) = diff else {
        for (key, given) in [
            ("max_growth", !matches!(b.max_growth, Setting::Unset)),
            (
                "max_growth_percent",
                !matches!(b.max_growth_percent, Setting::Unset),
            ),
            (
                "max_layer_growth",
                !matches!(b.max_layer_growth, Setting::Unset),
            ),
            (
                "max_layer_growth_percent",
                !matches!(b.max_layer_growth_percent, Setting::Unset),
            ),
        ] {
            let mut o = no_baseline(key, given);
            // Keep the limit text exact for people reading the output.
            o.limit_text = match key {
                "max_growth" => limit_text_size(&b.max_growth),
                "max_growth_percent" => limit_text_pct(&b.max_growth_percent),
                "max_layer_growth" => limit_text_size(&b.max_layer_growth),
                _ => limit_text_pct(&b.max_layer_growth_percent),
            };
            out.push(o);
        }
        return;
    };
    let size = d.summary.size_bytes;
    let image_detail = format!(
        "{} → {} against the baseline {}",
        bytes(size.old),
        bytes(size.new),
        d.old.name
    );
    out.push(
        Eval::new("max_growth", Some(size.change as f64), signed(size.change)).judge(
            &b.max_growth,
            bytes,
            over,
            |_| image_detail.clone(),
        ),
    );
    let r = size.ratio() * 100.0;
    out.push(
        Eval::new("max_growth_percent", Some(r), format!("{:+.2} %", r)).judge(
            &b.max_growth_percent,
            pct,
            over,
            |_| image_detail.clone(),
        ),
    );

    // Per layer: the layer that grew most in bytes (a new layer grows by its whole size).
    let worst = d
        .layers
        .iter()
        .filter(|l| l.new.is_some())
        .max_by_key(|l| l.size_bytes.change);
    let describe = |l: &imgslim_core::diff::LayerDiff| {
        let what = match l.status {
            LayerStatus::Added => "new layer".to_string(),
            _ => format!("was layer {}", l.old.unwrap_or_default()),
        };
        format!(
            "layer {} ({what}, {} → {}) {}",
            l.new.unwrap_or_default(),
            bytes(l.size_bytes.old),
            bytes(l.size_bytes.new),
            cmd(&l.command)
        )
    };
    out.push(
        Eval::new(
            "max_layer_growth",
            worst.map(|l| l.size_bytes.change as f64),
            worst.map_or_else(|| "no layers".into(), |l| signed(l.size_bytes.change)),
        )
        .judge(&b.max_layer_growth, bytes, over, |_| {
            worst.map_or_else(|| "no layers".into(), |l| format!("most: {}", describe(l)))
        }),
    );
    // Per layer in percent: only layers the baseline has (matched by command with other
    // content); a new layer has no size to grow from, max_layer_growth covers it.
    let worst_pct = d
        .layers
        .iter()
        .filter(|l| l.status == LayerStatus::Changed)
        .max_by(|a, b| a.size_bytes.ratio().total_cmp(&b.size_bytes.ratio()));
    let all_same = worst_pct.is_none();
    let measured = worst_pct.map_or(0.0, |l| l.size_bytes.ratio() * 100.0);
    out.push(
        Eval::new(
            "max_layer_growth_percent",
            Some(measured),
            format!("{measured:+.2} %"),
        )
        .judge(&b.max_layer_growth_percent, pct, over, |_| {
            if all_same {
                "no layer of the baseline changed".into()
            } else {
                worst_pct.map_or_else(String::new, |l| format!("most: {}", describe(l)))
            }
        }),
    );
}

fn limit_text_size(s: &Setting<u64>) -> String {
    match s {
        Setting::Unset => "not set".into(),
        Setting::Disabled => "disabled".into(),
        Setting::Value(v) => bytes(*v),
    }
}

fn limit_text_pct(s: &Setting<f64>) -> String {
    match s {
        Setting::Unset => "not set".into(),
        Setting::Disabled => "disabled".into(),
        Setting::Value(v) => pct(*v),
    }
}

fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Info => "info",
        Severity::Low => "low",
        Severity::Medium => "medium",
        Severity::High => "high",
    }
}

fn severity_of(s: &str) -> Option<Severity> {
    match s.to_ascii_lowercase().as_str() {
        "info" => Some(Severity::Info),
        "low" => Some(Severity::Low),
        "medium" => Some(Severity::Medium),
        "high" => Some(Severity::High),
        _ => None,
    }
}

/// Whether a `deny_rules` entry covers a finding: `*` every rule, a severity name that
/// severity or higher, otherwise a rule code (case-insensitive) or rule name.
fn denies(entry: &str, f: &Finding) -> bool {
    let e = entry.trim();
    if e == "*" {
        return true;
    }
    if let Some(min) = severity_of(e) {
        return f.severity >= min;
    }
    e.eq_ignore_ascii_case(&f.rule) || e.eq_ignore_ascii_case(&f.name)
}

/// The paths of a finding no allow entry covers. A finding without paths is covered only by
/// an entry without paths (which allows the rule everywhere).
fn unallowed<'f>(f: &'f Finding, allow: &[Allow]) -> Vec<&'f str> {
    let mine: Vec<&Allow> = allow
        .iter()
        .filter(|a| a.rule == "*" || a.rule.eq_ignore_ascii_case(&f.rule))
        .collect();
    if mine.iter().any(|a| a.paths.is_empty()) {
        return Vec::new();
    }
    if f.paths.is_empty() {
        return vec![""];
    }
    f.paths
        .iter()
        .map(String::as_str)
        .filter(|p| !mine.iter().any(|a| a.paths.iter().any(|g| g.matches(p))))
        .collect()
}

fn deny(report: &Report, b: &Budgets) -> Outcome {
    let entries = match &b.deny_rules {
        Setting::Value(v) => v.clone(),
        _ => Vec::new(),
    };
    let denied: Vec<(&Finding, Vec<&str>)> = report
        .findings
        .iter()
        .filter(|f| entries.iter().any(|e| denies(e, f)))
        .map(|f| (f, unallowed(f, &b.allow)))
        .filter(|(_, rest)| !rest.is_empty())
        .collect();
    let n = denied.len();
    let setting: Setting<u32> = match &b.deny_rules {
        Setting::Unset => Setting::Unset,
        Setting::Disabled => Setting::Disabled,
        Setting::Value(v) if v.is_empty() => Setting::Unset,
        Setting::Value(_) => Setting::Value(0),
    };
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let measured_text = if entries.is_empty() {
        let all = report.findings.len();
        format!("{all} finding{}", plural(all))
    } else {
        format!("{n} denied finding{}", plural(n))
    };
    let mut o = Eval::new("deny_rules", Some(n as f64), measured_text).judge(
        &setting,
        |_| format!("none of: {}", entries.join(", ")),
        over,
        |_| {
            if denied.is_empty() {
                format!("{} findings, none denied", report.findings.len())
            } else {
                denied
                    .iter()
                    .take(5)
                    .map(|(f, rest)| {
                        let shown: Vec<&str> = rest
                            .iter()
                            .copied()
                            .filter(|p| !p.is_empty())
                            .take(3)
                            .collect();
                        let more = rest.len().saturating_sub(shown.len());
                        format!(
                            "{} {} ({}){}{}",
                            f.rule,
                            f.name,
                            severity_name(f.severity),
                            if shown.is_empty() {
                                String::new()
                            } else {
                                format!(": {}", shown.join(", "))
                            },
                            if more > 0 && !shown.is_empty() {
                                format!(" and {more} more")
                            } else {
                                String::new()
                            }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            }
        },
    );
    if matches!(o.status, Status::Skip) {
        o.limit = None;
    }
    o
}

#[cfg(test)]
mod tests;

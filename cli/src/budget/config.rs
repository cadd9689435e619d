//! Where budgets come from: dive's `.dive-ci` (lowest), `imgslim.toml`'s `[budget]` table, then
//! the command-line flags (highest). A value given at a higher level replaces a lower one;
//! `disabled` turns a budget off whatever a lower level said.

use super::glob::Glob;
use super::units::{BadValue, Setting, parse_count, parse_percent, parse_ratio, parse_size};

/// Which waste figure the waste budgets compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WasteMeasure {
    /// dive 0.13.1's figures: `efficiency_score`, `inefficient_bytes`, `user_wasted_ratio`.
    Dive,
    /// imgslim's reclaimable bytes (stored in a layer, visible nowhere in the final image).
    #[default]
    Reclaimable,
}

impl WasteMeasure {
    /// Parse `dive` or `reclaimable`.
    pub fn parse(s: &str) -> Result<WasteMeasure, BadValue> {
        match s.trim() {
            "dive" => Ok(WasteMeasure::Dive),
            "reclaimable" => Ok(WasteMeasure::Reclaimable),
            _ => Err(BadValue(format!(
                "`{s}` is not a waste measure (dive or reclaimable)"
            ))),
        }
    }

    /// Its name in the config.
    pub fn name(self) -> &'static str {
        match self {
            WasteMeasure::Dive => "dive",
            WasteMeasure::Reclaimable => "reclaimable",
        }
    }
}

/// One `[[budget.allow]]` entry: findings of `rule` whose paths all match `paths` are allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allow {
    /// Rule code (`*` for every rule).
    pub rule: String,
    /// Globs; an empty list allows the rule everywhere.
    pub paths: Vec<Glob>,
}

/// Every budget, merged from all sources.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Budgets {
    /// `max_size`: the image's total size (dive's: sum of the layers' tar header sizes).
    pub max_size: Setting<u64>,
    /// `max_layer_size`: the largest layer.
    pub max_layer_size: Setting<u64>,
    /// `max_layers`: the number of layers.
    pub max_layers: Setting<u64>,
    /// `min_efficiency`: a ratio 0..1, on the given measure.
    pub min_efficiency: Setting<(f64, WasteMeasure)>,
    /// `max_wasted`: bytes, on the given measure.
    pub max_wasted: Setting<(u64, WasteMeasure)>,
    /// `max_wasted_percent`: percent, on the given measure.
    pub max_wasted_percent: Setting<(f64, WasteMeasure)>,
    /// `max_duplicate_bytes`.
    pub max_duplicate_bytes: Setting<u64>,
    /// `max_growth`: bytes the image may grow against the baseline.
    pub max_growth: Setting<u64>,
    /// `max_growth_percent`: percent the image may grow against the baseline.
    pub max_growth_percent: Setting<f64>,
    /// `max_layer_growth`: bytes any one layer may grow (a new layer grows by its size).
    pub max_layer_growth: Setting<u64>,
    /// `max_layer_growth_percent`: percent any layer matched in the baseline may grow.
    pub max_layer_growth_percent: Setting<f64>,
    /// `deny_rules`: rule codes, severities (that severity or higher) or `*`.
    pub deny_rules: Setting<Vec<String>>,
    /// `[[budget.allow]]` entries (from every source, added up).
    pub allow: Vec<Allow>,
    /// `waste_measure` as given at this level, if it was.
    pub waste_measure: Option<WasteMeasure>,
}

impl Budgets {
    /// `self` (a higher level) over `lower`.
    pub fn over(self, lower: Budgets) -> Budgets {
        let mut allow = lower.allow;
        allow.extend(self.allow);
        Budgets {
            max_size: self.max_size.over(lower.max_size),
            max_layer_size: self.max_layer_size.over(lower.max_layer_size),
            max_layers: self.max_layers.over(lower.max_layers),
            min_efficiency: self.min_efficiency.over(lower.min_efficiency),
            max_wasted: self.max_wasted.over(lower.max_wasted),
            max_wasted_percent: self.max_wasted_percent.over(lower.max_wasted_percent),
            max_duplicate_bytes: self.max_duplicate_bytes.over(lower.max_duplicate_bytes),
            max_growth: self.max_growth.over(lower.max_growth),
            max_growth_percent: self.max_growth_percent.over(lower.max_growth_percent),
            max_layer_growth: self.max_layer_growth.over(lower.max_layer_growth),
            max_layer_growth_percent: self
                .max_layer_growth_percent
                .over(lower.max_layer_growth_percent),
            deny_rules: self.deny_rules.over(lower.deny_rules),
            allow,
            waste_measure: self.waste_measure.or(lower.waste_measure),
        }
    }

    /// Compare this level's waste budgets on `m` instead (`--waste-measure` over the file).
    pub fn remeasure(&mut self, m: WasteMeasure) {
        fn retag<T: Clone>(s: &mut Setting<(T, WasteMeasure)>, m: WasteMeasure) {
            if let Setting::Value((v, _)) = s {
                *s = Setting::Value((v.clone(), m));
            }
        }
        retag(&mut self.min_efficiency, m);
        retag(&mut self.max_wasted, m);
        retag(&mut self.max_wasted_percent, m);
        self.waste_measure = Some(m);
    }
}

/// Budget values as strings, one per key, as flags give them (`None` = flag not given).
#[derive(Debug, Clone, Default)]
pub struct RawBudgets {
    /// `max_size`.
    pub max_size: Option<String>,
    /// `max_layer_size`.
    pub max_layer_size: Option<String>,
    /// `max_layers`.
    pub max_layers: Option<String>,
    /// `min_efficiency`.
    pub min_efficiency: Option<String>,
    /// `max_wasted`.
    pub max_wasted: Option<String>,
    /// `max_wasted_percent`.
    pub max_wasted_percent: Option<String>,
    /// `waste_measure`.
    pub waste_measure: Option<String>,
    /// `max_duplicate_bytes`.
    pub max_duplicate_bytes: Option<String>,
    /// `max_growth`.
    pub max_growth: Option<String>,
    /// `max_growth_percent`.
    pub max_growth_percent: Option<String>,
    /// `max_layer_growth`.
    pub max_layer_growth: Option<String>,
    /// `max_layer_growth_percent`.
    pub max_layer_growth_percent: Option<String>,
    /// `deny_rules`, already split.
    pub deny_rules: Option<Vec<String>>,
}

fn opt<T>(
    key: &str,
    v: &Option<String>,
    parse: impl Fn(&str) -> Result<Setting<T>, BadValue>,
) -> Result<Setting<T>, String> {
    match v {
        None => Ok(Setting::Unset),
        Some(s) => parse(s).map_err(|e| format!("{key}: {e}")),
    }
}

fn with<T>(s: Setting<T>, m: WasteMeasure) -> Setting<(T, WasteMeasure)> {
    match s {
        Setting::Unset => Setting::Unset,
        Setting::Disabled => Setting::Disabled,
        Setting::Value(v) => Setting::Value((v, m)),
    }
}

impl RawBudgets {
    /// Parse every value; `default_measure` applies when `waste_measure` is not given here.
    pub fn parse(&self, default_measure: WasteMeasure) -> Result<Budgets, String> {
        let given = match &self.waste_measure {
            Some(m) => Some(WasteMeasure::parse(m).map_err(|e| format!("waste_measure: {e}"))?),
            None => None,
        };
        let measure = given.unwrap_or(default_measure);
        Ok(Budgets {
            max_size: opt("max_size", &self.max_size, parse_size)?,
            max_layer_size: opt("max_layer_size", &self.max_layer_size, parse_size)?,
            max_layers: opt("max_layers", &self.max_layers, parse_count)?,
            min_efficiency: with(
                opt("min_efficiency", &self.min_efficiency, parse_ratio)?,
                measure,
            ),
            max_wasted: with(opt("max_wasted", &self.max_wasted, parse_size)?, measure),
            max_wasted_percent: with(
                opt(
                    "max_wasted_percent",
                    &self.max_wasted_percent,
                    parse_percent,
                )?,
                measure,
            ),
            max_duplicate_bytes: opt("max_duplicate_bytes", &self.max_duplicate_bytes, parse_size)?,
            max_growth: opt("max_growth", &self.max_growth, parse_size)?,
            max_growth_percent: opt(
                "max_growth_percent",
                &self.max_growth_percent,
                parse_percent,
            )?,
            max_layer_growth: opt("max_layer_growth", &self.max_layer_growth, parse_size)?,
            max_layer_growth_percent: opt(
                "max_layer_growth_percent",
                &self.max_layer_growth_percent,
                parse_percent,
            )?,
            deny_rules: match &self.deny_rules {
                None => Setting::Unset,
                Some(v) if v.len() == 1 && v[0] == "disabled" => Setting::Disabled,
                Some(v) => Setting::Value(v.clone()),
            },
            allow: Vec::new(),
            waste_measure: given,
        })
    }
}

/// The keys of `[budget]`, in the order the output lists them.
pub const KEYS: [&str; 13] = [
    "max_size",
    "max_layer_size",
    "max_layers",
    "min_efficiency",
    "max_wasted",
    "max_wasted_percent",
    "max_duplicate_bytes",
    "max_growth",
    "max_growth_percent",
    "max_layer_growth",
    "max_layer_growth_percent",
    "deny_rules",
    "waste_measure",
];

/// A TOML value as the string the parsers take: integers and floats as written, strings as is.
fn scalar(key: &str, v: &toml::Value) -> Result<String, String> {
    match v {
        toml::Value::String(s) => Ok(s.clone()),
        toml::Value::Integer(i) => Ok(i.to_string()),
        toml::Value::Float(f) => Ok(f.to_string()),
        other => Err(format!(
            "budget.{key}: expected a number or a string, found {}",
            other.type_str()
        )),
    }
}

fn strings(key: &str, v: &toml::Value) -> Result<Vec<String>, String> {
    match v {
        toml::Value::String(s) => Ok(vec![s.clone()]),
        toml::Value::Array(a) => a
            .iter()
            .map(|x| match x {
                toml::Value::String(s) => Ok(s.clone()),
                other => Err(format!(
                    "{key}: expected strings, found {}",
                    other.type_str()
                )),
            })
            .collect(),
        other => Err(format!(
            "{key}: expected a list of strings, found {}",
            other.type_str()
        )),
    }
}

/// Parse `imgslim.toml`. Only the `[budget]` table is read here (other tables belong to other
/// commands); an unknown key inside it is an error, so a typo never silently drops a budget.
pub fn parse_toml(text: &str) -> Result<Budgets, String> {
    let doc: toml::Table = text.parse().map_err(|e: toml::de::Error| e.to_string())?;
    let Some(budget) = doc.get("budget") else {
        return Ok(Budgets::default());
    };
    let toml::Value::Table(budget) = budget else {
        return Err("budget: expected a table ([budget])".into());
    };
    let mut raw = RawBudgets::default();
    let mut allow = Vec::new();
    for (key, v) in budget {
        let slot = match key.as_str() {
            "max_size" => &mut raw.max_size,
            "max_layer_size" => &mut raw.max_layer_size,
            "max_layers" => &mut raw.max_layers,
            "min_efficiency" => &mut raw.min_efficiency,
            "max_wasted" => &mut raw.max_wasted,
            "max_wasted_percent" => &mut raw.max_wasted_percent,
            "waste_measure" => &mut raw.waste_measure,
            "max_duplicate_bytes" => &mut raw.max_duplicate_bytes,
            "max_growth" => &mut raw.max_growth,
            "max_growth_percent" => &mut raw.max_growth_percent,
            "max_layer_growth" => &mut raw.max_layer_growth,
            "max_layer_growth_percent" => &mut raw.max_layer_growth_percent,
            "deny_rules" => {
                raw.deny_rules = Some(strings("budget.deny_rules", v)?);
                continue;
            }
            "allow" => {
                allow = parse_allow(v)?;
                continue;
            }
            other => {
                return Err(format!(
                    "budget.{other}: unknown key (known: {}, allow)",
                    KEYS.join(", ")
                ));
            }
        };
        *slot = Some(scalar(key, v)?);
    }
    let mut budgets = raw
        .parse(WasteMeasure::default())
        .map_err(|e| format!("budget.{e}"))?;
    budgets.allow = allow;
    Ok(budgets)
}

fn parse_allow(v: &toml::Value) -> Result<Vec<Allow>, String> {
    let toml::Value::Array(entries) = v else {
        return Err("budget.allow: expected [[budget.allow]] entries".into());
    };
    entries
        .iter()
        .map(|e| {
            let toml::Value::Table(t) = e else {
                return Err("budget.allow: each entry is a table with rule and paths".into());
            };
            if let Some(k) = t.keys().find(|k| *k != "rule" && *k != "paths") {
                return Err(format!("budget.allow.{k}: unknown key (rule, paths)"));
            }
            let rule = match t.get("rule") {
                Some(toml::Value::String(s)) => s.clone(),
                _ => return Err("budget.allow: every entry needs `rule = \"CODE\"`".into()),
            };
            let paths = match t.get("paths") {
                Some(p) => strings("budget.allow.paths", p)?
                    .iter()
                    .map(|g| Glob::new(g).map_err(|e| format!("budget.allow.paths: {e}")))
                    .collect::<Result<_, _>>()?,
                None => Vec::new(),
            };
            Ok(Allow { rule, paths })
        })
        .collect()
}

/// Parse dive's `.dive-ci` (YAML, `rules:` section) into budgets on dive's measure. Keys the
/// file does not set take dive's defaults (`lowestEfficiency` 0.9, `highestWastedBytes`
/// disabled, `highestUserWastedPercent` 0.1), because that is what dive would check.
///
/// Only the block form dive's docs use is read (`key: value` lines indented under `rules:`);
/// comments and quotes are fine, other YAML is an error.
pub fn parse_dive_ci(text: &str) -> Result<Budgets, String> {
    let mut lowest_efficiency = "0.9".to_string();
    let mut highest_wasted_bytes = "disabled".to_string();
    let mut highest_user_wasted_percent = "0.1".to_string();
    let mut in_rules = false;
    for (n, line) in text.lines().enumerate() {
        let line = strip_comment(line);
        if line.trim().is_empty() {
            continue;
        }
        let indented = line.starts_with([' ', '\t']);
        let Some((key, value)) = line.trim().split_once(':') else {
            return Err(format!(
                "line {}: expected `key: value` (only dive's simple form is read)",
                n + 1
            ));
        };
        let (key, value) = (key.trim(), unquote(value.trim()));
        if !indented {
            in_rules = key == "rules";
            if in_rules && !value.is_empty() {
                return Err(format!(
                    "line {}: write the rules one per line under `rules:`",
                    n + 1
                ));
            }
            continue;
        }
        if !in_rules {
            continue;
        }
        match key {
            "lowestEfficiency" => lowest_efficiency = value,
            "highestWastedBytes" => highest_wasted_bytes = value,
            "highestUserWastedPercent" => highest_user_wasted_percent = value,
            // dive ignores keys it does not know.
            _ => {}
        }
    }
    // dive: any invalid value makes the whole configuration MISCONFIGURED.
    let efficiency =
        parse_ratio(&lowest_efficiency).map_err(|e| format!("rules.lowestEfficiency: {e}"))?;
    let wasted =
        parse_size(&highest_wasted_bytes).map_err(|e| format!("rules.highestWastedBytes: {e}"))?;
    let user_percent = parse_ratio(&highest_user_wasted_percent)
        .map_err(|e| format!("rules.highestUserWastedPercent: {e}"))?;
    Ok(Budgets {
        min_efficiency: with(efficiency, WasteMeasure::Dive),
        max_wasted: with(wasted, WasteMeasure::Dive),
        max_wasted_percent: with(
            match user_percent {
                Setting::Value(r) => Setting::Value(r * 100.0),
                other => other,
            },
            WasteMeasure::Dive,
        ),
        ..Budgets::default()
    })
}

fn strip_comment(line: &str) -> &str {
    // YAML comments start at `#` at the line start or after whitespace.
    let b = line.as_bytes();
    for i in 0..b.len() {
        if b[i] == b'#' && (i == 0 || b[i - 1] == b' ' || b[i - 1] == b'\t') {
            return &line[..i];
        }
    }
    line
}

fn unquote(s: &str) -> String {
    let t = s.trim();
    for q in ['"', '\''] {
        if t.len() >= 2 && t.starts_with(q) && t.ends_with(q) {
            return t[1..t.len() - 1].to_string();
        }
    }
    t.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_budget_table() {
        let b = parse_toml(
            r#"
[budget]
max_size = "450MB"
max_layer_size = "1.2GiB"
max_layers = 12
min_efficiency = 0.95
max_wasted = "10MB"
max_wasted_percent = 5
waste_measure = "dive"
max_duplicate_bytes = 1048576
max_growth = "20MiB"
max_growth_percent = 10
max_layer_growth = "disabled"
deny_rules = ["IS001", "high"]

[[budget.allow]]
rule = "IS001"
paths = ["/usr/lib/gcc/**", "usr/bin/gcc*"]
"#,
        )
        .unwrap();
        assert_eq!(b.max_size, Setting::Value(450_000_000));
        assert_eq!(b.max_layer_size, Setting::Value(1_288_490_188));
        assert_eq!(b.max_layers, Setting::Value(12));
        assert_eq!(b.min_efficiency, Setting::Value((0.95, WasteMeasure::Dive)));
        assert_eq!(
            b.max_wasted,
            Setting::Value((10_000_000, WasteMeasure::Dive))
        );
        assert_eq!(
            b.max_wasted_percent,
            Setting::Value((5.0, WasteMeasure::Dive))
        );
        assert_eq!(b.max_duplicate_bytes, Setting::Value(1_048_576));
        assert_eq!(b.max_growth, Setting::Value(20 * 1024 * 1024));
        assert_eq!(b.max_growth_percent, Setting::Value(10.0));
        assert_eq!(b.max_layer_growth, Setting::Disabled);
        assert_eq!(b.max_layer_growth_percent, Setting::Unset);
        assert_eq!(
            b.deny_rules,
            Setting::Value(vec!["IS001".into(), "high".into()])
        );
        assert_eq!(b.allow.len(), 1);
        assert!(b.allow[0].paths[1].matches("/usr/bin/gcc-12"));
    }

    #[test]
    fn toml_errors_name_the_key() {
        let e = parse_toml("[budget]\nmax_sise = \"1MB\"\n").unwrap_err();
        assert!(e.contains("budget.max_sise: unknown key"), "{e}");
        let e = parse_toml("[budget]\nmax_size = \"1 parsec\"\n").unwrap_err();
        assert!(e.contains("budget.max_size"), "{e}");
        let e = parse_toml("[budget]\nmin_efficiency = 95\n").unwrap_err();
        assert!(e.contains("min_efficiency"), "{e}");
        let e = parse_toml("[budget]\nwaste_measure = \"honest\"\n").unwrap_err();
        assert!(e.contains("waste_measure"), "{e}");
        let e = parse_toml("[[budget.allow]]\npaths = [\"/x\"]\n").unwrap_err();
        assert!(e.contains("rule"), "{e}");
        assert!(parse_toml("[budget\n").is_err());
        // Other tables belong to other commands.
        assert_eq!(parse_toml("[rules]\nx = 1\n").unwrap(), Budgets::default());
    }

    #[test]
    fn measure_defaults_to_reclaimable() {
        let b = parse_toml("[budget]\nmax_wasted = \"1MB\"\n").unwrap();
        assert_eq!(
            b.max_wasted,
            Setting::Value((1_000_000, WasteMeasure::Reclaimable))
        );
    }

    #[test]
    fn dive_ci_with_dive_defaults() {
        let b = parse_dive_ci(
            "# dive CI rules\nrules:\n  # If the efficiency is measured below X%, mark as failed.\n  lowestEfficiency: 0.95\n  highestWastedBytes: 20MB # absolute\n  highestUserWastedPercent: \"disabled\"\n",
        )
        .unwrap();
        assert_eq!(b.min_efficiency, Setting::Value((0.95, WasteMeasure::Dive)));
        assert_eq!(
            b.max_wasted,
            Setting::Value((20_000_000, WasteMeasure::Dive))
        );
        assert_eq!(b.max_wasted_percent, Setting::Disabled);

        let b = parse_dive_ci("rules:\n  lowestEfficiency: 0.5\n").unwrap();
        assert_eq!(b.max_wasted, Setting::Disabled);
        assert_eq!(
            b.max_wasted_percent,
            Setting::Value((10.0, WasteMeasure::Dive))
        );
        let b = parse_dive_ci("").unwrap();
        assert_eq!(b.min_efficiency, Setting::Value((0.9, WasteMeasure::Dive)));
    }

    #[test]
    fn dive_ci_misconfigured() {
        for bad in [
            "rules:\n  lowestEfficiency: 1.5\n",
            "rules:\n  highestWastedBytes: lots\n",
            "rules:\n  highestUserWastedPercent: -0.1\n",
            "rules: {lowestEfficiency: 0.9}\n",
        ] {
            assert!(parse_dive_ci(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn flag_measure_remeasures_the_file() {
        let mut file = parse_toml("[budget]\nmax_wasted = \"1MB\"\n").unwrap();
        file.remeasure(WasteMeasure::Dive);
        assert_eq!(
            file.max_wasted,
            Setting::Value((1_000_000, WasteMeasure::Dive))
        );
    }

    #[test]
    fn levels_merge() {
        let dive = parse_dive_ci("rules:\n  lowestEfficiency: 0.95\n").unwrap();
        let file =
            parse_toml("[budget]\nmin_efficiency = \"disabled\"\nmax_size = \"1GB\"\n").unwrap();
        let flags = RawBudgets {
            max_size: Some("2GB".into()),
            ..RawBudgets::default()
        }
        .parse(WasteMeasure::Reclaimable)
        .unwrap();
        let b = flags.over(file.over(dive));
        assert_eq!(b.min_efficiency, Setting::Disabled);
        assert_eq!(b.max_size, Setting::Value(2_000_000_000));
        assert_eq!(
            b.max_wasted_percent,
            Setting::Value((10.0, WasteMeasure::Dive))
        );
    }
}

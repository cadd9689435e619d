//! Budget values as people write them: sizes with SI or IEC units (`450MB`, `1.2GiB`, dive's
//! `10MB`), percentages, ratios, and the word `disabled`.

use std::fmt;

/// A budget value: not given, explicitly turned off, or a limit.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Setting<T> {
    /// Not given at this level; a lower level (or nothing) decides.
    #[default]
    Unset,
    /// `disabled`: off, whatever a lower level said.
    Disabled,
    /// A limit.
    Value(T),
}

impl<T> Setting<T> {
    /// This setting over `lower`: anything given here wins.
    pub fn over(self, lower: Setting<T>) -> Setting<T> {
        match self {
            Setting::Unset => lower,
            given => given,
        }
    }

    /// The limit, if there is one.
    pub fn value(&self) -> Option<&T> {
        match self {
            Setting::Value(v) => Some(v),
            _ => None,
        }
    }
}

/// An invalid value, with what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadValue(pub String);

impl fmt::Display for BadValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadValue {}

fn is_disabled(s: &str) -> bool {
    s.trim() == "disabled"
}

/// Parse a byte size exactly as dive's `humanize.ParseBytes` (go-humanize 1.0.1) does: a number
/// (digits, `.`, and `,` which is dropped), then an optional unit, case-insensitive, spaces
/// allowed between: `b`, SI `k kb m mb g gb t tb p pb e eb` (powers of 1000), IEC
/// `ki kib mi mib gi gib ti tib pi pib ei eib` (powers of 1024). `450MB` is 450 000 000,
/// `1.2GiB` is 1 288 490 188 (truncated), `disabled` turns the budget off.
pub fn parse_size(s: &str) -> Result<Setting<u64>, BadValue> {
    if is_disabled(s) {
        return Ok(Setting::Disabled);
    }
    let bad = |why: &str| {
        BadValue(format!(
            "`{s}` is not a size ({why}; e.g. 450MB, 1.2GiB, 10MB, 512000, disabled)"
        ))
    };
    let end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(s.len());
    let number: String = s[..end].chars().filter(|&c| c != ',').collect();
    if number.is_empty() {
        return Err(bad("it must start with a number"));
    }
    let n: f64 = number.parse().map_err(|_| bad("bad number"))?;
    let unit = s[end..].trim().to_ascii_lowercase();
    let mult: f64 = match unit.as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "t" | "tb" => 1e12,
        "p" | "pb" => 1e15,
        "e" | "eb" => 1e18,
        "ki" | "kib" => 1024f64,
        "mi" | "mib" => 1024f64.powi(2),
        "gi" | "gib" => 1024f64.powi(3),
        "ti" | "tib" => 1024f64.powi(4),
        "pi" | "pib" => 1024f64.powi(5),
        "ei" | "eib" => 1024f64.powi(6),
        _ => return Err(bad("unknown unit")),
    };
    let bytes = n * mult;
    if bytes >= 18_446_744_073_709_551_616.0 {
        return Err(bad("too large"));
    }
    // Truncated like Go's `uint64(f * unit)`.
    Ok(Setting::Value(bytes as u64))
}

/// A float as Go's `strconv.ParseFloat` reads it (accepting `NaN` and `Inf`).
fn parse_float(s: &str) -> Option<f64> {
    let t = s.trim();
    match t.to_ascii_lowercase().as_str() {
        "nan" => Some(f64::NAN),
        "inf" | "+inf" | "infinity" | "+infinity" => Some(f64::INFINITY),
        "-inf" | "-infinity" => Some(f64::NEG_INFINITY),
        _ => t.parse().ok(),
    }
}

/// A percentage: `5`, `5%`, `2.5 %` (meaning 5 % and 2.5 %), or `disabled`. Must be ≥ 0.
pub fn parse_percent(s: &str) -> Result<Setting<f64>, BadValue> {
    if is_disabled(s) {
        return Ok(Setting::Disabled);
    }
    let t = s.trim().trim_end_matches('%');
    match parse_float(t) {
        Some(v) if v.is_nan() || v >= 0.0 => Ok(Setting::Value(v)),
        _ => Err(BadValue(format!(
            "`{s}` is not a percentage (e.g. 10, 10%, 2.5%, disabled)"
        ))),
    }
}

/// A ratio in [0, 1] (`0.9`) or a percentage string (`90%`), or `disabled`. NaN is accepted
/// as dive accepts it (it then never fails).
pub fn parse_ratio(s: &str) -> Result<Setting<f64>, BadValue> {
    if is_disabled(s) {
        return Ok(Setting::Disabled);
    }
    let bad = || {
        BadValue(format!(
            "`{s}` is not a ratio in 0..1 (e.g. 0.9, 90%, disabled)"
        ))
    };
    let t = s.trim();
    let v = match t.strip_suffix('%') {
        Some(p) => parse_float(p).ok_or_else(bad)? / 100.0,
        None => parse_float(t).ok_or_else(bad)?,
    };
    // `NaN < 0 || NaN > 1` is false in Go too: dive lets NaN through.
    if !v.is_nan() && !(0.0..=1.0).contains(&v) {
        return Err(bad());
    }
    Ok(Setting::Value(v))
}

/// A count (`12`) or `disabled`.
pub fn parse_count(s: &str) -> Result<Setting<u64>, BadValue> {
    if is_disabled(s) {
        return Ok(Setting::Disabled);
    }
    s.trim()
        .parse()
        .map(Setting::Value)
        .map_err(|_| BadValue(format!("`{s}` is not a whole number (or disabled)")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn size(s: &str) -> u64 {
        match parse_size(s) {
            Ok(Setting::Value(v)) => v,
            other => panic!("{s}: {other:?}"),
        }
    }

    #[test]
    fn sizes_si_and_iec() {
        assert_eq!(size("450MB"), 450_000_000);
        assert_eq!(size("450 MB"), 450_000_000);
        assert_eq!(size("1.2GiB"), 1_288_490_188);
        assert_eq!(size("1.2gib"), 1_288_490_188);
        assert_eq!(size("10MB"), 10_000_000);
        assert_eq!(size("20MiB"), 20_971_520);
        assert_eq!(size("1.5k"), 1500);
        assert_eq!(size("1,000"), 1000);
        assert_eq!(size("512000"), 512_000);
        assert_eq!(size("0"), 0);
        assert_eq!(size("2 kib"), 2048);
        assert_eq!(size("1EB"), 1_000_000_000_000_000_000);
    }

    #[test]
    fn sizes_refuse_what_dive_refuses() {
        for bad in [
            "", "MB", " 10MB", "-1MB", "+1MB", "10 XB", "10MBs", "1.2.3MB", "20EiB",
        ] {
            assert!(parse_size(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn disabled_is_a_value() {
        assert_eq!(parse_size("disabled"), Ok(Setting::Disabled));
        assert_eq!(parse_ratio("disabled"), Ok(Setting::Disabled));
        assert_eq!(parse_percent("disabled"), Ok(Setting::Disabled));
        assert_eq!(parse_count("disabled"), Ok(Setting::Disabled));
        assert!(parse_size("Disabled").is_err());
    }

    #[test]
    fn ratios_and_percents() {
        assert_eq!(parse_ratio("0.9"), Ok(Setting::Value(0.9)));
        assert_eq!(parse_ratio("90%"), Ok(Setting::Value(0.9)));
        assert!(parse_ratio("95").is_err());
        assert!(parse_ratio("-0.1").is_err());
        assert!(matches!(parse_ratio("NaN"), Ok(Setting::Value(v)) if v.is_nan()));
        assert_eq!(parse_percent("10"), Ok(Setting::Value(10.0)));
        assert_eq!(parse_percent("2.5 %"), Ok(Setting::Value(2.5)));
        assert!(parse_percent("-3").is_err());
        assert!(parse_percent("lots").is_err());
        assert_eq!(parse_count("12"), Ok(Setting::Value(12)));
        assert!(parse_count("1.5").is_err());
    }

    #[test]
    fn later_settings_win() {
        let file = Setting::Value(1u64);
        assert_eq!(Setting::Unset.over(file.clone()), Setting::Value(1));
        assert_eq!(Setting::Disabled.over(file.clone()), Setting::Disabled);
        assert_eq!(Setting::Value(2).over(file), Setting::Value(2));
    }
}

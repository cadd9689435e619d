//! Human-readable sizes and commands for the renderers.

/// The name an enum value has in the JSON report (`gzip`, `multi-stage`, `high`).
pub fn name_of<T: serde::Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Bytes in SI units as dive and `docker images` print them (`667.7 MB`).
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 6] = ["B", "kB", "MB", "GB", "TB", "PB"];
    if n < 1000 {
        return format!("{n} B");
    }
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1000.0 && unit < UNITS.len() - 1 {
        v /= 1000.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
}

/// The first `show` paths of a list of `total`, with how many more there are.
pub fn some_paths(paths: &[String], total: u64, show: usize) -> String {
    let shown = &paths[..paths.len().min(show)];
    let more = total.saturating_sub(shown.len() as u64);
    let mut out = shown.join(", ");
    if more > 0 {
        out.push_str(&format!(" and {more} more"));
    }
    out
}

/// A ratio as a percentage with one decimal (`99.7 %`).
pub fn percent(ratio: f64) -> String {
    format!("{:.1} %", ratio * 100.0)
}

/// A history `created_by` as a Dockerfile-like line: `/bin/sh -c #(nop) ENV A=b` → `ENV A=b`,
/// `/bin/sh -c apt-get …` → `RUN apt-get …`, buildah's `|2 A=b /bin/sh -c …` → `RUN …`.
pub fn command(created_by: &str) -> String {
    // BuildKit writes `RUN /bin/sh -c cmd # buildkit`; the marker says nothing about the layer.
    let s = created_by.trim();
    let s = s.strip_suffix("# buildkit").map_or(s, str::trim_end);
    let s = s.strip_prefix("RUN ").unwrap_or(s);
    let s = match s.strip_prefix('|') {
        // Build args: `|N K=V … /bin/sh -c cmd`.
        Some(rest) => rest.find("/bin/sh -c").map_or(s, |i| &rest[i..]),
        None => s,
    };
    if let Some(rest) = s.strip_prefix("/bin/sh -c #(nop)") {
        return rest.trim().to_string();
    }
    if let Some(rest) = s.strip_prefix("/bin/sh -c ") {
        return format!("RUN {}", rest.trim());
    }
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_in_si_units() {
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(999), "999 B");
        assert_eq!(bytes(1000), "1.0 kB");
        assert_eq!(bytes(667_674_970), "667.7 MB");
    }

    #[test]
    fn commands_read_like_a_dockerfile() {
        assert_eq!(command("/bin/sh -c #(nop)  ENV PATH=/x"), "ENV PATH=/x");
        assert_eq!(command("/bin/sh -c apt-get update"), "RUN apt-get update");
        assert_eq!(command("|1 V=2 /bin/sh -c make"), "RUN make");
        assert_eq!(command("COPY file:abc in /"), "COPY file:abc in /");
        assert_eq!(command("RUN /bin/sh -c make # buildkit"), "RUN make");
        assert_eq!(
            command("COPY hello.c /src/ # buildkit"),
            "COPY hello.c /src/"
        );
    }
}

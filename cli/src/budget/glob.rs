//! Path globs for `[[budget.allow]]`: `*` and `?` within one path segment, `**` across any
//! number of segments, `[abc]` / `[a-z]` / `[!a]` classes. Patterns are anchored at the image
//! root (a leading `/` is optional), and a pattern also matches everything below what it
//! names, so `usr/lib/gcc` allows `/usr/lib/gcc/x86_64-linux-gnu/12/cc1`.

/// A compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    segments: Vec<String>,
}

impl Glob {
    /// Compile a pattern; an unclosed `[` is an error.
    pub fn new(pattern: &str) -> Result<Glob, String> {
        let segments: Vec<String> = pattern
            .split('/')
            .filter(|s| !s.is_empty() && *s != ".")
            .map(str::to_string)
            .collect();
        for s in &segments {
            let mut open = false;
            for c in s.chars() {
                match c {
                    '[' if !open => open = true,
                    ']' if open => open = false,
                    _ => {}
                }
            }
            if open {
                return Err(format!("`{pattern}`: unclosed `[` in a path glob"));
            }
        }
        Ok(Glob { segments })
    }

    /// Whether `path` (absolute or relative to the root) is the named path or below it.
    pub fn matches(&self, path: &str) -> bool {
        let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let pats: Vec<&str> = self.segments.iter().map(String::as_str).collect();
        match_segments(&pats, &parts, true)
    }
}

/// Match pattern segments against path segments; with `prefix`, extra path segments after a
/// complete match are fine (the pattern names a directory above the path).
fn match_segments(pats: &[&str], parts: &[&str], prefix: bool) -> bool {
    match pats.split_first() {
        None => parts.is_empty() || prefix,
        Some((&"**", rest)) => (0..=parts.len()).any(|i| match_segments(rest, &parts[i..], prefix)),
        Some((p, rest)) => match parts.split_first() {
            Some((s, more)) => {
                match_segment(p.as_bytes(), s.as_bytes()) && match_segments(rest, more, prefix)
            }
            None => false,
        },
    }
}

/// `*`, `?` and `[...]` within one segment.
fn match_segment(p: &[u8], s: &[u8]) -> bool {
    match p.split_first() {
        None => s.is_empty(),
        Some((b'*', rest)) => (0..=s.len()).any(|i| match_segment(rest, &s[i..])),
        Some((b'?', rest)) => !s.is_empty() && match_segment(rest, &s[1..]),
        Some((b'[', rest)) => {
            let Some(close) = rest.iter().skip(1).position(|&b| b == b']').map(|i| i + 1) else {
                return false;
            };
            let Some((&c, s_rest)) = s.split_first() else {
                return false;
            };
            let (negate, class) = match rest[..close].split_first() {
                Some((b'!' | b'^', cls)) => (true, cls),
                _ => (false, &rest[..close]),
            };
            let mut hit = false;
            let mut i = 0;
            while i < class.len() {
                if i + 2 < class.len() && class[i + 1] == b'-' {
                    hit |= class[i] <= c && c <= class[i + 2];
                    i += 3;
                } else {
                    hit |= class[i] == c;
                    i += 1;
                }
            }
            hit != negate && match_segment(&rest[close + 1..], s_rest)
        }
        Some((&b, rest)) => s.first() == Some(&b) && match_segment(rest, &s[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, path: &str) -> bool {
        Glob::new(p).unwrap().matches(path)
    }

    #[test]
    fn literal_paths_match_themselves_and_below() {
        assert!(m("/usr/lib/gcc", "/usr/lib/gcc"));
        assert!(m("usr/lib/gcc", "/usr/lib/gcc/x86_64-linux-gnu/12/cc1"));
        assert!(!m("/usr/lib/gcc", "/usr/lib/gcc-cross/cc1"));
        assert!(!m("/usr/lib/gcc", "/usr/lib"));
    }

    #[test]
    fn stars_stay_in_a_segment_double_stars_cross() {
        assert!(m("/usr/bin/*gcc*", "/usr/bin/x86_64-linux-gnu-gcc-12"));
        assert!(!m("/usr/*/cc1", "/usr/lib/gcc/cc1"));
        assert!(m("/usr/**/cc1", "/usr/lib/gcc/x86_64-linux-gnu/12/cc1"));
        assert!(m("**/*.pyc", "/app/a/b/c.pyc"));
        assert!(m("/root/.npm/**", "/root/.npm/_cacache/index"));
        assert!(m(
            "/var/lib/apt/lists/*",
            "/var/lib/apt/lists/deb.debian.org_Packages"
        ));
        assert!(m("/etc/ssl/?ey.pem", "/etc/ssl/key.pem"));
        assert!(!m("/etc/ssl/?ey.pem", "/etc/ssl/ey.pem"));
    }

    #[test]
    fn classes() {
        assert!(m("/lib/libc.so.[0-9]", "/lib/libc.so.6"));
        assert!(!m("/lib/libc.so.[!6]", "/lib/libc.so.6"));
        assert!(m("/a/[xy]", "/a/y"));
        assert!(Glob::new("/a/[xy").is_err());
    }
}

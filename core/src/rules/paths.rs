//! Path matching helpers shared by the rule families.

/// The last component.
pub(crate) fn base(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The first `n` components of an absolute path: `first_components("/a/b/c/d", 2)` is `/a/b`.
pub(crate) fn first_components(path: &str, n: usize) -> String {
    path.split('/').take(n + 1).collect::<Vec<_>>().join("/")
}

/// `path` itself when it is `dir` or below it.
pub(crate) fn under(path: &str, dir: &str) -> bool {
    path.strip_prefix(dir)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// `dir` (as the group root) when `path` is below it.
pub(crate) fn under_any(path: &str, dirs: &[&str]) -> Option<String> {
    dirs.iter()
        .find(|d| under(path, d))
        .map(|d| (*d).to_string())
}

/// The prefix of `path` up to and including the first run of components equal to `seq`
/// (`["", ".cache", "pip"]` style without the empty), e.g. `/root/.cache/pip` for
/// `/root/.cache/pip/http/x`. Only directories match: the path must continue below.
pub(crate) fn dir_named(path: &str, seq: &[&str]) -> Option<String> {
    // Every rule asks this of every path; most paths name none of the components, and a
    // substring test rules them out without splitting (profiled: splitting dominated the rules).
    if !seq.iter().all(|part| path.contains(part)) {
        return None;
    }
    let parts: Vec<&str> = path.split('/').collect();
    if parts.len() <= seq.len() {
        return None;
    }
    // The last component is the file itself, so a directory run ends before it.
    for i in 1..parts.len().saturating_sub(seq.len()) {
        if parts[i..i + seq.len()] == *seq {
            return Some(parts[..i + seq.len()].join("/"));
        }
    }
    None
}

/// The first glob-like match: `prefix*` on the base name inside `dir`.
pub(crate) fn in_dir_with_prefix(path: &str, dir: &str, prefixes: &[&str]) -> bool {
    path.strip_prefix(dir)
        .and_then(|r| r.strip_prefix('/'))
        .is_some_and(|name| !name.contains('/') && prefixes.iter().any(|p| name.starts_with(p)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(base("/a/b/c"), "c");
        assert!(under("/usr/include/stdio.h", "/usr/include"));
        assert!(!under("/usr/includex/a", "/usr/include"));
        assert_eq!(
            dir_named("/root/.cache/pip/http/x", &[".cache", "pip"]).as_deref(),
            Some("/root/.cache/pip")
        );
        assert_eq!(dir_named("/srv/.git", &[".git"]), None);
        assert_eq!(
            dir_named("/srv/app/.git/HEAD", &[".git"]).as_deref(),
            Some("/srv/app/.git")
        );
        assert!(in_dir_with_prefix("/usr/bin/gcc-12", "/usr/bin", &["gcc"]));
        assert!(!in_dir_with_prefix("/usr/bin/x/gcc", "/usr/bin", &["gcc"]));
    }
}

//! `IS5xx`: documentation, when it is large.

use super::paths::{base, under_any};
use super::{Check, Rule, RuleDoc};
use crate::report::findings::Severity;
use crate::tree::Version;

fn docs(p: &str, _: &Version) -> Option<String> {
    // Licence texts stay: distributions require them to ship with the binaries.
    if matches!(base(p), "copyright" | "LICENSE" | "COPYING") {
        return None;
    }
    under_any(
        p,
        &[
            "/usr/share/doc",
            "/usr/share/man",
            "/usr/share/info",
            "/usr/share/gtk-doc",
            "/usr/share/help",
            "/usr/local/share/doc",
            "/usr/local/share/man",
            "/usr/local/man",
        ],
    )
}

/// The docs rules.
pub(crate) static RULES: &[Rule] = &[Rule {
    doc: RuleDoc {
        code: "IS501",
        name: "docs-and-man-pages",
        family: "docs",
        severity: Severity::Low,
        what: "Documentation, man and info pages (licence files excepted), reported when they add up to 4 MiB or more.",
        why: "Nobody reads man pages inside a container; on a large Debian image they are 10–50 MB.",
        example: "RUN apt-get install -y python3",
        instead: "Install with dpkg path excludes (path-exclude=/usr/share/doc/*, path-include=/usr/share/doc/*/copyright, path-exclude=/usr/share/man/* in /etc/dpkg/dpkg.cfg.d/), as the slim images do.",
    },
    check: Check::Path {
        matcher: docs,
        min_bytes: 4 << 20,
    },
}];

#[cfg(test)]
mod tests {
    use super::super::testing::findings_for;
    use imgslim_tests::{Entry, Layer};

    #[test]
    fn large_docs_only_and_never_copyright() {
        let small = findings_for(vec![Layer::new(
            "RUN x",
            vec![Entry::file("usr/share/doc/a/README", vec![0; 100])],
        )]);
        assert!(!small.iter().any(|f| f.rule == "IS501"));
        let big = findings_for(vec![Layer::new(
            "RUN x",
            vec![
                Entry::file("usr/share/doc/a/README", vec![0; 4 << 20]),
                Entry::file("usr/share/doc/a/copyright", vec![0; 100]),
            ],
        )]);
        let d = big.iter().find(|f| f.rule == "IS501").expect("IS501");
        assert_eq!(d.bytes, 4 << 20);
    }
}

//! `IS2xx`: build artefacts next to the app: headers, static libraries, objects and sources.

use super::paths::{base, under, under_any};
use super::{Check, Rule, RuleDoc};
use crate::report::findings::Severity;
use crate::tree::Version;

fn headers(p: &str, _: &Version) -> Option<String> {
    if let Some(d) = under_any(p, &["/usr/include", "/usr/local/include"]) {
        return Some(d);
    }
    p.starts_with("/usr/src/linux-headers-")
        .then(|| super::paths::first_components(p, 3))
}

fn static_libs(p: &str, _: &Version) -> Option<String> {
    (base(p).ends_with(".a") && base(p).starts_with("lib") && !under(p, "/usr/share/doc"))
        .then(|| p.to_string())
}

const SOURCE_EXTS: &[&str] = &[
    ".o", ".obj", ".c", ".cc", ".cpp", ".cxx", ".c++", ".hpp", ".hh",
];

fn objects_and_sources(p: &str, _: &Version) -> Option<String> {
    if p.starts_with("/usr/share/") || p.starts_with("/usr/lib/") || p.starts_with("/usr/src/") {
        return None;
    }
    let name = base(p);
    SOURCE_EXTS
        .iter()
        .any(|e| name.len() > e.len() && name.ends_with(e))
        .then(|| p.rsplit_once('/').map_or("/", |(d, _)| d).to_string())
        .map(|d| if d.is_empty() { "/".to_string() } else { d })
}

/// The artefact rules.
pub(crate) static RULES: &[Rule] = &[
    Rule {
        doc: RuleDoc {
            code: "IS201",
            name: "headers",
            family: "build-artefacts",
            severity: Severity::Medium,
            what: "C/C++ headers: /usr/include, /usr/local/include, kernel headers under /usr/src.",
            why: "Headers are read by the compiler only; libc6-dev and linux-libc-dev alone are 30–40 MB on Debian.",
            example: "RUN apt-get install -y libc6-dev libssl-dev",
            instead: "Install `-dev` packages in the builder stage; the runtime stage needs only the shared libraries (`libssl3`, not `libssl-dev`).",
        },
        check: Check::Path {
            matcher: headers,
            min_bytes: 0,
        },
    },
    Rule {
        doc: RuleDoc {
            code: "IS202",
            name: "static-libraries",
            family: "build-artefacts",
            severity: Severity::Medium,
            what: "Static libraries (`lib*.a`).",
            why: "Static libraries are linked into programs at build time and are never loaded at run time.",
            example: "RUN apt-get install -y libc6-dev   # ships libc.a, libm.a, …",
            instead: "Link in a builder stage and copy the program only.",
        },
        check: Check::Path {
            matcher: static_libs,
            min_bytes: 0,
        },
    },
    Rule {
        doc: RuleDoc {
            code: "IS203",
            name: "objects-and-sources",
            family: "build-artefacts",
            severity: Severity::Low,
            what: "Object files and C/C++ sources outside /usr (`*.o`, `*.c`, `*.cpp`, …), usually the build context copied next to the app.",
            why: "They are inputs of the build, not of the program; they also reveal source the image did not need to ship.",
            example: "COPY . /src\nRUN gcc -o /src/hello /src/hello.c",
            instead: "Compile in a builder stage; add a .dockerignore for what the image must not contain.",
        },
        check: Check::Path {
            matcher: objects_and_sources,
            min_bytes: 0,
        },
    },
];

#[cfg(test)]
mod tests {
    use super::super::testing::findings_for;
    use imgslim_tests::{Entry, Layer};

    #[test]
    fn headers_static_libs_and_sources() {
        let f = findings_for(vec![
            Layer::new(
                "RUN apt-get install -y libc6-dev",
                vec![
                    Entry::file("usr/include/stdio.h", vec![0; 30]),
                    Entry::file("usr/include/x86_64-linux-gnu/bits/types.h", vec![0; 20]),
                    Entry::file("usr/lib/x86_64-linux-gnu/libc.a", vec![0; 400]),
                    Entry::file("usr/lib/x86_64-linux-gnu/libc.so.6", vec![0; 400]),
                ],
            ),
            Layer::new(
                "COPY hello.c .",
                vec![Entry::file("src/hello.c", vec![0; 7])],
            ),
        ]);
        let by = |c: &str| {
            f.iter()
                .find(|f| f.rule == c)
                .map(|f| (f.bytes, f.layer, f.paths.clone()))
        };
        assert_eq!(
            by("IS201"),
            Some((50, Some(0), vec!["/usr/include".to_string()]))
        );
        assert_eq!(by("IS202").map(|b| b.0), Some(400));
        assert_eq!(by("IS203"), Some((7, Some(1), vec!["/src".to_string()])));
    }
}

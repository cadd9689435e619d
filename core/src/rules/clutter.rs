//! `IS4xx`: version-control directories, editor and temporary files, logs, /tmp leftovers.

use super::paths::{base, dir_named, under, under_any};
use super::{Check, Rule, RuleDoc};
use crate::report::findings::Severity;
use crate::tree::Version;

fn vcs(p: &str, _: &Version) -> Option<String> {
    [".git", ".svn", ".hg", ".bzr"]
        .iter()
        .find_map(|d| dir_named(p, &[d]))
}

fn editor_temp(p: &str, _: &Version) -> Option<String> {
    if under(p, "/var/backups") {
        return None;
    }
    let name = base(p);
    let hit = (name.len() > 1 && name.ends_with('~'))
        || [".swp", ".swo", ".orig", ".rej"]
            .iter()
            .any(|e| name.len() > e.len() && name.ends_with(e))
        || name == ".DS_Store"
        || name == "Thumbs.db"
        || name.starts_with(".#");
    hit.then(|| p.to_string())
}

fn logs(p: &str, _: &Version) -> Option<String> {
    if under(p, "/var/log") {
        return Some("/var/log".into());
    }
    (base(p).ends_with(".log") && !p.starts_with("/usr/")).then(|| p.to_string())
}

fn tmp(p: &str, _: &Version) -> Option<String> {
    under_any(p, &["/tmp", "/var/tmp"])
}

/// The clutter rules.
pub(crate) static RULES: &[Rule] = &[
    Rule {
        doc: RuleDoc {
            code: "IS401",
            name: "vcs-directory",
            family: "clutter",
            severity: Severity::Medium,
            what: "Version-control metadata: .git, .svn, .hg, .bzr directories.",
            why: "The whole history of the repository ships in the image, with every secret ever committed to it.",
            example: "COPY . /app",
            instead: "Add `.git` to .dockerignore, or COPY only what the app needs.",
        },
        check: Check::Path {
            matcher: vcs,
            min_bytes: 0,
        },
    },
    Rule {
        doc: RuleDoc {
            code: "IS402",
            name: "editor-temp-files",
            family: "clutter",
            severity: Severity::Low,
            what: "Editor and merge leftovers: `*~`, `*.swp`, `*.orig`, `*.rej`, `.DS_Store`, `.#*`.",
            why: "They come from a build context that was copied whole; they are never used.",
            example: "COPY . /app",
            instead: "List them in .dockerignore.",
        },
        check: Check::Path {
            matcher: editor_temp,
            min_bytes: 0,
        },
    },
    Rule {
        doc: RuleDoc {
            code: "IS403",
            name: "log-files",
            family: "clutter",
            severity: Severity::Low,
            what: "Log files written during the build: /var/log (dpkg, apt, alternatives) and `*.log` outside /usr; reported from 64 KiB in all.",
            why: "Build logs are of no use to the running container and change on every build, defeating layer reuse.",
            example: "RUN apt-get install -y nginx   # writes /var/log/apt/*, /var/log/dpkg.log",
            instead: "RUN apt-get install -y nginx && rm -rf /var/log/apt/* /var/log/dpkg.log",
        },
        check: Check::Path {
            matcher: logs,
            min_bytes: 64 << 10,
        },
    },
    Rule {
        doc: RuleDoc {
            code: "IS404",
            name: "tmp-leftovers",
            family: "clutter",
            severity: Severity::Low,
            what: "Files left in /tmp or /var/tmp by the build.",
            why: "Downloads, extracted archives and build trees in /tmp are almost always garbage once the layer is written.",
            example: "RUN curl -o /tmp/x.tgz https://… && tar xf /tmp/x.tgz -C /opt",
            instead: "RUN curl -o /tmp/x.tgz https://… && tar xf /tmp/x.tgz -C /opt && rm -rf /tmp/*",
        },
        check: Check::Path {
            matcher: tmp,
            min_bytes: 0,
        },
    },
];

#[cfg(test)]
mod tests {
    use super::super::testing::findings_for;
    use imgslim_tests::{Entry, Layer};

    #[test]
    fn vcs_temp_logs_and_tmp() {
        let f = findings_for(vec![Layer::new(
            "COPY . /app",
            vec![
                Entry::file("app/.git/HEAD", vec![0; 5]),
                Entry::file("app/.git/objects/aa/bb", vec![0; 50]),
                Entry::file("app/main.py~", vec![0; 3]),
                Entry::file("app/.main.py.swp", vec![0; 4]),
                Entry::file("var/log/dpkg.log", vec![0; 70 << 10]),
                Entry::file("tmp/build/x.tgz", vec![0; 9]),
                Entry::file("var/backups/passwd.bak~", vec![0; 9]),
            ],
        )]);
        let get = |c: &str| {
            f.iter()
                .find(|f| f.rule == c)
                .map(|f| (f.bytes, f.paths.clone()))
        };
        assert_eq!(get("IS401"), Some((55, vec!["/app/.git".to_string()])));
        assert_eq!(get("IS402").map(|g| g.0), Some(7));
        assert_eq!(get("IS403").map(|g| g.0), Some(70 << 10));
        assert_eq!(get("IS404"), Some((9, vec!["/tmp".to_string()])));
    }

    #[test]
    fn small_logs_are_not_reported() {
        let f = findings_for(vec![Layer::new(
            "RUN x",
            vec![Entry::file("var/log/dpkg.log", vec![0; 100])],
        )]);
        assert!(!f.iter().any(|f| f.rule == "IS403"));
    }
}

//! `IS3xx`: package-manager caches and indexes.

use super::paths::{base, dir_named, under, under_any};
use super::{Check, Rule, RuleDoc};
use crate::report::findings::Severity;
use crate::tree::Version;

fn apt_lists(p: &str, _: &Version) -> Option<String> {
    (under(p, "/var/lib/apt/lists") && base(p) != "lock").then(|| "/var/lib/apt/lists".into())
}

fn apt_archives(p: &str, _: &Version) -> Option<String> {
    (under(p, "/var/cache/apt") && base(p) != "lock").then(|| "/var/cache/apt".into())
}

fn apk(p: &str, _: &Version) -> Option<String> {
    under_any(p, &["/var/cache/apk", "/etc/apk/cache"])
}

fn dnf_yum(p: &str, _: &Version) -> Option<String> {
    under_any(
        p,
        &[
            "/var/cache/dnf",
            "/var/cache/yum",
            "/var/cache/zypp",
            "/var/cache/libdnf5",
        ],
    )
}

fn pip(p: &str, _: &Version) -> Option<String> {
    dir_named(p, &[".cache", "pip"])
        .or_else(|| dir_named(p, &[".cache", "pypoetry"]))
        .or_else(|| dir_named(p, &[".cache", "pipenv"]))
        .or_else(|| dir_named(p, &[".cache", "uv"]))
}

fn npm(p: &str, _: &Version) -> Option<String> {
    dir_named(p, &[".npm"])
}

fn yarn_pnpm(p: &str, _: &Version) -> Option<String> {
    dir_named(p, &[".cache", "yarn"])
        .or_else(|| dir_named(p, &[".yarn", "cache"]))
        .or_else(|| dir_named(p, &[".yarn-cache"]))
        .or_else(|| dir_named(p, &[".pnpm-store"]))
        .or_else(|| dir_named(p, &["pnpm", "store"]))
}

fn go_cache(p: &str, _: &Version) -> Option<String> {
    dir_named(p, &[".cache", "go-build"]).or_else(|| dir_named(p, &["go", "pkg", "mod"]))
}

fn cargo_registry(p: &str, _: &Version) -> Option<String> {
    dir_named(p, &[".cargo", "registry"])
        .or_else(|| dir_named(p, &[".cargo", "git"]))
        .or_else(|| under_any(p, &["/usr/local/cargo/registry", "/usr/local/cargo/git"]))
}

/// The cache rules.
pub(crate) static RULES: &[Rule] = &[
    Rule {
        doc: RuleDoc {
            code: "IS301",
            name: "apt-lists",
            family: "caches",
            severity: Severity::Medium,
            what: "apt package indexes in /var/lib/apt/lists, left by `apt-get update`.",
            why: "The indexes (about 20–50 MB) are only needed to install packages; deleting them in a later RUN frees nothing, because the layer that wrote them still ships them.",
            example: "RUN apt-get update && apt-get install -y curl\nRUN rm -rf /var/lib/apt/lists/*   # too late",
            instead: "RUN apt-get update \\\n && apt-get install -y --no-install-recommends curl \\\n && rm -rf /var/lib/apt/lists/*",
        },
        check: Check::Path {
            matcher: apt_lists,
            min_bytes: 0,
        },
    },
    Rule {
        doc: RuleDoc {
            code: "IS302",
            name: "apt-archives",
            family: "caches",
            severity: Severity::Medium,
            what: "Downloaded .deb files and the package cache in /var/cache/apt.",
            why: "Every installed package is stored twice: unpacked, and as the .deb apt downloaded.",
            example: "RUN apt-get update && apt-get install -y gcc",
            instead: "RUN apt-get update && apt-get install -y --no-install-recommends gcc \\\n && apt-get clean && rm -rf /var/lib/apt/lists/*",
        },
        check: Check::Path {
            matcher: apt_archives,
            min_bytes: 0,
        },
    },
    Rule {
        doc: RuleDoc {
            code: "IS303",
            name: "apk-cache",
            family: "caches",
            severity: Severity::Medium,
            what: "The Alpine apk cache (/var/cache/apk, /etc/apk/cache).",
            why: "Downloaded packages and indexes are install-time data.",
            example: "RUN apk update && apk add curl",
            instead: "RUN apk add --no-cache curl",
        },
        check: Check::Path {
            matcher: apk,
            min_bytes: 0,
        },
    },
    Rule {
        doc: RuleDoc {
            code: "IS304",
            name: "dnf-yum-cache",
            family: "caches",
            severity: Severity::Medium,
            what: "dnf, yum or zypper caches under /var/cache.",
            why: "Repository metadata and downloaded RPMs are install-time data, often 100 MB and more.",
            example: "RUN dnf install -y python3",
            instead: "RUN dnf install -y --setopt=install_weak_deps=False python3 && dnf clean all && rm -rf /var/cache/dnf",
        },
        check: Check::Path {
            matcher: dnf_yum,
            min_bytes: 0,
        },
    },
    Rule {
        doc: RuleDoc {
            code: "IS305",
            name: "pip-cache",
            family: "caches",
            severity: Severity::Medium,
            what: "The pip (or poetry, pipenv, uv) download cache, ~/.cache/pip.",
            why: "pip keeps every wheel it downloaded; for ML stacks that doubles gigabytes.",
            example: "RUN pip install -r requirements.txt",
            instead: "RUN pip install --no-cache-dir -r requirements.txt\n(or PIP_NO_CACHE_DIR=1; with BuildKit: RUN --mount=type=cache,target=/root/.cache/pip …)",
        },
        check: Check::Path {
            matcher: pip,
            min_bytes: 0,
        },
    },
    Rule {
        doc: RuleDoc {
            code: "IS306",
            name: "npm-cache",
            family: "caches",
            severity: Severity::Medium,
            what: "The npm cache and logs, ~/.npm (_cacache, _logs).",
            why: "npm stores a compressed copy of every package it installed; node_modules already has them.",
            example: "RUN npm install",
            instead: "RUN npm ci --omit=dev && npm cache clean --force\n(with BuildKit: RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev)",
        },
        check: Check::Path {
            matcher: npm,
            min_bytes: 0,
        },
    },
    Rule {
        doc: RuleDoc {
            code: "IS307",
            name: "yarn-pnpm-cache",
            family: "caches",
            severity: Severity::Medium,
            what: "yarn or pnpm caches and stores (~/.cache/yarn, .yarn/cache, .pnpm-store).",
            why: "The package store duplicates node_modules.",
            example: "RUN yarn install",
            instead: "RUN yarn install --frozen-lockfile --production && yarn cache clean",
        },
        check: Check::Path {
            matcher: yarn_pnpm,
            min_bytes: 0,
        },
    },
    Rule {
        doc: RuleDoc {
            code: "IS308",
            name: "go-caches",
            family: "caches",
            severity: Severity::Medium,
            what: "The Go build cache (~/.cache/go-build) and module cache ($GOPATH/pkg/mod).",
            why: "Both are build inputs; the compiled binary contains everything it needs.",
            example: "RUN go build -o /app ./cmd/app",
            instead: "Build in a builder stage, or RUN --mount=type=cache,target=/root/.cache/go-build --mount=type=cache,target=/go/pkg/mod go build …",
        },
        check: Check::Path {
            matcher: go_cache,
            min_bytes: 0,
        },
    },
    Rule {
        doc: RuleDoc {
            code: "IS309",
            name: "cargo-registry",
            family: "caches",
            severity: Severity::Medium,
            what: "The cargo registry and git checkouts (~/.cargo/registry, ~/.cargo/git).",
            why: "Crate sources are build inputs, often hundreds of MB.",
            example: "RUN cargo build --release",
            instead: "Build in a builder stage, or use RUN --mount=type=cache,target=/usr/local/cargo/registry cargo build --release",
        },
        check: Check::Path {
            matcher: cargo_registry,
            min_bytes: 0,
        },
    },
];

#[cfg(test)]
mod tests {
    use super::super::testing::findings_for;
    use imgslim_tests::{Entry, Layer};

    #[test]
    fn caches_and_a_cleanup_too_late() {
        let f = findings_for(vec![
            Layer::new(
                "RUN apt-get update && apt-get install -y nodejs",
                vec![
                    Entry::file(
                        "var/lib/apt/lists/deb.debian.org_dists_bookworm_InRelease",
                        vec![0; 900],
                    ),
                    Entry::file("var/lib/apt/lists/lock", vec![]),
                    Entry::file("var/cache/apt/archives/nodejs.deb", vec![0; 50]),
                ],
            ),
            Layer::new(
                "RUN npm install && pip install x",
                vec![
                    Entry::file("root/.npm/_cacache/index-v5/aa", vec![0; 70]),
                    Entry::file("root/.cache/pip/http/x", vec![0; 11]),
                    Entry::file("go/pkg/mod/cache/x", vec![0; 3]),
                    Entry::file("root/.cargo/registry/cache/x.crate", vec![0; 5]),
                    Entry::file("home/u/.cache/yarn/v6/x", vec![0; 2]),
                    Entry::file("var/cache/apk/APKINDEX.tar.gz", vec![0; 1]),
                    Entry::file("var/cache/dnf/x.rpm", vec![0; 1]),
                ],
            ),
            Layer::new(
                "RUN rm -rf /var/lib/apt/lists/*",
                vec![Entry::whiteout(
                    "var/lib/apt/lists/deb.debian.org_dists_bookworm_InRelease",
                )],
            ),
        ]);
        let lists = f.iter().find(|f| f.rule == "IS301").expect("IS301");
        assert_eq!((lists.bytes, lists.layer), (900, Some(0)));
        assert!(
            lists
                .message
                .contains("removed again in layer 2, which frees nothing")
        );
        let get = |c: &str| f.iter().find(|f| f.rule == c).map(|f| f.bytes);
        assert_eq!(get("IS302"), Some(50));
        assert_eq!(get("IS306"), Some(70));
        assert_eq!(get("IS305"), Some(11));
        assert_eq!(get("IS308"), Some(3));
        assert_eq!(get("IS309"), Some(5));
        assert_eq!(get("IS307"), Some(2));
        assert_eq!(get("IS303"), Some(1));
        assert_eq!(get("IS304"), Some(1));
    }
}

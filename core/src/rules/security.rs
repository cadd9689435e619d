//! `IS6xx`: security findings on the final image. Secrets are reported by path only: their
//! contents are never read.

use super::paths::base;
use super::{Check, Ctx, Fired, Rule, RuleDoc, finding};
use crate::layer::scan::Kind;
use crate::report::findings::Severity;
use crate::tree::FileTree;

/// Final paths with their live version's layer, filtered. `maybe` sees only the base name and
/// must hold for every path `pred` accepts: it spares building the path of every node for
/// every rule.
fn final_matching(
    tree: &FileTree,
    mut maybe: impl FnMut(&str, u32, Kind) -> bool,
    mut pred: impl FnMut(&str, u32, Kind) -> bool,
) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for n in tree.node_ids().skip(1) {
        let Some(v) = tree.live_final(n) else {
            continue;
        };
        let Some(kind) = v.entry_kind() else { continue };
        if !maybe(&String::from_utf8_lossy(tree.name(n)), v.mode, kind) {
            continue;
        }
        let p = tree.path_string(n);
        if pred(&p, v.mode, kind) {
            out.push((p, usize::from(v.layer)));
        }
    }
    out
}

/// One finding per layer that brought the paths in.
fn per_layer(
    ctx: &Ctx<'_>,
    doc: &RuleDoc,
    hits: Vec<(String, usize)>,
    what: &str,
    out: &mut Vec<Fired>,
) {
    let mut layers: Vec<usize> = hits.iter().map(|h| h.1).collect();
    layers.sort_unstable();
    layers.dedup();
    for l in layers {
        let mut paths: Vec<String> = hits
            .iter()
            .filter(|h| h.1 == l)
            .map(|h| h.0.clone())
            .collect();
        paths.sort();
        let msg = format!("{} {what}: {}", paths.len(), summarize(&paths));
        out.push(finding(doc, ctx, Some(l), 0, paths, msg));
    }
}

fn summarize(paths: &[String]) -> String {
    let mut s = paths.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
    if paths.len() > 5 {
        s.push_str(&format!(" and {} more", paths.len() - 5));
    }
    s
}

fn setuid(ctx: &Ctx<'_>, doc: &RuleDoc, out: &mut Vec<Fired>) {
    let hits = final_matching(
        ctx.tree,
        |_, mode, kind| matches!(kind, Kind::File | Kind::Hardlink) && mode & 0o6000 != 0,
        |_, _, _| true,
    );
    per_layer(ctx, doc, hits, "setuid/setgid files", out);
}

fn world_writable(ctx: &Ctx<'_>, doc: &RuleDoc, out: &mut Vec<Fired>) {
    let hits = final_matching(
        ctx.tree,
        |_, mode, kind| match kind {
            Kind::Symlink => false,
            // Sticky directories (/tmp) are world-writable by design.
            Kind::Dir => mode & 0o002 != 0 && mode & 0o1000 == 0,
            Kind::File | Kind::Hardlink => mode & 0o002 != 0,
            _ => false,
        },
        |_, _, _| true,
    );
    per_layer(ctx, doc, hits, "world-writable paths", out);
}

const KEY_NAMES: &[&str] = &[
    "id_rsa",
    "id_dsa",
    "id_ecdsa",
    "id_ed25519",
    "id_ecdsa_sk",
    "id_ed25519_sk",
];
const KEY_EXTS: &[&str] = &[".key", ".p12", ".pfx", ".jks", ".keystore", ".ppk"];

fn is_test_or_doc(p: &str) -> bool {
    // Package data (GnuPG's keyserver CA, test vectors) is not a leaked secret.
    p.starts_with("/usr/share/")
        || p.contains("/test/")
        || p.contains("/tests/")
        || p.contains("/testdata/")
        || p.contains("/fixtures/")
}

/// A private key's name, or an SSH host key's when `ssh_host` says the path is one.
fn key_name(name: &str, ssh_host: bool) -> bool {
    KEY_NAMES.contains(&name)
        || KEY_EXTS
            .iter()
            .any(|e| name.len() > e.len() && name.ends_with(e))
        || (name.ends_with(".pem")
            && (name.contains("private") || name.contains("privkey") || name.ends_with("key.pem")))
        || (ssh_host && name.ends_with("_key"))
}

fn private_keys(ctx: &Ctx<'_>, doc: &RuleDoc, out: &mut Vec<Fired>) {
    let is_file = |kind| matches!(kind, Kind::File | Kind::Hardlink);
    let hits = final_matching(
        ctx.tree,
        |name, _, kind| is_file(kind) && key_name(name, true),
        |p, _, kind| {
            is_file(kind)
                && !is_test_or_doc(p)
                && key_name(base(p), p.starts_with("/etc/ssh/ssh_host_"))
        },
    );
    per_layer(ctx, doc, hits, "private keys (contents not read)", out);
}

fn in_home(p: &str) -> bool {
    p.starts_with("/root/") || p.starts_with("/home/")
}

/// Credentials files kept in a home directory, by name or by their last two components.
const HOME_CREDENTIALS: &[&str] = &[
    ".npmrc",
    ".pypirc",
    ".netrc",
    ".git-credentials",
    ".pgpass",
    ".docker/config.json",
    ".aws/credentials",
    ".kube/config",
];

fn secret_files(ctx: &Ctx<'_>, doc: &RuleDoc, out: &mut Vec<Fired>) {
    let is_file = |kind| matches!(kind, Kind::File | Kind::Hardlink);
    let env = |name: &str| {
        name == ".env"
            || (name.starts_with(".env.")
                && ![".example", ".sample", ".template", ".dist", ".defaults"]
                    .iter()
                    .any(|s| name.ends_with(s)))
    };
    let hits = final_matching(
        ctx.tree,
        |name, _, kind| {
            is_file(kind)
                && (env(name)
                    || HOME_CREDENTIALS.iter().any(|c| {
                        c.strip_suffix(name)
                            .is_some_and(|dir| dir.is_empty() || dir.ends_with('/'))
                    }))
        },
        |p, _, kind| {
            let home_cred = in_home(p)
                && HOME_CREDENTIALS
                    .iter()
                    .any(|c| p.strip_suffix(c).is_some_and(|dir| dir.ends_with('/')));
            is_file(kind) && !is_test_or_doc(p) && (env(base(p)) || home_cred)
        },
    );
    per_layer(ctx, doc, hits, "secret files (contents not read)", out);
}

/// The security rules.
pub(crate) static RULES: &[Rule] = &[
    Rule {
        doc: RuleDoc {
            code: "IS601",
            name: "setuid-setgid",
            family: "security",
            severity: Severity::Low,
            what: "Regular files with the setuid or setgid bit in the final image.",
            why: "A setuid binary runs with its owner's rights; containers rarely need any, and each one is a privilege-escalation path.",
            example: "FROM debian:12   # su, mount, passwd, chsh … are setuid root",
            instead: "RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +   (or run with --security-opt no-new-privileges)",
        },
        check: Check::Image(setuid),
    },
    Rule {
        doc: RuleDoc {
            code: "IS602",
            name: "world-writable",
            family: "security",
            severity: Severity::Medium,
            what: "World-writable files, and world-writable directories without the sticky bit.",
            why: "Any user in the container can change them, e.g. replace a program another user runs.",
            example: "RUN chmod -R 777 /app",
            instead: "Give ownership to the user that needs it: COPY --chown=app:app, chmod 755/644.",
        },
        check: Check::Image(world_writable),
    },
    Rule {
        doc: RuleDoc {
            code: "IS603",
            name: "private-keys",
            family: "security",
            severity: Severity::High,
            what: "Files named like private keys: id_rsa, id_ed25519, *.key, *.p12, *.pfx, *.jks, *key.pem and *private*.pem, SSH host keys; package data under /usr/share and test directories are skipped. Found by name; contents are never read or printed.",
            why: "Anyone who can pull the image has the key. SSH host keys baked into an image are shared by every container started from it.",
            example: "COPY id_rsa /root/.ssh/id_rsa",
            instead: "Mount secrets at run time, or use RUN --mount=type=secret / --mount=type=ssh at build time.",
        },
        check: Check::Image(private_keys),
    },
    Rule {
        doc: RuleDoc {
            code: "IS604",
            name: "secret-files",
            family: "security",
            severity: Severity::High,
            what: "`.env` files and credential files in home directories (.npmrc, .pypirc, .netrc, .git-credentials, .docker/config.json, .aws/credentials, .kube/config). Found by name; contents are never read or printed.",
            why: "They usually hold tokens and passwords, readable by anyone who pulls the image.",
            example: "COPY . /app   # with /app/.env",
            instead: "Add .env to .dockerignore; pass configuration as environment at run time; RUN --mount=type=secret for build-time tokens.",
        },
        check: Check::Image(secret_files),
    },
];

#[cfg(test)]
mod tests {
    use super::super::testing::findings_for;
    use imgslim_tests::{Content, Entry, Layer};

    #[test]
    fn security_findings_by_path() {
        let f = findings_for(vec![Layer::new(
            "COPY . /app",
            vec![
                Entry::file_with("usr/bin/su", Content::Bytes(vec![0; 5]), 0o4755),
                Entry::file_with("app/data", Content::Bytes(vec![0; 5]), 0o666),
                Entry::Dir {
                    path: "tmp".into(),
                    mode: 0o1777,
                },
                Entry::Dir {
                    path: "app/cache".into(),
                    mode: 0o777,
                },
                Entry::file("root/.ssh/id_rsa", "-----BEGIN OPENSSH PRIVATE KEY-----"),
                Entry::file("root/.ssh/id_rsa.pub", "ssh-rsa AAAA"),
                Entry::file("app/.env", "PASSWORD=hunter2"),
                Entry::file("app/.env.example", "PASSWORD="),
                Entry::file("etc/ssl/certs/ca-certificates.crt", "x"),
                Entry::file("etc/ssl/certs/ISRG_Root_X1.pem", "x"),
            ],
        )]);
        let get = |c: &str| {
            f.iter()
                .find(|f| f.rule == c)
                .map(|f| f.paths.clone())
                .unwrap_or_default()
        };
        assert_eq!(get("IS601"), ["/usr/bin/su"]);
        assert_eq!(get("IS602"), ["/app/cache", "/app/data"]);
        assert_eq!(get("IS603"), ["/root/.ssh/id_rsa"]);
        assert_eq!(get("IS604"), ["/app/.env"]);
        for x in &f {
            assert!(!x.message.contains("hunter2") && !x.message.contains("BEGIN"));
        }
    }
}

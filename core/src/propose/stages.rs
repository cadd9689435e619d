//! Multi-stage and scratch rewrites: a builder stage with the original steps, and a runtime stage
//! that copies the app and its runtime closure, sized by summing the files it copies.

use std::collections::BTreeSet;

use super::{Plan, saved};
use crate::exec::ExecKind;
use crate::report::findings::{Proposal, ProposalKind};
use crate::report::units::bytes as fmt_bytes;
use crate::tree::FileTree;

/// The line that starts the runtime stage; `--dockerfile` swaps everything above it for the
/// user's own Dockerfile.
pub const RUNTIME_MARKER: &str = "# --- runtime stage ---";

/// A scratch image is proposed when the closure is at most this big.
const SCRATCH_MAX_CLOSURE: u64 = 64 << 20;

struct Copy {
    path: String,
    bytes: u64,
    chown: Option<(u32, u32)>,
}

/// Where tzdata lives; copied whole when the app uses it.
const ZONEINFO: &str = "/usr/share/zoneinfo";

/// Why the app reads tzdata, if it does: a `TZ` zone in its environment (UTC needs no file), or
/// one of its own closure files naming zoneinfo (a Go binary, a script importing `zoneinfo`).
fn tzdata_reason(plan: &Plan<'_>) -> Option<String> {
    let cfg = &plan.a.report.image.config;
    let tz = cfg.env.iter().flatten().find_map(|e| e.strip_prefix("TZ="));
    if let Some(tz) = tz {
        let zone = tz.trim_start_matches(':');
        let utc = [
            "UTC", "UTC0", "Etc/UTC", "GMT", "GMT0", "Etc/GMT", "UCT", "Zulu",
        ];
        if !zone.is_empty() && !utc.contains(&zone) {
            return Some(format!("TZ={tz}"));
        }
    }
    let named_by = plan.exec?.zoneinfo_named_by.as_deref()?;
    Some(format!("{named_by} names {ZONEINFO}"))
}

/// Bytes and owner of a file or directory tree in the final image.
fn tree_bytes(tree: &FileTree, path: &str) -> Option<(u64, (u32, u32))> {
    let node = tree.lookup(path.as_bytes())?;
    let v = tree.live_final(node)?;
    let owner = (v.uid, v.gid);
    let sizes = tree.sizes_at(tree.layer_count().saturating_sub(1));
    Some((sizes[node.0 as usize], owner))
}

/// What the runtime stage copies: the app (the entrypoint when the build made it, its file
/// arguments or their WORKDIR) and every closure file not already in the runtime base.
fn copies(plan: &Plan<'_>, base_layers: usize) -> Option<Vec<Copy>> {
    let exec = plan.exec?;
    if exec.kind == ExecKind::Unknown || !exec.missing.is_empty() {
        return None;
    }
    let tree = &plan.a.tree;
    let cfg = &plan.a.report.image.config;
    let workdir = cfg
        .working_dir
        .clone()
        .filter(|w| !w.is_empty() && w != "/");
    let mut out: Vec<Copy> = Vec::new();
    let mut covered: Vec<String> = Vec::new();
    // A script or interpreted app: the WORKDIR holds it (and node_modules, site-packages …).
    if let Some(w) = &workdir {
        let app_in_workdir = exec
            .file_args
            .iter()
            .any(|p| p.starts_with(&format!("{w}/")));
        if app_in_workdir {
            if let Some((bytes, owner)) = tree_bytes(tree, w) {
                out.push(Copy {
                    path: w.clone(),
                    bytes,
                    chown: (owner != (0, 0)).then_some(owner),
                });
                covered.push(format!("{w}/"));
            }
        }
    }
    for f in &exec.file_args {
        if covered.iter().any(|c| f.starts_with(c)) {
            continue;
        }
        if let Some((bytes, _)) = tree_bytes(tree, f) {
            out.push(Copy {
                path: f.clone(),
                bytes,
                chown: None,
            });
        }
    }
    let mut seen = BTreeSet::new();
    for c in &exec.closure {
        if c.layer < base_layers || covered.iter().any(|p| c.resolved.starts_with(p)) {
            continue;
        }
        if !seen.insert(c.resolved.clone()) {
            continue;
        }
        out.push(Copy {
            path: c.path.clone(),
            bytes: c.bytes,
            chown: None,
        });
    }
    // TLS libraries read the CA bundle; copy it when the build installed it.
    let tls = exec.closure.iter().any(|c| {
        let n = c.resolved.rsplit('/').next().unwrap_or("");
        n.starts_with("libssl") || n.starts_with("libgnutls") || n.starts_with("libcrypto")
    });
    if tls && base_layers > 0 {
        let f = "/etc/ssl/certs/ca-certificates.crt";
        let fresh = tree
            .lookup(f.as_bytes())
            .and_then(|n| tree.live_final(n))
            .is_some_and(|v| usize::from(v.layer) >= base_layers);
        if let (true, Some((bytes, _))) = (fresh, tree_bytes(tree, f)) {
            out.push(Copy {
                path: f.into(),
                bytes,
                chown: None,
            });
        }
    }
    // A named USER created by the build needs its passwd and group entries.
    if let Some(user) = cfg.user.as_deref() {
        let name = user.split(':').next().unwrap_or("");
        if !name.is_empty() && !name.chars().all(|c| c.is_ascii_digit()) {
            for f in ["/etc/passwd", "/etc/group"] {
                let fresh = tree
                    .lookup(f.as_bytes())
                    .and_then(|n| tree.live_final(n))
                    .is_some_and(|v| usize::from(v.layer) >= base_layers);
                if fresh {
                    if let Some((bytes, _)) = tree_bytes(tree, f) {
                        out.push(Copy {
                            path: f.into(),
                            bytes,
                            chown: None,
                        });
                    }
                }
            }
        }
    }
    // tzdata, when the app reads it and the runtime base lacks it.
    if tzdata_reason(plan).is_some() {
        let in_base = base_layers > 0
            && tree
                .lookup(ZONEINFO.as_bytes())
                .is_some_and(|n| tree.live_at(n, base_layers - 1).is_some());
        if !in_base {
            if let Some((bytes, _)) = tree_bytes(tree, ZONEINFO) {
                out.push(Copy {
                    path: ZONEINFO.into(),
                    bytes,
                    chown: None,
                });
            }
        }
    }
    Some(out)
}

/// The rationale's note on tzdata, when the copies include it.
fn tzdata_note(plan: &Plan<'_>, copies: &[Copy]) -> String {
    match copies.iter().find(|c| c.path == ZONEINFO) {
        Some(c) => format!(
            " It also copies {ZONEINFO} ({}) because {}.",
            fmt_bytes(c.bytes),
            tzdata_reason(plan).unwrap_or_default()
        ),
        None => String::new(),
    }
}

fn copy_lines(copies: &[Copy]) -> String {
    copies
        .iter()
        .map(|c| match c.chown {
            Some((u, g)) => format!("COPY --from=build --chown={u}:{g} {0} {0}\n", c.path),
            None => format!("COPY --from=build {0} {0}\n", c.path),
        })
        .collect()
}

/// The runtime metadata of the image (ENV, WORKDIR, USER, ENTRYPOINT, CMD) as instructions.
pub(super) fn metadata(plan: &Plan<'_>) -> String {
    let cfg = &plan.a.report.image.config;
    let mut out = String::new();
    let json = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_default();
    for e in cfg.env.iter().flatten() {
        if e.starts_with("PATH=") {
            continue;
        }
        if let Some((k, v)) = e.split_once('=') {
            out.push_str(&format!("ENV {k}={}\n", shell_quote(v)));
        }
    }
    if let Some(w) = cfg.working_dir.as_deref().filter(|w| !w.is_empty()) {
        out.push_str(&format!("WORKDIR {w}\n"));
    }
    if let Some(u) = cfg.user.as_deref().filter(|u| !u.is_empty()) {
        out.push_str(&format!("USER {u}\n"));
    }
    if let Some(e) = cfg.entrypoint.as_ref().filter(|e| !e.is_empty()) {
        out.push_str(&format!("ENTRYPOINT {}\n", json(e)));
    }
    if let Some(c) = cfg.cmd.as_ref().filter(|c| !c.is_empty()) {
        out.push_str(&format!("CMD {}\n", json(c)));
    }
    out
}

fn shell_quote(v: &str) -> String {
    if !v.is_empty()
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-:,".contains(c))
    {
        v.to_string()
    } else {
        format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// The builder stage: the base and the original steps.
fn builder(plan: &Plan<'_>) -> String {
    let mut out = String::new();
    if plan.base_layers > 0 {
        out.push_str(&format!("FROM {} AS build\n", plan.base_name));
    } else {
        out.push_str("FROM scratch AS build\n");
    }
    for (_, ins) in plan.steps() {
        out.push_str(&ins);
        out.push('\n');
    }
    out
}

pub(crate) fn propose(plan: &Plan<'_>, out: &mut Vec<Proposal>) {
    let Some(exec) = plan.exec else { return };
    let layers = &plan.a.report.layers;
    let program = exec.resolved.clone().unwrap_or_default();
    // Only an app the build added can be carried over: an image whose CMD is the base's shell
    // (`bash`) names no app, and proposing to drop everything else would be wrong.
    let tree = &plan.a.tree;
    let layer_of = |p: &str| {
        tree.lookup(p.as_bytes())
            .and_then(|n| tree.live_final(n))
            .map(|v| usize::from(v.layer))
    };
    let app_from_build = exec
        .closure
        .first()
        .is_some_and(|c| c.layer >= plan.base_layers)
        || exec
            .file_args
            .iter()
            .any(|f| layer_of(f).is_some_and(|l| l >= plan.base_layers));
    if !app_from_build {
        return;
    }

    // Multi-stage onto the image's own base.
    if plan.base_layers > 0 && plan.base_layers < layers.len() {
        if let Some(copies) = copies(plan, plan.base_layers) {
            let base_bytes: u64 = layers[..plan.base_layers]
                .iter()
                .map(|l| l.size_bytes)
                .sum();
            let copied: u64 = copies.iter().map(|c| c.bytes).sum();
            let estimate = base_bytes + copied;
            if estimate < plan.size {
                let dockerfile = format!(
                    "{}\n{RUNTIME_MARKER}\nFROM {}\n{}{}",
                    builder(plan),
                    plan.base_name,
                    copy_lines(&copies),
                    metadata(plan)
                );
                out.push(Proposal {
                    kind: ProposalKind::MultiStage,
                    title: format!("Build in a builder stage; run on {} with only the app and its runtime closure", plan.base_name),
                    rationale: format!(
                        "the base layers are {}; the runtime stage adds {} ({} paths: {} and the libraries it loads that the base lacks). Everything else the build installed stays in the builder.{}",
                        fmt_bytes(base_bytes),
                        fmt_bytes(copied),
                        copies.len(),
                        program,
                        tzdata_note(plan, &copies)
                    ),
                    estimated_size_bytes: estimate,
                    saved_bytes: saved(plan.size, estimate),
                    dockerfile: Some(dockerfile),
                    copy: copies.iter().map(|c| c.path.clone()).collect(),
                    layer: None,
                    instruction: None,
                });
            }
        }
    }

    // scratch: the binary, its closure (loader included) and the data files it needs.
    let elf = matches!(exec.kind, ExecKind::StaticElf | ExecKind::DynamicElf);
    if elf && exec.closure_bytes() <= SCRATCH_MAX_CLOSURE {
        if let Some(mut copies) = copies(plan, 0) {
            let tree = &plan.a.tree;
            let tls = exec.closure.iter().any(|c| {
                let n = c.resolved.rsplit('/').next().unwrap_or("");
                n.starts_with("libssl") || n.starts_with("libgnutls") || n.starts_with("libcrypto")
            });
            let mut extras = Vec::new();
            if tls {
                extras.push("/etc/ssl/certs/ca-certificates.crt");
            }
            for e in extras {
                if let Some((bytes, _)) = tree_bytes(tree, e) {
                    copies.push(Copy {
                        path: e.into(),
                        bytes,
                        chown: None,
                    });
                }
            }
            let estimate: u64 = copies.iter().map(|c| c.bytes).sum();
            let current_is_scratch = plan.base_layers == 0;
            if estimate < plan.size && !(current_is_scratch && layers.len() == 1) {
                let what = if exec.kind == ExecKind::StaticElf {
                    "is statically linked"
                } else {
                    "needs only its loader and shared libraries"
                };
                let dockerfile = format!(
                    "{}\n{RUNTIME_MARKER}\nFROM scratch\n{}{}",
                    builder(plan),
                    copy_lines(&copies),
                    metadata(plan)
                );
                out.push(Proposal {
                    kind: ProposalKind::Scratch,
                    title: format!("Run {program} on scratch"),
                    rationale: format!(
                        "{program} {what}: {} files, {} in all, are everything it loads{}. Shells, package managers and the rest of the distribution go.{}",
                        copies.len(),
                        fmt_bytes(estimate),
                        if tls { " (plus the CA bundle for TLS)" } else { "" },
                        tzdata_note(plan, &copies)
                    ),
                    estimated_size_bytes: estimate,
                    saved_bytes: saved(plan.size, estimate),
                    dockerfile: Some(dockerfile),
                    copy: copies.iter().map(|c| c.path.clone()).collect(),
                    layer: None,
                    instruction: None,
                });
            }
        }
    }

    // A big base the app barely uses: a smaller base would do.
    // (Not when a scratch image was proposed: that is the smallest base, sized exactly.)
    let scratch_proposed = out.iter().any(|p| p.kind == ProposalKind::Scratch);
    if plan.base_layers > 0 && elf && !scratch_proposed {
        let base_bytes: u64 = layers[..plan.base_layers]
            .iter()
            .map(|l| l.size_bytes)
            .sum();
        let used: u64 = {
            let mut seen = BTreeSet::new();
            exec.closure
                .iter()
                .filter(|c| c.layer < plan.base_layers && seen.insert(c.resolved.clone()))
                .map(|c| c.bytes)
                .sum()
        };
        if base_bytes > 4 * used && base_bytes > 20 << 20 {
            let candidate = if exec.kind == ExecKind::StaticElf {
                "gcr.io/distroless/static-debian12"
            } else {
                "gcr.io/distroless/cc-debian12"
            };
            let estimate = plan.size - base_bytes + used;
            out.push(Proposal {
                kind: ProposalKind::BaseImage,
                title: format!("Use a smaller base such as {candidate}"),
                rationale: format!(
                    "{program} uses {} of the {} the base layers hold; the estimate keeps only those files (a distroless base adds a few MB of CA certificates, tzdata and passwd)",
                    fmt_bytes(used),
                    fmt_bytes(base_bytes)
                ),
                estimated_size_bytes: estimate,
                saved_bytes: saved(plan.size, estimate),
                dockerfile: None,
                copy: Vec::new(),
                layer: None,
                instruction: None,
            });
        }
    }
}

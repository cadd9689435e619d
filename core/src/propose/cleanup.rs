//! Same-layer cleanup (caches and indexes removed in the RUN that made them) and squash
//! proposals (bytes a later layer deleted or rewrote), with the exact commands.

use std::collections::BTreeMap;

use super::{Plan, dockerfile, saved};
use crate::report::findings::{Proposal, ProposalKind};
use crate::report::units::bytes as fmt_bytes;
use crate::rules::Fired;

/// The command that removes what a cache rule found, in the RUN that made it.
fn cleanup_command(rule: &str) -> Option<&'static str> {
    Some(match rule {
        "IS301" => "rm -rf /var/lib/apt/lists/*",
        "IS302" => "apt-get clean",
        "IS303" => "rm -rf /var/cache/apk/*",
        "IS304" => "(dnf clean all || yum clean all) && rm -rf /var/cache/dnf /var/cache/yum",
        "IS305" => "rm -rf /root/.cache/pip",
        "IS306" => "npm cache clean --force",
        "IS307" => "(yarn cache clean || true)",
        "IS308" => "go clean -cache -modcache",
        "IS309" => "rm -rf ${CARGO_HOME:-$HOME/.cargo}/registry ${CARGO_HOME:-$HOME/.cargo}/git",
        "IS404" => "rm -rf /tmp/* /var/tmp/*",
        _ => return None,
    })
}

/// Rewrite a RUN so it cleans up after itself: flags that stop the cache being written where
/// the tool has one, and the removal appended otherwise.
fn rewrite(run: &str, rules: &[&str]) -> String {
    let mut cmd = run.to_string();
    let mut tail: Vec<&str> = Vec::new();
    for r in rules {
        match *r {
            "IS301" | "IS302" if !cmd.contains("--no-install-recommends") => {
                cmd = cmd.replace(
                    "apt-get install -y",
                    "apt-get install -y --no-install-recommends",
                );
            }
            "IS305" if cmd.contains("pip install") && !cmd.contains("--no-cache-dir") => {
                cmd = cmd.replace("pip install", "pip install --no-cache-dir");
                continue;
            }
            _ => {}
        }
        if let Some(c) = cleanup_command(r) {
            if !tail.contains(&c) {
                tail.push(c);
            }
        }
    }
    // apt-get clean before the list removal reads naturally.
    tail.sort_by_key(|c| !c.starts_with("apt-get clean"));
    if tail.is_empty() {
        cmd
    } else {
        format!("{cmd} \\\n && {}", tail.join(" \\\n && "))
    }
}

pub(crate) fn propose(plan: &Plan<'_>, fired: &[Fired], out: &mut Vec<Proposal>) {
    let layers = &plan.a.report.layers;
    // Cleanup: caches per layer that wrote them.
    let mut per_layer: BTreeMap<usize, Vec<&Fired>> = BTreeMap::new();
    for f in fired {
        if let (Some(l), Some(_)) = (f.finding.layer, cleanup_command(&f.finding.rule)) {
            per_layer.entry(l).or_default().push(f);
        }
    }
    for (layer, fs) in per_layer {
        let Some(cmd) = layers.get(layer).and_then(|l| l.command.as_deref()) else {
            continue;
        };
        let ins = dockerfile::instruction(cmd);
        let bytes: u64 = fs.iter().map(|f| f.finding.bytes).sum();
        let Some(run) = ins.strip_prefix("RUN ") else {
            // A cache that came with COPY/ADD: the build context is at fault.
            continue;
        };
        let mut rules: Vec<&str> = fs.iter().map(|f| f.finding.rule.as_str()).collect();
        rules.sort_unstable();
        rules.dedup();
        let new = format!("RUN {}", rewrite(run, &rules));
        let estimate = plan.size.saturating_sub(bytes);
        let mut later: Vec<usize> = fs
            .iter()
            .flat_map(|f| f.removed_in.iter().copied())
            .collect();
        later.sort_unstable();
        later.dedup();
        let what: Vec<String> = fs
            .iter()
            .map(|f| {
                format!(
                    "{} {} ({})",
                    f.finding.rule,
                    f.finding.name,
                    fmt_bytes(f.finding.bytes)
                )
            })
            .collect();
        out.push(Proposal {
            kind: ProposalKind::Cleanup,
            title: format!("Clean up in the same RUN as layer {layer}"),
            rationale: format!(
                "layer {layer} leaves {}: {}.{}{}",
                fmt_bytes(bytes),
                what.join(", "),
                if later.is_empty() {
                    String::new()
                } else {
                    format!(
                        " A later layer ({}) deletes them, which hides them but frees nothing.",
                        later
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                },
                if new.contains("--no-install-recommends")
                    && !run.contains("--no-install-recommends")
                {
                    " --no-install-recommends saves more, not counted in the estimate."
                } else {
                    ""
                }
            ),
            estimated_size_bytes: estimate,
            saved_bytes: saved(plan.size, estimate),
            dockerfile: Some(plan.reconstructed(Some((layer, &new)))),
            copy: Vec::new(),
            layer: Some(layer),
            instruction: Some(new),
        });
    }
    // A CUDA build of an ML framework where no GPU is asked for: the CPU wheels.
    for f in fired.iter().filter(|f| f.finding.rule == "IS701") {
        let Some(layer) = f.finding.layer else {
            continue;
        };
        let Some(cmd) = layers.get(layer).and_then(|l| l.command.as_deref()) else {
            continue;
        };
        let ins = dockerfile::instruction(cmd);
        if !ins.starts_with("RUN ") || !ins.contains("pip install") {
            continue;
        }
        let new = if ins.contains("--index-url") {
            ins.clone()
        } else {
            format!("{ins} --index-url https://download.pytorch.org/whl/cpu")
        };
        let estimate = plan.size.saturating_sub(f.finding.bytes);
        out.push(Proposal {
            kind: ProposalKind::Cleanup,
            title: format!("Install the CPU-only wheels in layer {layer}"),
            rationale: format!(
                "layer {layer} installs CUDA libraries ({}: {}) that only a GPU uses; PyTorch's CPU index ships the same API without them. Put the CPU index on the pip install of torch (and torchvision/torchaudio) only.",
                fmt_bytes(f.finding.bytes),
                f.finding.paths.iter().take(4).cloned().collect::<Vec<_>>().join(", ")
            ),
            estimated_size_bytes: estimate,
            saved_bytes: saved(plan.size, estimate),
            dockerfile: Some(plan.reconstructed(Some((layer, &new)))),
            copy: Vec::new(),
            layer: Some(layer),
            instruction: Some(new),
        });
    }
    // Squash / reorder: bytes rewritten or deleted by a later layer.
    for f in fired {
        let (rule, Some(layer)) = (f.finding.rule.as_str(), f.finding.layer) else {
            continue;
        };
        let cmd = layers
            .get(layer)
            .and_then(|l| l.command.as_deref())
            .map(dockerfile::instruction)
            .unwrap_or_default();
        let estimate = plan.size.saturating_sub(f.finding.bytes);
        let (title, rationale) = match rule {
            "IS901" => (
                format!("Set ownership when the files are written, not in layer {layer}"),
                format!(
                    "`{cmd}` stores {} again only to change owner or mode. Use COPY --chown=USER:GROUP, create the user before the steps that write the files and run them as that USER, or chown in the same RUN that creates them.",
                    fmt_bytes(f.finding.bytes)
                ),
            ),
            "IS902" => {
                let removed = f.removed_in.first().copied().unwrap_or(layer);
                (
                    format!(
                        "Squash layers {layer}..{removed}: delete in the RUN that creates the files"
                    ),
                    format!(
                        "layer {layer} (`{cmd}`) writes {} that layer {removed} deletes; move the deletion into layer {layer}'s RUN, or build with --squash.",
                        fmt_bytes(f.finding.bytes)
                    ),
                )
            }
            _ => continue,
        };
        out.push(Proposal {
            kind: ProposalKind::Squash,
            title,
            rationale,
            estimated_size_bytes: estimate,
            saved_bytes: saved(plan.size, estimate),
            dockerfile: None,
            copy: Vec::new(),
            layer: Some(layer),
            instruction: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::rewrite;

    #[test]
    fn rewrites_in_the_same_run() {
        assert_eq!(
            rewrite(
                "apt-get update && apt-get install -y gcc",
                &["IS301", "IS302"]
            ),
            "apt-get update && apt-get install -y --no-install-recommends gcc \\\n && apt-get clean \\\n && rm -rf /var/lib/apt/lists/*"
        );
        assert_eq!(
            rewrite("pip install torch", &["IS305"]),
            "pip install --no-cache-dir torch"
        );
        assert_eq!(
            rewrite("npm install", &["IS306"]),
            "npm install \\\n && npm cache clean --force"
        );
    }
}

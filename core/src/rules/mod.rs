//! The rules engine: a catalog of rules, each with a stable code and its docs (ruff's rule-doc
//! template: what it does, why it matters, an example, what to use instead), and one pass over
//! the merged tree that turns matches into [`Finding`]s with bytes, paths, layer and command.
//!
//! Codes by family: `IS1xx` build toolchains, `IS2xx` build artefacts, `IS3xx` package caches,
//! `IS4xx` VCS, temporary files and logs, `IS5xx` docs, `IS6xx` security, `IS7xx` ML/GPU,
//! `IS8xx` provenance, `IS9xx` layer structure. Codes are never reused.

mod artifacts;
mod caches;
mod clutter;
mod docs;
mod layers;
mod ml;
pub(crate) mod paths;
mod provenance;
mod security;
mod toolchain;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::exec::Exec;
use crate::layer::scan::Kind;
use crate::report::LayerReport;
use crate::report::findings::{Finding, Severity};
use crate::report::units::{bytes as fmt_bytes, name_of};
use crate::tree::{FileTree, NodeId, Version, VersionKind};
use crate::warning::Warning;

/// A rule's documentation, shown by `imgslim rules`, `imgslim rule CODE` and the web page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RuleDoc {
    /// Stable code, `IS301`.
    pub code: &'static str,
    /// Kebab-case name, `apt-lists`.
    pub name: &'static str,
    /// Family, `caches`.
    pub family: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// What it detects.
    pub what: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// An example that triggers it (a Dockerfile fragment).
    pub example: &'static str,
    /// What to do instead.
    pub instead: &'static str,
}

/// A path rule's test: the group a stored file belongs to, if the rule claims it.
pub(crate) type Matcher = fn(&str, &Version) -> Option<String>;

/// How a rule looks at the image.
#[derive(Clone, Copy)]
pub(crate) enum Check {
    /// Per stored file: the matcher returns the group the path belongs to (a directory such as
    /// `/var/lib/apt/lists`, or the path itself). A file is claimed by the first rule in
    /// catalog order, so no byte is counted twice. `min_bytes` silences small totals.
    Path { matcher: Matcher, min_bytes: u64 },
    /// A whole-image check.
    Image(ImageCheck),
}

/// A whole-image check: pushes what it finds.
pub(crate) type ImageCheck = fn(&Ctx<'_>, &RuleDoc, &mut Vec<Fired>);

/// One catalog entry.
#[derive(Clone, Copy)]
pub(crate) struct Rule {
    pub doc: RuleDoc,
    pub check: Check,
}

/// Every rule, in code order.
fn all() -> Vec<&'static Rule> {
    let mut v: Vec<&'static Rule> = toolchain::RULES
        .iter()
        .chain(artifacts::RULES)
        .chain(caches::RULES)
        .chain(clutter::RULES)
        .chain(docs::RULES)
        .chain(security::RULES)
        .chain(ml::RULES)
        .chain(provenance::RULES)
        .chain(layers::RULES)
        .collect();
    v.sort_by_key(|r| r.doc.code);
    v
}

/// The documentation of every rule, in code order.
pub fn catalog() -> Vec<RuleDoc> {
    all().into_iter().map(|r| r.doc).collect()
}

/// The documentation of one rule by code (`IS301`) or name (`apt-lists`), case-insensitively.
pub fn rule(code_or_name: &str) -> Option<RuleDoc> {
    all()
        .into_iter()
        .map(|r| r.doc)
        .find(|d| d.code.eq_ignore_ascii_case(code_or_name) || d.name == code_or_name)
}

/// True when some path rule claims this stored file (so layer rules do not count it twice).
pub(crate) fn claimed_by_path_rule(path: &str, v: &Version) -> bool {
    all().iter().any(|r| match r.check {
        Check::Path { matcher, .. } => matcher(path, v).is_some(),
        Check::Image(_) => false,
    })
}

/// A rule's documentation as Markdown-flavoured text, ruff's layout: title, what it does, why it
/// matters, example, use instead.
pub fn render_doc(d: &RuleDoc) -> String {
    let sev = name_of(d.severity);
    let indent = |t: &str| {
        t.lines()
            .map(|l| format!("    {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    format!(
        "# {} ({})\n\nFamily: {}. Severity: {sev}.\n\n## What it does\n{}\n\n## Why is this bad?\n{}\n\n## Example\n{}\n\n## Use instead\n{}\n",
        d.name,
        d.code,
        d.family,
        d.what,
        d.why,
        indent(d.example),
        indent(d.instead)
    )
}

/// What the rules see.
pub(crate) struct Ctx<'a> {
    pub tree: &'a FileTree,
    pub layers: &'a [LayerReport],
    pub warnings: &'a [Warning],
    /// The resolved entrypoint, where known.
    pub exec: Option<&'a Exec>,
    /// The config asks for a GPU (NVIDIA_VISIBLE_DEVICES, CUDA_VERSION): GPU libraries are wanted.
    pub gpu: bool,
}

impl Ctx<'_> {
    /// The history command of a layer.
    pub fn command(&self, layer: usize) -> Option<String> {
        self.layers.get(layer).and_then(|l| l.command.clone())
    }
}

/// Nodes that must never be proposed for removal: the entrypoint's runtime closure.
fn keep_set(ctx: &Ctx<'_>) -> BTreeSet<NodeId> {
    let mut keep = BTreeSet::new();
    if let Some(e) = ctx.exec {
        for c in &e.closure {
            for p in [&c.path, &c.resolved] {
                if let Some(n) = ctx.tree.lookup(p.as_bytes()) {
                    keep.insert(n);
                }
            }
        }
        for p in &e.file_args {
            if let Some(n) = ctx.tree.lookup(p.as_bytes()) {
                keep.insert(n);
            }
        }
    }
    keep
}

#[derive(Default)]
struct Group {
    bytes: u64,
    files: u64,
    roots: BTreeMap<String, u64>,
    /// Layers that removed every matched file of this group (none when some survive).
    removed_in: BTreeSet<usize>,
    survives: bool,
}

/// The layer that hides a version (a later version of the same node), if any.
fn hidden_by(tree: &FileTree, node: NodeId, layer: u16) -> Option<usize> {
    tree.versions(node)
        .filter(|(_, v)| v.layer > layer)
        .last()
        .map(|(_, v)| usize::from(v.layer))
}

/// A finding with what the proposals need beyond it.
#[derive(Debug, Clone)]
pub(crate) struct Fired {
    pub finding: Finding,
    /// Later layers that deleted every path of the finding (its bytes still ship in its layer).
    pub removed_in: Vec<usize>,
}

impl From<Finding> for Fired {
    fn from(finding: Finding) -> Self {
        Fired {
            finding,
            removed_in: Vec::new(),
        }
    }
}

impl Group {
    fn absorb(&mut self, other: Group) {
        self.bytes += other.bytes;
        self.files += other.files;
        for (root, bytes) in other.roots {
            *self.roots.entry(root).or_default() += bytes;
        }
        self.removed_in.extend(other.removed_in);
        self.survives |= other.survives;
    }
}

/// Node ids matched per parallel task.
const SLICE: usize = 4096;

/// The path rules' groups for the stored files of the nodes in `ids`.
fn match_paths(
    ctx: &Ctx<'_>,
    keep: &BTreeSet<NodeId>,
    path_rules: &[(usize, Matcher)],
    ids: std::ops::Range<u32>,
) -> BTreeMap<(usize, usize), Group> {
    let mut groups: BTreeMap<(usize, usize), Group> = BTreeMap::new();
    let tree = ctx.tree;
    for node in ids.map(NodeId) {
        if keep.contains(&node) {
            continue;
        }
        let mut path: Option<String> = None;
        for (_, v) in tree.versions(node) {
            if !matches!(v.kind, VersionKind::Entry(Kind::File | Kind::Hardlink)) {
                continue;
            }
            let p = path.get_or_insert_with(|| tree.path_string(node));
            let Some((ri, root)) = path_rules
                .iter()
                .find_map(|(i, m)| m(p, v).map(|root| (*i, root)))
            else {
                continue;
            };
            let layer = usize::from(v.layer);
            let g = groups.entry((ri, layer)).or_default();
            let size = if v.entry_kind() == Some(Kind::Hardlink) {
                0
            } else {
                v.size
            };
            g.bytes += size;
            g.files += 1;
            *g.roots.entry(root).or_default() += size;
            match hidden_by(tree, node, v.layer) {
                Some(l) => {
                    g.removed_in.insert(l);
                }
                None => g.survives = true,
            }
        }
    }
    groups
}

/// A share of [`run`]'s work.
enum Work {
    /// Path rules over a slice of node ids.
    Paths(std::ops::Range<u32>),
    /// One whole-image rule.
    Image(ImageCheck, RuleDoc),
}

/// What a share of the work found.
enum Done {
    Paths(BTreeMap<(usize, usize), Group>),
    Image(Vec<Fired>),
}

/// Run every rule.
pub(crate) fn run(ctx: &Ctx<'_>) -> Vec<Fired> {
    let rules = all();
    let keep = keep_set(ctx);
    let path_rules: Vec<(usize, Matcher)> = rules
        .iter()
        .enumerate()
        .filter_map(|(i, r)| match r.check {
            Check::Path { matcher, .. } => Some((i, matcher)),
            Check::Image(_) => None,
        })
        .collect();
    // The stored files are matched in slices of node ids on every core, each slice into its
    // own groups, merged after: sums and sets, so the slicing cannot change a figure. The
    // whole-image rules share the cores with them: each walks the tree on its own, and one
    // after the other they were a tenth of the analysis after the scans on node-app.
    let count = ctx.tree.len() as u32;
    let work: Vec<Work> = (1..count)
        .step_by(SLICE)
        .map(|start| Work::Paths(start..count.min(start + SLICE as u32)))
        .chain(rules.iter().filter_map(|r| match r.check {
            Check::Image(f) => Some(Work::Image(f, r.doc)),
            Check::Path { .. } => None,
        }))
        .collect();
    let done = crate::parallel::map_weighted(
        &work,
        |w| match w {
            Work::Paths(r) => r.len() as u64,
            Work::Image(..) => u64::from(count),
        },
        |w| match w {
            Work::Paths(r) => Done::Paths(match_paths(ctx, &keep, &path_rules, r.clone())),
            Work::Image(f, doc) => {
                let mut fired = Vec::new();
                f(ctx, doc, &mut fired);
                Done::Image(fired)
            }
        },
    );
    let mut groups: BTreeMap<(usize, usize), Group> = BTreeMap::new();
    let mut image_fired = Vec::new();
    for part in done {
        match part {
            Done::Paths(part) => {
                for (key, g) in part {
                    groups.entry(key).or_default().absorb(g);
                }
            }
            Done::Image(fired) => image_fired.extend(fired),
        }
    }
    let mut totals: BTreeMap<usize, u64> = BTreeMap::new();
    for ((ri, _), g) in &groups {
        *totals.entry(*ri).or_default() += g.bytes;
    }
    let mut out = Vec::new();
    for ((ri, layer), g) in groups {
        let rule = rules[ri];
        let Check::Path { min_bytes, .. } = rule.check else {
            continue;
        };
        if totals[&ri] < min_bytes || g.bytes == 0 || (ctx.gpu && rule.doc.family == "ml") {
            continue;
        }
        let mut roots: Vec<(String, u64)> = g.roots.into_iter().collect();
        roots.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let shown: Vec<String> = roots.iter().take(3).map(|r| r.0.clone()).collect();
        let mut message = format!(
            "{} in {} file{} under {}{}",
            fmt_bytes(g.bytes),
            g.files,
            if g.files == 1 { "" } else { "s" },
            shown.join(", "),
            if roots.len() > 3 {
                format!(" and {} more", roots.len() - 3)
            } else {
                String::new()
            }
        );
        if !g.survives && !g.removed_in.is_empty() {
            let ls: Vec<String> = g.removed_in.iter().map(ToString::to_string).collect();
            message.push_str(&format!(
                "; removed again in layer {}, which frees nothing: the bytes stay in layer {layer}",
                ls.join(", ")
            ));
        }
        let finding = Finding {
            rule: rule.doc.code.into(),
            name: rule.doc.name.into(),
            severity: rule.doc.severity,
            bytes: g.bytes,
            layer: Some(layer),
            command: ctx.command(layer),
            paths: roots.into_iter().take(50).map(|r| r.0).collect(),
            message,
        };
        out.push(Fired {
            finding,
            removed_in: if g.survives {
                Vec::new()
            } else {
                g.removed_in.into_iter().collect()
            },
        });
    }
    // In catalog order, as when they ran one after the other: the sort below is stable.
    out.extend(image_fired);
    out.sort_by(|a, b| {
        let (a, b) = (&a.finding, &b.finding);
        b.bytes
            .cmp(&a.bytes)
            .then(b.severity.cmp(&a.severity))
            .then_with(|| a.rule.cmp(&b.rule))
            .then(a.layer.cmp(&b.layer))
    });
    out
}

/// A finding with no bytes (security and provenance findings).
pub(crate) fn finding(
    doc: &RuleDoc,
    ctx: &Ctx<'_>,
    layer: Option<usize>,
    bytes: u64,
    paths: Vec<String>,
    message: String,
) -> Fired {
    Fired::from(Finding {
        rule: doc.code.into(),
        name: doc.name.into(),
        severity: doc.severity,
        bytes,
        layer,
        command: layer.and_then(|l| ctx.command(l)),
        paths,
        message,
    })
}

#[cfg(test)]
pub(crate) mod testing;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_documented() {
        let c = catalog();
        let codes: BTreeSet<_> = c.iter().map(|d| d.code).collect();
        assert_eq!(codes.len(), c.len());
        let names: BTreeSet<_> = c.iter().map(|d| d.name).collect();
        assert_eq!(names.len(), c.len());
        for d in &c {
            assert!(d.code.starts_with("IS") && d.code.len() == 5, "{}", d.code);
            assert!(!d.what.is_empty() && !d.why.is_empty(), "{}", d.code);
            assert!(!d.example.is_empty() && !d.instead.is_empty(), "{}", d.code);
        }
        assert_eq!(rule("is301").map(|d| d.name), Some("apt-lists"));
        assert_eq!(rule("apt-lists").map(|d| d.code), Some("IS301"));
    }
}

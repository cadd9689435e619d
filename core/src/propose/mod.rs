//! Slimming proposals, each with the image size it would give, computed by applying the change
//! to the file tree: multi-stage and scratch rewrites (from the entrypoint's runtime closure),
//! same-layer cleanup of caches, squashing, and a smaller-base hint.
//!
//! [`attach`] is the one step of the pipeline that reads file contents after the merge: the
//! entrypoint, the libraries it needs and `ld.so.conf`, nothing else.

mod cleanup;
pub mod dockerfile;
mod stages;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use crate::analyze::Analysis;
use crate::exec::fs::Fs;
use crate::exec::probe::Probe;
use crate::exec::{self, Exec, Facts};
use crate::report::LayerReport;
use crate::report::findings::{Proposal, ProposalKind};
use crate::rules::{self, Ctx};
use crate::tree::ContentId;

pub use dockerfile::{Instruction, map_layers, parse as parse_dockerfile};
pub use stages::RUNTIME_MARKER;

/// Only configuration files are read whole (`ld.so.conf`, `os-release`); this bounds them.
const MAX_READ: u64 = 1 << 20;

/// Resolve the entrypoint, run the rules and compute the proposals; fill the report.
pub(crate) fn attach(a: &mut Analysis) {
    let can_read = a.can_extract();
    let (exec, fired, proposals, reconstructed) = {
        let an: &Analysis = a;
        let read = |c: ContentId| -> Option<Vec<u8>> {
            if let Some(text) = an.gathered(c).0.and_then(|g| g.text) {
                return Some(text);
            }
            if !can_read || an.tree.content(c).size > MAX_READ {
                return None;
            }
            let mut buf = Vec::with_capacity(an.tree.content(c).size as usize);
            an.extract(c, &mut buf).ok()?;
            Some(buf)
        };
        // The scan probed every content of compressed layers (and of any layer read from a
        // stream) as it passed; a content of a skipped uncompressed layer is streamed through a
        // probe from its offset now. No file is held whole.
        let facts_cache: RefCell<HashMap<ContentId, Rc<Facts>>> = RefCell::new(HashMap::new());
        let facts = |c: ContentId| -> Option<Rc<Facts>> {
            if let Some(f) = facts_cache.borrow().get(&c) {
                return Some(f.clone());
            }
            let mut f = match an.gathered(c) {
                (Some(g), _) => g.facts.unwrap_or_default(),
                (None, true) => Facts::default(),
                (None, false) if can_read => {
                    let size = an.tree.content(c).size;
                    let mut probe = Probe::new(size, false);
                    an.extract(c, &mut probe).ok()?;
                    probe.finish().and_then(|g| g.facts).unwrap_or_default()
                }
                (None, false) => return None,
            };
            // A stream could not complete the loader facts (program headers after the data, as
            // BOLT lays files out): read just the headers, segments and strings by offset.
            if f.incomplete && can_read {
                let read_at = |offset: u64, buf: &mut [u8]| {
                    let mut out = std::io::Cursor::new(buf);
                    let want = out.get_ref().len() as u64;
                    an.copy_range(c, offset, want, &mut out).ok() == Some(want)
                };
                f.elf = exec::elf::parse_by_reads(an.tree.content(c).size, &read_at);
                f.incomplete = false;
            }
            let f = Rc::new(f);
            facts_cache.borrow_mut().insert(c, f.clone());
            Some(f)
        };
        let fs = Fs {
            tree: &an.tree,
            read: &read,
            facts: &facts,
        };
        let config = &an.report.image.config;
        let has_cmd = config.entrypoint.as_ref().is_some_and(|e| !e.is_empty())
            || config.cmd.as_ref().is_some_and(|c| !c.is_empty());
        let exec = (has_cmd && (can_read || an.probed_all())).then(|| exec::resolve(&fs, config));
        let gpu =
            config.env.iter().flatten().any(|e| {
                e.starts_with("NVIDIA_VISIBLE_DEVICES=") || e.starts_with("CUDA_VERSION=")
            });
        let ctx = Ctx {
            tree: &an.tree,
            layers: &an.report.layers,
            warnings: &an.report.warnings,
            exec: exec.as_ref(),
            gpu,
        };
        let fired = rules::run(&ctx);
        let plan = Plan::new(an, &fs, exec.as_ref());
        let mut proposals = Vec::new();
        stages::propose(&plan, &mut proposals);
        cleanup::propose(&plan, &fired, &mut proposals);
        proposals.sort_by(|a, b| {
            b.saved_bytes
                .cmp(&a.saved_bytes)
                .then_with(|| a.title.cmp(&b.title))
        });
        let reconstructed = plan.reconstructed(None);
        drop(plan);
        (exec, fired, proposals, reconstructed)
    };
    a.reconstructed_dockerfile = reconstructed;
    a.report.findings = fired.into_iter().map(|f| f.finding).collect();
    a.report.proposals = proposals;
    a.exec = exec;
}

/// What every proposal needs to know about the image.
pub(crate) struct Plan<'a> {
    pub a: &'a Analysis,
    pub exec: Option<&'a Exec>,
    /// Layers that come from the base image.
    pub base_layers: usize,
    /// The base image's name, as well as it can be told.
    pub base_name: String,
    /// dive's size of the image now.
    pub size: u64,
}

impl<'a> Plan<'a> {
    fn new(a: &'a Analysis, fs: &'a Fs<'a>, exec: Option<&'a Exec>) -> Self {
        Plan {
            a,
            exec,
            base_layers: base_layers(&a.report.layers),
            base_name: base_name(a, fs),
            size: a.report.summary.size_bytes,
        }
    }

    /// The history steps after the base, as Dockerfile instructions. The base image's own
    /// closing `CMD`/`ENTRYPOINT` is dropped, and `COPY file:<hash> in .` gets its source names
    /// back from the files the layer added.
    pub fn steps(&self) -> Vec<(Option<usize>, String)> {
        let mut workdir = "/".to_string();
        let mut out = Vec::new();
        for l in &self.a.report.layers {
            for e in &l.empty_history_before {
                let ins = dockerfile::instruction(e);
                if let Some(w) = ins.strip_prefix("WORKDIR ") {
                    workdir = crate::exec::fs::join(&workdir, w.trim());
                }
                let base_end = ins.starts_with("CMD") || ins.starts_with("ENTRYPOINT");
                if l.index > self.base_layers || (l.index == self.base_layers && !base_end) {
                    out.push((None, ins));
                }
            }
            if l.index < self.base_layers {
                continue;
            }
            let ins = match l.command.as_deref() {
                Some(c) => self.copy_sources(l.index, &dockerfile::instruction(c), &workdir),
                None => "# (layer without history)".to_string(),
            };
            out.push((Some(l.index), ins));
        }
        out
    }

    /// `COPY file:abc… /dst` → `COPY hello.c /dst`, naming what the layer added.
    fn copy_sources(&self, layer: usize, ins: &str, workdir: &str) -> String {
        let mut words = ins.split_whitespace();
        let kw = words.next().unwrap_or("");
        let rest: Vec<&str> = words.collect();
        let (Some(src), Some(dst)) = (rest.first(), rest.last()) else {
            return ins.to_string();
        };
        if !(kw == "COPY" || kw == "ADD") || rest.len() != 2 {
            return ins.to_string();
        }
        if !["file:", "multi:", "dir:"]
            .iter()
            .any(|p| src.starts_with(p))
        {
            return ins.to_string();
        }
        let tree = &self.a.tree;
        let abs = crate::exec::fs::join(workdir, dst);
        let prefix = if abs == "/" {
            "/".to_string()
        } else {
            format!("{abs}/")
        };
        let mut names: Vec<String> = Vec::new();
        for n in tree.node_ids().skip(1) {
            let Some((_, v)) = tree
                .versions(n)
                .find(|(_, v)| usize::from(v.layer) == layer)
            else {
                continue;
            };
            if !v.exists() || v.implicit {
                continue;
            }
            let p = tree.path_string(n);
            if p == abs && !v.is_dir() {
                names = vec![p.rsplit('/').next().unwrap_or("").to_string()];
                break;
            }
            if let Some(r) = p.strip_prefix(&prefix) {
                let top = r.split('/').next().unwrap_or("").to_string();
                if !top.is_empty() && !names.contains(&top) {
                    names.push(top);
                }
            }
        }
        if names.is_empty() {
            return ins.to_string();
        }
        names.sort();
        format!("{kw} {} {dst}", names.join(" "))
    }

    /// The whole image as a Dockerfile, recovered from its history: `FROM` the base, then one
    /// instruction per history entry. `replace` swaps one layer's instruction.
    pub fn reconstructed(&self, replace: Option<(usize, &str)>) -> String {
        let mut out = String::new();
        if self.base_layers > 0 {
            out.push_str(&format!("FROM {}\n", self.base_name));
        } else {
            out.push_str("FROM scratch\n");
        }
        for (layer, ins) in self.steps() {
            match (layer, replace) {
                (Some(l), Some((r, new))) if l == r => out.push_str(new),
                _ => out.push_str(&ins),
            }
            out.push('\n');
        }
        // Trailing metadata-only history (ENV, USER, CMD) follows the last layer and is not
        // attached to any: take it from the config.
        let present: Vec<String> = out.lines().map(str::to_string).collect();
        for line in stages::metadata(self).lines() {
            if !present.iter().any(|p| p == line) {
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    }
}

/// The base image ends before the last layer whose history is preceded by a `CMD` or
/// `ENTRYPOINT` of its own (a base image's final instruction, `CMD ["bash"]`); with none, a
/// first `ADD` of a root filesystem is the base; otherwise the image is `FROM scratch`.
pub(crate) fn base_layers(layers: &[LayerReport]) -> usize {
    let ends_image = |c: &str| {
        let i = dockerfile::instruction(c);
        i.starts_with("CMD") || i.starts_with("ENTRYPOINT")
    };
    if let Some(l) = layers
        .iter()
        .rev()
        .find(|l| l.index > 0 && l.empty_history_before.iter().any(|c| ends_image(c)))
    {
        return l.index;
    }
    match layers.first().and_then(|l| l.command.as_deref()) {
        Some(c) if dockerfile::instruction(c).starts_with("ADD") && layers.len() > 1 => 1,
        _ => 0,
    }
}

/// `org.opencontainers.image.base.name`, else the distribution from `/etc/os-release`
/// (`debian:12`), else a placeholder the user must fill in.
fn base_name(a: &Analysis, fs: &Fs<'_>) -> String {
    let labels = a.report.image.config.labels.as_ref();
    if let Some(n) = labels.and_then(|l| l.get("org.opencontainers.image.base.name")) {
        return n.clone();
    }
    let os = fs
        .read_text("/etc/os-release")
        .or_else(|| fs.read_text("/usr/lib/os-release"));
    if let Some(text) = os {
        let field = |k: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("{k}=")))
                .map(|v| v.trim_matches('"').to_string())
        };
        if let (Some(id), Some(v)) = (field("ID"), field("VERSION_ID")) {
            return format!("{id}:{v}");
        }
    }
    "BASE-IMAGE".into()
}

/// Report figures: a proposal's estimate against today's size.
pub(crate) fn saved(size: u64, estimate: u64) -> u64 {
    size.saturating_sub(estimate)
}

/// A proposal applied to the user's own Dockerfile (`--dockerfile`): for multi-stage and scratch
/// rewrites, the original becomes the builder stage (its last `FROM` named `build` unless it has
/// a name) followed by the proposed runtime stage; a cleanup replaces the instruction that made
/// the layer. `None` when the proposal has no Dockerfile form or its layer maps to no line.
pub fn apply_to_dockerfile(p: &Proposal, original: &str, layer_count: usize) -> Option<String> {
    let mut ins = dockerfile::parse(original);
    dockerfile::map_layers(&mut ins, layer_count);
    match p.kind {
        ProposalKind::MultiStage | ProposalKind::Scratch => {
            let df = p.dockerfile.as_deref()?;
            let (_, runtime) = df.split_once(RUNTIME_MARKER)?;
            let last_from = ins.iter().rev().find(|i| i.keyword == "FROM")?;
            let words: Vec<&str> = last_from.text.split_whitespace().collect();
            let alias = words
                .iter()
                .position(|w| w.eq_ignore_ascii_case("AS"))
                .and_then(|i| words.get(i + 1))
                .map(|s| (*s).to_string());
            let mut lines: Vec<String> = original.lines().map(str::to_string).collect();
            let name = match alias {
                Some(a) => a,
                None => {
                    let l = lines.get_mut(last_from.line - 1)?;
                    l.push_str(" AS build");
                    "build".to_string()
                }
            };
            let mut runtime = runtime.replace("--from=build ", &format!("--from={name} "));
            // The runtime stage starts from the image's own base: the user's last FROM names it.
            if p.kind == ProposalKind::MultiStage {
                if let (Some(base), Some(i)) = (words.get(1), runtime.find("\nFROM ")) {
                    let end = runtime[i + 1..]
                        .find('\n')
                        .map_or(runtime.len(), |j| i + 1 + j);
                    runtime.replace_range(i + 1..end, &format!("FROM {base}"));
                }
            }
            let mut out = lines.join("\n");
            out.push_str("\n\n");
            out.push_str(RUNTIME_MARKER);
            out.push_str(&runtime);
            Some(out)
        }
        ProposalKind::Cleanup => {
            let layer = p.layer?;
            let new = p.instruction.as_deref()?;
            let idx = ins.iter().position(|i| i.layer == Some(layer))?;
            let start = ins[idx].line;
            // The instruction runs to the line before the next one (continuations, comments).
            let lines: Vec<&str> = original.lines().collect();
            let mut end = start;
            while end < lines.len() && lines[end - 1].trim_end().ends_with('\\') {
                end += 1;
            }
            let mut out: Vec<String> = lines[..start - 1]
                .iter()
                .map(|s| (*s).to_string())
                .collect();
            out.push(new.to_string());
            out.extend(lines[end..].iter().map(|s| (*s).to_string()));
            let mut text = out.join("\n");
            text.push('\n');
            Some(text)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests;

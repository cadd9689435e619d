//! `IS9xx`: layer structure. Bytes that ship twice because a later layer rewrote files without
//! changing them (`chown -R`, `chmod -R`), or that ship although a later layer deleted them.

use std::collections::BTreeMap;

use super::paths::first_components;
use super::{Check, Ctx, Fired, Rule, RuleDoc, claimed_by_path_rule, finding};
use crate::layer::scan::Kind;
use crate::report::findings::Severity;
use crate::report::units::bytes as fmt_bytes;
use crate::tree::VersionKind;

/// Reported from this many duplicated or dead bytes per layer.
const MIN_BYTES: u64 = 1 << 20;

#[derive(Default)]
struct Acc {
    bytes: u64,
    files: u64,
    roots: BTreeMap<String, u64>,
}

impl Acc {
    fn add(&mut self, path: &str, size: u64) {
        self.bytes += size;
        self.files += 1;
        *self.roots.entry(first_components(path, 3)).or_default() += size;
    }

    fn paths(&self) -> Vec<String> {
        let mut r: Vec<(&String, &u64)> = self.roots.iter().collect();
        r.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
        r.into_iter().take(20).map(|(p, _)| p.clone()).collect()
    }
}

fn metadata_rewrite(ctx: &Ctx<'_>, doc: &RuleDoc, out: &mut Vec<Fired>) {
    let tree = ctx.tree;
    let mut per: BTreeMap<usize, Acc> = BTreeMap::new();
    for n in tree.node_ids().skip(1) {
        let vs: Vec<_> = tree.versions(n).map(|(_, v)| v).collect();
        for w in vs.windows(2) {
            let (newer, older) = (w[0], w[1]);
            let file = |v: &crate::tree::Version| v.kind == VersionKind::Entry(Kind::File);
            if file(newer) && file(older) && newer.size == older.size && newer.size > 0 {
                let same = match (newer.content(), older.content()) {
                    (Some(a), Some(b)) => tree.same_data(a, b).unwrap_or(true),
                    _ => true,
                };
                if same {
                    per.entry(usize::from(newer.layer))
                        .or_default()
                        .add(&tree.path_string(n), newer.size);
                }
            }
        }
    }
    for (layer, acc) in per {
        if acc.bytes < MIN_BYTES {
            continue;
        }
        let cmd = ctx.command(layer).unwrap_or_default();
        let why = if ["chown", "chmod", "chgrp", "touch"]
            .iter()
            .any(|c| cmd.contains(c))
        {
            "rewrites them to change owner, mode or time"
        } else {
            "rewrites them with the same size"
        };
        out.push(finding(
            doc,
            ctx,
            Some(layer),
            acc.bytes,
            acc.paths(),
            format!(
                "layer {layer} {why}: {} in {} files ship twice",
                fmt_bytes(acc.bytes),
                acc.files
            ),
        ));
    }
}

fn removed_later(ctx: &Ctx<'_>, doc: &RuleDoc, out: &mut Vec<Fired>) {
    let tree = ctx.tree;
    let mut per: BTreeMap<(usize, usize), Acc> = BTreeMap::new();
    for n in tree.node_ids().skip(1) {
        let vs: Vec<_> = tree.versions(n).map(|(_, v)| v).collect();
        let mut path: Option<String> = None;
        for w in vs.windows(2) {
            let (newer, older) = (w[0], w[1]);
            if newer.exists() || older.entry_kind() != Some(Kind::File) || older.size == 0 {
                continue;
            }
            let p = path.get_or_insert_with(|| tree.path_string(n));
            if claimed_by_path_rule(p, older) {
                continue;
            }
            per.entry((usize::from(older.layer), usize::from(newer.layer)))
                .or_default()
                .add(p, older.size);
        }
    }
    for ((added, removed), acc) in per {
        if acc.bytes < MIN_BYTES {
            continue;
        }
        let mut f = finding(
            doc,
            ctx,
            Some(added),
            acc.bytes,
            acc.paths(),
            format!(
                "{} in {} files added in layer {added} and deleted in layer {removed} still ship in layer {added}",
                fmt_bytes(acc.bytes),
                acc.files
            ),
        );
        f.removed_in = vec![removed];
        out.push(f);
    }
}

/// The layer-structure rules.
pub(crate) static RULES: &[Rule] = &[
    Rule {
        doc: RuleDoc {
            code: "IS901",
            name: "metadata-only-rewrite",
            family: "layers",
            severity: Severity::Medium,
            what: "A layer that stores files again with unchanged size and content, typically `chown -R`, `chmod -R` or `touch` on files an earlier layer wrote; reported from 1 MiB.",
            why: "A layer stores whole files, so changing only the owner or mode copies every byte again.",
            example: "COPY . /app\nRUN chown -R app:app /app",
            instead: "COPY --chown=app:app . /app   (or chown in the same RUN that created the files)",
        },
        check: Check::Image(metadata_rewrite),
    },
    Rule {
        doc: RuleDoc {
            code: "IS902",
            name: "removed-in-later-layer",
            family: "layers",
            severity: Severity::Medium,
            what: "Files a layer adds and a later layer deletes (those no other rule names); reported from 1 MiB per pair of layers.",
            why: "Deleting in a later layer hides files but does not remove their bytes from the image.",
            example: "RUN curl -o /big.tgz … && tar xf /big.tgz\nRUN rm /big.tgz",
            instead: "Delete in the same RUN that created the files, or squash the two layers.",
        },
        check: Check::Image(removed_later),
    },
];

#[cfg(test)]
mod tests {
    use super::super::testing::findings_for;
    use imgslim_tests::{Entry, Layer};

    #[test]
    fn chown_copy_and_late_delete() {
        let big = vec![7u8; 1 << 20];
        let f = findings_for(vec![
            Layer::new(
                "COPY . /app",
                vec![
                    Entry::file("app/a.bin", big.clone()),
                    Entry::file("opt/x.tgz", big.clone()),
                ],
            ),
            Layer::new(
                "RUN chown -R app:app /app",
                vec![Entry::file("app/a.bin", big.clone())],
            ),
            Layer::new("RUN rm /opt/x.tgz", vec![Entry::whiteout("opt/x.tgz")]),
        ]);
        let c = f.iter().find(|f| f.rule == "IS901").expect("IS901");
        assert_eq!((c.bytes, c.layer), (1 << 20, Some(1)));
        assert!(c.message.contains("owner"));
        let r = f.iter().find(|f| f.rule == "IS902").expect("IS902");
        assert_eq!((r.bytes, r.layer), (1 << 20, Some(0)));
        assert!(r.message.contains("deleted in layer 2"));
    }
}

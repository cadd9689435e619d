//! `IS8xx`: provenance. An image whose layers have no history, or whose history does not match
//! its layers, was not built from a Dockerfile (typically `docker commit`) and cannot be
//! rebuilt.

use super::{Check, Ctx, Fired, Rule, RuleDoc, finding};
use crate::report::findings::Severity;
use crate::warning::WarningKind;

fn no_history(ctx: &Ctx<'_>, doc: &RuleDoc, out: &mut Vec<Fired>) {
    for l in ctx.layers {
        if l.command.as_deref().is_none_or(|c| c.trim().is_empty()) {
            out.push(finding(
                doc,
                ctx,
                Some(l.index),
                0,
                Vec::new(),
                format!(
                    "layer {} ({} bytes) has no history command: it was not built by a Dockerfile instruction (docker commit?) and cannot be reproduced",
                    l.index, l.size_bytes
                ),
            ));
        }
    }
}

fn mismatch(ctx: &Ctx<'_>, doc: &RuleDoc, out: &mut Vec<Fired>) {
    for w in ctx.warnings {
        if w.kind == WarningKind::HistoryMismatch {
            out.push(finding(doc, ctx, None, 0, Vec::new(), w.message.clone()));
        }
    }
}

/// The provenance rules.
pub(crate) static RULES: &[Rule] = &[
    Rule {
        doc: RuleDoc {
            code: "IS801",
            name: "layer-without-history",
            family: "provenance",
            severity: Severity::Medium,
            what: "Layers whose history entry is missing or has no command.",
            why: "A layer without a build step was made by `docker commit` or a hand-made archive: nobody can tell how to rebuild it, review it or patch it.",
            example: "docker run -it debian bash   # apt-get install … by hand\ndocker commit <id> myimage",
            instead: "Write the steps into a Dockerfile and build it.",
        },
        check: Check::Image(no_history),
    },
    Rule {
        doc: RuleDoc {
            code: "IS802",
            name: "history-mismatch",
            family: "provenance",
            severity: Severity::Medium,
            what: "The config's history has a different number of layer-making entries than the image has layers.",
            why: "The commands shown for each layer cannot be trusted; the image was edited or committed outside a build.",
            example: "docker commit on a container of a built image; tools that rewrite layers without history",
            instead: "Rebuild the image from its Dockerfile.",
        },
        check: Check::Image(mismatch),
    },
];

#[cfg(test)]
mod tests {
    use super::super::testing::analyze_image;
    use imgslim_tests::{Entry, History, Image, Layer};

    #[test]
    fn committed_layers_are_flagged() {
        let mut image = Image::new(vec![
            Layer::new("ADD rootfs /", vec![Entry::file("a", "x")]),
            Layer::new("", vec![Entry::file("b", "y")]),
        ]);
        image.config.history = Some(vec![History::layer("ADD rootfs /"), History::default()]);
        let f = analyze_image(&image).report.findings;
        let p: Vec<_> = f.iter().filter(|f| f.rule == "IS801").collect();
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].layer, Some(1));

        let mut image = Image::new(vec![Layer::new("x", vec![Entry::file("a", "x")])]);
        image.config.history = Some(vec![History::layer("x"), History::layer("y")]);
        let f = analyze_image(&image).report.findings;
        assert!(f.iter().any(|f| f.rule == "IS802"));
    }
}

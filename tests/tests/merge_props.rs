//! Property tests of the layer merge against a tiny reference model of the OCI rules
//! (image-spec `layer.md`): random adds, overwrites, whiteouts and opaque directories over a
//! small path alphabet, in 1 to 4 layers.

mod common;

use std::collections::BTreeMap;

use imgslim_core::Kind;
use imgslim_tests::fixtures::{Content, Entry, Image, Layer};
use proptest::prelude::*;

const PATHS: [&str; 6] = ["a", "b", "a/x", "a/y", "b/x", "a/x/z"];

#[derive(Debug, Clone)]
enum Op {
    File(usize, u8),
    Dir(usize),
    Whiteout(usize),
    /// A directory entry plus its opaque marker, as `RUN rm -rf d/* && ...` layers carry them.
    Opaque(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let p = 0..PATHS.len();
    prop_oneof![
        3 => (p.clone(), 0u8..40).prop_map(|(i, n)| Op::File(i, n)),
        1 => p.clone().prop_map(Op::Dir),
        2 => p.clone().prop_map(Op::Whiteout),
        1 => p.prop_map(Op::Opaque),
    ]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Node {
    File { size: u64, layer: u16 },
    Dir,
}

/// The reference model: path → what the final image has there.
#[derive(Default)]
struct Model {
    state: BTreeMap<String, Node>,
}

impl Model {
    fn remove_below(&mut self, p: &str) {
        let prefix = format!("{p}/");
        self.state.retain(|k, _| !k.starts_with(&prefix));
    }

    fn remove(&mut self, p: &str) {
        self.state.remove(p);
        self.remove_below(p);
    }

    fn ensure_parents(&mut self, p: &str) {
        let parts: Vec<&str> = p.split('/').collect();
        for i in 1..parts.len() {
            let q = parts[..i].join("/");
            // A file where a directory is needed is replaced by one; a missing one is made.
            if self.state.get(&q) != Some(&Node::Dir) {
                self.state.insert(q, Node::Dir);
            }
        }
    }

    fn write(&mut self, p: &str, node: Node) {
        self.ensure_parents(p);
        if node != Node::Dir {
            // A non-directory over a directory takes the directory's subtree with it.
            self.remove_below(p);
        }
        if node == Node::Dir && self.state.get(p) == Some(&Node::Dir) {
            return;
        }
        self.state.insert(p.to_owned(), node);
    }

    fn apply(&mut self, layer: u16, ops: &[Op]) {
        // Markers apply to the lower layers only, so they all go before the layer's entries.
        for o in ops {
            match o {
                Op::Whiteout(i) => self.remove(PATHS[*i]),
                Op::Opaque(i) if self.state.get(PATHS[*i]) == Some(&Node::Dir) => {
                    self.remove_below(PATHS[*i]);
                }
                _ => {}
            }
        }
        for o in ops {
            match o {
                Op::File(i, n) => self.write(
                    PATHS[*i],
                    Node::File {
                        size: u64::from(*n),
                        layer,
                    },
                ),
                Op::Dir(i) | Op::Opaque(i) => self.write(PATHS[*i], Node::Dir),
                Op::Whiteout(_) => {}
            }
        }
    }
}

fn layer_entries(ops: &[Op]) -> Vec<Entry> {
    let mut out = Vec::new();
    for o in ops {
        match o {
            Op::File(i, n) => out.push(Entry::file_with(
                PATHS[*i],
                Content::Repeat {
                    byte: b'a' + n % 26,
                    len: u64::from(*n),
                },
                0o644,
            )),
            Op::Dir(i) => out.push(Entry::dir(PATHS[*i])),
            Op::Whiteout(i) => out.push(Entry::whiteout(PATHS[*i])),
            Op::Opaque(i) => {
                out.push(Entry::dir(PATHS[*i]));
                out.push(Entry::opaque(PATHS[*i]));
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn merge_matches_the_reference_model(
        layers in prop::collection::vec(prop::collection::vec(op(), 0..6), 1..=4)
    ) {
        let image = Image::new(
            layers
                .iter()
                .enumerate()
                .map(|(i, ops)| Layer::new(&format!("layer {i}"), layer_entries(ops)))
                .collect(),
        );
        let a = common::analyze_image(&image);
        let t = &a.tree;

        let mut model = Model::default();
        for (i, ops) in layers.iter().enumerate() {
            model.apply(i as u16, ops);
        }

        // Every path of the model is in the final tree, as the same kind, size and layer.
        for (p, want) in &model.state {
            let n = t.lookup(p.as_bytes());
            let v = n.and_then(|n| t.live_final(n));
            let got = v.map(|v| match v.entry_kind() {
                Some(Kind::Dir) => Node::Dir,
                _ => Node::File { size: v.size, layer: v.layer },
            });
            prop_assert_eq!(got, Some(*want), "{}", p);
        }
        // And nothing else is live.
        let mut live: Vec<String> = t
            .node_ids()
            .skip(1)
            .filter(|&n| t.live_final(n).is_some())
            .map(|n| t.path_string(n).trim_start_matches('/').to_owned())
            .collect();
        live.sort();
        let want: Vec<&String> = model.state.keys().collect();
        prop_assert_eq!(live.iter().collect::<Vec<_>>(), want);
        common::assert_no_live_orphans(t);

        // Reclaimable bytes are exactly what was stored minus what is visible.
        let stored: u64 = layers
            .iter()
            .flatten()
            .map(|o| match o {
                Op::File(_, n) => u64::from(*n),
                _ => 0,
            })
            .sum();
        let visible: u64 = model
            .state
            .values()
            .map(|n| match n {
                Node::File { size, .. } => *size,
                Node::Dir => 0,
            })
            .sum();
        let s = &a.report.summary;
        prop_assert_eq!(s.final_bytes, visible);
        prop_assert_eq!(s.reclaimable_bytes, stored - visible);
        prop_assert_eq!(s.size_bytes, stored);
        prop_assert_eq!(
            s.final_files,
            model.state.values().filter(|n| **n != Node::Dir).count() as u64
        );
    }
}

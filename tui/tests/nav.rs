//! The navigation model's row arithmetic: windows taken anywhere agree with a full walk, and
//! index_of inverts it, through expansions, filters, layers and modes.

mod common;

use common::example_analysis;
use imgslim_tui::nav::{Mode, NavModel, SortOrder};

fn check(nav: &mut NavModel, tree: &imgslim_core::tree::FileTree) {
    let all = nav.all_rows(tree);
    assert_eq!(all.len(), nav.len());
    for start in 0..all.len() {
        for count in [1, 3, 36] {
            let w = nav.window(tree, start, count);
            let end = (start + count).min(all.len());
            assert_eq!(w, all[start..end], "window({start}, {count})");
        }
        assert_eq!(nav.index_of(tree, all[start].node), Some(start));
    }
    assert!(nav.window(tree, all.len(), 5).is_empty());
    // Depths step down by at most one, and a parent row precedes its children.
    for pair in all.windows(2) {
        assert!(pair[1].depth <= pair[0].depth + 1);
        if pair[1].depth == pair[0].depth + 1 {
            assert_eq!(tree.parent(pair[1].node), Some(pair[0].node));
        }
    }
}

#[test]
fn windows_and_indices_agree_with_a_full_walk() {
    let analysis = example_analysis();
    let tree = &analysis.tree;
    let mut nav = NavModel::new(tree);
    check(&mut nav, tree);
    nav.toggle_collapse_all(tree); // expand everything
    check(&mut nav, tree);
    // Collapse and reopen directories at several depths.
    for i in [0, 1, 5, 9, 20] {
        nav.select(tree, i);
        nav.toggle_selected(tree);
        check(&mut nav, tree);
    }
    nav.set_sort(tree, SortOrder::Name);
    check(&mut nav, tree);
    for layer in 0..tree.layer_count() {
        nav.set_layer(tree, layer);
        check(&mut nav, tree);
        nav.set_mode(tree, Mode::Layer);
        check(&mut nav, tree);
        nav.set_mode(tree, Mode::Aggregated);
    }
    for f in ["u", "us", "usr/l", "usr/li", "usr/l", "", "APT", "gcc"] {
        nav.set_filter(tree, f);
        check(&mut nav, tree);
    }
    nav.select(tree, 3);
    nav.toggle_selected(tree);
    check(&mut nav, tree);
}

#[test]
fn selection_follows_the_node_through_collapse_and_rebuild() {
    let analysis = example_analysis();
    let tree = &analysis.tree;
    let mut nav = NavModel::new(tree);
    nav.toggle_collapse_all(tree);
    let hello = tree.lookup(b"/usr/local/bin/hello").unwrap();
    assert!(nav.reveal(tree, hello));
    assert_eq!(nav.selected_node(), Some(hello));
    // Sorting by name moves the row; the selection stays on the node.
    nav.set_sort(tree, SortOrder::Name);
    assert_eq!(nav.selected_node(), Some(hello));
    // Collapsing an ancestor selects the ancestor.
    let local = tree.lookup(b"/usr/local").unwrap();
    let li = nav.index_of(tree, local).unwrap();
    nav.select(tree, li);
    nav.toggle_selected(tree);
    assert_eq!(nav.selected_node(), Some(local));
    assert_eq!(
        nav.index_of(tree, hello),
        None,
        "hidden in a closed directory"
    );
}

#[test]
fn filter_matches_are_path_substrings() {
    let analysis = example_analysis();
    let tree = &analysis.tree;
    let parents: Vec<u32> = tree
        .node_ids()
        .map(|id| tree.parent(id).map_or(0, |p| p.0))
        .collect();
    let lower = imgslim_tui::filter::LowerNames::new(tree);
    for f in [
        "gcc",
        "GCC",
        "usr/l",
        "/usr/lib/",
        "r/b",
        "s/",
        "/",
        "hello.c",
        "12/cc",
        "x86_64-linux-gnu/c",
    ] {
        let mut matches = Vec::new();
        imgslim_tui::filter::compute(tree, &parents, &lower, f, None, &mut matches);
        for id in tree.node_ids().skip(1) {
            let path = tree.path_string(id);
            let want = if f.chars().any(char::is_uppercase) {
                path.contains(f)
            } else {
                path.to_ascii_lowercase().contains(&f.to_ascii_lowercase())
            };
            assert_eq!(matches[id.0 as usize], want, "{f:?} on {path}");
        }
    }
}

#[test]
fn incremental_filtering_equals_filtering_from_scratch() {
    let analysis = example_analysis();
    let tree = &analysis.tree;
    let mut nav = NavModel::new(tree);
    // Typing, Backspace (served from the kept matches), retyping, case changes, clearing.
    for f in [
        "u", "us", "usr", "usr/", "usr/l", "usr/", "usr", "usr/b", "usr/bi", "usr/b", "U", "",
        "deb", "de", "d", "do", "doc",
    ] {
        nav.set_filter(tree, f);
        let mut fresh = NavModel::new(tree);
        fresh.set_filter(tree, f);
        assert_eq!(nav.all_rows(tree), fresh.all_rows(tree), "filter {f:?}");
    }
}

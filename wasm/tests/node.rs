//! The facade under Node (`wasm-bindgen-test-runner`, which wasm-bindgen-cli installs):
//! `cargo test -p imgslim-wasm --target wasm32-unknown-unknown` (see DEVELOPERS.md).
//!
//! The fixture is built here, byte by byte: the project's fixture builder (`imgslim-tests`) links
//! libzstd (C) and does not build for wasm32, and a committed binary would be opaque. A
//! docker-save archive is three JSON-free tar members and two small layer tars; this writes
//! exactly that, with real diff_ids, so nothing is hidden.
#![cfg(target_arch = "wasm32")]

use imgslim_wasm::Image;
use js_sys::{Array, Function, Reflect, Uint8Array};
use sha2::{Digest, Sha256};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

/// One ustar member: `kind` b'0' file, b'5' directory.
fn member(out: &mut Vec<u8>, name: &str, kind: u8, data: &[u8]) {
    let mut h = [0u8; 512];
    h[..name.len()].copy_from_slice(name.as_bytes());
    let mode: &[u8] = if kind == b'5' {
        b"0000755\0"
    } else {
        b"0000644\0"
    };
    h[100..108].copy_from_slice(mode);
    h[108..116].copy_from_slice(b"0000000\0");
    h[116..124].copy_from_slice(b"0000000\0");
    h[124..136].copy_from_slice(format!("{:011o}\0", data.len()).as_bytes());
    h[136..148].copy_from_slice(b"00000000000\0");
    h[148..156].copy_from_slice(b"        ");
    h[156] = kind;
    h[257..265].copy_from_slice(b"ustar\x0000");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    out.extend_from_slice(&h);
    out.extend_from_slice(data);
    out.resize(out.len().div_ceil(512) * 512, 0);
}

fn finish(mut tar: Vec<u8>) -> Vec<u8> {
    tar.resize(tar.len() + 1024, 0);
    tar
}

fn sha(b: &[u8]) -> String {
    format!("sha256:{}", hex(&Sha256::digest(b)))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Layer 0 adds app/big (40000 bytes) and app/a.txt; layer 1 deletes app/big with a whiteout
/// and adds app/b.txt, a copy of app/a.txt. So: 40000 reclaimable bytes, one duplicate group.
fn example() -> Vec<u8> {
    example_with(40_000)
}

/// The example with app/big of `big_bytes`.
fn example_with(big_bytes: usize) -> Vec<u8> {
    let big = vec![7u8; big_bytes];
    let text = b"same bytes in two files\n".repeat(100);
    let mut l0 = Vec::new();
    member(&mut l0, "app/", b'5', b"");
    member(&mut l0, "app/big", b'0', &big);
    member(&mut l0, "app/a.txt", b'0', &text);
    let l0 = finish(l0);
    let mut l1 = Vec::new();
    member(&mut l1, "app/", b'5', b"");
    member(&mut l1, "app/.wh.big", b'0', b"");
    member(&mut l1, "app/b.txt", b'0', &text);
    let l1 = finish(l1);
    let config = format!(
        r#"{{"architecture":"amd64","os":"linux","config":{{}},"rootfs":{{"type":"layers","diff_ids":["{}","{}"]}},"history":[{{"created_by":"COPY big a.txt /app/"}},{{"created_by":"RUN rm /app/big && cp /app/a.txt /app/b.txt"}}]}}"#,
        sha(&l0),
        sha(&l1)
    );
    let manifest = r#"[{"Config":"config.json","RepoTags":["example:1"],"Layers":["l0/layer.tar","l1/layer.tar"]}]"#;
    let mut outer = Vec::new();
    member(&mut outer, "manifest.json", b'0', manifest.as_bytes());
    member(&mut outer, "config.json", b'0', config.as_bytes());
    member(&mut outer, "l0/layer.tar", b'0', &l0);
    member(&mut outer, "l1/layer.tar", b'0', &l1);
    finish(outer)
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).unwrap()
}

fn num(v: &JsValue, key: &str) -> f64 {
    get(v, key)
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is not a number"))
}

fn open(bytes: Vec<u8>) -> Image {
    Image::open_bytes(bytes, "example.tar".into(), JsValue::UNDEFINED, None)
        .unwrap_or_else(|e| panic!("open failed: {:?}", JsValue::from(e)))
}

fn error_text(e: wasm_bindgen::JsError) -> String {
    let v = JsValue::from(e);
    get(&v, "message").as_string().unwrap()
}

#[wasm_bindgen_test]
fn summary_layers_waste_and_duplicates() {
    let img = open(example());
    let s = img.summary().unwrap();
    assert_eq!(num(&s, "layer_count"), 2.0);
    assert_eq!(num(&s, "reclaimable_bytes"), 40_000.0);
    assert_eq!(num(&s, "duplicate_groups"), 1.0);
    assert_eq!(num(&s, "duplicate_bytes"), 2400.0);
    let layers: Array = img.layers().unwrap().dyn_into().unwrap();
    assert_eq!(layers.length(), 2);
    assert_eq!(
        get(&layers.get(1), "command").as_string().unwrap(),
        "RUN rm /app/big && cp /app/a.txt /app/b.txt"
    );
    let wasted: Array = img.wasted().unwrap().dyn_into().unwrap();
    assert_eq!(get(&wasted.get(0), "path").as_string().unwrap(), "/app/big");
    assert_eq!(
        get(&wasted.get(0), "reason").as_string().unwrap(),
        "deleted"
    );
    let dups: Array = img.duplicates().unwrap().dyn_into().unwrap();
    assert_eq!(dups.length(), 1);
    let findings: Array = img.findings().unwrap().dyn_into().unwrap();
    let proposals: Array = img.proposals().unwrap().dyn_into().unwrap();
    // Filled once rules and proposals exist; always arrays.
    let _ = (findings.length(), proposals.length());
}

#[wasm_bindgen_test]
fn children_cross_one_level_at_a_time_with_changes_per_layer() {
    let img = open(example());
    let root: Array = img
        .children(img.root_id(), None, None)
        .unwrap()
        .dyn_into()
        .unwrap();
    assert_eq!(root.length(), 1);
    let app = root.get(0);
    assert_eq!(get(&app, "name").as_string().unwrap(), "app");
    assert_eq!(get(&app, "hasChildren"), JsValue::TRUE);
    let app_id = num(&app, "id") as u32;
    // Final image: b.txt (added by layer 1), a.txt, and big shown as removed.
    let rows: Array = img
        .children(app_id, None, Some("name".into()))
        .unwrap()
        .dyn_into()
        .unwrap();
    let names: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            (
                get(&r, "name").as_string().unwrap(),
                get(&r, "change").as_string().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("a.txt".into(), "unchanged".into()),
            ("b.txt".into(), "added".into()),
            ("big".into(), "removed".into())
        ]
    );
    // As of layer 0, big is there and the biggest.
    let rows: Array = img
        .children(app_id, Some(0), None)
        .unwrap()
        .dyn_into()
        .unwrap();
    assert_eq!(get(&rows.get(0), "name").as_string().unwrap(), "big");
    assert_eq!(num(&rows.get(0), "size"), 40_000.0);
    assert_eq!(get(&rows.get(0), "change").as_string().unwrap(), "added");
    assert_eq!(
        img.path(num(&rows.get(0), "id") as u32).unwrap(),
        "/app/big"
    );
    let hits: Array = img
        .search("B.TXT".into(), None, None)
        .unwrap()
        .dyn_into()
        .unwrap();
    assert_eq!(hits.length(), 1);
    assert_eq!(get(&hits.get(0), "name").as_string().unwrap(), "/app/b.txt");
    assert!(img.children(9999, None, None).is_err());
    assert!(img.children(app_id, Some(5), None).is_err());
}

#[wasm_bindgen_test]
fn reports_render_as_json_and_markdown() {
    let img = open(example());
    let json = img.report_json().unwrap();
    let parsed = js_sys::JSON::parse(&json).unwrap();
    assert_eq!(num(&get(&parsed, "summary"), "reclaimable_bytes"), 40_000.0);
    let md = img.report_markdown().unwrap();
    assert!(md.starts_with("## imgslim: `example:1`"), "{md}");
}

#[wasm_bindgen_test]
fn reads_through_a_callback_in_slices_and_reports_progress() {
    let bytes = Uint8Array::from(&example()[..]);
    let calls = Array::new();
    // Global state for the JS closures: the test's own arrays, passed through `this`-free
    // closures built with `Function::new_with_args` and bound to them.
    let read = Function::new_with_args(
        "bytes, calls, off, len",
        "calls.push(len); return bytes.subarray(off, off + Math.min(len, 1000));",
    )
    .bind2(&JsValue::NULL, &bytes, &calls)
    .unchecked_into::<Function>();
    let seen = Array::new();
    let progress = Function::new_with_args("seen, s", "seen.push(s);")
        .bind1(&JsValue::NULL, &seen)
        .unchecked_into::<Function>();
    let img = Image::open(
        f64::from(bytes.length()),
        read,
        "example.tar".into(),
        JsValue::UNDEFINED,
        Some(progress),
    )
    .unwrap_or_else(|e| panic!("{:?}", JsValue::from(e)));
    assert_eq!(num(&img.summary().unwrap(), "reclaimable_bytes"), 40_000.0);
    // Short reads (at most 1000 bytes) were enough: nothing asked for the whole file at once.
    assert!(calls.length() > 10);
    let last = seen.get(seen.length() - 1);
    assert_eq!(num(&last, "layersDone"), 2.0);
    assert_eq!(num(&last, "layersTotal"), 2.0);
}

#[wasm_bindgen_test]
fn a_true_from_the_progress_callback_cancels() {
    let progress = Function::new_no_args("return true;");
    let e = Image::open_bytes(
        example(),
        "example.tar".into(),
        JsValue::UNDEFINED,
        Some(progress),
    )
    .err()
    .expect("cancelled");
    assert_eq!(error_text(e), "cancelled");
}

#[wasm_bindgen_test]
fn errors_carry_the_whole_chain() {
    let e = Image::open_bytes(
        b"hello, not a tar".repeat(64),
        "notes.txt".into(),
        JsValue::UNDEFINED,
        None,
    )
    .err()
    .expect("not an image");
    let text = error_text(e);
    assert!(text.contains("not an image archive"), "{text}");

    // A read callback that throws: its message reaches JS under the core's context.
    let read = Function::new_with_args("off, len", "throw new Error('disk unplugged')");
    let e = Image::open(4096.0, read, "x.tar".into(), JsValue::UNDEFINED, None)
        .err()
        .expect("read error");
    let text = error_text(e);
    assert!(text.contains("disk unplugged"), "{text}");

    let bad = js_sys::JSON::parse(r#"{"no_such_option": 1}"#).unwrap();
    let e = Image::open_bytes(example(), "x.tar".into(), bad, None)
        .err()
        .expect("bad options");
    assert!(error_text(e).starts_with("bad options"));
}

#[wasm_bindgen_test]
fn reads_bigger_than_the_cache_window_and_odd_offsets_stay_exact() {
    // 3 MiB in one file: the scan reads its header and jumps over its contents (a jump starts a
    // small window again), and the callback's short reads (100 kB) still fill each window.
    let bytes = Uint8Array::from(&example_with(3 << 20)[..]);
    let sizes = Array::new();
    let read = Function::new_with_args(
        "bytes, sizes, off, len",
        "sizes.push(len); return bytes.subarray(off, off + Math.min(len, 100000));",
    )
    .bind2(&JsValue::NULL, &bytes, &sizes)
    .unchecked_into::<Function>();
    let img = Image::open(
        f64::from(bytes.length()),
        read,
        "big.tar".into(),
        JsValue::UNDEFINED,
        None,
    )
    .unwrap_or_else(|e| panic!("{:?}", JsValue::from(e)));
    let s = img.summary().unwrap();
    assert_eq!(num(&s, "reclaimable_bytes"), f64::from(3u32 << 20));
    assert_eq!(num(&s, "duplicate_bytes"), 2400.0);
    // Fewer calls than a read per 100 kB of file: the scan skipped the big file's contents.
    assert!(
        f64::from(sizes.length()) < f64::from(bytes.length()) / 100_000.0,
        "{}",
        sizes.length()
    );
}

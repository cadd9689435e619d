//! imgslim-wasm: the browser playground's facade over `imgslim-core`.
//!
//! A stateful [`Image`] handle keeps the [`Analysis`] (report and merged tree) in wasm memory;
//! JavaScript asks it for small values: the summary, the layers, the children of one tree node,
//! the waste and duplicate lists, findings, proposals, and the whole report as JSON or Markdown.
//! The tree never crosses the boundary at once.
//!
//! Input is read by byte range through a JavaScript callback `read(offset, length) → Uint8Array`.
//! In the page that callback runs inside a Web Worker and slices the dropped `File` with
//! `FileReaderSync`, so a multi-GB archive is never copied into wasm memory whole: the core reads
//! headers and skips contents (core/src/source.rs, `RangeReader`).
//!
//! Built without threads (`imgslim-core` with default features off: no rayon, no libzstd).
//! Values cross as JSON (serde_json → `JSON.parse`): no extra serializer in the `.wasm`, and the
//! shapes are exactly those of `imgslim analyze --format json`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::io;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::Mutex;

use imgslim_core::diff;
use imgslim_core::report::{markdown, text, units};
use imgslim_core::tree::{Change, FileTree, NodeId};
use imgslim_core::{
    Analysis, Input, Kind, Options, Progress, Report, Snapshot, Source, WasteReason, analyze,
};
use js_sys::{Function, Uint8Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;

mod errors;
mod tree;

pub use errors::error_chain;
use tree::SortBy;

// JS values are neither `Send` nor `Sync`, but the core's `Source` and progress callback must
// be. The wasm build is single-threaded, so the JS functions live in thread-locals and the
// values handed to the core are plain ids and a plain `fn`.
thread_local! {
    static READERS: RefCell<HashMap<u32, Function>> = RefCell::new(HashMap::new());
    static NEXT_READER: RefCell<u32> = const { RefCell::new(0) };
    static PROGRESS_JS: RefCell<Option<Function>> = const { RefCell::new(None) };
    static PROGRESS_NOW: RefCell<Option<Rc<Progress<'static>>>> = const { RefCell::new(None) };
}

/// A [`Source`] that calls a JS `read(offset, length)` returning a `Uint8Array`.
///
/// Each call costs a `Blob.slice` and a `FileReaderSync` read in the worker: measured in
/// Chromium 0.5 ms per call plus about 2 ms per MiB. The core's `RangeReader` asks for 256 KiB
/// after every skip, once per tar header in a header-only scan: passing that through made the
/// 1.4 GB corpus image (72 710 reads) take 67 s in the page, against 3.4 s for the same wasm
/// reading through Node's `fs.readSync`. So reads go through a small cache of windows: a read
/// far from the last window fetches 16 KiB (a header, a small file); a read that keeps going
/// forward doubles the window up to 1 MiB, so a scan of many small files costs few calls.
struct JsSource {
    id: u32,
    len: u64,
    cache: Mutex<Windows>,
}

#[derive(Default)]
struct Windows {
    /// `(start, bytes)`, most recently used first.
    list: Vec<(u64, Vec<u8>)>,
    /// End and size of the last window fetched.
    last_end: u64,
    last_size: u64,
}

/// First window after a jump.
const MIN_WINDOW: u64 = 16 << 10;
/// Largest window; reads this big or bigger bypass the cache.
const MAX_WINDOW: u64 = 1 << 20;
/// Windows kept.
const WINDOWS: usize = 8;

impl JsSource {
    fn new(read: Function, len: u64) -> Self {
        let id = NEXT_READER.with(|n| {
            let mut n = n.borrow_mut();
            *n = n.wrapping_add(1);
            *n
        });
        READERS.with(|r| r.borrow_mut().insert(id, read));
        JsSource {
            id,
            len,
            cache: Mutex::new(Windows::default()),
        }
    }

    /// One call of the JS reader: up to `buf.len()` bytes at `offset`.
    fn read_js(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        let read = READERS
            .with(|r| r.borrow().get(&self.id).cloned())
            .ok_or_else(|| io::Error::other("the reader was released"))?;
        // Offsets are below 2^53 for any file a browser can hold, so f64 is exact.
        let got = read
            .call2(
                &JsValue::NULL,
                &JsValue::from_f64(offset as f64),
                &JsValue::from_f64(buf.len() as f64),
            )
            .map_err(|e| io::Error::other(js_message(&e)))?;
        let bytes: Uint8Array = got
            .dyn_into()
            .map_err(|_| io::Error::other("read callback did not return a Uint8Array"))?;
        let n = (bytes.length() as usize).min(buf.len());
        if n == bytes.length() as usize {
            bytes.copy_to(&mut buf[..n]);
        } else {
            bytes.subarray(0, n as u32).copy_to(&mut buf[..n]);
        }
        Ok(n)
    }
}

impl Drop for JsSource {
    fn drop(&mut self) {
        READERS.with(|r| r.borrow_mut().remove(&self.id));
    }
}

impl Source for JsSource {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        if offset >= self.len || buf.is_empty() {
            return Ok(0);
        }
        let want = (self.len - offset).min(buf.len() as u64) as usize;
        if want as u64 >= MAX_WINDOW {
            return self.read_js(offset, &mut buf[..want]);
        }
        let mut cache = self
            .cache
            .lock()
            .map_err(|_| io::Error::other("read cache poisoned"))?;
        let hit = cache
            .list
            .iter()
            .position(|(s, b)| *s <= offset && offset < *s + b.len() as u64);
        let i = match hit {
            Some(i) => i,
            None => {
                // Forward within one window of the last fetch: a scan going on; else a jump.
                let size = if offset >= cache.last_end && offset - cache.last_end <= MAX_WINDOW {
                    (cache.last_size * 2).clamp(MIN_WINDOW, MAX_WINDOW)
                } else {
                    MIN_WINDOW
                }
                .max(want as u64)
                .min(self.len - offset) as usize;
                let mut window = vec![0u8; size];
                let mut filled = 0;
                while filled < size {
                    let n = self.read_js(offset + filled as u64, &mut window[filled..])?;
                    if n == 0 {
                        break;
                    }
                    filled += n;
                }
                window.truncate(filled);
                cache.last_end = offset + filled as u64;
                cache.last_size = size as u64;
                if cache.list.len() == WINDOWS {
                    cache.list.pop();
                }
                cache.list.push((offset, window));
                cache.list.len() - 1
            }
        };
        let entry = cache.list.remove(i);
        let at = (offset - entry.0) as usize;
        let n = (entry.1.len() - at).min(want);
        buf[..n].copy_from_slice(&entry.1[at..at + n]);
        cache.list.insert(0, entry);
        Ok(n)
    }
}

/// A JS exception as text.
fn js_message(e: &JsValue) -> String {
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        return String::from(err.message());
    }
    e.as_string().unwrap_or_else(|| format!("{e:?}"))
}

/// The core's progress callback: forwards to the JS function; a JS `true` return cancels.
fn progress_trampoline(s: Snapshot) {
    let Some(cb) = PROGRESS_JS.with(|p| p.borrow().clone()) else {
        return;
    };
    let snap = js_sys::Object::new();
    for (k, v) in [
        ("bytesDone", s.bytes_done),
        ("bytesTotal", s.bytes_total),
        ("layersDone", s.layers_done),
        ("layersTotal", s.layers_total),
    ] {
        let _ = js_sys::Reflect::set(&snap, &k.into(), &JsValue::from_f64(v as f64));
    }
    if matches!(cb.call1(&JsValue::NULL, &snap), Ok(v) if v.is_truthy()) {
        cancel();
    }
}

/// Ask the analysis that is running to stop; it fails with `cancelled` soon after. Useful from
/// inside the progress callback (returning `true` from it does the same). In the page, cancel
/// terminates the worker instead, because a busy worker does not read messages.
#[wasm_bindgen]
pub fn cancel() {
    PROGRESS_NOW.with(|p| {
        if let Some(p) = p.borrow().as_ref() {
            p.cancel();
        }
    });
}

/// A history `created_by` as a Dockerfile-like line, exactly as the CLI prints it.
#[wasm_bindgen(js_name = commandLine)]
pub fn command_line(created_by: &str) -> String {
    units::command(created_by)
}

/// Why a file is wasted (`deleted`, `overwritten`, …), in the CLI's words.
#[wasm_bindgen(js_name = reasonText)]
pub fn reason_text(reason: &str, by_layer: usize) -> Result<String, JsError> {
    let reason: WasteReason = serde_json::from_value(serde_json::Value::String(reason.into()))
        .map_err(|e| JsError::new(&format!("unknown waste reason {reason:?}: {e}")))?;
    Ok(text::reason_text(reason, by_layer))
}

/// Bytes in SI units as the CLI prints them (`667.7 MB`).
#[wasm_bindgen(js_name = formatBytes)]
pub fn format_bytes(n: f64) -> String {
    units::bytes(n as u64)
}

/// A rule's documentation (what, why, example, instead) by code or name; `null` when unknown.
#[wasm_bindgen(js_name = ruleDoc)]
pub fn rule_doc(code_or_name: &str) -> Result<JsValue, JsError> {
    match imgslim_core::rules::rule(code_or_name) {
        Some(doc) => to_js(&doc),
        None => Ok(JsValue::NULL),
    }
}

/// Compare two reports (each as `imgslim analyze --format json` prints it), as `imgslim diff`
/// does for saved reports: summary and per-layer deltas, the listed paths, findings.
#[wasm_bindgen(js_name = diffReports)]
pub fn diff_reports(old_json: &str, new_json: &str) -> Result<JsValue, JsError> {
    let old = Report::from_json(old_json).map_err(|e| JsError::new(&format!("old report: {e}")))?;
    let new = Report::from_json(new_json).map_err(|e| JsError::new(&format!("new report: {e}")))?;
    let d = diff::diff(
        diff::Side {
            report: &old,
            tree: None,
        },
        diff::Side {
            report: &new,
            tree: None,
        },
        diff::DiffOptions::default(),
    );
    to_js(&d)
}

/// Serialize to a JS value through JSON (numbers stay numbers; u64 figures fit in 2^53).
fn to_js<T: Serialize + ?Sized>(v: &T) -> Result<JsValue, JsError> {
    let text = serde_json::to_string(v).map_err(|e| error_chain(&e))?;
    js_sys::JSON::parse(&text).map_err(|e| JsError::new(&js_message(&e)))
}

fn parse_options(options: &JsValue) -> Result<Options, JsError> {
    if options.is_undefined() || options.is_null() {
        return Ok(Options::default());
    }
    let text = js_sys::JSON::stringify(options)
        .map_err(|e| JsError::new(&js_message(&e)))?
        .as_string()
        .unwrap_or_default();
    serde_json::from_str(&text).map_err(|e| JsError::new(&format!("bad options: {e}")))
}

/// One analysed image.
#[wasm_bindgen]
pub struct Image {
    analysis: Analysis,
    /// Subtree sizes as of one layer, computed on first use (one pass over the arena).
    sizes: RefCell<Option<(usize, Rc<Vec<u64>>)>>,
}

fn run(input: Input<'_>, options: &JsValue, progress: Option<Function>) -> Result<Image, JsError> {
    let options = parse_options(options)?;
    let p = Rc::new(match progress {
        Some(f) => {
            PROGRESS_JS.with(|p| *p.borrow_mut() = Some(f));
            Progress::with_callback(&progress_trampoline)
        }
        None => Progress::default(),
    });
    PROGRESS_NOW.with(|now| *now.borrow_mut() = Some(p.clone()));
    let result = analyze(input, &options, &p);
    PROGRESS_JS.with(|p| *p.borrow_mut() = None);
    PROGRESS_NOW.with(|now| *now.borrow_mut() = None);
    let analysis = result.map_err(|e| error_chain(&e))?;
    Ok(Image {
        analysis,
        sizes: RefCell::new(None),
    })
}

#[wasm_bindgen]
impl Image {
    /// Analyse an archive of `length` bytes read through `read(offset, length) → Uint8Array`
    /// (which may return fewer bytes than asked, never more). `options` is the core's `Options`
    /// as a JS object (or undefined); `progress({bytesDone, bytesTotal, layersDone, layersTotal})`
    /// is called about every 8 MiB and may return `true` to cancel.
    pub fn open(
        length: f64,
        read: Function,
        name: String,
        options: JsValue,
        progress: Option<Function>,
    ) -> Result<Image, JsError> {
        if !(length.is_finite() && length >= 0.0) {
            return Err(JsError::new("length must be a non-negative number"));
        }
        let source: Arc<dyn Source> = Arc::new(JsSource::new(read, length as u64));
        run(Input::Archive { source, name }, &options, progress)
    }

    /// Analyse an archive already in memory (small files and tests).
    #[wasm_bindgen(js_name = openBytes)]
    pub fn open_bytes(
        bytes: Vec<u8>,
        name: String,
        options: JsValue,
        progress: Option<Function>,
    ) -> Result<Image, JsError> {
        let source: Arc<dyn Source> = Arc::new(bytes);
        run(Input::Archive { source, name }, &options, progress)
    }

    /// The report's summary figures.
    pub fn summary(&self) -> Result<JsValue, JsError> {
        to_js(&self.analysis.report.summary)
    }

    /// Image metadata (source name, format, tags, platform, digests, run config).
    pub fn image(&self) -> Result<JsValue, JsError> {
        to_js(&self.analysis.report.image)
    }

    /// The layers, with their full commands and change counts.
    pub fn layers(&self) -> Result<JsValue, JsError> {
        to_js(&self.analysis.report.layers)
    }

    /// Files stored in a layer but hidden in the final image, with their reasons.
    pub fn wasted(&self) -> Result<JsValue, JsError> {
        to_js(&self.analysis.report.wasted)
    }

    /// Groups of identical files in the final image.
    pub fn duplicates(&self) -> Result<JsValue, JsError> {
        to_js(&self.analysis.report.duplicates)
    }

    /// Rule findings (empty until rules fire).
    pub fn findings(&self) -> Result<JsValue, JsError> {
        to_js(&self.analysis.report.findings)
    }

    /// Rewrite proposals with their Dockerfiles (empty until proposals are made).
    pub fn proposals(&self) -> Result<JsValue, JsError> {
        to_js(&self.analysis.report.proposals)
    }

    /// Warnings about oddities that did not stop the analysis.
    pub fn warnings(&self) -> Result<JsValue, JsError> {
        to_js(&self.analysis.report.warnings)
    }

    /// The whole report as pretty JSON, byte-for-byte what `imgslim analyze --format json` prints.
    #[wasm_bindgen(js_name = reportJson)]
    pub fn report_json(&self) -> Result<String, JsError> {
        let mut out =
            serde_json::to_string_pretty(&self.analysis.report).map_err(|e| error_chain(&e))?;
        out.push('\n');
        Ok(out)
    }

    /// The report as GitHub-flavoured Markdown, as `imgslim analyze --format markdown` prints it.
    #[wasm_bindgen(js_name = reportMarkdown)]
    pub fn report_markdown(&self) -> Result<String, JsError> {
        let mut out = String::new();
        markdown::render(&self.analysis.report, &mut out)
            .map_err(|_| JsError::new("rendering the Markdown report failed"))?;
        Ok(out)
    }

    /// Number of layers.
    #[wasm_bindgen(js_name = layerCount)]
    pub fn layer_count(&self) -> usize {
        self.analysis.report.layers.len()
    }

    /// The id of the root directory (always 0).
    #[wasm_bindgen(js_name = rootId)]
    pub fn root_id(&self) -> u32 {
        FileTree::ROOT.0
    }

    /// The children of node `id` as of `layer` (the final image when undefined): rows of
    /// `{id, name, size, change, kind, hasChildren}`; `sort` is `"size"` (default) or `"name"`.
    /// Paths absent at that layer are left out; paths the layer removed are kept (`removed`).
    pub fn children(
        &self,
        id: u32,
        layer: Option<usize>,
        sort: Option<String>,
    ) -> Result<JsValue, JsError> {
        let layer = self.layer_or_final(layer)?;
        let node = self.node(id)?;
        let sizes = self.sizes_at(layer);
        let sort = SortBy::parse(sort.as_deref())?;
        let rows = tree::children(&self.analysis.tree, node, layer, &sizes, sort);
        to_js(&rows)
    }

    /// Paths containing `query` (case-insensitive) that exist as of `layer` or were changed by
    /// it, biggest first, at most `limit` rows of `{id, path, size, change, kind, hasChildren}`.
    pub fn search(
        &self,
        query: String,
        layer: Option<usize>,
        limit: Option<usize>,
    ) -> Result<JsValue, JsError> {
        let layer = self.layer_or_final(layer)?;
        let sizes = self.sizes_at(layer);
        let rows = tree::search(
            &self.analysis.tree,
            &query,
            layer,
            &sizes,
            limit.unwrap_or(500),
        );
        to_js(&rows)
    }

    /// The absolute path of node `id`.
    pub fn path(&self, id: u32) -> Result<String, JsError> {
        let node = self.node(id)?;
        Ok(self.analysis.tree.path_string(node))
    }

    /// The ids from the root down to node `id` (for breadcrumbs and zooming out).
    pub fn ancestors(&self, id: u32) -> Result<Vec<u32>, JsError> {
        let mut node = self.node(id)?;
        let mut out = vec![node.0];
        while let Some(p) = self.analysis.tree.parent(node) {
            out.push(p.0);
            node = p;
        }
        out.reverse();
        Ok(out)
    }
}

impl Image {
    fn layer_or_final(&self, layer: Option<usize>) -> Result<usize, JsError> {
        let n = self.analysis.report.layers.len();
        match layer {
            None => Ok(n.saturating_sub(1)),
            Some(l) if l < n => Ok(l),
            Some(l) => Err(JsError::new(&format!(
                "layer {l} does not exist; the image has {n} layers"
            ))),
        }
    }

    fn node(&self, id: u32) -> Result<NodeId, JsError> {
        if (id as usize) < self.analysis.tree.len() {
            Ok(NodeId(id))
        } else {
            Err(JsError::new(&format!("no tree node with id {id}")))
        }
    }

    fn sizes_at(&self, layer: usize) -> Rc<Vec<u64>> {
        let mut cache = self.sizes.borrow_mut();
        if let Some((l, sizes)) = cache.as_ref()
            && *l == layer
        {
            return sizes.clone();
        }
        let sizes = Rc::new(self.analysis.tree.sizes_at(layer));
        *cache = Some((layer, sizes.clone()));
        sizes
    }
}

/// Keep the `Kind`/`Change` names used by the tree rows in one place.
pub(crate) fn kind_name(k: Option<Kind>) -> &'static str {
    match k {
        Some(Kind::Dir) => "dir",
        Some(Kind::File) => "file",
        Some(Kind::Symlink) => "symlink",
        Some(Kind::Hardlink) => "hardlink",
        Some(_) => "other",
        None => "removed",
    }
}

/// The kebab-case name of a change, as the page's colour classes use it.
pub(crate) fn change_name(c: Change) -> &'static str {
    match c {
        Change::Added => "added",
        Change::Modified => "modified",
        Change::Removed => "removed",
        Change::Unchanged => "unchanged",
        Change::Absent => "absent",
    }
}

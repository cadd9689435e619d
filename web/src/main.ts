// The playground page: get an image in (drop anywhere, file picker, sample), show progress with
// cancel, then the results. All analysis happens in a worker (session.ts); nothing is uploaded.
import { comparePanel } from "./compare";
import { download, h, panel } from "./dom";
import { bytes } from "./format";
import {
  duplicatesPanel,
  findingsPanel,
  layersPanel,
  proposalsPanel,
  summaryCards,
  wastePanel,
  warningsPanel,
} from "./sections";
import { Session } from "./session";
import { fileTree } from "./tree";
import { treeMap } from "./treemap";
import type { Snapshot } from "./types";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const results = $<HTMLDivElement>("results");
const progressBox = $<HTMLDivElement>("progress");
const bar = $<HTMLProgressElement>("progress-bar");
const progressText = $<HTMLSpanElement>("progress-text");
const errorBox = $<HTMLDivElement>("error");
const cancelBtn = $<HTMLButtonElement>("cancel");
const compareLabel = $<HTMLLabelElement>("compare-label");

let primary: Session | null = null;
let second: Session | null = null;
let cancelCurrent: (() => void) | null = null;

function showError(message: string) {
  errorBox.textContent = message;
  errorBox.hidden = false;
}

function showProgress(name: string, s: Snapshot) {
  const frac = s.bytesTotal > 0 ? s.bytesDone / s.bytesTotal : 0;
  bar.value = Math.min(1, frac);
  const layers = s.layersTotal > 0 ? `layer ${s.layersDone} of ${s.layersTotal} · ` : "";
  const of = s.bytesTotal > 0 ? ` of ${bytes(s.bytesTotal)}` : "";
  progressText.textContent = `${name}: ${layers}${bytes(s.bytesDone)}${of} read`;
}

/** Analyse a file; `asSecond` compares it with the image already shown. */
async function analyse(file: File | Blob, name: string, asSecond: boolean) {
  if (cancelCurrent) return; // one analysis at a time
  errorBox.hidden = true;
  progressBox.hidden = false;
  bar.value = 0;
  progressText.textContent = `${name}: starting…`;
  cancelBtn.focus();
  try {
    const session = await Session.open(
      file,
      name,
      (s) => showProgress(name, s),
      (cancel) => (cancelCurrent = cancel),
    );
    if (asSecond && primary) {
      second?.close();
      second = session;
    } else {
      primary?.close();
      second?.close();
      second = null;
      primary = session;
    }
    await render();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    showError(msg === "cancelled" ? `Cancelled: ${name} was not analysed.` : `Could not analyse ${name}: ${msg}`);
  } finally {
    cancelCurrent = null;
    progressBox.hidden = true;
  }
}

async function render() {
  if (!primary) return;
  const p = primary;
  const d = p.data;
  const base = d.name.replace(/\.(tar|tgz|tar\.gz|tar\.zst)$/i, "") || "image";
  const title = d.image.repo_tags[0] ?? d.name;
  const platform = [d.image.platform.os, d.image.platform.architecture, d.image.platform.variant].filter(Boolean).join("/");
  const exportJson = h("button", { type: "button", id: "export-json", class: "secondary", onclick: async () =>
    download(`${base}.imgslim.json`, await p.call<string>("reportJson"), "application/json") }, "Download JSON");
  const exportMd = h("button", { type: "button", id: "export-md", class: "secondary", onclick: async () =>
    download(`${base}.imgslim.md`, await p.call<string>("reportMarkdown"), "text/markdown") }, "Download Markdown");

  const parts: (HTMLElement | null)[] = [
    h(
      "div",
      { class: "title-row" },
      h("h2", { id: "image-title" }, title),
      h("div", { class: "actions" }, exportJson, exportMd),
    ),
    h("p", { class: "hint", id: "image-meta" },
      `${d.name} · ${d.image.format}${platform ? ` · ${platform}` : ""} · ${bytes(d.fileBytes)} file · analysed in ${(d.ms / 1000).toFixed(2)} s · wasm memory ${bytes(d.wasmMemoryBytes)}`),
    summaryCards(d),
  ];
  if (second) {
    parts.push(await comparePanel(p, second, () => {
      second?.close();
      second = null;
      void render();
    }));
  }
  parts.push(
    layersPanel(d),
    panel("files", "Files", true, fileTree(p)),
    panel("treemap-panel", "Treemap of the final image", true, treeMap(p)),
    wastePanel(d),
    duplicatesPanel(d),
    findingsPanel(d),
    proposalsPanel(d),
    warningsPanel(d),
  );
  results.replaceChildren(...parts.filter((x): x is HTMLElement => x !== null));
  results.dataset.state = second ? "compared" : "done";
  results.dataset.ms = String(Math.round(d.ms));
  results.dataset.wasmMemory = String(d.wasmMemoryBytes);
  compareLabel.hidden = false;
  $<HTMLInputElement>("compare-input").disabled = false;
  results.focus();
}

// Getting an image in.
$<HTMLInputElement>("file-input").addEventListener("change", (ev) => {
  const input = ev.target as HTMLInputElement;
  const f = input.files?.[0];
  if (f) void analyse(f, f.name, false);
  input.value = "";
});
$<HTMLInputElement>("compare-input").addEventListener("change", (ev) => {
  const input = ev.target as HTMLInputElement;
  const f = input.files?.[0];
  if (f) void analyse(f, f.name, true);
  input.value = "";
});
$<HTMLButtonElement>("sample").addEventListener("click", async () => {
  // Shipped next to the page (written by the fixture builder at build time): same origin.
  const res = await fetch(new URL("sample.tar", document.baseURI));
  if (!res.ok) return showError(`The sample image is missing (${res.status}).`);
  void analyse(await res.blob(), "sample.tar", false);
});
cancelBtn.addEventListener("click", () => cancelCurrent?.());

const overlay = $<HTMLDivElement>("drop-overlay");
let depth = 0;
const hasFiles = (ev: DragEvent) => [...(ev.dataTransfer?.types ?? [])].includes("Files");
window.addEventListener("dragenter", (ev) => {
  if (!hasFiles(ev)) return;
  ev.preventDefault();
  depth += 1;
  overlay.hidden = false;
});
window.addEventListener("dragleave", () => {
  depth = Math.max(0, depth - 1);
  if (depth === 0) overlay.hidden = true;
});
window.addEventListener("dragover", (ev) => {
  if (!hasFiles(ev)) return;
  ev.preventDefault();
  if (ev.dataTransfer) ev.dataTransfer.dropEffect = "copy";
});
window.addEventListener("drop", (ev) => {
  ev.preventDefault();
  depth = 0;
  overlay.hidden = true;
  const files = [...(ev.dataTransfer?.files ?? [])];
  if (files.length === 0) return;
  // Two files at once: compare them. One file: the first image, or the second when one is shown.
  if (files.length >= 2) {
    void analyse(files[0], files[0].name, false).then(() => analyse(files[1], files[1].name, true));
  } else {
    void analyse(files[0], files[0].name, primary !== null);
  }
});

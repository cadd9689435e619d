// The analysis runs here, off the page's thread. The dropped File is read by slices with
// FileReaderSync (synchronous reads are allowed in workers), so the core pulls byte ranges on
// demand and a multi-GB archive never sits in wasm memory whole.
import init, { Image, commandLine, diffReports, reasonText, ruleDoc } from "./pkg/imgslim_wasm.js";
import type { Finding, FromWorker, Layer, Opened, ToWorker, WastedFile } from "./types";

const ready = init();
let image: Image | null = null;
let memory: WebAssembly.Memory | null = null;

const post = (m: FromWorker) => (self as unknown as Worker).postMessage(m);

function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

async function open(file: Blob, name: string) {
  const exports = await ready;
  memory = exports.memory;
  image?.free();
  image = null;
  const reader = new FileReaderSync();
  const read = (offset: number, length: number) =>
    new Uint8Array(reader.readAsArrayBuffer(file.slice(offset, offset + length)));
  const started = performance.now();
  const img = Image.open(file.size, read, name, undefined, (snap: Opened["summary"] | object) => {
    post({ op: "progress", snap: snap as never });
    return false;
  });
  const ms = performance.now() - started;
  image = img;
  const layers = (img.layers() as Layer[]).map((l) => ({
    ...l,
    line: l.command == null ? undefined : commandLine(l.command),
  }));
  const wasted = (img.wasted() as WastedFile[]).map((w) => ({
    ...w,
    reason_text: reasonText(w.reason, w.by_layer),
  }));
  const data: Opened = {
    name,
    fileBytes: file.size,
    summary: img.summary(),
    image: img.image(),
    layers,
    wasted,
    duplicates: img.duplicates(),
    findings: (img.findings() as Finding[]).map((f) => ({ ...f, doc: ruleDoc(f.rule) })),
    proposals: img.proposals(),
    warnings: img.warnings(),
    rootId: img.rootId(),
    ms,
    wasmMemoryBytes: memory.buffer.byteLength,
  };
  post({ op: "opened", data });
}

function call(method: string, args: unknown[]): unknown {
  if (!image) throw new Error("no image is open");
  // This image is the new side; args[0] is the old image's report JSON.
  if (method === "diffAgainst") return diffReports(String(args[0]), image.reportJson());
  const img = image as unknown as Record<string, (...a: unknown[]) => unknown>;
  const allowed = ["children", "search", "path", "ancestors", "reportJson", "reportMarkdown"];
  if (!allowed.includes(method)) throw new Error(`unknown method ${method}`);
  return img[method].apply(image, args);
}

self.onmessage = async (ev: MessageEvent<ToWorker>) => {
  const m = ev.data;
  if (m.op === "open") {
    try {
      await open(m.file, m.name);
    } catch (e) {
      post({ op: "error", message: errorText(e) });
    }
  } else if (m.op === "call") {
    try {
      await ready;
      post({ op: "result", id: m.id, value: call(m.method, m.args) });
    } catch (e) {
      post({ op: "result", id: m.id, error: errorText(e) });
    }
  }
};

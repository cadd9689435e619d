// Measure one image in the page: wall time from choosing the file to the results, the worker's
// own analysis time, the wasm linear memory, and the peak proportional set size (PSS) of all
// chromium processes (sampled every 100 ms from /proc). Not a test: figures for the docs.
//   npm run build && node scripts/measure.mjs /path/to/image.tar
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { launch } from "../tests/browser.mjs";
import { serve } from "../tests/server.mjs";

const image = process.argv[2];
if (!image) throw new Error("usage: node scripts/measure.mjs IMAGE.tar");
const web = dirname(dirname(fileURLToPath(import.meta.url)));

function descendants(root) {
  const parent = new Map();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {}
  }
  const out = [];
  for (const pid of parent.keys()) {
    for (let p = pid; p; p = parent.get(p)) if (p === root) { if (pid !== root) out.push(pid); break; }
  }
  return out;
}

function pssKiB(pid) {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

const server = await serve(join(web, "dist"));
const browser = await launch();
const page = await browser.newPage();
await page.goto(`${server.origin}/`);
const pids = descendants(process.pid);
let peak = 0;
const sample = () => {
  const total = descendants(process.pid).reduce((a, p) => a + pssKiB(p), 0);
  peak = Math.max(peak, total);
};
sample();
const idle = peak;
const timer = setInterval(sample, 100);
const t0 = performance.now();
await page.setInputFiles("#file-input", image);
await page.waitForSelector('#results[data-state="done"], #error:not([hidden])', { timeout: 30 * 60_000 });
const wall = performance.now() - t0;
clearInterval(timer);
sample();
const err = await page.$eval("#error", (e) => (e.hidden ? null : e.textContent));
if (err) throw new Error(err);
const ms = Number(await page.getAttribute("#results", "data-ms"));
const wasm = Number(await page.getAttribute("#results", "data-wasm-memory"));
console.log(JSON.stringify({
  image,
  chromium_processes: pids.length,
  wall_s: +(wall / 1000).toFixed(2),
  analysis_s: +(ms / 1000).toFixed(2),
  wasm_memory_mib: +(wasm / 2 ** 20).toFixed(1),
  chromium_pss_idle_mib: +(idle / 1024).toFixed(0),
  chromium_pss_peak_mib: +(peak / 1024).toFixed(0),
}, null, 2));
await browser.close();
server.close();

// End-to-end: the built page (web/dist) in headless Debian chromium, fed images through the file
// input, a simulated drop and the sample button; every figure checked against the native CLI
// (`imgslim analyze --format json`) on the same bytes. Run by scripts/web-test.sh.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { gunzipSync } from "node:zlib";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";

import { launch } from "./browser.mjs";
import { serve } from "./server.mjs";
import { gzippedImage, smallImage } from "./tarball.mjs";

const web = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(web, "dist");
const bin = process.env.IMGSLIM_BIN ?? join(web, "..", "target", "release", "imgslim");
const shots = process.env.IMGSLIM_SCREENSHOTS ?? tmpdir();
const work = mkdtempSync(join(tmpdir(), "imgslim-e2e-"));

const files = {
  "sample.tar": join(dist, "sample.tar"),
  "small.tar": join(work, "small.tar"),
  "notes.txt": join(work, "notes.txt"),
  "slow.tar.gz": join(work, "slow.tar.gz"),
};
let server;
let browser;
const cli = {};

/** The CLI's output for a fixture, run from its directory so the report's `source` is its name. */
function analyze(name, format) {
  return execFileSync(bin, ["analyze", "--format", format, name], { cwd: dirname(files[name]), encoding: "utf8" });
}

before(async () => {
  assert.ok(existsSync(join(dist, "index.html")), "build the page first: npm run build");
  assert.ok(existsSync(bin), `the native CLI is needed at ${bin}: cargo build -p imgslim-cli --release`);
  writeFileSync(files["small.tar"], smallImage());
  writeFileSync(files["notes.txt"], "these are notes, not an image\n".repeat(50));
  // `docker save | gzip`: read in one pass through the decoder, so 768 MiB of equal bytes (3.5 MB
  // compressed, under the bomb guard's 1 GiB floor) keep the worker busy for seconds, long
  // enough to cancel on a loaded machine (256 MiB was sometimes done before the click).
  writeFileSync(files["slow.tar.gz"], gzippedImage(768 << 20));
  for (const name of ["sample.tar", "small.tar"]) {
    cli[name] = { json: analyze(name, "json"), markdown: analyze(name, "markdown") };
    cli[name].report = JSON.parse(cli[name].json);
  }
  server = await serve(dist, files);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.close();
  // The fixtures (3.5 MB each run) would otherwise pile up in the temporary directory.
  rmSync(work, { recursive: true, force: true });
});

/** A fresh page that records every request it (and its worker) makes. */
async function open() {
  const context = await browser.newContext({ acceptDownloads: true });
  const requests = [];
  context.on("request", (r) => requests.push(r.url()));
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${server.origin}/`);
  return { context, page, requests, errors };
}

function assertSameOrigin(requests) {
  const foreign = requests.filter((u) => !u.startsWith(`${server.origin}/`) && !/^(blob|data):/.test(u));
  assert.deepEqual(foreign, [], "the page made requests beyond its origin");
}

/** Every summary card and layer row equals the CLI's report. */
async function assertFigures(page, report) {
  const cards = await page.$$eval("#summary [data-figure]", (els) =>
    Object.fromEntries(els.map((e) => [e.dataset.figure, e.dataset.value])),
  );
  const s = report.summary;
  for (const key of ["size_bytes", "layer_count", "efficiency_score", "reclaimable_bytes", "duplicate_bytes"]) {
    assert.equal(cards[key], s[key] === null ? "null" : String(s[key]), `summary card ${key}`);
  }
  const layers = await page.$$eval("#layer-table tbody tr", (rows) => rows.map((r) => Number(r.dataset.size)));
  assert.deepEqual(layers, report.layers.map((l) => l.size_bytes), "layer sizes");
  const title = await page.textContent("#image-title");
  assert.equal(title, report.image.repo_tags[0] ?? report.image.source);
}

async function downloadText(page, selector) {
  const [dl] = await Promise.all([page.waitForEvent("download"), page.click(selector)]);
  return readFileSync(await dl.path(), "utf8");
}

test("file input: figures, exports, tree and treemap match the CLI", async () => {
  const { context, page, requests, errors } = await open();
  assert.match(await page.textContent("#privacy"), /never leaves this browser/);
  await page.setInputFiles("#file-input", files["sample.tar"]);
  await page.waitForSelector('#results[data-state="done"]');
  const report = cli["sample.tar"].report;
  await assertFigures(page, report);

  // The exports are byte-for-byte the CLI's reports.
  assert.equal(await downloadText(page, "#export-json"), cli["sample.tar"].json);
  assert.equal(await downloadText(page, "#export-md"), cli["sample.tar"].markdown);

  // Wasted and duplicate panels list what the report lists.
  assert.equal(await page.locator("#wasted tbody tr").count(), report.wasted.length);
  assert.equal(await page.locator("#duplicates tbody tr").count(), report.duplicates.length);

  // Findings with their rule docs, proposals with their Dockerfiles (as many as the report has).
  assert.equal(await page.locator("#findings article.finding").count(), report.findings.length);
  assert.equal(await page.locator("#findings .rule-doc").count(), report.findings.length);
  assert.equal(await page.locator("#proposals article.proposal").count(), report.proposals.length);
  assert.equal(
    await page.locator("#proposals pre.dockerfile").count(),
    report.proposals.filter((p) => p.dockerfile).length,
  );

  // The tree expands lazily, by keyboard.
  const first = page.locator("#files ul.tree.top > li").first();
  await first.locator("button.row").focus();
  await page.keyboard.press("ArrowRight");
  await first.locator("ul.tree > li").first().waitFor();
  assert.equal(await first.getAttribute("aria-expanded"), "true");
  // The path filter searches the whole tree.
  await page.fill("#tree-filter", "bin");
  await page.waitForFunction(() => document.querySelector("#files [aria-live]")?.textContent?.includes('match "bin"'));

  // The treemap drew tiles and zooms into a directory, by keyboard, and back out.
  const tile = page.locator("#treemap .tm.dir").first();
  await tile.waitFor();
  const zoomTo = (await tile.getAttribute("aria-label")).replace(/^Zoom into (\S+)\/ .*$/, "$1/");
  await tile.focus();
  await page.keyboard.press("Enter");
  await page.locator(".crumbs button").first().waitFor();
  assert.equal(await page.textContent('.crumbs [aria-current="location"]'), zoomTo);
  await page.locator(".crumbs button").first().click();
  await page.waitForSelector('.crumbs [aria-current="location"]:text-is("/")');

  await page.setViewportSize({ width: 1200, height: 900 });
  await page.screenshot({ path: join(shots, "imgslim-playground.png"), fullPage: true });
  await page.setViewportSize({ width: 380, height: 800 });
  await page.evaluate(() => window.scrollTo(0, 0));
  // The treemap lays itself out again for the new width.
  await page.waitForFunction(() => {
    const box = document.getElementById("treemap");
    return [...box.querySelectorAll(".tm")].every((t) => t.offsetLeft + t.offsetWidth <= box.clientWidth + 2);
  });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `no sideways scrolling on a narrow screen (overflow ${overflow}px)`);
  await page.screenshot({ path: join(shots, "imgslim-playground-narrow.png"), fullPage: false });

  assert.deepEqual(errors, []);
  assertSameOrigin(requests);
  await context.close();
});

/** Drop a same-origin fixture onto the page through a real DataTransfer. */
async function drop(page, name) {
  await page.evaluate(async (name) => {
    const buf = await (await fetch(`/__fixtures/${name}`)).arrayBuffer();
    const dt = new DataTransfer();
    dt.items.add(new File([buf], name));
    for (const type of ["dragenter", "dragover", "drop"]) {
      document.body.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
    }
  }, name);
}

test("drop: a first image, then a second one compares them", async () => {
  const { context, page, requests, errors } = await open();
  await drop(page, "small.tar");
  await page.waitForSelector('#results[data-state="done"]');
  await assertFigures(page, cli["small.tar"].report);

  await drop(page, "sample.tar");
  await page.waitForSelector('#results[data-state="compared"]');
  const old = cli["small.tar"].report.summary;
  const now = cli["sample.tar"].report.summary;
  const change = await page.getAttribute('#compare-summary tr[data-figure="size_bytes"] td[data-change]', "data-change");
  assert.equal(Number(change), now.size_bytes - old.size_bytes);
  assert.deepEqual(errors, []);
  assertSameOrigin(requests);
  await context.close();
});

test("the sample button analyses the image shipped with the page", async () => {
  const { context, page, requests } = await open();
  await page.click("#sample");
  await page.waitForSelector('#results[data-state="done"]');
  await assertFigures(page, cli["sample.tar"].report);
  assertSameOrigin(requests);
  await context.close();
});

test("a file that is not an image shows a clear error", async () => {
  const { context, page, requests } = await open();
  await page.setInputFiles("#file-input", files["notes.txt"]);
  const box = page.locator("#error");
  await box.waitFor({ state: "visible" });
  const text = await box.textContent();
  assert.match(text, /^Could not analyse notes\.txt: not an image archive/);
  assert.equal(await page.getAttribute("#error", "role"), "alert");
  assert.equal(await page.locator("#results > *").count(), 0);
  assertSameOrigin(requests);
  await context.close();
});

test("the gzip fixture builder writes the plain image, compressed", () => {
  // Both sides of a chunk boundary of the repeated member, and a file that fills no chunk.
  for (const bytes of [0, 1000, (16 << 20) * 2 + 3]) {
    assert.ok(gunzipSync(gzippedImage(bytes)).equals(smallImage(bytes)), `app/big of ${bytes} bytes`);
  }
});

test("cancel stops a running analysis and says so", async () => {
  const { context, page } = await open();
  await page.setInputFiles("#file-input", files["slow.tar.gz"]);
  await page.waitForSelector("#progress:not([hidden])");
  // Progress names the bytes read so far.
  await page.waitForFunction(() => / of .* read$/.test(document.getElementById("progress-text").textContent));
  await page.click("#cancel");
  await page.waitForSelector("#progress[hidden]", { state: "attached" });
  assert.equal(await page.textContent("#error"), "Cancelled: slow.tar.gz was not analysed.");
  assert.equal(await page.locator("#results > *").count(), 0);
  await context.close();
});

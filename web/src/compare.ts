// Two-image comparison: core's diff of the two reports (`imgslim diff` on saved reports), run
// in the second image's worker.
import { h, panel } from "./dom";
import { bytes, signedBytes } from "./format";
import type { Session } from "./session";
import type { Delta, ImageDiff } from "./types";

const FIGURES: [string, string, boolean][] = [
  ["size_bytes", "Total size", true],
  ["final_bytes", "Final image bytes", true],
  ["final_files", "Files", false],
  ["layer_count", "Layers", false],
  ["reclaimable_bytes", "Reclaimable", true],
  ["duplicate_bytes", "Duplicate bytes", true],
  ["inefficient_bytes", "dive wasted", true],
];

function delta(d: Delta, isBytes: boolean) {
  const cls = d.change > 0 ? "delta-up" : d.change < 0 ? "delta-down" : "";
  const text = isBytes ? signedBytes(d.change) : `${d.change > 0 ? "+" : ""}${d.change}`;
  return h("td", { class: `num ${cls}`, "data-change": d.change }, text);
}

export async function comparePanel(a: Session, b: Session, onClose: () => void): Promise<HTMLElement> {
  const oldJson = await a.call<string>("reportJson");
  const d = await b.call<ImageDiff>("diffAgainst", oldJson);
  const close = h("button", { type: "button", class: "small", onclick: onClose }, "Close comparison");
  return panel(
    "compare",
    `Comparison: ${d.old.name} → ${d.new.name}`,
    true,
    h("div", { class: "controls" }, close),
    h(
      "table",
      { id: "compare-summary" },
      h("thead", {}, h("tr", {}, h("th", {}, "Figure"), h("th", { class: "num" }, d.old.name), h("th", { class: "num" }, d.new.name), h("th", { class: "num" }, "Change"))),
      h(
        "tbody",
        {},
        FIGURES.filter(([k]) => d.summary[k]).map(([k, label, isBytes]) => {
          const x = d.summary[k] as Delta;
          const f = (n: number) => (isBytes ? bytes(n) : String(n));
          return h("tr", { "data-figure": k }, h("td", {}, label), h("td", { class: "num" }, f(x.old)), h("td", { class: "num" }, f(x.new)), delta(x, isBytes));
        }),
      ),
    ),
    h("h3", {}, "Layers"),
    h(
      "table",
      { id: "compare-layers" },
      h("thead", {}, h("tr", {}, h("th", {}, "Old → new"), h("th", {}, "Status"), h("th", {}, "Command"), h("th", { class: "num" }, "Size"), h("th", { class: "num" }, "Change"))),
      h(
        "tbody",
        {},
        d.layers.map((l) =>
          h(
            "tr",
            {},
            h("td", { class: "num" }, `${l.old ?? "–"} → ${l.new ?? "–"}`),
            h("td", {}, l.status),
            h("td", {}, h("pre", {}, l.command ?? "")),
            h("td", { class: "num" }, bytes(l.size_bytes.new || l.size_bytes.old)),
            delta(l.size_bytes, true),
          ),
        ),
      ),
    ),
    d.findings.new.length || d.findings.resolved.length
      ? h("p", {}, `${d.findings.new.length} new findings, ${d.findings.resolved.length} resolved.`)
      : null,
  );
}

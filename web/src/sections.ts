// The result panels that need no worker calls: summary cards, layers, waste, duplicates,
// findings with their rule docs, proposals with their Dockerfiles, warnings.
import { copy, h, panel } from "./dom";
import { bytes, count, percent } from "./format";
import type { Opened } from "./types";

/** A figure card; `data-figure`/`data-value` carry the raw number (the end-to-end tests read them). */
function card(figure: string, label: string, value: number | null, shown: string, detail?: string) {
  return h(
    "div",
    { class: "card", "data-figure": figure, "data-value": value === null ? "null" : String(value) },
    h("div", { class: "label" }, label),
    h("div", { class: "value" }, shown),
    detail ? h("div", { class: "detail" }, detail) : null,
  );
}

export function summaryCards(d: Opened): HTMLElement {
  const s = d.summary;
  return h(
    "div",
    { class: "cards", id: "summary", role: "list" },
    [
      card("size_bytes", "Total size", s.size_bytes, bytes(s.size_bytes), `${bytes(s.final_bytes)} in the final image`),
      card("layer_count", "Layers", s.layer_count, count(s.layer_count), `${bytes(s.stored_bytes)} stored`),
      card(
        "efficiency_score",
        "Efficiency (dive)",
        s.efficiency_score,
        s.efficiency_score === null ? "n/a" : percent(s.efficiency_score),
        s.inefficient_bytes === null ? undefined : `${bytes(s.inefficient_bytes)} wasted by dive's count`,
      ),
      card("reclaimable_bytes", "Reclaimable", s.reclaimable_bytes, bytes(s.reclaimable_bytes), `${count(s.reclaimable_files)} files not in the final image`),
      card("duplicate_bytes", "Duplicate bytes", s.duplicate_bytes, bytes(s.duplicate_bytes), `${count(s.duplicate_groups)} groups of identical files`),
    ].map((c) => {
      c.setAttribute("role", "listitem");
      return c;
    }),
  );
}

export function layersPanel(d: Opened): HTMLElement {
  return panel(
    "layers",
    `Layers (${d.layers.length})`,
    true,
    h(
      "table",
      { id: "layer-table" },
      h("thead", {}, h("tr", {}, h("th", { class: "num" }, "#"), h("th", { class: "num" }, "Size"),
        h("th", {}, "Command"), h("th", { class: "num hide-narrow" }, "Added"), h("th", { class: "num hide-narrow" }, "Modified"),
        h("th", { class: "num hide-narrow" }, "Removed"))),
      h(
        "tbody",
        {},
        d.layers.map((l) =>
          h(
            "tr",
            { "data-layer": l.index, "data-size": l.size_bytes },
            h("td", { class: "num" }, l.index),
            h("td", { class: "num" }, bytes(l.size_bytes)),
            h("td", {}, h("pre", {}, l.line ?? "(no history)")),
            h("td", { class: "num hide-narrow" }, `${count(l.added.files)} · ${bytes(l.added.bytes)}`),
            h("td", { class: "num hide-narrow" }, `${count(l.modified.files)} · ${bytes(l.modified.bytes)}`),
            h("td", { class: "num hide-narrow" }, `${count(l.removed.files)} · ${bytes(l.removed.bytes)}`),
          ),
        ),
      ),
    ),
  );
}

export function wastePanel(d: Opened): HTMLElement {
  const s = d.summary;
  const listed = d.wasted.length;
  return panel(
    "wasted",
    `Wasted files (${count(s.reclaimable_files)}, ${bytes(s.reclaimable_bytes)})`,
    listed > 0,
    listed === 0
      ? h("p", {}, "Every stored byte is visible in the final image.")
      : [
          listed < s.reclaimable_files ? h("p", { class: "hint" }, `The biggest ${listed} are listed.`) : null,
          h(
            "table",
            {},
            h("thead", {}, h("tr", {}, h("th", {}, "Path"), h("th", { class: "num" }, "Size"), h("th", { class: "num" }, "Stored by"), h("th", {}, "Why it is waste"))),
            h(
              "tbody",
              {},
              d.wasted.map((w) =>
                h("tr", {}, h("td", { class: "mono" }, w.path), h("td", { class: "num" }, bytes(w.bytes)),
                  h("td", { class: "num" }, `layer ${w.layer}`), h("td", {}, w.reason_text ?? w.reason)),
              ),
            ),
          ),
        ],
  );
}

export function duplicatesPanel(d: Opened): HTMLElement {
  const s = d.summary;
  return panel(
    "duplicates",
    `Duplicated files (${count(s.duplicate_groups)} groups, ${bytes(s.duplicate_bytes)})`,
    d.duplicates.length > 0,
    d.duplicates.length === 0
      ? h("p", {}, "No two files in the final image have the same contents.")
      : h(
          "table",
          {},
          h("thead", {}, h("tr", {}, h("th", {}, "Identical files"), h("th", { class: "num" }, "Each"), h("th", { class: "num" }, "Saved if shared"))),
          h(
            "tbody",
            {},
            d.duplicates.map((g) =>
              h("tr", {}, h("td", { class: "mono" }, g.paths.map((p) => h("div", {}, p)),
                  // The report cuts a group's path list to its list limit; say how many more.
                  (g.copies ?? g.paths.length) > g.paths.length
                    ? h("div", {}, `and ${(g.copies ?? g.paths.length) - g.paths.length} more`)
                    : null),
                h("td", { class: "num" }, bytes(g.size)), h("td", { class: "num" }, bytes(g.saved_bytes))),
            ),
          ),
        ),
  );
}

export function findingsPanel(d: Opened): HTMLElement {
  return panel(
    "findings",
    `Findings (${d.findings.length})`,
    d.findings.length > 0,
    d.findings.length === 0
      ? h("p", {}, "No rule fired.")
      : d.findings.map((f) =>
          h(
            "article",
            { class: "finding" },
            h("h3", {}, h("span", { class: `sev-${f.severity}` }, `${f.severity} `), `${f.rule} ${f.name}: ${bytes(f.bytes)}`),
            h("p", {}, f.message),
            f.layer !== null ? h("p", { class: "hint" }, `Layer ${f.layer}${f.command ? `: ${f.command}` : ""}`) : null,
            f.paths.length ? h("details", {}, h("summary", {}, `${f.paths.length} paths`), h("pre", {}, f.paths.join("\n"))) : null,
            f.doc
              ? h(
                  "details",
                  { class: "rule-doc" },
                  h("summary", {}, `About ${f.doc.code} ${f.doc.name}`),
                  h("p", {}, h("strong", {}, "What it does: "), f.doc.what),
                  h("p", {}, h("strong", {}, "Why it matters: "), f.doc.why),
                  h("p", {}, h("strong", {}, "Example:")),
                  h("pre", {}, f.doc.example),
                  h("p", {}, h("strong", {}, "Use instead: "), f.doc.instead),
                )
              : null,
          ),
        ),
  );
}

export function proposalsPanel(d: Opened): HTMLElement {
  return panel(
    "proposals",
    `Proposals (${d.proposals.length})`,
    d.proposals.length > 0,
    d.proposals.length === 0
      ? h("p", {}, "No rewrite to propose.")
      : d.proposals.map((p) => {
          const btn = h("button", { type: "button", class: "small" }, "Copy");
          if (p.dockerfile) btn.addEventListener("click", () => void copy(p.dockerfile ?? "", btn));
          return h(
            "article",
            { class: "proposal" },
            h("h3", {}, `${p.title}: ${bytes(p.estimated_size_bytes)} (saves ${bytes(p.saved_bytes)})`),
            h("p", {}, p.rationale),
            p.copy.length ? h("details", {}, h("summary", {}, "What to copy"), h("pre", {}, p.copy.join("\n"))) : null,
            p.dockerfile ? [h("div", { class: "controls" }, h("strong", {}, "Dockerfile"), btn), h("pre", { class: "dockerfile" }, p.dockerfile)] : null,
          );
        }),
  );
}

export function warningsPanel(d: Opened): HTMLElement | null {
  if (d.warnings.length === 0) return null;
  return panel("warnings", `Warnings (${d.warnings.length})`, false, h("ul", {}, d.warnings.map((w) => h("li", {}, `${w.kind}: ${w.message}`))));
}

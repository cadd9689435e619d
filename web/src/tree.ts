// The lazily expanded file tree: one directory's children are fetched from the worker when it
// is opened. Keyboard: arrows move, Right/Left expand/collapse, Enter toggles (WAI-ARIA tree).
import { h } from "./dom";
import { bytes } from "./format";
import type { Session } from "./session";
import type { Row } from "./types";

export function fileTree(s: Session): HTMLElement {
  const layers = s.data.layers;
  const layerSel = h(
    "select",
    { id: "tree-layer", "aria-label": "Show the filesystem as of" },
    h("option", { value: "" }, "Final image"),
    layers.map((l) =>
      h("option", { value: l.index }, `Layer ${l.index}: ${(l.line ?? "").slice(0, 60) || "(no command)"}`),
    ),
  );
  const sortSel = h(
    "select",
    { id: "tree-sort", "aria-label": "Sort by" },
    h("option", { value: "size" }, "Biggest first"),
    h("option", { value: "name" }, "By name"),
  );
  const filter = h("input", {
    id: "tree-filter",
    type: "search",
    placeholder: "Filter paths (e.g. node_modules)",
    "aria-label": "Filter paths",
  });
  const top = h("ul", { class: "tree top", role: "tree", "aria-label": "Files" });
  const status = h("p", { class: "hint", "aria-live": "polite" });

  const layer = () => (layerSel.value === "" ? undefined : Number(layerSel.value));

  const item = (r: Row, fullPath: boolean): HTMLLIElement => {
    const expandable = r.hasChildren && !fullPath;
    const li = h("li", {
      role: "treeitem",
      "aria-expanded": expandable ? "false" : undefined,
      class: `chg-${r.change}`,
    });
    const twisty = h("span", { class: "twisty", "aria-hidden": "true" }, expandable ? "▸" : "");
    const btn = h(
      "button",
      { type: "button", class: "row", "data-id": r.id, title: r.change },
      twisty,
      h("span", { class: "name" }, r.name + (r.kind === "dir" ? "/" : "")),
      h("span", { class: "size" }, r.change === "removed" ? "removed" : bytes(r.size)),
    );
    li.append(btn);
    if (expandable) {
      const toggle = async () => {
        const open = li.getAttribute("aria-expanded") === "true";
        if (open) {
          li.setAttribute("aria-expanded", "false");
          twisty.textContent = "▸";
          li.querySelector(":scope > ul")?.remove();
          return;
        }
        li.setAttribute("aria-expanded", "true");
        twisty.textContent = "▾";
        const rows = await s.call<Row[]>("children", r.id, layer(), sortSel.value);
        const ul = h("ul", { class: "tree", role: "group" }, rows.map((c) => item(c, false)));
        li.append(ul);
      };
      btn.addEventListener("click", toggle);
      (li as unknown as { toggle: () => Promise<void> }).toggle = toggle;
    }
    return li;
  };

  let generation = 0;
  const load = async () => {
    const gen = ++generation;
    const q = filter.value.trim();
    const rows = q
      ? await s.call<Row[]>("search", q, layer(), 300)
      : await s.call<Row[]>("children", s.data.rootId, layer(), sortSel.value);
    if (gen !== generation) return;
    if (q && sortSel.value === "name") rows.sort((a, b) => a.name.localeCompare(b.name));
    top.replaceChildren(...rows.map((r) => item(r, q !== "")));
    status.textContent = q
      ? `${rows.length === 300 ? "The first 300" : rows.length} paths match "${q}".`
      : "";
  };
  let timer: number | undefined;
  filter.addEventListener("input", () => {
    clearTimeout(timer);
    timer = window.setTimeout(load, 200);
  });
  layerSel.addEventListener("change", load);
  sortSel.addEventListener("change", load);

  top.addEventListener("keydown", (ev) => {
    const rows = [...top.querySelectorAll<HTMLButtonElement>("button.row")];
    const i = rows.indexOf(document.activeElement as HTMLButtonElement);
    if (i < 0) return;
    const li = rows[i].parentElement as HTMLLIElement & { toggle?: () => Promise<void> };
    const expanded = li.getAttribute("aria-expanded");
    let next: HTMLButtonElement | undefined;
    switch (ev.key) {
      case "ArrowDown": next = rows[i + 1]; break;
      case "ArrowUp": next = rows[i - 1]; break;
      case "Home": next = rows[0]; break;
      case "End": next = rows[rows.length - 1]; break;
      case "ArrowRight":
        if (expanded === "false") void li.toggle?.();
        else next = rows[i + 1];
        break;
      case "ArrowLeft":
        if (expanded === "true") void li.toggle?.();
        else next = li.parentElement?.closest("li")?.querySelector<HTMLButtonElement>(":scope > button.row") ?? undefined;
        break;
      default:
        return;
    }
    ev.preventDefault();
    next?.focus();
  });

  void load();
  return h(
    "div",
    {},
    h("div", { class: "controls" }, layerSel, sortSel, filter),
    h(
      "p",
      { class: "legend hint" },
      h("span", { class: "added" }, "added"),
      h("span", { class: "modified" }, "modified"),
      h("span", { class: "removed" }, "removed"),
      h("span", {}, "by the chosen layer; arrow keys move and expand."),
    ),
    status,
    top,
  );
}

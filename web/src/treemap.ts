// A zoomable treemap of the final filesystem, two levels at a time: the children of the current
// directory and, inside the biggest subdirectories, their children. Layout by d3-hierarchy;
// clicking (or Enter on) a directory zooms into it, the breadcrumbs zoom out.
import { hierarchy, treemap, type HierarchyRectangularNode } from "d3-hierarchy";
import { h } from "./dom";
import { bytes } from "./format";
import type { Session } from "./session";
import type { Row } from "./types";

interface Datum {
  id: number;
  name: string;
  size: number;
  dir: boolean;
  children?: Datum[];
}

/** Subdirectories opened one more level down per view (each costs one worker call). */
const NESTED = 16;

const colour = (i: number) => `hsl(${(i * 47) % 360} 45% 40%)`;

export function treeMap(s: Session): HTMLElement {
  const box = h("div", { id: "treemap", role: "group", "aria-label": "Treemap of the final filesystem" });
  const crumbs = h("nav", { class: "crumbs", "aria-label": "Treemap location" });
  const note = h("p", { class: "hint" });

  let current = s.data.rootId;
  let laidWidth = 0;
  const show = async (id: number) => {
    current = id;
    const [rows, chain] = await Promise.all([
      s.call<Row[]>("children", id, undefined, "size"),
      s.call<ArrayLike<number>>("ancestors", id),
    ]);
    // wasm-bindgen returns a Uint32Array: make it a plain array before mapping to elements.
    const ancestors = Array.from(chain);
    const live = rows.filter((r) => r.change !== "removed" && r.size > 0);
    const nested = await Promise.all(
      live.slice(0, NESTED).map((r) =>
        r.kind === "dir" && r.hasChildren ? s.call<Row[]>("children", r.id, undefined, "size") : Promise.resolve(null),
      ),
    );
    const datum: Datum = {
      id,
      name: "",
      size: 0,
      dir: true,
      children: live.map((r, i) => {
        const kids = nested[i]?.filter((k) => k.change !== "removed" && k.size > 0);
        const d: Datum = { id: r.id, name: r.name, size: r.size, dir: r.kind === "dir" };
        if (kids && kids.length) {
          d.children = kids.map((k) => ({ id: k.id, name: k.name, size: k.size, dir: k.kind === "dir" }));
          // Bytes of the directory not in its listed children (its own entry): keep the total exact.
          const rest = r.size - kids.reduce((a, k) => a + k.size, 0);
          if (rest > 0) d.children.push({ id: -1, name: "", size: rest, dir: false });
        }
        return d;
      }),
    };

    // Breadcrumbs: every ancestor is a button that zooms out to it.
    const names = await Promise.all(ancestors.map((a) => s.call<string>("path", a)));
    crumbs.replaceChildren(
      ...ancestors.map((a, i) => {
        const label = i === 0 ? "/" : names[i].split("/").pop() + "/";
        return i === ancestors.length - 1
          ? h("strong", { "aria-current": "location" }, label)
          : h("button", { type: "button", class: "small", onclick: () => void show(a) }, label);
      }),
    );

    const width = box.clientWidth || 800;
    laidWidth = width;
    const height = box.clientHeight || 400;
    const root = hierarchy<Datum>(datum)
      .sum((d) => (d.children ? 0 : d.size))
      .sort((a, b) => (b.value ?? 0) - (a.value ?? 0));
    treemap<Datum>().size([width, height]).paddingTop((n) => (n.depth === 1 ? 16 : 0)).paddingInner(1).round(true)(root);
    const total = root.value ?? 0;
    note.textContent = total ? `${bytes(total)} in ${live.length} entries.` : "Nothing here.";

    const tiles: HTMLElement[] = [];
    const laid = root as HierarchyRectangularNode<Datum>;
    laid.children?.forEach((top, i) => {
      for (const n of top.descendants()) {
        const d = n.data;
        if (d.id < 0) continue;
        const w = n.x1 - n.x0;
        const hgt = n.y1 - n.y0;
        if (w < 2 || hgt < 2) continue;
        const group = n.children !== undefined;
        const zoomable = d.dir;
        const label = `${d.name}${d.dir ? "/" : ""} ${bytes(n.value ?? d.size)}`;
        const tile = h(
          "div",
          {
            class: `tm${zoomable ? " dir" : ""}${group ? " group" : ""}`,
            style: `left:${n.x0}px;top:${n.y0}px;width:${w}px;height:${hgt}px;${group ? "" : `background:${colour(i)}`}`,
            title: label,
            role: zoomable ? "button" : undefined,
            tabindex: zoomable ? 0 : undefined,
            "aria-label": zoomable ? `Zoom into ${label}` : undefined,
          },
          w > 40 && hgt > 12 ? label : "",
        );
        if (zoomable) {
          tile.addEventListener("click", (ev) => {
            ev.stopPropagation();
            void show(d.id);
          });
          tile.addEventListener("keydown", (ev) => {
            if (ev.key === "Enter" || ev.key === " ") {
              ev.preventDefault();
              void show(d.id);
            }
          });
        }
        tiles.push(tile);
      }
    });
    box.replaceChildren(...tiles);
  };

  // Lay out once the panel is visible (it needs a width), and again when the width changes
  // (a rotated phone, a resized window).
  requestAnimationFrame(() => void show(s.data.rootId));
  new ResizeObserver(() => {
    if (box.clientWidth > 0 && Math.abs(box.clientWidth - laidWidth) > 8) void show(current);
  }).observe(box);
  return h("div", {}, crumbs, box, note);
}

// A tiny element builder: the page has no framework, and every value is set as text (never as
// HTML), so names from an archive cannot inject markup.

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | ((ev: Event) => void) | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === "function") el.addEventListener(k.replace(/^on/, ""), v);
    else if (k === "class") el.className = String(v);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** A collapsible panel with a heading (native details/summary: keyboard-operable as is). */
export function panel(id: string, title: string, open: boolean, ...body: (Child | Child[])[]): HTMLElement {
  return h(
    "section",
    { class: "panel", id, "aria-labelledby": `${id}-h` },
    h("details", { open }, h("summary", {}, h("h2", { id: `${id}-h` }, title)), h("div", { class: "body" }, ...body)),
  );
}

/** Offer text as a file download (a Blob URL: nothing leaves the browser). */
export function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Copy text, falling back to a selection when the Clipboard API is unavailable. */
export async function copy(text: string, button: HTMLButtonElement): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = "Copied";
  } catch {
    const area = h("textarea", {}, text);
    document.body.append(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    button.textContent = ok ? "Copied" : "Copy failed: select the text";
  }
  setTimeout(() => (button.textContent = "Copy"), 2000);
}

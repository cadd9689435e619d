// A minimal static server for the built page (web/dist) and, under /__fixtures/, the files the
// tests drop onto it. Same origin for both, so "no request beyond the page's origin" is checkable.
import { createReadStream, statSync } from "node:fs";
import { createServer } from "node:http";
import { basename, extname, join, normalize } from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".tar": "application/x-tar",
  ".svg": "image/svg+xml",
};

/** Serve `root`; `fixtures` maps names to local paths. Resolves to the server's origin. */
export function serve(root, fixtures = {}) {
  const server = createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    let file;
    if (url.pathname.startsWith("/__fixtures/")) {
      file = fixtures[decodeURIComponent(basename(url.pathname))];
    } else {
      const rel = normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, "");
      file = join(root, rel.endsWith("/") ? `${rel}index.html` : rel);
    }
    let size;
    try {
      size = file && statSync(file).isFile() ? statSync(file).size : undefined;
    } catch {
      size = undefined;
    }
    if (size === undefined) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, {
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      "content-length": size,
    });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve({ origin: `http://127.0.0.1:${server.address().port}`, close: () => server.close() })),
  );
}

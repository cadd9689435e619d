// A tiny docker-save archive written byte by byte (the same construction as wasm/tests/node.rs),
// so the comparison test has a second, different image without a committed binary; and the same
// image gzipped with a file of any size, for a test that needs a long analysis.
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";

/** `length` copies of `byte`, kept as a description so a large file costs no memory. */
const run = (length, byte) => ({ length, byte, run: true });

/** Bytes in a tar's pieces (buffers and runs). */
const size = (pieces) => pieces.reduce((n, p) => n + p.length, 0);

function member(pieces, name, kind, data) {
  const length = Array.isArray(data) ? size(data) : data.length;
  const h = Buffer.alloc(512);
  h.write(name, 0);
  h.write(kind === "5" ? "0000755\0" : "0000644\0", 100);
  h.write("0000000\0", 108);
  h.write("0000000\0", 116);
  h.write(`${length.toString(8).padStart(11, "0")}\0`, 124);
  h.write("00000000000\0", 136);
  h.write("        ", 148);
  h.write(kind, 156);
  h.write("ustar\u000000", 257, "latin1");
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  pieces.push(h, ...(Array.isArray(data) ? data : [data]), Buffer.alloc((512 - (length % 512)) % 512));
}

/** Entries are `[name, kind, data]`; data is a buffer, a run, or another tar's pieces. */
const tar = (entries) => {
  const pieces = [];
  for (const [name, kind, data] of entries) member(pieces, name, kind, data);
  pieces.push(Buffer.alloc(1024));
  return pieces;
};

const CHUNK = 16 << 20;

/** Calls `f` with the pieces' bytes, a run at most CHUNK bytes at a time. */
function eachChunk(pieces, f) {
  let filler;
  for (const p of pieces) {
    if (!p.run) {
      f(p);
      continue;
    }
    const want = Math.min(CHUNK, p.length);
    if (filler?.[0] !== p.byte || filler.length < want) filler = Buffer.alloc(want, p.byte);
    for (let left = p.length; left > 0; left -= filler.length) f(filler.subarray(0, Math.min(left, filler.length)));
  }
}

const sha = (pieces) => {
  const h = createHash("sha256");
  eachChunk(pieces, (b) => h.update(b));
  return `sha256:${h.digest("hex")}`;
};

/** Layer 0 adds app/big (`bigBytes`) and app/a.txt; layer 1 deletes app/big, copies a.txt. */
function image(bigBytes) {
  const text = Buffer.from("same bytes in two files\n".repeat(100));
  const l0 = tar([["app/", "5", Buffer.alloc(0)], ["app/big", "0", run(bigBytes, 7)], ["app/a.txt", "0", text]]);
  const l1 = tar([["app/", "5", Buffer.alloc(0)], ["app/.wh.big", "0", Buffer.alloc(0)], ["app/b.txt", "0", text]]);
  const config = JSON.stringify({
    architecture: "amd64",
    os: "linux",
    config: {},
    rootfs: { type: "layers", diff_ids: [sha(l0), sha(l1)] },
    history: [{ created_by: "COPY big a.txt /app/" }, { created_by: "RUN rm /app/big && cp /app/a.txt /app/b.txt" }],
  });
  const manifest = JSON.stringify([{ Config: "config.json", RepoTags: ["small:1"], Layers: ["l0/layer.tar", "l1/layer.tar"] }]);
  return tar([
    ["manifest.json", "0", Buffer.from(manifest)],
    ["config.json", "0", Buffer.from(config)],
    ["l0/layer.tar", "0", l0],
    ["l1/layer.tar", "0", l1],
  ]);
}

export function smallImage(bigBytes = 40_000) {
  const out = [];
  eachChunk(image(bigBytes), (b) => out.push(b));
  return Buffer.concat(out);
}

/**
 * `smallImage(bigBytes) | gzip`, without ever holding the image: a multi-member gzip stream (as
 * pigz writes) in which app/big's bytes are one compressed chunk repeated: 768 MiB of image are
 * 3.5 MB, built in about a second (mostly the layer's sha256 for the config).
 */
export function gzippedImage(bigBytes) {
  const members = [];
  const zipped = new Map();
  let pending = [];
  const flush = () => {
    if (pending.length) members.push(gzipSync(Buffer.concat(pending), { level: 1 }));
    pending = [];
  };
  for (const p of image(bigBytes)) {
    if (!p.run) {
      pending.push(p);
      continue;
    }
    flush();
    eachChunk([p], (b) => {
      const key = `${p.byte}:${b.length}`;
      if (!zipped.has(key)) zipped.set(key, gzipSync(b, { level: 1 }));
      members.push(zipped.get(key));
    });
  }
  flush();
  return Buffer.concat(members);
}

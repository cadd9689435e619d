// A tiny docker-save archive written byte by byte (the same construction as wasm/tests/node.rs),
// so the comparison test has a second, different image without a committed binary.
import { createHash } from "node:crypto";

function member(parts, name, kind, data) {
  const h = Buffer.alloc(512);
  h.write(name, 0);
  h.write(kind === "5" ? "0000755\0" : "0000644\0", 100);
  h.write("0000000\0", 108);
  h.write("0000000\0", 116);
  h.write(`${data.length.toString(8).padStart(11, "0")}\0`, 124);
  h.write("00000000000\0", 136);
  h.write("        ", 148);
  h.write(kind, 156);
  h.write("ustar\u000000", 257, "latin1");
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  parts.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
}

const tar = (entries) => {
  const parts = [];
  for (const [name, kind, data] of entries) member(parts, name, kind, data);
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
};

const sha = (b) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

/** Layer 0 adds app/big (`bigBytes`) and app/a.txt; layer 1 deletes app/big, copies a.txt. */
export function smallImage(bigBytes = 40_000) {
  const text = Buffer.from("same bytes in two files\n".repeat(100));
  const l0 = tar([["app/", "5", Buffer.alloc(0)], ["app/big", "0", Buffer.alloc(bigBytes, 7)], ["app/a.txt", "0", text]]);
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

// Builds what the page needs from the Rust workspace, so `npm ci && npm run build` is the one
// command that makes web/dist/:
//   1. imgslim-wasm for wasm32-unknown-unknown (release, no threads);
//   2. wasm-bindgen --target web into src/pkg/ (the CLI must match Cargo.lock's wasm-bindgen);
//   3. the sample image public/sample.tar, written by the fixture builder
//      (`cargo run -p imgslim-tests --bin make-example -- OUT`): generated, never committed.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const web = dirname(dirname(fileURLToPath(import.meta.url)));
const root = dirname(web);
const pkg = join(web, "src", "pkg");
const run = (cmd, args, opts = {}) => {
  console.log(`$ ${cmd} ${args.join(" ")}`);
  execFileSync(cmd, args, { stdio: "inherit", cwd: root, ...opts });
};
const has = (cmd) => {
  try {
    execFileSync(cmd, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};

// Same version check as .ci/run: a mismatched wasm-bindgen CLI fails with an obscure schema error.
const lock = readFileSync(join(root, "Cargo.lock"), "utf8");
const want = /name = "wasm-bindgen"\nversion = "([^"]+)"/.exec(lock)?.[1];
if (!has("wasm-bindgen")) {
  console.error(`wasm-bindgen not found: cargo install wasm-bindgen-cli --version ${want} (see DEVELOPERS.md)`);
  process.exit(1);
}
const got = execFileSync("wasm-bindgen", ["--version"], { encoding: "utf8" }).trim().split(" ")[1];
if (want && got !== want) {
  console.error(`wasm-bindgen ${got} is installed but Cargo.lock has ${want}: cargo install wasm-bindgen-cli --version ${want}`);
  process.exit(1);
}

const target = process.env.CARGO_TARGET_DIR ?? join(root, "target");
run("cargo", ["build", "-p", "imgslim-wasm", "--target", "wasm32-unknown-unknown", "--release", "--locked"]);
mkdirSync(pkg, { recursive: true });
run("wasm-bindgen", [
  "--target", "web",
  "--out-dir", pkg,
  join(target, "wasm32-unknown-unknown", "release", "imgslim_wasm.wasm"),
]);

// No wasm-opt: Debian's binaryen (version 108) predates the reference-types output of
// wasm-bindgen 0.2.130, and its -Oz result fails at load (`WebAssembly.Table.set(): Argument 1 is
// invalid for table`). Measured with it anyway: 1.60 MB → 1.32 MB raw; gzip brings the plain
// file to about 0.6 MB over the wire already.
console.log(`wasm: ${statSync(join(pkg, "imgslim_wasm_bg.wasm")).size} bytes`);

const sample = join(web, "public", "sample.tar");
mkdirSync(dirname(sample), { recursive: true });
run("cargo", ["run", "-q", "--locked", "-p", "imgslim-tests", "--bin", "make-example", "--", sample]);
if (!existsSync(sample)) process.exit(1);

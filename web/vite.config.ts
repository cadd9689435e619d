import { defineConfig } from "vite";

// A static site: relative asset paths so dist/ works from any directory of any static server.
export default defineConfig({
  base: "./",
  worker: { format: "es" },
  build: { target: "es2022", outDir: "dist", emptyOutDir: true },
});

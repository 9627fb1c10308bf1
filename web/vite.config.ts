import { defineConfig } from "vite";

// The page is served under the API's /app/ (web/site.go): relative asset
// paths, built into build/site, which the Go package embeds.
export default defineConfig({
  base: "./",
  build: { outDir: "build/site", emptyOutDir: true, target: "es2022" },
});

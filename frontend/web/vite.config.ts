// Vite builds the single-page app into dist/, which `vmscope serve --web-root` serves. In
// `npm run dev`, /rpc and /events are proxied to a server given by VMSCOPE_URL.
import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

const server = process.env.VMSCOPE_URL ?? "http://127.0.0.1:7151";

export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", sourcemap: true, chunkSizeWarningLimit: 800 },
  server: {
    proxy: { "/rpc": server, "/events": server },
  },
  test: {
    environment: "happy-dom",
    globals: true,
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test/setup.ts"],
  },
});

// End-to-end tests: Debian's Chromium (headless, through playwright-core) against the real
// `vmscope serve` and the real fixture dump. See e2e/harness.ts for the environment.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    environment: "node",
    include: ["e2e/**/*.e2e.ts"],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    sequence: { concurrent: false },
  },
});

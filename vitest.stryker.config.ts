/**
 * The tests mutation testing runs (`npm run mutate`, docs/testing.md): the in-process tests of the
 * core it mutates. CLI, end-to-end, signal and server tests spawn processes or send signals, which
 * Stryker's runner cannot survive and which test the same code through slower paths.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/{sim,reach,policy,workload,issuer,metrics,lib,attacks,model}/**/*.test.ts', 'test/exec/attribution.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

/**
 * The tests mutation testing runs (`npm run mutate`, docs/testing.md): the in-process tests of the
 * core it mutates. CLI, end-to-end, signal and server tests spawn processes or send signals, which
 * Stryker's runner cannot survive and which test the same code through slower paths.
 *
 * `STRYKER_TESTS=test/workload` narrows the set to one folder, so a run over one module fits in
 * minutes on 2 cores; its score is a lower bound of the whole set's.
 */
import { defineConfig } from 'vitest/config';

const only = process.env.STRYKER_TESTS;

export default defineConfig({
  test: {
    include:
      only === undefined
        ? ['test/{sim,reach,policy,workload,issuer,metrics,lib,attacks,model}/**/*.test.ts', 'test/exec/attribution.test.ts']
        : [`${only.replace(/\/+$/, '')}/**/*.test.ts`],
    setupFiles: ['test/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

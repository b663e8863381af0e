import { defineConfig } from 'vitest/config';

// Real-world conformance: reads ../shared/corpus (never copied into the repository).
export default defineConfig({
  test: {
    include: ['test/corpus/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});

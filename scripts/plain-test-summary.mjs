// A vitest reporter that ends a run with one plain line, `N passed, N failed, N skipped`, the closing line that
// CI log readers which do not know vitest's own summary (` Test Files ... | Tests ...`) understand. It runs after
// vitest's default reporter (see vitest.config.ts), so the line is the last one a test run prints.

/** @implements {import('vitest/node').Reporter} */
export default class PlainTestSummary {
  /**
   * @param {ReadonlyArray<import('vitest/node').TestModule>} testModules
   * @param {ReadonlyArray<unknown>} unhandledErrors
   */
  onTestRunEnd(testModules, unhandledErrors) {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    for (const testModule of testModules) {
      // a file that failed to load or whose hooks threw has errors outside any test
      if (testModule.errors().length > 0) failed++;
      for (const test of testModule.children.allTests()) {
        const { state } = test.result();
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
    }
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}

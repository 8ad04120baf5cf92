import type { Reporter, TestModule, Vitest } from 'vitest/node';
import { unavailableProjects } from './availability.js';

/**
 * Ends the run with one plain line any CI log reader understands: "N passed, N failed, N skipped".
 * Just before it, names each test project this machine could not run and how to enable it; with
 * CI=true such a skip fails the run, so CI always runs everything.
 */
export default class SummaryReporter implements Reporter {
  private vitest: Vitest | undefined;

  onInit(vitest: Vitest) {
    this.vitest = vitest;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>) {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const testModule of testModules) {
      for (const test of testModule.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') counts.passed++;
        else if (state === 'failed') counts.failed++;
        else counts.skipped++;
      }
      // A file that failed outside its tests (a beforeAll, an import) counts as one failure.
      if (testModule.state() === 'failed' && ![...testModule.children.allTests()].some((test) => test.result().state === 'failed')) counts.failed++;
    }
    const skippedProjects = unavailableProjects().filter(({ project }) => this.vitest?.matchesProjectFilter(project) ?? true);
    const ci = /^(1|true)$/i.test(process.env.CI ?? '');
    for (const { project, missing, enable } of skippedProjects) {
      console.log(`\n${ci ? 'FAILED (CI runs everything)' : 'SKIPPED'}: the ${project} tests, for want of ${missing}. To run them: ${enable}`);
    }
    if (ci && skippedProjects.length > 0) process.exitCode = 1;
    console.log(`\n${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  }
}

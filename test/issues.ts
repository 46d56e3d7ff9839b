/** `issuesOf(fn)`: the issues of the ScenarioError `fn` throws (any other outcome fails the test). */
import { ScenarioError } from '../src/errors.js';
import type { ScenarioIssue } from '../src/errors.js';

export function issuesOf(fn: () => unknown): readonly ScenarioIssue[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ScenarioError) return e.issues;
    throw e;
  }
  throw new Error('expected a ScenarioError');
}

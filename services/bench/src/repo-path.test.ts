import { expect, it } from 'vitest';
import { REPO_ROOT, repoRelative } from './repo-path.ts';

it('names paths inside the repository relative to it, and leaves the others as they are', () => {
  expect(repoRelative(`${REPO_ROOT}/test-results/bench/work`)).toBe('test-results/bench/work');
  expect(repoRelative('/tmp/bench-out')).toBe('/tmp/bench-out');
  expect(repoRelative(`${REPO_ROOT}-other/x`)).toBe(`${REPO_ROOT}-other/x`);
  expect(repoRelative(REPO_ROOT)).toBe(REPO_ROOT);
});

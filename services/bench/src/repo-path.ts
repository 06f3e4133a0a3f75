/**
 * Paths as the bench writes them into its results and summaries: relative to the repository when
 * they are inside it, so a published run names no machine's directories.
 */
import { isAbsolute, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');

export function repoRelative(path: string): string {
  const inside = relative(REPO_ROOT, path);
  return inside === '' || inside.startsWith('..') || isAbsolute(inside) ? path : inside;
}

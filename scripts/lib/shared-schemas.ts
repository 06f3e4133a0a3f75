/**
 * The JSON schemas the tests validate compose, skaffold and Chart.yaml against. They live in
 * ../shared/schemas beside the checkout (CI and the development machines have it there) and are
 * not copied into the repository, so a checkout without it gets one line saying where to put them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SHARED_SCHEMAS = fileURLToPath(new URL('../../../shared/schemas/', import.meta.url));

/** The parsed schema file `name` from ../shared/schemas. */
export function readSharedSchema(name: string): Record<string, unknown> {
  const path = `${SHARED_SCHEMAS}${name}`;
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: the schema files are read from ../shared/schemas beside the checkout`);
  }
  return JSON.parse(readFileSync(path, 'utf8'));
}

/**
 * Validates a compose file against the two schemas it must satisfy: the Compose Specification
 * (what `docker compose` v2 accepts) and the schema of Debian's docker-compose 1.29.2 (v1). The
 * schema files are read from ../shared/schemas beside the checkout (scripts/lib/shared-schemas.ts).
 */
import { Ajv, type ErrorObject } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { parse } from 'yaml';
import { readSharedSchema } from '../../../scripts/lib/shared-schemas.ts';

export const COMPOSE_SCHEMAS = {
  'compose-spec': 'compose-spec.json',
  'docker-compose 1.29.2': 'docker-compose-1.29.2.compose_spec.json',
} as const;

export type ComposeSchema = keyof typeof COMPOSE_SCHEMAS;

/** Parses compose YAML the way compose does (merge keys resolved). */
export function parseCompose(text: string): Record<string, unknown> {
  return parse(text, { merge: true }) as Record<string, unknown>;
}

/** Returns the schema errors of `document` (an empty list when it is valid). */
export function composeSchemaErrors(document: unknown, schema: ComposeSchema): ErrorObject[] {
  const json = readSharedSchema(COMPOSE_SCHEMAS[schema]);
  // ajv 8 rejects the files' non-canonical meta-schema URIs and draft-04 style nested ids.
  stripKeys(json, schema === 'docker-compose 1.29.2' ? ['$schema', '$id', 'id'] : ['$schema', '$id']);
  const ajv =
    schema === 'docker-compose 1.29.2'
      ? new Ajv2019({ strict: false, allErrors: true })
      : new Ajv({ strict: false, allErrors: true });
  // compose's own formats; compose checks them itself, the schema only names them.
  for (const format of ['duration', 'ports', 'expose', 'subnet_ip_address']) ajv.addFormat(format, true);
  const validate = ajv.compile(json);
  validate(document);
  return validate.errors ?? [];
}

function stripKeys(node: unknown, keys: readonly string[]): void {
  if (Array.isArray(node)) {
    for (const item of node) stripKeys(item, keys);
  } else if (typeof node === 'object' && node !== null) {
    const record = node as Record<string, unknown>;
    for (const key of keys) {
      // Only drop `id` where it is a schema identifier (a string), never a property named "id".
      if (typeof record[key] === 'string') delete record[key];
    }
    for (const value of Object.values(record)) stripKeys(value, keys);
  }
}

// `npm run schemas`: publishes the JSON Schemas of the federation protocol in
// data/schemas/: one directory per protocol version (v1/, v2/ …) with a schema
// per message type that version defines, plus the envelope, the trust registry
// and an index of versions and types. test/domain/schemas.test.ts fails when
// the files are stale.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  EnvelopeSchema,
  MESSAGE_TYPES,
  MESSAGE_TYPE_NAMES,
  messageSchema,
  type CatalogueEntry,
} from '../src/domain/messages.js';
import { CURRENT_VERSION, PROTOCOL_VERSIONS, typeInVersion } from '../src/domain/protocol.js';
import { RegistrySchema } from '../src/domain/registry.js';

export const SCHEMAS_DIR = fileURLToPath(new URL('../data/schemas', import.meta.url));

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** Every published schema file: path relative to data/schemas → content. */
export function renderSchemas(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const v of PROTOCOL_VERSIONS) {
    for (const type of MESSAGE_TYPE_NAMES) {
      const schema = messageSchema(type, v);
      if (schema) files[`v${v}/${type}.json`] = json(schema);
    }
  }
  files['envelope.json'] = json(EnvelopeSchema);
  files['registry.json'] = json(RegistrySchema);
  files['index.json'] = json({
    versions: [...PROTOCOL_VERSIONS],
    current: CURRENT_VERSION,
    types: MESSAGE_TYPE_NAMES.map((type) => {
      const { title, rule, from } = MESSAGE_TYPES[type];
      const since = (MESSAGE_TYPES[type] as CatalogueEntry).since ?? 1;
      const versions = PROTOCOL_VERSIONS.filter((v) => typeInVersion(type, v));
      return { type, title, rule, from, since, files: versions.map((v) => `v${v}/${type}.json`) };
    }),
  });
  return files;
}

async function main(): Promise<void> {
  await rm(SCHEMAS_DIR, { recursive: true, force: true });
  const files = renderSchemas();
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(SCHEMAS_DIR, name)), { recursive: true });
    await writeFile(path.join(SCHEMAS_DIR, name), content);
  }
  process.stdout.write(
    `${Object.keys(files).length} files written to ${path.relative(process.cwd(), SCHEMAS_DIR) || '.'}\n`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();

// `npm run schemas`: publishes the JSON Schemas of the federation protocol in
// data/schemas/ (one per message type, the envelope, the trust registry and an
// index). test/domain/schemas.test.ts fails when the files are stale.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvelopeSchema, MESSAGE_TYPES, MESSAGE_TYPE_NAMES, messageSchema } from '../src/domain/messages.js';
import { RegistrySchema } from '../src/domain/registry.js';

export const SCHEMAS_DIR = fileURLToPath(new URL('../data/schemas', import.meta.url));

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** Every published schema file: file name → content. */
export function renderSchemas(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const type of MESSAGE_TYPE_NAMES) files[`${type}.json`] = json(messageSchema(type));
  files['envelope.json'] = json(EnvelopeSchema);
  files['registry.json'] = json(RegistrySchema);
  files['index.json'] = json(
    MESSAGE_TYPE_NAMES.map((type) => {
      const { title, rule, from } = MESSAGE_TYPES[type];
      return { type, title, rule, from, file: `${type}.json` };
    }),
  );
  return files;
}

async function main(): Promise<void> {
  await mkdir(SCHEMAS_DIR, { recursive: true });
  const files = renderSchemas();
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(SCHEMAS_DIR, name), content);
  process.stdout.write(
    `${Object.keys(files).length} files written to ${path.relative(process.cwd(), SCHEMAS_DIR) || '.'}\n`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();

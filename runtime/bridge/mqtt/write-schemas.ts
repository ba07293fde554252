// Writes the wire schemas (schemas.ts) as JSON Schema files into schemas/, for clients in other languages.
//   npx tsx runtime/bridge/mqtt/write-schemas.ts           write them
//   npx tsx runtime/bridge/mqtt/write-schemas.ts --check   exit 1 when the files on disk are stale
// schemas.test.ts runs the check, so a schema change without regenerating fails the tests.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { WIRE_SCHEMAS } from './schemas.js';

export const SCHEMAS_DIR = fileURLToPath(new URL('./schemas/', import.meta.url));

/** File name -> exact file text. */
export function renderSchemas(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [file, schema] of Object.entries(WIRE_SCHEMAS)) {
    // TypeBox keeps its bookkeeping under symbol keys, which JSON.stringify leaves out.
    const doc = { $schema: 'http://json-schema.org/draft-07/schema#', $id: `armstack/v1/${file}`, ...schema };
    out[file] = `${JSON.stringify(doc, null, 2)}\n`;
  }
  return out;
}

/** Files that are missing, different or no longer generated. */
export function staleSchemaFiles(dir = SCHEMAS_DIR): string[] {
  const want = renderSchemas();
  const stale = Object.entries(want)
    .filter(([file, text]) => !existsSync(join(dir, file)) || readFileSync(join(dir, file), 'utf8') !== text)
    .map(([file]) => file);
  const extra = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json') && !(f in want)) : [];
  return [...stale, ...extra];
}

export function writeSchemas(dir = SCHEMAS_DIR): string[] {
  mkdirSync(dir, { recursive: true });
  const files = renderSchemas();
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return Object.keys(files);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv.includes('--check')) {
    const stale = staleSchemaFiles();
    if (stale.length) {
      console.error(`stale in ${SCHEMAS_DIR}: ${stale.join(', ')}; run npx tsx runtime/bridge/mqtt/write-schemas.ts`);
      process.exit(1);
    }
  } else {
    console.log(`wrote ${writeSchemas().map((f) => join(SCHEMAS_DIR, f)).join(', ')}`);
  }
}

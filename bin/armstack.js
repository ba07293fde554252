#!/usr/bin/env node
// Thin shim so the package bin works from the compiled output (npm run build, run by npm install).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/launch/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('armstack: dist/ is missing; run `npm install` (or `npm run build`) first\n');
  process.exit(2);
}
await import(entry.href);

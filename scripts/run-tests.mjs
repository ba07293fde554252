#!/usr/bin/env node
// Collects every *.test.ts beside the code and in test/, then runs them all in node's test runner through tsx.
// Node 20's --test does not expand globs or pick up .ts files itself.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const roots = ['runtime', 'perception', 'policies', 'sim', 'dashboard/server', 'launch', 'test'];
const filter = process.argv.slice(2);

function walk(dir, out) {
  let entries;
  try { entries = readdirSync(dir); } catch { return out; }
  for (const name of entries) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

let files = roots.flatMap((r) => walk(join(root, r), [])).sort();
if (filter.length) files = files.filter((f) => filter.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('run-tests: no test files matched', filter);
  process.exit(1);
}
const result = spawnSync(process.execPath, [
  '--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=600000', ...files,
], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);

// User mistakes at the command line: a clear message, exit code 2, no stack trace.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, repoRoot } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'armstack-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function noStackTrace(text: string): void {
  assert.doesNotMatch(text, /^\s+at /m, `unexpected stack trace:\n${text}`);
}

describe('armstack CLI', () => {
  it('--help lists the verbs and exits 0', async () => {
    const r = await runCli(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /launch/);
    assert.match(r.stdout, /bench/);
  });

  it('no verb, an unknown verb or an unknown flag prints help and exits 2', async () => {
    for (const args of [[], ['fly'], ['launch', 'sim', '--warp'], ['launch']]) {
      const r = await runCli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /Usage: armstack/, `${args.join(' ')} shows help`);
      noStackTrace(r.stderr);
    }
  });

  it('a bad flag value names the flag and exits 2', async () => {
    const r = await runCli(['launch', 'sim', '--seed', 'abc']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--seed/);
    assert.match(r.stderr, /expected an integer/);
  });

  it('an unknown launch name or benchmark exits 2 with a clear message', async () => {
    const a = await runCli(['launch', 'mars', '--fast']);
    assert.equal(a.code, 2);
    assert.match(a.stderr, /no launch description named "mars"/);
    const b = await runCli(['bench', 'warp']);
    assert.equal(b.code, 2);
    assert.match(b.stderr, /unknown benchmark "warp"; known: loop/);
  });

  it('a malformed launch file names the file, the field and the line; exit 2, no stack trace', async () => {
    const file = join(dir, 'bad.launch.yaml');
    writeFileSync(file, 'version: 1\nname: bad\nloop:\n  rateHz: fast\n');
    const r = await runCli(['launch', file, '--fast']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad\.launch\.yaml: loop\.rateHz must be number \(line 4\)/);
    noStackTrace(r.stderr);

    const missing = await runCli(['launch', join(dir, 'nope.launch.yaml')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read launch description .*nope\.launch\.yaml: ENOENT/);
  });

  it('a malformed URDF names the file and the line; exit 2, no stack trace', async () => {
    const urdf = readFileSync(join(repoRoot, 'runtime/robot/description/arm6.urdf'), 'utf8');
    const broken = urdf.replace(/(<joint name="elbow"[\s\S]*?<limit[^>]*?)velocity="[^"]*"/, '$1');
    assert.notEqual(broken, urdf, 'the test removed the elbow velocity limit');
    const urdfPath = join(dir, 'broken.urdf');
    writeFileSync(urdfPath, broken);
    const launch = join(dir, 'cell.launch.yaml');
    writeFileSync(launch, `version: 1\nname: cell\nrobot:\n  urdf: ${urdfPath}\n`);
    const r = await runCli(['launch', launch, '--fast']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /broken\.urdf line \d+: joint "elbow"/);
    assert.match(r.stderr, /velocity/);
    noStackTrace(r.stderr);
  });
});

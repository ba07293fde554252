// Test support (not used at run time): builds cyclone/cdr_harness.c against Debian's Cyclone DDS and talks to it in its
// token format. See cdr_harness.c for the protocol.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FieldPlan, StructPlan } from '../cdr-plan.js';

const HERE = new URL('../cyclone/', import.meta.url).pathname;
const IDL = join(HERE, 'ros2_types.idl');
const SOURCE = join(HERE, 'cdr_harness.c');

export interface CycloneHarness {
  /** The built executable. */
  readonly exe: string;
  /** Runs the harness on lines, one answer line back for each. */
  run(mode: 'encode' | 'decode', lines: readonly string[]): string[];
  dispose(): void;
}

export type HarnessBuild = { harness: CycloneHarness } | { skipReason: string };

function which(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}

/** Builds the harness in a temp dir; says why not when idlc, a C compiler or the Cyclone headers are missing. */
export function buildCycloneHarness(): HarnessBuild {
  const cc = ['cc', 'gcc'].find(which);
  if (!which('idlc')) return { skipReason: 'idlc not found (apt-get install cyclonedds-dev cyclonedds-tools)' };
  if (cc === undefined) return { skipReason: 'no C compiler (cc/gcc) found' };
  if (!existsSync('/usr/include/dds/ddsi/ddsi_cdrstream.h')) {
    return { skipReason: 'Cyclone DDS headers not found (apt-get install cyclonedds-dev)' };
  }
  const dir = mkdtempSync(join(tmpdir(), 'armstack-cyclone-'));
  const step = (cmd: string, args: string[]): string | undefined => {
    const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8' });
    return r.status === 0 ? undefined : `${cmd} ${args.join(' ')} failed: ${r.stderr || r.error?.message}`;
  };
  const failure =
    step('idlc', ['-f', 'case-sensitive', '-x', 'final', '-o', dir, IDL]) ??
    step(cc, ['-O1', '-Wall', '-I', dir, '-o', join(dir, 'cdr_harness'), SOURCE, join(dir, 'ros2_types.c'), '-lddsc']);
  if (failure !== undefined) {
    rmSync(dir, { recursive: true, force: true });
    // The tools are there, so a failed build is a real failure, not a reason to skip.
    throw new Error(`buildCycloneHarness: ${failure}`);
  }
  const exe = join(dir, 'cdr_harness');
  return {
    harness: {
      exe,
      run(mode, lines) {
        const r = spawnSync(exe, [mode], { input: lines.join('\n') + '\n', encoding: 'utf8', timeout: 30_000 });
        if (r.status !== 0) throw new Error(`cdr_harness ${mode} exited ${r.status}: ${r.stderr}`);
        const out = r.stdout.split('\n').filter((l) => l.length > 0);
        if (out.length !== lines.length) throw new Error(`cdr_harness ${mode}: ${lines.length} lines in, ${out.length} out`);
        return out;
      },
      dispose() {
        rmSync(dir, { recursive: true, force: true });
      },
    },
  };
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

const scratch = new DataView(new ArrayBuffer(8));

/** The harness tokens of `msg`, in field order (see cdr_harness.c). */
export function harnessTokens(plan: StructPlan, msg: Record<string, unknown>): string {
  const out: string[] = [];
  structTokens(plan, msg, out);
  return out.join(' ');
}

function structTokens(plan: StructPlan, msg: Record<string, unknown>, out: string[]): void {
  for (const f of plan.fields) fieldTokens(f, msg[f.name], out);
}

function fieldTokens(f: FieldPlan, v: unknown, out: string[]): void {
  if (f.arrayKind === 'none') {
    elementTokens(f, v, out);
    return;
  }
  const array = v as ArrayLike<unknown>;
  if (f.arrayKind !== 'fixed' && f.typedArray === 'uint8') {
    out.push(`o:${toHex(Uint8Array.from(array as ArrayLike<number>))}`);
    return;
  }
  if (f.arrayKind !== 'fixed') out.push(`n:${array.length}`);
  for (let i = 0; i < array.length; i++) elementTokens(f, array[i], out);
}

function elementTokens(f: FieldPlan, v: unknown, out: string[]): void {
  switch (f.kind) {
    case 'string':
      out.push(`s:${Buffer.from(v as string, 'utf8').toString('hex')}`);
      return;
    case 'struct':
      structTokens(f.struct!, v as Record<string, unknown>, out);
      return;
    case 'primitive':
      break;
  }
  switch (f.primitive!) {
    case 'bool':
      out.push(`b:${v ? 1 : 0}`);
      return;
    case 'float64':
      scratch.setFloat64(0, v as number, true);
      out.push(`d:${scratch.getBigUint64(0, true).toString(16).padStart(16, '0')}`);
      return;
    case 'float32':
      scratch.setFloat32(0, v as number, true);
      out.push(`f:${scratch.getUint32(0, true).toString(16).padStart(8, '0')}`);
      return;
    case 'int8': case 'int16': case 'int32': case 'int64':
      out.push(`i:${String(v)}`);
      return;
    case 'byte': case 'char': case 'uint8': case 'uint16': case 'uint32': case 'uint64':
      out.push(`u:${String(v)}`);
      return;
  }
}

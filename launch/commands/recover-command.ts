import type { Command } from 'commander';
import { existsSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../../runtime/errors.js';
import { formatBytes } from '../../runtime/recorder/disk-guard.js';
import { SidecarFile, parseEpisodeFileName, readSidecar } from '../../runtime/recorder/episode-sidecar.js';
import { recoverMcap, type RecoverMcapResult } from '../../runtime/recorder/recover-mcap.js';

interface RecoverFlags {
  out?: string;
  force?: boolean;
  json?: boolean;
}

/** `episode_000003.mcap` -> `episode_000003.recovered.mcap`, beside it. */
export function defaultRecoveredPath(path: string): string {
  const name = basename(path);
  const stem = name.endsWith('.mcap') ? name.slice(0, -'.mcap'.length) : name;
  return join(dirname(path), `${stem}.recovered.mcap`);
}

/**
 * Recovers `input` and, when it is an episode whose sidecar was never finished (the recorder died), marks the
 * sidecar incomplete (`interrupted`) and notes the recovered file in it.
 */
export async function recoverEpisodeFile(input: string, output: string, overwrite = false): Promise<{ result: RecoverMcapResult; sidecarUpdated: boolean }> {
  if (!existsSync(input)) throw new UserError(`recover: ${input} does not exist`);
  const result = await recoverMcap(input, output, { overwrite });
  if (!result.inputWasComplete && result.messages === 0 && result.channels === 0) {
    // An empty "recovered" file would pass for an episode in listings and exports: say there was nothing instead.
    rmSync(output, { force: true });
    throw new UserError(`recover: ${input} holds nothing recoverable (no channel or message before byte ${result.bytesDiscarded ? `the ${formatBytes(result.bytesDiscarded)} discarded` : 'the end'}): ${result.problems[0] ?? 'no data'}`);
  }
  let sidecarUpdated = false;
  const parsed = parseEpisodeFileName(input);
  const sidecarPath = parsed?.kind === 'mcap' ? join(dirname(input), basename(input, '.mcap') + '.json') : undefined;
  if (sidecarPath && existsSync(sidecarPath)) {
    const sidecar = readSidecar(sidecarPath);
    if (sidecar.status === 'recording') {
      sidecar.status = 'incomplete';
      sidecar.complete = false;
      sidecar.reason = 'interrupted';
    }
    sidecar.recovered = {
      file: basename(output), messages: result.messages, chunksDropped: result.chunksDropped,
      bytesDiscarded: result.bytesDiscarded, at: new Date().toISOString(),
    };
    SidecarFile.open(sidecarPath).write(sidecar);
    sidecarUpdated = true;
  }
  return { result, sidecarUpdated };
}

export function registerRecoverCommand(program: Command): void {
  program
    .command('recover')
    .description('salvage a recording cut short (kill, power loss, full disk) into a valid MCAP')
    .argument('<file>', 'the MCAP to recover')
    .option('--out <file>', 'where to write the recovered MCAP (default: <file>.recovered.mcap beside it)')
    .option('--force', 'replace the output file if it exists')
    .option('--json', 'print the result as one JSON line')
    .action(async (file: string, flags: RecoverFlags) => {
      const out = flags.out ?? defaultRecoveredPath(file);
      const { result, sidecarUpdated } = await recoverEpisodeFile(file, out, flags.force);
      if (flags.json) {
        process.stdout.write(JSON.stringify({ ...result, lastMessageTimeNs: result.lastMessageTimeNs?.toString() ?? null, out, sidecarUpdated }) + '\n');
        return;
      }
      const state = result.inputWasComplete ? 'was complete' : 'was cut short';
      process.stdout.write(`${file} ${state}: recovered ${result.messages} messages in ${result.chunksRecovered} chunks ` +
        `(${result.chunksDropped} dropped, ${formatBytes(result.bytesDiscarded)} discarded), ${result.channels} channels, ` +
        `${result.metadata} metadata records -> ${out}\n`);
      for (const p of result.problems) process.stdout.write(`  ${p}\n`);
      if (sidecarUpdated) process.stdout.write(`  sidecar updated: ${basename(file, '.mcap')}.json\n`);
    });
}

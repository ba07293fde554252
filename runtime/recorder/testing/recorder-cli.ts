// The recorder's CLI verbs (record, episodes, recover, export) in a commander program with the same error rules as
// launch/cli.ts (UserError: one line, exit 2). It loads only these four verbs, so the many runs of
// recorder-commands.test.ts start faster than the whole CLI would; test/recorder-*.test.ts use the whole CLI.
// usage: node --import tsx recorder-cli.ts <verb> ...
import { Command, CommanderError } from 'commander';
import { spawn } from 'node:child_process';
import { UserError } from '../../errors.js';
import { registerEpisodesCommand } from '../../../launch/commands/episodes-command.js';
import { registerExportCommand } from '../../../launch/commands/export-command.js';
import { registerRecordCommand } from '../../../launch/commands/record-command.js';
import { registerRecoverCommand } from '../../../launch/commands/recover-command.js';

export const RECORDER_CLI = new URL(import.meta.url).pathname;
const REPO_ROOT = new URL('../../../', import.meta.url).pathname;

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the verbs in a child process, as a user would. */
export function runRecorderCli(args: string[], timeoutMs = 120_000): Promise<CliRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', RECORDER_CLI, ...args], {
    cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`recorder CLI did not exit within ${timeoutMs} ms: ${args.join(' ')}\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function main(argv: string[]): Promise<number> {
  const program = new Command('armstack').exitOverride().showHelpAfterError();
  registerRecordCommand(program);
  registerEpisodesCommand(program);
  registerRecoverCommand(program);
  registerExportCommand(program);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof UserError) {
      process.stderr.write(`armstack: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`armstack: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  process.exitCode = await main(process.argv);
}

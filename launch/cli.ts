// The armstack command line. User mistakes (unknown verb or flag, bad file) print a clear message and exit 2;
// bugs keep their stack trace and exit 1.
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { UserError } from '../runtime/errors.js';
import { packageRoot } from '../runtime/package-root.js';
import { registerLaunchCommand } from './commands/launch-command.js';
import { registerBenchCommand } from './commands/bench-command.js';
import { registerIntentCommand } from './commands/intent-command.js';
import { registerSayCommand } from './commands/say-command.js';
import { registerEvalCommand } from './commands/eval-command.js';
import { registerRecordCommand } from './commands/record-command.js';
import { registerEpisodesCommand } from './commands/episodes-command.js';
import { registerRecoverCommand } from './commands/recover-command.js';
import { registerExportCommand } from './commands/export-command.js';

const pkg = JSON.parse(readFileSync(`${packageRoot()}/package.json`, 'utf8')) as { version: string };

export function buildProgram(): Command {
  const program = new Command('armstack')
    .description('Control stack for warehouse robot arms: sim, control loop, safety, dashboard')
    .version(pkg.version)
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerLaunchCommand(program);
  registerBenchCommand(program);
  registerIntentCommand(program);
  registerSayCommand(program);
  registerEvalCommand(program);
  registerRecordCommand(program);
  registerEpisodesCommand(program);
  registerRecoverCommand(program);
  registerExportCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  if (argv.length <= 2) {
    program.outputHelp({ error: true });
    return 2;
  }
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
      return 2;
    }
    if (error instanceof UserError) {
      process.stderr.write(`armstack: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`armstack: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

const code = await main(process.argv);
// Only set the code: a clean shutdown must leave no handles, so the process ends by itself.
process.exitCode = code;

import type { Command } from 'commander';
import { UserError } from '../../runtime/errors.js';
import { numberFlag } from '../parse-flags.js';
import { benches } from '../benches.js';

interface BenchFlags {
  json?: boolean;
  seconds?: number;
}

export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description(`run a benchmark and print its figures (${Object.keys(benches).join(', ')})`)
    .argument('<name>', `benchmark: ${Object.keys(benches).join(' | ')}`)
    .option('--json', 'print one JSON line with the figures')
    .option('--seconds <n>', 'measurement length per phase (each bench documents its default)', numberFlag(0.1, 3600))
    .action(async (name: string, flags: BenchFlags) => {
      const bench = benches[name];
      if (!bench) throw new UserError(`unknown benchmark "${name}"; known: ${Object.keys(benches).join(', ')}`);
      const log = (line: string): void => void process.stderr.write(line + '\n');
      const result = await bench.run({ seconds: flags.seconds, log });
      if (flags.json) process.stdout.write(JSON.stringify(result) + '\n');
      else process.stdout.write(bench.format(result) + '\n');
    });
}

import type { Command } from 'commander';
import { Option } from 'commander';
import { intFlag, numberFlag } from '../parse-flags.js';
import { runEval, type EvalFeatures, type EvalSummary } from '../eval.js';

interface EvalFlags {
  policy: string;
  episodes: number;
  seed: number;
  json?: boolean;
  features?: EvalFeatures;
  timeLimit?: number;
  ensembleDecay?: number;
  refillThreshold?: number;
  visionModel?: string;
}

export interface EvalCommandIo {
  stdout: { write(s: string): unknown };
  /** Progress and warnings. */
  stderr: { write(s: string): unknown };
}

/** `armstack eval`: the one-line JSON summary goes to stdout, the progress bar to stderr. */
export function registerEvalCommand(program: Command, io: EvalCommandIo = { stdout: process.stdout, stderr: process.stderr }): void {
  program
    .command('eval')
    .description('run randomized single pick-and-place episodes in the sim and report the success rate')
    .requiredOption('--policy <file|scripted>', 'an ONNX policy file, or "scripted" for the privileged expert')
    .option('--episodes <n>', 'number of episodes', intFlag(1, 100_000), 50)
    .option('--seed <n>', 'evaluation seed (episode i of a seed is always the same episode)', intFlag(0, 2 ** 31 - 1), 1)
    .addOption(new Option('--features <source>', 'task observation for ONNX policies: vision model on rendered frames, or ground truth + vision-like noise')
      .choices(['vision', 'oracle']))
    .option('--time-limit <s>', 'sim seconds per episode', numberFlag(1, 3600))
    .option('--ensemble-decay <m>', "ACT temporal ensembling weight exp(-m·i), i = 0 the oldest (default 0.01)", numberFlag(-10, 10))
    .option('--refill-threshold <k>', 'request a new chunk when fewer than k actions remain (default from the model)', intFlag(1, 1000))
    .option('--vision-model <file>', 'object localizer for --features vision (default: the shipped perception/models/assets/object-localizer.onnx)')
    .option('--json', 'print one JSON line with the summary')
    .action(async (flags: EvalFlags) => {
      const started = performance.now();
      const summary = await runEval({
        policy: flags.policy,
        episodes: flags.episodes,
        seed: flags.seed,
        features: flags.features,
        timeLimitS: flags.timeLimit,
        ensembleDecay: flags.ensembleDecay,
        refillThreshold: flags.refillThreshold,
        vision: flags.visionModel ? { modelPath: flags.visionModel } : undefined,
        log: (line) => io.stderr.write(line + '\n'),
        onEpisode: (_r, done, total, successes) => io.stderr.write(`\r${progressBar(done, total)} ${done}/${total} episodes, ${successes} successes, ${((performance.now() - started) / 1000).toFixed(0)} s`),
      });
      io.stderr.write('\n');
      io.stdout.write((flags.json ? JSON.stringify(summary) : formatSummary(summary)) + '\n');
    });
}

function progressBar(done: number, total: number, width = 30): string {
  const filled = Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

function formatSummary(s: EvalSummary): string {
  return [
    `policy ${s.policy} (${s.features} features), seed ${s.seed}`,
    `success ${s.successes}/${s.episodes} = ${(100 * s.successRate).toFixed(1)}%`,
    `mean episode ${s.meanEpisodeTimeS} s (successes ${s.meanSuccessTimeS} s); safety rejects ${s.safetyRejects}, clamps ${s.safetyClamped}, holds ${s.holds}`,
    ...(s.failures.length ? [`failures: ${s.failures.map((f) => `#${f.index} ${f.outcome}`).join(', ')}`] : []),
  ].join('\n');
}

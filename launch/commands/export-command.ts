import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import cliProgress from 'cli-progress';
import { exportLeRobot, type ExportProgress, type LeRobotFormat } from '../../runtime/recorder/lerobot/lerobot-export.js';
import { existsSync, statSync } from 'node:fs';
import { UserError } from '../../runtime/errors.js';
import { readMcapSummary } from '../../runtime/recorder/read-mcap-summary.js';
import { intFlag } from '../parse-flags.js';

interface ExportFlags {
  out: string;
  format: LeRobotFormat;
  fps?: number;
  strict?: boolean;
  includeIncomplete?: boolean;
  robotType?: string;
  json?: boolean;
}

function formatFlag(value: string): LeRobotFormat {
  if (value === 'v3' || value === 'v3.0') return 'v3.0';
  if (value === 'v2.1' || value === 'v2') return 'v2.1';
  throw new InvalidArgumentError(`expected v3 (v3.0) or v2.1, got "${value}"`);
}

/** A cli-progress bar on stderr; prints a line now and then when stderr is not a terminal. */
function progressBar(): ExportProgress {
  const bar = new cliProgress.SingleBar({
    stream: process.stderr, format: 'export [{bar}] {percentage}% | {value}/{total} frames | ETA {eta_formatted}',
    noTTYOutput: true, notTTYSchedule: 5000, hideCursor: true,
  }, cliProgress.Presets.shades_classic);
  return {
    start: (total) => bar.start(total, 0),
    increment: (n) => bar.increment(n),
    stop: () => bar.stop(),
  };
}

/** The input is a folder of episodes; a file given instead is checked first, so a corrupt one is named as such. */
async function refuseFile(path: string): Promise<void> {
  if (!existsSync(path) || !statSync(path).isFile()) return;
  await readMcapSummary(path);
  throw new UserError(`export: ${path} is a file; give the folder that holds the episodes (export reads every episode_NNNNNN.mcap in it)`);
}

export function registerExportCommand(program: Command): void {
  const exportCmd = program.command('export').description('export recorded episodes to other formats');
  exportCmd
    .command('lerobot')
    .description('write a LeRobotDataset (parquet + H.264 mp4 per camera) from an episode folder')
    .argument('<dir>', 'episode folder (episode_NNNNNN.mcap + .json)')
    .requiredOption('--out <dir>', 'dataset folder to create (must not exist or be empty)')
    .option('--format <version>', 'LeRobotDataset version: v3 (v3.0) or v2.1', formatFlag, 'v3.0' as LeRobotFormat)
    .option('--fps <n>', 'dataset rate (default: the cameras\' nominal rate, else 30)', intFlag(1, 1000))
    .option('--strict', 'fail on an incomplete or corrupt episode instead of skipping it')
    .option('--include-incomplete', 'also export readable episodes that ended early (disk low, interrupted and recovered)')
    .option('--robot-type <name>', 'info.json robot_type')
    .option('--json', 'print the result as one JSON line')
    .action(async (dir: string, flags: ExportFlags) => {
      await refuseFile(dir);
      const result = await exportLeRobot({
        inDir: dir, outDir: flags.out, format: flags.format, fps: flags.fps, strict: flags.strict,
        includeIncomplete: flags.includeIncomplete, robotType: flags.robotType ?? null,
        warn: (line) => process.stderr.write(`armstack export: warning: ${line}\n`),
        progress: progressBar(),
      });
      if (flags.json) process.stdout.write(JSON.stringify(result) + '\n');
      else {
        process.stdout.write(`LeRobotDataset ${result.format}: ${result.episodes} episode(s), ${result.frames} frames at ${result.fps} fps, ` +
          `cameras ${result.cameras.join(', ') || 'none'}${result.skipped ? `; ${result.skipped} skipped` : ''} -> ${result.outDir}\n`);
      }
    });
}

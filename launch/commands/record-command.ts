import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { UserError } from '../../runtime/errors.js';
import { intFlag, numberFlag } from '../parse-flags.js';
import { SIM_CAMERAS, runRecord } from '../record.js';

interface RecordFlags {
  source: string;
  task: string;
  object: string;
  seconds: number;
  out: string;
  camera: string[];
  jpeg?: boolean;
  raw?: boolean;
  operator?: string;
  seed?: number;
  quality?: number;
  json?: boolean;
}

function cameraList(value: string): string[] {
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(SIM_CAMERAS as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length) {
    throw new InvalidArgumentError(`expected a comma-separated list of ${SIM_CAMERAS.join(', ')}, got "${value}"`);
  }
  return names;
}

/** `armstack record`: one demonstration episode from the sim with the scripted expert. */
export function registerRecordCommand(program: Command): void {
  program
    .command('record')
    .description('record one demonstration episode (MCAP + sidecar JSON) from the sim with the scripted expert')
    .option('--source <source>', 'where the episode comes from (only "sim" so far)', 'sim')
    .requiredOption('--task <text>', 'the task, in words (goes into the episode metadata)')
    .option('--object <name>', 'the object: towel (the cloth task, when it exists) or box', 'box')
    .requiredOption('--seconds <n>', 'episode length in sim seconds', numberFlag(0.1, 3600))
    .requiredOption('--out <dir>', 'episode folder (created; episodes are numbered after those already there)')
    .option('--camera <names>', `cameras, comma-separated (${SIM_CAMERAS.join(', ')})`, cameraList, [...SIM_CAMERAS])
    .option('--jpeg', 'store frames as JPEG (sensor_msgs/CompressedImage), the default')
    .option('--raw', 'store raw frames (sensor_msgs/Image): no OpenCV needed, ~27 MB/s per camera')
    .option('--operator <name>', 'who (or what) demonstrated', 'scripted_expert')
    .option('--seed <n>', 'sim seed', intFlag(0, 2 ** 31 - 1))
    .option('--quality <q>', 'JPEG quality 1-100', intFlag(1, 100))
    .option('--json', 'print the sidecar as one JSON line')
    .action(async (flags: RecordFlags) => {
      if (flags.jpeg && flags.raw) throw new UserError('record: --jpeg and --raw exclude each other');
      const tty = process.stderr.isTTY;
      let lastLine = 0;
      // Ctrl-C ends the episode cleanly (incomplete, `shutdown`) instead of leaving a cut-short file.
      const abort = new AbortController();
      const onSignal = (): void => abort.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const result = await runRecord({
        signal: abort.signal,
        source: flags.source as 'sim', task: flags.task, object: flags.object, seconds: flags.seconds, outDir: flags.out,
        cameras: flags.camera, format: flags.raw ? 'raw' : 'jpeg', operator: flags.operator, seed: flags.seed,
        jpegQuality: flags.quality,
        progress: ({ simS, seconds, frames, dropped }) => {
          const line = `recording ${simS.toFixed(1)}/${seconds} s, ${frames} frames, ${dropped} dropped`;
          if (tty) {
            process.stderr.write(`\r${line}\x1b[K`);
          } else if (simS === 0 || simS - lastLine >= 5) {
            process.stderr.write(line + '\n');
            lastLine = simS;
          }
        },
      }).finally(() => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      });
      if (tty) process.stderr.write('\n');
      const s = result.sidecar;
      if (flags.json) {
        process.stdout.write(JSON.stringify(s) + '\n');
      } else {
        const frames = s.streams.filter((x) => x.role === 'camera').map((x) => `${x.topic} ${x.written}`).join(', ');
        process.stdout.write(`episode ${s.episodeIndex}: ${s.status} (${s.reason}), ${s.durationS} s, ${s.mcap.messages} messages` +
          `${frames ? `; frames: ${frames}` : ''}; ${s.dropsTotal} dropped; ${result.mcapPath} (${result.wallS.toFixed(1)} s)\n`);
      }
      if (!s.complete) process.exitCode = 1;
    });
}

import type { Command } from 'commander';
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserError } from '../../runtime/errors.js';
import { catalogEpisodes, type EpisodeEntry } from '../../runtime/recorder/episode-catalog.js';

interface EpisodesFlags {
  json?: boolean;
}

/** One row of `armstack episodes --json`. */
export interface EpisodeListing {
  episode: number | null;
  name: string;
  file: string | null;
  dataFile: string | null;
  complete: boolean;
  reason: string | null;
  durationS: number | null;
  /** Frames (camera topics) or messages (other topics) in the readable file. */
  frames: Record<string, number>;
  messages: Record<string, number>;
  drops: number | null;
  /** Camera gaps from the sidecar: count and total seconds. */
  gaps: { count: number; totalS: number };
  label: string | null;
  task: string | null;
  problems: string[];
}

export function episodeListing(e: EpisodeEntry): EpisodeListing {
  const cameras = new Set((e.summary?.channels ?? []).filter((c) => c.metadata.armstack_role === 'camera' || /Image$/.test(c.schemaName)).map((c) => c.topic));
  const frames: Record<string, number> = {};
  const messages: Record<string, number> = {};
  for (const [topic, n] of Object.entries(e.messagesByTopic)) (cameras.has(topic) ? frames : messages)[topic] = n;
  return {
    episode: e.index ?? null, name: e.name, file: e.mcapPath ?? null, dataFile: e.dataPath ?? null, complete: e.complete,
    reason: e.reason, durationS: e.durationS ?? null, frames, messages, drops: e.drops ?? null,
    gaps: { count: e.sidecar?.gaps.length ?? 0, totalS: Math.round((e.sidecar?.gaps ?? []).reduce((t, g) => t + g.durationS, 0) * 1000) / 1000 },
    label: e.label, task: e.task ?? null, problems: e.problems,
  };
}

/** A folder lists every episode in it; one file lists that one, and an unreadable file is an error (exit 2). */
async function listPath(path: string): Promise<EpisodeEntry[]> {
  let isFile = false;
  try {
    isFile = statSync(path).isFile();
  } catch (e) {
    throw new UserError(`episodes: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (!isFile) return catalogEpisodes(path);
  const full = resolve(path);
  const entry = (await catalogEpisodes(dirname(full))).find((e) => e.mcapPath !== undefined && resolve(e.mcapPath) === full);
  if (!entry) throw new UserError(`episodes: ${path} is not an MCAP episode file (expected episode_NNNNNN.mcap or any *.mcap)`);
  if (!entry.summary && !entry.dataPath) {
    throw new UserError(`episodes: ${path} cannot be read (${entry.reason ?? 'unreadable'}): ${entry.problems[0] ?? 'no readable data'}`);
  }
  return [entry];
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd()).join('\n');
}

function shortTopic(topic: string): string {
  return topic.replace(/^\//, '').replace(/\/image_raw(\/compressed)?$/, '');
}

export function registerEpisodesCommand(program: Command): void {
  program
    .command('episodes')
    .description('list the recorded episodes in a folder: duration, frames per camera, drops, label, complete')
    .argument('<path>', 'episode folder, or one episode\'s MCAP file')
    .option('--json', 'print a JSON array')
    .action(async (dir: string, flags: EpisodesFlags) => {
      const listings = (await listPath(dir)).map(episodeListing);
      if (flags.json) {
        process.stdout.write(JSON.stringify(listings) + '\n');
        return;
      }
      if (listings.length === 0) {
        process.stdout.write(`no episodes in ${dir}\n`);
        return;
      }
      const rows = [['EPISODE', 'DURATION', 'FRAMES', 'DROPS', 'LABEL', 'COMPLETE', 'NOTES']];
      for (const l of listings) {
        const frames = Object.entries(l.frames).map(([t, n]) => `${shortTopic(t)} ${n}`).join(', ') || '-';
        rows.push([
          l.name, l.durationS === null ? '-' : `${l.durationS.toFixed(1)} s`, frames, l.drops === null ? '-' : String(l.drops),
          l.label ?? '-', l.complete ? 'yes' : `no (${l.reason ?? '?'})`,
          [...(l.gaps.count ? [`${l.gaps.count} camera gap(s), ${l.gaps.totalS} s`] : []), ...l.problems]
            .map((p) => (p.length > 120 ? p.slice(0, 117) + '...' : p)).join('; '),
        ]);
      }
      const complete = listings.filter((l) => l.complete).length;
      process.stdout.write(`${table(rows)}\n${listings.length} episode(s), ${complete} complete\n`);
    });
}

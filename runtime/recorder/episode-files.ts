// The files of an episode folder: `episode_000012.mcap`, its sidecar `episode_000012.json`, and the
// `episode_000012.recovered.mcap` that `armstack recover` writes beside a cut-short recording.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { episodeStem, parseEpisodeFileName } from './episode-sidecar.js';

export interface EpisodeFiles {
  index: number;
  mcap?: string;
  sidecar?: string;
  recovered?: string;
}

/** Every episode index in `dir` with its files, by index; a missing folder has none. */
export function listEpisodeFiles(dir: string): EpisodeFiles[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const byIndex = new Map<number, EpisodeFiles>();
  for (const name of names) {
    const parsed = parseEpisodeFileName(name);
    if (!parsed) continue;
    const entry = byIndex.get(parsed.index) ?? { index: parsed.index };
    const path = join(dir, name);
    if (parsed.kind === 'mcap') entry.mcap = path;
    else if (parsed.kind === 'json') entry.sidecar = path;
    else entry.recovered = path;
    byIndex.set(parsed.index, entry);
  }
  return [...byIndex.values()].sort((a, b) => a.index - b.index);
}

/** The first index from `from` on with no file of any kind, and above every index already in `dir`. */
export function nextFreeEpisodeIndex(dir: string, from: number): number {
  const used = listEpisodeFiles(dir).map((e) => e.index);
  const max = used.length ? Math.max(...used) : -1;
  let index = from;
  const taken = new Set(used);
  while (taken.has(index)) index++;
  // A discarded index in the middle is reused only when it is the latest: episodes stay in recording order.
  return index <= max ? max + 1 : index;
}

export function removeEpisodeFiles(dir: string, index: number): void {
  const stem = episodeStem(index);
  for (const suffix of ['.mcap', '.json', '.recovered.mcap']) {
    const path = join(dir, stem + suffix);
    if (existsSync(path)) rmSync(path, { force: true });
  }
}

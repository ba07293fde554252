// What is in an episode folder: for each episode its sidecar and MCAP summary, whether it is complete, and which
// file holds its data (the MCAP, or the `.recovered.mcap` beside a cut-short one). A corrupt, cut-short or
// unreadable file is reported with the reason, never thrown: listing and export go on with the others.
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { UserError } from '../errors.js';
import { listEpisodeFiles } from './episode-files.js';
import { readSidecar, type EpisodeEndReason, type EpisodeSidecar } from './episode-sidecar.js';
import { readMcapSummary, type McapSummary } from './read-mcap-summary.js';

export interface EpisodeEntry {
  /** undefined for an MCAP not named episode_NNNNNN.mcap. */
  index: number | undefined;
  name: string;
  mcapPath: string | undefined;
  sidecarPath: string | undefined;
  recoveredPath: string | undefined;
  sidecar: EpisodeSidecar | undefined;
  summary: McapSummary | undefined;
  /** The file to read the episode's data from; undefined when none is readable. */
  dataPath: string | undefined;
  complete: boolean;
  /** From the sidecar, else `truncated` (no footer), `corrupt` or `no_mcap`. */
  reason: EpisodeEndReason | 'recording' | 'truncated' | 'corrupt' | 'no_mcap' | null;
  /** Why it is incomplete or unreadable, for the listing. */
  problems: string[];
  durationS: number | undefined;
  label: string | null;
  task: string | undefined;
  drops: number | undefined;
  /** Messages per topic in the readable file. */
  messagesByTopic: Record<string, number>;
}

const LIVE_WINDOW_S = 5;

function secondsSinceModified(path: string): number {
  try {
    return (Date.now() - statSync(path).mtimeMs) / 1000;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

async function trySummary(path: string): Promise<{ summary?: McapSummary; error?: string }> {
  try {
    return { summary: await readMcapSummary(path) };
  } catch (e) {
    if (e instanceof UserError) return { error: e.message };
    return { error: `readMcapSummary failed on ${path}: ${(e as Error).message}` };
  }
}

/** Every episode in `dir`, by index, then other MCAP files by name. A missing folder is a UserError. */
export async function catalogEpisodes(dir: string): Promise<EpisodeEntry[]> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new UserError(`catalogEpisodes: cannot read the folder ${dir}: ${(e as Error).message}`);
  }
  const entries: EpisodeEntry[] = [];
  for (const files of listEpisodeFiles(dir)) {
    entries.push(await describe(files.index, files.mcap, files.sidecar, files.recovered, `episode_${String(files.index).padStart(6, '0')}`));
  }
  const others = names.filter((n) => n.endsWith('.mcap') && !/^episode_\d{6}\.(recovered\.)?mcap$/.test(n)).sort();
  for (const name of others) entries.push(await describe(undefined, join(dir, name), undefined, undefined, basename(name, '.mcap')));
  return entries;
}

async function describe(
  index: number | undefined, mcapPath: string | undefined, sidecarPath: string | undefined,
  recoveredPath: string | undefined, name: string,
): Promise<EpisodeEntry> {
  const problems: string[] = [];
  let sidecar: EpisodeSidecar | undefined;
  if (sidecarPath) {
    try {
      sidecar = readSidecar(sidecarPath);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  let summary: McapSummary | undefined;
  let dataPath: string | undefined;
  let reason: EpisodeEntry['reason'] = sidecar?.reason ?? null;
  let truncated = false;
  if (mcapPath) {
    const r = await trySummary(mcapPath);
    if (r.summary) {
      summary = r.summary;
      dataPath = mcapPath;
    } else {
      problems.push(r.error!);
      truncated = /is incomplete/.test(r.error!);
    }
  } else {
    problems.push('no MCAP file');
    reason = 'no_mcap';
  }
  if (!summary && recoveredPath) {
    const r = await trySummary(recoveredPath);
    if (r.summary) {
      summary = r.summary;
      dataPath = recoveredPath;
      problems.push(`data from ${basename(recoveredPath)}`);
    } else {
      problems.push(r.error!);
    }
  }
  if (sidecar?.status === 'recording') {
    const ageS = mcapPath ? secondsSinceModified(mcapPath) : Number.POSITIVE_INFINITY;
    if (ageS < LIVE_WINDOW_S) {
      // Chunks reach the file every 0.5 s while recording: a file this fresh is most likely being written now.
      reason = 'recording';
      problems.push(`being recorded now (file written ${ageS.toFixed(1)} s ago)`);
    } else {
      // The recorder never finished this episode: it was killed or lost power while recording.
      reason = 'interrupted';
      problems.push('the recording was interrupted (the sidecar was never finished)');
    }
  }
  if (reason === null && (truncated || !summary)) reason = truncated ? 'truncated' : 'corrupt';
  if (sidecar && sidecar.status === 'incomplete' && sidecar.reason) problems.push(`ended early: ${sidecar.reason}`);
  const complete = dataPath === mcapPath && summary !== undefined && (sidecar ? sidecar.complete : true);
  const messagesByTopic: Record<string, number> = {};
  for (const c of summary?.channels ?? []) messagesByTopic[c.topic] = Number(c.messageCount);
  const spanS = summary?.startTimeNs !== undefined && summary.endTimeNs !== undefined
    ? Number(summary.endTimeNs - summary.startTimeNs) / 1e9 : undefined;
  const episodeMeta = summary?.metadata.find((m) => m.name === 'episode')?.metadata;
  return {
    index, name, mcapPath, sidecarPath, recoveredPath, sidecar, summary, dataPath, complete, reason, problems,
    durationS: sidecar && sidecar.status !== 'recording' ? sidecar.durationS : spanS,
    label: sidecar?.label ?? episodeMeta?.label ?? null,
    task: sidecar?.task ?? episodeMeta?.task,
    drops: sidecar?.status === 'recording' ? undefined : sidecar?.dropsTotal,
    messagesByTopic,
  };
}

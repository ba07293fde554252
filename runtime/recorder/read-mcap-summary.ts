// What is in a recording, read from its summary section: channels, message counts, time range, metadata.
// Anything wrong with the file (not MCAP, cut short, corrupt) is a UserError that says what to do.
import type { McapIndexedReader as McapIndexedReaderType } from '@mcap/core';
import { McapIndexedReader } from '@mcap/core';
import { UserError } from '../errors.js';
import { decompressHandlers, loadCompression } from './compression.js';
import { FileReadable } from './file-readable.js';
import { hasMagicAt } from './mcap-record-scan.js';
import type { IRandomReader } from './random-reader.js';

export interface McapChannelSummary {
  id: number;
  topic: string;
  /** `sensor_msgs/msg/JointState` */
  schemaName: string;
  schemaEncoding: string;
  messageEncoding: string;
  messageCount: bigint;
  metadata: Record<string, string>;
}

export interface McapSummary {
  path: string;
  bytes: number;
  profile: string;
  library: string;
  channels: McapChannelSummary[];
  messageCount: bigint;
  /** Log time of the first and last message; undefined when there are none. */
  startTimeNs: bigint | undefined;
  endTimeNs: bigint | undefined;
  chunkCount: number;
  metadata: Array<{ name: string; metadata: Record<string, string> }>;
  attachments: Array<{ name: string; mediaType: string; bytes: bigint }>;
}

// Footer record (1 + 8 + 20 bytes) plus the trailing magic.
const FOOTER_AND_MAGIC_BYTES = 1 + 8 + 20 + 8;

export async function readMcapSummary(path: string): Promise<McapSummary> {
  let file: FileReadable;
  try {
    file = FileReadable.open(path);
  } catch (e) {
    throw new UserError(`readMcapSummary: cannot open ${path}: ${(e as Error).message}`);
  }
  try {
    return await summarizeMcap(file, path);
  } finally {
    file.close();
  }
}

/** readMcapSummary on any random-access input; `label` names it in errors. Throws only UserErrors. */
export async function summarizeMcap(input: IRandomReader, label: string): Promise<McapSummary> {
  if (!hasMagicAt(input, 0)) {
    throw new UserError(`readMcapSummary: ${label} is not an MCAP file (it does not start with the MCAP magic bytes)`);
  }
  if (input.byteLength < 8 + FOOTER_AND_MAGIC_BYTES || !hasMagicAt(input, input.byteLength - 8)) {
    throw new UserError(
      `readMcapSummary: ${label} is incomplete: it has no footer, so the recording was interrupted or is still ` +
        'being written. Recover it with recoverMcap.',
    );
  }
  let reader: McapIndexedReaderType;
  try {
    await loadCompression();
    reader = await McapIndexedReader.Initialize({ readable: input, decompressHandlers: decompressHandlers() });
  } catch (e) {
    throw corrupt(label, e);
  }
  return summarize(label, input.byteLength, reader);
}

function corrupt(path: string, e: unknown): UserError {
  if (e instanceof UserError) return e;
  return new UserError(
    `readMcapSummary: ${path} is corrupt: ${(e as Error).message}. recoverMcap may salvage what is intact.`,
  );
}

async function summarize(path: string, bytes: number, reader: McapIndexedReaderType): Promise<McapSummary> {
  try {
    const counts = reader.statistics?.channelMessageCounts ?? (await countMessages(reader));
    const channels = [...reader.channelsById.values()].map((c): McapChannelSummary => {
      const schema = reader.schemasById.get(c.schemaId);
      return {
        id: c.id, topic: c.topic, schemaName: schema?.name ?? '', schemaEncoding: schema?.encoding ?? '',
        messageEncoding: c.messageEncoding, messageCount: counts.get(c.id) ?? 0n,
        metadata: Object.fromEntries(c.metadata),
      };
    });
    const messageCount = channels.reduce((sum, c) => sum + c.messageCount, 0n);
    const stats = reader.statistics;
    const chunks = reader.chunkIndexes;
    const none = messageCount === 0n || (stats === undefined && chunks.length === 0);
    const startTimeNs = none ? undefined
      : stats?.messageStartTime ?? chunks.reduce((t, c) => (c.messageStartTime < t ? c.messageStartTime : t), chunks[0].messageStartTime);
    const endTimeNs = none ? undefined
      : stats?.messageEndTime ?? chunks.reduce((t, c) => (c.messageEndTime > t ? c.messageEndTime : t), chunks[0].messageEndTime);
    const metadata: McapSummary['metadata'] = [];
    for await (const m of reader.readMetadata()) metadata.push({ name: m.name, metadata: Object.fromEntries(m.metadata) });
    return {
      path, bytes, profile: reader.header.profile, library: reader.header.library, channels, messageCount,
      startTimeNs, endTimeNs, chunkCount: stats?.chunkCount ?? chunks.length, metadata,
      attachments: reader.attachmentIndexes.map((a) => ({ name: a.name, mediaType: a.mediaType, bytes: a.dataSize })),
    };
  } catch (e) {
    throw corrupt(path, e);
  }
}

// Files without a Statistics record: count by reading every message (slow, but only for foreign files).
async function countMessages(reader: McapIndexedReaderType): Promise<Map<number, bigint>> {
  const counts = new Map<number, bigint>();
  for await (const m of reader.readMessages()) counts.set(m.channelId, (counts.get(m.channelId) ?? 0n) + 1n);
  return counts;
}

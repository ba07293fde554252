// The recorder's storage layer: ROS 2 MCAP episodes that survive a crash, their recovery and their summaries.
export type { IAppendable } from './appendable.js';
export { MemoryAppendable } from './appendable.js';
export type { FileAppendableOptions } from './file-appendable.js';
export { FileAppendable } from './file-appendable.js';
export type { IRandomReader } from './random-reader.js';
export { MemoryRandomReader } from './random-reader.js';
export { FileReadable } from './file-readable.js';
export type { ChunkCompression } from './compression.js';
export { loadCompression } from './compression.js';
export type { McapChunkedWriterOptions } from './mcap-chunked-writer.js';
export { McapChunkedWriter } from './mcap-chunked-writer.js';
export type { McapEpisodeSummary, McapEpisodeWriterOptions } from './mcap-episode-writer.js';
export { McapEpisodeWriter, RECORDER_LIBRARY } from './mcap-episode-writer.js';
export type { RecoverMcapOptions, RecoverMcapResult } from './recover-mcap.js';
export { recoverMcap, recoverMcapFrom } from './recover-mcap.js';
export type { McapChannelSummary, McapSummary } from './read-mcap-summary.js';
export { readMcapSummary, summarizeMcap } from './read-mcap-summary.js';

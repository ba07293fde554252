// The recorder: ROS 2 MCAP episodes that survive a crash, their recovery and summaries, episode recording and the
// LeRobot export.
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

// Episodes: the recorder, its config and sidecar, the folder catalog, and the LeRobot export.
export type {
  EpisodeLabel, EpisodeMetadata, ObjectCategory, ObjectMetadata, RecorderConfig, RecorderConfigInput, StreamRole,
  TopicStreamConfig,
} from './episode-config.js';
export {
  DEFAULT_TOPICS, EpisodeMetadataSchema, ObjectMetadataSchema, RecorderConfigSchema, parseEpisodeLabel,
  parseEpisodeMetadata, parseRecorderConfig,
} from './episode-config.js';
export type { EpisodeControl, EpisodeStarted, RecorderPhase, RecorderStatus } from './episode-control.js';
export type { EpisodeRecorderDeps, RecorderEvent, RecorderLogLevel } from './episode-recorder.js';
export { EpisodeRecorder } from './episode-recorder.js';
export type { CameraSpec } from './active-episode.js';
export { cameraTopic } from './active-episode.js';
export type {
  EpisodeEndReason, EpisodeSidecar, EpisodeStatus, GapReport, RateWarning, StreamReport,
} from './episode-sidecar.js';
export { SIDECAR_FORMAT, episodeStem, parseEpisodeFileName, readSidecar } from './episode-sidecar.js';
export type { EpisodeEntry } from './episode-catalog.js';
export { catalogEpisodes } from './episode-catalog.js';
export type { DiskCheck, StatFsFn } from './disk-guard.js';
export { DiskGuard } from './disk-guard.js';
export type { EncodeJob, FrameEncoder } from './frame-encoder.js';
export { BoundedEncodeQueue } from './frame-encoder.js';
export { OpenCvJpegEncoder } from './opencv-jpeg-encoder.js';
export type { LeRobotExportOptions, LeRobotExportResult, LeRobotFormat } from './lerobot/lerobot-export.js';
export { exportLeRobot } from './lerobot/lerobot-export.js';

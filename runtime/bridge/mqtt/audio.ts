// Operator speech on `{prefix}voice/audio/<username>`: PCM16 little-endian, 16 kHz, mono, in chunks of an
// utterance. The chunk metadata rides in a small binary header rather than MQTT 5 user properties, so it survives
// MQTT 3.1.1 brokers (the embedded aedes) and bridges that drop properties. Layout, big-endian integers:
//
//   offset  size  field
//   0       2     magic "AV" (0x41 0x56)
//   2       1     version = 1
//   3       1     flags: bit 0 = final (last chunk of the utterance); other bits 0
//   4       4     seq: chunk index within the utterance, from 0
//   8       1     L = utterance id length in bytes (1..128)
//   9       L     utterance id, ASCII [A-Za-z0-9_.-]
//   9+L     ...   samples: int16 little-endian, even byte count (a final chunk may carry none)
import { NAME_PATTERN } from './topics.js';

export const AUDIO_SAMPLE_RATE_HZ = 16_000;
export const AUDIO_HEADER_VERSION = 1;
/** About 2 s of audio; senders should use ~100 ms chunks so recognition can start before the operator stops talking. */
export const MAX_AUDIO_CHUNK_BYTES = 64 * 1024;
const MAGIC0 = 0x41;
const MAGIC1 = 0x56;
const FLAG_FINAL = 0x01;
const ID_RE = new RegExp(NAME_PATTERN.replace('{1,64}', '{1,128}'));

export interface AudioChunk {
  utteranceId: string;
  seq: number;
  final: boolean;
  samples: Int16Array;
}

export function encodeAudioChunk(chunk: AudioChunk): Buffer {
  if (!ID_RE.test(chunk.utteranceId)) throw new Error(`encodeAudioChunk: utteranceId "${chunk.utteranceId}" must match ${ID_RE.source}`);
  if (!Number.isInteger(chunk.seq) || chunk.seq < 0 || chunk.seq > 0xffffffff) throw new Error(`encodeAudioChunk: seq ${chunk.seq} is not a u32`);
  const id = Buffer.from(chunk.utteranceId, 'ascii');
  const header = 9 + id.length;
  const out = Buffer.alloc(header + chunk.samples.length * 2);
  out[0] = MAGIC0;
  out[1] = MAGIC1;
  out[2] = AUDIO_HEADER_VERSION;
  out[3] = chunk.final ? FLAG_FINAL : 0;
  out.writeUInt32BE(chunk.seq, 4);
  out[8] = id.length;
  id.copy(out, 9);
  for (let i = 0; i < chunk.samples.length; i++) out.writeInt16LE(chunk.samples[i], header + i * 2);
  if (out.length > MAX_AUDIO_CHUNK_BYTES) throw new Error(`encodeAudioChunk: ${out.length} bytes is over ${MAX_AUDIO_CHUNK_BYTES}; send smaller chunks`);
  return out;
}

/** The chunk, or a reason it is not one. */
export function decodeAudioChunk(payload: Uint8Array): AudioChunk | string {
  const buf = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  if (buf.length > MAX_AUDIO_CHUNK_BYTES) return `audio chunk is ${buf.length} bytes, over ${MAX_AUDIO_CHUNK_BYTES}`;
  if (buf.length < 10 || buf[0] !== MAGIC0 || buf[1] !== MAGIC1) return 'audio chunk has no "AV" header';
  if (buf[2] !== AUDIO_HEADER_VERSION) return `audio chunk header version ${buf[2]} is not ${AUDIO_HEADER_VERSION}`;
  if ((buf[3] & ~FLAG_FINAL) !== 0) return `audio chunk has unknown flags 0x${buf[3].toString(16)}`;
  const idLength = buf[8];
  const header = 9 + idLength;
  if (idLength === 0 || buf.length < header) return 'audio chunk utterance id is empty or truncated';
  const utteranceId = buf.toString('ascii', 9, header);
  if (!ID_RE.test(utteranceId)) return `audio chunk utterance id "${utteranceId}" is not allowed`;
  const bytes = buf.length - header;
  if (bytes % 2 !== 0) return 'audio chunk has an odd number of sample bytes';
  const samples = new Int16Array(bytes / 2);
  for (let i = 0; i < samples.length; i++) samples[i] = buf.readInt16LE(header + i * 2);
  return { utteranceId, seq: buf.readUInt32BE(4), final: (buf[3] & FLAG_FINAL) !== 0, samples };
}

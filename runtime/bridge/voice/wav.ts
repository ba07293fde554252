// WAV in, recognizer PCM out: PCM16 little-endian, 16 kHz, mono. Anything else goes through sox, and a file that
// is not WAV at all is refused before any conversion is tried, with the reason.

import { readFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { UserError } from '../../errors.js';

export const RECOGNIZER_SAMPLE_RATE_HZ = 16000;

export interface WavInfo {
  /** 1 PCM, 3 IEEE float, 0xfffe extensible, ... */
  formatTag: number;
  channels: number;
  sampleRateHz: number;
  bitsPerSample: number;
  dataOffset: number;
  dataBytes: number;
}

const FORMAT_NAMES: Record<number, string> = { 1: 'PCM', 3: 'float', 6: 'A-law', 7: 'mu-law', 0xfffe: 'extensible' };

export function describeWav(info: WavInfo): string {
  const format = FORMAT_NAMES[info.formatTag] ?? `format 0x${info.formatTag.toString(16)}`;
  return `${format} ${info.bitsPerSample}-bit ${info.sampleRateHz} Hz ${info.channels === 1 ? 'mono' : `${info.channels} channels`}`;
}

/** Parses the RIFF/WAVE header; throws an Error whose message says what is wrong with it. */
export function parseWavHeader(buf: Uint8Array): WavInfo {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const ascii = (at: number): string => String.fromCharCode(buf[at]!, buf[at + 1]!, buf[at + 2]!, buf[at + 3]!);
  if (buf.length < 12 || ascii(0) !== 'RIFF' || ascii(8) !== 'WAVE') {
    throw new Error('not a WAV file: no RIFF/WAVE header');
  }
  let fmt: Omit<WavInfo, 'dataOffset' | 'dataBytes'> | undefined;
  let at = 12;
  while (at + 8 <= buf.length) {
    const id = ascii(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > buf.length) throw new Error(`truncated fmt chunk (${size} bytes)`);
      fmt = {
        formatTag: view.getUint16(body, true),
        channels: view.getUint16(body + 2, true),
        sampleRateHz: view.getUint32(body + 4, true),
        bitsPerSample: view.getUint16(body + 14, true),
      };
      // WAVE_FORMAT_EXTENSIBLE keeps the real format in the sub-format GUID's first two bytes.
      if (fmt.formatTag === 0xfffe && size >= 40 && body + 26 <= buf.length) fmt.formatTag = view.getUint16(body + 24, true);
    } else if (id === 'data') {
      if (!fmt) throw new Error('data chunk before fmt chunk');
      // Streamed WAVs (sox to a pipe) leave the size at 0 or 0xffffffff: the data runs to the end.
      const rest = buf.length - body;
      const dataBytes = size === 0 || size === 0xffffffff || size > rest ? rest : size;
      return { ...fmt, dataOffset: body, dataBytes };
    }
    at = body + size + (size & 1);
  }
  throw new Error(fmt ? 'no data chunk' : 'no fmt chunk');
}

export function isRecognizerFormat(info: WavInfo): boolean {
  return info.formatTag === 1 && info.channels === 1 && info.bitsPerSample === 16 && info.sampleRateHz === RECOGNIZER_SAMPLE_RATE_HZ;
}

export interface ReadWavOptions {
  /** sox binary used to convert other formats. */
  soxPath?: string;
}

/** Reads a WAV file as recognizer PCM (16 kHz mono PCM16 LE), converting with sox when needed. */
export async function readWavAsPcm16(path: string, opts: ReadWavOptions = {}): Promise<Buffer> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    throw new UserError(`cannot read WAV file ${path}: ${(err as Error).message}`);
  }
  let info: WavInfo;
  try {
    info = parseWavHeader(buf);
  } catch (err) {
    throw new UserError(`${path}: ${(err as Error).message}`);
  }
  if (isRecognizerFormat(info)) {
    const bytes = info.dataBytes & ~1;
    return buf.subarray(info.dataOffset, info.dataOffset + bytes);
  }
  return convertWithSox(path, info, opts.soxPath ?? 'sox');
}

function convertWithSox(path: string, info: WavInfo, soxPath: string): Promise<Buffer> {
  const want = `${RECOGNIZER_SAMPLE_RATE_HZ} Hz mono PCM16`;
  return new Promise((resolve, reject) => {
    const child = spawn(soxPath, [
      path, '-t', 'raw', '-r', String(RECOGNIZER_SAMPLE_RATE_HZ), '-c', '1', '-b', '16', '-e', 'signed-integer', '-L', '-',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', (e) => reject(new UserError(
      `${path} is ${describeWav(info)}, not ${want}, and converting it needs sox (${e.message}); ` +
      'install sox or convert the file first')));
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new UserError(`${path} is ${describeWav(info)}, not ${want}, and sox could not convert it: ${err.trim() || `exit ${code}`}`));
    });
  });
}

/** A canonical 44-byte header for 16 kHz mono PCM16 data. */
export function wavHeader(dataBytes: number, sampleRateHz = RECOGNIZER_SAMPLE_RATE_HZ): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVEfmt ', 8, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(sampleRateHz, 24);
  h.writeUInt32LE(sampleRateHz * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

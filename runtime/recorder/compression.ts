// Chunk compression for MCAP. zstd comes from @foxglove/wasm-zstd: WebAssembly shipped inside the npm package,
// so it installs offline and needs no native build (Node 20's zlib has no zstd yet).
import * as zstd from '@foxglove/wasm-zstd';
import type { DecompressHandlers } from '@mcap/core';

/** MCAP chunk compression names (the spec's `compression` field); '' stores chunks as they are. */
export type ChunkCompression = 'zstd' | '';

export interface ChunkCompressor {
  readonly name: ChunkCompression;
  compress(data: Uint8Array): Uint8Array;
}

/** The decompressed size a chunk may claim: wasm-zstd allocates it up front, and the claim comes from the file. */
export const MAX_DECOMPRESSED_CHUNK_BYTES = 256 * 1024 * 1024;

let loaded: Promise<void> | undefined;

/** Resolves once zstd's WebAssembly module is ready; call before any (de)compression. */
export function loadCompression(): Promise<void> {
  loaded ??= zstd.isLoaded.then(() => undefined);
  return loaded;
}

export function chunkCompressor(name: ChunkCompression, zstdLevel = 3): ChunkCompressor {
  if (name === '') return { name, compress: (data) => data };
  return { name, compress: (data) => zstd.compress(data, zstdLevel) };
}

/** Decompressors for @mcap/core's readers. They refuse absurd sizes instead of asking wasm for the memory. */
export function decompressHandlers(): DecompressHandlers {
  return {
    zstd: (buffer, decompressedSize) => {
      if (decompressedSize > BigInt(MAX_DECOMPRESSED_CHUNK_BYTES)) {
        throw new Error(`zstd chunk claims ${decompressedSize} decompressed bytes, more than ${MAX_DECOMPRESSED_CHUNK_BYTES}`);
      }
      const out = zstd.decompress(buffer, Number(decompressedSize));
      if (out.byteLength !== Number(decompressedSize)) {
        throw new Error(`zstd chunk decompressed to ${out.byteLength} bytes, expected ${decompressedSize}`);
      }
      return out;
    },
  };
}

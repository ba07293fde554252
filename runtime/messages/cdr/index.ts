// Byte-exact ROS 2 CDR (XCDR1, little-endian) for every registry type: see README.md for the wire rules and the
// cross-check against Cyclone DDS.
export type { CdrCodec, CdrCodecOptions } from './cdr-codec.js';
export { cdrCodecFor, createCdrCodec } from './cdr-codec.js';
export { CdrError } from './cdr-error.js';
export type { DescriptorResolver } from './cdr-plan.js';
export { utf8ByteLength } from './utf8.js';

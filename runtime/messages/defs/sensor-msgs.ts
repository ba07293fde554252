// sensor_msgs: joint states and camera images.
import { defineMessage, field, fixedArray, sequence } from '../descriptor.js';
import type { Header } from './builtin-interfaces.js';

/**
 * sensor_msgs/msg/JointState. `name[i]` goes with `position[i]`, `velocity[i]`, `effort[i]`; velocity and
 * effort may be empty. Units: rad (or m for prismatic joints), per second, N·m (or N).
 */
export interface JointState {
  header: Header;
  name: string[];
  position: number[] | Float64Array;
  velocity: number[] | Float64Array;
  effort: number[] | Float64Array;
}

/** sensor_msgs/msg/Image. `step` is the row length in bytes; `data` holds height * step bytes. */
export interface Image {
  header: Header;
  height: number;
  width: number;
  encoding: string;
  is_bigendian: number;
  step: number;
  data: Uint8Array;
}

/** sensor_msgs/msg/CompressedImage. `format` is e.g. `jpeg` or `png`. */
export interface CompressedImage {
  header: Header;
  format: string;
  data: Uint8Array;
}

/** sensor_msgs/msg/RegionOfInterest */
export interface RegionOfInterest {
  x_offset: number;
  y_offset: number;
  height: number;
  width: number;
  do_rectify: boolean;
}

/** sensor_msgs/msg/CameraInfo. k is 3x3, r is 3x3, p is 3x4, all row-major. */
export interface CameraInfo {
  header: Header;
  height: number;
  width: number;
  distortion_model: string;
  d: number[] | Float64Array;
  k: number[] | Float64Array;
  r: number[] | Float64Array;
  p: number[] | Float64Array;
  binning_x: number;
  binning_y: number;
  roi: RegionOfInterest;
}

export const JointStateDescriptor = defineMessage('sensor_msgs/msg/JointState', [
  field('header', 'std_msgs/msg/Header'),
  sequence('name', 'string'),
  sequence('position', 'float64'),
  sequence('velocity', 'float64'),
  sequence('effort', 'float64'),
]);

export const ImageDescriptor = defineMessage('sensor_msgs/msg/Image', [
  field('header', 'std_msgs/msg/Header'),
  field('height', 'uint32'),
  field('width', 'uint32'),
  field('encoding', 'string'),
  field('is_bigendian', 'uint8'),
  field('step', 'uint32'),
  sequence('data', 'uint8'),
]);

export const CompressedImageDescriptor = defineMessage('sensor_msgs/msg/CompressedImage', [
  field('header', 'std_msgs/msg/Header'),
  field('format', 'string'),
  sequence('data', 'uint8'),
]);

export const RegionOfInterestDescriptor = defineMessage('sensor_msgs/msg/RegionOfInterest', [
  field('x_offset', 'uint32'),
  field('y_offset', 'uint32'),
  field('height', 'uint32'),
  field('width', 'uint32'),
  field('do_rectify', 'bool'),
]);

export const CameraInfoDescriptor = defineMessage('sensor_msgs/msg/CameraInfo', [
  field('header', 'std_msgs/msg/Header'),
  field('height', 'uint32'),
  field('width', 'uint32'),
  field('distortion_model', 'string'),
  sequence('d', 'float64'),
  fixedArray('k', 'float64', 9),
  fixedArray('r', 'float64', 9),
  fixedArray('p', 'float64', 12),
  field('binning_x', 'uint32'),
  field('binning_y', 'uint32'),
  field('roi', 'sensor_msgs/msg/RegionOfInterest'),
]);

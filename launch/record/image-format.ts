// JPEG needs OpenCV, an optional dependency; raw frames need nothing. `auto` takes JPEG where it can and says
// when it cannot, so a machine without OpenCV still records (at ~27 MB/s per 640x480 camera).
import { openCvAvailable } from '../../perception/cameras/opencv-loader.js';
import { UserError } from '../../runtime/errors.js';

export type ImageFormatChoice = 'jpeg' | 'raw' | 'auto';

export function resolveImageFormat(
  format: ImageFormatChoice, log: (line: string) => void, who = 'record', available: typeof openCvAvailable = openCvAvailable,
): 'jpeg' | 'raw' {
  if (format === 'raw') return 'raw';
  const cv = available();
  if (cv.ok) return 'jpeg';
  if (format === 'jpeg') throw new UserError(`${who}: JPEG frames need OpenCV: ${cv.reason}`);
  log(`armstack ${who}: OpenCV is not available, so frames are stored raw (sensor_msgs/Image, ~27 MB/s per camera); ${cv.reason}`);
  return 'raw';
}

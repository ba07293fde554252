// perception/cameras: the Camera interface and its implementations. OpenCV is loaded only when an OpenCV camera,
// a compressed topic or JPEG publishing is used.
export type { Camera, CameraInfo, Frame, PixelEncoding } from './camera.js';
export { FrameRing } from './frame-ring.js';
export { OpenCvCamera, classifySource } from './opencv-camera.js';
export type { CameraLinkState, CameraStatusEvent, OpenCvCameraConfig, OpenCvCameraDeps, OpenCvCameraStats } from './opencv-camera.js';
export { TopicCamera } from './topic-camera.js';
export type { TopicCameraConfig, TopicCameraDeps, TopicCameraStats } from './topic-camera.js';
export { publishFrames } from './publish-frames.js';
export type { FramePublisher, FramePublisherStats, PublishFramesOptions } from './publish-frames.js';
export {
  CameraConfigSchema, OpenCvCameraConfigSchema, SimCameraConfigSchema, TopicCameraConfigSchema, createCamera, parseCameraConfig,
} from './create-camera.js';
export type { CameraConfig, CreateCameraDeps, OpenCvCameraEntry, SimCameraConfig, TopicCameraEntry } from './create-camera.js';
export { OPENCV_FIX_HINT, loadOpenCv, openCvAvailable } from './opencv-loader.js';
export type { Mat, OpenCv } from './opencv-loader.js';

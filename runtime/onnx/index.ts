// runtime/onnx: writing ONNX model files from TypeScript (IR 8, opset 13), for models the repo trains itself.
export type { AttrValue, Dim, ElementType, OnnxModelBuilderOptions } from './onnx-model-builder.js';
export { OnnxModelBuilder } from './onnx-model-builder.js';
export type { ConvOptions, GemmOptions, PoolOptions } from './onnx-ops.js';
export {
  add, averagePool, concat, conv, conv2dFromHwio, dense, depthToSpace, div, flatten, gemm, identity, leakyRelu, matMul,
  maxPool, mul, reduceMean, relu, reshape, sigmoid, softmax, spaceToDepth, sub, tanh, transpose,
} from './onnx-ops.js';
export type { OnnxModelInfo } from './onnx-metadata.js';
export { readOnnxModelInfo } from './onnx-metadata.js';

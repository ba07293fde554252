// Typed helpers for the ONNX operators armstack's models use (opset 13 semantics). Each takes the builder and
// value names and returns the output name; attribute names and defaults follow the ONNX operator docs.
import type { AttrValue, OnnxModelBuilder } from './onnx-model-builder.js';

type B = OnnxModelBuilder;

export interface GemmOptions {
  alpha?: number;
  beta?: number;
  transA?: boolean;
  transB?: boolean;
}

/** Y = alpha·A'·B' + beta·C (C optional, broadcast). */
export function gemm(b: B, a: string, w: string, c?: string, o: GemmOptions = {}): string {
  const attrs: Record<string, AttrValue> = {};
  if (o.alpha !== undefined) attrs.alpha = { float: o.alpha };
  if (o.beta !== undefined) attrs.beta = { float: o.beta };
  if (o.transA) attrs.transA = 1;
  if (o.transB) attrs.transB = 1;
  return b.op('Gemm', c === undefined ? [a, w] : [a, w, c], attrs);
}

export const matMul = (b: B, x: string, y: string): string => b.op('MatMul', [x, y]);
export const add = (b: B, x: string, y: string): string => b.op('Add', [x, y]);
export const sub = (b: B, x: string, y: string): string => b.op('Sub', [x, y]);
export const mul = (b: B, x: string, y: string): string => b.op('Mul', [x, y]);
export const div = (b: B, x: string, y: string): string => b.op('Div', [x, y]);
export const relu = (b: B, x: string): string => b.op('Relu', [x]);
export const leakyRelu = (b: B, x: string, alpha = 0.01): string => b.op('LeakyRelu', [x], { alpha: { float: alpha } });
export const tanh = (b: B, x: string): string => b.op('Tanh', [x]);
export const sigmoid = (b: B, x: string): string => b.op('Sigmoid', [x]);
export const identity = (b: B, x: string, output?: string): string => b.op('Identity', [x], {}, output);
/** Softmax over one axis (opset 13: a single axis, default -1). */
export const softmax = (b: B, x: string, axis = -1): string => b.op('Softmax', [x], { axis });
export const flatten = (b: B, x: string, axis = 1): string => b.op('Flatten', [x], { axis });
export const concat = (b: B, xs: string[], axis: number): string => b.op('Concat', xs, { axis });
export const transpose = (b: B, x: string, perm: number[]): string => b.op('Transpose', [x], { perm: { ints: perm } });
/** Opset 13: axes is an attribute (it became an input in opset 18). */
export const reduceMean = (b: B, x: string, axes: number[], keepdims = true): string =>
  b.op('ReduceMean', [x], { axes: { ints: axes }, keepdims: keepdims ? 1 : 0 });
export const spaceToDepth = (b: B, x: string, blocksize: number): string => b.op('SpaceToDepth', [x], { blocksize });
/** DCR mode (the default), which is TensorFlow's depth_to_space channel order. */
export const depthToSpace = (b: B, x: string, blocksize: number): string => b.op('DepthToSpace', [x], { blocksize, mode: 'DCR' });

/** Reshape to a constant shape (0 copies a dim, -1 infers one); the shape becomes an int64 initializer. */
export function reshape(b: B, x: string, shape: number[]): string {
  const s = b.initializerInt64(b.fresh('shape'), shape, [shape.length]);
  return b.op('Reshape', [x, s]);
}

export interface ConvOptions {
  /** [top, left, bottom, right] for 2-D (ONNX order: all begins, then all ends). Default zeros. */
  pads?: number[];
  strides?: number[];
  dilations?: number[];
  group?: number;
}

/** NCHW convolution; w is [M, C/group, kH, kW]; bias optional. */
export function conv(b: B, x: string, w: string, bias?: string, o: ConvOptions = {}): string {
  const attrs: Record<string, AttrValue> = {};
  if (o.pads) attrs.pads = { ints: o.pads };
  if (o.strides) attrs.strides = { ints: o.strides };
  if (o.dilations) attrs.dilations = { ints: o.dilations };
  if (o.group !== undefined) attrs.group = o.group;
  return b.op('Conv', bias === undefined ? [x, w] : [x, w, bias], attrs);
}

export interface PoolOptions {
  kernelShape: number[];
  strides?: number[];
  pads?: number[];
  /** AveragePool only: count padded cells in the divisor. */
  countIncludePad?: boolean;
}

function poolAttrs(o: PoolOptions): Record<string, AttrValue> {
  const attrs: Record<string, AttrValue> = { kernel_shape: { ints: o.kernelShape } };
  if (o.strides) attrs.strides = { ints: o.strides };
  if (o.pads) attrs.pads = { ints: o.pads };
  return attrs;
}

export const maxPool = (b: B, x: string, o: PoolOptions): string => b.op('MaxPool', [x], poolAttrs(o));
export function averagePool(b: B, x: string, o: PoolOptions): string {
  const attrs = poolAttrs(o);
  if (o.countIncludePad) attrs.count_include_pad = 1;
  return b.op('AveragePool', [x], attrs);
}

// ---- layers: ops plus their weights as initializers ----

/**
 * A fully connected layer y = x·W + b for x [N, inF]; `weights` is row-major [inF, outF] (the TensorFlow
 * Dense kernel layout), stored transposed for Gemm with transB.
 */
export function dense(b: B, x: string, weights: ArrayLike<number>, bias: ArrayLike<number>, inF: number, outF: number, prefix = b.fresh('dense')): string {
  const wt = new Float32Array(inF * outF);
  for (let i = 0; i < inF; i++) for (let o = 0; o < outF; o++) wt[o * inF + i] = weights[i * outF + o];
  const w = b.initializer(`${prefix}.weight`, wt, [outF, inF]);
  const c = b.initializer(`${prefix}.bias`, bias, [outF]);
  return gemm(b, x, w, c, { transB: true });
}

/**
 * A 2-D convolution layer from a TensorFlow-layout kernel [kH, kW, C, M] (what tfjs trains), converted to
 * ONNX's [M, C, kH, kW].
 */
export function conv2dFromHwio(
  b: B, x: string, kernelHwio: ArrayLike<number>, bias: ArrayLike<number>, kH: number, kW: number, c: number, m: number,
  o: ConvOptions = {}, prefix = b.fresh('conv'),
): string {
  const w = new Float32Array(m * c * kH * kW);
  for (let h = 0; h < kH; h++) {
    for (let ww = 0; ww < kW; ww++) {
      for (let ci = 0; ci < c; ci++) {
        for (let mo = 0; mo < m; mo++) w[((mo * c + ci) * kH + h) * kW + ww] = kernelHwio[((h * kW + ww) * c + ci) * m + mo];
      }
    }
  }
  const wName = b.initializer(`${prefix}.weight`, w, [m, c, kH, kW]);
  const bName = b.initializer(`${prefix}.bias`, bias, [m]);
  return conv(b, x, wName, bName, o);
}

// Reading a model file's own facts back: metadata_props, producer, IR and opset versions. onnxruntime-node does
// not expose custom metadata, and runners need it (classes, input size, camera), so the file is decoded here.
import onnxProto from 'onnx-proto';

export interface OnnxModelInfo {
  producerName: string;
  producerVersion: string;
  irVersion: number;
  opsetVersion: number;
  metadata: Record<string, string>;
}

/** Decodes the ModelProto header fields; throws when the bytes are not an ONNX model. */
export function readOnnxModelInfo(bytes: Uint8Array): OnnxModelInfo {
  const m = onnxProto.onnx.ModelProto.decode(bytes);
  const metadata: Record<string, string> = {};
  for (const p of m.metadataProps) metadata[p.key ?? ''] = p.value ?? '';
  const opset = m.opsetImport.find((o) => !o.domain) ?? m.opsetImport[0];
  return {
    producerName: m.producerName, producerVersion: m.producerVersion, irVersion: Number(m.irVersion),
    opsetVersion: Number(opset?.version ?? 0), metadata,
  };
}

// Parquet files as LeRobot's tools write them (pyarrow through pandas or HF datasets), with hyparquet-writer:
// required scalar columns, list<float|double|int64|string> columns with the standard three-level LIST layout,
// and key-value metadata (`huggingface` feature info, `pandas` index info) where readers look for it.
import { writeFileSync } from 'node:fs';
import { parquetWriteBuffer } from 'hyparquet-writer';

export type ScalarType = 'INT64' | 'FLOAT' | 'DOUBLE' | 'BOOLEAN' | 'STRING';

export interface ParquetColumn {
  name: string;
  type: ScalarType;
  /** 0: scalar; 1: list of `type`; 3: list of list of list (LeRobot's image stats [3][1][1]). */
  listDepth?: 0 | 1 | 3;
  data: unknown[];
}

type SchemaElement = Record<string, unknown>;

function leaf(name: string, type: ScalarType): SchemaElement {
  if (type === 'STRING') return { name, repetition_type: 'REQUIRED', type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } };
  return { name, repetition_type: 'REQUIRED', type };
}

function schemaOf(col: ParquetColumn): SchemaElement[] {
  const depth = col.listDepth ?? 0;
  if (depth === 0) return [leaf(col.name, col.type)];
  const out: SchemaElement[] = [];
  let name = col.name;
  for (let d = 0; d < depth; d++) {
    out.push({ name, repetition_type: 'REQUIRED', num_children: 1, converted_type: 'LIST', logical_type: { type: 'LIST' } });
    out.push({ name: 'list', repetition_type: 'REPEATED', num_children: 1 });
    name = 'element';
  }
  out.push(leaf('element', col.type));
  return out;
}

function normalize(col: ParquetColumn): unknown[] {
  if (col.type !== 'INT64') return col.data;
  const big = (v: unknown): unknown => (Array.isArray(v) ? v.map(big) : typeof v === 'bigint' ? v : BigInt(v as number));
  return col.data.map(big);
}

export function parquetBytes(columns: readonly ParquetColumn[], kv: Record<string, string> = {}): Uint8Array {
  const rows = columns[0]?.data.length ?? 0;
  for (const c of columns) {
    if (c.data.length !== rows) throw new Error(`parquetBytes: column ${c.name} has ${c.data.length} rows, ${columns[0].name} has ${rows}`);
  }
  const buffer = parquetWriteBuffer({
    columnData: columns.map((c) => ({ name: c.name, data: normalize(c) as never })),
    schema: [{ name: 'schema', num_children: columns.length }, ...columns.flatMap(schemaOf)] as never,
    kvMetadata: Object.entries(kv).map(([key, value]) => ({ key, value })),
    createdBy: 'armstack (hyparquet-writer)',
  });
  return new Uint8Array(buffer);
}

export function writeParquet(path: string, columns: readonly ParquetColumn[], kv: Record<string, string> = {}): void {
  writeFileSync(path, parquetBytes(columns, kv));
}

/** HF datasets' feature description for the `huggingface` key, so `datasets` loads the right types. */
export function huggingfaceFeatures(features: Record<string, { dtype: string; shape: number[] }>): string {
  const out: Record<string, unknown> = {};
  for (const [key, f] of Object.entries(features)) {
    if (f.dtype === 'video' || f.dtype === 'image') continue;
    const value = { dtype: f.dtype, _type: 'Value' };
    out[key] = f.shape.length === 1 && f.shape[0] === 1 ? value : { feature: value, length: f.shape[0], _type: 'Sequence' };
  }
  return JSON.stringify({ info: { features: out } });
}

/** pandas metadata making `pd.read_parquet` restore a string index (LeRobot's tasks.parquet is indexed by task). */
export function pandasStringIndex(indexColumn: string, columns: Array<{ name: string; pandasType: string; numpyType: string }>): string {
  return JSON.stringify({
    index_columns: [indexColumn],
    column_indexes: [{ name: null, field_name: null, pandas_type: 'unicode', numpy_type: 'object', metadata: { encoding: 'UTF-8' } }],
    columns: [
      ...columns.map((c) => ({ name: c.name, field_name: c.name, pandas_type: c.pandasType, numpy_type: c.numpyType, metadata: null })),
      { name: null, field_name: indexColumn, pandas_type: 'unicode', numpy_type: 'object', metadata: null },
    ],
    creator: { library: 'armstack', version: '1' },
    pandas_version: '2.2.3',
  });
}

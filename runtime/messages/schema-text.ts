// Renders the `ros2msg` schema text of a message, as rosbag2 (LocalMessageDefinitionSource) and Foxglove write it
// into MCAP: the type's own definition, then each dependency once, depth first, in sorted order, each after
//   ================================================================================
//   MSG: pkg/Name
import type { ConstantValue, FieldDescriptor, MessageDescriptor } from './descriptor.js';
import { shortTypeName } from './descriptor.js';
import { messageDescriptor } from './registry.js';

const DELIMITER = '='.repeat(80);

const schemaCache = new Map<string, string>();

/** The full `ros2msg` schema text of a type (`pkg/msg/Name` or `pkg/Name`), for an MCAP Schema record. */
export function ros2msgSchema(typeName: string): string {
  const root = messageDescriptor(typeName);
  let text = schemaCache.get(root.typeName);
  if (text === undefined) {
    const seen = new Set<string>();
    text = renderWithDependencies(root, seen);
    schemaCache.set(root.typeName, text);
  }
  return text;
}

function renderWithDependencies(descriptor: MessageDescriptor, seen: Set<string>): string {
  let text = renderDefinition(descriptor);
  const dependencies = [...new Set(descriptor.fields.filter((f) => f.isComplex).map((f) => f.type))].sort(
    (a, b) => compareStrings(shortTypeName(a), shortTypeName(b)),
  );
  for (const dependency of dependencies) {
    if (seen.has(dependency)) continue;
    seen.add(dependency);
    // rosbag2 puts a newline between the previous text and the delimiter, leaving one blank line.
    text += `\n${DELIMITER}\nMSG: ${shortTypeName(dependency)}\n`;
    text += renderWithDependencies(messageDescriptor(dependency), seen);
  }
  return text;
}

// Byte order, like std::set<std::string> in rosbag2.
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One message's own .msg text: constants first, then fields, one per line. */
export function renderDefinition(descriptor: MessageDescriptor): string {
  let text = '';
  for (const c of descriptor.constants) text += `${c.type} ${c.name}=${renderLiteral(c.value)}\n`;
  for (const f of descriptor.fields) text += `${renderFieldType(f)} ${f.name}${renderDefault(f)}\n`;
  return text;
}

function renderFieldType(f: FieldDescriptor): string {
  let type = f.isComplex ? shortTypeName(f.type) : f.type;
  if (f.stringBound !== undefined) type += `<=${f.stringBound}`;
  switch (f.arrayKind) {
    case 'none':
      return type;
    case 'sequence':
      return `${type}[]`;
    case 'fixed':
      return `${type}[${f.arrayLength}]`;
    case 'bounded':
      return `${type}[<=${f.arrayBound}]`;
  }
}

function renderDefault(f: FieldDescriptor): string {
  return f.defaultValue === undefined ? '' : ` ${renderLiteral(f.defaultValue)}`;
}

function renderLiteral(value: ConstantValue): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

// A tiny phrase language shared by the text parser and the JSGF generator, so both accept the same sentences:
//   word          a literal lowercase word
//   $name         a shared phrase (a private rule)
//   {field}       a slot whose value table is named like the field; {field=table} names the table
//   [ a b ]       optional
//   ( a | b )     alternatives; a top-level `|` also separates alternatives

export type PatternNode =
  | { kind: 'word'; word: string }
  | { kind: 'phrase'; name: string }
  | { kind: 'slot'; field: string; table: string }
  | { kind: 'seq'; items: PatternNode[] }
  | { kind: 'alt'; options: PatternNode[] }
  | { kind: 'opt'; node: PatternNode };

const TOKEN_RE = /\s*(\$[a-z_][a-z0-9_]*|\{[a-z_]+(?:=[a-z_]+)?\}|[a-z][a-z']*|[()[\]|])/y;

function tokenize(source: string): string[] {
  const tokens: string[] = [];
  TOKEN_RE.lastIndex = 0;
  let pos = 0;
  while (pos < source.length) {
    if (/^\s*$/.test(source.slice(pos))) break;
    TOKEN_RE.lastIndex = pos;
    const m = TOKEN_RE.exec(source);
    if (!m) throw new Error(`compilePattern: unexpected character at ${pos} in "${source}"`);
    tokens.push(m[1]!);
    pos = TOKEN_RE.lastIndex;
  }
  return tokens;
}

/** Parses a pattern; throws naming the pattern when it is malformed (a grammar bug, caught by tests). */
export function compilePattern(source: string): PatternNode {
  const tokens = tokenize(source);
  let i = 0;

  const parseAlt = (closer: string | undefined): PatternNode => {
    const options: PatternNode[] = [parseSeq()];
    while (tokens[i] === '|') {
      i++;
      options.push(parseSeq());
    }
    if (closer !== undefined) {
      if (tokens[i] !== closer) throw new Error(`compilePattern: expected "${closer}" in "${source}"`);
      i++;
    }
    return options.length === 1 ? options[0]! : { kind: 'alt', options };
  };

  const parseSeq = (): PatternNode => {
    const items: PatternNode[] = [];
    for (;;) {
      const t = tokens[i];
      if (t === undefined || t === '|' || t === ')' || t === ']') break;
      i++;
      if (t === '(') items.push(parseAlt(')'));
      else if (t === '[') items.push({ kind: 'opt', node: parseAlt(']') });
      else if (t.startsWith('$')) items.push({ kind: 'phrase', name: t.slice(1) });
      else if (t.startsWith('{')) {
        const [field, table] = t.slice(1, -1).split('=');
        items.push({ kind: 'slot', field: field!, table: table ?? field! });
      } else items.push({ kind: 'word', word: t });
    }
    if (items.length === 0) throw new Error(`compilePattern: empty alternative in "${source}"`);
    return items.length === 1 ? items[0]! : { kind: 'seq', items };
  };

  const node = parseAlt(undefined);
  if (i !== tokens.length) throw new Error(`compilePattern: unbalanced "${tokens[i]}" in "${source}"`);
  return node;
}

/** Every literal word a node can produce, not following phrase or slot references. */
export function literalWords(node: PatternNode, into: Set<string> = new Set()): Set<string> {
  switch (node.kind) {
    case 'word': into.add(node.word); break;
    case 'seq': for (const n of node.items) literalWords(n, into); break;
    case 'alt': for (const n of node.options) literalWords(n, into); break;
    case 'opt': literalWords(node.node, into); break;
    case 'phrase': case 'slot': break;
  }
  return into;
}

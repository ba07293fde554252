// Text to grammar tokens: lowercase ASCII words, numbers spelled out, so "Put it in Bin #2!" and the recognizer's
// "put it in bin two" meet the same grammar. Linear in the input and never throws, because it sees raw MQTT text.

const CARDINALS = [
  'zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve',
  'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen', 'twenty',
];
const ORDINALS = [
  'zeroth', 'first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth',
  'eleventh', 'twelfth', 'thirteenth', 'fourteenth', 'fifteenth', 'sixteenth', 'seventeenth', 'eighteenth',
  'nineteenth', 'twentieth',
];

/** Spellings that mean the same grammar words. */
const REWRITES: Readonly<Record<string, readonly string[]>> = {
  estop: ['e', 'stop'],
  ok: ['okay'],
  okey: ['okay'],
  alright: ['all', 'right'],
  dont: ["don't"],
  lets: ["let's"],
};

/** Hesitations people type or say that carry no meaning. */
const DISFLUENCIES: ReadonlySet<string> = new Set(['um', 'uh', 'uhm', 'umm', 'er', 'erm', 'hmm', 'ah']);

export function cardinalWord(n: number): string | undefined {
  return CARDINALS[n];
}

export function ordinalWord(n: number): string | undefined {
  return ORDINALS[n];
}

/** The value of a cardinal or ordinal number word ("two", "second"), or undefined. */
export function numberWordValue(word: string): number | undefined {
  const c = CARDINALS.indexOf(word);
  if (c >= 0) return c;
  const o = ORDINALS.indexOf(word);
  return o >= 0 ? o : undefined;
}

function spellNumber(digits: string, ordinal: boolean): string {
  const n = digits.length <= 3 ? Number(digits) : NaN;
  const word = ordinal ? ORDINALS[n] : CARDINALS[n];
  // Numbers outside the table stay digits, which no grammar word matches: "bin 42" is rejected, not misheard.
  return word ?? digits;
}

/** Normalises case, accents, punctuation and numbers into grammar tokens. */
export function normalizeText(text: string): string[] {
  const folded = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc`]/g, "'")
    .replace(/(\d+)\s*(st|nd|rd|th)\b/g, (_m, d: string) => ` ${spellNumber(d, true)} `)
    .replace(/\d+/g, (d) => ` ${spellNumber(d, false)} `)
    .replace(/[^a-z0-9']+/g, ' ');
  const tokens: string[] = [];
  for (const raw of folded.split(' ')) {
    const word = raw.replace(/^'+|'+$/g, '');
    if (word === '' || DISFLUENCIES.has(word)) continue;
    const rewrite = REWRITES[word];
    if (rewrite) tokens.push(...rewrite);
    else tokens.push(word);
  }
  return tokens;
}

export * from './intent.js';
export { INTENT_GRAMMAR, MAX_BIN } from './grammar.js';
export type { IntentGrammar, IntentRule, SlotTable } from './grammar.js';
export { parseIntent, parseTokens, compileGrammar, defaultCompiledGrammar, MAX_COMMAND_WORDS } from './parse-intent.js';
export type { CompiledGrammar } from './parse-intent.js';
export { normalizeText } from './normalize.js';

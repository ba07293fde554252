// Held-out accuracy of a localizer model on freshly rendered scenes whose seeds no training or validation run
// uses. Prints a progress line while it runs and the figures at the end (--json for a machine-readable line).
//
//   node --import tsx perception/models/train/eval.ts [--scenes 500] [--model PATH] [--json]
import { parseArgs } from 'node:util';
import { defaultLocalizerModelPath } from '../object-localizer.js';
import { EVAL_SEED_BASE, evaluateLocalizer, formatEval } from './evaluate.js';

const { values: args } = parseArgs({
  options: {
    scenes: { type: 'string', default: '500' },
    model: { type: 'string', default: defaultLocalizerModelPath() },
    json: { type: 'boolean', default: false },
  },
});

async function main(): Promise<void> {
  const n = Number(args.scenes);
  const seeds = Array.from({ length: n }, (_, i) => EVAL_SEED_BASE + i);
  console.log(`evaluating ${args.model} on ${n} held-out scenes (seeds ${EVAL_SEED_BASE}..${EVAL_SEED_BASE + n - 1})`);
  const r = await evaluateLocalizer({
    modelPath: args.model, seeds,
    progress: (done, total, partial) => {
      if (done % 50 === 0 || done === total) console.log(`  ${done}/${total}: ${formatEval(partial)}`);
    },
  });
  console.log(`result: ${formatEval(r)}`);
  if (args.json) console.log(JSON.stringify(r));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});

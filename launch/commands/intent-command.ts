// `armstack intent "text"... [--json]` and `armstack intent --wav FILE... [--json]`: what the bridge would make of
// typed or spoken commands, without a robot or a broker.
import type { Command } from 'commander';
import { UserError } from '../../runtime/errors.js';
import { runIntentCommand } from '../../runtime/bridge/voice/intent-cli.js';

interface IntentFlags {
  json?: boolean;
  wav?: string[];
}

export function registerIntentCommand(program: Command): void {
  program
    .command('intent')
    .description('parse operator commands (text, or WAV files through the recognizer) into intents')
    .argument('[text...]', 'command text, e.g. "pick the red box"')
    .option('--wav <files...>', 'recognise these WAV files (16 kHz mono PCM16 preferred)')
    .option('--json', 'one JSON line per input: {input, text, confidence, intent}')
    .action(async (texts: string[], flags: IntentFlags) => {
      const wavs = flags.wav ?? [];
      if (texts.length === 0 && wavs.length === 0) throw new UserError('intent: give command text or --wav FILE...');
      await runIntentCommand({ texts, wavs }, { json: Boolean(flags.json) }, (line) => void process.stdout.write(line + '\n'));
    });
}

// Prints a users.yaml passwordHash for a password read from stdin (so it stays out of shell history):
//   printf '%s' 'the password' | npx tsx runtime/bridge/mqtt/hash-password.ts
import { pathToFileURL } from 'node:url';
import { hashPassword } from './users.js';

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // A trailing newline from `echo` is almost never part of the password.
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.stdin.isTTY) console.error('type the password, then Ctrl-D');
  hashPassword(await readStdin()).then(
    (hash) => console.log(hash),
    (error: Error) => {
      console.error(error.message);
      process.exit(2);
    },
  );
}

// Writes a mosquitto acl_file for the users in a users.yaml, with the same per-role rules the embedded broker uses:
//   npx tsx runtime/bridge/mqtt/mosquitto/write-acl.ts users.yaml [topic prefix] > /etc/mosquitto/armstack.acl
import { pathToFileURL } from 'node:url';
import { mosquittoAcl } from '../acl.js';
import { DEFAULT_TOPIC_PREFIX } from '../topics.js';
import { UserStore } from '../users.js';

export function aclForUsersFile(path: string, prefix = DEFAULT_TOPIC_PREFIX): string {
  return mosquittoAcl(UserStore.fromFile(path).list(), prefix);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [file, prefix] = process.argv.slice(2);
  if (!file) {
    console.error('usage: write-acl.ts users.yaml [topic prefix]');
    process.exit(2);
  }
  try {
    process.stdout.write(aclForUsersFile(file, prefix));
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
}

import { join } from 'node:path';
import { packageRoot } from '../../runtime/package-root.js';

/** Where `npm run build` puts the dashboard client. */
export function defaultStaticDir(): string {
  return join(packageRoot(), 'dist', 'dashboard', 'client');
}

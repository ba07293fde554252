// Loading the arm's URDF from disk. Parsing itself lives in urdf-parser.ts (no node: imports, browser-safe).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.js';
import type { ArmDescription } from './arm-description.js';
import { parseUrdf } from './urdf-parser.js';

export { parseUrdf, ARMSTACK_URDF_NS } from './urdf-parser.js';

const URDF_IN_REPO = join('runtime', 'robot', 'description', 'arm6.urdf');

/**
 * The build compiles TS into dist/ without copying .urdf files, so walk up from this module (runtime/robot/ under
 * tsx, dist/runtime/robot/ when built) to the first folder that holds the source tree's copy.
 */
export function findArmUrdf(fromDir = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, URDF_IN_REPO);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) break;
  }
  return fileURLToPath(new URL('./description/arm6.urdf', import.meta.url));
}

/** Absolute path of the shipped arm6.urdf. */
export const DEFAULT_URDF_PATH: string = findArmUrdf();

/** Shorter names in errors when the file sits under the working directory. */
function displayName(absPath: string): string {
  const rel = relative(process.cwd(), absPath);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : absPath;
}

export function loadArmDescription(path: string | URL = DEFAULT_URDF_PATH): ArmDescription {
  const abs = path instanceof URL ? fileURLToPath(path) : path;
  let xml: string;
  try {
    xml = readFileSync(abs, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`${displayName(abs)}: cannot read the arm description (${code ?? String(err)})`);
  }
  return parseUrdf(xml, displayName(abs));
}

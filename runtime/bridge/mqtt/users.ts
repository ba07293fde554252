// Who may connect to the command broker and in which role: a users.yaml of usernames, roles and scrypt password
// hashes. The embedded broker authenticates against it and the bridge reads roles from it, so one file decides both.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';
import { parse as parseYaml } from 'yaml';
import { validateOrThrow } from '../../config/validate.js';
import { UserError } from '../../errors.js';
import { NAME_PATTERN, RESERVED_NAMES } from './topics.js';
import { StringEnum } from './schemas.js';

/** Humans are viewer < operator < supervisor; `robot` is a bridge process, named after the robot it serves. */
export type Role = 'viewer' | 'operator' | 'supervisor' | 'robot';
export const ROLES: readonly Role[] = ['viewer', 'operator', 'supervisor', 'robot'];

/** `scrypt$N$r$p$salt$hash`, salt and hash in base64. */
export const PASSWORD_HASH_PATTERN = '^scrypt\\$[0-9]+\\$[0-9]+\\$[0-9]+\\$[A-Za-z0-9+/=]+\\$[A-Za-z0-9+/=]+$';

export const UserSchema = Type.Object(
  {
    username: Type.String({ pattern: NAME_PATTERN }),
    role: StringEnum(ROLES),
    passwordHash: Type.String({ pattern: PASSWORD_HASH_PATTERN, description: 'From hashPassword() / hash-password.ts' }),
  },
  { additionalProperties: false },
);
export type User = Static<typeof UserSchema>;

export const UsersFileSchema = Type.Object({ users: Type.Array(UserSchema) }, { additionalProperties: false });

export interface ScryptCost {
  /** CPU/memory cost, a power of two. */
  N: number;
  r: number;
  p: number;
}

/** About 50 ms a check on one core: cheap for a login, expensive for a guesser. */
export const DEFAULT_SCRYPT_COST: ScryptCost = { N: 16384, r: 8, p: 1 };
// A users file is configuration, but a huge N would let it stall every login; this bounds memory to 256 MiB.
const MAX_SCRYPT_MEMORY = 256 * 1024 * 1024;
const KEY_BYTES = 32;

function scryptAsync(password: Buffer, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  const memory = 128 * cost.N * cost.r * cost.p;
  const options: ScryptOptions = { N: cost.N, r: cost.r, p: cost.p, maxmem: Math.max(32 * 1024 * 1024, memory * 2) };
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** Hashes a password for users.yaml: `scrypt$16384$8$1$<salt>$<hash>`. */
export async function hashPassword(password: string, cost: ScryptCost = DEFAULT_SCRYPT_COST): Promise<string> {
  if (password.length === 0) throw new UserError('hashPassword: the password is empty');
  const salt = randomBytes(16);
  const key = await scryptAsync(Buffer.from(password, 'utf8'), salt, cost);
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

interface ParsedHash {
  cost: ScryptCost;
  salt: Buffer;
  key: Buffer;
}

function parseHash(hash: string): ParsedHash | string {
  const parts = hash.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return 'is not scrypt$N$r$p$salt$hash';
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (![N, r, p].every((x) => Number.isInteger(x) && x > 0)) return 'has a bad N, r or p';
  if ((N & (N - 1)) !== 0 || N < 2) return 'has an N that is not a power of two';
  if (128 * N * r * p > MAX_SCRYPT_MEMORY) return `needs more than ${MAX_SCRYPT_MEMORY >> 20} MiB (N*r*p too large)`;
  const salt = Buffer.from(parts[4], 'base64');
  const key = Buffer.from(parts[5], 'base64');
  if (salt.length < 8 || key.length < 16) return 'has a salt or hash that is too short';
  return { cost: { N, r, p }, salt, key };
}

/** Constant-time check of a password against a hash from hashPassword(). False for a malformed hash. */
export async function verifyPassword(password: string | Buffer, hash: string): Promise<boolean> {
  const parsed = parseHash(hash);
  if (typeof parsed === 'string') return false;
  const input = typeof password === 'string' ? Buffer.from(password, 'utf8') : password;
  const key = await scryptAsync(input, parsed.salt, parsed.cost);
  return key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
}

/** Usernames, roles and hashes, checked when loaded. */
export class UserStore {
  readonly #users = new Map<string, User>();
  // Unknown usernames still cost one scrypt, so timing does not tell which names exist.
  #decoyHash: string | undefined;

  constructor(users: readonly User[], source = 'users') {
    const problems: string[] = [];
    users.forEach((user, i) => {
      if (this.#users.has(user.username)) problems.push(`${source}: users[${i}].username "${user.username}" is listed twice`);
      if (RESERVED_NAMES.has(user.username)) problems.push(`${source}: users[${i}].username "${user.username}" is reserved`);
      const hash = parseHash(user.passwordHash);
      if (typeof hash === 'string') problems.push(`${source}: users[${i}].passwordHash ${hash}`);
      this.#users.set(user.username, { ...user });
    });
    if (problems.length) throw new UserError(problems.join('\n'));
    this.#decoyHash = users[0]?.passwordHash;
  }

  static fromYaml(text: string, source = 'users.yaml'): UserStore {
    let value: unknown;
    try {
      value = parseYaml(text);
    } catch (error) {
      throw new UserError(`${source}: not valid YAML: ${(error as Error).message}`);
    }
    const file = validateOrThrow(UsersFileSchema, value, source);
    return new UserStore(file.users, source);
  }

  static fromFile(path: string): UserStore {
    return UserStore.fromYaml(readFileSync(path, 'utf8'), path);
  }

  get size(): number {
    return this.#users.size;
  }

  list(): User[] {
    return [...this.#users.values()].map((u) => ({ ...u }));
  }

  get(username: string): Readonly<User> | undefined {
    return this.#users.get(username);
  }

  roleOf(username: string): Role | undefined {
    return this.#users.get(username)?.role;
  }

  /** The user when the password matches, else undefined. */
  async authenticate(username: string | undefined, password: string | Buffer | undefined): Promise<User | undefined> {
    const user = username === undefined ? undefined : this.#users.get(username);
    const hash = user?.passwordHash ?? this.#decoyHash;
    if (!hash || password === undefined) return undefined;
    const ok = await verifyPassword(password, hash);
    return ok && user ? user : undefined;
  }
}

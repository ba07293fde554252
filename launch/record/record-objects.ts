// What `armstack record --object NAME` puts in the sim and into the episode's object metadata. The metadata names
// what was simulated (a dataset must never claim cloth it does not hold); flags may refine it (material, size, mass).
import { UserError } from '../../runtime/errors.js';
import { OBJECT_CATEGORIES, type ObjectCategory, type ObjectMetadata } from '../../runtime/recorder/episode-config.js';
import { DEFAULT_CLOTH_CONFIG } from '../../sim/cloth/cloth-config.js';

/** The sim tasks `record` can run. */
export const SIM_OBJECTS = ['towel', 'box'] as const;
export type SimObjectName = (typeof SIM_OBJECTS)[number];

export interface ObjectFlags {
  category?: string;
  material?: string;
  /** Approximate extents, m (1 to 3 numbers). */
  sizeM?: number[];
  massKg?: number;
}

export interface SimObjectPlan {
  name: SimObjectName;
  /** SimStack overrides for this task's world. */
  world: { boxes: number; cloth: boolean };
  expert: 'towel' | 'pick_place';
  metadata: ObjectMetadata;
}

const PRESETS: Record<SimObjectName, Omit<SimObjectPlan, 'metadata'> & { metadata: ObjectMetadata }> = {
  towel: {
    name: 'towel', world: { boxes: 0, cloth: true }, expert: 'towel',
    metadata: {
      name: 'towel', category: 'cloth', material: 'sim cloth (XPBD, 20x20 particles)',
      approxSizeM: [...DEFAULT_CLOTH_CONFIG.sizeM], massKg: DEFAULT_CLOTH_CONFIG.massKg,
    },
  },
  box: {
    name: 'box', world: { boxes: 4, cloth: false }, expert: 'pick_place',
    // The sim's boxes are rigid cubes of 4-6 cm; their mass is not simulated.
    metadata: { name: 'box', category: 'rigid', material: 'sim rigid box', approxSizeM: [0.05, 0.05, 0.05] },
  },
};

/** The plan for `--object name` with the metadata flags applied; a UserError names a bad flag. */
export function planSimObject(name: string, flags: ObjectFlags = {}): SimObjectPlan {
  if (!(SIM_OBJECTS as readonly string[]).includes(name)) {
    throw new UserError(`record: --object "${name}" has no sim task; known: ${SIM_OBJECTS.join(', ')}`);
  }
  const preset = PRESETS[name as SimObjectName];
  const metadata: ObjectMetadata = { ...preset.metadata };
  if (flags.category !== undefined) {
    if (!(OBJECT_CATEGORIES as readonly string[]).includes(flags.category)) {
      throw new UserError(`record: --category must be one of ${OBJECT_CATEGORIES.join(', ')}, got "${flags.category}"`);
    }
    metadata.category = flags.category as ObjectCategory;
  }
  if (flags.material !== undefined) metadata.material = flags.material;
  if (flags.sizeM !== undefined) metadata.approxSizeM = flags.sizeM;
  if (flags.massKg !== undefined) metadata.massKg = flags.massKg;
  return { ...preset, metadata };
}

/** commander parser for `--size 0.3,0.3[,0.01]` (metres). */
export function parseSizeFlag(value: string): number[] {
  const parts = value.split(/[,x]/).map((s) => s.trim());
  const sizes = parts.map(Number);
  if (parts.length < 1 || parts.length > 3 || parts.some((p) => p === '') || sizes.some((s) => !Number.isFinite(s) || s <= 0 || s > 10)) {
    throw new UserError(`record: --size expects 1 to 3 lengths in metres in (0, 10], comma-separated (e.g. 0.3,0.3), got "${value}"`);
  }
  return sizes;
}

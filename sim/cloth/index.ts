// sim/cloth: the towel (XPBD particles), what it collides with, how the gripper holds it, and its place in World.
export { Cloth } from './cloth.js';
export type { ClothBin, ClothCorner, ClothPlacement } from './cloth.js';
export { DEFAULT_CLOTH_CONFIG, resolveClothConfig } from './cloth-config.js';
export type { ClothConfig, ResolvedClothConfig } from './cloth-config.js';
export { BOX_STRIDE, BOXES_PER_BIN, ClothColliders, staticColliders } from './cloth-colliders.js';
export type { ClothGripperInput } from './cloth-grasp.js';
export { TOWEL_SPAWN, WorldCloth } from './world-cloth.js';
export type { WorldClothConfig } from './world-cloth.js';

// The MQTT command bridge: topic API, wire schemas, brokers, and the bridge itself. See README.md.
export * from './topics.js';
export * from './schemas.js';
export * from './audio.js';
export { UserStore, hashPassword, verifyPassword, ROLES, DEFAULT_SCRYPT_COST, UserSchema, UsersFileSchema } from './users.js';
export type { Role, User, ScryptCost } from './users.js';
export { publishDenial, subscribeDenial, mosquittoAcl } from './acl.js';
export type { AclUser } from './acl.js';
export { startEmbeddedBroker, DEFAULT_EMBEDDED_BROKER_CONFIG } from './embedded-broker.js';
export type { EmbeddedBroker, EmbeddedBrokerConfig } from './embedded-broker.js';
export { connectBridgeClient, connectLowLatency, BridgeClientConfigSchema } from './client.js';
export type { BridgeClientConfig, BridgeClientConfigInput, BridgeClientHooks, WillMessage } from './client.js';
export { decodeCommand } from './command-decode.js';
export type { DecodedCommand } from './command-decode.js';
export { CommandProcessor, DEFAULT_COMMAND_PROCESSOR_CONFIG, systemClock } from './command-processor.js';
export type {
  BridgeClock, CommandContext, CommandProcessorConfig, ConfirmationConfig, ConfirmationMode, EstopHandler, ExecutionResult,
  Executive, IncomingCommand, LatchControl,
} from './command-processor.js';
export { KeyedTokenBucket, DEFAULT_RATE_LIMIT } from './rate-limit.js';
export type { RateLimitConfig } from './rate-limit.js';
export { CommandBridge } from './command-bridge.js';
export type { CommandBridgeConfig, CommandBridgeDeps, StateInput } from './command-bridge.js';

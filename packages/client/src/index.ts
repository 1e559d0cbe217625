/**
 * @flux/client: the headless call engine shared by the SDK's call UI and the agent console.
 * Explicit named exports only; see README.md for the API.
 */
export { SignalingClient, SIGNALING_TRANSITIONS } from './SignalingClient.ts';
export type { SignalingClientOptions, Timers } from './SignalingClient.ts';
export { DefaultReconnectPolicy } from './ReconnectPolicy.ts';
export type { DefaultReconnectPolicyOptions } from './ReconnectPolicy.ts';
export { CallSession, startVisitorCall, prepareAgentCall } from './CallSession.ts';
export type {
  CallSessionEvents,
  CallSessionCommonOptions,
  VisitorCallOptions,
  AgentCallOptions,
} from './CallSession.ts';
export { CALL_SESSION_TRANSITIONS, canCallSessionTransition } from './callMachine.ts';
export { watchRoster } from './roster.ts';
export type { Roster } from './roster.ts';
export { getLocalMedia } from './media.ts';
export type { LocalMediaOptions } from './media.ts';
export { mediaErrorFrom, networkError, invalidStateError } from './errors.ts';
export { summarizeStats } from './stats.ts';
export type { LinkQuality } from './quality.ts';
export { afterNextFrame, inNextFrame } from './frame.ts';
export { formatMoney } from './money.ts';
export { consoleLogger, silentLogger } from './logger.ts';
export type { Logger, LogLevel } from './logger.ts';
export { FluxError } from '@flux/protocol';
export type {
  SignalingState,
  SignalingRole,
  SignalingEvents,
  RequestMessage,
  RequestType,
  RequestInput,
  RequestResult,
  WebSocketLike,
  WebSocketFactory,
  ReconnectContext,
  ReconnectPolicy,
  StateChange,
  CallState,
  CallEndReason,
  ChatMessage,
  CallStats,
  PeerMediaState,
  PeerConnectionFactory,
} from './types.ts';

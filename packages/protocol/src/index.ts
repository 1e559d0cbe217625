/**
 * @flux/protocol: everything the SDK, the console and the server must agree on.
 * Isomorphic: no DOM or Node APIs. Explicit named exports only.
 */
export {
  PROTOCOL_VERSION,
  MIN_PROTOCOL_VERSION,
  API_PREFIX,
  WS_PATH,
  SDK_PATH,
} from './version.ts';
export { ERRORS, FluxError, isErrorCode } from './errors.ts';
export type { ErrorCode, ApiErrorBody } from './errors.ts';
export { CLOSE_CODES, FINAL_CLOSE_CODES, MAX_MESSAGE_BYTES } from './close-codes.ts';
export type { CloseCode } from './close-codes.ts';
export {
  CALL_STATUSES,
  CALL_TRANSITIONS,
  canTransition,
  END_REASONS,
  AGENT_STATUSES,
  USER_ROLES,
} from './states.ts';
export type { CallStatus, EndReason, AgentStatus, AgentAvailability, UserRole } from './states.ts';
export {
  IdSchema,
  AgentStatusSchema,
  CallStatusSchema,
  EndReasonSchema,
  TagSchema,
  TagsSchema,
  HttpUrlSchema,
  CallAgentSchema,
  ProductSchema,
  VisitorUserSchema,
  CallTransitionSchema,
  CallSchema,
  LinkQualitySchema,
  OpeningHoursSchema,
  ChannelSettingsSchema,
  DEFAULT_CHANNEL_SETTINGS,
  ChannelSchema,
  UserSchema,
  ApiKeySchema,
  AllowedOriginSchema,
  CallbackRequestSchema,
  IceServerSchema,
  hadWeakLink,
} from './models.ts';
export type {
  CallAgent,
  Product,
  VisitorUser,
  CallTransition,
  Call,
  LinkQuality,
  OpeningHours,
  ChannelSettings,
  Channel,
  User,
  ApiKey,
  AllowedOrigin,
  CallbackRequest,
  IceServer,
} from './models.ts';
export { ApiErrorSchema, PageQuerySchema, Page, IdParamsSchema, OkSchema } from './rest/common.ts';
export type { PageQuery, PageOf, IdParams } from './rest/common.ts';
export {
  PublicChannelParamsSchema,
  ApiKeyQuerySchema,
  PublicAgentsResponseSchema,
  PublicProductsQuerySchema,
  PublicProductsResponseSchema,
  PublicCallbackBodySchema,
} from './rest/public.ts';
export type {
  PublicChannelParams,
  PublicAgentsResponse,
  PublicProductsResponse,
  PublicCallbackBody,
} from './rest/public.ts';
export {
  SESSION_COOKIE,
  CSRF_HEADER,
  SignInBodySchema,
  MeResponseSchema,
  UpdateMeBodySchema,
  PHOTO_MAX_BYTES,
  PHOTO_TYPES,
  ChangePasswordBodySchema,
} from './rest/auth.ts';
export type { SignInBody, MeResponse, UpdateMeBody, ChangePasswordBody } from './rest/auth.ts';
export {
  CallPageSchema,
  CallNotesBodySchema,
  CallbackListQuerySchema,
  CallbackPageSchema,
  CallbackUpdateBodySchema,
  ProductListQuerySchema,
  ProductPageSchema,
} from './rest/console.ts';
export type {
  CallNotesBody,
  CallbackListQuery,
  CallbackUpdateBody,
  ProductListQuery,
} from './rest/console.ts';
export {
  UserPageSchema,
  CreateAgentBodySchema,
  UpdateAgentBodySchema,
  UserResponseSchema,
  ResetPasswordBodySchema,
  ProductInputSchema,
  ProductPatchSchema,
  ProductImportBodySchema,
  ProductImportResponseSchema,
  ApiKeyListSchema,
  CreateApiKeyBodySchema,
  CreatedApiKeySchema,
  OriginListSchema,
  CreateOriginBodySchema,
  SettingsResponseSchema,
  UpdateSettingsBodySchema,
  AdminCallsQuerySchema,
} from './rest/admin.ts';
export type {
  CreateAgentBody,
  UpdateAgentBody,
  ResetPasswordBody,
  ProductInput,
  ProductPatch,
  ProductImportBody,
  ProductImportResponse,
  CreateApiKeyBody,
  CreatedApiKey,
  CreateOriginBody,
  UpdateSettingsBody,
  AdminCallsQuery,
} from './rest/admin.ts';
export {
  AnalyticsQuerySchema,
  AnalyticsTotalsSchema,
  AnalyticsResponseSchema,
} from './rest/analytics.ts';
export type { AnalyticsQuery, AnalyticsTotals, AnalyticsResponse } from './rest/analytics.ts';
export { ClientMessageSchema, SignalSchema } from './messages/client.ts';
export type {
  ClientMessage,
  ClientMessageType,
  ClientMessageOf,
  Signal,
} from './messages/client.ts';
export type {
  ServerMessage,
  ServerMessageType,
  ServerMessageOf,
  OutgoingServerMessage,
  AckData,
  SessionWelcome,
  PresenceRoster,
  AgentState,
  CallIncoming,
  CallStateMessage,
  CallSignal,
  CallProducts,
  CallChat,
} from './messages/server.ts';
export {
  WEBHOOK_EVENTS,
  WEBHOOK_DELIVERY_STATUSES,
  WebhookSchema,
  CreateWebhookBodySchema,
  CreatedWebhookSchema,
  WebhookListSchema,
  WebhookDeliverySchema,
  WebhookEventSchema,
} from './rest/webhooks.ts';
export type {
  WebhookEventType,
  WebhookDeliveryStatus,
  Webhook,
  CreateWebhookBody,
  CreatedWebhook,
  WebhookDelivery,
  WebhookEvent,
} from './rest/webhooks.ts';

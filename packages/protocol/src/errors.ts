/**
 * The registry of every error code that crosses the wire (REST and WebSocket) or that the
 * SDK surfaces to a host page. Codes are never reused or renumbered; docs/errors.md has a
 * section for each, and a test keeps the two in step.
 *
 * REST errors are `{ "error": { "code", "message", "details"? } }` with `status`.
 * WebSocket errors are `{ "type": "error", "reqId"?, "code", "message" }`.
 */
export const ERRORS = {
  // generic
  FLX_ERR_BAD_REQUEST: { status: 400, message: 'The request is malformed.' },
  FLX_ERR_VALIDATION: { status: 400, message: 'The request does not match its schema.' },
  FLX_ERR_BODY_TOO_LARGE: { status: 413, message: 'The request body is too large.' },
  FLX_ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'The content type is not supported.' },
  FLX_ERR_NOT_FOUND: { status: 404, message: 'The resource does not exist.' },
  FLX_ERR_CONFLICT: { status: 409, message: 'The resource conflicts with an existing one.' },
  FLX_ERR_RATE_LIMITED: { status: 429, message: 'Too many requests; slow down.' },
  FLX_ERR_INTERNAL: { status: 500, message: 'Something went wrong on our side.' },
  FLX_ERR_UNAVAILABLE: { status: 503, message: 'The service is not ready.' },
  // auth
  FLX_ERR_AUTH_REQUIRED: { status: 401, message: 'Sign in first.' },
  FLX_ERR_AUTH_INVALID_CREDENTIALS: { status: 401, message: 'Email or password is wrong.' },
  FLX_ERR_AUTH_FORBIDDEN: { status: 403, message: 'You are not allowed to do this.' },
  FLX_ERR_AUTH_CSRF: { status: 403, message: 'The request did not come from the console.' },
  FLX_ERR_AUTH_TOKEN_INVALID: { status: 401, message: 'The visitor token is invalid.' },
  FLX_ERR_AUTH_TOKEN_EXPIRED: { status: 401, message: 'The visitor token has expired.' },
  FLX_ERR_AUTH_DEACTIVATED: { status: 403, message: 'This account is deactivated.' },
  // public API (SDK)
  FLX_ERR_CHANNEL_NOT_FOUND: { status: 404, message: 'The channel does not exist.' },
  FLX_ERR_API_KEY_INVALID: { status: 401, message: 'The API key is not valid for this channel.' },
  FLX_ERR_API_KEY_REVOKED: { status: 401, message: 'The API key has been revoked.' },
  FLX_ERR_ORIGIN_NOT_ALLOWED: {
    status: 403,
    message: 'This website is not allowed to use the channel.',
  },
  // resources
  FLX_ERR_PRODUCT_NOT_FOUND: { status: 404, message: 'The product does not exist.' },
  FLX_ERR_AGENT_NOT_FOUND: { status: 404, message: 'The call agent does not exist.' },
  FLX_ERR_CALL_NOT_FOUND: { status: 404, message: 'The call does not exist.' },
  FLX_ERR_UPLOAD_TOO_LARGE: { status: 413, message: 'The file is too large.' },
  FLX_ERR_UPLOAD_TYPE: { status: 415, message: 'The file type is not allowed.' },
  FLX_ERR_WEBHOOK_URL_PRIVATE: {
    status: 400,
    message: 'The webhook URL points to a private, loopback or link-local address.',
  },
  // calls and signaling
  FLX_ERR_AGENT_UNAVAILABLE: { status: 409, message: 'The call agent cannot take a call now.' },
  FLX_ERR_AGENT_BUSY: { status: 409, message: 'The call agent is already in a call.' },
  FLX_ERR_CALL_INVALID_TRANSITION: {
    status: 409,
    message: 'The call is not in a state that allows this.',
  },
  FLX_ERR_CALL_NOT_PARTY: { status: 403, message: 'You are not a party to this call.' },
  FLX_ERR_PROTOCOL_VERSION: { status: 400, message: 'The protocol version is not supported.' },
  FLX_ERR_PROTOCOL_HELLO_REQUIRED: {
    status: 400,
    message: 'The first message must be session.hello.',
  },
  FLX_ERR_MESSAGE_INVALID: {
    status: 400,
    message: 'The message is not valid JSON of a known type.',
  },
  FLX_ERR_MESSAGE_TOO_LARGE: { status: 413, message: 'The message is too large.' },
  // SDK (never sent by the server)
  FLX_ERR_SDK_NOT_INITIALIZED: { status: 0, message: 'FluxPlayer.init() has not been called.' },
  FLX_ERR_SDK_INVALID_OPTION: {
    status: 0,
    message: 'An option passed to FluxPlayer.init() is invalid.',
  },
  FLX_ERR_SDK_NOT_WHITELISTED: {
    status: 0,
    message: 'The calls widget is not enabled on this page.',
  },
  FLX_ERR_SDK_NO_AGENT: { status: 0, message: 'No call agent is available.' },
  FLX_ERR_SDK_CALL_IN_PROGRESS: { status: 0, message: 'A call is already in progress.' },
  FLX_ERR_SDK_CALL_CANCELLED: {
    status: 0,
    message: 'The visitor closed the call window before the call was requested.',
  },
  FLX_ERR_SDK_ON_BEFORE_RENDER: {
    status: 0,
    message: 'onBeforeRender did not choose an available agent.',
  },
  FLX_ERR_SDK_NETWORK: { status: 0, message: 'The FluxPlayer server cannot be reached.' },
  FLX_ERR_MEDIA_PERMISSION_DENIED: {
    status: 0,
    message: 'Camera and microphone access was denied.',
  },
  FLX_ERR_MEDIA_NOT_FOUND: { status: 0, message: 'No camera or microphone was found.' },
  FLX_ERR_MEDIA_NOT_READABLE: {
    status: 0,
    message: 'The camera or microphone is in use by another app.',
  },
  FLX_ERR_MEDIA_CONNECTION_FAILED: {
    status: 0,
    message: 'The media connection could not be established.',
  },
} as const satisfies Record<string, { status: number; message: string }>;

/** Every error code. @public */
export type ErrorCode = keyof typeof ERRORS;

/** The JSON body of every REST error. @public */
export interface ApiErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** True when `code` is a registered error code. @public */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERRORS, code);
}

/**
 * Error carrying a registered code; thrown by the server and the client engine alike.
 * @public
 */
export class FluxError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown; details?: unknown }) {
    super(
      message ?? ERRORS[code].message,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'FluxError';
    this.code = code;
    this.details = options?.details;
  }
  /** HTTP status for this error's code. */
  get status(): number {
    return ERRORS[this.code].status;
  }
}

/**
 * Version of the wire protocol spoken between the SDK, the console and the server.
 * Bumped on any incompatible change to a REST or WebSocket message. The server accepts
 * clients whose version is within [MIN_PROTOCOL_VERSION, PROTOCOL_VERSION].
 * @public
 */
export const PROTOCOL_VERSION = 1;
/** @public */
export const MIN_PROTOCOL_VERSION = 1;
/** Base path of every REST route. @public */
export const API_PREFIX = '/api/v1';
/** Path of the WebSocket push and signaling channel. @public */
export const WS_PATH = '/api/v1/ws';
/** Path under which the server serves the script-tag SDK, one folder per major version. @public */
export const SDK_PATH = '/sdk/v1';

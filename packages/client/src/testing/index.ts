/**
 * Test doubles for the engine (Node): a scriptable WebSocket, an in-memory peer connection,
 * fake media. Import from `@flux/client/testing`; never shipped in a bundle.
 */
export { FakeWebSocket } from './FakeWebSocket.ts';
export { FakePeerConnection, fakePeerConnectionFactory } from './FakePeerConnection.ts';
export { FakeMediaStream, FakeMediaStreamTrack, fakeLocalStream } from './FakeMedia.ts';

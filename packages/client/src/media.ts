import { mediaErrorFrom } from './errors.ts';

/** @public */
export interface LocalMediaOptions {
  /** Microphone only. */
  audioOnly?: boolean;
  /** Video constraints (default: 640×480 ideal, user-facing). */
  video?: MediaTrackConstraints;
  /** Audio constraints (default: echo cancellation and noise suppression on). */
  audio?: MediaTrackConstraints;
  /** Injected for tests; defaults to navigator.mediaDevices. */
  mediaDevices?: Pick<MediaDevices, 'getUserMedia'>;
}

/**
 * Camera and microphone for a call. Rejects with a FluxError (FLX_ERR_MEDIA_*), never a
 * raw DOMException.
 * @example
 * const stream = await getLocalMedia({ audioOnly: false });
 * @public
 */
export async function getLocalMedia(options: LocalMediaOptions = {}): Promise<MediaStream> {
  const devices =
    options.mediaDevices ?? (globalThis.navigator as Navigator | undefined)?.mediaDevices;
  if (!devices) {
    throw mediaErrorFrom({ name: 'NotFoundError', message: 'No media devices in this context.' });
  }
  try {
    return await devices.getUserMedia({
      audio: options.audio ?? { echoCancellation: true, noiseSuppression: true },
      video: options.audioOnly
        ? false
        : (options.video ?? { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: 'user' }),
    });
  } catch (e) {
    throw mediaErrorFrom(e);
  }
}

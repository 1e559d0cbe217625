import type { FluxPlayerApi } from '../../packages/sdk/src/types.ts';

declare global {
  /** The SDK's global on test pages. */
  const FluxPlayer: FluxPlayerApi;
}

/** Version of the SDK build (replaced at build time; the source value is used in tests). */
declare const __SDK_VERSION__: string | undefined;
export const SDK_VERSION: string =
  typeof __SDK_VERSION__ === 'string' ? __SDK_VERSION__ : '0.0.0-dev';

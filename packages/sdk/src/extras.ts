/**
 * The lazy `extras` chunk of the script-tag build (`extras-<build id>.js`): what a page
 * needs only when something is to be said or corrected. The loader fetches it the first
 * time a diagnostic is printed or init's quick option check (spec.ts) finds a problem; a
 * page whose integration is correct never downloads it.
 */
export { errorText, firstDifference, format } from './messages.ts';
export { validateOptions } from './options.ts';

// Shared lint rules live in tooling/eslint.js; this file only points at them.
import config from './tooling/eslint.js';

export default config;

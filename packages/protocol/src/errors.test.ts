import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS, FluxError, isErrorCode } from './errors.ts';

const docs = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
const documented = [...docs.matchAll(/^## (FLX_ERR_\w+)$/gm)].map((m) => m[1]);

describe('error registry', () => {
  it('documents every code in docs/errors.md', () => {
    for (const code of Object.keys(ERRORS)) expect(documented).toContain(code);
  });
  it('documents nothing that is not a code', () => {
    for (const code of documented) expect(isErrorCode(code)).toBe(true);
  });
  it('names every code FLX_ERR_<DOMAIN>_<REASON> in upper snake case', () => {
    for (const code of Object.keys(ERRORS)) expect(code).toMatch(/^FLX_ERR_[A-Z]+(_[A-Z]+)*$/);
  });
  it('gives wire codes a 4xx or 5xx status and browser-only codes status 0', () => {
    for (const [code, e] of Object.entries(ERRORS)) {
      const browserOnly = /^FLX_ERR_(SDK|MEDIA)_/.test(code);
      if (browserOnly) expect(e.status).toBe(0);
      else expect(e.status >= 400 && e.status < 600).toBe(true);
    }
  });
  it('FluxError carries its code, the registry message and status', () => {
    const e = new FluxError('FLX_ERR_AGENT_BUSY');
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe('FLX_ERR_AGENT_BUSY');
    expect(e.message).toBe(ERRORS.FLX_ERR_AGENT_BUSY.message);
    expect(e.status).toBe(409);
    expect(isErrorCode('FLX_ERR_NOPE')).toBe(false);
  });
});

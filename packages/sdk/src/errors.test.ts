import { CLOSE_CODES, ERRORS } from '@flux/protocol';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isSdkError, toSdkError } from './errors.ts';
import { FINAL_CODES } from './presence.ts';

describe('SDK errors', () => {
  it('every code the SDK sources name is a registered protocol code', () => {
    const files = ['FluxPlayer.ts', 'call-ui/index.ts', 'api.ts', 'errors.ts'];
    const codes = new Set(
      files.flatMap((f) =>
        [...readFileSync(new URL(f, import.meta.url), 'utf8').matchAll(/'(FLX_ERR_[A-Z_]+)'/g)].map(
          (m) => m[1],
        ),
      ),
    );
    expect(codes.size).toBeGreaterThan(5);
    for (const code of codes) expect(Object.keys(ERRORS)).toContain(code);
  });
  it('normalises engine errors and unknown throws', () => {
    expect(
      toSdkError({ code: 'FLX_ERR_MEDIA_PERMISSION_DENIED', message: 'denied' }),
    ).toMatchObject({
      code: 'FLX_ERR_MEDIA_PERMISSION_DENIED',
      message: 'denied',
    });
    const e = toSdkError('boom');
    expect(isSdkError(e)).toBe(true);
    expect(e.name).toBe('FluxPlayerError');
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe('FLX_ERR_INTERNAL');
  });
  it('the presence socket’s final close codes are the protocol’s', () => {
    expect(FINAL_CODES).toEqual([CLOSE_CODES.FORBIDDEN, CLOSE_CODES.PROTOCOL_VERSION]);
  });
});

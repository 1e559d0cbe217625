import { describe, expect, it } from 'vitest';
import type { Call } from '@flux/protocol';
import { weakLinkCheck, weakLinkText } from './weakLink.ts';

const call = (answered: boolean, weak: number): Call =>
  ({
    connectedAt: answered ? '2026-12-07T10:00:00.000Z' : null,
    weakSeconds: { visitor: weak, agent: 0 },
  }) as Call;

describe('the home screen connection check', () => {
  it('looks at the last ten answered calls only', () => {
    const calls = [
      call(false, 0), // missed: never judged
      ...Array.from({ length: 10 }, () => call(true, 0)),
      call(true, 30), // the eleventh answered call: too old to count
      call(true, 30),
      call(true, 30),
    ];
    expect(weakLinkCheck(calls)).toEqual({ answered: 10, weak: 0, warn: false });
    expect(weakLinkText(weakLinkCheck(calls))).toBe('Good in your last 10 calls.');
  });

  it('blames the shopper for a weak call now and then, and the agent’s own connection from three', () => {
    const two = [call(true, 12), call(true, 0), call(true, 4)];
    expect(weakLinkCheck(two)).toEqual({ answered: 3, weak: 2, warn: false });
    expect(weakLinkText(weakLinkCheck(two))).toMatch(
      /^Weak in 2 of your last 3 calls: now and then/,
    );
    const three = [call(true, 5), ...two];
    expect(weakLinkCheck(three)).toEqual({ answered: 4, weak: 3, warn: true });
    expect(weakLinkText(weakLinkCheck(three))).toMatch(/your own connection is the likely cause/);
  });

  it('has nothing to say before the first answered call', () => {
    expect(weakLinkText(weakLinkCheck([call(false, 0)]))).toBe(
      'Judged in each call; nothing to report yet.',
    );
    expect(weakLinkText(weakLinkCheck([call(true, 9)]))).toBe(
      'Weak in your last call: now and then that is the shopper’s network.',
    );
  });
});

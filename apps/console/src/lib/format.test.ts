import { describe, expect, it } from 'vitest';
import type { Call } from '@flux/protocol';
import { addTags, normalizeTag } from './tags.ts';
import { fieldErrorsFromDetails } from './fieldErrors.ts';
import {
  agentStateReason,
  callOutcome,
  endReasonLabel,
  endText,
  formatDuration,
  formatMoney,
  shortUrl,
} from './format.ts';
import { buildEmbedSnippet } from './embed.ts';

describe('formatting', () => {
  it('formatDuration() pads seconds and adds hours only when needed', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(65)).toBe('1:05');
    expect(formatDuration(3723)).toBe('1:02:03');
    expect(formatDuration(null)).toBe('—');
  });

  it('formatMoney() formats minor units', () => {
    expect(formatMoney(1990, 'EUR', 'en-US')).toBe('€19.90');
    expect(formatMoney(1990, 'EUR', 'de-DE')).toBe('19,90\u00a0€');
    expect(formatMoney(250, 'USD', 'en-US')).toBe('$2.50');
  });

  it('shortUrl() drops the scheme and truncates', () => {
    expect(shortUrl('https://shop.example/product/123')).toBe('shop.example/product/123');
    expect(shortUrl('https://shop.example/' + 'x'.repeat(100), 20)).toHaveLength(20);
  });

  it('callOutcome() distinguishes answered, missed and declined calls', () => {
    const base = { status: 'ended', connectedAt: null } as const;
    const c = (x: Partial<Call>) => ({ ...base, endReason: null, ...x }) as Call;
    expect(
      callOutcome(c({ connectedAt: '2026-01-01T00:00:00Z', endReason: 'visitor_hangup' })),
    ).toBe('answered');
    expect(callOutcome(c({ endReason: 'missed' }))).toBe('missed');
    expect(callOutcome(c({ endReason: 'declined' }))).toBe('declined');
    expect(callOutcome(c({ status: 'ringing' }))).toBe('open');
  });

  it('endText() says why a call ended, as precisely as the server recorded it', () => {
    const c = (endReason: Call['endReason'], endDetail: string | null = null) => ({
      endReason,
      endDetail,
    });
    expect(endText(c(null), 'agent')).toBeNull();
    // a ring timeout, and a console that could not be reached while it rang
    expect(endText(c('missed'), 'agent')).toBe('Not answered in time');
    expect(endText(c('missed', 'agent_unreachable'), 'agent')).toMatch(
      /^Your console could not be reached while it rang/,
    );
    expect(endText(c('missed', 'agent_unreachable'), 'admin')).toMatch(
      /^The agent's console could not be reached/,
    );
    expect(endText(c('cancelled', 'visitor_gone'), 'agent')).toBe('Visitor left while it rang');
    expect(endText(c('cancelled'), 'agent')).toBe('Visitor hung up while ringing');
    expect(endText(c('lost', 'agent_gone'), 'agent')).toBe('Your connection was lost');
    expect(endText(c('lost', 'agent_gone'), 'admin')).toBe("The agent's connection was lost");
    expect(endText(c('lost', 'visitor_gone'), 'admin')).toBe("Visitor's connection was lost");
    expect(endText(c('lost', 'server_restarted'), 'agent')).toBe('Ended by a server restart');
    expect(endText(c('failed', 'visitor: ice failed'), 'agent')).toBe(
      "Connection failed on the visitor's side",
    );
    expect(endText(c('failed', 'agent: ice failed'), 'agent')).toBe(
      'Connection failed on your side',
    );
    expect(endText(c('failed', 'agent: ice failed'), 'admin')).toBe(
      "Connection failed on the agent's side",
    );
    // a detail it does not know says the reason alone, and "you" is the agent's word only
    expect(endText(c('lost', 'something_new'), 'admin')).toBe('Connection lost');
    expect(endText(c('declined'), 'agent')).toBe('You declined');
    expect(endText(c('declined'), 'admin')).toBe('The agent declined');
    expect(endReasonLabel('agent_hangup', 'admin')).toBe('The agent hung up');
  });

  it('agentStateReason() explains being set offline after missed calls', () => {
    expect(agentStateReason('missed_calls', 3)).toMatch(/after 3 missed calls in a row/);
    expect(agentStateReason('missed_calls', 1)).toMatch(/after a missed call\./);
    expect(agentStateReason('something_new')).toBe('Your status changed (something new).');
  });
});

describe('tags', () => {
  it('normalizeTag() lowercases and dashes what agents type', () => {
    expect(normalizeTag('  Fashion Support ')).toBe('fashion-support');
    expect(normalizeTag('Größe')).toBe('groe');
    expect(normalizeTag('--x')).toBe('x');
  });
  it('addTags() splits on commas, skips duplicates and respects the maximum', () => {
    expect(addTags(['hats'], 'Hats, caps,, shoes', 3)).toEqual(['hats', 'caps', 'shoes']);
    expect(addTags(['a', 'b'], 'c, d', 3)).toEqual(['a', 'b', 'c']);
  });
});

describe('server field errors', () => {
  it('maps the server validation details to fields (first segment of the path)', () => {
    expect(
      fieldErrorsFromDetails([
        { field: 'email', message: 'is required' },
        { field: 'tags.2', message: 'must match pattern' },
        { instancePath: '/price', message: 'must be integer' },
      ]),
    ).toEqual({ email: 'Is required', tags: 'Must match pattern', price: 'Must be integer' });
    expect(fieldErrorsFromDetails(undefined)).toEqual({});
  });
});

describe('embed snippet', () => {
  it('fills the spec example with channel, key and the server script URL', () => {
    const s = buildEmbedSnippet({
      serverOrigin: 'https://calls.example/',
      channelId: 'groovy-hats',
      apiKey: 'pk_live_x',
    });
    expect(s).toContain('<script src="https://calls.example/sdk/v1/flux-player.js"></script>');
    expect(s).toContain("channelId: 'groovy-hats'");
    expect(s).toContain("apiKey: 'pk_live_x'");
    expect(s).toContain("renderTo: '.my-cool-call-widget'");
    expect(s).toContain("callAgent.tags.includes('fashion-support')");
    expect(s).not.toContain('customDomain');
  });
  it('cannot be broken out of by a hostile key', () => {
    const s = buildEmbedSnippet({
      serverOrigin: 'https://a.example',
      channelId: 'c',
      apiKey: "x'</script><script>alert(1)//",
    });
    expect(s).not.toContain('</script><script>alert');
  });
});

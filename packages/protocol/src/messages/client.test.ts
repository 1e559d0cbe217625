import { Compile } from 'typebox/compile';
import { describe, expect, it } from 'vitest';
import { ClientMessageSchema } from './client.ts';

const check = Compile(ClientMessageSchema);

describe('client message schema', () => {
  it('names every message type domain.event in lower snake case', () => {
    const types = ClientMessageSchema.anyOf.map((s) => s.properties.type.const as string);
    expect(types.length).toBeGreaterThan(10);
    for (const t of types) expect(t).toMatch(/^[a-z]+\.[a-z_]+$/);
  });
  it('accepts a well-formed call.request', () => {
    expect(
      check.Check({
        type: 'call.request',
        reqId: 'r1',
        agentId: 'agt_1',
        productIds: ['ITM-BLUE-SHIRT'],
        pageUrl: 'https://shop.example/product/123',
        offer: { type: 'offer', sdp: 'v=0' },
      }),
    ).toBe(true);
  });
  it('rejects unknown types, unknown fields and wrong types', () => {
    expect(check.Check({ type: 'call.explode', reqId: 'r1' })).toBe(false);
    expect(check.Check({ type: 'call.hangup', reqId: 'r1', callId: 'c1', extra: 1 })).toBe(false);
    expect(check.Check({ type: 'call.rate', reqId: 'r1', callId: 'c1', rating: 6 })).toBe(false);
    expect(check.Check({ type: 'call.chat', reqId: 'r1', callId: 'c1', text: '' })).toBe(false);
  });
});

import { canonicalJson } from './jcs';
import { canonicalEventJson, eventLeafHash, LedgerEvent } from './ledger-event';
import { leafHash } from './merkle';

const base: LedgerEvent = {
  index: 7,
  at: '2026-12-02T03:04:05.678Z',
  actorId: '5f0c7a52-8f0e-4c54-9d5e-0d6b8f0a1b2c',
  action: 'grant.approve',
  objectType: 'grant',
  objectId: '0b8e0c3e-3c2e-4d8a-9a55-7f6c2b1a9e10',
  outcome: 'success',
  ip: '10.1.2.3',
  details: { z: 1, a: [true, null, 'x'], é: { b: 2.5, a: -0 }, '\u20ac': '\u0007"\\' },
};

describe('canonicalEventJson', () => {
  const variants: [string, LedgerEvent][] = [
    ['a full event', base],
    ['null actor, object and ip', { ...base, actorId: null, objectId: null, ip: null }],
    ['empty details', { ...base, details: {} }],
    ['control characters and non-BMP text', { ...base, action: 'a\n\t"b', objectType: '数据集😀' }],
    ['index 0', { ...base, index: 0 }],
  ];

  it.each(variants)('matches the generic RFC 8785 serializer for %s', (_name, event) => {
    expect(canonicalEventJson(event)).toBe(canonicalJson(event));
    expect(eventLeafHash(event).equals(leafHash(Buffer.from(canonicalJson(event), 'utf8')))).toBe(true);
  });

  it('gives the documented known answer', () => {
    const event: LedgerEvent = {
      index: 0,
      at: '2026-01-01T00:00:00.000Z',
      actorId: null,
      action: 'auth.login',
      objectType: 'user',
      objectId: null,
      outcome: 'success',
      ip: null,
      details: {},
    };
    expect(canonicalEventJson(event)).toBe(
      '{"action":"auth.login","actorId":null,"at":"2026-01-01T00:00:00.000Z","details":{},"index":0,' +
        '"ip":null,"objectId":null,"objectType":"user","outcome":"success"}',
    );
  });

  it('refuses lone surrogates like the generic serializer', () => {
    expect(() => canonicalEventJson({ ...base, action: 'x\uD800' })).toThrow('lone surrogate');
  });
});

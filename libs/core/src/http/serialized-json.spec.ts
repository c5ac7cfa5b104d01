import { SerializedJson } from './serialized-json';

// Express's own ETag generator (a dependency of express, untyped): the serialized path must give the same tags
// eslint-disable-next-line @typescript-eslint/no-require-imports
const expressEtag = require('etag') as (body: string, options: { weak: boolean }) => string;

describe('SerializedJson', () => {
  it.each([{}, { items: [], nextCursor: null }, { title: '城市事件智能分拨', n: 1.5, emoji: '✓' }])(
    'keeps the JSON text and tags it exactly as Express would (%j)',
    (value) => {
      const body = SerializedJson.of(value);
      expect(body.text).toBe(JSON.stringify(value));
      expect(body.parse()).toEqual(value);
      expect(body.etag).toBe(expressEtag(JSON.stringify(value), { weak: true }));
    },
  );

  it('tags different texts differently', () => {
    expect(new SerializedJson('{"a":1}').etag).not.toBe(new SerializedJson('{"a":2}').etag);
  });
});

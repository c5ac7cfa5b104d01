import { decodeCursor, encodeCursor, toPage } from './pagination';

describe('cursor pagination', () => {
  it('round-trips a cursor', () => {
    const c = encodeCursor({ key: '2026-01-01T00:00:00.000Z', id: 'a' });
    expect(decodeCursor(c)).toEqual({ key: '2026-01-01T00:00:00.000Z', id: 'a' });
    expect(decodeCursor(undefined)).toBeUndefined();
  });

  it('rejects cursors it did not issue', () => {
    expect(() => decodeCursor('garbage')).toThrow(/cursor/);
    expect(() => decodeCursor(Buffer.from('{"a":1}').toString('base64url'))).toThrow(/cursor/);
  });

  it('uses the extra row only to know that more exist', () => {
    const rows = [1, 2, 3].map((n) => ({ n, id: String(n) }));
    const page = toPage(
      rows,
      2,
      (r) => ({ key: String(r.n), id: r.id }),
      (r) => r.n,
    );
    expect(page.items).toEqual([1, 2]);
    expect(decodeCursor(page.nextCursor!)).toEqual({ key: '2', id: '2' });
    expect(
      toPage(
        rows.slice(0, 2),
        2,
        (r) => ({ key: String(r.n), id: r.id }),
        (r) => r.n,
      ).nextCursor,
    ).toBeNull();
  });
});

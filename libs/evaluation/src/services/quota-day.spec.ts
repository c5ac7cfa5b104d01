import { localDay, nextLocalMidnight } from './quota-day';

describe('quota days', () => {
  it('uses the local calendar day of Asia/Shanghai (UTC+8)', () => {
    expect(localDay(new Date('2026-03-01T15:59:59Z'), 'Asia/Shanghai')).toBe('2026-03-01');
    expect(localDay(new Date('2026-03-01T16:00:00Z'), 'Asia/Shanghai')).toBe('2026-03-02');
    expect(localDay(new Date('2026-03-01T16:00:00Z'), 'UTC')).toBe('2026-03-01');
  });

  it('resets at the next local midnight', () => {
    expect(nextLocalMidnight(new Date('2026-03-01T15:59:59Z'), 'Asia/Shanghai').toISOString()).toBe(
      '2026-03-01T16:00:00.000Z',
    );
    expect(nextLocalMidnight(new Date('2026-03-01T16:00:00Z'), 'Asia/Shanghai').toISOString()).toBe(
      '2026-03-02T16:00:00.000Z',
    );
    expect(nextLocalMidnight(new Date('2026-12-31T23:00:00Z'), 'UTC').toISOString()).toBe(
      '2027-01-01T00:00:00.000Z',
    );
  });

  it('handles a DST change (Europe/Berlin, 2026-03-29 has 23 hours)', () => {
    expect(nextLocalMidnight(new Date('2026-03-28T12:00:00Z'), 'Europe/Berlin').toISOString()).toBe(
      '2026-03-28T23:00:00.000Z',
    );
    expect(nextLocalMidnight(new Date('2026-03-29T12:00:00Z'), 'Europe/Berlin').toISOString()).toBe(
      '2026-03-29T22:00:00.000Z',
    );
  });
});

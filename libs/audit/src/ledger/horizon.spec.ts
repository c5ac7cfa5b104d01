import { HorizonTracker } from './horizon';

describe('HorizonTracker', () => {
  it('settles a sequence value once every transaction that may hold a lower value has finished', () => {
    const h = new HorizonTracker(3000, 1000);
    // t=0: 100 values drawn; transactions up to xid 500 may be running
    expect(h.observe(0, 100n, 490n, 500n)).toBeNull();
    // before the grace period nothing settles, whatever xmin says
    expect(h.observe(2999, 150n, 900n, 900n)).toBeNull();
    // t=3000: probe xmax = 520; a transaction with xid 505 still runs (xmin 505 < 520)
    expect(h.observe(3000, 160n, 505n, 520n)).toBeNull();
    expect(h.observe(3500, 160n, 510n, 530n)).toBeNull();
    // once xmin passes the probe, the value read at t=0 is settled
    expect(h.observe(4000, 170n, 520n, 540n)).toBe(100n);
  });

  it('lets a long transaction hold the horizon back, then settles the newest mark it can', () => {
    const h = new HorizonTracker(1000, 1000);
    h.observe(0, 10n, 100n, 101n); // mark 10
    h.observe(1000, 20n, 100n, 105n); // probe 10 @105, mark 20
    h.observe(2000, 30n, 100n, 110n); // probe 20 @110, mark 30
    h.observe(3000, 40n, 100n, 120n); // probe 30 @120, mark 40 — xid 100 still running all along
    expect(h.observe(3500, 40n, 100n, 121n)).toBeNull();
    // xid 100 ends; everything below 121 is done: marks 10, 20 and 30 settle at once
    expect(h.observe(4000, 45n, 121n, 125n)).toBe(30n);
  });

  it('keeps at most one mark per spacing and none while nothing changes', () => {
    const h = new HorizonTracker(1000, 1000);
    h.observe(0, 5n, 1n, 1n);
    h.observe(10, 6n, 1n, 1n); // too soon for a new mark
    h.observe(20, 6n, 1n, 1n);
    // mark 5 is probed and settles at once (nothing runs), a new mark 6 is taken
    expect(h.observe(1000, 6n, 1n, 1n)).toBe(5n);
    expect(h.observe(1001, 6n, 1n, 1n)).toBeNull();
    expect(h.observe(2000, 6n, 1n, 1n)).toBe(6n);
    // nothing new drawn: no new mark, nothing to settle
    expect(h.observe(5000, 6n, 1n, 1n)).toBeNull();
    h.reset();
    expect(h.observe(5000, 6n, 9n, 9n)).toBeNull();
  });
});

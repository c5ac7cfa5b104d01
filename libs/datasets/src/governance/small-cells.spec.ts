import { countLikeColumns, findSmallCells } from './small-cells';

describe('small cells', () => {
  it('detects count columns by header and by content, not ids or years', () => {
    const header = ['district', 'year', '人数', 'avg_age', 'visits', 'resident_id'];
    const rows = [
      ['福田', '2024', '120', '45.5', '3', '1001'],
      ['罗湖', '2024', '8', '50.1', '40', '1002'],
    ];
    expect(countLikeColumns(header, rows)).toEqual([false, false, true, false, true, false]);
    expect(findSmallCells(header, rows)).toEqual([
      { row: 1, column: 'visits', value: 3 },
      { row: 2, column: '人数', value: 8 },
    ]);
  });

  it('honours the threshold and ignores zeros', () => {
    const header = ['group', 'count'];
    const rows = [
      ['a', '0'],
      ['b', '4'],
      ['c', '5'],
    ];
    expect(findSmallCells(header, rows, 5)).toEqual([{ row: 2, column: 'count', value: 4 }]);
    expect(findSmallCells(header, rows, 1)).toEqual([]);
  });
});

/**
 * Small-cell check for tabular outputs: counts below a threshold (default 10) can single out people
 * (statistical disclosure control). A column is count-like when its header says so (count, n, 人数 …)
 * or, failing that, when every value in it is a non-negative integer and it is not an id/year-like column.
 * Cells with 0 < value < threshold are flagged (zero is not a person).
 */
export interface SmallCell {
  row: number; // 1-based data row (header excluded)
  column: string;
  value: number;
}

const COUNT_HEADER =
  /^(n|cnt|count|counts|num|number|freq|frequency|total|size|人数|数量|频数|计数|件数|次数|户数)$|(_count|_cnt|_num|count_|人数|数量|次数)$/i;
const NOT_COUNT_HEADER =
  /(^id$|_id$|^id_|编号|代码|code|year|年份|年|month|月|date|日期|time|时间|lat|lng|lon|经度|纬度)/i;
const NON_NEGATIVE_INT = /^\d+$/;

export function countLikeColumns(header: string[], rows: string[][]): boolean[] {
  return header.map((name, c) => {
    const h = name.trim();
    if (COUNT_HEADER.test(h)) return true;
    if (NOT_COUNT_HEADER.test(h)) return false;
    let seen = 0;
    for (const row of rows) {
      const v = (row[c] ?? '').trim();
      if (v === '') continue;
      if (!NON_NEGATIVE_INT.test(v)) return false;
      seen++;
    }
    return seen > 0;
  });
}

export function findSmallCells(header: string[], rows: string[][], threshold = 10): SmallCell[] {
  const countLike = countLikeColumns(header, rows);
  const cells: SmallCell[] = [];
  rows.forEach((row, r) => {
    header.forEach((name, c) => {
      if (!countLike[c]) return;
      const v = (row[c] ?? '').trim();
      if (!NON_NEGATIVE_INT.test(v)) return;
      const n = Number(v);
      if (n > 0 && n < threshold) cells.push({ row: r + 1, column: name, value: n });
    });
  });
  return cells;
}

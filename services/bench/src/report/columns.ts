/**
 * A table's columns, declared once for the text report and the markdown one so that both show the
 * same figures: the text report uses the short headings, the markdown report the long ones, and a
 * column may be left out of one of them (the generator's and Redis's details stay in the text and
 * the JSON).
 */

export interface Column<Row> {
  short: string;
  /** The markdown heading, when it differs from the short one. */
  long?: string;
  cell: (row: Row) => string;
  /** Shown in this report only. */
  only?: 'text' | 'markdown';
}

export interface Table {
  headers: string[];
  cells: string[][];
}

/** A table with one row per system, the system's name first, as the `report` shows it. */
export function systemTable<Row extends { system: string }>(
  columns: readonly Column<Row>[],
  rows: readonly Row[],
  report: 'text' | 'markdown',
): Table {
  const shown = columns.filter((column) => column.only === undefined || column.only === report);
  return {
    headers: [
      'system',
      ...shown.map((column) => (report === 'markdown' ? (column.long ?? column.short) : column.short)),
    ],
    cells: rows.map((row) => [row.system, ...shown.map((column) => column.cell(row))]),
  };
}

import ExcelJS from 'exceljs';

/** Reads an XLSX file's bytes (a download's body) back into a workbook. */
export async function readWorkbook(bytes: Buffer): Promise<ExcelJS.Workbook> {
  const book = new ExcelJS.Workbook();
  // exceljs types its input as an ArrayBuffer: hand it exactly the bytes of the file.
  await book.xlsx.load(new Uint8Array(bytes).buffer);
  return book;
}

/** A worksheet's cell values, row by row (header first), as plain values. */
export function sheetRows(sheet: ExcelJS.Worksheet | undefined): unknown[][] {
  const rows: unknown[][] = [];
  sheet?.eachRow((row) => {
    const values = row.values; // 1-based: index 0 is empty
    rows.push(Array.isArray(values) ? values.slice(1) : Object.values(values));
  });
  return rows;
}

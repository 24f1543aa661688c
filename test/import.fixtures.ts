/** A realistic first-day spreadsheet of the office's transfers: a few good rows, a few typical mistakes. */
import ExcelJS from 'exceljs';
import { findOrCreateMunicipality } from '../src/features/municipalities/identity.js';
import { provinceByName } from '../src/reference/index.js';
import { createModel } from './support/transfers.js';

export async function officeTransfersSheet(marker: string, lang: 'tr' | 'en' = 'tr'): Promise<Buffer> {
  const places: [string, string][] = [['Tarsus Belediyesi', 'Mersin'], ['Erdemli Belediyesi', 'Mersin'], ['Silifke Belediyesi', 'Mersin'], ['Seyhan Belediyesi', 'Adana']];
  for (const [name, province] of places) {
    const p = provinceByName(province);
    if (p) await findOrCreateMunicipality({ name, kind: 'ilce', province: p });
  }
  const kitchen = await createModel(`Mahalle Mutfağı ${marker}`);
  const laundry = await createModel(`Çamaşır Kafe ${marker}`);
  const book = new ExcelJS.Workbook();
  const ws = book.addWorksheet('Aktarımlar');
  const en = lang === 'en';
  ws.addRow(en ? ['Municipality', 'Province', 'Model', 'Stage', 'Stage date', 'Next action', 'Sorumlu'] : ['BELEDIYE', 'IL', 'Model', 'Aşama', 'Aşama tarihi', 'Sıradaki adım', 'Sorumlu']);
  ws.addRow(['Tarsus', 'Mersin', kitchen.title, en ? 'Agreement' : 'Protokol', new Date(Date.UTC(2024, 10, 12)), en ? 'Send the draft protocol' : 'Protokol taslağını gönder', 'Elif']);
  ws.addRow(['ERDEMLI', 'MERSIN', laundry.title, en ? 'interest' : 'İlgi', '03.09.2024', null, 'Elif']);
  ws.addRow(['Silifke Belediyesi', 'Mersin', kitchen.title, 'Protokol aşaması', '15.10.2024', null, 'Can']);
  ws.addRow(['Seyhan', 'Adana', laundry.title, en ? 'Operational' : 'Hayata geçti', '31.02.2024', null, 'Can']);
  ws.addRow(['Bozyazı Belde', 'Mersin', kitchen.title, 'İlgi', null, null, 'Elif']);
  ws.addRow(['Tarsus', 'Mersin', kitchen.title, en ? 'Agreement' : 'Protokol', '12.11.2024', null, 'Elif']);
  return Buffer.from(await book.xlsx.writeBuffer());
}

import { expect } from 'chai';
import { signIn } from './support/app.js';
import { csvCell, table, toCsv, toXlsx } from '../src/shared/http/table-export.js';
import { readWorkbook } from './support/xlsx.js';

describe('table exports (CSV and XLSX)', () => {
  const sheet = {
    name: 'Belediyeler',
    columns: [
      { header: 'Belediye', value: (r: { name: string; n: number; d: Date }) => r.name },
      { header: 'Sayı', value: (r: { name: string; n: number; d: Date }) => r.n },
      { header: 'Tarih', value: (r: { name: string; n: number; d: Date }) => r.d },
    ],
    rows: [
      { name: 'Üsküdar Belediyesi', n: 3, d: new Date('2025-03-14T00:00:00Z') },
      { name: '=HYPERLINK("http://x")', n: 0, d: new Date('2024-12-31T00:00:00Z') },
      { name: 'Şişli; "Merkez"', n: 12, d: new Date('2024-01-02T00:00:00Z') },
    ],
  };

  it('neutralises cells a spreadsheet would run as a formula', () => {
    for (const bad of ['=1+1', '+90 555', '-2', '@SUM(A1)', '\tx', '\rx']) expect(csvCell(bad).startsWith("'"), bad).to.equal(true);
    expect(csvCell('Çamaşır Kafe')).to.equal('Çamaşır Kafe');
    expect(csvCell(new Date('2025-01-05T10:00:00Z'))).to.equal('2025-01-05');
    expect(csvCell(undefined)).to.equal('');
  });

  it('writes CSV as UTF-8 with a BOM, ; in Turkish and , in English, quoting what needs it', () => {
    const tr = toCsv(table(sheet), 'tr');
    expect([...tr.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
    const lines = tr.subarray(3).toString('utf8').trim().split('\r\n');
    expect(lines[0]).to.equal('Belediye;Sayı;Tarih');
    expect(lines[1]).to.equal('Üsküdar Belediyesi;3;2025-03-14');
    expect(lines[2]).to.equal(`"'=HYPERLINK(""http://x"")";0;2024-12-31`);
    expect(lines[3]).to.equal('"Şişli; ""Merkez""";12;2024-01-02');
    expect(toCsv(table(sheet), 'en').subarray(3).toString('utf8').split('\r\n')[0]).to.equal('Belediye,Sayı,Tarih');
  });

  it('writes XLSX that reads back with the same cells, typed', async () => {
    const book = await readWorkbook(await toXlsx([table(sheet), table({ ...sheet, name: 'İkinci: [sayfa]' })]));
    expect(book.worksheets.map((w) => w.name)).to.deep.equal(['Belediyeler', 'İkinci   sayfa ']);
    const ws = book.worksheets[0];
    expect(ws?.getRow(1).values).to.deep.equal([undefined, 'Belediye', 'Sayı', 'Tarih']);
    expect(ws?.getCell('A2').value).to.equal('Üsküdar Belediyesi');
    expect(ws?.getCell('A3').value, 'text stays text in XLSX').to.equal('=HYPERLINK("http://x")');
    expect(ws?.getCell('B4').value).to.equal(12);
    expect((ws?.getCell('C2').value as Date).toISOString()).to.equal('2025-03-14T00:00:00.000Z');
  });
});

describe('exports: a format we do not write', function () {
  this.timeout(30_000);
  it('is a 404 on every list export, never a CSV in its place; no format is CSV', async () => {
    const { agent } = await signIn('office');
    for (const list of ['/municipalities', '/visits', '/transfers']) {
      const pdf = await agent.get(`${list}/export?format=pdf`);
      expect(pdf.status, `${list} pdf`).to.equal(404);
      expect(pdf.headers['content-type']).to.match(/^text\/html/);
      const plain = await agent.get(`${list}/export`);
      expect(plain.status, `${list} default`).to.equal(200);
      expect(plain.headers['content-type']).to.match(/^text\/csv/);
    }
  });
});

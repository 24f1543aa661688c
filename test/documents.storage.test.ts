import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { expect } from 'chai';
import { Types } from 'mongoose';
import { DocumentFile } from '../src/features/documents/document.model.js';
import { storeBytes } from '../src/features/documents/documents.service.js';
import { DirectoryStorage } from '../src/shared/storage/directory-storage.js';

describe('documents: directory storage', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'storage-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('stores bytes under a random name, reads them back and deletes them', async () => {
    const storage = new DirectoryStorage(dir);
    const a = await storage.put(Buffer.from('merhaba'), 'pdf');
    const b = await storage.put(Buffer.from('merhaba'), 'pdf');
    expect(a).to.match(/^[0-9a-f]{32}\.pdf$/);
    expect(a).to.not.equal(b);
    expect(await text(await storage.open(a))).to.equal('merhaba');
    await storage.delete(a);
    await storage.delete(a); // already gone: not an error
    expect(await readdir(dir)).to.deep.equal([b]);
  });

  it('never opens or deletes a path it did not make', async () => {
    const storage = new DirectoryStorage(dir);
    for (const name of ['../etc/passwd', '/etc/passwd', 'rapor.pdf', `${'a'.repeat(32)}/../x`]) {
      await storage.open(name).then(
        () => expect.fail(`opened ${name}`),
        (err: NodeJS.ErrnoException) => expect(err.code).to.equal('ENOENT'),
      );
      await storage.delete(name).then(
        () => expect.fail(`deleted ${name}`),
        (err: NodeJS.ErrnoException) => expect(err.code).to.equal('ENOENT'),
      );
    }
  });

  it('removes the stored bytes when the record cannot be written', async () => {
    const storage = new DirectoryStorage(dir);
    const owner = { kind: 'Model' as const, id: new Types.ObjectId() };
    const failing = storeBytes(storage, Buffer.from('%PDF-1.4'), { ext: 'pdf', mime: 'application/pdf' }, { owner, purpose: 'document', originalName: 'a.pdf', visibility: 'public', title: 'x'.repeat(201) });
    await failing.then(
      () => expect.fail('a 201-character title must be refused by the schema'),
      (err: Error) => expect(err.name).to.equal('ValidationError'),
    );
    expect(await readdir(dir)).to.deep.equal([]);
    expect(await DocumentFile.countDocuments({ ownerId: owner.id })).to.equal(0);
  });
});

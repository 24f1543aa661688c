import { expect } from 'chai';
import { isCalendarDay, parseCalendarDay } from '../src/shared/calendar-day.js';
import { Transfer } from '../src/features/transfers/transfer.model.js';
import { createTransfer } from './support/transfers.js';
import { csrfFrom, signIn } from './support/app.js';

describe('calendar days (yyyy-mm-dd)', () => {
  it('reads real days and refuses the ones that do not exist instead of rolling them over', () => {
    expect(parseCalendarDay('2024-02-29')?.toISOString()).to.equal('2024-02-29T00:00:00.000Z');
    expect(parseCalendarDay(' 2026-12-31 ')?.toISOString()).to.equal('2026-12-31T00:00:00.000Z');
    for (const bad of ['2026-02-31', '2025-02-29', '2026-13-45', '2026-00-10', '2026-1-5', '31.12.2026', '', 'x']) expect(isCalendarDay(bad), bad).to.equal(false);
  });

  it('a launch date that does not exist is a field message on the transfer page, and nothing moves', async function () {
    this.timeout(30_000);
    const { agent } = await signIn('office');
    const { id } = await createTransfer({ status: 'implementation' });
    const page = await agent.get(`/transfers/${id}`);
    const res = await agent.post(`/transfers/${id}/transition`).type('form').send({ _csrf: csrfFrom(page.text), to: 'operational', status: 'implementation', version: '1', launchDate: '2026-02-31' });
    expect(res.status).to.equal(422);
    expect(res.text).to.include('Geçerli bir tarih');
    expect((await Transfer.findById(id).select('status').lean())?.status).to.equal('implementation');
  });
});

import { expect } from 'chai';
import { User } from '../src/features/accounts/user.model.js';
import { createUser, csrfOf, signIn, unique } from './support/app.js';
import { describeMessages, validateHtml } from './support/vnu.js';

describe('valid HTML: account and administration pages', function () {
  this.timeout(120_000);

  it('in their normal, error and one-time states', async () => {
    const { agent: admin, user: me } = await signIn('admin');
    const { user } = await createUser('municipality');
    await User.updateOne({ _id: user._id }, { $set: { mustChangePassword: true, demo: true } });
    const csrf = await csrfOf(admin, '/account');
    const form = (path: string, body: Record<string, string>) => admin.post(path).type('form').send({ _csrf: csrf, ...body });
    const pages: Record<string, string> = {
      'users-list': (await admin.get('/admin/users?q=test&role=municipality&status=active')).text,
      'users-empty': (await admin.get(`/admin/users?q=${unique('none')}`)).text,
      'user-new': (await admin.get('/admin/users/new')).text,
      'user-new-invalid': (await form('/admin/users', { name: '', email: 'x', role: 'municipality', passwordMode: 'typed', password: 'kısa' })).text,
      'user-show': (await admin.get(`/admin/users/${String(user._id)}`)).text,
      'user-show-self': (await admin.get(`/admin/users/${String(me._id)}`)).text,
      'user-show-refused': (await form(`/admin/users/${String(me._id)}/disable`, {})).text,
      'user-password-shown': (await form(`/admin/users/${String(user._id)}/password`, { passwordMode: 'generate' })).text,
      'audit': (await admin.get('/admin/audit')).text,
      'audit-invalid': (await admin.get('/admin/audit?from=2024-02-31&to=x')).text,
      'audit-backwards': (await admin.get('/admin/audit?from=2024-03-05&to=2024-03-01')).text,
      'account': (await admin.get('/account')).text,
      'account-invalid': (await form('/account/password', { currentPassword: '', newPassword: 'x', confirmPassword: 'y' })).text,
    };
    // The only active admin's own page (role select disabled) and a refused change there.
    const others = await User.find({ role: 'admin', active: true, _id: { $ne: me._id } }, { _id: 1 }).lean();
    await User.updateMany({ _id: { $in: others.map((o) => o._id) } }, { $set: { active: false } });
    try {
      pages['user-show-last-admin'] = (await admin.get(`/admin/users/${String(me._id)}`)).text;
      pages['user-show-last-admin-refused'] = (await form(`/admin/users/${String(me._id)}`, { name: 'x', role: 'office', municipality: '', language: 'tr' })).text;
    } finally {
      await User.updateMany({ _id: { $in: others.map((o) => o._id) } }, { $set: { active: true } });
    }
    expect(pages['user-show-last-admin']).to.include('disabled');
    const { agent: municipal } = await signIn('municipality');
    pages['account-municipality'] = (await municipal.get('/account?lang=en')).text;
    expect(describeMessages(await validateHtml(pages))).to.deep.equal([]);
  });
});

import type { Config } from '../../shared/config.js';
import type { Logger } from '../../shared/logger.js';
import { audit } from '../audit/audit.service.js';
import { hashPassword, passwordProblem } from './password.js';
import { User } from './user.model.js';
import { userSearchKey } from './users.service.js';

/** ADMIN_EMAIL + ADMIN_PASSWORD create the first admin at start when no active admin exists. */
export async function ensureFirstAdmin(config: Config, log: Logger): Promise<void> {
  if (!config.adminEmail || !config.adminPassword) return;
  if (await User.exists({ role: 'admin', active: true, demo: { $ne: true } })) return;
  const problem = passwordProblem(config.adminPassword, config.adminEmail);
  if (problem) {
    log.error({ problem }, 'ADMIN_PASSWORD is refused by the password policy; no admin created');
    return;
  }
  const email = config.adminEmail.toLowerCase();
  if (await User.exists({ email })) {
    log.warn({ email }, 'ADMIN_EMAIL belongs to an existing user; not changed');
    return;
  }
  const user = await User.create({ email, name: 'Administrator', role: 'admin', passwordHash: await hashPassword(config.adminPassword), passwordChangedAt: new Date(), searchKey: userSearchKey('Administrator', email) });
  await audit({ action: 'user.created', actorEmail: 'system', target: { kind: 'User', id: String(user._id), label: email }, details: { role: 'admin', via: 'ADMIN_EMAIL' } });
  log.info({ email }, 'first admin created from ADMIN_EMAIL');
}

import { ConfigError, type Config } from '../../shared/config.js';
import { englishMessage } from '../../shared/i18n.js';
import type { Logger } from '../../shared/logger.js';
import { audit } from '../audit/audit.service.js';
import { hashPassword, passwordProblem } from './password.js';
import { User } from './user.model.js';
import { userSearchKey } from './users.service.js';

/** ADMIN_EMAIL + ADMIN_PASSWORD create the first admin at start when no active admin (other than a demo account) exists. */
export async function ensureFirstAdmin(config: Config, log: Logger): Promise<void> {
  if (!config.adminEmail || !config.adminPassword) return;
  // A bad value stops start-up like any other bad setting (else the app could run with no admin).
  const problem = passwordProblem(config.adminPassword, config.adminEmail);
  if (problem) throw new ConfigError(`Invalid ADMIN_PASSWORD: ${englishMessage(problem)}`);
  if (await User.exists({ role: 'admin', active: true, demo: { $ne: true } })) return;
  const email = config.adminEmail.toLowerCase();
  if (await User.exists({ email })) {
    log.warn({ email }, 'ADMIN_EMAIL belongs to an existing user; not changed');
    return;
  }
  const user = await User.create({ email, name: 'Administrator', role: 'admin', passwordHash: await hashPassword(config.adminPassword), passwordChangedAt: new Date(), searchKey: userSearchKey('Administrator', email) });
  await audit({ action: 'user.created', actorEmail: 'system', target: { kind: 'User', id: String(user._id), label: email }, details: { role: 'admin', via: 'ADMIN_EMAIL' } });
  log.info({ email }, 'first admin created from ADMIN_EMAIL');
}

import { searchKeyFilter } from '../../shared/search-key.js';
import type { UserListQuery } from './admin-users.validation.js';
import { municipalityNames } from './municipality-options.js';
import { User } from './user.model.js';

export const USERS_PAGE_SIZE = 25;

export type UserRow = {
  id: string;
  name: string;
  email: string;
  role: string;
  municipality: string | undefined;
  active: boolean;
  demo: boolean;
  mustChangePassword: boolean;
  lastLoginAt: Date | undefined;
};

/** One page of the users list: search on name and e-mail (the Turkish search key), role, status. */
export async function listUsers(query: UserListQuery): Promise<{ rows: UserRow[]; total: number; page: number; pages: number }> {
  const filter: Record<string, unknown> = { ...searchKeyFilter('searchKey', query.q) };
  if (query.role) filter.role = query.role;
  if (query.status) filter.active = query.status === 'active';
  const total = await User.countDocuments(filter);
  const pages = Math.max(1, Math.ceil(total / USERS_PAGE_SIZE));
  const page = Math.min(query.page, pages);
  const [docs, names] = await Promise.all([
    User.find(filter, { name: 1, email: 1, role: 1, municipality: 1, active: 1, demo: 1, mustChangePassword: 1, lastLoginAt: 1 })
      .sort({ searchKey: 1, _id: 1 })
      .skip((page - 1) * USERS_PAGE_SIZE)
      .limit(USERS_PAGE_SIZE)
      .lean(),
    municipalityNames(),
  ]);
  const rows = docs.map((u) => ({
    id: String(u._id),
    name: u.name,
    email: u.email,
    role: u.role,
    municipality: u.municipality ? names.get(String(u.municipality)) : undefined,
    active: u.active !== false,
    demo: !!u.demo,
    mustChangePassword: !!u.mustChangePassword,
    lastLoginAt: u.lastLoginAt ?? undefined,
  }));
  return { rows, total, page, pages };
}

/**
 * Roles and their rights: the one table every route and every view asks (through `can`).
 * Per-record rules (a municipality user reaches only their own municipality's records) live in
 * privileges.ts beside `can`.
 */
export const ROLES = ['municipality', 'office', 'manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const RIGHTS = [
  'models:read-drafts',
  'models:edit',
  'municipalities:read',
  'municipalities:edit',
  'visits:read',
  'visits:edit',
  'transfers:read',
  'transfers:request',
  'transfers:edit',
  'transfers:move',
  'transfers:comment',
  'transfers:update-own',
  'documents:upload',
  'dashboard:read',
  'exports:read',
  /** Bringing the office's spreadsheets in (the import pages and the command line's equivalent). */
  'import:run',
  'users:admin',
  'audit:read',
  'account:self',
] as const;
export type Right = (typeof RIGHTS)[number];

const STAFF_WORK: readonly Right[] = [
  'models:read-drafts',
  'models:edit',
  'municipalities:read',
  'municipalities:edit',
  'visits:read',
  'visits:edit',
  'transfers:read',
  'transfers:edit',
  'transfers:move',
  'transfers:comment',
  'documents:upload',
];

export const ROLE_RIGHTS: Readonly<Record<Role, readonly Right[]>> = {
  // Scoped to their own municipality by the per-record rules.
  municipality: ['municipalities:read', 'visits:read', 'transfers:read', 'transfers:request', 'transfers:update-own', 'transfers:comment', 'documents:upload', 'account:self'],
  office: [...STAFF_WORK, 'dashboard:read', 'exports:read', 'import:run', 'account:self'],
  manager: ['models:read-drafts', 'municipalities:read', 'visits:read', 'transfers:read', 'transfers:comment', 'dashboard:read', 'exports:read', 'audit:read', 'account:self'],
  admin: [...STAFF_WORK, 'dashboard:read', 'exports:read', 'import:run', 'users:admin', 'audit:read', 'account:self'],
};

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function roleHas(role: Role, right: Right): boolean {
  return ROLE_RIGHTS[role].includes(right);
}

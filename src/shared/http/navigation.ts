/**
 * The main navigation: one entry per section, shown when the section exists in this app (its page
 * is a declared route) and the signed-in user's role may use it, so no link leads to a 404 or a 403.
 */
import { can, type Actor } from '../../features/accounts/privileges.js';
import type { Right } from '../../features/accounts/roles.js';
import { declaredRoutes } from './routes.js';

/**
 * `ownKey`: the label a municipality user sees, whose entry holds only its own municipality's
 * records; `ownHref`: where that entry leads them (their own page rather than a list of one).
 */
type Section = { href: string; key: string; right?: Right; ownKey?: string; ownHref?: (municipalityId: string) => string };

const SECTIONS: readonly Section[] = [
  { href: '/models', key: 'models' },
  { href: '/municipalities', key: 'municipalities', right: 'municipalities:read', ownKey: 'ourMunicipality', ownHref: (id) => `/municipalities/${id}` },
  { href: '/visits', key: 'visits', right: 'visits:read', ownKey: 'ourVisits' },
  { href: '/follow-ups', key: 'followUps', right: 'dashboard:read' },
  { href: '/transfers', key: 'transfers', right: 'transfers:read', ownKey: 'ourTransfers' },
  { href: '/dashboard', key: 'dashboard', right: 'dashboard:read' },
  { href: '/import', key: 'import', right: 'import:run' },
  { href: '/admin/users', key: 'users', right: 'users:admin' },
  { href: '/admin/audit', key: 'audit', right: 'audit:read' },
];

export type NavItem = { href: string; key: string };

/** Whether this app has a page at `path` (an Express route path such as `/transfers/:id`). */
export function hasPage(path: string): boolean {
  return declaredRoutes().some((r) => r.method === 'get' && r.path === path);
}

export function navigationFor(actor: Actor): NavItem[] {
  const ownMunicipality = actor?.role === 'municipality' ? actor.municipalityId : undefined;
  return SECTIONS.filter((s) => hasPage(s.href) && (!s.right || can(actor, s.right))).map(({ href, key, ownKey, ownHref }) =>
    ownMunicipality ? { href: ownHref ? ownHref(ownMunicipality) : href, key: ownKey ?? key } : { href, key },
  );
}

/**
 * The page a form posted to `routePath` lives on, by the usual conventions: `X/new`, `X/edit` or `X`
 * itself, else the same for its parent (`/account/password` → `/account`). A page answering a POST
 * (a form with its errors) links here to switch language, since its own URL may have no page.
 */
export function formPageOf(routePath: string): string | undefined {
  for (let path = routePath; path; path = path.slice(0, path.lastIndexOf('/'))) {
    const found = [`${path}/new`, `${path}/edit`, path].find(hasPage);
    if (found) return found;
  }
  return undefined;
}

/**
 * Every route is declared through `defineRoutes`, with the access it needs. The declaration both
 * guards the route and records it, so the route × role matrix test covers every route the app has
 * and fails on one that was added without a rule.
 */
import type { RequestHandler, Router } from 'express';
import { can } from '../../features/accounts/privileges.js';
import type { Right } from '../../features/accounts/roles.js';
import { AppError } from '../errors.js';
import { csrfAfterMultipart, csrfForMultipartWithoutUpload } from './csrf.js';
import { rememberReturnTo } from './return-to.js';

export type Access =
  | { kind: 'public' }
  /** Any signed-in user (e.g. sign-out, own account). */
  | { kind: 'signed-in' }
  /** A signed-in user whose role has the right. */
  | { kind: 'right'; right: Right };

export const PUBLIC: Access = { kind: 'public' };
export const SIGNED_IN: Access = { kind: 'signed-in' };
export const needs = (right: Right): Access => ({ kind: 'right', right });

type Method = 'get' | 'post' | 'put' | 'delete';

export type RouteInfo = { method: Method; path: string; access: Access };

const registry: RouteInfo[] = [];

/** All declared routes (read by the matrix test and the guard). */
export function declaredRoutes(): readonly RouteInfo[] {
  return registry;
}

export function guard(access: Access): RequestHandler {
  return (req, res, next) => {
    if (access.kind === 'public') return next();
    if (!req.user) {
      if (req.method === 'GET') {
        rememberReturnTo(req, res);
        return res.redirect(303, '/login');
      }
      return next(new AppError('FORBIDDEN', 'sign-in required'));
    }
    if (access.kind === 'right' && !can(req.user, access.right)) return next(AppError.forbidden());
    next();
  };
}

export function defineRoutes(router: Router) {
  const add =
    (method: Method) =>
    (path: string, access: Access, ...handlers: RequestHandler[]) => {
      if (!registry.some((r) => r.method === method && r.path === path)) registry.push({ method, path, access });
      // The global CSRF check lets multipart requests through to the route's own check after
      // multer; a route without one checks them here, so no POST escapes the token.
      const csrf = method === 'get' || handlers.includes(csrfAfterMultipart) ? [] : [csrfForMultipartWithoutUpload];
      router[method](path, guard(access), ...csrf, ...handlers);
    };
  return { get: add('get'), post: add('post'), put: add('put'), delete: add('delete') };
}

import type { RequestHandler } from 'express';

/**
 * Removes keys that start with `$` or contain `.` from a parsed request body, so nothing a user
 * posts can become a MongoDB operator or a dotted path (`email[$ne]=x`, `role.$=admin`).
 */
export function stripOperatorKeys(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  // No form nests this deep: drop what lies below rather than pass it on unchecked.
  if (depth > 20) return undefined;
  if (Array.isArray(value)) return value.map((v) => stripOperatorKeys(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k.startsWith('$') || k.includes('.') || k === '__proto__' || k === 'constructor' || k === 'prototype') continue;
    out[k] = stripOperatorKeys(v, depth + 1);
  }
  return out;
}

export const sanitizeBody: RequestHandler = (req, _res, next) => {
  if (req.body && typeof req.body === 'object') req.body = stripOperatorKeys(req.body);
  next();
};

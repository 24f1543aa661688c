import type { Request } from 'express';
import { AuditEvent } from './audit.model.js';

export type AuditInput = {
  action: string;
  actor?: { id: string; email: string } | undefined;
  actorEmail?: string | undefined;
  target?: { kind: string; id: string; label?: string | undefined } | undefined;
  ip?: string | undefined;
  details?: Record<string, unknown> | undefined;
};

/**
 * What an unauthenticated caller typed as their e-mail, made safe to list: control and bidirectional
 * formatting characters (which could make a row read as something else) removed, length bounded.
 */
function printable(typed: string | undefined): string | undefined {
  return typed?.replace(/[\p{Cc}\p{Cf}]/gu, '').slice(0, 254);
}

const eventOf = (input: AuditInput) => ({
  action: input.action,
  actor: input.actor?.id,
  actorEmail: input.actor?.email ?? printable(input.actorEmail),
  targetKind: input.target?.kind,
  targetId: input.target?.id,
  targetLabel: input.target?.label,
  ip: input.ip,
  details: input.details,
});

/** The one way to write an audit event (append-only). */
export async function audit(input: AuditInput): Promise<void> {
  await AuditEvent.create(eventOf(input));
}

/** Several events in one insert (the records of a spreadsheet import, written in batches). */
export async function auditMany(inputs: readonly AuditInput[]): Promise<void> {
  if (inputs.length) await AuditEvent.insertMany(inputs.map(eventOf));
}

/** The audit fields a request supplies: who (the signed-in user) and from where. */
/** Who made a change and from where: from a request (auditContext) or given by a command or an import. */
export type AuditBy = Pick<AuditInput, 'actor' | 'ip'>;

export function auditContext(req: Request): AuditBy {
  return { actor: req.user ? { id: req.user.id, email: req.user.email } : undefined, ip: req.ip };
}

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

/** The one way to write an audit event (append-only). */
export async function audit(input: AuditInput): Promise<void> {
  await AuditEvent.create({
    action: input.action,
    actor: input.actor?.id,
    actorEmail: input.actor?.email ?? input.actorEmail,
    targetKind: input.target?.kind,
    targetId: input.target?.id,
    targetLabel: input.target?.label,
    ip: input.ip,
    details: input.details,
  });
}

/** The audit fields a request supplies: who (the signed-in user) and from where. */
export function auditContext(req: Request): Pick<AuditInput, 'actor' | 'ip'> {
  return { actor: req.user ? { id: req.user.id, email: req.user.email } : undefined, ip: req.ip };
}

import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Actor } from '../auth/actor.js';
import { primaryRole } from '../roles/system-roles.js';

// What a security event takes from the request it happens in: request id, client address, and the caller once
// known. Kept apart from the log context, which goes onto every log line: the client address is personal data
// and belongs in security events only.

export interface EventActor {
  readonly user_id: string | null;
  readonly role: string | null;
}

export interface EventCaller extends EventActor {
  /** The caller's tenant; null for a super admin. */
  readonly tenant_id: string | null;
}

interface SecurityContext {
  readonly request_id: string | null;
  readonly client_address: string | null;
  readonly log: Logger;
  caller?: EventCaller;
}

const storage = new AsyncLocalStorage<SecurityContext>();

/** Mounted after request logging (which names the request id): every later step of the request sees the context. */
export function securityEventContext(log: Logger): RequestHandler {
  return (req, _res, next) => {
    storage.run({ request_id: req.id === undefined ? null : String(req.id), client_address: req.ip ?? null, log }, next);
  };
}

export function currentSecurityContext(): SecurityContext | undefined {
  return storage.getStore();
}

/** Names the caller as soon as it is known (the token, then the loaded actor), so a later 403 says who was refused. */
export function noteCaller(caller: EventCaller): void {
  const context = storage.getStore();
  if (context) context.caller = caller;
}

/** Who the actor is, as events name it: user, primary role and tenant. */
export function callerOf(actor: Actor): EventCaller {
  const role = actor.kind === 'platform' ? 'super_admin' : actor.kind === 'system' ? 'system' : primaryRole(actor.roles);
  return { user_id: actor.user_id, role, tenant_id: actor.tenant?.tenant_id ?? null };
}

import crypto from 'node:crypto';
import type { z } from 'zod';
import type { NotificationTopic } from '../../schemas/notifications.js';
import type { AccountKind } from '../auth/account-repository.js';
import { inPlatformScope, inTenantScope, type TenantRef, type Tx } from '../db/scope.js';
import type { AppDeps } from '../deps.js';
import { enqueueInTransaction } from '../jobs/outbox.js';
import { NOTIFICATION_QUEUE, type NotificationPayload } from './job.js';

// ASVS V2.2.3, V2.5.5, V2.8.5: the account's owner hears of changes to its sign-in (password, MFA, a lockout, a
// replayed code, a reused refresh token). A tenant user's notice is written to the tenant's outbox in the change's
// own transaction and delivered by the notification job after the commit (src/jobs/outbox.ts): it exists exactly
// when the change does. A super admin's goes to their inbox in shared in the same transaction: the platform has no
// outbox (its requests run on the platform role, beside no tenant's queue); an outside channel for super admins will
// need a platform relay.

type Details = z.infer<typeof NotificationPayload>['details'];

export interface AccountRef {
  readonly kind: AccountKind;
  readonly user_id: string;
}

/** Queues a notice to the account's owner in the caller's transaction. */
export async function notifyAccountOwner(tx: Tx, deps: Pick<AppDeps, 'notifier'>, account: AccountRef, topic: NotificationTopic,
  details: Details = {}): Promise<void> {
  if (account.kind === 'tenant') {
    await enqueueInTransaction(tx, NOTIFICATION_QUEUE, { user_id: account.user_id, topic, details });
    return;
  }
  await deps.notifier.deliver(tx, 'platform', { notification_id: crypto.randomUUID(), user_id: account.user_id, topic, details });
}

/**
 * For an event whose request is failing (a replayed code): a transaction of its own in the account's scope. A failure
 * here is logged, never the request's answer.
 */
export async function notifyAccountOwnerApart(deps: Pick<AppDeps, 'db' | 'log' | 'notifier'>, tenant: TenantRef | null,
  account: AccountRef, topic: NotificationTopic, details: Details = {}): Promise<void> {
  try {
    const work = (tx: Tx) => notifyAccountOwner(tx, deps, account, topic, details);
    await (tenant ? inTenantScope(deps.db, tenant, null, work) : inPlatformScope(deps.db, null, work));
  } catch (error) {
    deps.log.error({ err: error, topic }, 'a notification could not be queued');
  }
}

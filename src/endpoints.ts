import { agentEndpoints } from './agents/routes.js';
import { auditEndpoints } from './audit/routes.js';
import { authEndpoints } from './auth/routes.js';
import { mfaEndpoints } from './auth/mfa-routes.js';
import { webauthnEndpoints } from './auth/webauthn-routes.js';
import { claimEndpoints } from './claims/routes.js';
import { dashboardEndpoints } from './dashboard/routes.js';
import { encryptionKeyEndpoints } from './data-protection/encryption/routes.js';
import { dataProtectionEndpoints } from './data-protection/routes.js';
import { importEndpoints } from './imports/routes.js';
import { notificationEndpoints } from './notifications/routes.js';
import type { Endpoint } from './http/endpoint.js';
import { paymentEndpoints } from './payments/routes.js';
import { policyEndpoints } from './policies/routes.js';
import { policyholderEndpoints } from './policyholders/routes.js';
import { providerEndpoints } from './providers/routes.js';
import { roleEndpoints } from './roles/routes.js';
import { securityEventEndpoints } from './security-events/routes.js';
import { tenantEndpoints } from './tenants/routes.js';
import { userEndpoints } from './users/routes.js';

export const API_BASE = '/api/v1';

/** Every /api/v1 endpoint: mounted by the app and described by the OpenAPI document. */
export const API_ENDPOINTS: readonly Endpoint[] = [
  ...authEndpoints,
  ...mfaEndpoints,
  ...webauthnEndpoints,
  ...tenantEndpoints,
  ...providerEndpoints,
  ...userEndpoints,
  ...roleEndpoints,
  ...agentEndpoints,
  ...policyholderEndpoints,
  ...auditEndpoints,
  ...policyEndpoints,
  ...paymentEndpoints,
  ...claimEndpoints,
  ...dashboardEndpoints,
  ...importEndpoints,
  ...securityEventEndpoints,
  ...encryptionKeyEndpoints,
  ...dataProtectionEndpoints,
  ...notificationEndpoints,
];

import type { Endpoint } from '../http/endpoint.js';
import { claimRecordEndpoints, memberEndpoints, reviewEndpoints } from './claim-routes.js';
import { documentEndpoints } from './documents/routes.js';
import { termsEndpoints } from './terms-routes.js';

// The claims module's endpoints, literal paths (/claims/policy-terms, /claims/reviews) before /claims/:claim_id.
export const claimEndpoints: Endpoint[] = [...termsEndpoints, ...reviewEndpoints, ...claimRecordEndpoints, ...documentEndpoints, ...memberEndpoints];

import type { Endpoint } from '../http/endpoint.js';

export const providerEndpoints: Endpoint[] = [];

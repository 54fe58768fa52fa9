import type { Endpoint } from '../http/endpoint.js';

export const roleEndpoints: Endpoint[] = [];

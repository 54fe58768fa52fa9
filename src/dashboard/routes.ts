import { AgentDashboard, DashboardParams, DashboardQuery } from '../../schemas/dashboard.js';
import { problemResponse as problem, scopedEndpoint, type Endpoint } from '../http/endpoint.js';
import { agentDashboard } from './service.js';

export const dashboardEndpoints: Endpoint[] = [
  scopedEndpoint({
    method: 'get', path: '/agents/:agent_id/dashboard', tag: 'agents', access: 'tenant', params: DashboardParams,
    query: DashboardQuery,
    summary: "An agent's day: policyholders, active and lapsed policies, premium collected this month and year, due and overdue",
    responses: { 200: { description: 'Figures computed from the rows, as of today (India)', schema: AgentDashboard },
      400: problem('Invalid input; every offending field is listed'), 401: problem('Not signed in'),
      403: problem('Not allowed (or a platform token)'), 404: problem('No such agent, or not one you may see') },
  }, async ({ tx, actor, params, query }) => ({ body: await agentDashboard(tx, actor, params.agent_id, query) })),
];

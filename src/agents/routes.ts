import { Agent, AgentListQuery, AgentPage, AgentParams, CreateAgentBody, PatchAgentBody } from '../../schemas/agents.js';
import { ListQuery } from '../../schemas/common.js';
import { problemResponse as problem, scopedEndpoint, type Endpoint } from '../http/endpoint.js';
import { createAgent, getAgent, getTeam, listAgents, updateAgent } from './service.js';

const COMMON = {
  400: problem('Invalid input; every offending field is listed'),
  401: problem('Not signed in'),
  403: problem('Not allowed (or a platform token)'),
};
const ONE_AGENT = { ...COMMON, 404: problem('No such agent, or not one you can see') };

export const agentEndpoints: Endpoint[] = [
  scopedEndpoint({
    method: 'get', path: '/agents', tag: 'agents', access: 'tenant', query: AgentListQuery,
    summary: 'List the agents you can see: yourself, your team at any depth, or the whole tenant',
    responses: { 200: { description: 'A page of agents', schema: AgentPage }, ...COMMON },
  }, async ({ tx, actor, query }) => ({ body: await listAgents(tx, actor, query) })),

  scopedEndpoint({
    method: 'post', path: '/agents', tag: 'agents', access: 'tenant', body: CreateAgentBody,
    summary: 'Create an agent under a parent you can see (top-level: tenant-wide administrators only)',
    responses: { 201: { description: 'Created', schema: Agent }, ...COMMON,
      404: problem('parent_agent_id names an agent you cannot see'),
      409: problem('Agent code, licence number or user already taken'),
      422: problem('No parent for a caller who is not tenant-wide, or an unknown user or provider') },
  }, async ({ tx, actor, body }) => ({ status: 201, body: await createAgent(tx, actor, body) })),

  scopedEndpoint({
    method: 'get', path: '/agents/:agent_id', tag: 'agents', access: 'tenant', params: AgentParams,
    summary: 'One agent',
    responses: { 200: { description: 'The agent', schema: Agent }, ...ONE_AGENT },
  }, async ({ tx, actor, params }) => ({ body: await getAgent(tx, actor, params.agent_id) })),

  scopedEndpoint({
    method: 'patch', path: '/agents/:agent_id', tag: 'agents', access: 'tenant', params: AgentParams, body: PatchAgentBody,
    summary: 'Change an agent below you; a new parent_agent_id moves it with its whole team',
    responses: { 200: { description: 'The changed agent', schema: Agent }, ...ONE_AGENT,
      409: problem('Duplicate code, licence or user, or a move that would make a cycle (agent.hierarchy_cycle)'),
      422: problem('No parent for a caller who is not tenant-wide, or an unknown user or provider') },
  }, async ({ tx, actor, params, body }) => ({ body: await updateAgent(tx, actor, params.agent_id, body) })),

  scopedEndpoint({
    method: 'get', path: '/agents/:agent_id/team', tag: 'agents', access: 'tenant', params: AgentParams, query: ListQuery.strict(),
    summary: 'Everyone below the agent, at any depth',
    responses: { 200: { description: 'A page of the agent\'s sub-agents', schema: AgentPage }, ...ONE_AGENT },
  }, async ({ tx, actor, params, query }) => ({ body: await getTeam(tx, actor, params.agent_id, query) })),
];

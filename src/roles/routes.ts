import {
  CreateRoleBody, PatchRoleBody, PermissionListQuery, PermissionPage, Role, RoleListQuery, RolePage, RoleParams,
} from '../../schemas/roles.js';
import { problemResponse as problem, scopedEndpoint, type Endpoint } from '../http/endpoint.js';
import { createRole, deleteRole, getRole, listPermissionCatalog, listRoles, updateRole } from './service.js';

const COMMON = {
  400: problem('Invalid input; every offending field is listed'),
  401: problem('Not signed in'),
  403: problem('Not allowed, or granting permissions you do not hold'),
};
const ONE_ROLE = { ...COMMON, 404: problem('No such role in this tenant') };

export const roleEndpoints: Endpoint[] = [
  scopedEndpoint({
    method: 'get', path: '/roles', tag: 'roles', access: 'tenant', query: RoleListQuery,
    summary: "The tenant's system and custom roles, each with its permissions",
    responses: { 200: { description: 'A page of roles', schema: RolePage }, ...COMMON },
  }, async ({ tx, actor, query }) => ({ body: await listRoles(tx, actor, query) })),

  scopedEndpoint({
    method: 'post', path: '/roles', tag: 'roles', access: 'tenant', body: CreateRoleBody,
    summary: 'Create a custom role from permissions you hold yourself',
    responses: { 201: { description: 'Created', schema: Role }, ...COMMON, 409: problem('A role with this name exists') },
  }, async ({ tx, actor, body }) => ({ status: 201, body: await createRole(tx, actor, body) })),

  scopedEndpoint({
    method: 'get', path: '/roles/:role_id', tag: 'roles', access: 'tenant', params: RoleParams,
    summary: 'One role with its permissions',
    responses: { 200: { description: 'The role', schema: Role }, ...ONE_ROLE },
  }, async ({ tx, actor, params }) => ({ body: await getRole(tx, actor, params.role_id) })),

  scopedEndpoint({
    method: 'patch', path: '/roles/:role_id', tag: 'roles', access: 'tenant', params: RoleParams, body: PatchRoleBody,
    summary: "Change a custom role's description, data scope or permissions (replaced as a whole)",
    responses: { 200: { description: 'The changed role', schema: Role }, ...ONE_ROLE,
      409: problem('System roles cannot be changed') },
  }, async ({ tx, deps, actor, params, body }) => ({ body: await updateRole(tx, deps, actor, params.role_id, body) })),

  scopedEndpoint({
    method: 'delete', path: '/roles/:role_id', tag: 'roles', access: 'tenant', params: RoleParams,
    summary: 'Delete a custom role that nobody holds',
    responses: { 204: { description: 'Deleted' }, ...ONE_ROLE,
      409: problem('A system role, or a role still assigned to users') },
  }, async ({ tx, actor, params }) => {
    await deleteRole(tx, actor, params.role_id);
    return { status: 204 };
  }),

  scopedEndpoint({
    method: 'get', path: '/permissions', tag: 'roles', access: 'tenant', query: PermissionListQuery,
    summary: "The tenant's permission catalog: every rule any role uses",
    responses: { 200: { description: 'A page of permissions', schema: PermissionPage }, ...COMMON },
  }, async ({ tx, actor, query }) => ({ body: await listPermissionCatalog(tx, actor, query) })),
];

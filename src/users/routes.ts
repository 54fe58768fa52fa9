import {
  CreateUserBody, PatchUserBody, ReplaceUserRolesBody, User, UserListQuery, UserPage, UserParams,
} from '../../schemas/users.js';
import { problemResponse as problem, scopedEndpoint, type Endpoint } from '../http/endpoint.js';
import {
  createUser, deactivateUser, getUser, listUsers, replaceRolesOfUser, resetUserMfa, updateUser,
} from './service.js';

const COMMON = {
  400: problem('Invalid input; every offending field is listed'),
  401: problem('Not signed in'),
  403: problem('Not allowed (or a platform token)'),
};
const ONE_USER = { ...COMMON, 404: problem('No such user in this tenant') };

export const userEndpoints: Endpoint[] = [
  scopedEndpoint({
    method: 'get', path: '/users', tag: 'users', access: 'tenant', query: UserListQuery,
    summary: "List the tenant's users, optionally by status or a search over e-mail, names, phone and username",
    responses: { 200: { description: 'A page of users', schema: UserPage }, ...COMMON },
  }, async ({ tx, actor, query }) => ({ body: await listUsers(tx, actor, query) })),

  scopedEndpoint({
    method: 'post', path: '/users', tag: 'users', access: 'tenant', body: CreateUserBody,
    summary: 'Create a user, optionally with roles; counts against the tenant\'s max_users',
    responses: { 201: { description: 'Created, with its roles', schema: User }, ...COMMON,
      409: problem('E-mail, phone number or username already taken'),
      422: problem('max_users reached, or a role that is unknown or not assignable') },
  }, async ({ tx, deps, actor, body }) => ({ status: 201, body: await createUser(tx, deps, actor, body) })),

  scopedEndpoint({
    method: 'get', path: '/users/:user_id', tag: 'users', access: 'tenant', params: UserParams,
    summary: 'One user with its roles',
    responses: { 200: { description: 'The user', schema: User }, ...ONE_USER },
  }, async ({ tx, actor, params }) => ({ body: await getUser(tx, actor, params.user_id) })),

  scopedEndpoint({
    method: 'patch', path: '/users/:user_id', tag: 'users', access: 'tenant', params: UserParams, body: PatchUserBody,
    summary: "Change a user's profile, status or password; a new password or a non-active status ends its sessions",
    responses: { 200: { description: 'The changed user', schema: User }, ...ONE_USER,
      409: problem('Duplicate identifier, deactivated user, or disabling yourself') },
  }, async ({ tx, deps, actor, params, body }) => ({ body: await updateUser(tx, deps, actor, params.user_id, body) })),

  scopedEndpoint({
    method: 'delete', path: '/users/:user_id', tag: 'users', access: 'tenant', params: UserParams,
    summary: 'Deactivate a user (nothing is hard-deleted); its tokens stop working at once',
    responses: { 204: { description: 'Deactivated' }, ...ONE_USER, 409: problem('You cannot deactivate yourself') },
  }, async ({ tx, actor, params }) => {
    await deactivateUser(tx, actor, params.user_id);
    return { status: 204 };
  }),

  scopedEndpoint({
    method: 'delete', path: '/users/:user_id/mfa', tag: 'users', access: 'tenant', params: UserParams,
    summary: "Reset another user's MFA (a lost authenticator and recovery codes): it is removed, the user's sessions end and "
      + 'the user is told; the next sign-in enrols again where MFA is required. Needs update on the user and a recent sign-in',
    responses: { 204: { description: 'Reset' }, ...ONE_USER, 401: problem('Not signed in, or step-up required'),
      409: problem('Your own MFA, or MFA not set up') },
  }, async ({ tx, deps, actor, params }) => {
    await resetUserMfa(tx, deps, actor, params.user_id);
    return { status: 204 };
  }),

  scopedEndpoint({
    method: 'put', path: '/users/:user_id/roles', tag: 'users', access: 'tenant', params: UserParams,
    body: ReplaceUserRolesBody,
    summary: "Replace the user's roles; needs update on User and Role, and only roles whose permissions you hold",
    responses: { 200: { description: 'The user with its new roles', schema: User }, ...ONE_USER,
      422: problem('An unknown role, or the platform-only super_admin role') },
  }, async ({ tx, deps, actor, params, body }) => ({ body: await replaceRolesOfUser(tx, deps, actor, params.user_id, body.role_ids) })),
];

import { subject } from '@casl/ability';
import { expect } from 'chai';
import { authorize, buildAbility, type AppAbility, type PermissionRule, type RuleContext, type Subject } from '../../src/auth/ability.js';
import { ForbiddenError } from '../../src/errors.js';
import { ruleCovers, scopeExceeds, uncoveredRules } from '../../src/roles/escalation.js';

const AGENT: RuleContext = {
  user_id: '11111111-1111-4111-8111-111111111111',
  tenant_id: '22222222-2222-4222-8222-222222222222',
  agent_id: '33333333-3333-4333-8333-333333333333',
};
const OTHER_ID = '99999999-9999-4999-8999-999999999999';

function can(ability: AppAbility, action: PermissionRule['action'], type: Subject, record: Record<string, unknown>): boolean {
  return ability.can(action, subject(type, { ...record }) as never);
}

describe('ability: rules from the database become a CASL ability', () => {
  describe('placeholders interpolate from the caller', () => {
    const cases: { placeholder: string; field: string; mine: unknown; other: unknown }[] = [
      { placeholder: '${user.user_id}', field: 'user_id', mine: AGENT.user_id, other: OTHER_ID },
      { placeholder: '${user.agent_id}', field: 'agent_id', mine: AGENT.agent_id, other: OTHER_ID },
      { placeholder: '${user.tenant_id}', field: 'tenant_id', mine: AGENT.tenant_id, other: OTHER_ID },
    ];
    for (const { placeholder, field, mine, other } of cases) {
      it(`${placeholder} matches the caller's own ${field} and no other`, () => {
        const ability = buildAbility([{ action: 'read', subject: 'Policy', conditions: { [field]: placeholder } }], AGENT);
        expect(can(ability, 'read', 'Policy', { [field]: mine })).to.equal(true);
        expect(can(ability, 'read', 'Policy', { [field]: other })).to.equal(false);
      });
    }

    it('a placeholder the caller lacks (agent_id of a non-agent) makes the rule match nothing, not every null', () => {
      const ability = buildAbility([{ action: 'read', subject: 'Policy', conditions: { agent_id: '${user.agent_id}' } }],
        { ...AGENT, agent_id: null });
      expect(can(ability, 'read', 'Policy', { agent_id: null })).to.equal(false);
      expect(can(ability, 'read', 'Policy', { agent_id: OTHER_ID })).to.equal(false);
    });

    it('interpolates placeholders inside arrays and leaves ordinary strings alone', () => {
      const ability = buildAbility([{ action: 'update', subject: 'Claim', conditions: {
        created_by: { $in: ['${user.user_id}', 'system'] }, status: 'PENDING' } }], AGENT);
      expect(can(ability, 'update', 'Claim', { created_by: AGENT.user_id, status: 'PENDING' })).to.equal(true);
      expect(can(ability, 'update', 'Claim', { created_by: 'system', status: 'PENDING' })).to.equal(true);
      expect(can(ability, 'update', 'Claim', { created_by: OTHER_ID, status: 'PENDING' })).to.equal(false);
      expect(can(ability, 'update', 'Claim', { created_by: AGENT.user_id, status: 'APPROVED' })).to.equal(false);
    });

    it('a string that only resembles a placeholder is compared literally', () => {
      const ability = buildAbility([{ action: 'read', subject: 'User', conditions: { user_id: 'x${user.user_id}' } }], AGENT);
      expect(can(ability, 'read', 'User', { user_id: AGENT.user_id })).to.equal(false);
      expect(can(ability, 'read', 'User', { user_id: 'x${user.user_id}' })).to.equal(true);
    });
  });

  describe('conditions restrict', () => {
    const ability = buildAbility([{ action: 'read', subject: 'User', conditions: { user_id: '${user.user_id}' } }], AGENT);

    it('a conditional rule allows the subject type but only the matching records', () => {
      expect(ability.can('read', 'User')).to.equal(true);
      expect(can(ability, 'read', 'User', { user_id: AGENT.user_id })).to.equal(true);
      expect(can(ability, 'read', 'User', { user_id: OTHER_ID })).to.equal(false);
    });

    it('grants nothing beyond its action and subject', () => {
      expect(can(ability, 'update', 'User', { user_id: AGENT.user_id })).to.equal(false);
      expect(can(ability, 'read', 'Role', { user_id: AGENT.user_id })).to.equal(false);
    });

    it('authorize() throws a 403 error for a record the conditions exclude', () => {
      expect(() => authorize(ability, 'read', 'User', { user_id: AGENT.user_id })).to.not.throw();
      expect(() => authorize(ability, 'read', 'User', { user_id: OTHER_ID })).to.throw(ForbiddenError);
      expect(() => authorize(ability, 'delete', 'User')).to.throw(ForbiddenError, /delete User/);
    });

    it('no rules, no access', () => {
      const none = buildAbility([], AGENT);
      expect(none.can('read', 'User')).to.equal(false);
    });
  });

  describe('manage all', () => {
    const admin = buildAbility([{ action: 'manage', subject: 'all' }], AGENT);

    it('allows every action on every subject and record', () => {
      for (const action of ['create', 'read', 'update', 'delete', 'manage'] as const) {
        expect(admin.can(action, 'Tenant')).to.equal(true);
        expect(can(admin, action, 'User', { user_id: OTHER_ID })).to.equal(true);
      }
    });

    it('manage on one subject covers its actions but no other subject', () => {
      const agents = buildAbility([{ action: 'manage', subject: 'Agent' }], AGENT);
      expect(agents.can('delete', 'Agent')).to.equal(true);
      expect(agents.can('read', 'Policy')).to.equal(false);
    });
  });
});

describe('escalation: which rules a holder may hand out', () => {
  const ownUser: PermissionRule = { action: 'read', subject: 'User', conditions: { user_id: '${user.user_id}' } };
  const table: { held: PermissionRule; wanted: PermissionRule; covers: boolean }[] = [
    { held: { action: 'manage', subject: 'all' }, wanted: { action: 'delete', subject: 'Tenant' }, covers: true },
    { held: { action: 'manage', subject: 'User' }, wanted: { action: 'update', subject: 'User' }, covers: true },
    { held: { action: 'read', subject: 'User' }, wanted: ownUser, covers: true },
    { held: ownUser, wanted: { ...ownUser }, covers: true },
    { held: ownUser, wanted: { action: 'read', subject: 'User' }, covers: false },
    { held: ownUser, wanted: { action: 'read', subject: 'User', conditions: { user_id: '${user.agent_id}' } }, covers: false },
    { held: { action: 'read', subject: 'User' }, wanted: { action: 'update', subject: 'User' }, covers: false },
    { held: { action: 'update', subject: 'User' }, wanted: { action: 'manage', subject: 'User' }, covers: false },
    { held: { action: 'manage', subject: 'User' }, wanted: { action: 'manage', subject: 'all' }, covers: false },
  ];
  for (const { held, wanted, covers } of table) {
    it(`${JSON.stringify(held)} ${covers ? 'covers' : 'does not cover'} ${JSON.stringify(wanted)}`, () => {
      expect(ruleCovers(held, wanted)).to.equal(covers);
    });
  }

  it('uncoveredRules names exactly the rules no held rule covers', () => {
    const held: PermissionRule[] = [{ action: 'read', subject: 'User' }, { action: 'update', subject: 'Role' }];
    const wanted: PermissionRule[] = [{ action: 'read', subject: 'User' }, { action: 'manage', subject: 'all' }];
    expect(uncoveredRules(held, wanted)).to.deep.equal([{ action: 'manage', subject: 'all' }]);
  });

  it('a data scope wider than the holder\'s is an escalation; the same or narrower is not', () => {
    expect(scopeExceeds('tenant', 'team')).to.equal(true);
    expect(scopeExceeds('team', 'team')).to.equal(false);
    expect(scopeExceeds('none', 'own')).to.equal(false);
  });
});

import { expect } from 'chai';
import { lockHierarchy, moveSubtree } from '../../src/agents/hierarchy-repository.js';
import { insertAgentRow } from '../../src/agents/repository.js';
import type { Tx } from '../../src/db/scope.js';
import { runAsSystem } from '../../src/scope/run.js';
import type { TenantRecord } from '../../src/tenants/repository.js';
import { createTestTenant } from '../helpers/actors.js';
import { testDeps } from '../helpers/context.js';

// The pre-order numbering must describe the parent links exactly, however agents are added and moved: an
// agent's range holds its descendants and nobody else. Checked against the links after every step.

interface Row { agent_id: string; parent_agent_id: string | null; pre_order: number; subtree_hi: number; hierarchy_level: number }

async function numberingFaults(tx: Tx): Promise<string[]> {
  const rows: Row[] = await tx('agents').select('agent_id', 'parent_agent_id', 'pre_order', 'subtree_hi', 'hierarchy_level');
  const children = new Map<string | null, Row[]>();
  for (const row of rows) children.set(row.parent_agent_id, [...(children.get(row.parent_agent_id) ?? []), row]);
  const faults: string[] = [];
  const descendants = (id: string): Set<string> => {
    const found = new Set<string>();
    const stack = [...(children.get(id) ?? [])];
    while (stack.length) {
      const next = stack.pop() as Row;
      found.add(next.agent_id);
      stack.push(...(children.get(next.agent_id) ?? []));
    }
    return found;
  };
  const byId = new Map(rows.map((row) => [row.agent_id, row]));
  for (const row of rows) {
    const inRange = rows.filter((other) => other.agent_id !== row.agent_id && other.pre_order >= row.pre_order && other.pre_order <= row.subtree_hi);
    const expected = descendants(row.agent_id);
    if (inRange.length !== expected.size || inRange.some((other) => !expected.has(other.agent_id))) faults.push(`range of ${row.agent_id}`);
    const parent = row.parent_agent_id ? byId.get(row.parent_agent_id) : undefined;
    if (row.hierarchy_level !== (parent ? parent.hierarchy_level + 1 : 1)) faults.push(`level of ${row.agent_id}`);
    if (parent && !(row.pre_order > parent.pre_order && row.subtree_hi <= parent.subtree_hi)) faults.push(`nesting of ${row.agent_id}`);
  }
  if (new Set(rows.map((row) => row.pre_order)).size !== rows.length) faults.push('duplicate numbers');
  return faults;
}

describe('agent hierarchy numbering (pre_order, subtree_hi)', () => {
  let tenant: TenantRecord;
  const inTenant = <T>(work: (tx: Tx) => Promise<T>) => runAsSystem(testDeps(), tenant, 'test', ({ tx }) => work(tx));
  const add = (tx: Tx, parent: string | null, code: string) => insertAgentRow(tx, { agent_code: code, parent_agent_id: parent });

  before(async () => {
    const created = await createTestTenant();
    tenant = await testDeps().tenants.byId(created.tenant_id) as TenantRecord;
  });

  it('stays exact through a deep chain and a wide fan-out that exhaust the gaps and force renumbering', async () => {
    await inTenant(async (tx) => {
      let parent: string | null = null;
      for (let depth = 0; depth < 70; depth += 1) parent = (await add(tx, parent, `CHAIN-${depth}`)).agent_id;
      const hub = (await add(tx, null, 'HUB')).agent_id;
      for (let index = 0; index < 70; index += 1) await add(tx, hub, `FAN-${index}`);
      expect(await numberingFaults(tx)).to.deep.equal([]);
    });
  });

  it('stays exact through moves of subtrees up, down and across, and to the top', async () => {
    await inTenant(async (tx) => {
      const ids: string[] = [];
      let seed = 7;
      const random = (n: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
      for (let index = 0; index < 120; index += 1) {
        const parent = ids.length && random(5) ? ids[random(ids.length)] as string : null;
        ids.push((await add(tx, parent, `TREE-${index}`)).agent_id);
      }
      await lockHierarchy(tx);
      for (let move = 0; move < 40; move += 1) {
        const agent = ids[random(ids.length)] as string;
        const target = random(6) ? ids[random(ids.length)] as string : null;
        const node: Row = await tx('agents').first('*').where({ agent_id: agent });
        const targetRow: Row | undefined = target ? await tx('agents').first('*').where({ agent_id: target }) : undefined;
        if (targetRow && targetRow.pre_order >= node.pre_order && targetRow.pre_order <= node.subtree_hi) continue;
        await moveSubtree(tx, agent, target);
      }
      expect(await numberingFaults(tx)).to.deep.equal([]);
    });
  });
});

import { MAX_AGENT_ORDER, type Tx } from '../db/scope.js';

// The agent hierarchy as a pre-order numbering with gaps. Each agent owns the numbers [pre_order, subtree_hi]:
// its own number first, then room for its subtree. New children take the upper half of the free space between
// their parent's own number and its first child, so most inserts touch one row and a move touches the moved
// subtree; when the space runs out, the smallest enclosing subtree with room is spread out evenly again (one
// UPDATE). Book rows copy their agent's number through a foreign key with ON UPDATE CASCADE.

export interface NodeNumbers {
  readonly agent_id: string | null;
  readonly parent_agent_id: string | null;
  readonly pre_order: number;
  readonly subtree_hi: number;
  readonly hierarchy_level: number;
}

export interface Slot {
  readonly lo: number;
  readonly hi: number;
}

/** The tenant's forest hangs below a virtual root that owns number 0 and the whole range. */
const VIRTUAL_ROOT: NodeNumbers = { agent_id: null, parent_agent_id: null, pre_order: 0, subtree_hi: MAX_AGENT_ORDER, hierarchy_level: 0 };

/** One writer of the hierarchy per tenant at a time; readers are not blocked. */
export async function lockHierarchy(tx: Tx): Promise<void> {
  await tx.raw("SELECT pg_advisory_xact_lock(hashtextextended('agent_hierarchy:' || current_setting('app.tenant_id'), 0))");
}

export async function findNode(tx: Tx, agentId: string): Promise<NodeNumbers | undefined> {
  return tx('agents').first('agent_id', 'parent_agent_id', 'pre_order', 'subtree_hi', 'hierarchy_level').where({ agent_id: agentId });
}

async function nodeOrRoot(tx: Tx, agentId: string | null): Promise<NodeNumbers> {
  const node = agentId ? await findNode(tx, agentId) : VIRTUAL_ROOT;
  if (!node) throw new Error(`agent ${agentId} vanished while the hierarchy was locked`);
  return node;
}

export async function countInRange(tx: Tx, lo: number, hi: number): Promise<number> {
  const row = await tx('agents').whereBetween('pre_order', [lo, hi]).count<{ count: number }>({ count: '*' }).first();
  return Number(row?.count ?? 0);
}

/** The free numbers between a node's own number and its first child (or its end when it has none). */
async function frontGap(tx: Tx, parent: NodeNumbers): Promise<Slot> {
  const children = tx('agents').min<{ first: number | null }>({ first: 'pre_order' });
  const row = await (parent.agent_id ? children.where({ parent_agent_id: parent.agent_id }) : children.whereNull('parent_agent_id')).first();
  const first = row?.first ?? null;
  return { lo: parent.pre_order + 1, hi: first === null ? parent.subtree_hi : first - 1 };
}

/**
 * Numbers for a new child subtree of `need` agents under `parentId` (null: a top-level agent): the upper half of
 * the parent's front gap. Spreads out the parent's subtree, then ever larger ones, when the gap is too small.
 */
export async function allocateChildSlot(tx: Tx, parentId: string | null, need: number): Promise<Slot> {
  for (let widen = 0; ; widen += 1) {
    const parent = await nodeOrRoot(tx, parentId);
    const gap = await frontGap(tx, parent);
    const half = Math.floor((gap.hi - gap.lo + 1) / 2);
    if (half >= need) return { lo: gap.hi - half + 1, hi: gap.hi };
    const ancestor = await ancestorAt(tx, parent, widen);
    if (!ancestor.agent_id && widen > 0 && !(await ancestorAt(tx, parent, widen - 1)).agent_id) {
      throw new Error('agent numbering exhausted');
    }
    await spreadOut(tx, ancestor);
  }
}

/** The `steps`-th ancestor of a node (0: itself), or the virtual root above the top. */
async function ancestorAt(tx: Tx, node: NodeNumbers, steps: number): Promise<NodeNumbers> {
  let current = node;
  for (let step = 0; step < steps && current.agent_id; step += 1) current = await nodeOrRoot(tx, current.parent_agent_id);
  return current;
}

/** Renumbers a subtree (or the whole forest) evenly over its own range, leaving every node the same room. */
async function spreadOut(tx: Tx, root: NodeNumbers): Promise<void> {
  if (!root.agent_id) {
    await renumber(tx, { lo: 1, hi: MAX_AGENT_ORDER }, { lo: 0, hi: MAX_AGENT_ORDER }, 1);
    return;
  }
  const range = { lo: root.pre_order, hi: root.subtree_hi };
  await renumber(tx, range, range, 0);
}

/**
 * Numbers the agents now in `source` (one subtree, or the whole forest) evenly over `target`, keeping their
 * pre-order. `reserved` leading slots stay free (1 for the virtual root's own number 0). Subtree sizes come from
 * the current numbering, so this is one UPDATE whatever the depth.
 */
async function renumber(tx: Tx, source: Slot, target: Slot, reserved: 0 | 1): Promise<void> {
  const count = await countInRange(tx, source.lo, source.hi);
  if (!count) return;
  const width = Math.floor((target.hi - target.lo + 1) / (count + reserved));
  if (width < 1) throw new Error('agent numbering exhausted');
  await tx.raw(`
    WITH numbered AS (
      SELECT a.agent_id,
             row_number() OVER (ORDER BY a.pre_order) - 1 + :reserved::bigint AS r,
             (SELECT count(*) FROM agents d WHERE d.pre_order BETWEEN a.pre_order AND a.subtree_hi) AS size
        FROM agents a WHERE a.pre_order BETWEEN :source_lo::bigint AND :source_hi::bigint)
    UPDATE agents a
       SET pre_order = :target_lo::bigint + n.r * :width::bigint,
           subtree_hi = CASE WHEN n.r = 0 THEN :target_hi::bigint
                             ELSE :target_lo::bigint + (n.r + n.size) * :width::bigint - 1 END
      FROM numbered n WHERE a.agent_id = n.agent_id`, {
    reserved, source_lo: source.lo, source_hi: source.hi, target_lo: target.lo, target_hi: target.hi, width,
  });
}

/** Numbers and level for a new agent under `parentId`. The caller holds the hierarchy lock. */
export async function numbersForNewAgent(tx: Tx, parentId: string | null): Promise<{ pre_order: number; subtree_hi: number; hierarchy_level: number }> {
  const slot = await allocateChildSlot(tx, parentId, 1);
  const parent = await nodeOrRoot(tx, parentId);
  return { pre_order: slot.lo, subtree_hi: slot.hi, hierarchy_level: parent.hierarchy_level + 1 };
}

/**
 * Moves an agent and its subtree under `newParentId` (null: to the top). The caller holds the hierarchy lock and
 * has checked that the new parent is not inside the subtree. Book rows follow through the cascading foreign key.
 */
export async function moveSubtree(tx: Tx, agentId: string, newParentId: string | null): Promise<void> {
  const before = await nodeOrRoot(tx, agentId);
  const size = await countInRange(tx, before.pre_order, before.subtree_hi);
  const slot = await allocateChildSlot(tx, newParentId, size);
  // Making room may have renumbered the moving subtree too: read it again.
  const moving = await nodeOrRoot(tx, agentId);
  const parent = await nodeOrRoot(tx, newParentId);
  await renumber(tx, { lo: moving.pre_order, hi: moving.subtree_hi }, slot, 0);
  await tx('agents').where({ agent_id: agentId }).update({ parent_agent_id: newParentId });
  const levelShift = parent.hierarchy_level + 1 - moving.hierarchy_level;
  if (levelShift) {
    await tx('agents').whereBetween('pre_order', [slot.lo, slot.hi])
      .update({ hierarchy_level: tx.raw('hierarchy_level + ?', [levelShift]) });
  }
}

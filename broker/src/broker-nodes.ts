import { arrayLiteral, type SqlClient } from '@iotp/db';

/**
 * This node's row in `broker_nodes`, written now; `fresh` when it was not there: the node's first
 * beat, or another node took it for dead (it missed its beats for BROKER_NODE_TIMEOUT_MS: its event
 * loop or the database stalled) and marked its devices offline, which the node must then set right.
 */
const BEAT = `
  INSERT INTO broker_nodes (id, seen_at) VALUES ($1, now())
  ON CONFLICT (id) DO UPDATE SET seen_at = now()
  RETURNING (xmax = 0) AS fresh`;

/** Nodes not seen for $1 ms, other than the asking node $2 (alive, since it asks): dead. */
const DEAD = `SELECT id FROM broker_nodes WHERE seen_at < now() - $1::int8 * interval '1 millisecond' AND id <> $2::uuid`;

/**
 * Ends what the dead nodes $1 held, if they are still dead (not seen for $2 ms): their rows go,
 * each connection they held is closed, and each device still online on one of them goes offline
 * (one that moved to a live node is left as it is). Last seen now: when the connection ended is not
 * known. Answers the devices ended. Run only when DEAD finds some: it reads the connection history
 * whole, which no index on `node_id` spares, as one would cost every connect.
 */
const SWEEP = `
  WITH dead AS (
    DELETE FROM broker_nodes
    WHERE id = ANY($1::uuid[]) AND seen_at < now() - $2::int8 * interval '1 millisecond'
    RETURNING id
  ), closed AS (
    UPDATE device_connections SET disconnected_at = now()
    WHERE disconnected_at IS NULL AND node_id IN (SELECT id FROM dead)
    RETURNING id
  ), ended AS (
    UPDATE devices SET online = false, connection_id = NULL, last_seen = now()
    WHERE online AND connection_id IN (SELECT id FROM closed)
    RETURNING id
  )
  SELECT (SELECT count(*) FROM dead)::int AS nodes, ARRAY(SELECT id FROM ended)::text[] AS devices`;

/**
 * Which broker nodes are alive, by their beats in the database (its clock, so nodes' clocks need not
 * agree), and the presence a dead one left: a node killed, or its machine lost, never writes its
 * devices' disconnects, and they would show online for ever. One node alone ends what its last run
 * left when it starts (`DeviceStore.endPresence`); in a cluster the others sweep it.
 * @example const nodes = new BrokerNodes(db.sql); await nodes.beat(nodeId); await nodes.sweep(60_000, nodeId);
 */
export class BrokerNodes {
  /** Since when the database has answered this node's sweeps without a failure or a gap, and when last. */
  private answered: { since: number; last: number } | undefined;

  constructor(private readonly sql: SqlClient) {}

  /** Writes that `nodeId` is alive; true when its row was not there (first beat, or swept). */
  async beat(nodeId: string): Promise<boolean> {
    const [row] = await this.sql.query<{ fresh: boolean }>(BEAT, [nodeId]);
    return row?.fresh === true;
  }

  /** A node stopping: its row goes (its devices' disconnects are written as it closes them). */
  async leave(nodeId: string): Promise<void> {
    await this.sql.query('DELETE FROM broker_nodes WHERE id = $1', [nodeId]);
  }

  /**
   * Ends what the nodes not seen for `timeoutMs` held (see SWEEP), never `self` (the node sweeping,
   * which may have missed its own beat: its timer ran late): how many nodes, and the devices ended.
   * Only once the database has answered this node's sweeps for `timeoutMs`, each within half of it
   * of the one before: after an outage every node's last beat is old, and the live ones must have had
   * the time to beat again. A longer gap means the sweeps could not run here (the database out of
   * reach before they did, or this node's event loop stalled), and counts as an outage: each worker
   * node runs them every beat (`sweep-dead-brokers`), so nothing else makes one. The configuration
   * keeps `timeoutMs` at four beats or more, so a beat and a slow sweep fit in that half.
   */
  async sweep(timeoutMs: number, self: string): Promise<{ nodes: number; devices: string[] }> {
    const dead = await this.sql.query<{ id: string }>(DEAD, [timeoutMs, self]).catch((err: unknown) => {
      this.answered = undefined;
      throw err;
    });
    const now = performance.now();
    if (!this.answered || now - this.answered.last > timeoutMs / 2) this.answered = { since: now, last: now };
    this.answered.last = now;
    if (dead.length === 0 || now - this.answered.since < timeoutMs) return { nodes: 0, devices: [] };
    const [row] = await this.sql.query<{ nodes: number; devices: string[] }>(SWEEP, [
      arrayLiteral(dead.map((d) => d.id)),
      timeoutMs,
    ]);
    return { nodes: row?.nodes ?? 0, devices: row?.devices ?? [] };
  }
}

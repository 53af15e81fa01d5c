/** Messages that could not be ingested, kept with the reason for an operator to inspect. */
import { authorize, type Principal } from '../identity/index.ts';
import type { Db } from '../kernel/index.ts';

export interface DeadLetterInput {
  source: 'mqtt' | 'http';
  topic: string | null;
  deviceId: string | null;
  payload: string;
  reason: string;
  at: Date;
}

export interface DeadLetterView {
  id: number;
  receivedAt: string;
  source: string;
  topic: string | null;
  deviceId: string | null;
  payload: string;
  reason: string;
}

/** Largest payload kept in a dead letter; longer ones are cut (the reason says why it failed). */
const MAX_PAYLOAD_CHARS = 64 * 1024;

/** Stores a dead letter. */
export async function recordDeadLetter(db: Db, input: DeadLetterInput): Promise<void> {
  await db
    .insertInto('datahub_dead_letter')
    .values({
      received_at: input.at,
      source: input.source,
      topic: input.topic,
      device_id: input.deviceId,
      // PostgreSQL text holds no U+0000: a raw NUL of the payload is kept as the escape \u0000.
      payload: input.payload.slice(0, MAX_PAYLOAD_CHARS).replaceAll('\u0000', '\\u0000'),
      reason: input.reason.slice(0, 2000),
    })
    .execute();
}

/** Newest dead letters first (`device.write`: operators of the devices). */
export async function listDeadLetters(
  db: Db,
  principal: Principal,
  query: { deviceId?: string; limit?: number } = {},
): Promise<DeadLetterView[]> {
  authorize(principal, 'device.write');
  let q = db
    .selectFrom('datahub_dead_letter')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(query.limit ?? 100);
  if (query.deviceId) q = q.where('device_id', '=', query.deviceId);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: Number(r.id),
    receivedAt: new Date(r.received_at).toISOString(),
    source: r.source,
    topic: r.topic,
    deviceId: r.device_id,
    payload: r.payload,
    reason: r.reason,
  }));
}

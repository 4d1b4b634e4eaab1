import { sanitizeTopicLevel } from '../config/load-config.js';
import { CamwardenError, ErrorCode } from '../util/errors.js';
import type { Queryable } from './database.js';

/**
 * The registry's MQTT client id when `registry.clientId` is unset: `camwarden-registry-<id>`, with the first 16
 * hex digits of the database's installation id (migration 0004). It stays the same across restarts, listen ports
 * and host names as long as the database does, so the broker's persistent session (and what it queued meanwhile)
 * is resumed; two databases never share one. Registries sharing the load share a database, so with `share` the
 * host name is added to tell them apart (docs/registry.md).
 */
export async function defaultClientId(db: Queryable, opts: { share: boolean; host: string }): Promise<string> {
  const [row] = await db.query<{ id: string }>('SELECT id::text AS id FROM installation');
  if (!row) throw new CamwardenError(ErrorCode.Internal, 'registry database has no installation id (migration 0004)');
  const id = row.id.replaceAll('-', '').slice(0, 16);
  return opts.share ? `camwarden-registry-${sanitizeTopicLevel(opts.host)}-${id}` : `camwarden-registry-${id}`;
}

/**
 * An endpoint: one node as the ring sees it. Identity is the host id (a UUID string), never the
 * address, so a node that changes address keeps its tokens and its data.
 */

/**
 * Where a node stands in the ring's life cycle (gossip STATUS, minus liveness):
 * - JOINING: has chosen tokens, is streaming its ranges in; its tokens are pending, not owned.
 * - NORMAL: owns its tokens.
 * - LEAVING: decommissioning; still owns its tokens while it streams them out.
 * - REMOVING: dead and being removed (removenode); still counted as owner until the others
 *   have re-replicated its ranges, but never a streaming source.
 * A node that has LEFT is simply not in the ring.
 */
export type EndpointStatus = 'JOINING' | 'NORMAL' | 'LEAVING' | 'REMOVING';

export interface Endpoint {
  readonly hostId: string;
  /** Listen / broadcast address, e.g. '127.0.0.2'. */
  readonly address: string;
  readonly datacenter: string;
  readonly rack: string;
  readonly status: EndpointStatus;
}

export function endpoint(fields: {
  hostId: string;
  address: string;
  datacenter?: string;
  rack?: string;
  status?: EndpointStatus;
}): Endpoint {
  return Object.freeze({
    hostId: fields.hostId,
    address: fields.address,
    datacenter: fields.datacenter ?? 'datacenter1',
    rack: fields.rack ?? 'rack1',
    status: fields.status ?? 'NORMAL',
  });
}

/** True for statuses whose tokens are owned (placed in the ring for natural replicas). */
export function ownsTokens(status: EndpointStatus): boolean {
  return status !== 'JOINING';
}

/**
 * EVENT bodies (spec v4 section 4.2.6), pushed on stream -1 to connections that REGISTERed for
 * the event's type.
 *
 *   EVENT           := <type:[string]> <event>
 *   TOPOLOGY_CHANGE := <change:[string] NEW_NODE | REMOVED_NODE | MOVED_NODE> <address:[inet]>
 *   STATUS_CHANGE   := <change:[string] UP | DOWN> <address:[inet]>
 *   SCHEMA_CHANGE   := <change:[string] CREATED | UPDATED | DROPPED> <target:[string]> <options>
 *   options         := KEYSPACE: <keyspace:[string]>
 *                    | TABLE, TYPE: <keyspace:[string]> <name:[string]>
 *                    | FUNCTION, AGGREGATE: <keyspace:[string]> <name:[string]> <arg_types:[string list]>
 *
 * The [inet] of a node event is its native-protocol address (rpc_address and native port), which
 * is what drivers connect to.
 */
import { parseInet } from '../cql-lite/index.js';
import type { SchemaChange } from '../query/index.js';
import type { FrameWriter } from './writer.js';

export type TopologyChange = 'NEW_NODE' | 'REMOVED_NODE' | 'MOVED_NODE';
export type StatusChange = 'UP' | 'DOWN';

/** An event for `NativeServer.broadcastEvent`. `address` is an IPv4 or IPv6 literal. */
export type ServerEvent =
  | { readonly type: 'TOPOLOGY_CHANGE'; readonly change: TopologyChange; readonly address: string; readonly port: number }
  | { readonly type: 'STATUS_CHANGE'; readonly change: StatusChange; readonly address: string; readonly port: number }
  | { readonly type: 'SCHEMA_CHANGE'; readonly change: SchemaChange };

export function writeEvent(w: FrameWriter, event: ServerEvent): void {
  w.string(event.type);
  if (event.type === 'SCHEMA_CHANGE') {
    writeSchemaChange(w, event.change);
    return;
  }
  const address = parseInet(event.address);
  if (address === null) throw new TypeError(`Not an IP address: ${JSON.stringify(event.address)}`);
  if (!(Number.isInteger(event.port) && event.port >= 0 && event.port <= 0xffff)) throw new RangeError(`Invalid port ${event.port}`);
  w.string(event.change);
  w.inet(address, event.port);
}

export function writeSchemaChange(w: FrameWriter, c: SchemaChange): void {
  w.string(c.change);
  w.string(c.target);
  w.string(c.keyspace);
  switch (c.target) {
    case 'KEYSPACE':
      return;
    case 'TABLE':
    case 'TYPE':
      w.string(requiredName(c));
      return;
    case 'FUNCTION':
    case 'AGGREGATE':
      w.string(requiredName(c));
      w.stringList(c.argTypes ?? []);
      return;
    default:
      throw new TypeError(`Unknown schema change target ${JSON.stringify(c.target)}`);
  }
}

function requiredName(c: SchemaChange): string {
  if (c.name === undefined) throw new TypeError(`A ${c.target} schema change needs a name`);
  return c.name;
}

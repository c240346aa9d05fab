// Helpers for tests over real sockets on 127.0.0.0/8: free ports, polling with a deadline (never a
// blind sleep), a logger whose lines a test can read, and a fresh host id.
import { randomUUID } from 'node:crypto';
import * as net from 'node:net';
import { pino } from 'pino';
import { NetError } from '../../src/net/index.js';
import type { AnyInbound, Endpoint, Handler, InboundMessage, PayloadOf, SendOptions, Transport, TransportStats, Verb } from '../../src/net/index.js';
import type { Logger } from '../../src/seams/index.js';

/** Polls pred every few ms until it holds; throws naming `what` (evaluated then) after maxMs. */
export async function until(pred: () => boolean, what: string | (() => string), maxMs = 10_000): Promise<void> {
  const deadline = performance.now() + maxMs;
  for (;;) {
    if (pred()) return;
    if (performance.now() > deadline) throw new Error(`timed out after ${maxMs} ms waiting for: ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Tries to listen on host:port; resolves whether it could. */
function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen({ host, port, exclusive: true }, () => s.close(() => resolve(true)));
  });
}

/** A port free on every given host right now (the same port on each, as nodes of a local cluster use). */
export async function freePort(hosts: readonly string[]): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    let free = true;
    for (const h of hosts) if (!(await canBind(h, port))) free = false;
    if (free) return port;
  }
  throw new Error(`no common free port on ${hosts.join(', ')}`);
}

/** A pino logger at debug level that keeps its JSON lines in `lines`. */
export function capturingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { logger, lines };
}

export const hostId = (): string => randomUUID();

/**
 * A Transport that only talks to 127.0.0.0/8. Fuzzed gossip names arbitrary endpoints, which
 * gossip then tries to reach; tests must not send anything off the loopback network.
 */
export class LoopbackOnly implements Transport {
  dropped = 0;

  constructor(private readonly inner: Transport) {}

  get endpoint(): Endpoint {
    return this.inner.endpoint;
  }

  get hostId(): string {
    return this.inner.hostId;
  }

  private allowed(to: Endpoint): boolean {
    if (to.startsWith('127.')) return true;
    this.dropped++;
    return false;
  }

  handle<V extends Verb>(verb: V, handler: Handler<V>): void {
    this.inner.handle(verb, handler);
  }

  send<V extends Verb>(to: Endpoint, verb: V, payload: PayloadOf[V], options?: SendOptions): void {
    if (this.allowed(to)) this.inner.send(to, verb, payload, options);
  }

  request<V extends Verb>(to: Endpoint, verb: V, payload: PayloadOf[V], timeoutMs: number): Promise<AnyInbound> {
    if (this.allowed(to)) return this.inner.request(to, verb, payload, timeoutMs);
    return Promise.reject(new NetError('CLOSED', `${to} is off the loopback network`));
  }

  respond<V extends Verb>(request: InboundMessage, verb: V, payload: PayloadOf[V]): void {
    if (this.allowed(request.from)) this.inner.respond(request, verb, payload);
  }

  stats(): TransportStats {
    return this.inner.stats();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

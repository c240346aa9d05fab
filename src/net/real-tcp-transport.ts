/**
 * TcpTransport: the Transport seam over real TCP sockets.
 *
 * Why this file may use node:net (test/tidy/seams.test.ts allows src/net/real-*.ts): it is the
 * real I/O adapter of the Transport seam, as real-clock.ts is of the Clock. It still reads time and
 * sets every timer (connect and handshake timeouts, reconnect backoff, request deadlines, message
 * expiry) through the injected Clock, never through Date.now or setTimeout.
 *
 * Connections. A node dials each peer once per ConnectionClass (URGENT for gossip, SMALL, LARGE)
 * and only sends on the connections it dials; it receives on the ones its peers dial. A response
 * therefore travels on the responder's own connection to the requester, as in Cassandra, and a
 * large transfer queued on LARGE never delays a heartbeat on URGENT. Connections are dialled
 * lazily, on the first message queued for them.
 *
 * Handshake. The first frame on a connection is HANDSHAKE_REQ (cluster name, messaging version
 * range, the dialler's listen endpoint and host id, the connection class). The listener answers
 * HANDSHAKE_RSP: accepted with the version both will use, the highest in both ranges, or refused
 * with a NetErrorCode (CLUSTER_MISMATCH, INCOMPATIBLE_VERSION), and then closes. Before the
 * handshake a listener accepts only small frames, and only for handshakeTimeoutMs. The listening
 * side's rules are the pure state machine in inbound-protocol.ts; this file applies its steps.
 *
 *   outbound:  idle --queue--> connecting --tcp--> handshaking --accepted--> ready
 *              failure or close --> backoff (messages queued) or idle (none) --timer--> connecting
 *              refused --> queued messages dropped, retry after the longest backoff
 *
 * Reconnection waits reconnectBaseMs × 2^(failures - 1), capped at reconnectMaxMs, and resets
 * after a successful handshake. A peer with no traffic for it is not dialled at all.
 *
 * Queues. Each outbound connection holds at most maxQueuedMessages / maxQueuedBytes; a message
 * that does not fit is dropped (droppedQueueFull; a request fails with QUEUE_FULL). A message
 * that waits longer than its expiry (the verb's, or SendOptions.expiryMs) is dropped when it
 * reaches the head or when the queue is pruned (droppedExpired): a stale gossip message is worse
 * than none. Writing stops while the socket holds writeHighWaterBytes unsent, so a slow peer's
 * backlog stays in the queue, where expiry and the bounds apply, not in an unbounded socket buffer.
 *
 * Bad input. A frame over maxFrameBytes, a bad checksum, an undecodable envelope or payload, an
 * unknown verb, a second handshake, a version other than the agreed one, or any byte sent back on
 * a connection that only sends: that connection is reset, the reason is logged and counted in
 * closedByReason; every other connection carries on.
 */
import * as net from 'node:net';
import type { Clock, Logger, Timer } from '../seams/index.js';
import { silentLogger } from '../seams/index.js';
import { decodeMessage, encodeEnvelopeBytes, encodeMessage, encodePayload, MESSAGING_VERSION, MIN_MESSAGING_VERSION } from './envelope.js';
import type { AnyEnvelope } from './envelope.js';
import { NetError } from './errors.js';
import { DEFAULT_MAX_FRAME_BYTES, encodeFrame, FrameDecoder } from './frame.js';
import { asNetError, HANDSHAKE_MAX_FRAME_BYTES, InboundProtocol } from './inbound-protocol.js';
import type { InboundStep } from './inbound-protocol.js';
import type { HandshakeRequest, HandshakeResponse } from './payloads.js';
import { RequestTracker } from './requests.js';
import type { AnyInbound, Endpoint, Handler, InboundMessage, SendOptions, Transport, TransportStats } from './transport.js';
import { countClose, emptyStats, formatEndpoint, parseEndpoint } from './transport.js';
import { checkSendable, ConnectionClass, LARGE_MESSAGE_BYTES, Verb, verbSpec } from './verbs.js';
import type { PayloadOf } from './verbs.js';

export interface TcpTransportOptions {
  clusterName: string;
  /** Listen endpoint "address:port" (port 0: any free port; `endpoint` then holds the real one). */
  endpoint: Endpoint;
  hostId: string;
  clock: Clock;
  logger?: Logger;
  /** Largest frame body accepted after the handshake (default 16 MiB). */
  maxFrameBytes?: number;
  /** Per outbound connection (default 4096). */
  maxQueuedMessages?: number;
  /** Per outbound connection, payload bytes (default 64 MiB). */
  maxQueuedBytes?: number;
  /** Stop writing to a socket holding this many unsent bytes until it drains (default 1 MiB). */
  writeHighWaterBytes?: number;
  connectTimeoutMs?: number;
  /** For both sides: the dialler waiting for HANDSHAKE_RSP, the listener for HANDSHAKE_REQ. */
  handshakeTimeoutMs?: number;
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  /**
   * Inbound connections held at once, handshaking ones included (default 1024: three classes
   * for each of a few hundred peers). Past it a new connection is closed at once and counted,
   * so a flood of connections cannot exhaust the node's file descriptors.
   */
  maxInboundConnections?: number;
  /** The messaging versions spoken (default MIN_MESSAGING_VERSION..MESSAGING_VERSION); tests vary them. */
  messagingVersion?: number;
  minMessagingVersion?: number;
}

/** How long a closing socket may take to flush its last writes before it is destroyed. */
const CLOSE_GRACE_MS = 1000;

interface Config {
  readonly clusterName: string;
  readonly hostId: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly maxFrameBytes: number;
  readonly maxQueuedMessages: number;
  readonly maxQueuedBytes: number;
  readonly writeHighWaterBytes: number;
  readonly connectTimeoutMs: number;
  readonly handshakeTimeoutMs: number;
  readonly reconnectBaseMs: number;
  readonly reconnectMaxMs: number;
  readonly messagingVersion: number;
  readonly minMessagingVersion: number;
  readonly maxInboundConnections: number;
}

/** What a connection needs from its transport. */
interface Context {
  readonly config: Config;
  readonly stats: TransportStats;
  /** This node's listen endpoint, told to peers in the handshake. */
  endpoint(): Endpoint;
  /** Local address to dial from (the listen address), or undefined for a wildcard listener. */
  localAddress(): string | undefined;
  deliver(env: AnyEnvelope, from: Endpoint): void;
  inboundClosed(c: InboundConnection): void;
}

interface Queued {
  readonly id: number;
  readonly verb: Verb;
  readonly payload: Uint8Array;
  readonly expiresAtMs: number;
}

export type OutboundState = 'idle' | 'connecting' | 'handshaking' | 'ready' | 'backoff' | 'closed';

/** One outbound connection's state, for tests and the admin API. */
export interface OutboundInfo {
  peer: Endpoint;
  connectionClass: ConnectionClass;
  state: OutboundState;
  queuedMessages: number;
  queuedBytes: number;
  /** Failed attempts since the last successful handshake. */
  failures: number;
  /** Connections established (handshake accepted) over its lifetime. */
  established: number;
  /** Messages written on it over its lifetime. */
  sent: number;
}

function describeError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}


class OutboundConnection {
  state: OutboundState = 'idle';
  private queue: Queued[] = [];
  private head = 0;
  private queuedBytes = 0;
  private socket: net.Socket | undefined;
  private decoder: FrameDecoder | undefined;
  private timer: Timer | undefined;
  private failures = 0;
  private nextAttemptAtMs = 0;
  private agreedVersion = 0;
  private established = 0;
  private sent = 0;

  constructor(
    private readonly ctx: Context,
    readonly peer: Endpoint,
    private readonly host: string,
    private readonly port: number,
    readonly connectionClass: ConnectionClass,
  ) {}

  info(): OutboundInfo {
    return {
      peer: this.peer,
      connectionClass: this.connectionClass,
      state: this.state,
      queuedMessages: this.count(),
      queuedBytes: this.queuedBytes,
      failures: this.failures,
      established: this.established,
      sent: this.sent,
    };
  }

  /** Queues a message; false (and counted) when it does not fit. */
  enqueue(id: number, verb: Verb, payload: Uint8Array, expiryMs: number): boolean {
    const { config, stats } = this.ctx;
    if (this.state === 'closed') {
      stats.droppedUnreachable++;
      return false;
    }
    const nowMs = config.clock.monotonicMs();
    if (this.count() > 0 && this.queue[this.head].expiresAtMs <= nowMs) this.pruneExpired(nowMs);
    if (this.count() >= config.maxQueuedMessages || this.queuedBytes + payload.length > config.maxQueuedBytes) {
      this.pruneExpired(nowMs);
      if (this.count() >= config.maxQueuedMessages || this.queuedBytes + payload.length > config.maxQueuedBytes) {
        stats.droppedQueueFull++;
        return false;
      }
    }
    this.queue.push({ id, verb, payload, expiresAtMs: nowMs + expiryMs });
    this.queuedBytes += payload.length;
    if (this.state === 'ready') this.drain();
    else if (this.state === 'idle') this.attempt();
    return true;
  }

  /** Connects now, or once the backoff since the last failure has passed. */
  private attempt(): void {
    const waitMs = this.nextAttemptAtMs - this.ctx.config.clock.monotonicMs();
    if (waitMs > 0) this.backoff(waitMs);
    else this.connect();
  }

  private backoff(waitMs: number): void {
    this.state = 'backoff';
    this.timer?.cancel();
    this.timer = this.ctx.config.clock.setTimer(waitMs, () => {
      this.timer = undefined;
      if (this.state !== 'backoff') return;
      this.pruneExpired(this.ctx.config.clock.monotonicMs());
      // Nothing left to say to this peer: stay idle rather than dial a node that may be gone.
      if (this.count() === 0) this.state = 'idle';
      else this.connect();
    });
  }

  private connect(): void {
    const { config } = this.ctx;
    this.state = 'connecting';
    const socket = net.connect({ host: this.host, port: this.port, localAddress: this.ctx.localAddress() });
    this.socket = socket;
    socket.setNoDelay(true);
    this.timer = config.clock.setTimer(config.connectTimeoutMs, () => {
      this.timer = undefined;
      if (this.socket === socket && this.state === 'connecting') socket.destroy(new Error(`connect timeout after ${config.connectTimeoutMs} ms`));
    });
    socket.once('connect', () => {
      if (this.socket !== socket) return;
      this.timer?.cancel();
      this.state = 'handshaking';
      this.decoder = new FrameDecoder(HANDSHAKE_MAX_FRAME_BYTES);
      const request: HandshakeRequest = {
        clusterName: config.clusterName,
        messagingVersion: config.messagingVersion,
        minMessagingVersion: config.minMessagingVersion,
        endpoint: this.ctx.endpoint(),
        hostId: config.hostId,
        connectionClass: this.connectionClass,
      };
      socket.write(encodeMessage({ id: 0, verb: Verb.HANDSHAKE_REQ, senderHostId: config.hostId, messagingVersion: config.messagingVersion, payload: request }));
      this.timer = config.clock.setTimer(config.handshakeTimeoutMs, () => {
        this.timer = undefined;
        if (this.socket === socket && this.state === 'handshaking') socket.destroy(new Error(`no handshake response within ${config.handshakeTimeoutMs} ms`));
      });
    });
    socket.on('data', (chunk: Buffer) => this.onData(socket, chunk));
    socket.on('drain', () => {
      if (this.socket === socket) this.drain();
    });
    socket.on('error', (e) => {
      if (this.socket === socket) config.logger.debug({ peer: this.peer, connectionClass: ConnectionClass[this.connectionClass], err: e.message }, 'internode connection error');
    });
    socket.on('close', () => this.onClose(socket));
  }

  private onData(socket: net.Socket, chunk: Buffer): void {
    if (this.socket !== socket) return;
    if (this.state !== 'handshaking' || this.decoder === undefined) {
      return this.abort(socket, new NetError('UNEXPECTED_DATA', `${chunk.length} bytes from ${this.peer} on a send-only connection`));
    }
    this.decoder.push(chunk);
    let env: AnyEnvelope;
    try {
      const body = this.decoder.next();
      if (body === undefined) return;
      env = decodeMessage(body);
    } catch (e) {
      return this.abort(socket, asNetError(e));
    }
    if (env.verb !== Verb.HANDSHAKE_RSP) return this.abort(socket, new NetError('HANDSHAKE_EXPECTED', `${Verb[env.verb]} instead of a handshake response`));
    if (this.decoder.bufferedBytes() > 0) return this.abort(socket, new NetError('UNEXPECTED_DATA', 'bytes after the handshake response'));
    this.onHandshakeResponse(socket, env.payload);
  }

  private onHandshakeResponse(socket: net.Socket, rsp: HandshakeResponse): void {
    const { config, stats } = this.ctx;
    this.timer?.cancel();
    this.timer = undefined;
    if (!rsp.accepted) {
      stats.handshakesRefused++;
      config.logger.warn(
        { peer: this.peer, reason: rsp.reason, peerCluster: rsp.clusterName, peerVersion: rsp.messagingVersion },
        'internode handshake refused by peer',
      );
      // The peer will not change its mind soon: what is queued for it cannot be delivered.
      this.dropQueue();
      this.failures = Math.max(this.failures, 31);
      socket.destroy();
      return;
    }
    if (rsp.messagingVersion < config.minMessagingVersion || rsp.messagingVersion > config.messagingVersion) {
      return this.abort(socket, new NetError('INCOMPATIBLE_VERSION', `peer chose messaging version ${rsp.messagingVersion}`));
    }
    this.agreedVersion = rsp.messagingVersion;
    this.state = 'ready';
    this.decoder = undefined;
    this.failures = 0;
    this.nextAttemptAtMs = 0;
    this.established++;
    this.drain();
  }

  /** Writes queued messages until the socket holds writeHighWaterBytes; 'drain' resumes. */
  private drain(): void {
    const socket = this.socket;
    if (this.state !== 'ready' || socket === undefined) return;
    const { config, stats } = this.ctx;
    const nowMs = config.clock.monotonicMs();
    let corked = false;
    // Bounded by the queue's length: each pass removes one message.
    while (this.count() > 0 && socket.writableLength < config.writeHighWaterBytes) {
      const m = this.shift();
      if (m.expiresAtMs <= nowMs) {
        stats.droppedExpired++;
        continue;
      }
      if (!corked) {
        socket.cork();
        corked = true;
      }
      socket.write(encodeFrame(encodeEnvelopeBytes(m.id, m.verb, config.hostId, this.agreedVersion, m.payload)));
      stats.sent++;
      this.sent++;
    }
    if (corked) socket.uncork();
  }

  private onClose(socket: net.Socket): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.decoder = undefined;
    this.timer?.cancel();
    this.timer = undefined;
    if (this.state === 'closed') return;
    const config = this.ctx.config;
    // A connection that worked and broke is retried at once (the peer may have restarted); one that
    // never got through backs off exponentially.
    if (this.state === 'ready') this.failures = 0;
    else this.failures++;
    const delayMs = this.failures === 0 ? 0 : Math.min(config.reconnectMaxMs, config.reconnectBaseMs * 2 ** Math.min(this.failures - 1, 30));
    this.nextAttemptAtMs = config.clock.monotonicMs() + delayMs;
    if (this.count() > 0) this.backoff(delayMs);
    else this.state = 'idle';
  }

  private abort(socket: net.Socket, error: NetError): void {
    countClose(this.ctx.stats, error.code);
    this.ctx.config.logger.warn({ peer: this.peer, reason: error.code, err: error.message }, 'closing internode connection');
    socket.resetAndDestroy();
  }

  /** Writes what can still be written, then closes; what remains is dropped. */
  close(): void {
    if (this.state === 'closed') return;
    const wasReady = this.state === 'ready';
    if (wasReady) this.drain();
    this.state = 'closed';
    this.timer?.cancel();
    this.timer = undefined;
    this.dropQueue();
    const socket = this.socket;
    this.socket = undefined;
    if (socket === undefined) return;
    if (!wasReady) {
      socket.destroy();
      return;
    }
    socket.end(() => socket.destroy());
    this.ctx.config.clock.setTimer(CLOSE_GRACE_MS, () => socket.destroy());
  }

  private count(): number {
    return this.queue.length - this.head;
  }

  private shift(): Queued {
    const m = this.queue[this.head++];
    this.queuedBytes -= m.payload.length;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return m;
  }

  private pruneExpired(nowMs: number): void {
    const kept: Queued[] = [];
    for (let i = this.head; i < this.queue.length; i++) {
      const m = this.queue[i];
      if (m.expiresAtMs <= nowMs) {
        this.ctx.stats.droppedExpired++;
        this.queuedBytes -= m.payload.length;
      } else {
        kept.push(m);
      }
    }
    this.queue = kept;
    this.head = 0;
  }

  private dropQueue(): void {
    this.ctx.stats.droppedUnreachable += this.count();
    this.queue = [];
    this.head = 0;
    this.queuedBytes = 0;
  }
}

/** A connection a peer dialled: InboundProtocol's steps applied to a socket. */
class InboundConnection {
  private readonly protocol: InboundProtocol;
  private timer: Timer | undefined;
  private readonly remote: string;
  private closed = false;

  constructor(
    private readonly ctx: Context,
    private readonly socket: net.Socket,
  ) {
    const config = ctx.config;
    this.protocol = new InboundProtocol(config);
    this.remote = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => config.logger.debug({ remote: this.remote, peer: this.protocol.peerEndpoint(), err: e.message }, 'inbound internode connection error'));
    socket.on('close', () => {
      this.closed = true;
      this.timer?.cancel();
      ctx.inboundClosed(this);
    });
    this.timer = config.clock.setTimer(config.handshakeTimeoutMs, () => {
      this.timer = undefined;
      if (this.protocol.getPhase() === 'handshake' && !this.closed) {
        this.apply(this.protocol.abort(new NetError('HANDSHAKE_EXPECTED', `no handshake within ${config.handshakeTimeoutMs} ms`)));
      }
    });
  }

  /** The peer's listen endpoint, once it has shaken hands. */
  peerEndpoint(): Endpoint | undefined {
    return this.protocol.peerEndpoint();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    for (const step of this.protocol.push(chunk)) {
      this.apply(step);
      if (this.closed) return;
    }
  }

  private apply(step: InboundStep): void {
    const { config, stats } = this.ctx;
    switch (step.kind) {
      case 'message':
        this.ctx.deliver(step.envelope, this.protocol.peerEndpoint()!);
        return;
      case 'accepted':
        this.timer?.cancel();
        this.timer = undefined;
        this.socket.write(step.response);
        return;
      case 'refused': {
        this.closed = true;
        this.timer?.cancel();
        stats.handshakesRefused++;
        countClose(stats, step.error.code);
        config.logger.warn({ remote: this.remote, peer: step.peer, reason: step.error.code, err: step.error.message }, 'internode handshake refused');
        const socket = this.socket;
        socket.end(step.response, () => socket.destroy());
        config.clock.setTimer(CLOSE_GRACE_MS, () => socket.destroy());
        return;
      }
      case 'abort':
        this.closed = true;
        this.timer?.cancel();
        countClose(stats, step.error.code);
        config.logger.warn({ remote: this.remote, peer: this.protocol.peerEndpoint(), reason: step.error.code, err: step.error.message }, 'closing internode connection');
        // A reset, not a FIN: nothing more is owed to a peer sending garbage, and it leaves no TIME_WAIT.
        this.socket.resetAndDestroy();
        return;
    }
  }

  close(): void {
    this.closed = true;
    this.timer?.cancel();
    this.socket.destroy();
  }
}

export class TcpTransport implements Transport {
  private endpointValue: Endpoint;
  readonly hostId: string;
  private readonly config: Config;
  private readonly server: net.Server;
  private readonly host: string;
  private readonly handlers = new Map<Verb, Handler<Verb>>();
  private readonly counters: TransportStats = emptyStats();
  /** inboundRefused when a connection was last accepted: the next refusal starts a new run, and is logged. */
  private refusedLogged = 0;
  private readonly requests: RequestTracker;
  private readonly outbound = new Map<string, OutboundConnection>();
  private readonly inbound = new Set<InboundConnection>();
  private readonly ctx: Context;
  private nextId = 1;
  private open = true;

  /** Listens on options.endpoint and returns the transport; rejects if the address cannot be bound. */
  static async listen(options: TcpTransportOptions): Promise<TcpTransport> {
    const i = options.endpoint.lastIndexOf(':');
    const port = Number(options.endpoint.slice(i + 1));
    if (i <= 0 || !Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad listen endpoint "${options.endpoint}"`);
    const t = new TcpTransport(options);
    await t.bind(options.endpoint.slice(0, i), port);
    return t;
  }

  private constructor(options: TcpTransportOptions) {
    this.endpointValue = options.endpoint;
    this.hostId = options.hostId;
    this.host = options.endpoint.slice(0, options.endpoint.lastIndexOf(':'));
    this.config = {
      clusterName: options.clusterName,
      hostId: options.hostId,
      clock: options.clock,
      logger: options.logger ?? silentLogger(),
      maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
      maxQueuedMessages: options.maxQueuedMessages ?? 4096,
      maxQueuedBytes: options.maxQueuedBytes ?? 64 * 1024 * 1024,
      writeHighWaterBytes: options.writeHighWaterBytes ?? 1024 * 1024,
      connectTimeoutMs: options.connectTimeoutMs ?? 2000,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? 5000,
      reconnectBaseMs: options.reconnectBaseMs ?? 100,
      reconnectMaxMs: options.reconnectMaxMs ?? 2000,
      messagingVersion: options.messagingVersion ?? MESSAGING_VERSION,
      minMessagingVersion: options.minMessagingVersion ?? MIN_MESSAGING_VERSION,
      maxInboundConnections: options.maxInboundConnections ?? 1024,
    };
    this.requests = new RequestTracker(options.clock, this.counters);
    const wildcard = this.host === '0.0.0.0' || this.host === '::' || this.host === '';
    this.ctx = {
      config: this.config,
      stats: this.counters,
      endpoint: () => this.endpointValue,
      localAddress: () => (wildcard ? undefined : this.host),
      deliver: (env, from) => this.deliver(env, from),
      inboundClosed: (c) => this.inbound.delete(c),
    };
    this.server = net.createServer((socket) => {
      if (!this.open) {
        socket.destroy();
        return;
      }
      if (this.inbound.size >= this.config.maxInboundConnections) {
        // Logged on the first refusal of a run of them, not per connection: a flood would flood the log.
        if (this.counters.inboundRefused++ === this.refusedLogged) {
          this.config.logger.warn({ endpoint: this.endpointValue, remote: `${socket.remoteAddress}:${socket.remotePort}`, max: this.config.maxInboundConnections }, 'inbound internode connection refused: too many open');
        }
        socket.destroy();
        return;
      }
      this.refusedLogged = this.counters.inboundRefused;
      this.inbound.add(new InboundConnection(this.ctx, socket));
    });
    this.server.on('error', (e) => this.config.logger.error({ endpoint: this.endpointValue, err: e.message }, 'internode listener error'));
  }

  private bind(host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error): void => reject(e);
      this.server.once('error', onError);
      this.server.listen({ host, port, exclusive: true }, () => {
        this.server.off('error', onError);
        const address = this.server.address();
        if (address !== null && typeof address === 'object') this.endpointValue = formatEndpoint(host, address.port);
        resolve();
      });
    });
  }

  get endpoint(): Endpoint {
    return this.endpointValue;
  }

  handle<V extends Verb>(verb: V, handler: Handler<V>): void {
    this.handlers.set(verb, handler as unknown as Handler<Verb>);
  }

  send<V extends Verb>(to: Endpoint, verb: V, payload: PayloadOf[V], options?: SendOptions): void {
    this.enqueue(to, this.allocateId(), verb, payload, options);
  }

  request<V extends Verb>(to: Endpoint, verb: V, payload: PayloadOf[V], timeoutMs: number): Promise<AnyInbound> {
    if (!this.open) {
      this.counters.droppedUnreachable++;
      return Promise.reject(new NetError('CLOSED', `transport ${this.endpointValue} closed`));
    }
    const id = this.allocateId();
    const response = this.requests.expect(id, to, timeoutMs);
    if (this.enqueue(to, id, verb, payload, undefined) === 'queue-full') {
      this.requests.fail(id, new NetError('QUEUE_FULL', `queue towards ${to} is full`));
    }
    return response;
  }

  respond<V extends Verb>(request: InboundMessage, verb: V, payload: PayloadOf[V]): void {
    this.enqueue(request.from, request.id, verb, payload, undefined);
  }

  stats(): TransportStats {
    return this.counters;
  }

  /** Outbound connections, for tests and the admin API. */
  connections(): OutboundInfo[] {
    return [...this.outbound.values()].map((c) => c.info());
  }

  /** Inbound connections open now (handshaking or open). */
  inboundCount(): number {
    return this.inbound.size;
  }

  /** Listen endpoints of peers with an open inbound connection to us. */
  inboundPeers(): Endpoint[] {
    const out = new Set<Endpoint>();
    for (const c of this.inbound) {
      const p = c.peerEndpoint();
      if (p !== undefined) out.add(p);
    }
    return [...out].sort();
  }

  async close(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    for (const c of this.outbound.values()) c.close();
    for (const c of this.inbound) c.close();
    this.inbound.clear();
    this.requests.failAll(new NetError('CLOSED', `transport ${this.endpointValue} closed`));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private enqueue(to: Endpoint, id: number, verb: Verb, payload: unknown, options: SendOptions | undefined): 'queued' | 'queue-full' | 'unreachable' {
    checkSendable(verb);
    if (!this.open) {
      this.counters.droppedUnreachable++;
      return 'unreachable';
    }
    const spec = verbSpec(verb)!;
    const bytes = encodePayload(verb, payload as never);
    const cls = options?.connectionClass ?? (bytes.length > LARGE_MESSAGE_BYTES ? ConnectionClass.LARGE : spec.connectionClass);
    const conn = this.connection(to, cls);
    if (conn === undefined) {
      this.counters.droppedUnreachable++;
      return 'unreachable';
    }
    return conn.enqueue(id, verb, bytes, options?.expiryMs ?? spec.expiryMs) ? 'queued' : 'queue-full';
  }

  private connection(to: Endpoint, cls: ConnectionClass): OutboundConnection | undefined {
    const key = `${cls}|${to}`;
    let conn = this.outbound.get(key);
    if (conn === undefined) {
      let parsed: { host: string; port: number };
      try {
        parsed = parseEndpoint(to);
      } catch {
        this.config.logger.debug({ to }, 'not sending to a malformed endpoint');
        return undefined;
      }
      if (net.isIP(parsed.host) === 0) {
        // No name resolution in the message path: endpoints are addresses (gossip carries them).
        this.config.logger.debug({ to }, 'not sending to an endpoint that is not an IP address');
        return undefined;
      }
      conn = new OutboundConnection(this.ctx, to, parsed.host, parsed.port, cls);
      this.outbound.set(key, conn);
    }
    return conn;
  }

  private deliver(env: AnyEnvelope, from: Endpoint): void {
    if (!this.open) return;
    this.counters.received++;
    const message = { ...env, from } as AnyInbound;
    if (verbSpec(message.verb)?.responseOf !== undefined) {
      if (!this.requests.complete(message)) this.counters.droppedUnhandled++;
      return;
    }
    const handler = this.handlers.get(message.verb);
    if (handler === undefined) {
      this.counters.droppedUnhandled++;
      return;
    }
    try {
      handler(message as InboundMessage<Verb>);
    } catch (e) {
      this.counters.handlerErrors++;
      this.config.logger.error({ from, verb: Verb[message.verb], err: describeError(e) }, 'internode handler failed');
    }
  }

  private allocateId(): number {
    const id = this.nextId;
    this.nextId = this.nextId === 0xffffffff ? 1 : this.nextId + 1;
    return id;
  }
}


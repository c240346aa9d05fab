/**
 * The native protocol TCP listener: one Connection per socket, schema-change events from the
 * handler pushed to the connections that registered for them, and node events (topology, status)
 * pushed through broadcastEvent. The only file of src/server that touches sockets; timers come
 * from the Clock seam.
 */
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import type { CqlHandler } from '../query/index.js';
import { RealClock, silentLogger } from '../seams/index.js';
import type { Clock, Logger, Timer } from '../seams/index.js';
import { Connection } from './connection.js';
import type { Wire } from './connection.js';
import { writeEvent } from './events.js';
import type { ServerEvent } from './events.js';
import { EVENT_STREAM, Opcode, RESPONSE_VERSION_BYTE } from './frame.js';
import { FrameWriter } from './writer.js';

export interface NativeServerOptions {
  readonly handler: CqlHandler;
  /** Address to bind (the node's rpc/listen address). Default 127.0.0.1. */
  readonly host?: string;
  /** Port to bind; 0 picks a free one (read it back from `port`). Default 9042. */
  readonly port?: number;
  readonly logger?: Logger;
  /** Timers for close and linger deadlines. Default RealClock. */
  readonly clock?: Clock;
  /** Largest frame (header + body) accepted; a larger declared length is answered and the connection closed. Default 16 MiB. */
  readonly maxFrameBytes?: number;
  /** Requests one connection may have running before the server stops reading from it. Default 2048. */
  readonly maxInFlightPerConnection?: number;
  /** Bytes queued to a client that does not read before it is disconnected. Default 64 MiB. */
  readonly maxPendingWriteBytes?: number;
  /** How long close() lets requests in flight finish before cutting connections. Default 5000 ms. */
  readonly closeTimeoutMs?: number;
  /** After the server ends a connection, how long it waits for the client to close before destroying it. Default 2000 ms. */
  readonly lingerMs?: number;
}

export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

type State = 'new' | 'starting' | 'listening' | 'closing' | 'closed';

export class NativeServer {
  private readonly handler: CqlHandler;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly hostOption: string;
  private readonly portOption: number;
  private readonly maxFrameBytes: number;
  private readonly maxInFlight: number;
  private readonly maxPendingWriteBytes: number;
  private readonly closeTimeoutMs: number;
  private readonly lingerMs: number;
  private readonly connections = new Set<Connection>();
  private readonly server: Server;
  private state: State = 'new';
  private unsubscribeSchema: (() => void) | null = null;
  private closing: Promise<void> | null = null;
  private nextConnectionId = 1;
  private onLastConnectionClosed: (() => void) | null = null;

  constructor(options: NativeServerOptions) {
    this.handler = options.handler;
    this.log = options.logger ?? silentLogger();
    this.clock = options.clock ?? new RealClock();
    this.hostOption = options.host ?? '127.0.0.1';
    this.portOption = options.port ?? 9042;
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.maxInFlight = options.maxInFlightPerConnection ?? 2048;
    this.maxPendingWriteBytes = options.maxPendingWriteBytes ?? 64 * 1024 * 1024;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 5000;
    this.lingerMs = options.lingerMs ?? 2000;
    if (!(this.maxInFlight >= 1)) throw new RangeError(`maxInFlightPerConnection must be >= 1, got ${this.maxInFlight}`);
    if (!(this.maxFrameBytes >= 9)) throw new RangeError(`maxFrameBytes must be >= 9, got ${this.maxFrameBytes}`);
    this.server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.accept(socket));
    this.server.on('error', (err) => this.log.error({ err }, 'native protocol listener error'));
  }

  /** Binds and starts accepting connections. */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`NativeServer.start: already ${this.state}`);
    this.state = 'starting';
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => {
        this.state = 'closed';
        reject(err);
      };
      this.server.once('error', onError);
      this.server.listen(this.portOption, this.hostOption, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    this.state = 'listening';
    this.unsubscribeSchema = this.handler.onSchemaChange((change) => {
      try {
        this.broadcastEvent({ type: 'SCHEMA_CHANGE', change });
      } catch (err) {
        this.log.error({ err, change }, 'could not send a schema change event');
      }
    });
    this.log.info({ host: this.host, port: this.port }, 'native protocol server listening');
  }

  /** The bound port (the real one when started with port 0). */
  get port(): number {
    const a = this.server.address() as AddressInfo | null;
    if (a === null) throw new Error('NativeServer.port: not listening');
    return a.port;
  }

  get host(): string {
    const a = this.server.address() as AddressInfo | null;
    return a === null ? this.hostOption : a.address;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /**
   * Pushes an EVENT (stream -1) to every connection that REGISTERed for its type; returns how
   * many connections it was queued to. Throws a TypeError on a malformed event.
   */
  broadcastEvent(event: ServerEvent): number {
    const w = new FrameWriter(256);
    w.begin(RESPONSE_VERSION_BYTE, EVENT_STREAM, Opcode.EVENT);
    writeEvent(w, event);
    w.end();
    const frame = w.take()!;
    let sent = 0;
    for (const c of this.connections) {
      if (c.isStarted && c.isRegistered(event.type)) {
        c.sendEventFrame(frame);
        sent++;
      }
    }
    return sent;
  }

  /**
   * Stops accepting, lets each connection answer its requests in flight (up to closeTimeoutMs),
   * ends every connection, and resolves when all are closed. Idempotent.
   */
  close(): Promise<void> {
    if (this.closing !== null) return this.closing;
    this.closing = this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    const wasListening = this.state === 'listening';
    this.state = 'closing';
    this.unsubscribeSchema?.();
    this.unsubscribeSchema = null;
    if (wasListening) {
      const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      for (const c of this.connections) c.close();
      const deadline = this.clock.setTimer(this.closeTimeoutMs, () => {
        for (const c of this.connections) c.destroy();
      });
      const drained = new Promise<void>((resolve) => {
        if (this.connections.size === 0) resolve();
        else this.onLastConnectionClosed = resolve;
      });
      await Promise.all([closed, drained]);
      deadline.cancel();
    }
    this.state = 'closed';
    this.log.info('native protocol server closed');
  }

  private accept(socket: Socket): void {
    if (this.state !== 'listening') {
      socket.destroy();
      return;
    }
    const id = this.nextConnectionId++;
    const log = this.log.child({ conn: id, remote: `${socket.remoteAddress}:${socket.remotePort}` });
    const wire = new SocketWire(socket, this.clock, this.lingerMs);
    const conn = new Connection(wire, {
      handler: this.handler,
      logger: log,
      maxFrameBytes: this.maxFrameBytes,
      maxInFlight: this.maxInFlight,
      maxPendingWriteBytes: this.maxPendingWriteBytes,
    });
    this.connections.add(conn);
    socket.on('data', (chunk: Buffer) => conn.receive(chunk));
    socket.on('drain', () => conn.drained());
    socket.on('end', () => conn.endOfInput());
    socket.on('error', (err) => log.debug({ err }, 'connection error'));
    socket.on('close', () => {
      wire.closed();
      conn.transportClosed();
      this.connections.delete(conn);
      log.debug('connection closed');
      if (this.connections.size === 0) this.onLastConnectionClosed?.();
    });
    log.debug('connection accepted');
  }
}

/** A socket as a Connection's Wire; bounds the wait for the client after the server ends. */
class SocketWire implements Wire {
  private linger: Timer | null = null;

  constructor(
    private readonly socket: Socket,
    private readonly clock: Clock,
    private readonly lingerMs: number,
  ) {}

  write(chunk: Buffer): boolean {
    return this.socket.write(chunk);
  }

  get writableLength(): number {
    return this.socket.writableLength;
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  end(): void {
    this.socket.end();
    if (this.linger === null) this.linger = this.clock.setTimer(this.lingerMs, () => this.socket.destroy());
  }

  destroy(): void {
    this.socket.destroy();
  }

  closed(): void {
    this.linger?.cancel();
    this.linger = null;
  }
}

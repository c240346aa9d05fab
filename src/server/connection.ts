/**
 * One client connection: frames in, CqlHandler calls, responses out. Independent of TCP: the
 * transport (server.ts) feeds it bytes and implements `Wire`, so tests can drive it directly.
 *
 * States: open -> draining -> closed. Open takes frames; draining (after close(), a fatal frame
 * error, or the client's end of stream) takes no more frames, lets the requests in flight finish
 * and answer, then ends the wire.
 *
 * Invariants:
 * - Every request frame gets exactly one response frame on its stream (RESULT, READY, SUPPORTED
 *   or ERROR), except after a fatal header error, which is answered once and ends the connection.
 * - Requests run concurrently; each response is written when its handler settles, in any order.
 * - Bounded memory per connection: frames are taken only while fewer than `maxInFlight` requests
 *   are running and the socket is not above its high-water mark; otherwise reading pauses (TCP
 *   pushes back on the client). A client that reads nothing while events pile up past
 *   `maxPendingWriteBytes` is disconnected.
 * - Responses completed in one tick leave in one socket write (flushed on process.nextTick).
 * - Nothing a client sends can throw out of `receive`: bad bodies are PROTOCOL_ERRORs on their
 *   stream; handler exceptions become ERRORs (non-CqlError ones SERVER_ERROR, logged).
 */
import { ErrorCode, protocolError } from '../cql-lite/index.js';
import type { CqlHandler, QueryOptions, ResultMessage, Session } from '../query/index.js';
import type { Logger } from '../seams/index.js';
import { describeError, writeError } from './errors.js';
import { FrameDecoder, FrameError } from './frame-decoder.js';
import { FrameFlag, Opcode, opcodeName, REQUEST_VERSION_BYTE, RESPONSE_VERSION_BYTE } from './frame.js';
import type { Frame } from './frame.js';
import { checkStartupOptions, fatalErrorFrame, SUPPORTED_OPTIONS } from './handshake.js';
import { BodyReader } from './reader.js';
import { decodeBatch, decodeExecute, decodePrepare, decodeQuery, decodeRegister, decodeStartup, skipCustomPayload } from './requests.js';
import type { BatchRequest, EventType } from './requests.js';
import { writePrepared, writeResult } from './results.js';
import { FrameWriter } from './writer.js';

/** What a connection needs from its transport. */
export interface Wire {
  /** Queues bytes; false when the transport's buffer is above its high-water mark (wait for drained()). */
  write(chunk: Buffer): boolean;
  /** Bytes queued and not yet sent. */
  readonly writableLength: number;
  pause(): void;
  resume(): void;
  /** Sends what is queued, then closes (the transport bounds how long it waits for the peer). */
  end(): void;
  /** Closes at once. */
  destroy(): void;
}

export interface ConnectionOptions {
  readonly handler: CqlHandler;
  readonly logger: Logger;
  readonly maxFrameBytes: number;
  readonly maxInFlight: number;
  readonly maxPendingWriteBytes: number;
}

const EVENT_BITS: Readonly<Record<EventType, number>> = { TOPOLOGY_CHANGE: 1, STATUS_CHANGE: 2, SCHEMA_CHANGE: 4 };

export class Connection {
  readonly session: Session = { keyspace: null };
  private readonly decoder: FrameDecoder;
  private readonly out = new FrameWriter();
  private readonly handler: CqlHandler;
  private readonly log: Logger;
  private started = false;
  private registeredEvents = 0;
  private inFlightCount = 0;
  private readPaused = false;
  private writeBlocked = false;
  private peerEnded = false;
  private flushQueued = false;
  private draining = false;
  private ended = false;
  private closed = false;
  private readonly flushNow = (): void => this.flush();

  constructor(
    private readonly wire: Wire,
    private readonly opts: ConnectionOptions,
  ) {
    this.handler = opts.handler;
    this.log = opts.logger;
    this.decoder = new FrameDecoder(opts.maxFrameBytes);
  }

  /** Requests whose handler has not settled yet. */
  get inFlight(): number {
    return this.inFlightCount;
  }

  /** True once STARTUP succeeded. */
  get isStarted(): boolean {
    return this.started;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  isRegistered(type: EventType): boolean {
    return (this.registeredEvents & EVENT_BITS[type]) !== 0;
  }

  // --- inputs from the transport ------------------------------------------------------------

  receive(chunk: Buffer): void {
    if (this.draining || this.closed) return;
    this.decoder.push(chunk);
    this.pump();
  }

  /** The transport's buffer went below its high-water mark. */
  drained(): void {
    this.writeBlocked = false;
    this.pump();
  }

  /** The client closed its side: answer what was received, then close. */
  endOfInput(): void {
    this.peerEnded = true;
    this.pump();
  }

  /** The transport is gone; nothing more is written. */
  transportClosed(): void {
    this.closed = true;
    this.draining = true;
  }

  // --- control from the server --------------------------------------------------------------

  /** Stops taking requests, answers those in flight, then ends the connection. */
  close(): void {
    if (this.closed) return;
    this.startDraining();
  }

  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    this.draining = true;
    this.wire.destroy();
  }

  /** Queues a pre-encoded EVENT frame. */
  sendEventFrame(frame: Buffer): void {
    if (this.draining || this.closed) return;
    this.out.raw(frame);
    this.scheduleFlush();
  }

  // --- frames -------------------------------------------------------------------------------

  private pump(): void {
    let exhausted = false;
    while (!this.draining && this.inFlightCount < this.opts.maxInFlight && !this.writeBlocked) {
      const next = this.decoder.next();
      if (next === null) {
        exhausted = true;
        break;
      }
      if (next instanceof FrameError) {
        this.fatal(next);
        break;
      }
      this.onFrame(next);
    }
    // The client has ended and every whole frame is taken (a partial one can never complete).
    if (exhausted && this.peerEnded) this.startDraining();
    this.updateReading();
  }

  /**
   * Reads while frames may be taken; pauses under backpressure. While draining it reads again,
   * discarding, so that the client's close is seen and unread bytes never turn our close into a
   * reset that could destroy the last responses in flight to the client.
   */
  private updateReading(): void {
    if (this.closed) return;
    const want = this.draining || (this.inFlightCount < this.opts.maxInFlight && !this.writeBlocked);
    if (want && this.readPaused) {
      this.readPaused = false;
      this.wire.resume();
    } else if (!want && !this.readPaused) {
      this.readPaused = true;
      this.wire.pause();
    }
  }

  private fatal(err: FrameError): void {
    this.log.debug({ stream: err.stream, reason: err.message }, 'fatal frame error; closing the connection');
    this.out.raw(fatalErrorFrame(err.replyVersion, err.stream, err.message));
    this.scheduleFlush();
    this.startDraining();
  }

  private onFrame(f: Frame): void {
    try {
      if (f.version !== REQUEST_VERSION_BYTE) throw protocolError('Wrong protocol direction (expected REQUEST, got RESPONSE)');
      if (f.flags & FrameFlag.COMPRESSION) throw protocolError('Compressed frame received, but no compression was negotiated at STARTUP');
      const r = new BodyReader(f.body);
      switch (f.opcode) {
        case Opcode.OPTIONS:
          this.sendSupported(f.stream);
          return;
        case Opcode.STARTUP:
          this.startup(f.stream, r);
          return;
        case Opcode.AUTH_RESPONSE:
          this.requireStarted(f.opcode);
          throw protocolError('Unexpected message AUTH_RESPONSE: this server requires no authentication');
        case Opcode.REGISTER:
          this.requireStarted(f.opcode);
          for (const type of decodeRegister(r)) this.registeredEvents |= EVENT_BITS[type];
          this.sendEmpty(f.stream, Opcode.READY);
          return;
        case Opcode.QUERY: {
          this.requireStarted(f.opcode);
          if (f.flags & FrameFlag.CUSTOM_PAYLOAD) skipCustomPayload(r);
          const q = decodeQuery(r);
          void this.runQuery(f.stream, q.text, q.options);
          return;
        }
        case Opcode.PREPARE: {
          this.requireStarted(f.opcode);
          if (f.flags & FrameFlag.CUSTOM_PAYLOAD) skipCustomPayload(r);
          void this.runPrepare(f.stream, decodePrepare(r));
          return;
        }
        case Opcode.EXECUTE: {
          this.requireStarted(f.opcode);
          if (f.flags & FrameFlag.CUSTOM_PAYLOAD) skipCustomPayload(r);
          const e = decodeExecute(r);
          void this.runExecute(f.stream, e.id, e.options);
          return;
        }
        case Opcode.BATCH: {
          this.requireStarted(f.opcode);
          if (f.flags & FrameFlag.CUSTOM_PAYLOAD) skipCustomPayload(r);
          void this.runBatch(f.stream, decodeBatch(r));
          return;
        }
        case Opcode.ERROR:
        case Opcode.READY:
        case Opcode.AUTHENTICATE:
        case Opcode.SUPPORTED:
        case Opcode.RESULT:
        case Opcode.EVENT:
        case Opcode.AUTH_CHALLENGE:
        case Opcode.AUTH_SUCCESS:
          throw protocolError(`Wrong protocol direction (expected REQUEST, got RESPONSE) for opcode ${f.opcode} (${opcodeName(f.opcode)})`);
        default:
          throw protocolError(`Unknown opcode ${f.opcode}`);
      }
    } catch (err) {
      this.sendError(f.stream, err, f.opcode);
    }
  }

  private requireStarted(opcode: number): void {
    if (!this.started) throw protocolError(`Unexpected message ${opcodeName(opcode)}, expecting STARTUP or OPTIONS`);
  }

  private startup(stream: number, r: BodyReader): void {
    if (this.started) throw protocolError('Unexpected message STARTUP, the connection is already initialized');
    checkStartupOptions(decodeStartup(r));
    this.started = true;
    this.sendEmpty(stream, Opcode.READY);
  }

  // --- requests that reach the handler ------------------------------------------------------

  private async runQuery(stream: number, text: string, options: QueryOptions): Promise<void> {
    this.inFlightCount++;
    try {
      this.sendResult(stream, await this.handler.query(text, options, this.session), options.skipMetadata);
    } catch (err) {
      this.sendError(stream, err, Opcode.QUERY);
    } finally {
      this.requestDone();
    }
  }

  private async runPrepare(stream: number, text: string): Promise<void> {
    this.inFlightCount++;
    try {
      const prepared = await this.handler.prepare(text, this.session);
      if (this.closed) return;
      const w = this.out;
      w.begin(RESPONSE_VERSION_BYTE, stream, Opcode.RESULT);
      try {
        writePrepared(w, prepared);
        w.end();
      } catch (err) {
        w.abort();
        throw err;
      }
      this.scheduleFlush();
    } catch (err) {
      this.sendError(stream, err, Opcode.PREPARE);
    } finally {
      this.requestDone();
    }
  }

  private async runExecute(stream: number, id: Buffer, options: QueryOptions): Promise<void> {
    this.inFlightCount++;
    try {
      this.sendResult(stream, await this.handler.execute(id, options, this.session), options.skipMetadata);
    } catch (err) {
      this.sendError(stream, err, Opcode.EXECUTE);
    } finally {
      this.requestDone();
    }
  }

  private async runBatch(stream: number, b: BatchRequest): Promise<void> {
    this.inFlightCount++;
    try {
      this.sendResult(stream, await this.handler.batch(b.type, b.entries, b.options, this.session), false);
    } catch (err) {
      this.sendError(stream, err, Opcode.BATCH);
    } finally {
      this.requestDone();
    }
  }

  private requestDone(): void {
    const wasFull = this.inFlightCount >= this.opts.maxInFlight;
    this.inFlightCount--;
    if (this.draining) this.finishIfIdle();
    else if (wasFull || this.peerEnded) this.pump();
  }

  // --- responses ----------------------------------------------------------------------------

  /** Throws (for the caller's catch) when the result cannot be encoded; nothing of it is sent. */
  private sendResult(stream: number, result: ResultMessage, skipMetadata: boolean): void {
    if (this.closed) return;
    const w = this.out;
    w.begin(RESPONSE_VERSION_BYTE, stream, Opcode.RESULT);
    try {
      writeResult(w, result, skipMetadata);
      w.end();
    } catch (err) {
      w.abort();
      throw err;
    }
    // USE: the processor sets the session's keyspace; keep it in step if it only returned the result.
    if (result.kind === 'setKeyspace') this.session.keyspace = result.keyspace;
    this.scheduleFlush();
  }

  private sendError(stream: number, err: unknown, opcode: number): void {
    if (this.closed) return;
    const d = describeError(err);
    if (d.code === ErrorCode.SERVER_ERROR || d.unexpected) {
      this.log.error({ err, stream, opcode: opcodeName(opcode) }, 'request failed with an unexpected error');
    }
    const w = this.out;
    w.begin(RESPONSE_VERSION_BYTE, stream, Opcode.ERROR);
    try {
      writeError(w, err);
      w.end();
    } catch (encodeErr) {
      w.abort();
      this.log.error({ err: encodeErr, stream }, 'could not encode an error response');
      w.begin(RESPONSE_VERSION_BYTE, stream, Opcode.ERROR);
      w.int(ErrorCode.SERVER_ERROR);
      w.string('Internal error while encoding the error response');
      w.end();
    }
    this.scheduleFlush();
  }

  private sendSupported(stream: number): void {
    const w = this.out;
    w.begin(RESPONSE_VERSION_BYTE, stream, Opcode.SUPPORTED);
    w.stringMultimap(SUPPORTED_OPTIONS);
    w.end();
    this.scheduleFlush();
  }

  private sendEmpty(stream: number, opcode: number): void {
    const w = this.out;
    w.begin(RESPONSE_VERSION_BYTE, stream, opcode);
    w.end();
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    process.nextTick(this.flushNow);
  }

  private flush(): void {
    this.flushQueued = false;
    if (this.closed) return;
    const bytes = this.out.take();
    if (bytes !== null) {
      if (!this.wire.write(bytes)) this.writeBlocked = true;
      if (this.wire.writableLength > this.opts.maxPendingWriteBytes) {
        this.log.warn({ pendingBytes: this.wire.writableLength }, 'client is not reading its responses; disconnecting');
        this.destroy();
        return;
      }
      if (this.writeBlocked) this.updateReading();
    }
    if (this.draining) this.finishIfIdle();
  }

  private startDraining(): void {
    if (this.draining) return;
    this.draining = true;
    this.updateReading();
    this.finishIfIdle();
  }

  /** Ends the wire once nothing is in flight and every response has been handed to it. */
  private finishIfIdle(): void {
    if (this.closed || this.ended || this.inFlightCount > 0) return;
    if (this.out.pendingBytes > 0 || this.flushQueued) {
      this.scheduleFlush();
      return;
    }
    this.ended = true;
    this.wire.end();
  }
}

// A small QMP client of our own: greeting -> qmp_capabilities -> commands (one id each), and
// asynchronous events delivered to listeners. Newline-delimited JSON over a unix socket.
import { createConnection, type Socket } from 'node:net';
import { HostError } from '../../errors.js';
import { monoNs, type Nanoseconds } from '../../units.js';

export interface QmpGreeting {
  version: { qemu: { major: number; minor: number; micro: number }; package?: string };
  capabilities: string[];
}

export interface QmpEvent {
  event: string;
  data?: Record<string, unknown>;
  timestamp?: { seconds: number; microseconds: number };
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; command: string };

export class QmpClient {
  private buf = '';
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();
  private readonly listeners = new Set<(e: QmpEvent) => void>();
  private closedError: Error | null = null;
  /** Host monotonic time the greeting arrived. */
  greetingAtNs: Nanoseconds = 0;

  private constructor(
    private readonly socket: Socket,
    readonly greeting: QmpGreeting,
  ) {}

  /** Connects, waits for the greeting, negotiates capabilities. */
  static async connect(path: string, timeoutMs = 5000): Promise<QmpClient> {
    const socket = await connectSocket(path, timeoutMs);
    const greeting = await new Promise<{ g: QmpGreeting; rest: string; atNs: number }>((resolve, reject) => {
      let data = '';
      const onData = (chunk: Buffer) => {
        data += chunk.toString('utf8');
        const nl = data.indexOf('\n');
        if (nl < 0) return;
        socket.off('data', onData);
        try {
          const msg = JSON.parse(data.slice(0, nl)) as { QMP?: QmpGreeting };
          if (!msg.QMP) throw new Error(`expected a QMP greeting, got ${data.slice(0, nl)}`);
          resolve({ g: msg.QMP, rest: data.slice(nl + 1), atNs: monoNs() });
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      };
      socket.on('data', onData);
      socket.once('error', (err) =>
        reject(new HostError(`QMP socket ${path}: ${err.message}`, { cause: err })),
      );
      socket.once('close', () => reject(new HostError(`QMP socket ${path} closed before the greeting`)));
    }).catch((err: unknown) => {
      socket.destroy();
      throw err;
    });
    const client = new QmpClient(socket, greeting.g);
    client.greetingAtNs = greeting.atNs;
    client.attach(greeting.rest);
    try {
      await client.execute('qmp_capabilities', undefined, timeoutMs);
    } catch (err) {
      client.close();
      throw err;
    }
    return client;
  }

  private attach(initial: string): void {
    this.socket.on('data', (chunk: Buffer) => this.feed(chunk.toString('utf8')));
    this.socket.on('close', () => this.fail(new HostError('QMP connection closed')));
    this.socket.on('error', (err) => this.fail(err));
    if (initial) this.feed(initial);
  }

  private feed(text: string): void {
    this.buf += text;
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl).trim();
      this.buf = this.buf.slice(nl + 1);
      if (line) this.dispatch(line);
    }
  }

  private dispatch(line: string): void {
    let msg: { id?: string; return?: unknown; error?: { class: string; desc: string }; event?: string };
    try {
      msg = JSON.parse(line) as typeof msg;
    } catch {
      return; // not JSON: ignore rather than kill the session
    }
    if (msg.event !== undefined) {
      for (const l of this.listeners) l(msg as QmpEvent);
      return;
    }
    const p = msg.id === undefined ? undefined : this.pending.get(msg.id);
    if (!p || msg.id === undefined) return;
    this.pending.delete(msg.id);
    if (msg.error) p.reject(new HostError(`QMP ${p.command}: ${msg.error.class}: ${msg.error.desc}`));
    else p.resolve(msg.return);
  }

  private fail(err: Error): void {
    if (this.closedError) return;
    this.closedError = err;
    for (const p of this.pending.values()) p.reject(new HostError(`QMP ${p.command}: ${err.message}`));
    this.pending.clear();
  }

  /** Runs a command; resolves with its `return` value, rejects with its error class and text. */
  execute<T = unknown>(command: string, args?: Record<string, unknown>, timeoutMs = 5000): Promise<T> {
    if (this.closedError) return Promise.reject(new HostError(`QMP ${command}: ${this.closedError.message}`));
    const id = `ctvm-${this.nextId++}`;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new HostError(`QMP ${command}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref();
      const done = (fn: () => void) => {
        clearTimeout(timer);
        fn();
      };
      this.pending.set(id, {
        command,
        resolve: (v) => done(() => resolve(v as T)),
        reject: (e) => done(() => reject(e)),
      });
      this.socket.write(
        JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}), id }) + '\n',
      );
    });
  }

  queryStatus(): Promise<{ running: boolean; status: string }> {
    return this.execute('query-status');
  }

  /** Guest RAM as QEMU sees it: base-memory (bytes) and plugged-memory. */
  queryMemorySizeSummary(): Promise<{ 'base-memory': number; 'plugged-memory'?: number }> {
    return this.execute('query-memory-size-summary');
  }

  /** Asks qemu to exit; the connection closing is the expected answer. */
  async quit(timeoutMs = 2000): Promise<void> {
    try {
      await this.execute('quit', undefined, timeoutMs);
    } catch {
      /* qemu may close the socket before answering */
    }
  }

  onEvent(listener: (e: QmpEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with the first event named `name` (e.g. 'SHUTDOWN'). */
  waitEvent(name: string, timeoutMs = 5000): Promise<QmpEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new HostError(`QMP: no ${name} event within ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref();
      const off = this.onEvent((e) => {
        if (e.event !== name) return;
        clearTimeout(timer);
        off();
        resolve(e);
      });
    });
  }

  close(): void {
    this.fail(new HostError('QMP client closed'));
    this.socket.destroy();
  }
}

/** Connects to a unix socket, retrying while qemu has not created it yet. */
async function connectSocket(path: string, timeoutMs: number): Promise<Socket> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await new Promise<Socket>((resolve, reject) => {
        const s = createConnection(path);
        s.once('connect', () => {
          s.off('error', reject);
          resolve(s);
        });
        s.once('error', reject);
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ECONNREFUSED') || Date.now() > deadline)
        throw new HostError(`QMP connect ${path}: ${code ?? String(err)}`, { cause: err });
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

// Commands pipelined on one raw loopback socket, with at most `maxInflight` unanswered: fast
// enough for a million small writes, yet the server's query and reply buffers stay a few KiB,
// so the measurement does not add its own allocations to the pages it counts. Replies are
// counted with a RESP2 reader (redis-doc `topics/protocol.md`); errors are kept, not thrown.
import { connect, type Socket } from 'node:net';

const CRLF = Buffer.from('\r\n');

/** Arguments already in RESP form, for commands that share them (the members of every set). */
export interface EncodedArgs {
  count: number;
  text: string;
}

export function encodeArgs(args: readonly string[]): EncodedArgs {
  let text = '';
  for (const arg of args) text += `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`;
  return { count: args.length, text };
}

/** A command as RESP2 multi-bulk bytes: `args`, then the pre-encoded `tail`. */
export function encodeCommand(args: readonly string[], tail: EncodedArgs = { count: 0, text: '' }): Buffer {
  return Buffer.from(`*${args.length + tail.count}\r\n${encodeArgs(args).text}${tail.text}`);
}

/** End offset of the reply starting at `pos`, or -1 when `buf` does not hold all of it yet. */
function replyEnd(buf: Buffer, pos: number, errors: string[]): number {
  if (pos >= buf.length) return -1;
  const lineEnd = buf.indexOf(CRLF, pos + 1);
  if (lineEnd < 0) return -1;
  const type = String.fromCharCode(buf[pos]!);
  const next = lineEnd + 2;
  switch (type) {
    case '+':
    case ':':
      return next;
    case '-':
      errors.push(buf.toString('utf8', pos + 1, lineEnd));
      return next;
    case '$': {
      const length = Number(buf.toString('latin1', pos + 1, lineEnd));
      if (length < 0) return next;
      return next + length + 2 <= buf.length ? next + length + 2 : -1;
    }
    case '*': {
      const count = Number(buf.toString('latin1', pos + 1, lineEnd));
      let at = next;
      const nested: string[] = [];
      for (let i = 0; i < count; i++) {
        at = replyEnd(buf, at, nested);
        if (at < 0) return -1;
      }
      errors.push(...nested);
      return at;
    }
    default:
      throw new Error(`unexpected RESP type byte 0x${buf[pos]!.toString(16)} at offset ${pos}`);
  }
}

/** Counts complete top-level replies in a byte stream fed chunk by chunk. */
export class ReplyCounter {
  replies = 0;
  readonly errors: string[] = [];
  private pending: Buffer = Buffer.alloc(0);

  feed(chunk: Buffer): void {
    const buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let pos = 0;
    for (;;) {
      const found: string[] = [];
      const end = replyEnd(buf, pos, found);
      if (end < 0) break;
      this.errors.push(...found);
      this.replies++;
      pos = end;
    }
    this.pending = pos === buf.length ? Buffer.alloc(0) : buf.subarray(pos);
  }
}

export interface PipeResult {
  commands: number;
  errors: number;
  firstError: string | undefined;
  seconds: number;
}

export class RespPipe {
  private readonly counter = new ReplyCounter();
  private waiting: Array<() => void> = [];
  private failure: Error | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      try {
        this.counter.feed(chunk);
      } catch (err) {
        this.fail(err as Error);
      }
      this.wake();
    });
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  static connect(port: number): Promise<RespPipe> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: '127.0.0.1' });
      socket.setNoDelay(true);
      socket.once('connect', () => resolve(new RespPipe(socket)));
      socket.once('error', reject);
    });
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.wake();
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
  }

  private nextEvent(): Promise<void> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /**
   * Sends `count` commands, the i-th built by `command(i)`, and resolves once all are answered.
   * New commands go out in batches whenever half the window has been answered.
   */
  async run(count: number, command: (i: number) => Buffer, maxInflight = 512): Promise<PipeResult> {
    const started = performance.now();
    const repliesBefore = this.counter.replies;
    const errorsBefore = this.counter.errors.length;
    const answered = () => this.counter.replies - repliesBefore;
    let sent = 0;
    while (answered() < count) {
      if (this.failure) throw new Error(`pipe to redis failed after ${answered()} of ${count} replies: ${this.failure.message}`);
      const room = maxInflight - (sent - answered());
      if (sent < count && (room >= maxInflight / 2 || sent === answered())) {
        const n = Math.min(room, count - sent);
        const batch: Buffer[] = [];
        for (let i = 0; i < n; i++) batch.push(command(sent + i));
        this.socket.write(Buffer.concat(batch));
        sent += n;
      }
      await this.nextEvent();
    }
    const errors = this.counter.errors.slice(errorsBefore);
    return { commands: count, errors: errors.length, firstError: errors[0], seconds: (performance.now() - started) / 1000 };
  }

  close(): void {
    this.socket.destroy();
  }
}

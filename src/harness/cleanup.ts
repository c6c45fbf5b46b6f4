// Undo actions for what a validation run changes on the host — a redis-server it started,
// a BGSAVE child, a temp dir, the THP switch — run last-in first-out on every way out: the
// normal end, an error, SIGINT/SIGTERM/SIGHUP, and as a synchronous last resort at process exit.

interface Entry {
  label: string;
  run: () => Promise<void>;
  runSync: () => void;
  done: boolean;
}

export class CleanupStack {
  private readonly entries: Entry[] = [];

  /** `run` is the orderly undo; `runSync` the one that must work inside an 'exit' handler. */
  add(label: string, run: () => Promise<void>, runSync: () => void): void {
    this.entries.push({ label, run, runSync, done: false });
  }

  get pending(): number {
    return this.entries.filter((e) => !e.done).length;
  }

  /** Pending entries, newest first, each marked done as it is handed out. */
  private *takePending(): Generator<Entry> {
    for (const entry of [...this.entries].reverse()) {
      if (entry.done) continue;
      entry.done = true;
      yield entry;
    }
  }

  /** Runs every pending entry, newest first; a failure does not stop the others. Returns the failures. */
  async runAll(): Promise<string[]> {
    const failures: string[] = [];
    for (const entry of this.takePending()) {
      try {
        await entry.run();
      } catch (err) {
        try {
          entry.runSync();
        } catch {
          // reported below with the orderly attempt's error
        }
        failures.push(`${entry.label}: ${(err as Error).message}`);
      }
    }
    return failures;
  }

  runAllSync(): string[] {
    const failures: string[] = [];
    for (const entry of this.takePending()) {
      try {
        entry.runSync();
      } catch (err) {
        failures.push(`${entry.label}: ${(err as Error).message}`);
      }
    }
    return failures;
  }
}

const guarded = new Set<CleanupStack>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const SIGNAL_NUMBERS: Record<(typeof SIGNALS)[number], number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };
/** How long the orderly undo may take after a signal before the synchronous one takes over. */
const SIGNAL_CLEANUP_MS = 15_000;
let handlers: Map<string, (...args: unknown[]) => void> | undefined;
let signalled: string | undefined;

/** The signal that is ending this process, if one arrived: start nothing new. */
export function interruptedBy(): string | undefined {
  return signalled;
}

function onExit(): void {
  for (const stack of guarded) stack.runAllSync();
}

function install(): void {
  handlers = new Map();
  for (const signal of SIGNALS) {
    const handler = () => {
      signalled = signal;
      process.stderr.write(`\nforkcast: ${signal} received, stopping the redis-server it started and restoring what it changed\n`);
      const stacks = [...guarded];
      const timer = setTimeout(() => {
        onExit();
        process.exit(128 + SIGNAL_NUMBERS[signal]);
      }, SIGNAL_CLEANUP_MS);
      void Promise.all(stacks.map((s) => s.runAll())).then((results) => {
        clearTimeout(timer);
        for (const failure of results.flat()) process.stderr.write(`forkcast: cleanup failed: ${failure}\n`);
        onExit();
        process.exit(128 + SIGNAL_NUMBERS[signal]);
      });
    };
    handlers.set(signal, handler);
    process.on(signal, handler);
  }
  handlers.set('exit', onExit);
  process.on('exit', onExit);
}

function uninstall(): void {
  for (const [event, handler] of handlers ?? []) process.off(event, handler);
  handlers = undefined;
}

/** Keeps `stack` covered by the signal and exit handlers until the returned function is called. */
export function guardProcess(stack: CleanupStack): () => void {
  if (guarded.size === 0) install();
  guarded.add(stack);
  return () => {
    guarded.delete(stack);
    if (guarded.size === 0) uninstall();
  };
}

// A progress bar on standard error while a job runs, only where a person watches (a TTY), and
// only once the job has taken long enough to be worth one.
import { SingleBar } from 'cli-progress';

/** A job that finishes sooner than this shows no bar: it would only flicker. */
const SHOW_AFTER_MS = 500;

export interface Progress {
  update(state: { status: string; progress?: number }): void;
  stop(): void;
}

export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar({ format: `${label} [{bar}] {percentage}% {status}`, stream, hideCursor: true, clearOnComplete: false });
  const started = Date.now();
  let shown = false;
  return {
    update(record) {
      const percent = Math.round((record.progress ?? 0) * 100);
      if (!shown && Date.now() - started < SHOW_AFTER_MS) return;
      if (!shown) {
        bar.start(100, percent, { status: record.status });
        shown = true;
      }
      bar.update(percent, { status: record.status });
    },
    stop() {
      if (shown) bar.stop();
    },
  };
}

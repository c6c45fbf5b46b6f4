// The one deadline helper: whatever waits on Redis, a worker, a child process or a dependency
// waits a bounded time, and says with `onTimeout` what happens when the time is up.

/**
 * Settles like `promise`, or after `ms` with what `onTimeout` returns (or throws). The timer does
 * not keep the process alive and is cleared once either side settles.
 */
export async function within<T, U>(promise: Promise<T>, ms: number, onTimeout: () => U): Promise<T | U> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<U>((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        resolve(onTimeout());
      } catch (err) {
        reject(err);
      }
    }, ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

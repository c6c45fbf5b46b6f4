// Loopback ports for the redis-server a run starts: a free one from the kernel, or a check
// that a requested one is free.
import { createServer } from 'node:net';

const LOOPBACK = '127.0.0.1';

function listenOn(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port, host: LOOPBACK, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      server.close(() => resolve(bound));
    });
  });
}

/** A port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return listenOn(0);
}

export async function isPortFree(port: number): Promise<boolean> {
  try {
    await listenOn(port);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') return false;
    throw err;
  }
}

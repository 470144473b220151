import net, { type AddressInfo } from 'node:net';

/** A port nothing listens on: bind port 0, note it, close. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A TCP proxy on loopback in front of a real service (MariaDB, s3rver), for fault tests: `cut()` drops
 * every open connection and refuses new ones, as a stopped server does, without stopping the shared
 * service; `restore()` accepts again. `afterBytes` cuts by itself once that many bytes went upstream
 * (a server dying mid-upload).
 */
export interface TcpProxy {
  host: string;
  port: number;
  /** Bytes forwarded from clients to the service so far. */
  readonly upstreamBytes: number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }, options: { afterBytes?: number } = {}): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let open = true;
  let upstreamBytes = 0;
  let cutAfter = options.afterBytes;
  const cut = () => {
    open = false;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };
  const server = net.createServer((client) => {
    if (!open) return client.destroy();
    const upstream = net.connect(target.port, target.host);
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('data', (chunk: Buffer) => {
      upstreamBytes += chunk.byteLength;
      if (cutAfter !== undefined && upstreamBytes >= cutAfter) {
        cutAfter = undefined;
        cut();
        return;
      }
      upstream.write(chunk);
    });
    upstream.pipe(client);
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    get upstreamBytes() {
      return upstreamBytes;
    },
    cut,
    restore: () => {
      open = true;
    },
    close: async () => {
      cut();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

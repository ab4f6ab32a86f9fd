/** A TCP proxy that a test can cut and restore, to make a real server "unreachable" on demand. */
import net from 'node:net';

export interface TcpProxy {
  port: number;
  /** Connections accepted since the proxy started. */
  readonly accepted: number;
  /** Stops listening and drops every open connection: the target looks down. */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const makeServer = () =>
    net.createServer((client) => {
      accepted += 1;
      const upstream = net.connect(target);
      sockets.add(client).add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream).pipe(client);
    });
  let server = makeServer();
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
    });
  const port = await listen(0);
  const cut = async () => {
    for (const s of sockets) s.destroy();
    sockets.clear();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    port,
    get accepted() {
      return accepted;
    },
    cut,
    async restore() {
      server = makeServer();
      await listen(port);
    },
    async close() {
      if (server.listening) await cut();
    },
  };
}

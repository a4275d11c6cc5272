import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * A TCP pass-through on 127.0.0.1 that a test can break in the two ways a
 * network breaks, to play "Redis stopped mid-test" without touching the
 * shared Redis server:
 * - stop(): closes the listener and cuts every connection (a crash or
 *   restart); start() listens again on the same port.
 * - stall(): keeps connections open but holds every byte sent upstream (a
 *   partition or a frozen server); resume() delivers them in order, so the
 *   client's request/reply pairing is never corrupted.
 */
export interface TcpProxy {
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  stall(): void;
  resume(): void;
}

export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const { hostname, port: targetPort, protocol } = new URL(target);
  const sockets = new Set<Socket>();
  const held: Array<() => void> = [];
  let stalled = false;
  let server: Server | undefined;
  let port = 0;

  const track = (sock: Socket) => {
    sockets.add(sock);
    sock.on("close", () => sockets.delete(sock));
    sock.on("error", () => {});
  };

  const onClient = (client: Socket) => {
    const upstream = connect(Number(targetPort), hostname);
    track(client);
    track(upstream);
    client.on("data", (chunk) => {
      if (stalled) held.push(() => upstream.write(chunk));
      else upstream.write(chunk);
    });
    upstream.on("data", (chunk) => client.write(chunk));
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  };

  const start = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer(onClient);
      s.once("error", reject);
      s.listen(port, "127.0.0.1", () => {
        port = (s.address() as { port: number }).port;
        server = s;
        resolve();
      });
    });

  await start();
  return {
    get url() {
      return `${protocol}//127.0.0.1:${port}`;
    },
    async stop() {
      const s = server;
      server = undefined;
      held.length = 0;
      for (const sock of sockets) sock.destroy();
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    start,
    stall() {
      stalled = true;
    },
    resume() {
      stalled = false;
      for (const send of held.splice(0)) send();
    },
  };
}

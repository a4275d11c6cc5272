import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Db } from "../../src/db/db.js";
import { openPostgres } from "../../src/db/postgres.js";
import { type MainProcess, startMain, waitForAnswer } from "../main-process.js";
import { freePort } from "../net.js";
import { createPgSchema, type PgSchema } from "../pg.js";
import { type SmtpSink, startSmtpSink } from "../smtp-sink.js";
import { type Nginx, startNginx } from "./nginx.js";

export interface Instance {
  index: number;
  /** Its own address, bypassing the proxy. */
  url: string;
  port: number;
  dataDir: string;
  main: MainProcess;
  /** Its JSON log lines so far, parsed (anything else it printed is skipped). */
  logs(): LogLine[];
}

export type LogLine = Record<string, unknown> & { level: number; msg: string };

export interface Cluster {
  /** The proxy: what users reach. Also APP_URL, so the CSRF origin check expects it. */
  url: string;
  instances: Instance[];
  nginx: Nginx;
  schema: PgSchema;
  /** The shared database, opened by the test to check what the instances wrote. */
  db: Db;
  smtp: SmtpSink;
  /**
   * The loopback address of client `n` (0, 1, 2...), in a range drawn per
   * run (127.<a>.<b+>.x): per-address rate-limit counters on the shared
   * Redis never carry over from an earlier run.
   */
  clientAddress(n: number): string;
  /** Stops everything; keeps the logs (and prints where) when `keepLogs`, else removes them. */
  stop(options: { keepLogs: boolean }): Promise<void>;
}

export const CLUSTER_SECRET_KEY = `cluster-${randomBytes(24).toString("base64url")}`;

/**
 * N real server processes (`node --import tsx src/main.ts`, as `npm start`)
 * on one fresh PostgreSQL schema and the shared Redis, behind a real nginx,
 * with a real SMTP sink: the scale-out deployment docs describe, on loopback.
 *
 * Production settings: NODE_ENV=production, MIGRATE_ON_START=true (all
 * instances migrate the empty schema at once), TRUST_PROXY=127.0.0.1 (only
 * nginx's socket is trusted to speak for the client). The instances start in
 * parallel; a start that fails throws with every instance's output.
 */
export async function startCluster(options: {
  pgUrl: string;
  redisUrl: string;
  size?: number;
  env?: Record<string, string>;
}): Promise<Cluster> {
  const size = options.size ?? 3;
  const dir = mkdtempSync(join(tmpdir(), "bastion-cluster-"));
  const [schema, smtp, ports] = await Promise.all([
    createPgSchema(options.pgUrl),
    startSmtpSink(),
    Promise.all(Array.from({ length: size }, () => freePort())),
  ]);
  const nginx = await startNginx({ dir: join(dir, "nginx"), upstreams: ports });
  // A Redis database of the cluster's own (1-15; the other suites use 0): rate-limit
  // keys carry no deployment prefix, so counters for an address other runs also use
  // (nginx's 127.0.0.1 above all) would otherwise be shared. Pub/sub ignores the
  // database number; the eviction channel is named after the schema instead.
  const redisUrl = new URL(options.redisUrl);
  redisUrl.pathname = `/${1 + ((randomBytes(1)[0] ?? 0) % 15)}`;
  const instances = ports.map((port, index) => {
    const dataDir = join(dir, `i${index}`);
    mkdirSync(dataDir);
    const main = startMain({
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(port),
      APP_URL: nginx.url,
      DATA_DIR: dataDir,
      DATABASE_URL: schema.url,
      DB_POOL_MAX: "4",
      MIGRATE_ON_START: "true",
      REDIS_URL: redisUrl.toString(),
      SECRET_KEY: CLUSTER_SECRET_KEY,
      TRUST_PROXY: "127.0.0.1",
      SMTP_HOST: "127.0.0.1",
      SMTP_PORT: String(smtp.port),
      MAIL_FROM: "Bastion <no-reply@cluster.test>",
      MAIL_POLL_INTERVAL_MS: "250",
      // The job decisions ("job ran" / "job skipped") are debug lines.
      LOG_LEVEL: "debug",
      ...options.env,
    });
    const instance: Instance = {
      index,
      url: `http://127.0.0.1:${port}`,
      port,
      dataDir,
      main,
      logs: () => parseLogs(main.stdout()),
    };
    return instance;
  });
  const db = await openPostgres({ url: schema.url, schema: schema.schema, poolMax: 3 });
  const [a, b] = [randomBytes(1)[0] ?? 1, randomBytes(1)[0] ?? 1];
  const cluster: Cluster = {
    url: nginx.url,
    instances,
    nginx,
    schema,
    db,
    smtp,
    clientAddress: (n) => `127.${a}.${(b + Math.floor(n / 250)) % 256}.${(n % 250) + 2}`,
    async stop({ keepLogs }) {
      for (const { main } of instances) {
        if (main.child.exitCode === null && main.child.signalCode === null) main.child.kill();
      }
      const killer = setTimeout(() => {
        for (const { main } of instances) main.child.kill("SIGKILL");
      }, 15_000);
      await Promise.all(instances.map(({ main }) => main.exited));
      clearTimeout(killer);
      await nginx.stop();
      await smtp.stop();
      await db.close();
      await schema.drop();
      if (keepLogs) {
        for (const { index, main } of instances) {
          writeFileSync(join(dir, `instance-${index}.log`), main.output());
        }
        writeFileSync(join(dir, "nginx.log"), nginx.logs());
        console.warn(`[cluster] a test failed: instance and nginx logs kept in ${dir}`);
      } else {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  try {
    await Promise.all(instances.map((i) => waitForAnswer(`${i.url}/healthz`)));
  } catch (error) {
    const outputs = instances.map((i) => `--- instance ${i.index}\n${i.main.output()}`).join("\n");
    await cluster.stop({ keepLogs: true });
    throw new Error(`${(error as Error).message}\n${outputs}`);
  }
  return cluster;
}

function parseLogs(stdout: string): LogLine[] {
  const lines: LogLine[] = [];
  for (const line of stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      lines.push(JSON.parse(line) as LogLine);
    } catch {
      // a line cut in half by a SIGKILL
    }
  }
  return lines;
}

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { inject } from "vitest";
import { createAuditRecorder } from "../src/audit/audit.js";
import type { Db } from "../src/db/db.js";
import { openDuckDb } from "../src/db/duckdb.js";
import { createMigrator } from "../src/db/migrate.js";
import { openPostgres } from "../src/db/postgres.js";
import { type FixedClock, fixedClock } from "../src/lib/clock.js";
import { systemRandom } from "../src/lib/random.js";
import { type CaptureMailer, createCaptureMailer } from "../src/mail/capture.js";
import { MailError, type Mailer, type MailMessage } from "../src/mail/mailer.js";
import { createOutbox, type Outbox } from "../src/mail/outbox.js";
import type { OutboxSenderOptions } from "../src/mail/outbox-sender.js";
import { createLogger } from "../src/monitoring/logger.js";
import { createMetrics, type Metrics } from "../src/monitoring/metrics.js";
import { createPgSchema } from "./pg.js";

export type Dialect = "duckdb" | "postgres";

/**
 * A migrated database of either engine that can hand out a second Db on the
 * same data (DuckDB: a file opened twice; PostgreSQL: a second pool on the
 * schema), to play two app instances.
 */
export async function openOutboxDb(dialect: Dialect) {
  const opened: Db[] = [];
  let open: () => Promise<Db>;
  let cleanup: () => Promise<void>;
  if (dialect === "duckdb") {
    const dir = mkdtempSync(join(tmpdir(), "bastion-outbox-"));
    open = () => openDuckDb({ path: join(dir, "app.duckdb"), threads: 1 });
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const schema = await createPgSchema(inject("pgUrl") as string);
    open = () => openPostgres({ url: schema.url, schema: schema.schema, poolMax: 4 });
    cleanup = schema.drop;
  }
  const another = async () => {
    const db = await open();
    opened.push(db);
    return db;
  };
  const db = await another();
  await createMigrator(db).up();
  return {
    db,
    another,
    close: async () => {
      for (const d of opened) await d.close();
      await cleanup();
    },
  };
}

export interface SenderFixture {
  outbox: Outbox;
  mailer: CaptureMailer;
  metrics: Metrics;
  logs: Array<Record<string, unknown>>;
}

/**
 * An outbox over `db` delivering into a capture mailer (optionally wrapped, e.g.
 * by flakyMailer), with logs, metrics and an audit recorder of its own.
 */
export function makeOutbox(
  db: Db,
  clock: FixedClock,
  options: Partial<Omit<OutboxSenderOptions, "mailer">> & {
    wrap?: (capture: CaptureMailer) => Mailer;
  } = {},
): SenderFixture {
  const logs: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split("\n")) if (line) logs.push(JSON.parse(line));
      done();
    },
  });
  const logger = createLogger({ level: "info", pretty: false, destination });
  const metrics = options.metrics ?? createMetrics({ defaultMetrics: false });
  const random = systemRandom(() => clock.now().getTime());
  const mailer = createCaptureMailer({ clock });
  const audit = createAuditRecorder({ db, clock, random, logger, metrics });
  const { wrap, ...rest } = options;
  const outbox = createOutbox({
    db,
    mailer: wrap ? wrap(mailer) : mailer,
    clock,
    random,
    logger,
    metrics,
    audit,
    ...rest,
  });
  return { outbox, mailer, metrics, logs };
}

/** A mailer that fails its first `failures` sends like a refused connection, then delegates. */
export function flakyMailer(inner: Mailer, failures: number): Mailer & { calls: number } {
  const state = {
    kind: inner.kind,
    calls: 0,
    async send(message: MailMessage) {
      state.calls += 1;
      if (state.calls <= failures) {
        throw new MailError("ESOCKET", "ESOCKET: connect ECONNREFUSED 127.0.0.1:2525");
      }
      return inner.send(message);
    },
    close: () => inner.close(),
  };
  return state;
}

/** A mailer whose sends wait until the test settles them, to hold a claim open. */
export function gatedMailer() {
  let settle: (ok: boolean) => void = () => {};
  let entered: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    entered = resolve;
  });
  const mailer: Mailer = {
    kind: "smtp",
    send: () => {
      entered();
      return new Promise((resolve, reject) => {
        settle = (ok) =>
          ok
            ? resolve({ messageId: "<gated@test>" })
            : reject(new MailError("ETIMEDOUT", "ETIMEDOUT: gated"));
      });
    },
    close: async () => {},
  };
  return { mailer, started, release: (ok: boolean) => settle(ok) };
}

export function message(n: number | string) {
  return {
    to: `user${n}@example.test`,
    subject: `Mail ${n}`,
    text: `Text ${n}`,
    html: `<p>Html ${n}</p>`,
    template: "verification",
  };
}

export interface OutboxRow extends Record<string, unknown> {
  id: string;
  status: string;
  attempts: number;
  next_attempt_at: Date;
  locked_until: Date | null;
  last_error: string | null;
  message_id: string | null;
  sent_at: Date | null;
  user_id: string | null;
}

export function rows(db: Db): Promise<OutboxRow[]> {
  return db.query<OutboxRow>("SELECT * FROM mail_outbox ORDER BY created_at, id");
}

export { fixedClock };

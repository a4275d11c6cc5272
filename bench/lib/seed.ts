/**
 * Child process of bench/lib/app.ts: opens the database the server is about
 * to use, with the app's own services and the production config built from
 * the same environment, migrates it, and creates the bench user (verified)
 * and the flood accounts. Then closes it and exits.
 */
import pino from "pino";
import { buildDeps } from "../../src/bootstrap.js";
import { loadConfig } from "../../src/config/env.js";
import { systemClock } from "../../src/lib/clock.js";
import { systemRandom } from "../../src/lib/random.js";
import { BENCH_EMAIL, BENCH_PASSWORD, FLOOD_USERS, floodEmail } from "./app.js";

const config = loadConfig({ env: process.env as Record<string, string>, dotenv: false });
const deps = await buildDeps({
  config,
  logger: pino({ level: "silent" }),
  clock: systemClock,
  random: systemRandom(),
  defaultMetrics: false,
});
try {
  const now = systemClock.now();
  const passwordHash = await deps.passwords.hash(BENCH_PASSWORD);
  const main = await deps.users.create({
    email: BENCH_EMAIL,
    firstName: "Ada",
    lastName: "Lovelace",
    passwordHash,
    emailVerifiedAt: now,
  });
  if (!main.ok) throw new Error(`creating ${BENCH_EMAIL}: ${main.reason}`);
  // One hash for all: the flood only needs real accounts whose password it gets wrong.
  for (let i = 0; i < FLOOD_USERS; i++) {
    const made = await deps.users.create({
      email: floodEmail(i),
      firstName: "Flood",
      lastName: String(i),
      passwordHash,
      emailVerifiedAt: now,
    });
    if (!made.ok) throw new Error(`creating ${floodEmail(i)}: ${made.reason}`);
  }
} finally {
  await deps.db.close();
}
process.exit(0);

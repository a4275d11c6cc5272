/**
 * Bare @node-rs/argon2 verify with the app's parameters (src/passwords/hasher.ts:
 * argon2id, v=0x13, m=19456 KiB, t=2, p=1, 32-byte output), in its own
 * process. On {count, concurrency} it verifies the bench password `count`
 * times, `concurrency` at once, and answers each verify's milliseconds.
 */
import { hash, verify } from "@node-rs/argon2";
import { BENCH_PASSWORD } from "../lib/app.js";

const stored = await hash(BENCH_PASSWORD, {
  algorithm: 2,
  version: 1,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
  outputLen: 32,
});

process.on("message", async (message: { count: number; concurrency: number }) => {
  const times: number[] = [];
  let left = message.count;
  const lane = async () => {
    while (left > 0) {
      left -= 1;
      const started = performance.now();
      const ok = await verify(stored, BENCH_PASSWORD.normalize("NFKC"));
      times.push(performance.now() - started);
      if (!ok) throw new Error("argon2 verify of the right password failed");
    }
  };
  await Promise.all(Array.from({ length: message.concurrency }, lane));
  process.send?.({ times });
});
process.on("disconnect", () => process.exit(0));
process.send?.({ ready: true });

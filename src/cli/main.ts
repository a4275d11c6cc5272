import { promptSecret } from "./prompt.js";
import { runCli } from "./run.js";

/** CLI composition root: `npm run cli -- <command>` (commands and exit codes in run.ts). */
process.exitCode = await runCli(process.argv.slice(2), {
  out: (line) => console.log(line),
  err: (message) => console.error(message),
  cwd: process.cwd(),
  env: process.env,
  readStdin: async () => {
    if (process.stdin.isTTY) return "";
    let all = "";
    for await (const chunk of process.stdin) all += String(chunk);
    return all;
  },
  promptSecret: process.stdin.isTTY ? (prompt) => promptSecret(prompt) : undefined,
});

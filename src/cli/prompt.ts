/**
 * Asks for a secret at the terminal without echoing it (the way `sudo` and
 * `passwd` do): the terminal goes to raw mode for the answer, so the typed
 * characters are neither shown nor kept in the scrollback. Resolves
 * undefined when the operator presses Ctrl-C or Ctrl-D on an empty line.
 */
export function promptSecret(
  prompt: string,
  streams: { input: NodeJS.ReadStream; output: NodeJS.WriteStream } = {
    input: process.stdin,
    output: process.stderr,
  },
): Promise<string | undefined> {
  const { input, output } = streams;
  return new Promise((resolve) => {
    let value = "";
    const finish = (answer: string | undefined) => {
      input.off("data", onData);
      input.setRawMode(false);
      input.pause();
      output.write("\n");
      resolve(answer);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of String(chunk)) {
        if (ch === "\r" || ch === "\n") return finish(value);
        if (ch === "\u0003" || (ch === "\u0004" && value === "")) return finish(undefined);
        if (ch === "\u007f" || ch === "\b") {
          value = Array.from(value).slice(0, -1).join("");
        } else if (ch >= " ") {
          value += ch;
        }
      }
    };
    // Raw before the prompt shows: a key typed at the prompt in cooked mode would be echoed.
    input.setRawMode(true);
    output.write(prompt);
    input.setEncoding("utf8");
    input.on("data", onData);
    input.resume();
  });
}

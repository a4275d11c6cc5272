import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { freePort } from "./net.js";

/** One message as the SMTP server received it: envelope plus the parsed content. */
export interface ReceivedMail {
  envelopeFrom: string;
  envelopeTo: string[];
  /** The From header as written, e.g. "Bastion <no-reply@bastion.test>". */
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  headers: ParsedMail["headers"];
}

export interface SmtpSink {
  port: number;
  /** Every message received, oldest first. */
  messages: ReceivedMail[];
  /** Stops listening (connections are refused until a new sink starts on this port). */
  stop(): Promise<void>;
}

/**
 * A real SMTP server on 127.0.0.1 (smtp-server + mailparser), for the mail
 * adapter's contract suite and the "SMTP down, then up" flows. STARTTLS is off
 * (its self-signed certificate would fail verification); with `auth` set,
 * AUTH is required and only those credentials pass.
 */
export async function startSmtpSink(
  options: { port?: number; auth?: { user: string; pass: string } } = {},
): Promise<SmtpSink> {
  const port = options.port ?? (await freePort());
  const messages: ReceivedMail[] = [];
  const auth = options.auth;
  const server = new SMTPServer({
    secure: false,
    logger: false,
    disabledCommands: auth ? ["STARTTLS"] : ["STARTTLS", "AUTH"],
    authOptional: !auth,
    allowInsecureAuth: true,
    onAuth(credentials, _session, callback) {
      if (auth && credentials.username === auth.user && credentials.password === auth.pass) {
        callback(null, { user: credentials.username });
      } else {
        callback(new Error("Invalid username or password"));
      }
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          const envelopeFrom = session.envelope.mailFrom;
          messages.push({
            envelopeFrom: envelopeFrom ? envelopeFrom.address : "",
            envelopeTo: session.envelope.rcptTo.map((r) => r.address),
            from: mail.from?.text ?? "",
            to: (Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : [])
              .map((a) => a.text)
              .join(", "),
            subject: mail.subject ?? "",
            text: mail.text ?? "",
            html: typeof mail.html === "string" ? mail.html : "",
            headers: mail.headers,
          });
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", () => {}); // a client hanging up mid-session is not a test failure
  return {
    port,
    messages,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

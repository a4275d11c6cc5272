import type { Config } from "../../config/env.js";
import type { HealthCheck } from "../types.js";

/**
 * Connects to the SMTP server, greets it and (with SMTP_USER) logs in, then
 * quits: nodemailer's verify(). Run rarely (HEALTH_SMTP_INTERVAL_SECONDS):
 * each run is a real session at the provider, which may count them. Not
 * critical: the outbox keeps mail until the server is back.
 */
export function smtpCheck(deps: {
  mail: Config["mail"];
  timeoutMs: number;
  intervalMs: number;
}): HealthCheck {
  const { mail } = deps;
  return {
    name: "smtp",
    critical: false,
    timeoutMs: deps.timeoutMs,
    intervalMs: deps.intervalMs,
    async run() {
      // Imported on first use, as mail/open.ts does: a tenth of the start-up time otherwise.
      const nodemailer = (await import("nodemailer")).default;
      const transport = nodemailer.createTransport({
        host: mail.smtpHost,
        port: mail.smtpPort,
        secure: mail.smtpSecure,
        auth: mail.smtpUser ? { user: mail.smtpUser, pass: mail.smtpPassword ?? "" } : undefined,
        connectionTimeout: deps.timeoutMs,
        greetingTimeout: deps.timeoutMs,
        socketTimeout: deps.timeoutMs,
      });
      try {
        await transport.verify();
        return { status: "ok", message: "server greeted and accepted the session" };
      } catch (error) {
        // The code only (ECONNECTION, EAUTH, ETIMEDOUT): messages can echo credentials or hosts.
        const code = (error as { code?: unknown }).code;
        return {
          status: "fail",
          message: `unreachable (${typeof code === "string" ? code : "error"})`,
        };
      } finally {
        transport.close();
      }
    },
  };
}

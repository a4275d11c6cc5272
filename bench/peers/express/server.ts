/**
 * The Express 5 peer: the stack an Express app would put in front of the
 * same page. helmet (CSP with a per-request nonce), express-session
 * (MemoryStore, the default: no database round trip, which flatters
 * Express), csrf-sync (synchroniser token kept in the session), and
 * express-rate-limit (its memory store, limit lifted like the app's). The
 * page is the app's own dashboard rendered by the same Hono JSX components
 * (../dashboard.tsx), so the rendering work is identical.
 *
 * POST /login signs in without a password check: the bench only needs a
 * session here; the login cost is measured against the real app.
 */
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { csrfSync } from "csrf-sync";
import express, { type NextFunction, type Request, type Response } from "express";
import { rateLimit } from "express-rate-limit";
import session from "express-session";
import helmet from "helmet";
import { BENCH_USER, renderDashboardHtml } from "../dashboard.js";

declare module "express-session" {
  interface SessionData {
    userId: string;
  }
}

const app = express();

app.use((_req: Request, res: Response, next: NextFunction) => {
  res.locals.nonce = randomBytes(16).toString("base64url");
  next();
});
app.use(
  helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: [
          "'strict-dynamic'",
          (_req, res) => `'nonce-${(res as Response).locals.nonce as string}'`,
        ],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
  }),
);
app.use(
  rateLimit({
    windowMs: 60_000,
    limit: 1_000_000,
    standardHeaders: "draft-8",
    legacyHeaders: false,
  }),
);
app.use(
  session({
    secret: randomBytes(32).toString("hex"),
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: "lax", maxAge: 24 * 3600 * 1000 },
  }),
);
app.use(express.urlencoded({ extended: false, limit: "64kb" }));
const { csrfSynchronisedProtection, generateToken } = csrfSync({
  getTokenFromRequest: (req) =>
    (req.body as { _csrf?: string } | undefined)?._csrf ?? req.get("x-csrf-token"),
});
app.use(csrfSynchronisedProtection);

app.get("/login", (req, res) => {
  const token = generateToken(req);
  res.type("html").send(`<form method="post"><input name="_csrf" value="${token}"></form>`);
});

app.post("/login", (req, res, next) => {
  req.session.regenerate((error) => {
    if (error) return next(error);
    req.session.userId = BENCH_USER.id;
    res.redirect(303, "/dashboard");
  });
});

app.get("/dashboard", async (req, res, next) => {
  if (req.session.userId !== BENCH_USER.id) return res.redirect(303, "/login");
  try {
    const page = await renderDashboardHtml({
      user: BENCH_USER,
      cspNonce: res.locals.nonce as string,
      csrfToken: generateToken(req),
    });
    res.type("html").send(page);
  } catch (error) {
    next(error);
  }
});

const server = app.listen(0, "127.0.0.1", () => {
  process.send?.({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
});
process.on("disconnect", () => process.exit(0));

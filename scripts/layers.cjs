/**
 * The layers of src/, bottom first. An import may only point to its own
 * layer or one below (within a layer: no cycles). Read by
 * .dependency-cruiser.cjs (the rules) and scripts/architecture-graph.ts (the
 * drawing in docs/architecture.md), so the two cannot disagree.
 */
const layers = [
  {
    name: "base",
    what: "helpers, configuration, the database port, HTTP context, the error catalog",
    folders: ["lib", "config", "db", "http"],
    files: ["errors.ts"],
  },
  {
    name: "domain",
    what: "services over the database and the outside world; no pages, no routes of features",
    folders: [
      "users",
      "sessions",
      "tokens",
      "passwords",
      "totp",
      "audit",
      "mail",
      "ratelimit",
      "security",
      "jobs",
      "monitoring",
      "health",
      "alerts",
    ],
    files: [],
  },
  {
    name: "ui",
    what: "layout and components: render what they are given; no services, no database",
    folders: ["ui"],
    files: [],
  },
  {
    name: "features",
    what: "route groups, their services and views",
    folders: ["auth", "account", "dev", "docs", "site", "admin", "setup"],
    files: [],
  },
  {
    name: "composition",
    what: "builds Deps, mounts the groups, starts the server and the CLI",
    folders: ["cli"],
    files: [
      "app.ts",
      "bootstrap.ts",
      "main.ts",
      "deps.ts",
      "server.ts",
      "listening.ts",
      "lifecycle.ts",
    ],
  },
];

const escapeDots = (s) => s.replace(/\./g, "\\.");
/** A path regex matching every module of a layer. */
function pattern(layer) {
  const parts = [];
  if (layer.folders.length) parts.push(`^src/(${layer.folders.join("|")})/`);
  if (layer.files.length) parts.push(`^src/(${layer.files.map(escapeDots).join("|")})$`);
  return parts.join("|");
}

module.exports = { layers, pattern };

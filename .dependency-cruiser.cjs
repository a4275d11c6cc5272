/**
 * Layers, enforced (docs/architecture.md; the folders of each layer are
 * listed once, in scripts/layers.cjs). An arrow only points down:
 * base < domain < ui < features < composition.
 *
 * `Deps` (src/deps.ts) is the composition's contract: features may name it
 * in types; base, domain and ui declare the narrow dependencies they need.
 */
const { layers, pattern } = require("./scripts/layers.cjs");

const [BASE, DOMAIN, UI, FEATURES, COMPOSITION] = layers.map(pattern);
const TESTS = "\\.test\\.tsx?$|\\.contract\\.ts$";

module.exports = {
  forbidden: [
    {
      name: "no-file-cycles",
      comment: "Two files that import each other, directly or through others.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "no-folder-cycles",
      comment: "Two folders that import each other, directly or through others.",
      severity: "error",
      scope: "folder",
      from: { pathNot: "^src/$" },
      to: { circular: true, pathNot: "^src/$" },
    },
    {
      name: "base-is-the-floor",
      comment: "lib, config, db, http and errors import nothing above them.",
      severity: "error",
      from: { path: BASE, pathNot: TESTS },
      to: { path: [DOMAIN, UI, FEATURES, COMPOSITION] },
    },
    {
      name: "domain-below-ui-and-features",
      comment: "A domain service knows no page, no route group and no composition.",
      severity: "error",
      from: { path: DOMAIN, pathNot: TESTS },
      to: { path: [UI, FEATURES, COMPOSITION] },
    },
    {
      name: "ui-has-no-services",
      comment: "Layout and components render what they are given: no database, no service calls.",
      severity: "error",
      from: { path: UI, pathNot: TESTS },
      to: { path: [FEATURES, COMPOSITION, "^src/db/"] },
    },
    {
      name: "ui-names-services-only-in-types",
      comment: "ui may name a domain type (User, PasswordCheck), never call a service.",
      severity: "error",
      from: { path: UI, pathNot: TESTS },
      to: {
        path: DOMAIN,
        pathNot: "^src/users/(user|roles)\\.ts$",
        dependencyTypesNot: ["type-only"],
      },
    },
    {
      name: "features-below-composition",
      comment:
        "Only the composition root wires features together; features may name Deps in types.",
      severity: "error",
      from: { path: FEATURES, pathNot: TESTS },
      to: { path: COMPOSITION, pathNot: "^src/deps\\.ts$" },
    },
    {
      name: "deps-is-types-only",
      severity: "error",
      from: { path: [FEATURES], pathNot: TESTS },
      to: { path: "^src/deps\\.ts$", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "auth-does-not-lean-on-account",
      comment: "account/ builds on auth/ (verification, sign-in); never the other way.",
      severity: "error",
      from: { path: "^src/auth/", pathNot: TESTS },
      to: { path: "^src/account/" },
    },
    {
      name: "every-module-has-a-layer",
      comment:
        "A new folder under src/ joins a layer in scripts/layers.cjs before it imports anything.",
      severity: "error",
      from: { path: "^src/", pathNot: [BASE, DOMAIN, UI, FEATURES, COMPOSITION, TESTS] },
      to: {},
    },
    {
      name: "no-test-code-in-src",
      severity: "error",
      from: { path: "^src/", pathNot: TESTS },
      to: { path: "^test/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: TESTS },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".json"],
    },
    reporterOptions: {
      dot: { collapsePattern: "^src/[^/]+/|^node_modules/[^/]+" },
    },
  },
};

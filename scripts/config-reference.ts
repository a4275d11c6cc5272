/**
 * `npm run docs:config`: prints docs/configuration.md (the package script
 * redirects it there), generated from the config schema and its
 * descriptions; test/flows/config-docs.test.ts checks the file matches.
 */
import { configReferencePage } from "../src/config/reference.js";

process.stdout.write(configReferencePage());

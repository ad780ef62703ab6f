#!/usr/bin/env node
// The `bouncer` command: runs the compiled CLI (`npm install` and `npm start` build it).
import '../dist/cli/run.js';

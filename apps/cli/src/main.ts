#!/usr/bin/env node
process.stdout.write('so-connector CLI\n');

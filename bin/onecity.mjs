#!/usr/bin/env node
// Entry point of the `onecity` command: registers the TypeScript loader, then runs the CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
process.exitCode = code;
// The command is over: whatever still holds the event loop (a connection a failed start
// could not close, a shutdown past its deadline) must not keep a process alive that no
// longer serves. Output is flushed by then; the timer does not itself hold the loop.
setTimeout(() => process.exit(code), 2000).unref();

#!/usr/bin/env node
// Runs the TypeScript CLI without a build step: tsx's ESM loader handles src/cli/*.ts.
import { register } from 'tsx/esm/api';

register();
await import(new URL('../src/cli/main.ts', import.meta.url).href);

#!/usr/bin/env node
// The `memvirt` executable: registers the TypeScript loader, then runs the CLI shell.
import { register } from 'tsx/esm/api'
register()
await import('./main.ts')

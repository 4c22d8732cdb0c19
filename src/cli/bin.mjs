#!/usr/bin/env node
// The `memvirt` executable. Runs the bundle made by build.mjs when it was built from the sources as they
// are now (same source hash), else registers the TypeScript loader and runs the sources (MEMVIRT_NO_BUNDLE=1
// forces that). Both are the same program; the bundle only starts faster.
import { openSync, readSync, closeSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { BUNDLE, HASH_LINE, sourceHash } from './source-hash.mjs'

const bundleHash = () => {
  try {
    const fd = openSync(BUNDLE, 'r')
    const head = Buffer.alloc(HASH_LINE.length + 64)
    const n = readSync(fd, head, 0, head.length, 0)
    closeSync(fd)
    const line = head.subarray(0, n).toString('latin1')
    return line.startsWith(HASH_LINE) ? line.slice(HASH_LINE.length) : undefined
  } catch { return undefined }
}
if (process.env.MEMVIRT_NO_BUNDLE !== '1' && bundleHash() === sourceHash()) {
  await import(pathToFileURL(BUNDLE).href)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import('./main.ts')
}

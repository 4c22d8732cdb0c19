#!/usr/bin/env node
// The `memvirt` executable. Runs the bundle made by build.mjs when it was built from the sources as they
// are now (same source hash; the stamp of the sources' sizes, inodes and mtimes is compared first, which
// reads no source), else registers the TypeScript loader and runs the sources (MEMVIRT_NO_BUNDLE=1
// forces that). Both are the same program; the bundle only starts faster.
import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { BUNDLE, HASH_LINE, STAMP_LINE, sourceHash, sourceStamp } from './source-hash.mjs'

/** The source hash and stamp the bundle records in its first two lines (undefined when missing). */
const bundleHead = () => {
  try {
    const [hash, stamp] = readFileSync(BUNDLE, 'latin1').split('\n', 2)
    return {
      hash: hash?.startsWith(HASH_LINE) ? hash.slice(HASH_LINE.length) : undefined,
      stamp: stamp?.startsWith(STAMP_LINE) ? stamp.slice(STAMP_LINE.length) : undefined,
    }
  } catch { return undefined }
}
// The stamp (stat only) first; the content hash when it differs (a checkout or copy that changed no source).
const head = process.env.MEMVIRT_NO_BUNDLE === '1' ? undefined : bundleHead()
if (head !== undefined && head.hash !== undefined && (head.stamp === sourceStamp() || head.hash === sourceHash())) {
  await import(pathToFileURL(BUNDLE).href)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import('./main.ts')
}

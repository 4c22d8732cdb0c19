// Edges decode (README, "Decoding every input once"): a text input that is not UTF-8 is refused in one
// line naming the file and the byte offset, exit 2, by every command that reads JSON or JSON lines. A
// byte 0xFF inside a string used to be read as U+FFFD and the file accepted (found by reviewing the
// accepted runs of `npm run fuzz`: a translate scenario whose note held 0xFF ran and exited 0).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))
const bin = join(root, 'src/cli/bin.mjs')
const dir = mkdtempSync(join(tmpdir(), 'memvirt-utf8-'))
const bad = join(dir, 'bad.json')
// {"description": "<FF>"}: the 0xFF byte at offset 17
writeFileSync(bad, Buffer.concat([Buffer.from('{"description": "'), Buffer.from([0xff]), Buffer.from('"}\n')]))

interface Run { code: number; stdout: string; stderr: string }
const memvirt = (args: readonly string[]): Promise<Run> => new Promise((resolve) => {
  execFile(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8' }, (err, stdout, stderr) =>
    resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr }))
})

const commands: Readonly<Record<string, readonly string[]>> = {
  translate: ['translate', bad],
  'translate --arch armv7': ['translate', bad, '--arch', 'armv7'],
  iommu: ['iommu', bad],
  'virtio-iommu': ['virtio-iommu', bad],
  alloc: ['alloc', join(root, 'golden/alloc/bundled-workload.csv'), '--host', bad],
  gpu: ['gpu', join(root, 'golden/alloc/gpu-tasks.csv'), '--host', bad],
  'cosim-replay': ['cosim-replay', join(root, 'golden/programs/basics.elf'), bad],
}

for (const [name, argv] of Object.entries(commands)) {
  test(`${name}: a file that is not UTF-8 is one line naming it and the byte offset, exit 2`, async () => {
    const r = await memvirt(argv)
    assert.is(r.code, 2, r.stderr)
    assert.is(r.stdout, '')
    assert.is(r.stderr, `memvirt ${argv[0]}: ${bad}: byte offset 17: not UTF-8 text\n`)
  })
}

test.run()

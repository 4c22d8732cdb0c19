// `memvirt iommu`'s raw scenario (README, "memvirt iommu"): decoded once at the edge with the codec
// kit, every bad field reported in one line as `FILE: field PATH: …`; fields the model cannot honour
// (unmodelled capabilities, fctl bits, memory outside RAM) refused rather than ignored.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isLeft, isRight } from 'fp-ts/lib/Either.js'
import { decodeIommuScenario } from '../../src/cli/iommu-scenario.ts'
import { formatError } from '../../src/codec/index.ts'

const CAPS = '0x1f8_070e_8e10'
const errorOf = (u: unknown): string => {
  const r = decodeIommuScenario(u)
  return isLeft(r) ? formatError('s.json', r.left) : 'decoded'
}

// The shell, run as a user runs it (node src/cli/bin.mjs), for input only JSON text can carry.
const root = fileURLToPath(new URL('../../', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'memvirt-iommu-'))
const file = (name: string, text: string): string => {
  const p = join(dir, name)
  writeFileSync(p, text)
  return p
}
interface Run { code: number; stdout: string; stderr: string }
const memvirt = (args: readonly string[]): Promise<Run> => new Promise((resolve) => {
  execFile(process.execPath, [join(root, 'src/cli/bin.mjs'), 'iommu', ...args], { cwd: root, encoding: 'utf8' }, (err, stdout, stderr) =>
    resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr }))
})
const proto = file('proto.json', `{"capabilities": "${CAPS}", "steps": [], "__proto__": {"fctl": "0x2"}}`)
const deep = file('deep.json', `{"capabilities": "${CAPS}",\n"steps": ${'['.repeat(100)}${']'.repeat(100)}}`)
const runs = { proto: memvirt([proto]), deep: memvirt([deep]) }

test('a minimal scenario decodes: capabilities and steps are required, fctl and memory optional', () => {
  const r = decodeIommuScenario({ capabilities: CAPS, steps: [{ op: 'read-register', offset: 0, size: 8 }] })
  assert.ok(isRight(r))
})
test('a missing required field is named by its path', () => {
  assert.match(errorOf({ capabilities: CAPS, steps: [{ op: 'translate', deviceId: 1, access: 'read', privileged: false, type: 'untranslated' }] }), /^s\.json: field steps\[0\]\.iova: missing \(expected a 64-bit hex string/)
})
test('an unknown field is an error (a misspelling is never ignored)', () => {
  assert.match(errorOf({ capabilities: CAPS, steps: [], fctrl: '0x0' }), /^s\.json: field fctrl: unknown field \(known: capabilities, steps, description, fctl, memory\)$/)
})
test('64-bit values are hex strings; a JSON number is refused', () => {
  assert.match(errorOf({ capabilities: CAPS, steps: [{ op: 'memory', addr: 2147483648, value: '0x1' }] }), /^s\.json: field steps\[0\]\.addr: expected a 64-bit hex string like 0x8000_1000, got the number 2147483648/)
})
test('register sizes are 4 or 8; access is read, write or execute; processId is 20 bits', () => {
  assert.match(errorOf({ capabilities: CAPS, steps: [{ op: 'read-register', offset: 0, size: 2 }] }), /^s\.json: field steps\[0\]\.size: expected one of 4, 8, got 2$/)
  assert.match(errorOf({ capabilities: CAPS, steps: [{ op: 'translate', deviceId: 1, access: 'load', privileged: false, type: 'ats', iova: '0x0' }] }), /^s\.json: field steps\[0\]\.access: expected one of "read", "write", "execute", got "load"$/)
  assert.match(errorOf({ capabilities: CAPS, steps: [{ op: 'translate', deviceId: 1, processId: 1 << 20, access: 'read', privileged: false, type: 'ats', iova: '0x0' }] }), /^s\.json: field steps\[0\]\.processId: expected an integer from 0 to 1048575, got 1048576$/)
})
test('a capability the model does not implement (HPM, bit 30) is refused by name', () => {
  assert.match(errorOf({ capabilities: '0x1f8_470e_8e10', steps: [] }), /^s\.json: field capabilities: sets HPM/)
})
test('fctl: BE is refused (big-endian is not modelled); WSI must agree with capabilities.IGS', () => {
  assert.match(errorOf({ capabilities: CAPS, fctl: '0x1', steps: [] }), /^s\.json: field fctl: only WSI \(bit 1\) may be set/)
  assert.match(errorOf({ capabilities: CAPS, fctl: '0x2', steps: [] }), /^s\.json: field fctl: WSI = 1 contradicts capabilities\.IGS = 0/)
})
test('memory words must be 8-byte aligned and in RAM', () => {
  assert.match(errorOf({ capabilities: CAPS, steps: [], memory: [{ addr: '0x1000', value: '0x0' }] }), /^s\.json: field memory\[0\]\.addr: expected an 8-byte-aligned address in RAM/)
  assert.match(errorOf({ capabilities: CAPS, steps: [], memory: [{ addr: '0x8000_0004', value: '0x0' }] }), /^s\.json: field memory\[0\]\.addr: expected an 8-byte-aligned address in RAM/)
})
test('an unknown step op is named at steps[i].op with the known ops', () => {
  assert.is(errorOf({ capabilities: CAPS, steps: [{ op: 'fence' }] }),
    's.json: field steps[0].op: expected one of "write-register", "read-register", "memory", "command", "translate", "msi", "page-request", "invalidation-completion", "ats-timeout", got "fence"')
})
test('a command is exactly two doublewords', () => {
  assert.is(errorOf({ capabilities: CAPS, steps: [{ op: 'command', words: ['0x1'] }] }), 's.json: field steps[0].words: expected at least 2 entries, got 1')
})
test('"__proto__" in a scenario is an unknown field, not a prototype: one line, exit 2', async () => {
  const r = await runs.proto
  assert.equal([r.code, r.stdout], [2, ''])
  assert.is(r.stderr, `memvirt iommu: ${proto}: field __proto__: unknown field (known: capabilities, steps, description, fctl, memory)\n`)
})
test('JSON nested 100 deep: one line with line and column (the bracket that would open level 65), exit 2', async () => {
  const r = await runs.deep
  assert.equal([r.code, r.stdout], [2, ''])
  // line 2 is `"steps": ` then the brackets: the outer object is level 1, so the 64th '[' (column 73) is refused
  assert.is(r.stderr, `memvirt iommu: ${deep}:2:73: malformed JSON: expected at most 64 nested lists and objects\n`)
})

test.run()

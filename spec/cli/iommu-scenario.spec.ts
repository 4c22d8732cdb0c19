// `memvirt iommu`'s raw scenario (README, "memvirt iommu"): decoded once at the edge, every bad field
// reported by its path in one line; fields the model cannot honour (unmodelled capabilities, fctl
// bits, memory outside RAM) refused rather than ignored.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isLeft, isRight } from 'fp-ts/lib/Either.js'
import { decodeIommuScenario, parseIommuScenario } from '../../src/cli/iommu-scenario.ts'

const CAPS = '0x1f8_070e_8e10'
const errorOf = (u: unknown): string => {
  const r = decodeIommuScenario(u)
  return isLeft(r) ? `${r.left.path}: ${r.left.message}` : 'decoded'
}

test('a minimal scenario decodes: capabilities and steps are required, fctl and memory optional', () => {
  const r = decodeIommuScenario({ capabilities: CAPS, steps: [{ op: 'read-register', offset: 0, size: 8 }] })
  assert.ok(isRight(r))
})
test('a missing required field is named by its path', () => {
  assert.match(errorOf({ capabilities: CAPS, steps: [{ op: 'translate', deviceId: 1, access: 'read', privileged: false, type: 'untranslated' }] }), /^scenario\.steps\[0\]\.iova: missing/)
})
test('an unknown field is an error (a misspelling is never ignored)', () => {
  assert.match(errorOf({ capabilities: CAPS, steps: [], fctrl: '0x0' }), /^scenario\.fctrl: unknown field/)
})
test('64-bit values are hex strings; a JSON number is refused', () => {
  assert.match(errorOf({ capabilities: CAPS, steps: [{ op: 'memory', addr: 2147483648, value: '0x1' }] }), /^scenario\.steps\[0\]\.addr: expected a hex string/)
})
test('register sizes are 4 or 8; access is read, write or execute; processId is 20 bits', () => {
  assert.match(errorOf({ capabilities: CAPS, steps: [{ op: 'read-register', offset: 0, size: 2 }] }), /steps\[0\]\.size: expected 4 or 8/)
  assert.match(errorOf({ capabilities: CAPS, steps: [{ op: 'translate', deviceId: 1, access: 'load', privileged: false, type: 'ats', iova: '0x0' }] }), /steps\[0\]\.access/)
  assert.match(errorOf({ capabilities: CAPS, steps: [{ op: 'translate', deviceId: 1, processId: 1 << 20, access: 'read', privileged: false, type: 'ats', iova: '0x0' }] }), /steps\[0\]\.processId/)
})
test('a capability the model does not implement (MSI_MRIF, bit 23) is refused by name', () => {
  assert.match(errorOf({ capabilities: '0x1f8_078e_8e10', steps: [] }), /^scenario\.capabilities: sets MSI_MRIF/)
})
test('fctl: BE is refused (big-endian is not modelled); WSI must agree with capabilities.IGS', () => {
  assert.match(errorOf({ capabilities: CAPS, fctl: '0x1', steps: [] }), /^scenario\.fctl/)
  assert.match(errorOf({ capabilities: CAPS, fctl: '0x2', steps: [] }), /^scenario\.fctl: WSI = 1 contradicts capabilities\.IGS = 0/)
})
test('memory words must be 8-byte aligned and in RAM', () => {
  assert.match(errorOf({ capabilities: CAPS, steps: [], memory: [{ addr: '0x1000', value: '0x0' }] }), /^scenario\.memory\[0\]\.addr/)
  assert.match(errorOf({ capabilities: CAPS, steps: [], memory: [{ addr: '0x8000_0004', value: '0x0' }] }), /^scenario\.memory\[0\]\.addr/)
})

test('malformed JSON is one line naming its line and column (no quoted text with newlines)', () => {
  // the comma at line 3, column 13 starts no value
  const r = parseIommuScenario('{\n  "capabilities": "0x1",\n  "steps": [,]\n}\n')
  assert.ok(isLeft(r))
  if (isLeft(r)) {
    assert.is(r.left.path, 'scenario:3:13')
    assert.not.match(`${r.left.path}: ${r.left.message}`, '\n')
  }
})

test('JSON nested thousands deep is refused as a value, not a stack overflow', () => {
  const r = parseIommuScenario('{"capabilities": ' + '['.repeat(5000) + ']'.repeat(5000) + ', "steps": []}')
  assert.ok(isLeft(r))
})

test('an unknown key with a newline is quoted in the path, so the message is one line', () => {
  const r = decodeIommuScenario({ capabilities: '0x0', steps: [], 'a\nb': 1 })
  assert.ok(isLeft(r) && r.left.path === 'scenario["a\\nb"]')
})

test.run()

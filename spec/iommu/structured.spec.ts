// The structured scenario form of `memvirt iommu` (README, "The structured form"): devices, their
// contexts and mappings by name, expanded to the raw programming interface. Each clause states where a
// request must land from the mappings alone (worked by hand), so the expansion is checked by the
// translation process it feeds ("Process to translate an IOVA", "Process to locate the Device-context",
// "… the Process-context"), and a structured scenario runs exactly as its printed raw expansion does.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isLeft } from 'fp-ts/lib/Either.js'
import { type IommuScenario, decodeIommuScenario, parseIommuScenario, rawScenarioText } from '../../src/cli/iommu-scenario.ts'
import { renderIommuScenario } from '../../src/cli/iommu.ts'
import { CACHE_POLICIES } from '../../src/iommu/caches.ts'
import { DEFAULT_OPTIONS, resetIommu } from '../../src/iommu/iommu.ts'
import { type Event, runSteps } from '../../src/iommu/steps.ts'
import { formatError } from '../../src/codec/index.ts'

const decode = (u: unknown): IommuScenario => {
  const r = decodeIommuScenario(u)
  if (isLeft(r)) throw new Error(formatError('s.json', r.left))
  return r.right
}
const errorOf = (u: unknown): string => {
  const r = decodeIommuScenario(u)
  return isLeft(r) ? formatError('s.json', r.left) : 'decoded'
}
const events = (u: unknown): readonly Event[] => {
  const s = decode(u)
  return runSteps(resetIommu(s.capabilities, s.fctl, DEFAULT_OPTIONS), s.memory, s.steps).events
}
const translations = (u: unknown): { status: string, pa?: bigint, cause?: number }[] =>
  events(u).flatMap((e) => e.op === 'translate'
    ? [{ status: e.outcome.response.status, ...(e.outcome.response.pa === undefined ? {} : { pa: e.outcome.response.pa }), ...(e.outcome.response.fault === undefined ? {} : { cause: e.outcome.response.fault.cause }) }]
    : [])

const m = (iova: string, to: string, size: string, perm: string, extra: object = {}): object => ({ iova, to, size, perm, ...extra })
const read = (device: string, iova: string, extra: object = {}): object => ({ op: 'translate', device, access: 'read', iova, ...extra })

test('Sv39 first stage (iosatp): a 4 KiB and a 2 MiB mapping send IOVAs to `to` + offset; an unmapped IOVA is a read page fault (13)', () => {
  const r = translations({
    devices: [{ name: 'nic', deviceId: 5, firstStage: { mode: 'Sv39', mappings: [m('0x4000_0000', '0x8030_0000', '4KiB', 'rw'), m('0x4020_0000', '0x8040_0000', '2MiB', 'r')] } }],
    steps: [read('nic', '0x4000_0abc'), read('nic', '0x4021_2345'), read('nic', '0x4000_1000')],
  })
  assert.equal(r, [{ status: 'success', pa: 0x8030_0abcn }, { status: 'success', pa: 0x8041_2345n }, { status: 'unsupported-request', cause: 13 }])
})

test('Sv48 and Sv57 first stages: the same mapping lands at the same place (one table per level more)', () => {
  for (const mode of ['Sv48', 'Sv57']) {
    const r = translations({ devices: [{ name: 'd', deviceId: 1, firstStage: { mode, mappings: [m('0x7f_c000_0000', '0xc000_0000', '1GiB', 'rw')] } }], steps: [read('d', '0x7f_c012_3456')] })
    assert.equal(r, [{ status: 'success', pa: 0xc012_3456n }], mode)
  }
})

test('two stages: IOVA → GPA by the first stage, GPA → SPA by the G-stage (Sv39 over Sv39x4, Sv48x4, Sv57x4); a GPA the G-stage leaves unmapped is a load guest-page fault (21)', () => {
  for (const gmode of ['Sv39x4', 'Sv48x4', 'Sv57x4']) {
    const r = translations({
      devices: [{ name: 'gpu', deviceId: 0x101, gStage: { mode: gmode, gscid: 7, mappings: [m('0x0', '0x8080_0000', '2MiB', 'rw')] },
        firstStage: { mode: 'Sv39', pscid: 1, mappings: [m('0x1000', '0x2_0000', '4KiB', 'rw'), m('0x2000', '0x40_0000', '4KiB', 'rw')] } }],
      steps: [read('gpu', '0x1008'), read('gpu', '0x2010')],
    })
    assert.equal(r, [{ status: 'success', pa: 0x8082_0008n }, { status: 'unsupported-request', cause: 21 }], gmode)
  }
})

test('SADE with two stages: a write through a leaf with A = D = 0 sets both (the store to the first-stage PTE is an implicit write through the G-stage, which the table pages\' identity leaves allow)', () => {
  const ev = events({
    devices: [{ name: 'gpu', deviceId: 2, sade: true, gStage: { mode: 'Sv39x4', mappings: [m('0x0', '0x8080_0000', '2MiB', 'rw')] },
      firstStage: { mode: 'Sv39', mappings: [m('0x1000', '0x2_0000', '4KiB', 'rw', { accessed: false, dirty: false })] } }],
    steps: [{ op: 'translate', device: 'gpu', access: 'write', iova: '0x1008' }],
  })
  const pte = (0x2_0000n >> 12n) << 10n | 0x17n                       // V R W U, to GPA 0x2_0000
  assert.equal(ev.map((e) => e.op === 'memory-write' ? e.write.value : e.op === 'translate' ? e.outcome.response.pa : e.op), [0x8082_0008n, pte | 0xc0n])
})

test('PD8, PD17, PD20: each process translates through its own PC.fsc; a process_id the PDT does not hold is "PDT entry not valid" (266)', () => {
  for (const pdt of ['PD8', 'PD17', 'PD20']) {
    const big = pdt === 'PD8' ? 200 : pdt === 'PD17' ? 0x1_2345 : 0xf_2345
    const r = translations({
      devices: [{ name: 'acc', deviceId: 9, pdt, processes: [
        { processId: 1, firstStage: { mode: 'Sv39', mappings: [m('0x1000', '0x8050_0000', '4KiB', 'r')] } },
        { processId: big, firstStage: { mode: 'Sv39', mappings: [m('0x1000', '0x8060_0000', '4KiB', 'r')] } }] }],
      steps: [read('acc', '0x1004', { process: 1 }), read('acc', '0x1004', { process: big }), read('acc', '0x1004', { process: 2 })],
    })
    assert.equal(r, [{ status: 'success', pa: 0x8050_0004n }, { status: 'success', pa: 0x8060_0004n }, { status: 'unsupported-request', cause: 266 }], pdt)
  }
})

test('a device_id beyond 1LVL picks 2LVL, beyond 2LVL 3LVL ("device_id" split of the base format: 7/9/8 bits)', () => {
  for (const [id, mode] of [[127, 2n], [128, 3n], [0xffff, 3n], [0x1_0000, 4n]] as const) {
    const s = decode({ devices: [{ name: 'd', deviceId: id }], steps: [read('d', '0x8000_1000')] })
    const ddtp = s.steps.find((x) => x.op === 'write-register' && x.offset === 16)
    assert.is(ddtp?.op === 'write-register' ? ddtp.value & 0xfn : -1n, mode, `device ${id}`)
    assert.equal(translations({ devices: [{ name: 'd', deviceId: id }], steps: [read('d', '0x8000_1000')] }), [{ status: 'success', pa: 0x8000_1000n }])
  }
})

test('named commands: iotinval.vma with the device carries its GSCID and PSCID (GV = PSCV = 1); without, every field 0', () => {
  const s = decode({
    devices: [{ name: 'g', deviceId: 1, gStage: { mode: 'Sv39x4', gscid: 7, mappings: [] }, firstStage: { mode: 'Sv39', pscid: 3, mappings: [] } }],
    steps: [{ op: 'iotinval.vma', device: 'g', iova: '0x1000' }, { op: 'iotinval.vma' }, { op: 'iotinval.gvma', device: 'g' }, { op: 'iodir.inval_ddt', device: 'g' }, { op: 'iofence.c', addr: '0x8000_0000', data: 5 }],
  })
  const words = s.steps.filter((x) => x.op === 'command').map((x) => (x.op === 'command' ? x.words : [0n, 0n]))
  // IOTINVAL.VMA: opcode 1, AV bit 10, PSCID 31:12, PSCV 32, GV 33, GSCID 59:44; ADDR[63:12] in dw1 61:10.
  assert.equal(words[0], [1n | (1n << 10n) | (3n << 12n) | (1n << 32n) | (1n << 33n) | (7n << 44n), 1n << 10n])
  assert.equal(words[1], [1n, 0n])
  assert.equal(words[2], [1n | (1n << 7n) | (1n << 33n) | (7n << 44n), 0n])
  assert.equal(words[3], [3n | (1n << 33n) | (1n << 40n), 0n])
  assert.equal(words[4], [2n | (1n << 10n) | (5n << 32n), 0x8000_0000n >> 2n])
})

test('raw steps other than translate pass through a structured scenario unchanged', () => {
  const s = decode({ devices: [], steps: [{ op: 'read-register', offset: 0, size: 8 }, { op: 'memory', addr: '0x8000_0000', value: '0x5' }] })
  assert.equal(s.steps.slice(5), [{ op: 'read-register', offset: 0, size: 8 }, { op: 'memory', addr: 0x8000_0000n, value: 5n }])
})

test('bad structured input: one line naming the field', () => {
  const dev = (extra: object): object => ({ devices: [{ name: 'd', deviceId: 1, ...extra }], steps: [] })
  assert.is(errorOf(dev({ firstStage: { mode: 'Sv39', mappings: [m('0x1000', '0x8000_0000', '2MiB', 'r')] } })), 's.json: field devices[0].firstStage.mappings[0].iova: 0x1000 is not aligned to its size (2MiB)')
  assert.is(errorOf(dev({ firstStage: { mode: 'Sv39', mappings: [m('0x0', '0x8000_0000', '2MiB', 'r'), m('0x1000', '0x8000_0000', '4KiB', 'r')] } })), 's.json: field devices[0].firstStage.mappings[1].iova: 0x1000 overlaps an earlier mapping')
  assert.is(errorOf(dev({ firstStage: { mode: 'Sv39', mappings: [m('0x0', '0x8000_0000', '512GiB', 'r')] } })), 's.json: field devices[0].firstStage.mappings[0].size: 512GiB is larger than the biggest page Sv39 maps')
  assert.match(errorOf(dev({ firstStage: { mode: 'Sv39', mappings: [m('0x0', '0x8000_0000', '4KiB', 'w')] } })), /^s\.json: field devices\[0\]\.firstStage\.mappings\[0\]\.perm: expected one of "r", "rw", "x", "rx", "rwx", got "w"$/)
  assert.is(errorOf(dev({ firstStage: { mode: 'Sv39', mappings: [] }, processes: [] })), 's.json: field devices[0].processes: a device has either firstStage (iosatp) or processes (a PDT), not both')
  assert.is(errorOf(dev({ gStage: { mode: 'Sv39x4', mappings: [m('0x8000_0000', '0x8000_0000', '1GiB', 'rw')] }, firstStage: { mode: 'Sv39', mappings: [] } })),
    's.json: field devices[0].gStage.mappings[0].iova: covers the first-stage table page at GPA 0x80103000 (tables sit at GPA = SPA; move `tables` or this mapping)')
  assert.is(errorOf({ devices: [{ name: 'a', deviceId: 1 }, { name: 'b', deviceId: 1 }], steps: [] }), 's.json: field devices[1].deviceId: 1 is the deviceId of devices[0] too')
  assert.is(errorOf({ devices: [{ name: 'a', deviceId: 200 }], ddt: '1LVL', steps: [] }), 's.json: field devices[0].deviceId: 200 is wider than a 1LVL directory holds')
  assert.is(errorOf({ devices: [{ name: 'a', deviceId: 1 }], steps: [read('b', '0x0')] }), 's.json: field steps[0].device: no device is named "b" (have: a)')
  assert.match(errorOf({ devices: [], steps: [{ op: 'translate', deviceId: 1, access: 'read', privileged: false, type: 'untranslated', iova: '0x0' }] }), /^s\.json: field steps\[0\]\.deviceId: unknown field/)
  assert.is(errorOf({ devices: [], faultQueue: { entries: 6 }, steps: [] }), 's.json: field faultQueue.entries: expected a power of two from 2, got 6')
})

test('interrupts section: icvec, each message\'s msi_addr/msi_data/msi_vec_ctl at 768 + 16·vector, and fie/cie, written before the queues are turned on', () => {
  const s = decode({ interrupts: { vectors: { cip: 2, fip: 3 }, msi: [{ vector: 3, addr: '0x8090_0010', data: 7, masked: true }], commandQueue: false }, devices: [], steps: [] })
  const regs = s.steps.flatMap((st) => (st.op === 'write-register' ? [[st.offset, st.value] as const] : []))
  assert.equal(regs.slice(0, 4), [[760, 0x32n], [816, 0x8090_0010n], [824, 7n], [828, 1n]])
  assert.equal(regs.filter(([o]) => o === 76 || o === 72), [[76, 3n], [72, 1n]])    // fie on (default), cie off
  assert.is(errorOf({ interrupts: { msi: [{ vector: 1, addr: '0x8090_0002', data: 0 }] }, devices: [], steps: [] }), 's.json: field interrupts.msi[0].addr: an MSI address is 4-byte aligned (msi_addr bits 1:0 are 0), got 0x80900002')
  assert.is(errorOf({ interrupts: { msi: [{ vector: 1, addr: '0x0', data: 0 }, { vector: 1, addr: '0x4', data: 0 }] }, devices: [], steps: [] }), 's.json: field interrupts.msi[1].vector: vector 1 is given twice')
  assert.match(errorOf({ interrupts: { vectors: { fip: 16 } }, devices: [], steps: [] }), /^s\.json: field interrupts\.vectors\.fip: /)
})

// ---- the structured form runs exactly as its raw expansion -----------------------------------------------

const STRUCTURED = fileURLToPath(new URL('../../golden/iommu/structured.json', import.meta.url))

// Processes, privileged ATS requests and every raw step kind, for the raw printer's every field.
const PROCESSES = JSON.stringify({
  description: 'a PD17 device with two processes', ddt: '2LVL', tables: '0x8800_0000', faultQueue: { entries: 4 }, commandQueue: { base: '0x8900_0000', entries: 8 },
  devices: [{ name: 'acc', deviceId: 3, ats: true, dtf: false, pdt: 'PD17', gStage: { mode: 'Sv48x4', gscid: 2, mappings: [m('0x0', '0x8a00_0000', '2MiB', 'rwx')] },
    processes: [{ processId: 0x1_0001, ens: true, sum: true, firstStage: { mode: 'Sv48', pscid: 9, mappings: [m('0x5000', '0x1000', '4KiB', 'rwx', { user: false, global: true, pbmt: 1 })] } }, { processId: 4 }] }],
  memory: [{ addr: '0x8b00_0000', value: '0x1' }],
  steps: [read('acc', '0x5008', { process: 0x1_0001, privileged: true, type: 'ats' }), read('acc', '0x5008', { process: 4 }), { op: 'write-register', offset: 84, size: 4, value: '0x3' },
    { op: 'read-register', offset: 52, size: 4 }, { op: 'memory', addr: '0x8b00_0008', value: '0x2' }, { op: 'command', words: ['0x5', '0x0'] },
    { op: 'iodir.inval_pdt', device: 'acc', process: 4 }, { op: 'iotinval.gvma', device: 'acc', gpa: '0x5000' }, { op: 'iotinval.vma', device: 'acc', process: 0x1_0001 }],
})

test('a structured scenario and its printed raw expansion give identical output (text and JSON, every cache policy)', () => {
  for (const [name, text] of [['structured.json', readFileSync(STRUCTURED, 'utf8')], ['processes.json', PROCESSES]] as const) {
    const s = parseIommuScenario(text, name)
    if (isLeft(s)) throw new Error(s.left)
    const raw = parseIommuScenario(rawScenarioText(s.right.raw), 'raw.json')
    if (isLeft(raw)) throw new Error(raw.left)
    assert.equal(raw.right.raw, s.right.raw, name)
    for (const cache of CACHE_POLICIES) {
      for (const format of ['text', 'json'] as const) assert.is(renderIommuScenario(raw.right, format, cache), renderIommuScenario(s.right, format, cache), `${name} ${format} ${cache}`)
    }
  }
})

const root = fileURLToPath(new URL('../../', import.meta.url))
interface Run { code: number; stdout: string; stderr: string }
const memvirt = (args: readonly string[]): Promise<Run> => new Promise((resolve) => {
  execFile(process.execPath, [join(root, 'src/cli/bin.mjs'), 'iommu', ...args], { cwd: root, encoding: 'utf8' }, (err, stdout, stderr) =>
    resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr }))
})

test('the shell: --print-raw prints the expansion, which `memvirt iommu` runs to the same output; bad input is one line, exit 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'memvirt-structured-'))
  const printed = await memvirt([STRUCTURED, '--print-raw'])
  assert.is(printed.code, 0)
  const rawFile = join(dir, 'raw.json')
  writeFileSync(rawFile, printed.stdout)
  const [a, b] = await Promise.all([memvirt([STRUCTURED, '--json', '--cache', 'refmodel']), memvirt([rawFile, '--json', '--cache', 'refmodel'])])
  assert.is(a.code, 0)
  assert.is(b.stdout, a.stdout)
  const bad = join(dir, 'bad.json')
  writeFileSync(bad, JSON.stringify({ devices: [{ name: 'd', deviceId: 1, firstStage: { mode: 'Sv39', mappings: [m('0x1000', '0x8000_0000', '2MiB', 'r')] } }], steps: [] }))
  const e = await memvirt([bad, '--print-raw'])
  assert.is(e.code, 2)
  assert.is(e.stdout, '')
  assert.is(e.stderr, `memvirt iommu: ${bad}: field devices[0].firstStage.mappings[0].iova: 0x1000 is not aligned to its size (2MiB)\n`)
})

test('page requests in the structured form: pri/prpr set tc.EN_PRI/PRPR, pageRequestQueue is allocated after the command queue and turned on, and a request\'s R/W/L/group/page become its payload', () => {
  const u = {
    devices: [{ name: 'nic', deviceId: 3, ats: true, pri: true, prpr: true }],
    pageRequestQueue: { entries: 4 },
    steps: [
      { op: 'page-request', device: 'nic', process: 9, write: true, group: 5, page: '0x4000_2000' },
      { op: 'page-request', device: 'nic', read: false, last: true, page: '0x0' },
      { op: 'ats.prgr', device: 'nic', process: 9, group: 5, response: 'invalid-request' },
      { op: 'ats.inval', device: 'nic', iova: '0x4000_2000' },
    ],
  }
  const s = decode(u)
  // Allocation: DDT root 0x8010_0000, fault queue 0x8010_1000 (64 × 32 bytes), command queue 0x8010_2000 (64 × 16), PQ 0x8010_3000 (4 × 16).
  assert.ok(s.steps.some((st) => st.op === 'write-register' && st.offset === 56 && st.value === (1n | ((0x8010_3000n >> 12n) << 10n))))
  assert.ok(s.steps.some((st) => st.op === 'write-register' && st.offset === 80 && st.value === 1n))
  // DC of device 3 at 0x8010_0000 + 3·32: tc = V | EN_ATS | EN_PRI | PRPR = 0x47.
  assert.equal(s.raw.memory.find((w) => w.addr === 0x8010_0060n)?.value, 0x47n)
  const e = events(u)
  // R = 1, W = 1, L = 1 (default), group 5 → payload 0x4000_2000 | 5·8 | 7 = 0x4000_202f; queued at index 0 of the PQ.
  const queued = e.flatMap((x) => (x.op === 'page-request' && x.outcome.queued !== undefined ? [x.outcome.queued.record.payload] : []))
  assert.equal(queued, [0x4000_202fn, 0x4n])                       // the second is a Stop Marker (L alone), queued too
  const msgs = e.flatMap((x) => (x.op === 'ats-message' ? [[x.message.message, x.message.rid, x.message.pv, x.message.pid, x.message.payload]] : []))
  assert.equal(msgs, [['page-request-group-response', 3, true, 9, (5n << 32n) | (1n << 44n)], ['invalidation-request', 3, false, 0, 0x4000_2000n]])
})

test('pri without ats, and prpr without pri, are refused at their fields', () => {
  assert.is(errorOf({ devices: [{ name: 'a', deviceId: 1, pri: true }], steps: [] }), 's.json: field devices[0].pri: EN_PRI needs ats (EN_ATS)')
  assert.is(errorOf({ devices: [{ name: 'a', deviceId: 1, ats: true, prpr: true }], steps: [] }), 's.json: field devices[0].prpr: PRPR needs pri (EN_PRI)')
})

test.run()

// The `memvirt gdbserver` shell over a real socket (GDB manual, "Remote Protocol" › "Overview", "Packet
// Acknowledgment"): it listens on 127.0.0.1 only, acknowledges packets with + and bad checksums with -,
// refuses a packet over PacketSize with an error reply, refuses a second client while one is attached,
// and exits when the client detaches. A port it cannot take is one line on stderr, exit 2.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type ChildProcess, spawn } from 'node:child_process'
import { connect, type Socket } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))
const bin = join(root, 'src/cli/bin.mjs')
const elf = join(root, 'golden/programs/sv39.elf')

interface Stub { readonly stub: ChildProcess; readonly port: number; readonly line: string }
const startStub = (port = '0'): Promise<Stub> => new Promise((resolve, reject) => {
  const stub = spawn(process.execPath, [bin, 'gdbserver', elf, '--isa', 'rv64ima_zicsr', '--port', port], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  stub.stdout.on('data', (d: Buffer) => {
    out += d.toString()
    const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out)
    if (m !== null) resolve({ stub, port: Number(m[1]), line: out.trim() })
  })
  stub.on('exit', (code) => reject(new Error(`exited ${code}`)))
})

const exitOf = (p: ChildProcess): Promise<number | null> =>
  new Promise((resolve) => { if (p.exitCode !== null) resolve(p.exitCode); else p.on('exit', (c) => resolve(c)) })

/** A client that collects what the stub sends. */
const client = (port: number): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> => new Promise((resolve) => {
  let data = ''
  const socket = connect(port, '127.0.0.1', () => resolve({ socket, received: () => data, closed }))
  const closed = new Promise<void>((r) => socket.on('close', () => r()))
  socket.on('data', (d: Buffer) => { data += d.toString('latin1') })
})
const until = async (f: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !f(); i++) await new Promise((r) => setTimeout(r, 25))
}
const frame = (data: string): string => {
  let sum = 0
  for (const c of data) sum = (sum + c.charCodeAt(0)) & 0xff
  return `$${data}#${sum.toString(16).padStart(2, '0')}`
}

test('one client on 127.0.0.1: acks, - on a bad checksum, E01 for a packet over PacketSize, a second client refused, exit on detach', async () => {
  const { stub, port, line } = await startStub()
  assert.match(line, /listening on 127\.0\.0\.1:\d+/)
  const a = await client(port)
  a.socket.write(frame('?'))
  await until(() => a.received().includes('$S05'))
  assert.is(a.received(), `+${frame('S05')}`)
  // a second client is refused while the first is attached: closed without a byte
  const b = await client(port)
  await b.closed
  assert.is(b.received(), '')
  a.socket.write('$?#00')
  await until(() => a.received().endsWith('-'))
  assert.ok(a.received().endsWith('-'))
  a.socket.write(frame('qSupported:' + 'x'.repeat(0x4000)))            // answered with the features if it fitted
  await until(() => a.received().includes('E01'))
  assert.ok(a.received().endsWith(`+${frame('E01')}`))
  a.socket.write(frame('D'))
  await a.closed
  assert.ok(a.received().endsWith(`+${frame('OK')}`))
  assert.is(await exitOf(stub), 0)
})

test('a port already taken → one line on stderr, exit 2', async () => {
  const first = await startStub()
  const second = spawn(process.execPath, [bin, 'gdbserver', elf, '--port', String(first.port)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  let err = ''
  second.stderr.on('data', (d: Buffer) => { err += d.toString() })
  assert.is(await exitOf(second), 2)
  assert.is(err.trim().split('\n').length, 1)
  assert.match(err, /--port \d+: cannot listen on 127\.0\.0\.1 \(EADDRINUSE\)/)
  first.stub.kill()
  await exitOf(first.stub)
})

test.run()

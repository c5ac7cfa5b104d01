#!/usr/bin/env node
// Independent verifier of the AI-HUB audit ledger. Plain Node.js (>= 20), no dependencies, no project code:
// it trusts nothing but a checkpoint you kept earlier (and, optionally, the public key you were given).
//
//   npm run audit:verify -- --url https://aihub.example.org --from-checkpoint trusted.json [--export range.ndjson]
//
//   --url URL               the platform (its /api/v1 is appended unless present)
//   --from-checkpoint X     a checkpoint you trust: a file, or the JSON itself ({treeSize, rootHash, at, signature, publicKey})
//   --export FILE           an export (GET /api/v1/audit/export) to check entry by entry
//   --public-key BASE64     pin the signer's raw Ed25519 public key (default: the trusted checkpoint's key)
//   --save-checkpoint FILE  after success, write the verified latest checkpoint there (your next --from-checkpoint)
//   --json                  print a JSON report instead of text
//
// Checks: the latest checkpoint's Ed25519 signature; that it extends the trusted checkpoint (RFC 9162
// consistency proof); and for an export: every event's leaf hash recomputed from its JSON
// (SHA-256(0x00 || JCS(event without leafHash)), RFC 8785), its inclusion proof against the export's signed
// checkpoint, and that checkpoint's consistency with the latest one. Exit code 0 = verified, 1 = a check
// failed, 2 = usage or network error.
import { Buffer } from 'node:buffer';
import { createHash, createPublicKey, verify as verifySignature } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const CONTEXT = 'aihub-audit-checkpoint/v1';
const EXPORT_FORMAT = 'aihub-audit-export/v1';
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

class UsageError extends Error {}

// ---------------------------------------------------------------------------------------------- arguments
function parseArgs(argv) {
  const opts = { json: false };
  const takes = {
    '--url': 'url',
    '--from-checkpoint': 'fromCheckpoint',
    '--export': 'exportFile',
    '--public-key': 'publicKey',
    '--save-checkpoint': 'saveCheckpoint',
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') opts.json = true;
    else if (arg === '--help' || arg === '-h') opts.help = true;
    else if (takes[arg]) {
      if (i + 1 >= argv.length) throw new UsageError(`${arg} needs a value`);
      opts[takes[arg]] = argv[++i];
    } else if (arg.includes('=') && takes[arg.slice(0, arg.indexOf('='))]) {
      opts[takes[arg.slice(0, arg.indexOf('='))]] = arg.slice(arg.indexOf('=') + 1);
    } else throw new UsageError(`unknown argument ${arg}`);
  }
  if (!opts.help && !opts.url) throw new UsageError('--url is required');
  return opts;
}

// --------------------------------------------------------------------------- RFC 8785 canonical JSON (JCS)
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function jcs(value) {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('JCS: non-finite number');
    return String(value); // ECMAScript Number::toString, as RFC 8785 §3.2.2.3 requires; -0 gives "0"
  }
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value)) throw new TypeError('JCS: lone surrogate');
    return JSON.stringify(value); // escapes exactly ", \ and U+0000..U+001F (lowercase hex)
  }
  if (Array.isArray(value)) return `[${value.map(jcs).join(',')}]`;
  if (typeof value === 'object') {
    // member names compared as UTF-16 code unit sequences
    const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${keys.map((k) => `${jcs(k)}:${jcs(value[k])}`).join(',')}}`;
  }
  throw new TypeError(`JCS: ${typeof value} is not JSON`);
}

// ------------------------------------------------------------------------------ RFC 9162 Merkle hashing
const sha256 = (...parts) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const leafHashOf = (event) => sha256(Buffer.from([0]), Buffer.from(jcs(event), 'utf8'));
const nodeHash = (l, r) => sha256(Buffer.from([1]), l, r);
const odd = (n) => n % 2 === 1;
const half = (n) => Math.floor(n / 2);

/** RFC 9162 §2.1.3.2 */
function verifyInclusion(index, size, leaf, proof, root) {
  if (!(index >= 0 && index < size)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && r.equals(root);
}

/** RFC 9162 §2.1.4.2 (equal sizes: empty proof and equal roots) */
function verifyConsistency(first, second, firstRoot, secondRoot, proof) {
  if (!(first >= 1 && first <= second)) return false;
  if (first === second) return proof.length === 0 && firstRoot.equals(secondRoot);
  if (proof.length === 0) return false;
  const path = Number.isInteger(Math.log2(first)) ? [firstRoot, ...proof] : proof;
  let fn = first - 1;
  let sn = second - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && fr.equals(firstRoot) && sr.equals(secondRoot);
}

// ------------------------------------------------------------------------------------------- checkpoints
const HEX32 = /^[0-9a-f]{64}$/;
const unhex = (h) => {
  if (typeof h !== 'string' || !HEX32.test(h)) throw new Error(`not a 32-byte hex hash: ${String(h)}`);
  return Buffer.from(h, 'hex');
};

function checkCheckpointShape(c, what) {
  const ok =
    c &&
    Number.isSafeInteger(c.treeSize) &&
    c.treeSize >= 1 &&
    typeof c.rootHash === 'string' &&
    HEX32.test(c.rootHash) &&
    typeof c.at === 'string' &&
    typeof c.signature === 'string' &&
    typeof c.publicKey === 'string';
  if (!ok) throw new Error(`${what} is not a checkpoint ({treeSize, rootHash, at, signature, publicKey})`);
}

/** Ed25519 over "aihub-audit-checkpoint/v1\n<treeSize>\n<rootHash>\n<at>\n" */
function checkpointSignatureValid(c) {
  const raw = Buffer.from(c.publicKey, 'base64');
  const signature = Buffer.from(c.signature, 'base64');
  if (raw.length !== 32 || signature.length !== 64) return false;
  const key = createPublicKey({
    key: Buffer.concat([SPKI_ED25519_PREFIX, raw]),
    format: 'der',
    type: 'spki',
  });
  const message = Buffer.from(`${CONTEXT}\n${c.treeSize}\n${c.rootHash}\n${c.at}\n`, 'utf8');
  return verifySignature(null, message, key, signature);
}

function loadCheckpointArg(value) {
  const text = existsSync(value) ? readFileSync(value, 'utf8') : value;
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError('--from-checkpoint is neither a readable file nor checkpoint JSON');
  }
  // accept a saved checkpoint, or an export's checkpoint line
  return parsed && parsed.type === 'checkpoint' ? parsed.checkpoint : parsed;
}

// ------------------------------------------------------------------------------------------------- HTTP
function apiBase(url) {
  const u = url.replace(/\/+$/, '');
  return /\/api\/v1$/.test(u) ? u : `${u}/api/v1`;
}

async function getJson(base, path) {
  let res;
  try {
    res = await fetch(`${base}${path}`, { headers: { accept: 'application/json' } });
  } catch (err) {
    throw new UsageError(`cannot reach ${base}${path}: ${err.message}`);
  }
  const body = await res.json().catch(() => undefined);
  if (!res.ok) {
    throw new Error(
      `${path} answered ${res.status}${body?.code ? ` ${body.code}` : ''}: ${body?.detail ?? ''}`,
    );
  }
  return body;
}

async function consistent(base, from, to) {
  if (from.treeSize === to.treeSize) return { ok: from.rootHash === to.rootHash, hashes: 0 };
  const p = await getJson(base, `/audit/proofs/consistency?from=${from.treeSize}&to=${to.treeSize}`);
  const ok = verifyConsistency(
    from.treeSize,
    to.treeSize,
    unhex(from.rootHash),
    unhex(to.rootHash),
    p.proof.map(unhex),
  );
  return { ok, hashes: p.proof.length };
}

// -------------------------------------------------------------------------------------------------- main
async function run(opts) {
  const report = { ok: true, checks: [] };
  const pass = (name, detail) => report.checks.push({ name, ok: true, detail });
  const fail = (name, detail) => {
    report.ok = false;
    report.checks.push({ name, ok: false, detail });
  };
  const base = apiBase(opts.url);

  const trusted = opts.fromCheckpoint ? loadCheckpointArg(opts.fromCheckpoint) : undefined;
  if (trusted) checkCheckpointShape(trusted, '--from-checkpoint');
  const pinnedKey = opts.publicKey ?? trusted?.publicKey;

  const latest = await getJson(base, '/audit/checkpoints/latest');
  checkCheckpointShape(latest, 'the latest checkpoint');
  report.latest = latest;
  const keyNote = pinnedKey ? '' : ' (no trusted checkpoint or key given: trusting the key it names)';
  if (!checkpointSignatureValid(latest))
    fail('latest checkpoint signature', `invalid signature on treeSize ${latest.treeSize}`);
  else if (pinnedKey && latest.publicKey !== pinnedKey)
    fail(
      'latest checkpoint signature',
      `signed by key ${latest.publicKey}, not the trusted key ${pinnedKey}`,
    );
  else
    pass(
      'latest checkpoint signature',
      `treeSize ${latest.treeSize}, root ${latest.rootHash}, at ${latest.at}, key ${latest.publicKey}${keyNote}`,
    );
  const key = pinnedKey ?? latest.publicKey;

  if (trusted) {
    if (!checkpointSignatureValid(trusted) || trusted.publicKey !== key) {
      fail('trusted checkpoint', 'its signature does not verify with the trusted key');
    } else if (trusted.treeSize > latest.treeSize) {
      fail('consistency', `the log shrank: trusted treeSize ${trusted.treeSize} > latest ${latest.treeSize}`);
    } else {
      const c = await consistent(base, trusted, latest);
      if (c.ok)
        pass('consistency', `treeSize ${trusted.treeSize} -> ${latest.treeSize} (${c.hashes} proof hashes)`);
      else
        fail(
          'consistency',
          `latest treeSize ${latest.treeSize} does not extend trusted treeSize ${trusted.treeSize}`,
        );
    }
  }

  if (opts.exportFile) await checkExport(opts.exportFile, base, latest, key, pass, fail);

  if (report.ok && opts.saveCheckpoint)
    writeFileSync(opts.saveCheckpoint, `${JSON.stringify(latest, null, 2)}\n`);
  return report;
}

async function checkExport(file, base, latest, key, pass, fail) {
  const name = `export ${file}`;
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  let header;
  let checkpoint;
  let end;
  const events = new Map();
  const inclusions = new Map();
  for (const [n, text] of lines.entries()) {
    let line;
    try {
      line = JSON.parse(text);
    } catch {
      return fail(name, `line ${n + 1} is not JSON`);
    }
    if (line.type === 'header') header = line;
    else if (line.type === 'event') events.set(line.event?.index, line.event);
    else if (line.type === 'checkpoint') checkpoint = line.checkpoint;
    else if (line.type === 'inclusion') inclusions.set(line.index, line);
    else if (line.type === 'end') end = line;
    else return fail(name, `line ${n + 1} has an unknown type ${String(line.type)}`);
  }
  if (!header || header.format !== EXPORT_FORMAT)
    return fail(name, `not an ${EXPORT_FORMAT} export (no header)`);
  if (!end) return fail(name, 'truncated: no end line');
  if (!checkpoint) return fail(name, 'no checkpoint line');
  checkCheckpointShape(checkpoint, 'the export checkpoint');
  if (!checkpointSignatureValid(checkpoint) || checkpoint.publicKey !== key)
    return fail(name, `its checkpoint (treeSize ${checkpoint.treeSize}) is not signed by the trusted key`);
  if (checkpoint.treeSize > latest.treeSize) return fail(name, 'its checkpoint is newer than the latest one');
  const c = await consistent(base, checkpoint, latest);
  if (!c.ok)
    return fail(name, `its checkpoint (treeSize ${checkpoint.treeSize}) is not consistent with the latest`);

  const root = unhex(checkpoint.rootHash);
  const bad = [];
  for (let index = header.fromIndex; index < header.toIndex; index++) {
    const event = events.get(index);
    const inclusion = inclusions.get(index);
    if (!event) {
      bad.push(`index ${index}: event missing`);
      continue;
    }
    const { leafHash, ...hashed } = event;
    let computed;
    try {
      computed = leafHashOf(hashed);
    } catch (err) {
      bad.push(`index ${index}: ${err.message}`);
      continue;
    }
    if (computed.toString('hex') !== leafHash) {
      bad.push(`index ${index}: the event does not hash to its leafHash`);
    } else if (!inclusion || inclusion.leafHash !== leafHash || inclusion.treeSize !== checkpoint.treeSize) {
      bad.push(`index ${index}: no inclusion proof for this leaf`);
    } else if (!verifyInclusion(index, checkpoint.treeSize, computed, inclusion.proof.map(unhex), root)) {
      bad.push(`index ${index}: the inclusion proof does not lead to the signed root`);
    }
    if (bad.length >= 20) break;
  }
  const expected = header.toIndex - header.fromIndex;
  if (events.size !== expected || end.events !== expected) {
    bad.push(`expected ${expected} events, found ${events.size} (end line says ${end.events})`);
  }
  if (bad.length) return fail(name, bad.join('; '));
  pass(
    name,
    `${expected} events [${header.fromIndex}, ${header.toIndex}): every leaf hash recomputed and included in ` +
      `signed treeSize ${checkpoint.treeSize}, consistent with the latest`,
  );
}

function printText(report) {
  for (const c of report.checks) console.log(`${c.ok ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`);
  console.log(report.ok ? 'OK: the audit ledger verifies' : 'FAILED: the audit ledger does not verify');
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(
      `${err.message}\nusage: npm run audit:verify -- --url URL [--from-checkpoint FILE|JSON] [--export FILE]`,
    );
    return 2;
  }
  if (opts.help) {
    const usage = readFileSync(new URL(import.meta.url), 'utf8')
      .split('\n')
      .slice(1, 22);
    console.log(usage.map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
    return 0;
  }
  try {
    const report = await run(opts);
    if (opts.json) console.log(JSON.stringify(report, null, 2));
    else printText(report);
    return report.ok ? 0 : 1;
  } catch (err) {
    if (opts.json) console.log(JSON.stringify({ ok: false, error: err.message }, null, 2));
    else console.error(`${err instanceof UsageError ? 'ERROR' : 'FAILED'}: ${err.message}`);
    return err instanceof UsageError ? 2 : 1;
  }
}

process.exitCode = await main();

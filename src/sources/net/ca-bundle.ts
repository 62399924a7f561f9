/**
 * A CA bundle named by a user setting (AWS_CA_BUNDLE, PIP_CERT, pip.conf `cert`…): read once, checked to
 * hold PEM certificates, and handed to node's TLS as `ca`. Like the aws CLI (botocore's `verify` is the
 * bundle's path, given to urllib3 as its CA file) and pip (`--cert`: "overrides the default"), the bundle
 * REPLACES the built-in trust store for the calls it applies to; NODE_EXTRA_CA_CERTS is node's own way to
 * add to it instead, and keeps working.
 */
import { homedir } from "node:os";
import { isAbsolute, resolve } from "node:path";
import { createSecureContext, type SecureContext } from "node:tls";
import { UsageError } from "../../errors.js";
import { inputDeadline, MIB, readInput } from "../../input/read-input.js";

/** A CA bundle's size limit: a system-wide bundle is ~220 kB (140 certificates); 4 MiB is ~20 of them. */
export const MAX_CA_BUNDLE_BYTES = 4 * MIB;

export interface CaBundle {
  /** The file, as the setting names it (~ expanded). */
  path: string;
  /** Where the path came from, as a user sets it: "AWS_CA_BUNDLE", "ca_bundle of profile dev in ~/.aws/config". */
  from: string;
  /** The PEM text, for `ca` in tls.connect. */
  pem: string;
}

/** `~/x` → $HOME/x (botocore and pip expand `~`); relative paths from the working directory. */
export function expandPath(path: string, env: NodeJS.ProcessEnv = process.env): string {
  const p = path.trim();
  const home = env.HOME || homedir();
  const expanded = p === "~" ? home : p.startsWith("~/") ? `${home}${p.slice(1)}` : p;
  return isAbsolute(expanded) ? expanded : resolve(expanded);
}

const PEM_CERT = /-----BEGIN (?:TRUSTED )?CERTIFICATE-----/;

/**
 * Read the bundle a setting names. A file that cannot be read, or holds no PEM certificate, is the user's
 * setting at fault: a UsageError naming it (exit 2), not a TLS failure on every call.
 */
export async function readCaBundle(
  path: string,
  from: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CaBundle> {
  const file = expandPath(path, env);
  let pem: string;
  try {
    // Bounded like every input (issue 26): a FIFO or /dev/zero named as the bundle ends with words.
    pem = (
      await readInput(file, {
        flag: from,
        what: "a CA bundle",
        maxBytes: MAX_CA_BUNDLE_BYTES,
        limitName: "MAX_CA_BUNDLE_BYTES",
        ...inputDeadline(),
      })
    ).toString("latin1");
  } catch (e) {
    const os = (e as { cause?: NodeJS.ErrnoException }).cause ?? (e as NodeJS.ErrnoException);
    // Over the size or time limit: readInput's words (the limit named) stand.
    if (e instanceof UsageError && !os.code) throw e;
    const code = os.code ?? (e as Error).message;
    throw new UsageError(`${from}: cannot read the CA bundle ${file} (${code})`, from);
  }
  if (!PEM_CERT.test(pem))
    throw new UsageError(
      `${from}: ${file} holds no PEM certificate (expected "-----BEGIN CERTIFICATE-----" blocks)`,
      from,
    );
  return { path: file, from, pem };
}

/**
 * The bundle as a TLS context, made once per bundle text for the process: parsing a system-sized bundle
 * (~140 certificates, 220 kB) takes ~85 ms, and `ca` in a connection's options would pay it on every new
 * connection (node builds a context per tls.connect). Agents and requests take `secureContext` instead.
 */
const contexts = new Map<string, SecureContext>();
export function caSecureContext(bundle: CaBundle): SecureContext {
  let c = contexts.get(bundle.pem);
  if (!c) {
    c = createSecureContext({ ca: bundle.pem });
    if (contexts.size > 8) contexts.clear();
    contexts.set(bundle.pem, c);
  }
  return c;
}

/**
 * A CA bundle and pip's config files are inputs like any other (issue 26): /dev/zero named as a bundle ends
 * at once with the limit named, and never fills the heap; a pip.conf that is a device is skipped, as pip
 * skips a file it cannot use.
 */
import { describe, expect, it } from "vitest";
import { MAX_CA_BUNDLE_BYTES, readCaBundle } from "../../../src/sources/net/ca-bundle.js";
import { pipCaSetting } from "../../../src/sources/net/pip-ca.js";
import { UsageError } from "../../../src/errors.js";

describe("CA bundle inputs are bounded", () => {
  it("AWS_CA_BUNDLE=/dev/zero: exit-2 words naming the setting and MAX_CA_BUNDLE_BYTES, at once", async () => {
    const started = Date.now();
    const e = await readCaBundle("/dev/zero", "AWS_CA_BUNDLE").catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).toMatch(/^AWS_CA_BUNDLE \/dev\/zero: .*MAX_CA_BUNDLE_BYTES/);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(MAX_CA_BUNDLE_BYTES).toBeGreaterThan(220_000 * 4);
  });

  it("a missing file keeps its words", async () => {
    await expect(readCaBundle("/nonexistent/ca.pem", "PIP_CERT")).rejects.toThrow(
      /^PIP_CERT: cannot read the CA bundle \/nonexistent\/ca\.pem \(ENOENT\)/,
    );
  });

  it("PIP_CONFIG_FILE=/dev/zero is skipped, not read forever", async () => {
    const started = Date.now();
    const s = await pipCaSetting({ HOME: "/nonexistent", PIP_CONFIG_FILE: "/dev/zero" });
    // (this machine's /etc/pip.conf may name one: what matters is that /dev/zero is not it)
    expect(s?.from ?? "").not.toContain("/dev/zero");
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

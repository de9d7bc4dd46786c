// Credentials from the Node edge: refreshed ahead of expiry (a wait outlives a session), and AWS's own chain.
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { awsCredentialChain, REFRESH_BEFORE_EXPIRY_MS, refreshing } from "../../src/node/index.ts";
import { clientFor } from "../support/client.ts";
import { fakeClock } from "../support/fake-clock.ts";
import { startVerifyingServer, TEST_CREDENTIALS, type VerifyingServer } from "../support/verifying-server.ts";

let server: VerifyingServer | undefined;
afterEach(() => server?.close());

describe("refreshing", () => {
  test("keeps credentials until 5 minutes before they expire, then asks again; one call for callers at once", async () => {
    let now = 0;
    let calls = 0;
    const provider = refreshing(
      async () => {
        calls++;
        return { ...TEST_CREDENTIALS, sessionToken: `t${calls}`, expiration: new Date(now + 10 * 60_000) };
      },
      () => now,
    );
    const [a, b] = await Promise.all([provider(), provider()]);
    expect(calls).toBe(1);
    expect(a).toBe(b);
    now = 10 * 60_000 - REFRESH_BEFORE_EXPIRY_MS - 1;
    expect((await provider()).sessionToken).toBe("t1");
    now = 10 * 60_000 - REFRESH_BEFORE_EXPIRY_MS + 1;
    expect((await provider()).sessionToken).toBe("t2");
    expect(calls).toBe(2);
  });

  test("credentials without an expiration are kept; a failed call is tried again next time", async () => {
    let calls = 0;
    const provider = refreshing(async () => {
      calls++;
      if (calls === 1) throw new Error("no network yet");
      return TEST_CREDENTIALS;
    });
    await expect(provider()).rejects.toThrow("no network yet");
    expect(await provider()).toEqual(TEST_CREDENTIALS);
    await provider();
    expect(calls).toBe(2);
  });

  test("a day-long wait on hour-long sessions: the transport gets fresh credentials before they expire", async () => {
    const clock = fakeClock(Date.now());
    server = startVerifyingServer({ jobSeconds: 6 * 3600, now: clock.now });
    const issued: number[] = [];
    const credentials = refreshing(async () => {
      issued.push(clock.now());
      return {
        ...TEST_CREDENTIALS,
        sessionToken: `session-${issued.length}`,
        expiration: new Date(clock.now() + 3600_000),
      };
    }, clock.now);
    const client = clientFor(server, { clock, credentials });
    const uploaded = await client.uploadUserIds(["user-001"], {
      s3Uri: `s3://${server.emulator.bucket}/long/x.csv`,
    });
    const { dataDeletionJobArn } = await client.createDataDeletionJob({
      jobName: "long-wait",
      datasetGroupArn: server.emulator.datasetGroupArn,
      roleArn: "arn:aws:iam::000000000000:role/PersonalizeDeletionRole",
      dataSource: { dataLocation: uploaded.dataLocation },
    });
    const job = await client.waitForDataDeletionJob(dataDeletionJobArn as string, {
      minDelayMs: 60_000,
      maxDelayMs: 60_000,
    });
    expect(job.status).toBe("COMPLETED");
    // About one session per 55 minutes of a 6-hour wait, each asked for before the last one expired.
    expect(issued.length).toBeGreaterThanOrEqual(6);
    for (let i = 1; i < issued.length; i++) {
      expect((issued[i] as number) - (issued[i - 1] as number)).toBeLessThanOrEqual(
        3600_000 - REFRESH_BEFORE_EXPIRY_MS + 60_000,
      );
    }
    const tokens = new Set(server.requests.map((r) => r.headers.get("x-amz-security-token")));
    expect(tokens.size).toBe(issued.length);
    expect(server.requests.every((r) => r.verified)).toBe(true);
  });
});

describe("awsCredentialChain", () => {
  test("reads a profile of a shared credentials file, through AWS's own provider", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pdd-creds-"));
    const file = join(dir, "credentials");
    writeFileSync(
      file,
      "[erasure]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = profile-secret\n",
    );
    const saved = process.env.AWS_SHARED_CREDENTIALS_FILE;
    process.env.AWS_SHARED_CREDENTIALS_FILE = file;
    try {
      const credentials = await awsCredentialChain({ profile: "erasure" })();
      expect(credentials).toMatchObject({ accessKeyId: "AKIDPROFILE", secretAccessKey: "profile-secret" });
    } finally {
      if (saved === undefined) delete process.env.AWS_SHARED_CREDENTIALS_FILE;
      else process.env.AWS_SHARED_CREDENTIALS_FILE = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// `emulator --host`: listening beyond loopback prints a warning on stderr (the keys are the only guard, and
// the default ones are public); loopback addresses print none. Run as users run it, a child process.
import { describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { join } from "node:path";

const ROOT = new URL("../../", import.meta.url).pathname;

// Starts the CLI's emulator, waits until it says its endpoint, stops it (SIGTERM), and returns what it said.
function runEmulator(host: string): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(ROOT, "src/cli/bin.ts"), "emulator", "--host", host, "--port", "0"],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? "" },
      },
    );
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the emulator never started: ${stderr}`));
    }, 30_000);
    // The start-up output ends with the endpoint facts on stdout and the credentials line on stderr.
    const started = () => /region: /.test(stdout) && /credentials: /.test(stderr) && child.kill("SIGTERM");
    child.stdout.on("data", (d: Buffer) => {
      stdout += d;
      started();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d;
      started();
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
  });
}

describe("emulator --host", () => {
  test("0.0.0.0 warns on stderr that anyone who can reach it can use the configured keys", async () => {
    const { stdout, stderr } = await runEmulator("0.0.0.0");
    expect(stdout).toMatch(/endpoint: http:\/\/0\.0\.0\.0:\d+/);
    expect(stderr).toMatch(
      /warning: --host 0\.0\.0\.0 is not a loopback address: anyone who can reach this machine on port \d+ can use the emulator with the configured keys/,
    );
    expect(stdout).not.toContain("warning");
  });

  for (const host of ["127.0.0.1", "localhost", "::1"]) {
    test(`${host} prints no warning`, async () => {
      const { stdout, stderr } = await runEmulator(host);
      expect(stdout).toContain("endpoint: http://");
      expect(stderr).toContain("credentials:");
      expect(stderr).not.toContain("warning");
    });
  }
});

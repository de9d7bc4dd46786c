// A real headless Chromium from npm for page tests: @sparticuz/chromium ships the binary (brotli-packed)
// inside its package, so nothing is downloaded at test time; puppeteer-core drives it. The binary links
// only libc, libexpat and libgcc_s, and brings its own fonts, which the launch points fontconfig at, so a
// screenshot looks the same on every machine.
import { tmpdir } from "node:os";
import { join } from "node:path";
import chromium from "@sparticuz/chromium";
import puppeteer, { type Browser } from "puppeteer-core";

/** A started browser, or why none could start (the caller skips, printing the reason). */
export type Launched = { browser: Browser; reason?: undefined } | { browser?: undefined; reason: string };

export async function launchBrowser(): Promise<Launched> {
  try {
    // Unpacks the binary, its fonts and SwiftShader into the temp folder (once; later calls reuse them).
    const executablePath = await chromium.executablePath();
    const browser = await puppeteer.launch({
      executablePath,
      headless: "shell",
      // No network here but loopback: nothing in the background tries to reach anywhere.
      args: [
        ...chromium.args,
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--no-first-run",
      ],
      env: { ...process.env, FONTCONFIG_PATH: join(tmpdir(), "fonts") },
      timeout: 30_000,
    });
    return { browser };
  } catch (error) {
    return { reason: `headless Chromium (@sparticuz/chromium) did not start: ${(error as Error).message}` };
  }
}

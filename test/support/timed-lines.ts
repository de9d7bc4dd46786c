// A child process's output line by line, each with the time it arrived: to check how long a command stays
// silent, not only what it says.

/** A line of output and when it arrived (ms since the process started). */
export interface TimedLine {
  at: number;
  line: string;
}

async function collect(stream: ReadableStream<Uint8Array>, started: number, into: TimedLine[]) {
  const decoder = new TextDecoder();
  let pending = "";
  const reader = stream.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    pending += decoder.decode(read.value, { stream: true });
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    const at = performance.now() - started;
    for (const line of lines) into.push({ at, line });
  }
  if (pending) into.push({ at: performance.now() - started, line: pending });
}

/** Runs a command to completion, stamping each line of stdout and stderr with its arrival time. */
export async function runTimed(
  cmd: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<{ stdout: TimedLine[]; stderr: TimedLine[]; code: number; ms: number }> {
  const started = performance.now();
  const proc = Bun.spawn(cmd, { ...options, stdout: "pipe", stderr: "pipe" });
  const stdout: TimedLine[] = [];
  const stderr: TimedLine[] = [];
  await Promise.all([collect(proc.stdout, started, stdout), collect(proc.stderr, started, stderr)]);
  const code = await proc.exited;
  return { stdout, stderr, code, ms: performance.now() - started };
}

/** The longest silence: between the start, each line, and the end. */
export function longestSilence(lines: TimedLine[], ms: number): number {
  const times = [0, ...lines.map((l) => l.at), ms];
  return Math.max(...times.slice(1).map((t, i) => t - (times[i] as number)));
}

// A fetch that answers from a script and records what it was sent: for unit tests of the protocol modules,
// where the emulator would hide which request produced which answer.
import { Transport } from "../../src/aws/transport.ts";

export interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** A Transport whose fetch answers `answers` in order (the last one repeats), with instant retries. */
export function scriptedTransport(answers: (() => Response)[]) {
  const sent: Sent[] = [];
  const transport = new Transport({
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDUNIT", secretAccessKey: "unit-secret" },
    sleep: async () => {},
    fetch: async (url, init) => {
      const headers = Object.fromEntries(new Headers(init.headers).entries());
      const body =
        init.body instanceof Uint8Array ? new TextDecoder().decode(init.body) : String(init.body ?? "");
      sent.push({ method: init.method ?? "GET", url, headers, body });
      const answer = answers[Math.min(sent.length - 1, answers.length - 1)] as () => Response;
      return answer();
    },
  });
  return { transport, sent };
}

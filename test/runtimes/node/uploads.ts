// Node: uploads through Node's own fetch (undici), where the client streams upload bodies by default, to an
// emulator that resets connections and drops answers. Each list is split into several files, views at
// different offsets of one buffer. Prints every key with the SHA-256 of the file prepared for it; the test
// compares them with what the emulator stored, and counts the retries the client logged.
import { DataDeletionClient, serializeUserIds } from "personalize-data-deletion";

const { endpoint, bucket, count } = JSON.parse(process.argv[2] as string);
let retries = 0;
const client = new DataDeletionClient({
  region: "us-east-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
  endpoint,
  s3Endpoint: endpoint,
  maxAttempts: 10,
  useEnvironment: false,
  clock: { sleep: async () => {} },
  logger: {
    debug: (message) => {
      if (message.startsWith("PutObject: retrying")) retries++;
    },
  },
});
const hex = async (bytes: Uint8Array) =>
  Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>)), (b) =>
    b.toString(16).padStart(2, "0"),
  ).join("");
const maxFileBytes = 100_000;
const sent: { key: string; sha256: string; offset: number }[] = [];
for (let i = 0; i < count; i++) {
  const ids = Array.from({ length: 20_000 }, (_, n) => `node-${i}-${n}`);
  const prepared = await serializeUserIds(ids, { maxFileBytes });
  const out = await client.uploadUserIds(prepared, { s3Uri: `s3://${bucket}/node-streams/${i}/` });
  for (const [index, file] of prepared.files.entries()) {
    const key = (out.dataLocations[index] as string).slice(`s3://${bucket}/`.length);
    sent.push({ key, sha256: await hex(file), offset: file.byteOffset });
  }
}
console.log(JSON.stringify({ sent, retries }));

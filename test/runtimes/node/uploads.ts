// Node: uploads through Node's own fetch (undici), where the client streams upload bodies by default, to an
// emulator that resets connections and drops answers. Prints each key with the SHA-256 of what it sent;
// the test compares them with what the emulator stored, and the retries the client logged.
import { DataDeletionClient } from "personalize-data-deletion";

const { endpoint, bucket, count } = JSON.parse(process.argv[2] as string);
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
let retries = 0;
const sent: { key: string; sha256: string }[] = [];
for (let i = 0; i < count; i++) {
  const ids = Array.from({ length: 20_000 }, (_, n) => `node-${i}-${n}`);
  const key = `node-streams/${i}.csv`;
  await client.uploadUserIds(ids, { s3Uri: `s3://${bucket}/${key}` });
  const bytes = new TextEncoder().encode(`USER_ID\n${ids.join("\n")}\n`);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  sent.push({ key, sha256: Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("") });
}
console.log(JSON.stringify({ sent, retries }));

// A 50 MB PUT to the emulator's S3, by this library or by the AWS SDK; read back and hash-checked. Each
// client first PUTs a one-line file, so one-time costs (module loading, the first fetch) stay out of the
// throughput: they are what the cold-start figures measure.
import { createHash } from "node:crypto";
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DataDeletionClient } from "personalize-data-deletion";

const [mode, endpoint, bucket] = process.argv.slice(2) as [string, string, string];
const body = new Uint8Array(50 * 1024 * 1024);
for (let i = 0; i < body.length; i++) body[i] = 97 + (i % 26);
for (let i = 99; i < body.length; i += 100) body[i] = 10;
const expected = createHash("sha256").update(body).digest("hex");
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const key = `bench/${mode}-${Date.now()}.csv`;
const small = new TextEncoder().encode("USER_ID\nwarm-up\n");
let upload: (bytes: Uint8Array, key: string) => Promise<unknown>;
if (mode === "ours") {
  const client = new DataDeletionClient({
    region: "us-east-1",
    credentials,
    endpoint,
    s3Endpoint: endpoint,
    useEnvironment: false,
  });
  upload = (bytes, key) =>
    client.uploadUserIds(
      { files: [bytes], userCount: 1, duplicateCount: 0, bytes: bytes.length },
      { s3Uri: `s3://${bucket}/${key}` },
    );
} else {
  const s3 = new S3Client({ region: "us-east-1", endpoint, forcePathStyle: true, credentials });
  upload = (bytes, key) =>
    s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length),
        ContentType: "text/csv",
      }),
    );
}
await upload(small, `${key}.warm-up`);
const started = performance.now();
await upload(body, key);
const seconds = (performance.now() - started) / 1000;
const reader = new S3Client({ region: "us-east-1", endpoint, forcePathStyle: true, credentials });
const back = await reader.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
const got = createHash("sha256")
  .update(await (back.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray())
  .digest("hex");
if (got !== expected) throw new Error("uploaded bytes differ");
// Checked, then removed: 50 MB objects piling up in the shared server would slow later runs, not this one.
await reader.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
console.log(JSON.stringify({ mode, seconds, mbPerSecond: body.length / 1e6 / seconds }));

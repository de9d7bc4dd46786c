// A 50 MB PUT to the emulator's S3, by this library or by the AWS SDK; read back and hash-checked.
import { createHash } from "node:crypto";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DataDeletionClient } from "personalize-data-deletion";

const [mode, endpoint, bucket] = process.argv.slice(2) as [string, string, string];
const body = new Uint8Array(50 * 1024 * 1024);
for (let i = 0; i < body.length; i++) body[i] = 97 + (i % 26);
for (let i = 99; i < body.length; i += 100) body[i] = 10;
const expected = createHash("sha256").update(body).digest("hex");
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const key = `bench/${mode}-${Date.now()}.csv`;
const started = performance.now();
if (mode === "ours") {
  const client = new DataDeletionClient({
    region: "us-east-1",
    credentials,
    endpoint,
    s3Endpoint: endpoint,
    useEnvironment: false,
  });
  await client.uploadUserIds(
    { files: [body], userCount: 1, duplicateCount: 0, bytes: body.length },
    { s3Uri: `s3://${bucket}/${key}` },
  );
} else {
  await new S3Client({ region: "us-east-1", endpoint, forcePathStyle: true, credentials }).send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: Buffer.from(body.buffer),
      ContentType: "text/csv",
    }),
  );
}
const seconds = (performance.now() - started) / 1000;
const back = await new S3Client({ region: "us-east-1", endpoint, forcePathStyle: true, credentials }).send(
  new GetObjectCommand({ Bucket: bucket, Key: key }),
);
const got = createHash("sha256")
  .update(await (back.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray())
  .digest("hex");
if (got !== expected) throw new Error("uploaded bytes differ");
console.log(JSON.stringify({ mode, seconds, mbPerSecond: body.length / 1e6 / seconds }));

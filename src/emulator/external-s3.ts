// Another S3-compatible server (MinIO, LocalStack's S3, R2's S3 API) as the place jobs read their deletion
// files from, for teams that already run one: ListObjectsV2 and GetObject, signed with aws4fetch.
import { AwsClient } from "aws4fetch";
import type { ObjectSource } from "./state-types.ts";

/** Where the other S3 is and how to sign for it. */
export interface ExternalS3Options {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
  /** The region requests are signed for (default us-east-1, what MinIO and LocalStack expect). */
  region?: string | undefined;
}

const xmlText = (text: string) =>
  text.replace(/&(lt|gt|quot|apos|amp|#(\d+));/g, (_, name: string, code?: string) =>
    code
      ? String.fromCharCode(Number(code))
      : ({ lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" }[name] as string),
  );

/** Reads buckets of another S3-compatible server, path style. */
export function externalS3(options: ExternalS3Options): ObjectSource {
  const client = new AwsClient({
    accessKeyId: options.accessKeyId,
    secretAccessKey: options.secretAccessKey,
    sessionToken: options.sessionToken,
    service: "s3",
    region: options.region ?? "us-east-1",
    retries: 2,
  });
  const base = options.endpoint.replace(/\/+$/, "");
  const path = (bucket: string, key = "") =>
    `${base}/${encodeURIComponent(bucket)}/${key.split("/").map(encodeURIComponent).join("/")}`;
  return {
    async list(bucket, prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const query = new URLSearchParams({
          "list-type": "2",
          prefix,
          ...(token ? { "continuation-token": token } : {}),
        });
        const response = await client.fetch(`${path(bucket)}?${query}`);
        const xml = await response.text();
        if (!response.ok) return undefined;
        for (const m of xml.matchAll(/<Key>([^<]*)<\/Key>/g)) keys.push(xmlText(m[1] as string));
        token = /<NextContinuationToken>([^<]*)<\/NextContinuationToken>/.exec(xml)?.[1];
      } while (token);
      return keys.sort();
    },
    async get(bucket, key) {
      const response = await client.fetch(path(bucket, key));
      if (!response.ok) {
        await response.body?.cancel();
        return undefined;
      }
      return new Uint8Array(await response.arrayBuffer());
    },
  };
}

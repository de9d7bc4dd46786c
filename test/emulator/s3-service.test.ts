// The S3 routing (src/emulator/s3-service.ts) and its operation groups under src/emulator/s3/ are driven
// through @aws-sdk/client-s3 by: s3-objects.test.ts (objects, conditions, checksums, aws-chunked, multipart,
// ListObjectsV2 options, what is 501), s3-versions.test.ts (versioning, ListObjectVersions, DeleteObjects),
// s3-conformance.test.ts (answers held to S3's model), sdk.test.ts (buckets) and body-limit.test.ts (the
// size rule of s3/size.ts). Here: S3's bucket naming rules, which the routing applies before a bucket is made.
import { expect, test } from "bun:test";
import { bucketNameProblem } from "../../src/emulator/s3-service.ts";

test.each([
  ["my-bucket", undefined],
  ["a.b-c.123", undefined],
  ["ab", "must be 3 to 63 characters long"],
  ["a".repeat(64), "must be 3 to 63 characters long"],
  ["My-Bucket", "must hold only lowercase letters"],
  ["-bucket", "must hold only lowercase letters"],
  ["bucket-", "must hold only lowercase letters"],
  ["my..bucket", "must not hold adjacent dots"],
  ["my.-bucket", "must not hold adjacent dots"],
  ["192.168.1.1", "must not look like an IP address"],
  ["xn--bucket", "must not use a reserved prefix or suffix"],
  ["bucket-s3alias", "must not use a reserved prefix or suffix"],
  ["bucket--x-s3", "must not use a reserved prefix or suffix"],
])("bucket name %s: %s", (name, problem) => {
  if (problem === undefined) expect(bucketNameProblem(name)).toBeUndefined();
  else expect(bucketNameProblem(name)).toStartWith(problem);
});

// --help texts. Kept beside each other so README's CLI reference and these stay in step (a test compares).

const COMMON = `Common options:
  --region REGION          AWS region (else AWS_REGION / AWS_DEFAULT_REGION, else the profile's region)
  --profile NAME           a profile of ~/.aws/config and ~/.aws/credentials (else AWS_PROFILE)
  --endpoint-url URL       Personalize endpoint (else AWS_ENDPOINT_URL_PERSONALIZE / AWS_ENDPOINT_URL)
  --s3-endpoint-url URL    S3 endpoint, path style (else AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL)
  --max-attempts N         tries per request, the first included (default 3)
  --json                   print one JSON document on stdout, an error's too
  --debug                  log requests (credentials redacted) and show stack traces
  -h, --help               show help
Credentials are found as the AWS CLI finds them: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
AWS_SESSION_TOKEN, else AWS's own chain (profiles, SSO, credential_process, role_arn with source_profile,
web identity, container and instance credentials), refreshed before they expire.`;

export const EXIT_CODES = `Exit codes: 0 success, 1 job FAILED, 2 usage, validation or conflict error, 3 service or network error, 4 wait timeout,
5 dataset group in use (delete-users told to fail when busy), 6 the import source holds suppressed users or
could not be read whole (guard-import).`;

export const HELP: Record<string, string> = {
  main: `personalize-data-deletion: erase users from Amazon Personalize

Usage: personalize-data-deletion <command> [options]

Commands:
  delete-users   erase users: preflight, upload, deletion job, cleanup, optional retrain, a receipt
  status         where an erasure stands (from AWS, nothing changed)
  create         create a data deletion job for a CSV already in S3
  describe       show one job
  list           list jobs, all pages, newest first
  wait           wait for a job to finish, showing its progress
  validate-csv   check a CSV or id list locally: rows, unique ids, duplicates, bad lines, size
  scan           count the erased users' rows in local files and S3 locations (every object version)
  scrub          remove the erased users' rows: a local file into a copy, an S3 location in place
  guard-import   check an import source in S3 against the suppression list before importing it
  emulator       run the local emulator of Personalize deletion jobs and S3
  demo           the whole flow on the embedded emulator: no AWS account needed

Run 'personalize-data-deletion <command> --help' for a command's options.
${EXIT_CODES}`,

  "delete-users": `Usage: personalize-data-deletion delete-users --dataset-group-arn ARN --role-arn ARN --s3-uri S3URI
         (--users-file FILE | --user-ids ID[,ID...]) [options]

Erases users. Checks that nothing imports into or trains on the dataset group (--if-busy), prepares the
ids exactly as given (empty lines and duplicates removed; an id with whitespace around it is refused, as
Personalize would erase another user, unless --trim-ids), uploads the deletion CSV, creates the data deletion job
(several when the list is over --max-file-mb) and, with --wait, waits for it; then checks that no import or
training ran meanwhile (else one repeat job, as AWS advises), deletes every version of the uploaded CSV
(personal data) and, with --retrain, trains a new solution version of each solution and moves its campaigns
to it. Until then the models still hold the users: the output says which. Running the same command again
(same --job-name, same list) carries on from where AWS shows it stands; nothing is made twice. A job name
already used for another list is refused (exit 2): each job is tagged with its list's SHA-256.

Options:
  --users-file FILE        a CSV with a USER_ID column, or a plain list with --headerless (- for stdin)
  --user-ids LIST          ids separated by commas or newlines
  --headerless             the file is a plain list of ids, one per line
  --trim-ids               remove whitespace around ids instead of refusing them (the receipt counts them)
  --s3-uri S3URI           s3://bucket/prefix/ (the key is JOB.csv) or s3://bucket/KEY (any key, taken
                           literally: no . or .. segments)
  --dataset-group-arn ARN  the dataset group to delete the users from
  --role-arn ARN           the Personalize service role that can read the bucket
  --job-name NAME          default: erase-users-<time>-<random>; give it to resume a run
  --tag KEY=VALUE          a tag (repeatable)
  --wait                   wait for the job(s) to finish, then check, clean up and (--retrain) retrain
  --if-busy MODE           an import, training or batch job in progress: wait (default), fail (exit 5,
                           nothing uploaded) or ignore (go on; the interference check then repeats the job)
  --no-repeat              do not make the repeat job when an import or training ran during the deletion
  --retrain                train a new version of each solution (costs training hours) and move campaigns
  --training-mode MODE     FULL (default) or UPDATE, with --retrain
  --keep-campaigns         with --retrain: train, but leave campaigns on their versions
  --receipt FILE           write the erasure receipt (JSON, no ids) to FILE
  --timeout-minutes N      give up each wait after N minutes (default 1440)
  --poll-interval-seconds N  longest pause between polls (default 60)
  --keep-uploaded-file     keep the CSV in S3 after the job COMPLETED
  --overwrite              replace a different object already at the key
  --max-file-mb N          split files above N MB (default 49: under the guide's 50 MB cap per job)

Outside Personalize (the job does not touch the users' ids in S3; the receipt lists where they may be):
  --scan                   with --wait: count the erased users' rows in every object version of the S3 data
                           AWS's records name (import sources, batch inference input and output, batch
                           segment output, dataset exports) and of each --location; writes nothing
  --scrub                  with --wait: also rewrite each object holding them without them (every other byte
                           kept; only if it is still the version read) and delete the older versions that held them
  --location S3URI         one more place to list, scan or scrub: s3://bucket/key or s3://bucket/folder/
                           (repeatable; a prefix without / is S3's prefix: folder also takes folder_test/)
  --suppression S3URI      append the ids as keyed hashes to s3://bucket/prefix/ (the key comes from
                           ERASURE_SUPPRESSION_KEY, at least 32 bytes), for guard-import and your apps

${COMMON}

Examples:
  personalize-data-deletion delete-users --users-file users.csv --s3-uri s3://my-bucket/deletions/ \\
    --dataset-group-arn arn:aws:personalize:us-east-1:123456789012:dataset-group/shop \\
    --role-arn arn:aws:iam::123456789012:role/PersonalizeS3Read --job-name erase-2026-12 \\
    --wait --retrain --receipt erase-2026-12.json
  (the same command again, after a timeout, carries on)
  ERASURE_SUPPRESSION_KEY=... personalize-data-deletion delete-users --users-file users.csv \\
    --s3-uri s3://my-bucket/deletions/ --dataset-group-arn arn:aws:personalize:us-east-1:123456789012:dataset-group/shop \\
    --role-arn arn:aws:iam::123456789012:role/PersonalizeS3Read --job-name erase-2026-12b \\
    --wait --retrain --scrub --location s3://my-warehouse/exports/interactions/ \\
    --suppression s3://my-privacy/suppression/ --receipt erase-2026-12b.json
${EXIT_CODES}`,

  status: `Usage: personalize-data-deletion status --dataset-group-arn ARN --job-name NAME [--retrain] [--receipt FILE]
         [--location S3URI ...]

Shows where an erasure stands, read from AWS without changing anything: its deletion and repeat jobs, any
import or training that ran meanwhile, what is left of the uploaded CSV, the solution versions trained since
and the versions campaigns serve, the S3 locations around Personalize that may hold the users (listed, not
read here: a scan needs the ids, which the erasure's own run has), and what is left to do. --json prints the
receipt itself.

Options:
  --dataset-group-arn ARN  the erasure's dataset group
  --job-name NAME          the erasure's job name (a split list's parts, NAME-part-N, are found too)
  --retrain                the erasure asked for a retrain (says "retraining", not "models hold the users")
  --receipt FILE           write the receipt (JSON, no ids) to FILE
  --location S3URI         one more place outside Personalize to list with AWS's records (repeatable)

${COMMON}

Example:
  personalize-data-deletion status --dataset-group-arn arn:aws:personalize:us-east-1:123456789012:dataset-group/shop \\
    --job-name erase-2026-12 --json
${EXIT_CODES}`,

  create: `Usage: personalize-data-deletion create --job-name NAME --dataset-group-arn ARN --role-arn ARN
         --data-location S3URI [--tag KEY=VALUE ...]

Creates a data deletion job for a CSV (or a folder of them) already in S3. If the name is taken by a job
for the same dataset group and location (a retried or repeated call), that job is reported instead.

Options:
  --job-name NAME          1-63 letters, digits, hyphens and underscores, starting with a letter or digit
  --dataset-group-arn ARN  the dataset group to delete the users from
  --role-arn ARN           the Personalize service role that can read the bucket
  --data-location S3URI    s3://bucket/KEY, or a folder s3://bucket/folder/ (the files under it are read)
  --tag KEY=VALUE          a tag (repeatable)

${COMMON}

Example:
  personalize-data-deletion create --job-name erase-2026-11 --data-location s3://my-bucket/deletions/users.csv \\
    --dataset-group-arn arn:aws:personalize:us-east-1:123456789012:dataset-group/shop \\
    --role-arn arn:aws:iam::123456789012:role/PersonalizeS3Read
${EXIT_CODES}`,

  describe: `Usage: personalize-data-deletion describe JOB_ARN   (or --job-arn JOB_ARN)

Shows one job: status, data location, records deleted, times and the failure reason, if any.

${COMMON}

Example:
  personalize-data-deletion describe arn:aws:personalize:us-east-1:123456789012:data-deletion-job/erase-2026-11
${EXIT_CODES}`,

  list: `Usage: personalize-data-deletion list [--dataset-group-arn ARN] [--page-size N]

Lists every job (all pages), newest first; without --dataset-group-arn, every job of the account.

Options:
  --dataset-group-arn ARN  only this dataset group's jobs
  --page-size N            jobs per ListDataDeletionJobs call, 1 to 100 (default 100)

${COMMON}

Example:
  personalize-data-deletion list --dataset-group-arn arn:aws:personalize:us-east-1:123456789012:dataset-group/shop --json
${EXIT_CODES}`,

  wait: `Usage: personalize-data-deletion wait JOB_ARN [--timeout-minutes N] [--poll-interval-seconds N]

Polls the job until it is COMPLETED (exit 0) or FAILED (exit 1), with status and elapsed time on stderr.
A deletion job can take up to a day; after --timeout-minutes (default 1440) it exits 4 and the job goes on.

Options:
  --job-arn ARN              the job (or give it as the argument)
  --timeout-minutes N        give up waiting after N minutes (default 1440)
  --poll-interval-seconds N  longest pause between polls (default 60; the first is at most 5 s)

${COMMON}

Example:
  personalize-data-deletion wait arn:aws:personalize:us-east-1:123456789012:data-deletion-job/erase-2026-11
${EXIT_CODES}`,

  "validate-csv": `Usage: personalize-data-deletion validate-csv FILE [--headerless] [--max-file-mb N]

Reads a CSV with a USER_ID column (or a plain list with --headerless; - for stdin) and reports rows, unique
ids, duplicates, bad lines with their numbers, the prepared size, and whether it fits one job. Nothing is
sent. Exits 2 when any line is bad.

Options:
  --headerless             the file is a plain list of ids, one per line
  --max-file-mb N          the size one job may read (default 49: under the guide's 50 MB cap)
  --json                   print the report as one JSON document
  -h, --help               show help

Example:
  personalize-data-deletion validate-csv users.csv
${EXIT_CODES}`,

  scan: `Usage: personalize-data-deletion scan --users-file FILE --location PATH|S3URI [--location ...]
         [--headerless] [--trim-ids] [--format csv|jsonl] [--json]

Counts, in each location, the rows that refer to an erased user, reading each file or object once as a
stream and writing nothing: CSV rows whose USER_ID column (found by the header) is an erased id byte for
byte; JSON lines whose userId or input.userId is one (batch inference input and output), and lines whose
recommendedUsers list holds one (batch segment output). The ids are prepared as delete-users prepares them.
A location is a local file, or in S3: s3://bucket/key (that object), s3://bucket/folder/ (every object
under it) or s3://bucket/prefix (when no object has that key, every key starting with it, as S3 means a
prefix: s3://bucket/folder takes folder_test/ too); every version of each object is read, older ones
included (they hold the users too), each reported on its own. Each location is clean, holds-users, or
unreadable with why (no USER_ID header, a line that is not JSON, an unknown format, AccessDenied, a KMS
key that refuses): never skipped. The output holds paths, keys, version ids, sizes and counts, never an id.
A completed scan exits 0 whatever it found: read holds-users in the output (--json: "holdsUsers"). An S3
location needs s3:ListBucketVersions and s3:GetObjectVersion; the common options say where S3 is.

Options:
  --users-file FILE        the erased users: a CSV with a USER_ID column, or a list with --headerless (- for stdin)
  --headerless             the users file is a plain list of ids, one per line
  --trim-ids               remove whitespace around the users file's ids instead of refusing them
  --location PATH|S3URI    a local file, or s3://bucket/key, s3://bucket/folder/, s3://bucket/prefix (repeatable)
  --format FORMAT          csv or jsonl, for every location (default: by extension: .csv; .jsonl, .json, .out)

${COMMON}

Examples:
  personalize-data-deletion scan --users-file erased.csv --location exports/interactions.csv \\
    --location batch/output/users.json.out
  personalize-data-deletion scan --users-file erased.csv --location s3://my-personalize-data/interactions/ \\
    --location s3://my-personalize-data/batch/output/ --json
  personalize-data-deletion scan --users-file erased.txt --headerless --location dump.txt --format csv --json
${EXIT_CODES}`,

  scrub: `Usage: personalize-data-deletion scrub --users-file FILE --location PATH --output PATH [--overwrite]
         [--headerless] [--trim-ids] [--format csv|jsonl] [--json]
       personalize-data-deletion scrub --users-file FILE --location S3URI [--format csv|jsonl] [--json]

Removes the erased users' rows, every other byte as it was: the same header, row order, quoting and line
endings (in batch segment output, the erased users are taken out of recommendedUsers and only those lines
re-serialised). Reports rows and rows removed, never an id.

A local file is copied: written to a temporary file beside --output and renamed once whole, so a failure
leaves no partial output. --output must be another file than --location; an existing one is replaced only
with --overwrite. An unreadable input (no USER_ID header, a line that is not JSON) exits 2 with nothing
written.

An S3 location (s3://bucket/key, s3://bucket/folder/ or s3://bucket/prefix, as scan reads them) is
scrubbed in place: each object holding erased users is rewritten, Content-Type and metadata kept, only
while it is still the version read (If-Match; one PUT, or a multipart upload of 8 MiB parts aborted on any
failure, so the original stays whole); when someone wrote it meanwhile, their version is read and scrubbed
in turn (3 tries). Then every version that held them is deleted by its id (older versions hold the users
too). A re-run finds nothing to do. It exits 0 once the location is clean or scrubbed, 3 when an object
could not be read or rewritten (with why). Needs, besides what scan needs, s3:PutObject and
s3:DeleteObjectVersion.

Options:
  --users-file FILE        the erased users: a CSV with a USER_ID column, or a list with --headerless (- for stdin)
  --headerless             the users file is a plain list of ids, one per line
  --trim-ids               remove whitespace around the users file's ids instead of refusing them
  --location PATH|S3URI    the local file, or the S3 location, to scrub (exactly one)
  --output PATH            where to write the scrubbed copy of a local file
  --overwrite              replace --output when it exists
  --format FORMAT          csv or jsonl (default: by extension: .csv; .jsonl, .json, .out)

${COMMON}

Examples:
  personalize-data-deletion scrub --users-file erased.csv --location interactions.csv \\
    --output interactions.scrubbed.csv
  personalize-data-deletion scrub --users-file erased.csv --location s3://my-personalize-data/interactions/ \\
    --json
${EXIT_CODES}`,

  "guard-import": `Usage: personalize-data-deletion guard-import --source S3URI --suppression S3URI [--scrub] [--json]

Checks a proposed import source before CreateDatasetImportJob: a FULL import replaces the dataset with what
the files hold and an INCREMENTAL one adds their rows, so an erased user still in them comes back. Every
object under --source (a key, or a folder: every object under it) is read as CSV by its USER_ID column
against the suppression list the erasures appended to (keyed hashes, never ids). The key is read from the
ERASURE_SUPPRESSION_KEY environment variable only (at least 32 bytes), never from a flag: a command line is
visible to other processes. Exits 6 when a current object holds suppressed users or cannot be read (it is not
known to be clean), 0 when every one is clean; with --scrub their rows are removed in place (every other byte
kept, a write only over the version read, the older versions that held them deleted), then it exits 0. Older
versions are reported but do not fail it: an import reads the current ones. Output: keys, versions, sizes
and counts, never an id.

Options:
  --source S3URI           the import's data location: s3://bucket/key.csv or s3://bucket/folder/
  --suppression S3URI      the suppression list: s3://bucket/prefix/ (a folder)
  --scrub                  remove the suppressed users' rows from the source in place

${COMMON}

Examples:
  ERASURE_SUPPRESSION_KEY="$(cat suppression.key)" personalize-data-deletion guard-import \\
    --source s3://my-data/interactions/ --suppression s3://my-erasures/suppression/
  personalize-data-deletion guard-import --source s3://my-data/interactions.csv \\
    --suppression s3://my-erasures/suppression/ --scrub --json
${EXIT_CODES}`,

  emulator: `Usage: personalize-data-deletion emulator [options]

Runs a local emulator of CreateDataDeletionJob, DescribeDataDeletionJob, ListDataDeletionJobs, the
operations a complete erasure uses (datasets and imports, solutions and their versions, campaigns,
recommenders, batch jobs) and S3 (path style: objects, versions, ranged GETs, multipart uploads, listings,
presigned URLs; anything else is 501), checking every SigV4 signature as AWS does. Its dataset group has an
interactions dataset, a solution with a version trained on every user, and a campaign serving it. Prints
its endpoint and dataset group.

Options:
  --host HOST               default 127.0.0.1
  --port PORT               default 4566; 0 picks a free port
  --region REGION           default us-east-1
  --access-key-id ID        default test
  --secret-access-key KEY   default test
  --job-seconds N           seconds from PENDING to COMPLETED, and of an import (default 5; 0: at the next look)
  --training-seconds N      seconds a solution version trains (default 3)
  --campaign-seconds N      seconds a campaign update takes (default 2)
  --seed FILE               USER_ID,ITEM_ID,TIMESTAMP rows for the dataset group (default: a sample of 50 users)
  --outside-data            also seed the users' data outside Personalize in the bucket emulator-data: a FULL
                            import's interactions.csv, batch inference and segment files, an export
  --data-dir DIR            keep state on disk and restore it on start
  --fail-rate F             fraction of requests answered 500 / 503
  --throttle-rate F         fraction answered ThrottlingException / SlowDown
  --reset-rate F            fraction whose connection is dropped before handling
  --drop-response-rate F    fraction handled, then dropped (the lost-response case)
  --latency-ms N            delay added to each request
  --seed-random N           seed for the fault rolls
  --s3-endpoint URL         read deletion files from this S3-compatible server (MinIO, LocalStack, R2)
                            instead of the built-in S3, which still serves clients
  --s3-access-key-id ID     its access key (with --s3-endpoint)
  --s3-secret-access-key K  its secret key (with --s3-endpoint)
  --s3-region REGION        the region to sign for it with (default us-east-1)
  --json                    print one JSON object with endpoint and datasetGroupArns
  -h, --help                show help

Example:
  personalize-data-deletion emulator --port 4566 --job-seconds 2
  AWS_ENDPOINT_URL=http://127.0.0.1:4566 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 \\
    personalize-data-deletion list`,

  demo: `Usage: personalize-data-deletion demo [--job-seconds N] [--json]

Starts the emulator in-process on a free port, prepares a sample list of user ids, uploads it, creates the
deletion job, waits with progress, prints the finished job and the users left, and stops. No AWS account,
no configuration.

Options:
  --job-seconds N          how long the emulated job runs, 0 to 3600 (default 3)
  --json                   print the outcome as one JSON document
  -h, --help               show help

Example:
  personalize-data-deletion demo --job-seconds 1`,
};

// The operator's status page (GET /): one server-rendered HTML document, no script and no framework, built
// from a StatusView. Every value goes through `html`, which escapes it unless it is markup made here, so a
// dataset group, a stage or a failure reason can never become markup. The view carries no user id and no
// keyed hash: the page cannot show what it is never given.
import type { RequestStatus, WindowStatus } from "./ledger.ts";
import type { CallbackTarget } from "./protocols/port.ts";

/** A request whose deadline has passed or is near, and not `completed`. */
export interface AtRiskRequest {
  requestId: string;
  datasetGroup: string;
  status: RequestStatus;
  /** The legal deadline, in milliseconds since the epoch. */
  deadlineAt: number;
  /** Whether the deadline has passed. */
  overdue: boolean;
  /** Whole days to the deadline (0: under a day); for an overdue request, minus the whole days past it, rounded up. */
  daysLeft: number;
  /** Why it failed or was lost, when it did. */
  failure: string | null;
}

/** A window not yet settled: open, full, closing or submitted. */
export interface ActiveWindow {
  windowId: string;
  datasetGroup: string;
  status: WindowStatus;
  /** Where its erasure stands (the receipt's stage); null before its job is made. */
  stage: string | null;
  jobName: string;
  requests: number;
  openedAt: number;
}

/** A receipt stored in RECEIPTS (R2) for a window. */
export interface ReceiptLink {
  windowId: string;
  datasetGroup: string;
  status: WindowStatus;
  stage: string | null;
  /** Its key in the RECEIPTS bucket. */
  key: string;
  /** When the window was settled; null while it is still in progress. */
  completedAt: number | null;
}

/** A callback to a protocol's caller not delivered yet. */
export interface PendingCallback {
  requestId: string;
  protocol: CallbackTarget["protocol"];
  attempts: number;
  /** When the next try is due; null when none is scheduled. */
  nextAttemptAt: number | null;
}

/** Everything the status page shows, read from the ledger at one instant. */
export interface StatusView {
  /** When the view was read, in milliseconds since the epoch. */
  generatedAt: number;
  /** How many requests are in each status (a status with none may be absent). */
  counts: Partial<Record<RequestStatus, number>>;
  /** A request is at risk when its deadline is under this many days away. */
  atRiskDays: number;
  /** The overdue and at-risk requests, the nearest deadline (so the longest overdue) first. */
  atRisk: AtRiskRequest[];
  /** How many requests are overdue or at risk in all (`atRisk` may be cut short). */
  atRiskTotal: number;
  activeWindows: ActiveWindow[];
  /** The most recent receipts, newest first. */
  receipts: ReceiptLink[];
  /** Callbacks still to deliver; undefined when this ledger does not record callbacks. */
  pendingCallbacks: PendingCallback[] | undefined;
}

/** The lifecycle order, and what each request status means, in words (the page never relies on colour). */
export const REQUEST_STATUS_MEANING: Record<RequestStatus, string> = {
  received: "Recorded, not yet on the queue.",
  queued: "On the queue, waiting for a window.",
  in_window: "In a window whose deletion job is not made yet.",
  submitted: "Its window's deletion job is made; the erasure is in progress.",
  completed: "Erased everywhere: its receipt says complete, outside Personalize too.",
  completed_in_personalize: "Erased in Personalize; a location outside it may still hold the user.",
  deleted: "Gone from the datasets, still in the models (RETRAIN is off).",
  failed: "Not erased: its window failed.",
  lost: "Not erased: never queued, or its message exhausted its retries.",
  cancelled: "Withdrawn through its protocol before it reached a window; nothing erased.",
};

/** The path a receipt downloads from: its whole R2 key as one encoded path segment. */
export function receiptPath(key: string): string {
  return `/receipts/${encodeURIComponent(key)}`;
}

/**
 * The Content-Security-Policy the page is served with (also set in the page itself): no script, no
 * request to anywhere, only the page's own inline style.
 */
export const STATUS_PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

class Markup {
  constructor(readonly text: string) {}
}

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};
const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => ENTITIES[c] as string);

function render(value: unknown): string {
  if (value instanceof Markup) return value.text;
  if (Array.isArray(value)) return value.map(render).join("");
  if (value === null || value === undefined || value === false) return "";
  return escapeHtml(String(value));
}

// Markup with every interpolated value escaped, except markup made by this same tag.
function html(strings: TemplateStringsArray, ...values: unknown[]): Markup {
  let out = strings[0] ?? "";
  for (const [i, value] of values.entries()) out += render(value) + (strings[i + 1] ?? "");
  return new Markup(out);
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function time(ms: number | null, missing = "not yet"): Markup {
  if (ms === null) return html`<span class="none">${missing}</span>`;
  const iso = new Date(ms).toISOString();
  return html`<time datetime="${iso}">${iso.slice(0, 16).replace("T", " ")} UTC</time>`;
}

const code = (value: string | null) =>
  value === null ? html`<span class="none">none</span>` : html`<code>${value}</code>`;

function table(caption: string, headers: string[], rows: Markup[]): Markup {
  return html`<table>
<caption>${caption}</caption>
<thead><tr>${headers.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>
${rows}</tbody>
</table>`;
}

function countsSection(view: StatusView): Markup {
  const statuses = Object.keys(REQUEST_STATUS_MEANING) as RequestStatus[];
  const total = statuses.reduce((sum, s) => sum + (view.counts[s] ?? 0), 0);
  const rows = statuses.map(
    (s) =>
      html`<tr><th scope="row"><code>${s}</code></th><td class="n">${view.counts[s] ?? 0}</td><td>${REQUEST_STATUS_MEANING[s]}</td></tr>\n`,
  );
  return html`<section aria-labelledby="counts-h">
<h2 id="counts-h">Requests by state</h2>
${table(`${plural(total, "request")} in the ledger, by state`, ["State", "Requests", "What it means"], rows)}
</section>`;
}

function deadlineText(r: AtRiskRequest): Markup {
  if (r.overdue) return html`<strong class="overdue">Overdue by ${plural(-r.daysLeft, "day")}</strong>`;
  return html`<span class="soon">${r.daysLeft === 0 ? "Due within a day" : `${plural(r.daysLeft, "day")} left`}</span>`;
}

function atRiskSection(view: StatusView): Markup {
  const overdue = view.atRisk.filter((r) => r.overdue).length;
  const rows = view.atRisk.map(
    (r) => html`<tr class="${r.overdue ? "overdue" : "soon"}">
<th scope="row"><code>${r.requestId}</code></th><td>${r.datasetGroup}</td><td><code>${r.status}</code></td>
<td>${time(r.deadlineAt)}</td><td>${deadlineText(r)}</td><td>${r.failure ?? ""}</td></tr>\n`,
  );
  const shown =
    view.atRiskTotal > view.atRisk.length
      ? html`<p>Showing the ${view.atRisk.length} nearest deadlines of ${view.atRiskTotal}; <code>GET /erasure-requests?overdue=true</code> lists more.</p>`
      : "";
  const body = view.atRisk.length
    ? html`${shown}${table(
        `${plural(overdue, "request")} overdue, ${view.atRisk.length - overdue} due within ${plural(view.atRiskDays, "day")}; the nearest deadline first`,
        ["Request", "Dataset group", "State", "Deadline", "Time left", "Reason"],
        rows,
      )}`
    : html`<p>No request is overdue or due within ${plural(view.atRiskDays, "day")}.</p>`;
  return html`<section aria-labelledby="risk-h">
<h2 id="risk-h">Overdue and at risk</h2>
${body}
</section>`;
}

function windowsSection(view: StatusView): Markup {
  const rows = view.activeWindows.map(
    (
      w,
    ) => html`<tr><th scope="row"><code>${w.windowId}</code></th><td>${w.datasetGroup}</td><td><code>${w.status}</code></td>
<td>${w.stage ?? html`<span class="none">not started</span>`}</td><td>${code(w.jobName)}</td><td class="n">${w.requests}</td><td>${time(w.openedAt)}</td></tr>\n`,
  );
  const body = rows.length
    ? table(
        `${plural(rows.length, "window")} not yet settled, the oldest first`,
        ["Window", "Dataset group", "State", "Stage", "Deletion job", "Requests", "Opened"],
        rows,
      )
    : html`<p>No window is open or in progress.</p>`;
  return html`<section aria-labelledby="windows-h">
<h2 id="windows-h">Windows in progress</h2>
${body}
</section>`;
}

function receiptsSection(view: StatusView): Markup {
  const rows = view.receipts.map(
    (
      r,
    ) => html`<tr><th scope="row"><code>${r.windowId}</code></th><td>${r.datasetGroup}</td><td><code>${r.status}</code></td>
<td>${r.stage ?? ""}</td><td>${time(r.completedAt)}</td><td><a href="${receiptPath(r.key)}" download>${r.key}</a></td></tr>\n`,
  );
  const body = rows.length
    ? table(
        `The ${plural(rows.length, "most recent receipt")}, newest first`,
        ["Window", "Dataset group", "Window state", "Stage", "Settled", "Receipt (download)"],
        rows,
      )
    : html`<p>No receipt is stored yet.</p>`;
  return html`<section aria-labelledby="receipts-h">
<h2 id="receipts-h">Receipts</h2>
${body}
</section>`;
}

function callbacksSection(view: StatusView): Markup {
  const pending = view.pendingCallbacks;
  let body: Markup;
  if (pending === undefined) body = html`<p>This ledger does not record callbacks.</p>`;
  else if (pending.length === 0) body = html`<p>No callback is pending.</p>`;
  else {
    const rows = pending.map(
      (c) =>
        html`<tr><th scope="row"><code>${c.requestId}</code></th><td>${c.protocol}</td><td class="n">${c.attempts}</td><td>${time(c.nextAttemptAt, "none scheduled")}</td></tr>\n`,
    );
    body = table(
      `${plural(pending.length, "callback")} not delivered yet`,
      ["Request", "Protocol", "Attempts", "Next attempt"],
      rows,
    );
  }
  return html`<section aria-labelledby="callbacks-h">
<h2 id="callbacks-h">Callbacks pending</h2>
${body}
</section>`;
}

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:0 1rem;color:#1a1a1a;background:#fff}
a.skip{position:absolute;left:-999px}a.skip:focus{left:1rem;top:1rem;background:#fff;padding:.25rem}
table{border-collapse:collapse;width:100%;margin:0 0 1rem}caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{border:1px solid #8a8a8a;padding:.25rem .5rem;text-align:left;vertical-align:top}thead th{background:#eee}
td.n{text-align:right;font-variant-numeric:tabular-nums}code{font-size:.9em;overflow-wrap:break-word}
tr.overdue{background:#fde8e8}tr.soon{background:#fff6dc}.overdue{color:#8a1010}.none{color:#555;font-style:italic}
nav ul{display:flex;flex-wrap:wrap;gap:1rem;list-style:none;padding:0}`;

/** The whole status page for `view`: a complete HTML document with no script, every value escaped. */
export function renderStatusPage(view: StatusView): string {
  const overdue = view.atRisk.filter((r) => r.overdue).length;
  const title = overdue ? `Erasure status: ${plural(overdue, "request")} overdue` : "Erasure status";
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${STATUS_PAGE_CSP}">
<meta name="robots" content="noindex">
<title>${title}</title>
<style>${new Markup(STYLE)}</style>
</head>
<body>
<a class="skip" href="#main">Skip to the status</a>
<header>
<h1>Erasure status</h1>
<p>Read from the ledger at ${time(view.generatedAt)}. The ledger holds no user id; requests are named by the Worker's own ids.</p>
<nav aria-label="Sections"><ul>
<li><a href="#risk-h">Overdue and at risk</a></li><li><a href="#counts-h">Requests by state</a></li>
<li><a href="#windows-h">Windows in progress</a></li><li><a href="#receipts-h">Receipts</a></li>
<li><a href="#callbacks-h">Callbacks pending</a></li>
</ul></nav>
</header>
<main id="main">
${atRiskSection(view)}
${countsSection(view)}
${windowsSection(view)}
${receiptsSection(view)}
${callbacksSection(view)}
</main>
</body>
</html>
`;
  return page.text;
}

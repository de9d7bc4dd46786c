// How every Personalize List operation of the emulator pages: newest first, `maxResults` at a time, with a
// token the emulator can check (a token from another filter, or one altered, is InvalidNextTokenException).
import { jsonError, jsonOk } from "../wire.ts";

/** Encodes and checks the List operations' `nextToken`. */
export interface TokenCodec {
  /** A token that resumes after the item with sequence number `afterSeq`, valid for `filter` only. */
  encode(afterSeq: number, filter: string | undefined): string;
  /** The sequence number a token resumes after; `undefined` for a token not made here for `filter`. */
  decode(token: string, filter: string | undefined): number | undefined;
}

/** Pagination tokens that the emulator can check: the position and the filter, with a keyed checksum. */
export function tokenCodec(): TokenCodec {
  const secret = Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16)).join("");
  const checksum = (text: string) => {
    let h = 0x811c9dc5;
    for (const c of `${secret}${text}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193);
    return (h >>> 0).toString(36);
  };
  return {
    encode(afterSeq, filter) {
      const payload = `${afterSeq}|${filter ?? ""}`;
      return btoa(`${payload}|${checksum(payload)}`).replace(/=+$/, "");
    },
    decode(token, filter) {
      let text: string;
      try {
        text = atob(token);
      } catch {
        return undefined;
      }
      const [seq, tokenFilter, sum] = text.split("|");
      if (sum !== checksum(`${seq}|${tokenFilter}`) || (tokenFilter || undefined) !== filter)
        return undefined;
      const n = Number(seq);
      return Number.isInteger(n) ? n : undefined;
    },
  };
}

/** One item a List operation can answer: its place in creation order and its wire form. */
export interface PageItem {
  seq: number;
  wire: unknown;
}

/**
 * One page of `items` under the member `name`, newest first, from the input's `nextToken` and
 * `maxResults` (default 100); `filter` is what the List was narrowed by, which its token must carry.
 */
export function page(
  tokens: TokenCodec,
  name: string,
  items: PageItem[],
  input: { nextToken?: unknown; maxResults?: unknown },
  filter: string | undefined,
): Response {
  let after = Number.POSITIVE_INFINITY;
  if (typeof input.nextToken === "string") {
    const decoded = tokens.decode(input.nextToken, filter);
    if (decoded === undefined)
      return jsonError(400, "InvalidNextTokenException", "The next token is invalid.");
    after = decoded;
  }
  const max = (input.maxResults as number | undefined) ?? 100;
  const matching = items.filter((i) => i.seq < after).sort((a, b) => b.seq - a.seq);
  const slice = matching.slice(0, max);
  const body: Record<string, unknown> = { [name]: slice.map((i) => i.wire) };
  const last = slice[slice.length - 1];
  if (matching.length > max && last) body.nextToken = tokens.encode(last.seq, filter);
  return jsonOk(body);
}

/** A resource's place in creation order when it keeps none: its position in its map (1 for the first). */
export const seqOf = (arn: string, all: Map<string, unknown>) => [...all.keys()].indexOf(arn) + 1;

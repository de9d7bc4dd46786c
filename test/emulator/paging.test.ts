// The List operations' pager on its own: newest first, maxResults at a time, and a token that only this
// emulator, for this filter, made.
import { describe, expect, test } from "bun:test";
import { page, seqOf, tokenCodec } from "../../src/emulator/personalize/paging.ts";

const items = Array.from({ length: 7 }, (_, i) => ({ seq: i + 1, wire: { n: i + 1 } }));

async function read(response: Response) {
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("tokenCodec", () => {
  test("a token decodes to its position for the filter it was made for, and for no other", () => {
    const tokens = tokenCodec();
    const token = tokens.encode(42, "arn:group/a");
    expect(tokens.decode(token, "arn:group/a")).toBe(42);
    expect(tokens.decode(token, "arn:group/b")).toBeUndefined();
    expect(tokens.decode(token, undefined)).toBeUndefined();
    expect(tokens.decode(tokens.encode(7, undefined), undefined)).toBe(7);
  });

  test("an altered token, one from another emulator, and one that is not base64 are refused", () => {
    const tokens = tokenCodec();
    const forged = btoa(`1|arn:group/a|${atob(tokens.encode(42, "arn:group/a")).split("|")[2]}`);
    expect(tokens.decode(forged, "arn:group/a")).toBeUndefined();
    expect(tokenCodec().decode(tokens.encode(42, "arn:group/a"), "arn:group/a")).toBeUndefined();
    expect(tokens.decode("%%%not base64", "arn:group/a")).toBeUndefined();
  });
});

describe("page", () => {
  test("pages newest first, maxResults at a time, until a page without a token", async () => {
    const tokens = tokenCodec();
    const seen: unknown[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const { status, body } = await read(page(tokens, "things", items, { nextToken, maxResults: 3 }, "f"));
      expect(status).toBe(200);
      seen.push(...(body.things as unknown[]));
      nextToken = body.nextToken as string | undefined;
      pages++;
    } while (nextToken);
    expect(pages).toBe(3);
    expect(seen).toEqual([7, 6, 5, 4, 3, 2, 1].map((n) => ({ n })));
  });

  test("100 by default, and no token when the page holds the last item", async () => {
    const many = Array.from({ length: 100 }, (_, i) => ({ seq: i + 1, wire: i + 1 }));
    const { body } = await read(page(tokenCodec(), "things", many, {}, undefined));
    expect((body.things as unknown[]).length).toBe(100);
    expect(body.nextToken).toBeUndefined();
    const { body: more } = await read(
      page(tokenCodec(), "things", [...many, { seq: 101, wire: 101 }], {}, undefined),
    );
    expect((more.things as unknown[])[0]).toBe(101);
    expect(more.nextToken).toBeDefined();
  });

  test("a token used with another filter is InvalidNextTokenException", async () => {
    const tokens = tokenCodec();
    const first = await read(page(tokens, "things", items, { maxResults: 2 }, "arn:group/a"));
    const { status, body } = await read(
      page(tokens, "things", items, { nextToken: first.body.nextToken, maxResults: 2 }, "arn:group/b"),
    );
    expect(status).toBe(400);
    expect(body.__type).toBe("InvalidNextTokenException");
  });

  test("seqOf: a resource's place in its map, 1 for the first", () => {
    const all = new Map([
      ["a", 1],
      ["b", 2],
    ]);
    expect(seqOf("a", all)).toBe(1);
    expect(seqOf("b", all)).toBe(2);
  });
});

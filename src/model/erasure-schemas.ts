// Input schemas of the erasure's operations, built from src/model/erasure.ts with the core's leaf builders.
// Its own builder because these inputs reach types the deletion operations never do (UpdateCampaign's
// campaignConfig: booleans, doubles, maps, enums); the core's builder stays as small as the Worker needs.
import * as v from "valibot";
import { type erasureClientOperations, type erasureOperations, erasureShapes } from "./erasure.ts";
import { type AnySchema, bounds, integerSchema, type ModelShape, stringSchema } from "./schemas.ts";

interface ErasureShape extends Omit<ModelShape, "type"> {
  type: ModelShape["type"] | "boolean" | "double" | "map";
  key?: string;
  value?: string;
  enum?: readonly string[];
}

/** An operation of the complete erasure beyond the three deletion operations. */
export type ErasureOperation = keyof typeof erasureOperations;
/** An erasure operation the client calls. */
export type ClientOperation = (typeof erasureClientOperations)[number];

type Table = Record<string, ErasureShape>;

function build(name: string, table: Table): AnySchema {
  const shape = table[name] as ErasureShape;
  switch (shape.type) {
    case "string":
      return shape.enum
        ? v.picklist(shape.enum as string[], `must be one of ${shape.enum.join(", ")}`)
        : stringSchema(shape as ModelShape, []);
    case "integer":
      return integerSchema(shape as ModelShape);
    case "boolean":
      return v.boolean("must be true or false");
    case "double":
      return v.pipe(
        v.number("must be a number"),
        ...(bounds(shape as ModelShape, (n: number) => n, "") as [v.GenericPipeItem<number, number>]),
      ) as AnySchema;
    case "map":
      return v.record(
        build(shape.key as string, table) as v.GenericSchema<string, string>,
        build(shape.value as string, table),
      );
    case "list":
      return v.pipe(
        v.array(build(shape.member as string, table), "must be an array"),
        ...(bounds(shape as ModelShape, (list: unknown[]) => list.length, " items long") as [
          v.GenericPipeItem<unknown[], unknown[]>,
        ]),
      ) as AnySchema;
    case "structure": {
      const entries: Record<string, AnySchema> = {};
      for (const [member, target] of Object.entries(shape.members ?? {})) {
        const schema = build(target, table);
        entries[member] = shape.required?.includes(member) ? schema : v.optional(schema);
      }
      return v.strictObject(entries, "must be an object with only the members the service knows");
    }
  }
}

const built: Partial<Record<ClientOperation, AnySchema>> = {};

/** The input schema of an operation the client calls, exactly as the model says (built on first use). */
export function erasureInputSchema(operation: ClientOperation): AnySchema {
  // botocore names every Personalize input shape after its operation; test/model/model.test.ts holds it to that.
  built[operation] ??= build(`${operation}Request`, erasureShapes as unknown as Table);
  return built[operation];
}

/** The input schema of any erasure operation from a table holding its shapes (the emulator's). */
export function inputSchemaFrom(operation: ErasureOperation, table: Record<string, unknown>): AnySchema {
  return build(`${operation}Request`, table as Table);
}

// Input schemas of the erasure's operations, built from src/erasure/model.ts with the core's leaf builders.
// Its own builder because these inputs reach types the deletion operations never do (UpdateCampaign's
// campaignConfig: booleans, doubles, maps, enums); the core's builder stays as small as the Worker needs.
import * as v from "valibot";
import { type AnySchema, bounds, integerSchema, type ModelShape, stringSchema } from "../schemas.ts";
import { erasureOperations, erasureShapes } from "./model.ts";

interface ErasureShape extends Omit<ModelShape, "type"> {
  type: ModelShape["type"] | "boolean" | "double" | "map";
  key?: string;
  value?: string;
  enum?: readonly string[];
}

/** An operation of the complete erasure beyond the three deletion operations. */
export type ErasureOperation = keyof typeof erasureOperations;

const table = erasureShapes as unknown as Record<string, ErasureShape>;

function build(name: string): AnySchema {
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
        build(shape.key as string) as v.GenericSchema<string, string>,
        build(shape.value as string),
      );
    case "list":
      return v.pipe(
        v.array(build(shape.member as string), "must be an array"),
        ...(bounds(shape as ModelShape, (list: unknown[]) => list.length, " items long") as [
          v.GenericPipeItem<unknown[], unknown[]>,
        ]),
      ) as AnySchema;
    case "structure": {
      const entries: Record<string, AnySchema> = {};
      for (const [member, target] of Object.entries(shape.members ?? {})) {
        const schema = build(target);
        entries[member] = shape.required?.includes(member) ? schema : v.optional(schema);
      }
      return v.strictObject(entries, "must be an object with only the members the service knows");
    }
  }
}

const built: Partial<Record<ErasureOperation, AnySchema>> = {};

/** The input schema of an erasure operation, exactly as the model says (built on first use). */
export function erasureInputSchema(operation: ErasureOperation): AnySchema {
  built[operation] ??= build(erasureOperations[operation].input);
  return built[operation];
}

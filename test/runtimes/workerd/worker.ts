// workerd: a Worker module whose fetch handler runs the smoke suite; the target comes from bindings.
import * as lib from "personalize-data-deletion";
import { type SmokeTarget, smoke } from "../smoke.ts";

export default {
  async fetch(_request: Request, env: { TARGET: string }): Promise<Response> {
    try {
      return Response.json(await smoke(lib, JSON.parse(env.TARGET) as SmokeTarget));
    } catch (error) {
      return Response.json({ error: String(error), stack: (error as Error).stack }, { status: 500 });
    }
  },
};

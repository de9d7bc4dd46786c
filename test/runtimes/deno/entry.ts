// Deno: imports the package through the import map in deno.json, which points where jsr.json's export
// does (the TypeScript source), as `deno add jsr:...` would.
import * as lib from "personalize-data-deletion";
import { smoke } from "../smoke.ts";

declare const Deno: { args: string[] };
const target = JSON.parse(Deno.args[0] as string);
console.log(JSON.stringify(await smoke(lib, target)));

// Bun: imports the built package by its name, as a bun script in a project that installed it would.
import * as lib from "personalize-data-deletion";
import { smoke } from "../smoke.ts";

const target = JSON.parse(process.argv[2] as string);
console.log(JSON.stringify(await smoke(lib, target)));

// Node: imports the built package by its name (package self-reference through the exports map).
import * as lib from "personalize-data-deletion";
import { smoke } from "../smoke.ts";

const target = JSON.parse(process.argv[2] as string);
console.log(JSON.stringify(await smoke(lib, target)));

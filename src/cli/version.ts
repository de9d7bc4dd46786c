import packageJson from "../../package.json" with { type: "json" };

/** The package's version, from package.json (inlined by the build; read as JSON by Bun and Deno). */
export const VERSION: string = packageJson.version;

/** The package's name and version, as receipts record them (test/version.test.ts holds them to package.json). */
export const TOOL: { readonly name: string; readonly version: string } = {
  name: "personalize-data-deletion",
  version: "0.1.0",
};

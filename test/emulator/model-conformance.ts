// Checks a Personalize JSON answer against the botocore model's output shape: every member the answer has
// exists in the shape with the right JSON type, every `required` member is there, and (the emulator's own
// rule) every creationDateTime/lastUpdatedDateTime a structure declares is present and after 1970.

interface Shape {
  type: string;
  members?: Record<string, { shape: string }>;
  required?: string[];
  member?: { shape: string };
  value?: { shape: string };
  enum?: string[];
}

/** A botocore service model (service-2.json), as much of it as the check reads. */
export interface ServiceModel {
  operations: Record<string, { output?: { shape: string }; errors?: { shape: string }[] }>;
  shapes: Record<string, Shape>;
}

const TIMES = ["creationDateTime", "lastUpdatedDateTime"];

/** The problems of `value` as an instance of `shapeName`, each with its path; none when it conforms. */
export function conformanceProblems(
  model: ServiceModel,
  shapeName: string,
  value: unknown,
  path = "",
): string[] {
  const shape = model.shapes[shapeName];
  if (!shape) return [`${path}: the model has no shape ${shapeName}`];
  const where = path || "(answer)";
  const wrong = (expected: string) => [
    `${where}: expected ${expected} (${shapeName}), got ${JSON.stringify(value)}`,
  ];
  switch (shape.type) {
    case "structure": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return wrong("an object");
      const problems: string[] = [];
      const members = shape.members ?? {};
      for (const [key, item] of Object.entries(value)) {
        const member = members[key];
        if (!member) problems.push(`${path}.${key}: not a member of ${shapeName}`);
        else problems.push(...conformanceProblems(model, member.shape, item, `${path}.${key}`));
      }
      for (const key of shape.required ?? []) {
        if (!(key in value)) problems.push(`${path}.${key}: required by ${shapeName}, missing`);
      }
      for (const key of TIMES) {
        if (key in members && !(key in value)) problems.push(`${path}.${key}: ${shapeName} has it, missing`);
      }
      return problems;
    }
    case "list":
      if (!Array.isArray(value)) return wrong("an array");
      return value.flatMap((item, i) =>
        conformanceProblems(model, shape.member?.shape ?? "", item, `${path}[${i}]`),
      );
    case "map":
      if (typeof value !== "object" || value === null || Array.isArray(value)) return wrong("an object");
      return Object.entries(value).flatMap(([k, item]) =>
        conformanceProblems(model, shape.value?.shape ?? "", item, `${path}{${k}}`),
      );
    case "string":
      if (typeof value !== "string") return wrong("a string");
      return shape.enum && !shape.enum.includes(value) ? wrong(`one of ${shape.enum.join(", ")}`) : [];
    case "timestamp":
      // AWS JSON 1.1 sends epoch seconds; 0 is a time nobody created anything at.
      return typeof value === "number" && value > 0 ? [] : wrong("epoch seconds after 1970");
    case "integer":
    case "long":
      return Number.isInteger(value) ? [] : wrong("a whole number");
    case "float":
    case "double":
      return typeof value === "number" ? [] : wrong("a number");
    case "boolean":
      return typeof value === "boolean" ? [] : wrong("true or false");
    default:
      return [`${where}: shape type ${shape.type} is not checked`];
  }
}

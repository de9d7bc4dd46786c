// Solutions and their versions: ListSolutions, DescribeSolution, ListSolutionVersions,
// DescribeSolutionVersion and CreateSolutionVersion, which starts a training on the users there now.
import type { Tag } from "../state-types.ts";
import { jsonError, jsonOk } from "../wire.ts";
import { type GroupContext, notFound, type Operation } from "./common.ts";
import { page, seqOf } from "./paging.ts";
import { createTagsProblem } from "./tags.ts";
import { seconds, versionWire } from "./wire.ts";

/** The solution and solution version operations over `context`'s world. */
export function solutionOperations({ state, hooks, tokens }: GroupContext): Record<string, Operation> {
  const world = state.world;
  return {
    ListSolutions(input) {
      const items = [...world.solutions.values()]
        .filter((s) => !input.datasetGroupArn || s.datasetGroupArn === input.datasetGroupArn)
        .map((s) => ({
          seq: seqOf(s.solutionArn, world.solutions),
          wire: {
            name: s.name,
            solutionArn: s.solutionArn,
            status: "ACTIVE",
            recipeArn: s.recipeArn,
            creationDateTime: seconds(s.createdAt),
            lastUpdatedDateTime: seconds(s.createdAt),
          },
        }));
      return page(tokens, "solutions", items, input, input.datasetGroupArn as string | undefined);
    },
    DescribeSolution({ solutionArn }) {
      const s = world.solutions.get(solutionArn as string);
      if (!s) return notFound(solutionArn);
      const latest = [...world.versions.values()].filter((v) => v.solutionArn === s.solutionArn).pop();
      return jsonOk({
        solution: {
          name: s.name,
          solutionArn: s.solutionArn,
          recipeArn: s.recipeArn,
          datasetGroupArn: s.datasetGroupArn,
          performAutoTraining: false,
          status: "ACTIVE",
          creationDateTime: seconds(s.createdAt),
          lastUpdatedDateTime: seconds(s.createdAt),
          ...(latest && { latestSolutionVersion: versionWire(world, latest, false) }),
        },
      });
    },
    ListSolutionVersions(input) {
      // The one List whose model declares ResourceNotFoundException; the others list nothing for a parent
      // they do not know.
      if (typeof input.solutionArn === "string" && !world.solutions.has(input.solutionArn)) {
        return notFound(input.solutionArn);
      }
      const items = [...world.versions.values()]
        .filter((v) => !input.solutionArn || v.solutionArn === input.solutionArn)
        .map((v) => ({ seq: v.seq, wire: versionWire(world, v, false) }));
      return page(tokens, "solutionVersions", items, input, input.solutionArn as string | undefined);
    },
    DescribeSolutionVersion({ solutionVersionArn }) {
      const v = world.versions.get(solutionVersionArn as string);
      return v ? jsonOk({ solutionVersion: versionWire(world, v, true) }) : notFound(solutionVersionArn);
    },
    CreateSolutionVersion(input) {
      const solution = world.solutions.get(input.solutionArn as string);
      if (!solution) return notFound(input.solutionArn);
      const versions = [...world.versions.values()].filter((v) => v.solutionArn === solution.solutionArn);
      if (input.name !== undefined && versions.some((v) => v.name === input.name)) {
        return jsonError(
          400,
          "ResourceAlreadyExistsException",
          `Solution version with name ${input.name} already exists`,
        );
      }
      if (versions.some((v) => /PENDING|IN_PROGRESS/.test(v.status))) {
        return jsonError(
          400,
          "ResourceInUseException",
          `Solution ${solution.solutionArn} has a solution version being created`,
        );
      }
      const tagsRefused = createTagsProblem(input.tags as Tag[] | undefined);
      if (tagsRefused) return tagsRefused;
      const mode = (input.trainingMode as string | undefined) ?? "FULL";
      if (mode === "AUTOTRAIN") {
        return jsonError(
          400,
          "InvalidInputException",
          "trainingMode AUTOTRAIN is set by automatic training, not by CreateSolutionVersion",
        );
      }
      const version = world.train(
        solution.solutionArn,
        solution.datasetGroupArn,
        mode,
        hooks.now(),
        input.name as string | undefined,
      );
      state.setTags(version.solutionVersionArn, (input.tags as Tag[] | undefined) ?? []);
      hooks.changed();
      return jsonOk({ solutionVersionArn: version.solutionVersionArn });
    },
  };
}

import { readdirSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";

// Enough of glob for file inputs: `*` and `?` within a path segment, `**` across segments.
function toRegExp(pattern: string): RegExp {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === "*" && pattern[i + 1] === "*") {
      out += pattern[i + 2] === "/" ? "(?:.*/)?" : ".*";
      i += pattern[i + 2] === "/" ? 2 : 1;
    } else if (c === "*") out += "[^/]*";
    else if (c === "?") out += "[^/]";
    else out += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${out}$`);
}

/** Files under `cwd` matching `pattern` (sorted); a pattern without wildcards names one file. */
export function globFiles(pattern: string, cwd: string): string[] {
  if (!/[*?]/.test(pattern)) {
    const path = resolve(cwd, pattern);
    return statSync(path, { throwIfNoEntry: false })?.isFile() ? [path] : [];
  }
  // Walk only from the literal directory part, e.g. "data/" for "data/**/*.csv".
  const parts = pattern.split("/");
  const firstWild = parts.findIndex((part) => /[*?]/.test(part));
  const base = resolve(cwd, parts.slice(0, firstWild).join("/") || (pattern.startsWith("/") ? "/" : "."));
  const re = toRegExp(parts.slice(firstWild).join("/"));
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === "node_modules" || entry.name === ".git") continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && re.test(relative(base, path).split(sep).join("/"))) found.push(path);
    }
  };
  if (statSync(base, { throwIfNoEntry: false })?.isDirectory()) walk(base);
  return found.sort();
}

// Applies a Worker's D1 migrations as `wrangler d1 migrations apply` does: every migrations/*.sql in name
// order, each recorded in the d1_migrations table, none applied twice.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

interface D1 {
  prepare(query: string): {
    bind(...values: unknown[]): { run(): Promise<unknown> };
    run(): Promise<unknown>;
    all(): Promise<{ results: unknown[] }>;
  };
}

/** The statements of a migration file: comments dropped, split at the `;` that ends each. */
export function statements(sql: string): string[] {
  return sql
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("--"))
    .join("\n")
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export async function applyMigrations(db: D1, dir: string): Promise<string[]> {
  await db
    .prepare(
      "CREATE TABLE IF NOT EXISTS d1_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)",
    )
    .run();
  const done = new Set(
    ((await db.prepare("SELECT name FROM d1_migrations").all()).results as { name: string }[]).map(
      (r) => r.name,
    ),
  );
  const applied: string[] = [];
  for (const name of readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort()) {
    if (done.has(name)) continue;
    for (const statement of statements(readFileSync(join(dir, name), "utf8")))
      await db.prepare(statement).run();
    await db.prepare("INSERT INTO d1_migrations (name) VALUES (?)").bind(name).run();
    applied.push(name);
  }
  return applied;
}

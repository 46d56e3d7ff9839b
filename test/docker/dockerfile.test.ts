/**
 * No container runtime runs in CI here, so the Dockerfile is checked against package.json as text:
 * the Node major the package supports, every shipped folder ("files"), the bin as entrypoint, a
 * non-root user, and a .dockerignore that keeps out nothing the build copies.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const dockerfile = readFileSync('Dockerfile', 'utf8');
const ignore = readFileSync('.dockerignore', 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  engines: { node: string };
  files: string[];
  bin: Record<string, string>;
};
/** Instructions, one per logical line (comments dropped). */
const instructions = dockerfile.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
const stages = dockerfile
  .split(/^FROM /m)
  .slice(1)
  .map((s) => `FROM ${s}`);
const runtime = stages.at(-1) ?? '';

describe('Dockerfile', () => {
  it('should build and run on the Node major package.json supports, in two stages', () => {
    const major = /(\d+)/.exec(pkg.engines.node)?.[1];
    const froms = instructions.filter((l) => l.startsWith('FROM '));
    expect(froms).toHaveLength(2);
    for (const from of froms) expect(from).toMatch(new RegExp(`^FROM node:${major}(-[a-z0-9-]+)?(\\s|$)`));
  });

  it('should ship every folder of package.json "files" in the runtime stage', () => {
    for (const entry of pkg.files) {
      const copied = new RegExp(`^COPY (--from=build /app/)?${entry}/? \\./${entry}/?$`, 'm');
      expect(runtime, entry).toMatch(copied);
    }
  });

  it('should install with the lockfile (npm ci), runtime dependencies only in the runtime stage', () => {
    expect(stages[0]).toMatch(/^RUN npm ci\b/m);
    expect(runtime).toMatch(/^RUN npm ci --omit=dev\b/m);
    expect(runtime).toMatch(/^COPY package\.json package-lock\.json \.\/$/m);
  });

  it('should run the package bin as entrypoint, as a non-root user', () => {
    const [name, path] = Object.entries(pkg.bin)[0]!;
    expect(runtime).toContain(`ln -s /app/${path} /usr/local/bin/${name}`);
    expect(runtime).toMatch(new RegExp(`^ENTRYPOINT \\["${name}"\\]$`, 'm'));
    const user = /^USER (\S+)$/m.exec(runtime)?.[1];
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)$/);
    // USER comes after every RUN of the runtime stage (the non-root user cannot write /usr/local/bin).
    expect(runtime.lastIndexOf('\nRUN ')).toBeLessThan(runtime.indexOf('\nUSER '));
  });

  it('should not ignore anything the build copies', () => {
    const copied = instructions
      .filter((l) => l.startsWith('COPY ') && !l.includes('--from='))
      .flatMap((l) => l.split(/\s+/).slice(1, -1));
    expect(copied.length).toBeGreaterThan(0);
    for (const path of copied) expect(ignore, path).not.toContain(path.replace(/\/$/, ''));
  });
});

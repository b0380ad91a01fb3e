// The deployment files, checked without a Docker engine: the compose file's services, ports, healthchecks and the
// worker's environment (against the list of variables the worker reads), the Dockerfile's shape, the Grafana
// dashboard's metric names; `docker compose config` too where the compose plugin exists.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { WORKER_ENV_VARS } from '../../src/config';
import { METRICS } from '../../src/metrics/names';
import { PROJECT_ROOT } from '../../src/temporal/cli-binary';

const DEPLOY = join(PROJECT_ROOT, 'deploy');
const COMPOSE_FILE = join(DEPLOY, 'docker-compose.yml');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  profiles?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  volumes?: string[];
  command?: string | string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string | string[] };
}
const compose = parse(readFileSync(COMPOSE_FILE, 'utf8')) as { services: Record<string, Service> };
const services = compose.services;

/** The container port a service publishes, from `'${VAR:-8080}:8080'`. */
const containerPorts = (s: Service) => (s.ports ?? []).map((p) => Number(p.split(':').at(-1)));

const hasComposePlugin = (() => {
  try {
    execFileSync('docker', ['compose', 'version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('deploy/docker-compose.yml', () => {
  it('runs Temporal on PostgreSQL after the schema job, with the Web UI, the worker, and the simulator as a profile', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining([
        'postgresql',
        'temporal-schema',
        'temporal',
        'temporal-namespace',
        'temporal-ui',
        'worker',
        'simulator',
      ]),
    );
    expect(services.temporal!.image).toMatch(/^temporalio\/server:/);
    expect(services.temporal!.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
    expect(services.temporal!.depends_on).toEqual({
      'temporal-schema': { condition: 'service_completed_successfully' },
    });
    expect(services['temporal-schema']!.depends_on).toEqual({ postgresql: { condition: 'service_healthy' } });
    expect(services['temporal-ui']!.image).toMatch(/^temporalio\/ui:/);
    expect(services.worker!.depends_on).toEqual({
      'temporal-namespace': { condition: 'service_completed_successfully' },
    });
    expect(services.worker!.build).toEqual({ context: '..', dockerfile: 'Dockerfile' });
    expect(services.simulator!.profiles).toEqual(['simulator']);
    expect(services.simulator!.command).toEqual(expect.arrayContaining(['simulator', '--host', '0.0.0.0']));
  });

  it('publishes Temporal, the Web UI, the worker metrics and the simulator on their ports', () => {
    expect(containerPorts(services.temporal!)).toEqual([7233]);
    expect(containerPorts(services['temporal-ui']!)).toEqual([8080]);
    expect(containerPorts(services.worker!)).toEqual([Number(services.worker!.environment!.HAI_TEMPORAL_METRICS_PORT)]);
    expect(containerPorts(services.simulator!)).toEqual([8000]);
  });

  it('gives every long-running service a healthcheck, and the worker one on its metrics port', () => {
    const jobs = ['temporal-schema', 'temporal-namespace'];
    for (const [name, service] of Object.entries(services)) {
      if (jobs.includes(name)) continue;
      expect(service.healthcheck?.test, `${name} healthcheck`).toBeDefined();
    }
    const workerCheck = [services.worker!.healthcheck!.test].flat().join(' ');
    expect(workerCheck).toContain(`127.0.0.1:${services.worker!.environment!.HAI_TEMPORAL_METRICS_PORT}/metrics`);
  });

  it('sets only variables the worker reads, and every variable is documented in the README', () => {
    const set = Object.keys(services.worker!.environment!);
    // Read by the C library, not by the worker's code: two malloc arenas keep a busy worker's RSS down (README).
    const runtime = ['MALLOC_ARENA_MAX'];
    const unknown = set.filter(
      (name) => !(WORKER_ENV_VARS as readonly string[]).includes(name) && !runtime.includes(name),
    );
    expect(unknown).toEqual([]);
    const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
    const configuration = readme.slice(readme.indexOf('## Configuration'));
    const undocumented = WORKER_ENV_VARS.filter(
      (name) => !name.startsWith('TEMPORAL_TLS_') && !configuration.includes(name),
    );
    expect(undocumented).toEqual([]);
  });

  it("lists every variable the worker's own code reads (the list is the source of truth, not a copy)", () => {
    const files = ['src/config.ts', 'src/hai/config.ts', 'src/worker.ts'];
    for (const dir of ['src/activities', 'src/logging', 'src/metrics']) {
      for (const f of readdirSync(join(PROJECT_ROOT, dir))) files.push(`${dir}/${f}`);
    }
    const read = new Set<string>();
    for (const file of files) {
      if (!statSync(join(PROJECT_ROOT, file)).isFile()) continue;
      for (const m of readFileSync(join(PROJECT_ROOT, file), 'utf8').matchAll(
        /env\??\.((?:HAI|H|TEMPORAL)_[A-Z_]+)/g,
      )) {
        read.add(m[1]!);
      }
    }
    expect(read.size).toBeGreaterThan(10);
    expect([...read].filter((name) => !(WORKER_ENV_VARS as readonly string[]).includes(name))).toEqual([]);
  });

  it('mounts scripts and config that exist, scripts executable', () => {
    for (const service of Object.values(services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (!source.startsWith('./')) continue;
        expect(() => statSync(join(DEPLOY, source)), source).not.toThrow();
      }
    }
    for (const script of readdirSync(join(DEPLOY, 'scripts'))) {
      expect(() => accessSync(join(DEPLOY, 'scripts', script), constants.X_OK), script).not.toThrow();
    }
  });

  it.runIf(hasComposePlugin)('passes `docker compose config`', () => {
    execFileSync(
      'docker',
      ['compose', '-f', COMPOSE_FILE, '--profile', 'simulator', '--profile', 'monitoring', 'config', '-q'],
      {
        env: { ...process.env, HAI_API_KEY: 'hk-compose-check' },
      },
    );
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(PROJECT_ROOT, 'Dockerfile'), 'utf8');
  const stages = dockerfile.split(/^FROM /m).slice(1);

  it('builds with npm ci and npm run build, and ships a final stage without dev dependencies as a non-root user', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0]).toMatch(/RUN npm ci/);
    expect(stages[0]).toMatch(/npm run build/);
    expect(stages[0]).toMatch(/npm prune --omit=dev/);
    const final = stages.at(-1)!;
    expect(final).toMatch(/^USER (?!root\b)\w+/m);
    expect(final).toMatch(/^HEALTHCHECK /m);
    expect(final).not.toMatch(/COPY (--from=build )?\S*src/);
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.build).toBeDefined();
  });
});

describe('deploy/grafana-dashboard.json', () => {
  it('charts only metrics the worker exports', () => {
    const dashboard = JSON.parse(readFileSync(join(DEPLOY, 'grafana-dashboard.json'), 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
    const used = new Set(exprs.flatMap((e) => [...e.matchAll(/\bhai_[a-z_]+/g)].map((m) => m[0])));
    const known = new Set(Object.values(METRICS) as string[]);
    const unknown = [...used].filter((name) => !known.has(name.replace(/_(bucket|sum|count)$/, '')));
    expect(unknown).toEqual([]);
    // Every project metric has a panel.
    expect([...known].filter((name) => ![...used].some((u) => u.startsWith(name)))).toEqual([]);
  });
});

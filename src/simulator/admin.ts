// Test plumbing outside /api/v2, so a simulator in a child process can be steered and inspected: open without
// --api-key, and behind that key when it is set (the server checks it before these handlers).
import type { App } from './app';
import { type Reply, detail, json } from './http';
import { faultsPatchSchema, optionsPatchSchema } from './options';
import { parseWith } from './validation';

export function handleAdmin(app: App, method: string, path: string, body: () => unknown): Reply {
  const faults = (): Reply => json(200, app.options.faults);
  switch (`${method} ${path}`) {
    case 'GET /_simulator/stats':
      return json(200, app.stats.snapshot());
    case 'PUT /_simulator/faults':
      app.setFaults(parseWith(faultsPatchSchema, body()));
      return faults();
    case 'POST /_simulator/reset-faults':
      app.resetFaults();
      return faults();
    case 'PUT /_simulator/options': {
      app.setOptions(parseWith(optionsPatchSchema, body()));
      const { apiKey: _hidden, ...visible } = app.options;
      return json(200, visible);
    }
    default:
      return detail(404, 'Not Found');
  }
}

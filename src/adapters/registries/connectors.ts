// The node's registry connectors built from registries.json (src/config/registries.ts):
// one connector per kind of information, each with its own circuit breaker.
import type { RegistriesConfig } from '../../config/registries.js';
import type { LookupKind } from '../../domain/registry-lookups.js';
import type { Clock } from '../../ports/clock.js';
import type { RegistryConnectors, RegistryLookup } from '../../ports/registry-lookup.js';
import { demoRegistry, loadDemoDataset, type DemoDataset } from './demo-registries.js';
import { httpJsonConnector, type HttpJsonDeps } from './http-json-connector.js';

export async function buildRegistryConnectors(
  config: RegistriesConfig,
  deps: { readonly clock: Clock; readonly dataDir: string; readonly sleep?: HttpJsonDeps['sleep'] },
): Promise<RegistryConnectors> {
  const datasets = new Map<string, DemoDataset>();
  const byKind = new Map<LookupKind, RegistryLookup>();
  for (const [kind, c] of Object.entries(config.lookups) as [
    LookupKind,
    NonNullable<RegistriesConfig['lookups'][LookupKind]>,
  ][]) {
    if (c.connector === 'http-json') {
      byKind.set(kind, httpJsonConnector(c, { clock: deps.clock, ...(deps.sleep ? { sleep: deps.sleep } : {}) }));
    } else {
      let data = datasets.get(c.dataset);
      if (!data) {
        data = await loadDemoDataset(deps.dataDir, c.dataset);
        datasets.set(c.dataset, data);
      }
      byKind.set(kind, demoRegistry(data, kind));
    }
  }
  return { forKind: (k) => byKind.get(k) ?? null, autoSend: config.autoSend };
}

// Starts a worker_threads Worker on a module of this package, from source (tsx) or from dist/ alike.
//
// From dist/ the module is plain .js and starts directly. From source it is .ts, and Node 20 cannot load that in a
// worker by itself: `execArgv: ['--import', 'tsx']` is not enough, because tsx 4 registers its loader only on the
// main thread on Node < 22. So a two-line bootstrap registers tsx's ESM loader inside the worker (tsx/esm/api's
// register()), then imports the module.
import { Worker, type WorkerOptions } from 'node:worker_threads';

export function spawnModuleWorker(moduleUrl: URL, options: WorkerOptions = {}): Worker {
  if (!moduleUrl.pathname.endsWith('.ts')) return new Worker(moduleUrl, options);
  let tsxApi: string;
  try {
    tsxApi = import.meta.resolve('tsx/esm/api');
  } catch (error) {
    throw new Error(`spawnModuleWorker: ${moduleUrl.pathname} is TypeScript and tsx cannot be resolved (${(error as Error).message}); run from dist/ (npm run build) or install the dev dependencies`);
  }
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(moduleUrl.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}

/** The sibling module `name` (without extension) of `base`, with base's extension (.ts under tsx, .js in dist/). */
export function siblingModule(base: string, name: string): URL {
  const ext = base.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${name}${ext}`, base);
}

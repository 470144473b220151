// Layer rules (docs/architecture.md, "Layers"). `npm run check:boundaries` fails on any violation.
//   src/core    the shared domain: imports nothing else in the repository
//   src/server  the community server: imports src/core
//   ingest      the crawler: imports src/core (its CLI commands are composition roots and may wire src/server)
//   src/site, src/pages, src/components, src/layouts, src/data, src/integrations, src/middleware.ts,
//   src/api-routes.ts
//               the Astro app: imports src/server and src/core
//   fakes       offline upstreams: import nothing from src/ or ingest/
// Tests, benchmarks and test-support folders (`testing/`) may reach across layers; production code may not
// import them.
const APP = '^src/(site|pages|components|layouts|data|integrations|styles)/|^src/(middleware|api-routes)\\.ts$|^src/env\\.d\\.ts$';
const TEST_FILE = '\\.(test|contract)\\.ts$|/testing/|^tests/|^bench/';
const COMPOSITION_ROOTS = '^ingest/cli\\.ts$|^ingest/commands/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'Modules form no cycles.', from: {}, to: { circular: true } },
    {
      name: 'core-imports-only-core',
      severity: 'error',
      comment: 'src/core is the bottom layer: it imports only src/core (and packages).',
      from: { path: '^src/core/', pathNot: TEST_FILE },
      to: { pathNot: '^src/core/|node_modules|^node:', dependencyTypesNot: ['core'] },
    },
    {
      name: 'server-imports-core',
      severity: 'error',
      comment: 'src/server imports only src/core and itself.',
      from: { path: '^src/server/', pathNot: TEST_FILE },
      to: { pathNot: '^src/(core|server)/|node_modules', dependencyTypesNot: ['core'] },
    },
    // Inside src/server: http → (community, auth, generation) → (jobs, cache) → src/core. start-up.ts (the one
    // composition root) wires them all and only http/ may use it; the services below http/ never see HTTP
    // (they throw domain errors from src/core/errors.ts; http/api-error.ts chooses the status).
    {
      name: 'server-services-import-no-http',
      severity: 'error',
      comment: 'community, auth, generation, jobs and cache never import the route helpers: HTTP statuses are chosen in src/server/http only.',
      from: { path: '^src/server/(community|auth|generation|jobs|cache)/', pathNot: TEST_FILE },
      to: { path: '^src/server/http/' },
    },
    {
      name: 'server-services-import-no-start-up',
      severity: 'error',
      comment: 'Only http/ (and the app) get the wired services from src/server/start-up.ts; the services take what they use as arguments.',
      from: { path: '^src/server/(community|auth|generation|jobs|cache)/', pathNot: TEST_FILE },
      to: { path: '^src/server/start-up\\.ts$' },
    },
    {
      name: 'server-infrastructure-imports-no-domain',
      severity: 'error',
      comment: 'jobs and cache sit below community, auth and generation: they import none of them.',
      from: { path: '^src/server/(jobs|cache)/', pathNot: TEST_FILE },
      to: { path: '^src/server/(community|auth|generation)/' },
    },
    {
      name: 'server-community-and-auth-independent',
      severity: 'error',
      comment: 'community, auth and generation are siblings: none imports another (http combines them).',
      from: { path: '^src/server/(community|auth|generation)/', pathNot: TEST_FILE },
      to: { path: '^src/server/(community|auth|generation)/', pathNot: '^src/server/$1/' },
    },
    {
      name: 'server-cache-imports-no-jobs',
      severity: 'error',
      comment: 'jobs use the cache; the cache never enqueues jobs.',
      from: { path: '^src/server/cache/', pathNot: TEST_FILE },
      to: { path: '^src/server/jobs/' },
    },
    {
      name: 'app-uses-server-services',
      severity: 'error',
      comment: 'The Astro app reaches jobs and the cache only through the services of src/server/start-up.ts.',
      from: { path: APP, pathNot: TEST_FILE },
      to: { path: '^src/server/(jobs|cache)/' },
    },
    {
      name: 'ingest-imports-core',
      severity: 'error',
      comment: 'ingest imports only src/core and itself; only its CLI commands (composition roots) may wire src/server.',
      from: { path: '^ingest/', pathNot: `${TEST_FILE}|${COMPOSITION_ROOTS}` },
      to: { pathNot: '^ingest/|^src/core/|node_modules', dependencyTypesNot: ['core'] },
    },
    {
      name: 'composition-roots-wire-core-and-server',
      severity: 'error',
      comment: 'CLI commands wire src/core, src/server and ingest (and `start` the offline fakes for the demo); never the Astro app.',
      from: { path: COMPOSITION_ROOTS, pathNot: TEST_FILE },
      to: { pathNot: '^ingest/|^src/(core|server)/|^fakes/[^/]+/server\\.ts$|node_modules', dependencyTypesNot: ['core'] },
    },
    {
      name: 'app-imports-server-and-core',
      severity: 'error',
      comment: 'The Astro app imports src/server and src/core, never ingest/ or fakes/.',
      from: { path: APP, pathNot: TEST_FILE },
      to: { path: '^(ingest|fakes|tests|bench)/' },
    },
    {
      name: 'fakes-stand-alone',
      severity: 'error',
      comment: 'The offline fakes speak the upstream contracts on their own: they import nothing from src/ or ingest/.',
      from: { path: '^fakes/' },
      to: { path: '^(src|ingest|tests|bench)/' },
    },
    {
      name: 'production-code-imports-no-tests',
      severity: 'error',
      comment: 'Test files, contract suites and testing/ helpers are for tests and benchmarks only.',
      from: { path: '^(src|ingest)/', pathNot: TEST_FILE },
      to: { path: TEST_FILE },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      comment: 'Every relative import resolves.',
      from: {},
      to: { couldNotResolve: true, pathNot: '^astro:' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|data|\\.astro)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.tsx', '.mjs', '.js', '.astro'] },
  },
};

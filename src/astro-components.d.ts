// `.astro` components imported from a `.ts` module (the /api/feed route renders the work card with Astro's
// container API): `tsc` has no loader for them, so it reads them as this; `astro check` resolves the real
// component and its props.
declare module '*.astro' {
  const component: import('astro/runtime/server/index.js').AstroComponentFactory;
  export default component;
}

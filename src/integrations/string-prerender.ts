// Astro integration: prerendered pages render to one string each instead of a stream. Astro streams a
// page when the build is "server-like" (any adapter, here the Node one for the API routes and on-demand
// pages), and a prerendered page is then assembled from a ReadableStream that encodes every small render
// chunk on its own: in a CPU profile of a 10k-work build that stream (TextEncoder calls, promise jobs, GC)
// was a large part of the rendering. Astro itself renders strings for static-only builds ("writing strings
// is faster", core/build/environment.js); this wraps the default prerenderer to do the same here. The HTML
// is the same; on-demand pages (the adapter's server) keep streaming.
import type { AstroIntegration } from 'astro';

/** The part of the default prerenderer's app this relies on (astro/dist/core/build/app.js's BuildApp). */
interface StreamingApp {
  resolveStreaming(): boolean | undefined;
}

export function stringPrerender(): AstroIntegration {
  return {
    name: 'huaku:string-prerender',
    hooks: {
      'astro:build:start': ({ setPrerenderer }) => {
        setPrerenderer((defaultPrerenderer) => ({
          ...defaultPrerenderer,
          name: 'huaku:string-prerender',
          async setup() {
            await defaultPrerenderer.setup?.();
            const app = (defaultPrerenderer as { app?: StreamingApp }).app;
            if (!app || typeof app.resolveStreaming !== 'function') throw new Error('huaku:string-prerender: Astro\'s default prerenderer has no app.resolveStreaming (Astro changed?)');
            app.resolveStreaming = () => false;
          },
        }));
      },
      // Setting a prerenderer makes Astro leave the prerender bundle's entry to the adapter (one that brings
      // its own prerenderer also builds its own entry); this one wraps the default, so it keeps Astro's.
      'astro:build:setup': ({ vite }) => {
        const options = vite.environments?.prerender?.build?.rolldownOptions;
        if (!options) throw new Error('huaku:string-prerender: no prerender environment in the build config (Astro changed?)');
        options.input ??= 'astro/entrypoints/prerender';
      },
    },
  };
}

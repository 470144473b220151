// The page's few inline scripts (they must run before first paint or before any module loads), with
// their CSP hashes. The Content-Security-Policy allows scripts by hash only (no 'unsafe-inline'), so each
// inline script is a constant here and astro.config.mjs lists INLINE_SCRIPT_HASHES; editing a script
// changes its hash in the same build.
import { createHash } from 'node:crypto';
import { COVER_PLACEHOLDER } from './loras/lora-display.ts';
import { NSFW_SHOW_CLASS, NSFW_STORAGE_KEY, NSFW_SWITCHABLE_CLASS } from './nsfw.ts';

/**
 * Applies the visitor's "show sensitive content" choice before the page paints, and shows the switch from
 * the first paint on (nsfw-preference.astro).
 */
export const NSFW_PREFERENCE_SCRIPT = `var h=document.documentElement;h.classList.add(${JSON.stringify(NSFW_SWITCHABLE_CLASS)});try{if(localStorage.getItem(${JSON.stringify(NSFW_STORAGE_KEY)})==='1')h.classList.add(${JSON.stringify(NSFW_SHOW_CLASS)})}catch(e){}`;

/**
 * Covers marked `data-cover-fallback` that fail to load show the placeholder instead (cover-fallback.astro).
 * A capturing listener (error events do not bubble), in place before any cover can fail.
 */
export const COVER_FALLBACK_SCRIPT = `document.addEventListener('error',function(event){var img=event.target;var placeholder=${JSON.stringify(COVER_PLACEHOLDER)};if(!(img instanceof HTMLImageElement)||!img.hasAttribute('data-cover-fallback')||img.getAttribute('src')===placeholder)return;img.removeAttribute('srcset');img.src=placeholder;img.setAttribute('data-placeholder','')},true);`;

/** `sha256-<base64>`: the CSP source that allows exactly this script text. */
function cspHash(script: string): `sha256-${string}` {
  return `sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}`;
}

export const INLINE_SCRIPT_HASHES = [NSFW_PREFERENCE_SCRIPT, COVER_FALLBACK_SCRIPT].map(cspHash);

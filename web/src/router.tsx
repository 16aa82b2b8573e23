import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/** A small history router: the console's pages are paths the server answers with the same page. */

const listeners = new Set<() => void>();

/** Goes to `href` in the console without reloading; `replace` keeps it out of the back button. */
export function navigate(href: string, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  for (const l of listeners) l();
  window.scrollTo(0, 0);
  // Screen readers announce the new page's title, and Tab goes on from there (after it renders).
  requestAnimationFrame(() => document.querySelector<HTMLElement>('main h1')?.focus());
}

/** The current location, re-rendering on every change. */
export function useLocation() {
  const [, setTick] = useState(0);
  useEffect(() => {
    const changed = () => setTick((t) => t + 1);
    listeners.add(changed);
    window.addEventListener('popstate', changed);
    return () => {
      listeners.delete(changed);
      window.removeEventListener('popstate', changed);
    };
  }, []);
  return { path: location.pathname, params: new URLSearchParams(location.search) };
}

/** The named parts of `pattern` (`/devices/:id`) in `path`, or undefined when it does not match. */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.replace(/\/+$/, '').split('/');
  if (want.length !== got.length && !(path === '/' && pattern === '/')) return undefined;
  const out: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i] ?? '';
    if (w.startsWith(':')) out[w.slice(1)] = decodeURIComponent(g);
    else if (w !== g) return undefined;
  }
  return out;
}

/** A link that moves within the console; a modified click (new tab) is the browser's. */
export function Link({
  href,
  children,
  ...rest
}: { href: string; children: ComponentChildren } & JSX.IntrinsicElements['a']) {
  const onClick = (e: MouseEvent) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return (
    <a href={href} onClick={onClick} {...rest}>
      {children}
    </a>
  );
}

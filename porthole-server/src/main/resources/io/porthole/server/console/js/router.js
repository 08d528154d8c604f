// Console routes live in the URL fragment (#/computers/…), so no console address is ever an API path.

/** The route shown: "/computers" when the fragment names none. */
export function route() {
  const hash = location.hash;
  return hash.startsWith('#/') ? hash.slice(1) : '/computers';
}

/** Goes to a route ("/computers/abc"); the app renders on hashchange. */
export function go(to) {
  if (route() === to) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = '#' + to;
}

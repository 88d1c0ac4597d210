// The memcg playground as a custom element, for documentation pages:
//
//   <script type="module" src="https://…/www/embed.js"></script>
//   <memcg-playground preset="stalls" height="360"></memcg-playground>
//
// Attributes: preset (seed, stalls, parent, high, low, fleet), state (a
// shared link or its fragment, s=1.…), or else the element's text: shell
// lines run on a fresh machine (version="v2" for cgroup v2; v1 by default).
// height (px, default 360), speed (tenths of a decade: 10 is ×10),
// console="off" (tree and controls only), theme="light|dark" (default: the
// system's), playground (the page "Open in playground" goes to; default
// index.html next to www/). Every element gets its own simulator in its own
// shadow root; the wasm module is loaded once, on the first element.
const base = new URL('./', import.meta.url);
let module;
const load = () => (module ??= import(new URL('pkg/memcg_web.js', base).href).then(async (m) => {
  await m.default();
  return m;
}));

class MemcgPlayground extends HTMLElement {
  connectedCallback() {
    if (this.shadowRoot) return;
    const script = this.textContent;
    const root = this.attachShadow({ mode: 'open' });
    const height = parseInt(this.getAttribute('height') || '360', 10);
    this.style.display = 'block';
    this.style.height = `${Number.isFinite(height) ? Math.max(160, height) : 360}px`;
    const css = document.createElement('link');
    css.rel = 'stylesheet';
    css.href = new URL('style.css', base).href;
    const mount = document.createElement('div');
    mount.style.height = '100%';
    mount.innerHTML = '<p class="loading" style="margin:0;padding:1rem">Loading the memcg simulator…</p>';
    root.append(css, mount);
    const attr = (name) => this.getAttribute(name) || '';
    const speed = parseInt(attr('speed'), 10);
    load().then((m) => m.mount_embed(
      mount,
      attr('preset'),
      attr('state'),
      script,
      attr('version'),
      attr('playground') || new URL('../index.html', base).href,
      Number.isFinite(speed) ? speed : undefined,
      attr('console') !== 'off',
      false,
    )).catch((err) => {
      mount.textContent = `The memcg simulator could not start: ${err && err.message ? err.message : err}`;
      mount.setAttribute('role', 'alert');
      console.error(err);
    });
  }
}

if (!customElements.get('memcg-playground')) {
  customElements.define('memcg-playground', MemcgPlayground);
}

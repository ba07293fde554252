import type { FleetMsg, FleetRobotWire } from '../../server/ops-protocol.js';

/**
 * Every robot on the broker as a table. Messages only store the newest snapshot; the DOM is rebuilt at most
 * `renderHz` times a second, so 20 robots at a few Hz each never outrun the page.
 */
export class FleetPage {
  readonly root: HTMLElement;
  rows = 0;
  renders = 0;
  readonly #body: HTMLTableSectionElement;
  readonly #summary: HTMLElement;
  readonly #rowsByKey = new Map<string, HTMLTableRowElement>();
  readonly #current = new Map<string, FleetRobotWire>();
  #pending: FleetMsg | undefined;
  #timer: number | undefined;
  readonly #minIntervalMs: number;
  #lastRenderMs = 0;

  constructor(readonly onOpen: (robot: FleetRobotWire) => void, renderHz = 4) {
    this.#minIntervalMs = 1000 / renderHz;
    this.root = document.createElement('section');
    this.root.className = 'ops-page fleet-page';
    this.root.innerHTML = `
      <h2>Fleet <span class="fleet-summary" data-fleet-summary></span></h2>
      <table class="fleet-table">
        <thead><tr><th>robot</th><th>site</th><th>status</th><th>mode</th><th>task</th><th>safety</th><th>loop</th><th>rec</th><th>alerts</th><th></th></tr></thead>
        <tbody data-fleet-body></tbody>
      </table>`;
    this.#body = this.root.querySelector('[data-fleet-body]')!;
    this.#summary = this.root.querySelector('[data-fleet-summary]')!;
  }

  update(msg: FleetMsg): void {
    this.#pending = msg;
    if (this.#timer !== undefined) return;
    const wait = Math.max(0, this.#lastRenderMs + this.#minIntervalMs - performance.now());
    this.#timer = window.setTimeout(() => this.#render(), wait);
  }

  #render(): void {
    this.#timer = undefined;
    const msg = this.#pending;
    if (!msg) return;
    this.#lastRenderMs = performance.now();
    const online = msg.robots.filter((r) => r.online).length;
    const alerting = msg.robots.filter((r) => r.alerts.length > 0).length;
    this.#summary.textContent = `${msg.robots.length} robots · ${online} online · ${alerting} with alerts${msg.connected ? '' : ' · broker disconnected'}`;
    // Rows are kept per robot and patched in place: rebuilding them at a few Hz would reset hover and
    // selection and swallow clicks that land mid-rebuild.
    const seen = new Set<string>();
    for (const r of msg.robots) {
      const key = `${r.site}/${r.robot}`;
      seen.add(key);
      let tr = this.#rowsByKey.get(key);
      if (!tr) {
        tr = this.#createRow(key);
        this.#rowsByKey.set(key, tr);
      }
      this.#fill(tr, r);
    }
    for (const [key, tr] of this.#rowsByKey) {
      if (!seen.has(key)) {
        tr.remove();
        this.#rowsByKey.delete(key);
      }
    }
    const order = msg.robots.map((r) => this.#rowsByKey.get(`${r.site}/${r.robot}`)!);
    const current = [...this.#body.children];
    if (order.length !== current.length || order.some((tr, i) => tr !== current[i])) this.#body.append(...order);
    this.rows = msg.robots.length;
    this.renders++;
  }

  #createRow(key: string): HTMLTableRowElement {
    const tr = document.createElement('tr');
    for (let i = 0; i < 10; i++) tr.append(document.createElement('td'));
    tr.cells[0].className = 'robot-name';
    tr.addEventListener('click', (ev) => {
      const r = this.#current.get(key);
      if (r && (ev.target as HTMLElement).tagName !== 'A') this.onOpen(r);
    });
    return tr;
  }

  #fill(tr: HTMLTableRowElement, r: FleetRobotWire): void {
    this.#current.set(`${r.site}/${r.robot}`, r);
    tr.dataset.robot = r.robot;
    tr.dataset.online = String(r.online);
    tr.className = r.alerts.length ? 'alerting' : '';
    const set = (i: number, text: string, cls?: string): void => {
      const td = tr.cells[i];
      if (td.textContent !== text) td.textContent = text;
      if (cls !== undefined && td.className !== cls) td.className = cls;
    };
    set(0, r.robot);
    set(1, r.site);
    set(2, r.online ? 'online' : 'offline', r.online ? 'ok' : 'bad');
    set(3, r.mode ?? '—');
    set(4, r.task ?? '—');
    set(5, r.estop ? 'E-STOP' : r.holding ? `hold${r.safetyReason ? `: ${r.safetyReason}` : ''}` : 'ok', r.estop || r.holding ? 'bad' : 'ok');
    set(6, r.loopRateHz === null ? '—' : `${r.loopRateHz.toFixed(0)} Hz`);
    set(7, r.recording ? '●' : '', r.recording ? 'rec' : '');
    set(8, r.alerts.join(', '), r.alerts.length ? 'warn' : '');
    const href = r.local ? '#/' : r.dashboardUrl;
    const link = tr.cells[9].querySelector('a');
    if (!href) {
      link?.remove();
    } else if (!link || link.getAttribute('href') !== href) {
      const a = document.createElement('a');
      a.textContent = 'open';
      a.href = href;
      if (!r.local) a.target = '_blank';
      tr.cells[9].replaceChildren(a);
    }
  }
}

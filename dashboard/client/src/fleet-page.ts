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
    const frag = document.createDocumentFragment();
    for (const r of msg.robots) frag.append(this.#row(r));
    this.#body.replaceChildren(frag);
    this.rows = msg.robots.length;
    this.renders++;
  }

  #row(r: FleetRobotWire): HTMLTableRowElement {
    const tr = document.createElement('tr');
    tr.dataset.robot = r.robot;
    tr.dataset.online = String(r.online);
    tr.className = r.alerts.length ? 'alerting' : '';
    const cell = (text: string, cls = ''): void => {
      const td = document.createElement('td');
      td.textContent = text;
      if (cls) td.className = cls;
      tr.append(td);
    };
    cell(r.robot, 'robot-name');
    cell(r.site);
    cell(r.online ? 'online' : 'offline', r.online ? 'ok' : 'bad');
    cell(r.mode ?? '—');
    cell(r.task ?? '—');
    cell(r.estop ? 'E-STOP' : r.holding ? `hold${r.safetyReason ? `: ${r.safetyReason}` : ''}` : 'ok', r.estop || r.holding ? 'bad' : 'ok');
    cell(r.loopRateHz === null ? '—' : `${r.loopRateHz.toFixed(0)} Hz`);
    cell(r.recording ? '●' : '', r.recording ? 'rec' : '');
    cell(r.alerts.join(', '), r.alerts.length ? 'warn' : '');
    const td = document.createElement('td');
    if (r.local || r.dashboardUrl) {
      const a = document.createElement('a');
      a.textContent = 'open';
      a.href = r.local ? '#/' : r.dashboardUrl!;
      if (!r.local) a.target = '_blank';
      td.append(a);
    }
    tr.append(td);
    tr.addEventListener('click', (ev) => {
      if ((ev.target as HTMLElement).tagName !== 'A') this.onOpen(r);
    });
    return tr;
  }
}

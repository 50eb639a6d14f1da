// Renders the SpendViewModel the extension posts (see src/core/cost/spendViewModel.ts). Decides
// nothing: every amount arrives formatted; numbers are only used to plot. Text goes in through
// textContent, never as HTML, since model and command names are free text.
// @ts-check
(function () {
  'use strict';
  // @ts-ignore acquireVsCodeApi is provided by the webview host.
  const vscode = acquireVsCodeApi();
  /** @type {any} */
  // @ts-ignore Chart comes from chart.umd.min.js, loaded before this script.
  const Chart = window.Chart;
  /** @type {any} */
  let model;
  /** @type {any} */
  let chart;

  const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

  function el(/** @type {string} */ tag, /** @type {string | undefined} */ text, /** @type {string | undefined} */ cls) {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  function css(/** @type {string} */ name, /** @type {string} */ fallback) {
    const v = getComputedStyle(document.body).getPropertyValue(name).trim();
    return v || fallback;
  }

  function card(/** @type {string} */ title, /** @type {string} */ value, /** @type {string} */ detail, /** @type {string} */ cls = '') {
    const c = el('div', undefined, `card ${cls}`);
    c.append(el('div', title, 'card-title'), el('div', value, 'card-value'), el('div', detail, 'card-detail'));
    return c;
  }

  function renderCards() {
    const cards = $('cards');
    cards.replaceChildren();
    const unpriced = (/** @type {any} */ r) => (r.unpriced > 0 ? ` + ${r.unpriced} unpriced` : '');
    cards.append(card('Today', model.today.cost + unpriced(model.today), `${model.today.requests} cloud request(s)`, 'today'));
    cards.append(card('This month', model.thisMonth.cost + unpriced(model.thisMonth), `${model.thisMonth.requests} cloud request(s)`, 'month'));
    for (const b of model.budgets) {
      const c = card(`${b.period === 'daily' ? 'Daily' : 'Monthly'} budget`, `${b.spent} of ${b.cap}`,
        `${b.percent}% used · warns at ${model.warnAtPercent}% · ${model.hardStop ? 'hard stop' : 'warn only'}`, `budget level-${b.level}`);
      const bar = el('div', undefined, 'bar');
      const fill = el('div', undefined, 'bar-fill');
      // A CSSOM property, not a style attribute: the CSP allows no inline styles.
      fill.style.width = `${Math.min(100, Math.max(0, b.percent))}%`;
      bar.setAttribute('role', 'progressbar');
      bar.setAttribute('aria-valuenow', String(b.percent));
      bar.setAttribute('aria-valuemin', '0');
      bar.setAttribute('aria-valuemax', '100');
      bar.setAttribute('aria-label', `${b.period} budget used`);
      bar.append(fill);
      c.append(bar);
      cards.append(c);
    }
    if (model.budgets.length === 0) cards.append(card('Budget', 'none set', 'tandem.cloud.dailyBudgetUsd / monthlyBudgetUsd (user settings)', 'budget'));
    if (model.lastRequest) {
      const l = model.lastRequest;
      cards.append(card('Last request', l.cost, `${l.model} · ${l.command} · ${new Date(l.time).toLocaleString()}${l.source === 'estimated' ? ' · estimated' : ''}`, 'last'));
    }
  }

  /** A titled panel: a big figure, its range or detail, and the method in small print. */
  function panel(/** @type {string} */ id, /** @type {string} */ title, /** @type {HTMLElement[]} */ parts) {
    const p = $(id);
    p.replaceChildren(el('h2', title), ...parts);
    p.hidden = false;
  }

  function renderOutlook() {
    const f = model.forecast;
    if (f) {
      const parts = [
        el('div', f.value + (f.unpriced > 0 ? ` + ${f.unpriced} unpriced` : ''), 'figure forecast-value'),
        el('div', `range ${f.low} – ${f.high} · by ${f.monthEnd} · ${f.daysLeft} day(s) left`, 'figure-detail forecast-range'),
        el('p', f.method, 'method'),
      ];
      if (f.budget) parts.splice(2, 0, el('p', f.budget.status, `forecast-budget level-${f.budget.level}`));
      panel('forecast', 'Month-end forecast (cloud)', parts);
    } else {
      panel('forecast', 'Month-end forecast (cloud)', [el('p', 'No cloud spend this month yet: nothing to project.', 'method')]);
    }
    const s = model.savings;
    if (s) {
      const t = el('table', undefined, 'savings-table');
      const head = el('tr');
      ['', 'Shown', 'Saved', 'Accepted', 'Saved', 'Left out'].forEach((h, i) => head.append(el('th', h, i === 0 ? '' : 'num')));
      const thead = el('thead');
      thead.append(head);
      const tbody = el('tbody');
      for (const r of s.rows) {
        const tr = el('tr');
        [r.label, String(r.shown), r.shownSaved, String(r.accepted), r.acceptedSaved, String(r.withoutCounts)]
          .forEach((c, i) => tr.append(el('td', c, i === 0 ? '' : `num ${['', 'shown', 'shown-saved', 'accepted', 'accepted-saved', 'left-out'][i]}`)));
        tbody.append(tr);
      }
      t.append(thead, tbody);
      panel('savings', `Saved by local completions (at ${s.model} prices)`, [t, el('p', s.method, 'method')]);
    }
    const b = model.breakEven;
    const be = $('break-even');
    if (b) {
      panel('break-even', 'Local hardware break-even', [
        el('div', b.months, 'figure break-even-months'),
        el('div', `${b.hardware} machine · saving ${b.monthly} a month`, 'figure-detail'),
        el('p', b.assumptions, 'method break-even-assumptions'),
      ]);
    } else {
      // Without tandem.local.hardwareCostUsd there is no figure to show.
      be.replaceChildren();
      be.hidden = true;
    }
  }

  function renderScenario() {
    const sc = model.scenario;
    if (!sc) return;
    const fields = /** @type {Array<[string, string]>} */ ([['sc-sessions', 'sessionsPerDay'], ['sc-input', 'inputTokensPerSession'],
      ['sc-output', 'outputTokensPerSession'], ['sc-days', 'daysPerMonth']]);
    for (const [id, key] of fields) {
      const input = /** @type {HTMLInputElement} */ ($(id));
      // Never overwrite what the user is typing.
      if (document.activeElement !== input) input.value = String(sc.input[key]);
    }
    $('scenario-tokens').textContent = sc.tokens;
    table('scenario-costs', ['Model', 'Per month', 'Price'],
      sc.rows.map((/** @type {any} */ r) => [r.model, r.cost, r.priceSource]), 'No models.');
    const rows = $('scenario-costs').querySelectorAll('tbody tr');
    sc.rows.forEach((/** @type {any} */ r, /** @type {number} */ i) => { if (r.unknown && rows[i]) rows[i].classList.add('unknown'); });
  }

  function renderNotes() {
    const notes = $('notes');
    notes.replaceChildren();
    const level = model.forecast?.budget?.level;
    if (level === 'over' || level === 'mayExceed') notes.append(el('p', model.forecast.budget.message, `note forecast-warning level-${level}`));
    for (const n of model.notes) notes.append(el('p', n, 'note'));
  }

  function table(/** @type {string} */ id, /** @type {string[]} */ head, /** @type {string[][]} */ rows, /** @type {string} */ empty) {
    const t = $(id);
    t.replaceChildren();
    const thead = el('thead');
    const hr = el('tr');
    head.forEach((h, i) => hr.append(el('th', h, i === 0 ? '' : 'num')));
    thead.append(hr);
    const tbody = el('tbody');
    if (rows.length === 0) {
      const tr = el('tr');
      const td = el('td', empty, 'empty');
      td.setAttribute('colspan', String(head.length));
      tr.append(td);
      tbody.append(tr);
    }
    for (const r of rows) {
      const tr = el('tr');
      r.forEach((cell, i) => tr.append(el('td', cell, i === 0 ? '' : 'num')));
      tbody.append(tr);
    }
    t.append(thead, tbody);
  }

  function spendRows(/** @type {any[]} */ rows) {
    return rows.map((r) => [r.name, String(r.requests), r.cost + (r.unpriced > 0 ? ` + ${r.unpriced} unpriced` : ''),
      String(r.inputTokens), String(r.cachedInputTokens), String(r.outputTokens)]);
  }

  function renderTables() {
    const head = ['', 'Requests', 'Cost', 'Input tokens', 'Cached', 'Output tokens'];
    table('by-model', ['Model', ...head.slice(1)], spendRows(model.byModel), 'No cloud requests this month.');
    table('by-command', ['Command', ...head.slice(1)], spendRows(model.byCommand), 'No cloud requests this month.');
    table('local', ['', 'Shown', 'Accepted', 'Acceptance', 'Median latency', 'p95 latency', 'Tokens in / out', 'Same work in the cloud'],
      model.local.map((/** @type {any} */ p) => [p.label, String(p.shown), String(p.accepted), p.acceptance, p.latencyP50, p.latencyP95,
        `${p.inputTokens} / ${p.outputTokens}`, `up to ${p.cloudEquivalent} (${p.cloudModel})`]),
      'No local completions yet.');
  }

  function renderChart() {
    const canvas = /** @type {HTMLCanvasElement} */ ($('daily'));
    if (chart) chart.destroy();
    if (!Chart) return;
    const fg = css('--vscode-foreground', '#888');
    const muted = css('--vscode-descriptionForeground', fg);
    const grid = css('--vscode-editorWidget-border', css('--vscode-panel-border', 'rgba(128,128,128,0.3)'));
    const blue = css('--vscode-charts-blue', '#3794ff');
    const red = css('--vscode-charts-red', '#f14c4c');
    const orange = css('--vscode-charts-orange', '#d18616');
    const purple = css('--vscode-charts-purple', '#b180d7');
    const green = css('--vscode-charts-green', '#89d185');
    Chart.defaults.color = fg;
    Chart.defaults.font.family = css('--vscode-font-family', 'sans-serif');
    const forecast = model.forecast;
    // Days after today up to the month's end, for the forecast line.
    const future = forecast ? forecast.line.labels.slice(1) : [];
    const days = [...model.daily.labels, ...future];
    const labels = days.map((/** @type {string} */ d) => d.slice(5));
    /** @type {any[]} */
    const datasets = [{
      type: 'bar', label: 'Daily spend', data: [...model.daily.usd, ...future.map(() => null)], backgroundColor: blue, borderColor: blue, yAxisID: 'y', order: 2,
    }];
    const daily = model.budgets.find((/** @type {any} */ b) => b.period === 'daily');
    const monthly = model.budgets.find((/** @type {any} */ b) => b.period === 'monthly');
    if (daily) {
      datasets.push({ type: 'line', label: `Daily cap ${daily.cap}`, data: labels.map(() => daily.capUsd), borderColor: red,
        borderDash: [6, 4], borderWidth: 2, pointRadius: 0, yAxisID: 'y', order: 1 });
      datasets.push({ type: 'line', label: `Warning at ${model.warnAtPercent}%`, data: labels.map(() => daily.capUsd * model.warnAtPercent / 100),
        borderColor: orange, borderDash: [3, 3], borderWidth: 2, pointRadius: 0, yAxisID: 'y', order: 1 });
    }
    const monthAxis = Boolean(monthly || forecast);
    if (monthAxis) {
      // Month to date (and the monthly cap, and the forecast) on their own axis.
      let sum = 0;
      const mtd = days.map((/** @type {string} */ d, /** @type {number} */ i) => {
        if (d.slice(0, 7) !== model.month || i >= model.daily.labels.length) return null;
        sum += model.daily.usd[i];
        return sum;
      });
      datasets.push({ type: 'line', label: 'Month to date', data: mtd, borderColor: purple, borderWidth: 2, pointRadius: 0, yAxisID: 'y2', order: 0 });
    }
    if (forecast) {
      const at = new Map(forecast.line.labels.map((/** @type {string} */ d, /** @type {number} */ i) => [d, forecast.line.usd[i]]));
      datasets.push({ type: 'line', label: `Forecast ${forecast.value} by ${forecast.monthEnd.slice(5)}`, data: days.map((d) => (at.has(d) ? at.get(d) : null)),
        borderColor: green, borderDash: [5, 5], borderWidth: 2, pointRadius: 0, yAxisID: 'y2', order: 0 });
    }
    if (monthly) {
      datasets.push({ type: 'line', label: `Monthly cap ${monthly.cap}`, data: labels.map(() => monthly.capUsd), borderColor: purple,
        borderDash: [6, 4], borderWidth: 1, pointRadius: 0, yAxisID: 'y2', order: 0 });
    }
    const money = (/** @type {number} */ v) => `$${Number(v).toFixed(v !== 0 && Math.abs(v) < 0.01 ? 4 : 2)}`;
    chart = new Chart(canvas, {
      data: { labels, datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        scales: {
          x: { grid: { color: grid }, ticks: { color: muted, maxRotation: 0, autoSkipPadding: 8 } },
          y: { beginAtZero: true, grid: { color: grid }, ticks: { color: muted, callback: money }, title: { display: true, text: 'USD per day', color: muted } },
          ...(monthAxis ? { y2: { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false }, ticks: { color: muted, callback: money }, title: { display: true, text: 'USD this month', color: muted } } } : {}),
        },
        plugins: {
          legend: { labels: { color: fg, boxWidth: 14 } },
          tooltip: {
            callbacks: {
              // The exact amount, as the meter shows it, for the bars.
              label: (/** @type {any} */ ctx) => ctx.datasetIndex === 0
                ? `Spend ${model.daily.text[ctx.dataIndex]}${model.daily.unpriced[ctx.dataIndex] ? ` + ${model.daily.unpriced[ctx.dataIndex]} unpriced` : ''}`
                : `${ctx.dataset.label}: ${money(ctx.parsed.y)}`,
            },
          },
        },
      },
    });
    canvas.setAttribute('aria-label', `Daily cloud spend for the last 30 days; today ${model.today.cost}` +
      (daily ? `; daily cap ${daily.cap}` : '') + (monthly ? `; monthly cap ${monthly.cap}` : '') +
      (forecast ? `; month-end forecast ${forecast.value} (dashed)` : ''));
  }

  function render() {
    if (!model) return;
    renderCards();
    renderNotes();
    renderOutlook();
    renderTables();
    renderScenario();
    renderChart();
    $('content').setAttribute('aria-busy', 'false');
  }

  window.addEventListener('message', (event) => {
    const msg = event.data;
    if (msg && msg.type === 'model') {
      model = msg.model;
      render();
    }
  });
  $('export').addEventListener('click', () => vscode.postMessage({ type: 'export' }));
  $('reset').addEventListener('click', () => vscode.postMessage({ type: 'reset' }));
  // The calculator asks the extension (core computes the costs); a short pause batches keystrokes.
  /** @type {any} */
  let scenarioTimer;
  const form = /** @type {HTMLFormElement} */ ($('scenario'));
  form.addEventListener('submit', (e) => e.preventDefault());
  form.addEventListener('input', () => {
    clearTimeout(scenarioTimer);
    scenarioTimer = setTimeout(() => {
      /** @type {Record<string, string>} */
      const input = {};
      for (const field of Array.from(form.querySelectorAll('input'))) input[field.name] = field.value;
      vscode.postMessage({ type: 'scenario', input });
    }, 250);
  });
  // Theme switches change the body class: colours come from CSS variables, so draw again.
  new MutationObserver(() => { if (model) renderChart(); }).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  vscode.postMessage({ type: 'ready' });
}());

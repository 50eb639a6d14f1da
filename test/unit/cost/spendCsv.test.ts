import { strict as assert } from 'node:assert';
import type { SpendRecord } from '../../../src/core/cost/spendRecord';
import { spendCsv } from '../../../src/core/cost/spendCsv';

const base: SpendRecord = {
  id: 'id-1', time: Date.UTC(2026, 4, 20, 10, 0, 0), workspace: 'ws', route: 'cloud', command: 'refactor',
  model: 'gpt-5.4-mini', inputTokens: 1000, cachedInputTokens: 200, outputTokens: 300, reasoningTokens: 50,
  costMicros: 1_234_567, requestId: 'req_1', source: 'reported',
};
const HEADER = 'time,workspace,route,command,model,inputTokens,cachedInputTokens,outputTokens,reasoningTokens,costUsd,costMicros,source,requestId,localEvent,latencyMs,id';

/** A minimal RFC 4180 parser, to check the export reads back as the same cells. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; }
    else cell += c;
  }
  return rows;
}

describe('spendCsv', () => {
  it('writes a header and one CRLF row per record', () => {
    const csv = spendCsv([base]);
    assert.equal(csv, `${HEADER}\r\n2026-05-20T10:00:00.000Z,ws,cloud,refactor,gpt-5.4-mini,1000,200,300,50,1.234567,1234567,reported,req_1,,,id-1\r\n`);
  });

  it('quotes commas, quotes and line breaks so the cells read back unchanged', () => {
    const tricky = { ...base, workspace: 'my "big", project\nline2', model: ' spaced ' };
    const rows = parseCsv(spendCsv([tricky]));
    assert.equal(rows.length, 2);
    assert.equal(rows[1][1], 'my "big", project\nline2');
    assert.equal(rows[1][4], ' spaced ');
  });

  it('leaves the cost empty (not 0) for unknown prices and fills local columns', () => {
    const rows = parseCsv(spendCsv([
      { ...base, costMicros: null },
      { ...base, route: 'local', command: 'inline', costMicros: 0, localEvent: 'shown', latencyMs: 87 },
    ]));
    assert.deepEqual([rows[1][9], rows[1][10]], ['', '']);
    assert.deepEqual([rows[2][9], rows[2][13], rows[2][14]], ['0.000000', 'shown', '87']);
  });

  it('defuses text a spreadsheet would run as a formula', () => {
    const rows = parseCsv(spendCsv([{ ...base, workspace: '=HYPERLINK("http://x")', requestId: '@cmd' }]));
    assert.equal(rows[1][1], `'=HYPERLINK("http://x")`);
    assert.equal(rows[1][12], `'@cmd`);
  });

  it('exports only the header for no records', () => assert.equal(spendCsv([]), `${HEADER}\r\n`));
});

// A word query matches index terms by prefix (the index holds each word's suffixes). When no
// longer term starts with it, a one-term query of a very common word still answers its first
// page from the term's head; otherwise it reads every matching term. Both must equal the full
// answer and find exactly the articles containing the query. The index and its articles are
// written by tests/search_js.rs (FOLIO_SEARCH_PREFIX_INDEX); alone, this test skips.
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const search = require('../../themes/default/static/search.js');

const dir = process.env.FOLIO_SEARCH_PREFIX_INDEX;

test('word prefixes: head answers when no longer term starts with the word', { skip: !dir && 'needs FOLIO_SEARCH_PREFIX_INDEX (tests/search_js.rs)' }, async () => {
  const docs = JSON.parse(fs.readFileSync(path.join(dir, 'docs.json'), 'utf8'));
  const indexDir = path.join(dir, 'search');
  let fetched = [];
  // A fresh engine (nothing cached) per query.
  const coldEngine = () => search.createEngine({
    loadJSON: async (p) => { fetched.push(p); return JSON.parse(fs.readFileSync(path.join(indexDir, p), 'utf8')); },
    loadBytes: async (p) => { fetched.push(p); return new Uint8Array(fs.readFileSync(path.join(indexDir, p))); },
  });
  const texts = docs.map((d) => search.normalize([d.title, d.kicker, d.body, d.authors].join('\n')));
  const containing = (s) => docs.filter((d, i) => texts[i].includes(search.normalize(s))).map((d) => d.id);
  const m = await coldEngine().manifest();
  for (const [q, head] of [['UBE', true], ['ube', true], ['BE', false], ['sco', true], ['"UB"', false], ['2024', true], ['024', false]]) {
    const want = containing(q.replace(/"/g, ''));
    assert.ok(want.length > m.facetListMax, `${q}: common`);
    fetched = [];
    const engine = coldEngine();
    const res = await engine.search(q);
    assert.strictEqual(Boolean(res.incomplete), head, `${q}: head answer`);
    assert.strictEqual(fetched.some((f) => /\.h\d+\.json$/.test(f)), head, `${q}: head fetched`);
    const full = await engine.search(q, { full: true });
    assert.deepStrictEqual(full.ids.slice().sort((a, b) => a - b), want, q);
    assert.strictEqual(res.total, full.total, q);
    assert.deepStrictEqual(res.ids, full.ids.slice(0, res.ids.length), q);
    assert.deepStrictEqual(res.facets, full.facets, q);
  }
});

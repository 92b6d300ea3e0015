// Packed postings answer exactly as elasticlunr JSON shards do. tests/search_js.rs builds the
// fixture archive twice: `packed/` as the committed fixture is built (terms in more than a few
// articles only in `t/<k>.p.bin`) and `json/` with every term in the JSON shards
// (`json_list_max` unlimited), and points FOLIO_SEARCH_PACKED_DIR at both; alone, this test
// skips. Exact terms, word prefixes (which read the JSON and the packed matches), phrases and
// filters must give the same ids, order, facets and totals, and the hits must be exactly the
// articles holding every term.
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const search = require('../../themes/default/static/search.js');

const dir = process.env.FOLIO_SEARCH_PACKED_DIR;

test('packed postings answer exactly as the JSON shards do', { skip: !dir && 'needs FOLIO_SEARCH_PACKED_DIR (tests/search_js.rs)' }, async () => {
  const archive = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/search/archive.json'), 'utf8'));
  const texts = archive.map((d) => search.normalize([d.title, d.kicker, d.body, d.authors].join('\n')));
  const containing = (s) => archive.filter((d, i) => texts[i].includes(search.normalize(s))).map((d) => d.id);
  let fetched = [];
  const engineOf = (sub) => search.createEngine({
    loadJSON: async (p) => { fetched.push(p); return JSON.parse(fs.readFileSync(path.join(dir, sub, p), 'utf8')); },
    loadBytes: async (p) => { fetched.push(p); return new Uint8Array(fs.readFileSync(path.join(dir, sub, p))); },
  });
  const directories = (sub) => {
    const m = JSON.parse(fs.readFileSync(path.join(dir, sub, 'index.json'), 'utf8'));
    return m.groups.map((g, i) => JSON.parse(fs.readFileSync(path.join(dir, sub, `t/d${i}.json`), 'utf8')));
  };
  assert.ok(directories('json').every((d) => d.packed.length === 0), 'json/: no packed term');
  const packedTerms = [].concat(...directories('packed').map((d) => d.packed));
  const bigrams = packedTerms.filter((t) => {
    const r = search.runs(t);
    return r.length === 1 && r[0].cjk && r[0].chars.length === 2;
  });
  const words = packedTerms.filter((t) => /^[a-z0-9]{2,}$/.test(t));
  assert.ok(bigrams.length >= 4, `fixture: packed bigrams ${bigrams}`);
  assert.ok(words.length >= 1, `fixture: packed words ${packedTerms}`);
  // Every term in at least half of the articles carries the facets of the others.
  const half = bigrams.filter((t) => containing(t).length * 2 >= archive.length);
  assert.ok(half.length >= 2, `fixture: bigrams in half of the articles ${half}`);
  // Packed bigrams in a few articles only (they have facet lists, not counts).
  const m = await engineOf('packed').manifest();
  const listed = bigrams.filter((t) => containing(t).length <= m.facetListMax);
  assert.ok(listed.length >= 1, `fixture: packed bigrams with facet lists ${bigrams}`);
  const queries = [
    half[0] + ' ' + half[1],
    half.slice(0, 3).join(' '),
    bigrams[0] + ' ' + bigrams[bigrams.length - 1],
    listed[0],
    listed[0] + ' ' + half[0],
    half[0] + ' 保靖',
    '乡村振兴',
    '"' + half[0] + '"',
    words[0],
    words[words.length - 1],
    words[0].slice(0, 1),
    words[0] + ' ' + half[0],
  ];
  for (const q of queries) {
    for (const filters of [{ full: true }, { full: true, sort: 'date' }, { full: true, region: '长沙市' }, { full: true, year: '2024' }, {}]) {
      fetched = [];
      const got = await engineOf('packed').search(q, filters);
      const gotFetched = fetched;
      fetched = [];
      const want = await engineOf('json').search(q, filters);
      const what = `${q} ${JSON.stringify(filters)}`;
      assert.deepStrictEqual(got.ids, want.ids, what);
      assert.deepStrictEqual(got.facets, want.facets, what);
      assert.strictEqual(got.total, want.total, what);
      assert.strictEqual(Boolean(got.incomplete), Boolean(want.incomplete), what);
      // The hits are exactly the articles holding every term (a word also as a suffix).
      if (!filters.region && !filters.year && filters.full) {
        const terms = search.plan(q).terms.map((t) => t.term);
        const all = archive.filter((d, i) => terms.every((t) => texts[i].includes(t))).map((d) => d.id);
        assert.deepStrictEqual(got.ids.slice().sort((a, b) => a - b), all, what);
      }
      if (q === queries[0] && !filters.region && !filters.year && filters.full) {
        // Two packed terms: no JSON shard, and their facets without any facet block.
        assert.ok(gotFetched.some((f) => f.endsWith('.p.bin')), gotFetched.join(' '));
        assert.ok(!gotFetched.some((f) => /^t\/[0-9a-f]{16}\.json$/.test(f)), gotFetched.join(' '));
        assert.ok(!gotFetched.some((f) => f.startsWith('facets/')), gotFetched.join(' '));
      }
    }
  }
});

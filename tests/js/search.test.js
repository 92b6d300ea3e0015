// Queries the committed fixture index written by the Rust builder
// (tests/fixtures/search/index, kept up to date by tests/search_build.rs) through the engine
// of search.js, and checks recall, exact phrases, digits, Latin, facets and sorting against
// the fixture archive itself. Run: node --test tests/js/
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const search = require('../../themes/default/static/search.js');

const fixtures = path.join(__dirname, '../fixtures/search');
const archive = JSON.parse(fs.readFileSync(path.join(fixtures, 'archive.json'), 'utf8'));
const indexDir = path.join(fixtures, 'index');
const fetched = [];
const engine = search.createEngine({
  loadJSON: async (p) => { fetched.push(p); return JSON.parse(fs.readFileSync(path.join(indexDir, p), 'utf8')); },
  loadBytes: async (p) => { fetched.push(p); return new Uint8Array(fs.readFileSync(path.join(indexDir, p))); },
});

// A query's full result. A one-term query of a common term first answers from the term's head
// (`incomplete`: first page, total and facets only); that answer must equal the start of the
// full one, which a search with `full` gives.
const searchAll = async (q, filters = {}) => {
  const res = await engine.search(q, filters);
  if (!res.incomplete) return res;
  const full = await engine.search(q, { ...filters, full: true });
  assert.ok(!full.incomplete);
  assert.strictEqual(res.total, full.total, q);
  assert.deepStrictEqual(res.ids, full.ids.slice(0, res.ids.length), q);
  assert.deepStrictEqual(res.facets, full.facets, q);
  headAnswers += 1;
  return full;
};
let headAnswers = 0;

const texts = archive.map((d) => search.normalize([d.title, d.kicker, d.body, d.authors].join('\n')));
const containing = (s) => {
  const n = search.normalize(s);
  return archive.filter((d, i) => texts[i].includes(n)).map((d) => d.id).sort((a, b) => a - b);
};
const sorted = (ids) => ids.slice().sort((a, b) => a - b);
// Distinct words and numbers (runs of letters/digits) of the archive.
const words = Array.from(new Set(texts.flatMap((t) => search.runs(t).filter((r) => !r.cjk).map((r) => r.word)))).sort();

test('seed queries find every article that contains them', async () => {
  for (const q of ['乡村振兴', '保靖', '微腐败', '2024', 'UBE', 'ube', '黄金茶', '湘西州']) {
    const want = containing(q);
    assert.ok(want.length > 0, `fixture has ${q}`);
    const res = await searchAll(q);
    for (const id of want) assert.ok(res.ids.includes(id), `${q}: doc ${id} missing`);
  }
});

test('substring recall is 100% for 2-4 character substrings', async () => {
  let checked = 0;
  for (let i = 0; i < archive.length; i++) {
    const chars = Array.from(texts[i]);
    for (let pos = i % 7; pos < chars.length; pos += 41) {
      const len = 2 + (pos % 3);
      const sub = chars.slice(pos, pos + len).join('');
      if (Array.from(sub).length < 2 || /\s/u.test(sub)) continue;
      if (search.tokenize(sub).length === 0) continue;
      const res = await searchAll(sub);
      for (const id of containing(sub)) assert.ok(res.ids.includes(id), `"${sub}": doc ${id} missing`);
      checked++;
    }
  }
  assert.ok(checked > 500, `checked ${checked}`);
});

test('a part of a word or number finds exactly the articles containing it, quoted or not', async () => {
  let checked = 0;
  for (const w of words) {
    const cs = Array.from(w);
    for (let i = 0; i < cs.length; i++) {
      for (let len = 2; len <= 4 && i + len <= cs.length; len++) {
        const sub = cs.slice(i, i + len).join('');
        if (sub.startsWith('.') || sub.endsWith('.')) continue;
        const want = containing(sub);
        // Upper case too: matching ignores case.
        for (const q of [sub, sub.toUpperCase(), '"' + sub + '"']) {
          const res = await searchAll(q);
          assert.deepStrictEqual(sorted(res.ids), want, q);
          assert.strictEqual(res.partial || null, null, q);
        }
        checked++;
      }
    }
  }
  assert.ok(checked > 200, `checked ${checked}`);
  // The seed examples: inside "UBE" and "2024".
  for (const q of ['BE', 'ub', '02', '024', '"BE"']) {
    const want = containing(q.replace(/"/g, ''));
    assert.ok(want.length > 0 && want.length < archive.length, q);
    assert.deepStrictEqual(sorted((await searchAll(q)).ids), want, q);
  }
});

test('a one-character word followed by more of the query finds the texts holding it', async () => {
  // The last character of a longer word or number followed by a CJK character ("3日" in
  // "13日"): the word ends there, so its one-character suffix is enough.
  let checked = 0;
  for (let i = 0; i < archive.length; i++) {
    const chars = Array.from(texts[i]);
    for (let pos = 1; pos + 1 < chars.length; pos++) {
      const [prev, c, next] = [chars[pos - 1], chars[pos], chars[pos + 1]];
      if (!/[0-9a-z]/u.test(prev) || !/[0-9a-z]/u.test(c) || !/[\u4e00-\u9fff]/u.test(next)) continue;
      const q = c + next;
      const res = await searchAll(q);
      for (const id of containing(q)) assert.ok(res.ids.includes(id), `${q}: doc ${id} missing`);
      const quoted = await searchAll('"' + q + '"');
      assert.deepStrictEqual(sorted(quoted.ids), containing(q), `"${q}"`);
      checked++;
    }
  }
  assert.ok(checked > 20, `checked ${checked}`);
  const p = search.plan('3日');
  assert.deepStrictEqual(p.terms.map((t) => [t.term, t.prefix]), [['3', false], ['日', true]]);
});

test('snippets mark the matched part of a word', () => {
  const p = search.plan('be');
  assert.strictEqual(search.snippet('UBE 手术', p, 0), 'U<mark>BE</mark> 手术');
  assert.strictEqual(search.snippet('2024年', search.plan('02'), 0), '2<mark>02</mark>4年');
});

test('quoted queries return exactly the articles containing the phrase', async () => {
  let checked = 0;
  for (let i = 0; i < archive.length; i += 3) {
    const chars = Array.from(texts[i]);
    for (let pos = 5; pos < chars.length; pos += 397) {
      const sub = chars.slice(pos, pos + 3 + (pos % 4)).join('');
      if (/\s|["“”「」]/u.test(sub) || search.tokenize(sub).length === 0) continue;
      const res = await searchAll('"' + sub + '"');
      assert.deepStrictEqual(sorted(res.ids), containing(sub), `"${sub}"`);
      checked++;
    }
  }
  assert.ok(checked > 20);
  // All bigrams present but not contiguous: found unquoted, not quoted.
  const loose = await searchAll('保靖黄金');
  const exact = await searchAll('“保靖黄金”');
  assert.deepStrictEqual(sorted(exact.ids), containing('保靖黄金'));
  assert.ok(loose.ids.length >= exact.ids.length);
});

test('facets count the hits and filter', async () => {
  const q = '乡村振兴';
  const res = await searchAll(q);
  const hits = archive.filter((d) => res.ids.includes(d.id));
  const count = (key) => {
    const m = new Map();
    for (const d of hits) for (const v of key(d)) m.set(v, (m.get(v) || 0) + 1);
    return m;
  };
  const asMap = (pairs) => new Map(pairs);
  assert.deepStrictEqual(asMap(res.facets.region), count((d) => d.regions));
  assert.deepStrictEqual(asMap(res.facets.topic), count((d) => d.topics));
  assert.deepStrictEqual(asMap(res.facets.year), count((d) => [d.date.slice(0, 4)]));
  const [region, n] = res.facets.region[0];
  const filtered = await searchAll(q, { region });
  assert.strictEqual(filtered.total, n);
  assert.ok(filtered.ids.every((id) => archive[id].regions.includes(region)));
  // The region dimension still counts over all hits (disjunctive facets), others narrow.
  assert.deepStrictEqual(filtered.facets.region, res.facets.region);
  const year = res.facets.year[0][0];
  const both = await searchAll(q, { region, year });
  assert.ok(both.ids.every((id) => archive[id].regions.includes(region) && archive[id].date.startsWith(year)));
});

test('facets come from facet lists or counts, equal to counting the hits', async () => {
  const manifest = await engine.manifest();
  // Rare and common single terms, a multi-term query, a prefix: every way facets are found.
  for (const q of ['保靖', '发展', '乡村振兴', '湘西州', '20', 'UBE']) {
    fetched.length = 0;
    const res = await searchAll(q);
    const hits = archive.filter((d) => res.ids.includes(d.id));
    assert.strictEqual(res.total, hits.length, q);
    const count = (key) => {
      const m = new Map();
      for (const d of hits) for (const v of key(d)) m.set(v, (m.get(v) || 0) + 1);
      return m;
    };
    assert.deepStrictEqual(new Map(res.facets.region), count((d) => d.regions), q);
    assert.deepStrictEqual(new Map(res.facets.topic), count((d) => d.topics), q);
    assert.deepStrictEqual(new Map(res.facets.year), count((d) => [d.date.slice(0, 4)]), q);
    if (q === '保靖') assert.ok(!fetched.some((f) => f.startsWith('facets/')), fetched.join(' '));
    if (q === '发展') {
      assert.ok(hits.length > manifest.facetListMax, 'fixture: 发展 must be common');
      assert.ok(!fetched.some((f) => f.startsWith('facets/')), fetched.join(' '));
      // With a filter the same query needs each hit's values: still exact.
      const [region, n] = res.facets.region[0];
      const filtered = await searchAll(q, { region });
      assert.strictEqual(filtered.total, n);
      assert.ok(filtered.ids.every((id) => archive[id].regions.includes(region)));
    }
  }
});

test('common one-term queries answer from heads', async () => {
  assert.ok(headAnswers > 0, 'no query used a head');
  // A quoted common term with punctuation is a phrase to verify, never a head answer.
  const want = containing('发展，');
  assert.ok(want.length > 0 && want.length < containing('发展').length);
  const res = await engine.search('"发展，"');
  assert.ok(!res.incomplete);
  assert.deepStrictEqual(sorted(res.ids), want);
});

test('sort by date is newest first; relevance favors title hits', async () => {
  const res = await searchAll('保靖', { sort: 'date' });
  assert.deepStrictEqual(res.ids, sorted(res.ids));
  const title = archive.find((d) => Array.from(d.title).length >= 4);
  const q = Array.from(title.title).slice(0, 4).join('');
  const rel = await searchAll(q);
  assert.ok(search.normalize(archive[rel.ids[0]].title).includes(search.normalize(q)), `top hit for ${q}`);
});

test('records carry url, title, date, regions, topics and a lead; texts the indexed text', async () => {
  const m = await engine.manifest();
  const ids = [0, 1, archive.length - 1];
  const recs = await engine.records(ids);
  const texts = await engine.texts(ids);
  ids.forEach((id, i) => {
    const r = recs[i];
    const d = archive[id];
    assert.deepStrictEqual([r.id, r.url, r.title, r.date, r.regions, r.topics], [id, d.url, d.title, d.date, d.regions, d.topics]);
    assert.ok(d.body.startsWith(r.lead) && r.lead.length > 0, `lead of ${id}`);
    assert.strictEqual(texts[i], [d.title, d.kicker, d.body, d.authors].join('\n'));
  });
  // Records come in chunks: the first two ids share one file.
  assert.ok(m.docChunk >= 2 && m.textChunk >= 1);
});

test('a phrase with more candidates than verifyLimit verifies only the best ones and says so', async () => {
  const small = search.createEngine({
    loadJSON: async (p) => {
      const v = JSON.parse(fs.readFileSync(path.join(indexDir, p), 'utf8'));
      if (p === 'index.json') v.verifyLimit = 2;
      return v;
    },
    loadBytes: async (p) => new Uint8Array(fs.readFileSync(path.join(indexDir, p))),
  });
  const res = await small.search('"乡村振兴"');
  const exact = containing('乡村振兴');
  assert.ok(exact.length > 2);
  assert.ok(res.partial && res.partial.checked === 2 && res.partial.candidates >= exact.length);
  assert.ok(res.ids.length <= 2 && res.ids.length > 0);
  assert.ok(res.ids.every((id) => exact.includes(id)));
});

test('a failed download is retried by the next query', async () => {
  let fail = true;
  const flaky = search.createEngine({
    loadJSON: async (p) => {
      if (fail && p.startsWith('t/') && !p.startsWith('t/d')) throw new Error('network');
      return JSON.parse(fs.readFileSync(path.join(indexDir, p), 'utf8'));
    },
    loadBytes: async (p) => new Uint8Array(fs.readFileSync(path.join(indexDir, p))),
  });
  await assert.rejects(flaky.search('保靖'));
  fail = false;
  const res = await flaky.search('保靖');
  assert.deepStrictEqual(sorted(res.ids), containing('保靖'));
});


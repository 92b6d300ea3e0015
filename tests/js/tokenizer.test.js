// The JS tokenizer against the shared vectors (the Rust half checks the same file in
// tests/search_tokenizer.rs). Run: node --test tests/js/
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const path = require('node:path');
const search = require('../../themes/default/static/search.js');

const vectors = require(path.join(__dirname, '../fixtures/search/tokenizer_vectors.json'));

test('tokenizer matches the shared vectors', () => {
  assert.ok(vectors.length >= 15);
  for (const c of vectors) {
    assert.deepStrictEqual(search.tokenize(c.text), c.tokens, c.name);
  }
});

test('code point order matches Rust byte order', () => {
  // U+FF41 (BMP, above the surrogate range) sorts before U+20000 by code point, after by UTF-16.
  assert.ok(search.cmp('\uff41', '\u{20000}') < 0);
  assert.ok(search.cmp('ab', 'abc') < 0);
  assert.strictEqual(search.cmp('保靖', '保靖'), 0);
});

test('query plan: bigrams, one-char prefix, word prefix, phrases', () => {
  const p = search.plan('"乡村振兴" UB');
  assert.deepStrictEqual(p.terms.map((t) => [t.term, t.prefix]),
    [['ub', true], ['乡村', false], ['振兴', false], ['村振', false]]);
  assert.deepStrictEqual(p.verify, ['乡村振兴']);
  assert.deepStrictEqual(search.plan('州').terms, [{ term: '州', prefix: true }]);
  // Words match by prefix (over the index's suffixes: a substring), typed or not, quoted or not.
  assert.deepStrictEqual(search.plan('UBE ').terms, [{ term: 'ube', prefix: true }]);
  assert.deepStrictEqual(search.plan('"BE"'), { terms: [{ term: 'be', prefix: true }], verify: [], marks: ['be'] });
  // A one-character word followed by more of the query matches exactly (it ends a word there).
  assert.deepStrictEqual(search.plan('3月').terms.map((t) => [t.term, t.prefix]), [['3', false], ['月', true]]);
  assert.deepStrictEqual(search.plan('月3').terms.map((t) => [t.term, t.prefix]), [['3', true], ['月', true]]);
  assert.deepStrictEqual(search.plan('"UBE 2"').verify, ['ube 2']);
  assert.deepStrictEqual(search.plan('“保靖”').verify, []);
  assert.deepStrictEqual(search.plan('“州”').verify, []);
});

test('snippet marks matches around the first hit and escapes HTML', () => {
  const p = search.plan('保靖');
  const text = '<b>' + '岳阳'.repeat(100) + '帮扶保靖县' + '。'.repeat(100);
  const html = search.snippet(text, p, 40);
  assert.match(html, /<mark>保靖<\/mark>/);
  assert.ok(html.startsWith('…') && html.endsWith('…'));
  assert.match(search.snippet('<b>保靖</b>', p, 0), /^&lt;b&gt;<mark>保靖<\/mark>&lt;\/b&gt;$/);
});

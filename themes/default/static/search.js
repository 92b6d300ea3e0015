/*!
 * Folio search — client for the sharded index written by `folio::search::build_index`.
 * Plain modern JS, no build step, nothing fetched but the site's own index files.
 *
 * DOM contract (the theme's search page provides it):
 *
 *   <div id="folio-search" data-index="{base path}/search/" data-strings='{JSON of labels}'></div>
 *   <noscript>…a message that search needs JavaScript…</noscript>
 *   <script src="{base path}/search.js" defer></script>
 *
 * data-index: URL of the index directory (default "/search/"), must end with "/".
 * data-strings: JSON object; every key is optional, defaults in Chinese:
 *   label "搜索文章"            – accessible label of the search box
 *   placeholder "输入关键词，用引号搜索完整短语"
 *   sort "排序"  sortRelevance "按相关度"  sortDate "按日期"
 *   region "地区"  topic "主题"  year "年份"  all "全部"
 *   count "共 {n} 篇"            – result count ({n} replaced)
 *   none "没有找到相关文章"   loading "正在搜索…"   error "搜索暂时不可用，请稍后再试"
 *   more "更多结果"
 *   partial "（短语较常见：已核对 {m} 篇候选中最相关的 {k} 篇）" – appended to the count when a
 *                                  quoted phrase had more candidates than verifyLimit
 *   short "单个字请按回车搜索"   – shown while typing a one-character query (one character
 *                                  matches by prefix and can download much, so it waits for Enter)
 * The page state is in the URL: ?q=…&region=…&topic=…&year=…&sort=date (shareable).
 *
 * The same file runs under Node (module.exports) for tests: tokenize(), plan(),
 * createEngine({base, loadJSON, loadBytes}), snippet().
 */
(function (global) {
  'use strict';

  // ---------------------------------------------------------------- tokenizer
  // Mirror of src/search/tokenize.rs; tests/fixtures/search/tokenizer_vectors.json proves it.

  function normalizeChar(c) {
    var cp = c.codePointAt(0);
    if (cp >= 0xff01 && cp <= 0xff5e) c = String.fromCodePoint(cp - 0xfee0);
    else if (cp === 0x3000) c = ' ';
    var l = c.toLowerCase();
    return Array.from(l).length === 1 ? l : c;
  }

  function normalize(text) {
    return Array.from(text, normalizeChar).join('');
  }

  function isCJK(c) {
    var cp = c.codePointAt(0);
    return cp === 0x3007 || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x4e00 && cp <= 0x9fff) ||
      (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x20000 && cp <= 0x3ffff);
  }

  var WORD = /^[\p{Alphabetic}\p{N}]$/u;
  function isWord(c) { return !isCJK(c) && WORD.test(c); }
  function isDigit(c) { return c !== undefined && c >= '0' && c <= '9'; }

  /** Runs of normalized text: {cjk: true, chars: [...]} or {cjk: false, word: "..."}. */
  function runs(text) {
    var chars = Array.from(text, normalizeChar);
    var out = [];
    var i = 0;
    while (i < chars.length) {
      var c = chars[i];
      if (isCJK(c)) {
        var start = i;
        while (i < chars.length && isCJK(chars[i])) i++;
        out.push({ cjk: true, chars: chars.slice(start, i) });
      } else if (isWord(c)) {
        var word = '';
        while (i < chars.length) {
          var ch = chars[i];
          var point = ch === '.' && i > 0 && isDigit(chars[i - 1]) && isDigit(chars[i + 1]);
          if (isWord(ch) || point) { word += ch; i++; } else break;
        }
        out.push({ cjk: false, word: word });
      } else {
        i++;
      }
    }
    return out;
  }

  /** Index tokens: CJK bigrams + each run's last character, lowercase words and numbers. */
  function tokenize(text) {
    var tokens = [];
    runs(text).forEach(function (r) {
      if (r.cjk) {
        for (var i = 0; i + 1 < r.chars.length; i++) tokens.push(r.chars[i] + r.chars[i + 1]);
        tokens.push(r.chars[r.chars.length - 1]);
      } else {
        tokens.push(r.word);
      }
    });
    return tokens;
  }

  // ------------------------------------------------------------- query plan
  // Mirror of plan() in src/search/measure.rs.

  // A word (letters/digits) matches index terms by prefix: the index holds every word's
  // suffixes too, so a prefix of a suffix finds the word anywhere inside a word ("sco" finds
  // "unesco", "024" finds "2024"). A one-character word followed by more of the query matches
  // exactly: in text holding the whole query it ends a word, and the index holds each word's
  // last character as a suffix (this keeps "3月" from fetching every term starting with 3).
  function pushRun(terms, r, last) {
    if (r.cjk && r.chars.length === 1) terms.push({ term: r.chars[0], prefix: true });
    else if (r.cjk) {
      for (var i = 0; i + 1 < r.chars.length; i++) terms.push({ term: r.chars[i] + r.chars[i + 1], prefix: false });
    } else terms.push({ term: r.word, prefix: last || Array.from(r.word).length > 1 });
  }

  // True for a planned term that may be answered alone from a common term's head: an exact
  // term, or a word's prefix (which the head answers when no longer term starts with it).
  function headable(qt) {
    return !qt.prefix || Array.from(qt.term).length > 1;
  }

  var QUOTES = { '"': '"', '“': '”', '「': '」' };

  /**
   * Plans a query: every term is required; quoted parts are phrases that must occur exactly
   * (after width/case folding). Returns {terms, verify, marks}.
   */
  function plan(query) {
    var free = '';
    var phrases = [];
    var close = null;
    var cur = '';
    Array.from(query).forEach(function (c) {
      if (close !== null) {
        if (c === close) { phrases.push(cur); cur = ''; close = null; free += ' '; } else cur += c;
      } else if (QUOTES[c] !== undefined) { close = QUOTES[c]; cur = ''; } else free += c;
    });
    if (close !== null) free += ' ' + cur;
    var terms = [];
    var verify = [];
    var marks = [];
    var freeRuns = runs(free);
    freeRuns.forEach(function (r, i) {
      pushRun(terms, r, i + 1 === freeRuns.length);
      marks.push(r.cjk ? r.chars.join('') : r.word);
    });
    phrases.forEach(function (p) {
      var pterms = [];
      var pruns = runs(p);
      pruns.forEach(function (r, i) { pushRun(pterms, r, i + 1 === pruns.length); });
      // One term spelling the whole phrase finds exactly the texts containing it (a bigram,
      // a character by prefix, a word by prefix over the index's suffixes): nothing to verify.
      var single = pterms.length === 1 && pterms[0].term === normalize(p);
      if (!single && pterms.length > 0) verify.push(normalize(p));
      if (pterms.length > 0) marks.push(normalize(p));
      terms = terms.concat(pterms);
    });
    var seen = {};
    terms = terms.filter(function (t) {
      var k = (t.prefix ? '*' : '=') + t.term;
      if (seen[k]) return false;
      seen[k] = true;
      return true;
    });
    terms.sort(function (a, b) { return cmp(a.term, b.term) || (a.prefix - b.prefix); });
    return { terms: terms, verify: verify, marks: marks };
  }

  /** Compares by code point (the order Rust writes terms in), not UTF-16 units. */
  function cmp(a, b) {
    var x = Array.from(a);
    var y = Array.from(b);
    for (var i = 0; i < x.length && i < y.length; i++) {
      var d = x[i].codePointAt(0) - y[i].codePointAt(0);
      if (d !== 0) return d < 0 ? -1 : 1;
    }
    return x.length - y.length;
  }

  var utf8 = new TextEncoder();
  var FNV_BASIS = BigInt('0xcbf29ce484222325');
  var FNV_PRIME = BigInt('0x100000001b3');
  var MASK64 = BigInt('0xffffffffffffffff');

  /**
   * The file name of a shard (`t/<name>.json` and its side files): 16 hex digits of the
   * 64-bit FNV-1a hash of the UTF-8 bytes of the first term its directory lists ("" for the
   * very first shard). Mirror of `shard_name` in the Rust index builder.
   */
  function shardName(first) {
    var h = FNV_BASIS;
    var bytes = utf8.encode(first);
    for (var i = 0; i < bytes.length; i++) h = ((h ^ BigInt(bytes[i])) * FNV_PRIME) & MASK64;
    var hex = h.toString(16);
    return '0000000000000000'.slice(hex.length) + hex;
  }

  /** Index of the last entry <= key (0 if none). */
  function lastLE(list, key) {
    var lo = 0;
    var hi = list.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (cmp(list[mid], key) <= 0) lo = mid + 1; else hi = mid;
    }
    return Math.max(0, lo - 1);
  }

  // ---------------------------------------------------------------- engine

  function defaultLoaders(base) {
    return {
      loadJSON: function (path) {
        return fetch(base + path).then(function (r) {
          if (!r.ok) throw new Error(path + ': HTTP ' + r.status);
          return r.json();
        });
      },
      loadBytes: function (path) {
        return fetch(base + path).then(function (r) {
          if (!r.ok) throw new Error(path + ': HTTP ' + r.status);
          return r.arrayBuffer();
        }).then(function (b) { return new Uint8Array(b); });
      }
    };
  }

  /**
   * A query engine over one index directory. opts: {base} or {loadJSON(path), loadBytes(path)}
   * returning promises. Every file is fetched at most once.
   */
  function createEngine(opts) {
    var loaders = opts.loadJSON ? opts : defaultLoaders(opts.base);
    var cache = {};
    function once(kind, path) {
      var key = kind + path;
      if (!cache[key]) {
        cache[key] = (kind === 'b' ? loaders.loadBytes(path) : loaders.loadJSON(path))
          .catch(function (err) { delete cache[key]; throw err; }); // retry after a failure
      }
      return cache[key];
    }
    var manifest = function () { return once('j', 'index.json'); };

    function shardsFor(m, qt) {
      var upper = qt.prefix ? qt.term + String.fromCodePoint(0x10ffff) : qt.term;
      var gLo = lastLE(m.groups, qt.term);
      var gHi = lastLE(m.groups, upper);
      var jobs = [];
      for (var g = gLo; g <= gHi; g++) {
        jobs.push((function (g) {
          return once('j', 't/d' + g + '.json').then(function (dir) {
            var firsts = dir.firsts;
            var lo = g === gLo ? lastLE(firsts, qt.term) : 0;
            var hi = g === gHi ? lastLE(firsts, upper) : firsts.length - 1;
            var ks = [];
            for (var k = lo; k <= hi; k++) ks.push(shardName(firsts[k]));
            // Matching terms whose postings are in their shard's packed file, not its JSON.
            var packs = [];
            dir.packed.forEach(function (t) {
              if (qt.prefix ? t.startsWith(qt.term) : t === qt.term) {
                packs.push({ k: shardName(firsts[lastLE(firsts, t)]), term: t });
              }
            });
            return { ks: ks, packs: packs };
          });
        })(g));
      }
      return Promise.all(jobs).then(function (lists) {
        var ks = [].concat.apply([], lists.map(function (l) { return l.ks; }));
        // {k, term} of every matching term of these shards held in `t/<k>.p.bin`, in order.
        var packs = [].concat.apply([], lists.map(function (l) { return l.packs; }));
        ks.packs = packs;
        return ks;
      });
    }

    // t/<k>.f.bin and t/<k>.p.bin start with u32 m; m term byte lengths (u8); the terms'
    // UTF-8 bytes. Returns {terms} and readers of what follows, in order: take(n) (n bytes),
    // u32s(n) (n little-endian u32).
    function termHeader(bytes) {
      var dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      var p = 0;
      var take = function (n) { var out = bytes.subarray(p, p + n); p += n; return out; };
      var u32s = function (n) {
        var out = [];
        for (var i = 0; i < n; i++) { out.push(dv.getUint32(p, true)); p += 4; }
        return out;
      };
      var count = u32s(1)[0];
      var lens = take(count);
      var dec = new TextDecoder();
      var terms = [];
      for (var i = 0; i < count; i++) terms.push(dec.decode(take(lens[i])));
      return { terms: terms, take: take, u32s: u32s };
    }

    // Packed postings of shard k (see src/search/packed.rs): Map term -> payload bytes.
    function packedTerms(k) {
      return once('b', 't/' + k + '.p.bin').then(function (bytes) {
        if (bytes.terms) return bytes.terms;
        var h = termHeader(bytes);
        var sizes = h.u32s(h.terms.length);
        var map = new Map();
        h.terms.forEach(function (t, i) { map.set(t, h.take(sizes[i])); });
        bytes.terms = map;
        return map;
      });
    }

    // Adds a packed term's boost * tf * idf per field (in field order, as `collect` does) to
    // `acc`; returns {ids: the term's documents, ascending; complement: {totals, block}
    // (facet counts of all documents and the facet block of those without the term) or null}.
    function addPacked(m, data, acc) {
      var dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
      var p = 0;
      var lists = [];
      for (var fi = 0; fi < 4; fi++) {
        var df = dv.getUint32(p, true);
        var form = data[p + 4];
        var n = dv.getUint32(p + 5, true);
        p += 9;
        var ids = new Int32Array(df);
        var c = 0;
        var b;
        if (form === 1) {
          for (b = 0; b < n; b++) {
            var byte = data[p + b];
            while (byte) {
              ids[c++] = b * 8 + (31 - Math.clz32(byte & -byte));
              byte &= byte - 1;
            }
          }
        } else {
          var v = 0;
          var scale = 1;
          var prev = -1;
          for (b = 0; b < n; b++) {
            var x = data[p + b];
            v += (x & 0x7f) * scale;
            scale *= 128;
            if (!(x & 0x80)) { prev = prev < 0 ? v : prev + v; ids[c++] = prev; v = 0; scale = 1; }
          }
        }
        p += n;
        if (c !== df) throw new Error('packed postings: ' + c + ' ids for df ' + df);
        var counts = data.subarray(p, p + df);
        p += df;
        var e = dv.getUint32(p, true);
        p += 4;
        var big = new Map();
        for (var i = 0; i < e; i++) { big.set(dv.getUint32(p, true), dv.getUint32(p + 4, true)); p += 8; }
        var w = (m.boosts[fi] || 1) * (1 + Math.log(m.docs / (df + 1)));
        for (i = 0; i < df; i++) {
          var id = ids[i];
          acc.score[id] += w * Math.sqrt(counts[i] === 255 ? big.get(i) : counts[i]);
          acc.has[id] = 1;
        }
        if (df) lists.push(ids);
      }
      var t = dv.getUint32(p, true);
      var totals = data.subarray(p + 4, p + 4 + t);
      p += 4 + t;
      var len = dv.getUint32(p, true);
      return {
        ids: lists.length ? union(lists) : new Int32Array(0),
        complement: t ? { totals: totals, block: data.subarray(p + 4, p + 4 + len) } : null,
      };
    }

    // Adds boost * tf * idf of every doc under `node` (the trie node of `term`; for prefixes
    // also its descendants) to the dense `score` array, marks it in `has`, and appends each
    // term's doc ids (ascending: integer keys enumerate in order) to `seen[term]`.
    function collect(node, term, prefix, n, boost, acc, seen) {
      if (!node) return;
      var docs = node.docs;
      if (docs) {
        var refs = Object.keys(docs);
        if (refs.length) {
          var w = boost * (1 + Math.log(n / ((node.df || 0) + 1)));
          var list = new Int32Array(refs.length);
          for (var i = 0; i < refs.length; i++) {
            var id = +refs[i];
            list[i] = id;
            acc.score[id] += w * docs[refs[i]].tf;
            acc.has[id] = 1;
          }
          (seen[term] || (seen[term] = [])).push(list);
        }
      }
      if (prefix) {
        for (var k in node) if (k !== 'docs' && k !== 'df') collect(node[k], term + k, true, n, boost, acc, seen);
      }
    }

    // Sorted union of ascending id lists.
    function union(lists) {
      if (lists.length === 1) return lists[0];
      var len = 0;
      lists.forEach(function (l) { len += l.length; });
      var all = new Int32Array(len);
      var at = 0;
      lists.forEach(function (l) { all.set(l, at); at += l.length; });
      all.sort();
      var out = 0;
      for (var i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[i - 1]) all[out++] = all[i];
      return all.subarray(0, out);
    }

    // Scores per term, kept so changing a filter or the sort does not recompute them.
    var scoreCache = {};
    // `lists`: also start downloading the facet lists of the term's shards (a one-term query
    // needs them, so they need not wait for the scores).
    function termScores(m, qt, lists) {
      var key = (qt.prefix ? '*' : '=') + qt.term;
      if (!scoreCache[key]) {
        scoreCache[key] = computeScores(m, qt, lists).catch(function (err) { delete scoreCache[key]; throw err; });
      }
      return scoreCache[key];
    }

    // {ids: ascending Int32Array of matching docs, score: dense Float64Array by doc id,
    //  has: dense Uint8Array (1 = matches), entries: [{k: shard, term, docs: ascending ids}]}.
    function computeScores(m, qt, lists) {
      var ks = [];
      var acc = { score: new Float64Array(m.docs), has: new Uint8Array(m.docs) };
      return shardsFor(m, qt).then(function (list) {
        ks = list;
        if (lists && m.facetListMax) ks.forEach(function (k) { facetLists(k).catch(function () {}); });
        // A common term's postings are in its shard's packed file, not the JSON: an exact
        // packed term needs only that file; a prefix reads the JSON and every packed match.
        var packs = Promise.all(ks.packs.map(function (pk) {
          return packedTerms(pk.k).then(function (terms) {
            var data = terms.get(pk.term);
            if (!data) throw new Error('t/' + pk.k + '.p.bin: no ' + pk.term);
            return { k: pk.k, term: pk.term, data: data };
          });
        }));
        if (!qt.prefix && ks.packs.length) ks = [];
        var json = ks.map(function (k) { return once('j', 't/' + k + '.json'); });
        return Promise.all([packs, Promise.all(json)]);
      }).then(function (both) {
        var shards = both[1];
        var entries = [];
        shards.forEach(function (shard, si) {
          var seen = {};
          m.fields.forEach(function (field, fi) {
            var node = shard.index[field] && shard.index[field].root;
            Array.from(qt.term).forEach(function (c) { node = node && node[c]; });
            collect(node, qt.term, qt.prefix, m.docs, m.boosts[fi] || 1, acc, seen);
          });
          Object.keys(seen).forEach(function (t) { entries.push({ k: ks[si], term: t, docs: union(seen[t]) }); });
        });
        // Packed terms after the JSON, in term order, so scores add up in a fixed order.
        both[0].forEach(function (pk) {
          var got = addPacked(m, pk.data, acc);
          if (got.ids.length) entries.push({ k: pk.k, term: pk.term, docs: got.ids, complement: got.complement });
        });
        var count = 0;
        for (var i = 0; i < acc.has.length; i++) count += acc.has[i];
        var ids = new Int32Array(count);
        for (i = 0, count = 0; i < acc.has.length; i++) if (acc.has[i]) ids[count++] = i;
        return { ids: ids, score: acc.score, has: acc.has, entries: entries };
      });
    }

    /** Result records for doc ids (in the given order): url, title, kicker, date, regions,
     *  topics, authors and lead (the start of the body, snippet source). */
    function records(ids) {
      return manifest().then(function (m) {
        return Promise.all(ids.map(function (id) {
          return once('j', 'docs/' + Math.floor(id / m.docChunk) + '.json').then(function (chunk) {
            var r = Object.assign({}, chunk[id % m.docChunk]);
            r.id = id;
            return r;
          });
        }));
      });
    }

    // A text chunk (see src/search/store.rs): u32 n; n u32 lengths in UTF-16 code units; the
    // texts in UTF-16LE, one after the other. Returns the n strings.
    function parseTexts(bytes) {
      var dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      var n = dv.getUint32(0, true);
      var at = 4 + 4 * n;
      var decoder = new TextDecoder('utf-16le');
      var out = new Array(n);
      for (var i = 0; i < n; i++) {
        var len = 2 * dv.getUint32(4 + 4 * i, true);
        out[i] = decoder.decode(bytes.subarray(at, at + len));
        at += len;
      }
      return out;
    }

    /** Indexed text of doc ids (in the given order: title, kicker, body and authors joined
     *  by newlines), for phrase verification. */
    function texts(ids) {
      return manifest().then(function (m) {
        return Promise.all(ids.map(function (id) {
          return once('b', 'text/' + Math.floor(id / m.textChunk) + '.bin').then(function (bytes) {
            if (!bytes.texts) bytes.texts = parseTexts(bytes);
            return bytes.texts[id % m.textChunk];
          });
        }));
      });
    }

    // Columns (see src/search/store.rs): u32 n; flags (bit 1: narrow region ids; bit 2:
    // narrow topic ids; bit 3: packed counts); the counts (packed: a byte per document,
    // regions × 16 + topics; else region counts, then topic counts); region ids; topic ids.
    // A narrow column holds a byte per value; a wide one all low bytes, then all high bytes.
    // Returns {n, region: {start, ids}, topic: {start, ids}} (typed arrays; document i's
    // regions are region.ids[region.start[i] .. region.start[i + 1]]). Years are not stored:
    // see yearOf.
    function blockColumns(bytes) {
      var n = bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | (bytes[3] << 24);
      var flags = bytes[4];
      if (flags & ~14) throw new Error('facet block: unknown flags ' + flags);
      var p = 5;
      var column = function (len, narrow) {
        var col = new Uint16Array(len);
        if (narrow) {
          col.set(bytes.subarray(p, p + len));
          p += len;
          return col;
        }
        for (var i = 0; i < len; i++) col[i] = bytes[p + i] | (bytes[p + len + i] << 8);
        p += 2 * len;
        return col;
      };
      var regionStart = new Uint32Array(n + 1);
      var topicStart = new Uint32Array(n + 1);
      var i;
      if (flags & 8) {
        for (i = 0; i < n; i++) {
          regionStart[i + 1] = regionStart[i] + (bytes[p + i] >> 4);
          topicStart[i + 1] = topicStart[i] + (bytes[p + i] & 15);
        }
        p += n;
      } else {
        for (i = 0; i < n; i++) {
          regionStart[i + 1] = regionStart[i] + bytes[p + i];
          topicStart[i + 1] = topicStart[i] + bytes[p + n + i];
        }
        p += 2 * n;
      }
      var region = { start: regionStart, ids: column(regionStart[n], flags & 2) };
      return { n: n, region: region, topic: { start: topicStart, ids: column(topicStart[n], flags & 4) } };
    }

    // The year of document `id` (0: undated), from the manifest's runs [first id, year].
    function yearOf(m, id) {
      var runs = m.yearRuns;
      var lo = 0;
      var hi = runs.length;
      while (lo < hi) {
        var mid = (lo + hi) >> 1;
        if (runs[mid][0] <= id) lo = mid + 1;
        else hi = mid;
      }
      return lo === 0 ? 0 : runs[lo - 1][1];
    }

    // A facet block as one {year, region: [names], topic: [names]} per document; idAt(i) is
    // the id of its i-th document.
    function parseBlock(m, bytes, idAt) {
      var c = blockColumns(bytes);
      var names = function (list, i, all) {
        var out = [];
        for (var j = list.start[i]; j < list.start[i + 1]; j++) out.push(all[list.ids[j]]);
        return out;
      };
      var out = new Array(c.n);
      for (var i = 0; i < c.n; i++) {
        var year = yearOf(m, idAt(i));
        out[i] = {
          year: year ? String(year) : null,
          region: names(c.region, i, m.regions),
          topic: names(c.topic, i, m.topics)
        };
      }
      return out;
    }

    function facetBlock(m, b) {
      return once('b', 'facets/' + b + '.bin').then(function (bytes) {
        if (!bytes.parsed) bytes.parsed = parseBlock(m, bytes, function (i) { return b * m.facetBlock + i; });
        return bytes.parsed;
      });
    }

    // Facet lists of shard k (see src/search/shards.rs): Map term -> {kind, df, data}.
    function facetLists(k) {
      return once('b', 't/' + k + '.f.bin').then(function (bytes) {
        if (bytes.lists) return bytes.lists;
        var h = termHeader(bytes);
        var count = h.terms.length;
        var kinds = h.take(count);
        var dfs = h.u32s(count);
        var sizes = h.u32s(count);
        var map = new Map();
        h.terms.forEach(function (t, i) {
          map.set(t, { index: i, kind: kinds[i], df: dfs[i], data: h.take(sizes[i]) });
        });
        bytes.lists = map;
        return map;
      });
    }

    // Facet counts of a kind-1 entry: {region, topic, year: Map value -> count} (after the
    // term's postings per field, 4 × u32).
    function parseCounts(m, bytes, start) {
      var dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      var p = start === undefined ? 16 : start;
      var out = {};
      [['region', m.regions], ['topic', m.topics], ['year', null]].forEach(function (d) {
        var k = dv.getUint16(p, true);
        p += 2;
        var map = new Map();
        for (var i = 0; i < k; i++) {
          var id = dv.getUint16(p + 2 * i, true);
          map.set(d[1] ? d[1][id] : String(id), dv.getUint32(p + 2 * k + 4 * i, true));
        }
        p += 6 * k;
        out[d[0]] = map;
      });
      return out;
    }

    // Facets of the hits `ids`: from the facet lists of the query term with the fewest
    // documents (every hit is among them); for a one-term query of a very common term with no
    // filter, its precomputed counts; otherwise from the facet blocks. Resolves to
    // {facets: Map id -> facet} or {counts}.
    function facetsFor(m, p, infos, ids, filters) {
      if (ids.length === 0) return Promise.resolve({ facets: new Map() });
      var best = null;
      var bestSize = Infinity;
      if (m.facetListMax) {
        infos.forEach(function (info) {
          var size = 0;
          var ok = info.entries.length > 0;
          info.entries.forEach(function (e) { if (e.docs.length > m.facetListMax) ok = false; size += e.docs.length; });
          if (ok && size < bestSize) { best = info; bestSize = size; }
        });
      }
      if (best) {
        return Promise.all(best.entries.map(function (e) {
          return facetLists(e.k).then(function (lists) {
            var l = lists.get(e.term);
            if (!l || l.kind !== 0) throw new Error('t/' + e.k + '.f.bin: no list for ' + e.term);
            return [e.docs, parseBlock(m, l.data, function (i) { return e.docs[i]; })];
          });
        })).then(function (parts) {
          var all = new Map();
          parts.forEach(function (pv) { pv[0].forEach(function (id, i) { all.set(id, pv[1][i]); }); });
          var out = new Map();
          ids.forEach(function (id) { out.set(id, all.get(id)); });
          return { facets: out };
        });
      }
      var unfiltered = !filters.region && !filters.topic && !filters.year;
      var complements = infos.every(function (info) { return info.entries.length === 1 && info.entries[0].complement; });
      if (complements && p.verify.length === 0 && unfiltered) return Promise.resolve({ counts: complementCounts(m, infos) });
      if (m.facetListMax && infos.length === 1 && infos[0].entries.length === 1 && p.verify.length === 0 && unfiltered) {
        var e = infos[0].entries[0];
        return facetLists(e.k).then(function (lists) {
          var l = lists.get(e.term);
          if (!l || l.kind !== 1) throw new Error('t/' + e.k + '.f.bin: no counts for ' + e.term);
          return { counts: parseCounts(m, l.data) };
        });
      }
      return withFacets(m, ids).then(function (facets) { return { facets: facets }; });
    }

    /**
     * Runs a query. filters: {region, topic, year, sort: "relevance"|"date", full}. Resolves to
     * {total, ids (filtered, sorted), facets: {region, topic, year: [[value, count], ...]}, plan,
     * partial: null | {checked, candidates}, incomplete} (partial: a phrase query with more
     * candidates than the manifest's verifyLimit; only the first `checked` were verified).
     * An unfiltered one-term query of a very common term answers from the term's head:
     * `incomplete` is then true and `ids` holds only the first page (total and facets are
     * exact); search again with `full: true` for every id.
     */
    function search(query, filters) {
      filters = filters || {};
      var p = plan(query);
      return manifest().then(function (m) {
        if (p.terms.length === 0) return finish([], new Map(), new Float64Array(0), filters, p);
        var unfiltered = !filters.region && !filters.topic && !filters.year;
        var one = p.terms.length === 1 && headable(p.terms[0]) && p.verify.length === 0;
        if (one && unfiltered && !filters.full && m.facetListMax) {
          return headSearch(m, p, filters).then(function (res) { return res || fullSearch(m, p, filters); });
        }
        return fullSearch(m, p, filters);
      });
    }

    // A one-term query of a very common term (unfiltered): its head (t/<k>.h<i>.json, the
    // postings of its best-scored and newest documents) gives the first page, its facet
    // counts the total and the facets. Resolves to null when the term has no head, or, for a
    // prefix, when another term starts with it (the facet lists name every term of a shard).
    // The result is `incomplete`: search again with filters.full for the rest.
    function headSearch(m, p, filters) {
      var qt = p.terms[0];
      return shardsFor(m, qt).then(function (ks) {
        if (ks.length !== 1) return null;
        var k = ks[0];
        return facetLists(k).then(function (lists) {
          var l = lists.get(qt.term);
          if (!l || l.kind !== 1) return null;
          if (qt.prefix) {
            for (var t of lists.keys()) if (t !== qt.term && t.startsWith(qt.term)) return null;
          }
          return once('j', 't/' + k + '.h' + l.index + '.json').then(function (shard) {
            var dv = new DataView(l.data.buffer, l.data.byteOffset, l.data.byteLength);
            var total = new Float64Array(m.docs);
            var has = new Uint8Array(m.docs);
            m.fields.forEach(function (field, fi) {
              var node = shard.index[field] && shard.index[field].root;
              Array.from(qt.term).forEach(function (c) { node = node && node[c]; });
              if (!node || !node.docs) return;
              // idf from the term's postings in the whole index, not in the head.
              var w = (m.boosts[fi] || 1) * (1 + Math.log(m.docs / (dv.getUint32(4 * fi, true) + 1)));
              for (var r in node.docs) {
                total[+r] += w * node.docs[r].tf;
                has[+r] = 1;
              }
            });
            var ids = [];
            for (var i = 0; i < has.length; i++) if (has[i]) ids.push(i);
            var order = filters.sort === 'date' ? ids : rank(ids, total);
            var res = finish(ids, null, total, filters, p, parseCounts(m, l.data), order);
            res.total = l.df;
            res.ids = order.slice(0, m.pageSize);
            res.incomplete = true;
            res.partial = null;
            records(res.ids).catch(function () {});
            return res;
          });
        });
      });
    }

    // Every hit of the query (all terms required, phrases verified), filtered and sorted.
    function fullSearch(m, p, filters) {
      var total = new Float64Array(m.docs);
      var partial = null;
      var infos = [];
      var single = p.terms.length === 1 && headable(p.terms[0]);
      var unfiltered = !filters.region && !filters.topic && !filters.year;
      var order = null;
      var facets = null;
      return Promise.all(p.terms.map(function (qt) { return termScores(m, qt, single); })).then(function (results) {
        infos = results;
        // Every term is required: walk the rarest term's docs, keep those all others have.
        var terms = results.slice().sort(function (a, b) { return a.ids.length - b.ids.length; });
        var base = terms[0];
        var ids = [];
        for (var i = 0; i < base.ids.length; i++) {
          var id = base.ids[i];
          var s = base.score[id];
          var j = 1;
          for (; j < terms.length && terms[j].has[id]; j++) s += terms[j].score[id];
          if (j === terms.length) { total[id] = s; ids.push(id); }
        }
        if (p.verify.length === 0) {
          // Facets first (their file is requested before the records', which would otherwise
          // take the browser's few connections).
          facets = facetsFor(m, p, infos, ids, filters);
          facets.catch(function () {});
          if (unfiltered) {
            // Without filters every hit is shown in this order: fetch the first page's
            // records while the facets load.
            order = filters.sort === 'date' ? ids : rank(ids, total);
            records(order.slice(0, m.pageSize)).catch(function () {});
          }
          return ids;
        }
        // Phrases are checked against the article text; beyond verifyLimit candidates only
        // the best-ranked (or newest, for the date sort) are checked, and the result says so.
        if (ids.length > m.verifyLimit) {
          if (filters.sort !== 'date') ids = rank(ids, total);
          partial = { checked: m.verifyLimit, candidates: ids.length };
          ids = ids.slice(0, m.verifyLimit).sort(function (a, b) { return a - b; });
        }
        return texts(ids).then(function (all) {
          return ids.filter(function (id, i) {
            var text = normalize(all[i]);
            return p.verify.every(function (ph) { return text.indexOf(ph) >= 0; });
          });
        });
      }).then(function (ids) {
        return (facets || facetsFor(m, p, infos, ids, filters)).then(function (f) {
          var res = finish(ids, f.facets, total, filters, p, f.counts, order);
          res.partial = partial;
          return res;
        });
      });
    }

    // Facet counts of the hits of terms that each carry the facets of the documents without
    // them: the counts over all documents minus those of every document some term lacks.
    function complementCounts(m, infos) {
      var packs = infos.map(function (info) { return info.entries[0].complement; });
      // Counts by value id (years by value), from the totals (parseCounts' format).
      var region = new Float64Array(m.regions.length);
      var topic = new Float64Array(m.topics.length);
      var year = new Float64Array(65536);
      var totals = packs[0].totals;
      var dv = new DataView(totals.buffer, totals.byteOffset, totals.byteLength);
      var p = 0;
      [region, topic, year].forEach(function (arr) {
        var k = dv.getUint16(p, true);
        p += 2;
        for (var i = 0; i < k; i++) arr[dv.getUint16(p + 2 * i, true)] = dv.getUint32(p + 2 * k + 4 * i, true);
        p += 6 * k;
      });
      var lacking = packs.map(function (pk) { return blockColumns(pk.block); });
      var at = packs.map(function () { return 0; });
      var nt = infos.length;
      for (var id = 0; id < m.docs; id++) {
        var c = null;
        var ci = 0;
        for (var t = 0; t < nt; t++) {
          if (!infos[t].has[id]) {
            if (!c) { c = lacking[t]; ci = at[t]; }
            at[t]++;
          }
        }
        if (!c || ci >= c.n) continue;
        for (var j = c.region.start[ci]; j < c.region.start[ci + 1]; j++) region[c.region.ids[j]]--;
        for (j = c.topic.start[ci]; j < c.topic.start[ci + 1]; j++) topic[c.topic.ids[j]]--;
        var y = yearOf(m, id);
        if (y) year[y]--;
      }
      lacking.forEach(function (l, t) {
        if (l.n !== at[t]) throw new Error('packed postings: facets of ' + l.n + ' documents for ' + at[t]);
      });
      var named = function (arr, names) {
        var map = new Map();
        for (var i = 0; i < arr.length; i++) if (arr[i] > 0) map.set(names ? names[i] : String(i), arr[i]);
        return map;
      };
      return { region: named(region, m.regions), topic: named(topic, m.topics), year: named(year, null) };
    }

    function withFacets(m, ids) {
      var blocks = {};
      ids.forEach(function (id) { blocks[Math.floor(id / m.facetBlock)] = true; });
      var bs = Object.keys(blocks).map(Number);
      return Promise.all(bs.map(function (b) { return facetBlock(m, b); })).then(function (parsed) {
        var byBlock = {};
        bs.forEach(function (b, i) { byBlock[b] = parsed[i]; });
        var out = new Map();
        ids.forEach(function (id) { out.set(id, byBlock[Math.floor(id / m.facetBlock)][id % m.facetBlock]); });
        return out;
      });
    }

    return { manifest: manifest, search: search, records: records, texts: texts };
  }

  var DIMS = ['region', 'topic', 'year'];

  function has(f, dim, value) {
    var v = f[dim];
    return Array.isArray(v) ? v.indexOf(value) >= 0 : v === value;
  }

  // Filters, counts facets (each dimension over hits filtered by the OTHER dimensions) and
  // sorts: by relevance (score desc, then id = newer first) or by date (id asc = newest first).
  // `ids` ascending; `scores` dense by id.
  // `counted` (facet counts known beforehand, only without filters) replaces `facets`;
  // `order` (if known) is `ids` sorted as asked.
  function finish(ids, facets, scores, filters, p, counted, order) {
    var counts = counted || { region: new Map(), topic: new Map(), year: new Map() };
    var kept = counted ? ids.slice() : [];
    var want = DIMS.map(function (d) { return filters[d] || ''; });
    var fails = [false, false, false];
    for (var i = 0; !counted && i < ids.length; i++) {
      var f = facets.get(ids[i]);
      var failCount = 0;
      for (var d = 0; d < 3; d++) {
        fails[d] = want[d] !== '' && !has(f, DIMS[d], want[d]);
        if (fails[d]) failCount++;
      }
      if (failCount === 0) kept.push(ids[i]);
      for (d = 0; d < 3; d++) {
        // Each dimension counts over the hits that pass the OTHER dimensions' filters.
        if (failCount === 0 || (failCount === 1 && fails[d])) {
          var v = f[DIMS[d]];
          var c = counts[DIMS[d]];
          if (Array.isArray(v)) {
            for (var k = 0; k < v.length; k++) c.set(v[k], (c.get(v[k]) || 0) + 1);
          } else if (v) c.set(v, (c.get(v) || 0) + 1);
        }
      }
    }
    var out = {};
    DIMS.forEach(function (dim) {
      out[dim] = Array.from(counts[dim]).sort(function (a, b) {
        if (dim === 'year') return a[0] < b[0] ? 1 : -1;
        return b[1] - a[1] || cmp(a[0], b[0]);
      });
    });
    // `ids` (and so `kept`) are ascending: newest first.
    if (order && kept.length === ids.length) kept = order;
    else if (filters.sort !== 'date') kept = rank(kept, scores);
    return { total: kept.length, ids: kept, facets: out, plan: p };
  }

  // Ascending `ids` ordered by score (dense array by id) descending, then id ascending:
  // bucketed by distinct score, so ties cost nothing.
  function rank(ids, scores) {
    var buckets = new Map();
    for (var i = 0; i < ids.length; i++) {
      var s = scores[ids[i]];
      var b = buckets.get(s);
      if (b) b.push(ids[i]); else buckets.set(s, [ids[i]]);
    }
    var keys = Float64Array.from(buckets.keys()).sort();
    var out = [];
    for (var k = keys.length - 1; k >= 0; k--) {
      var list = buckets.get(keys[k]);
      for (i = 0; i < list.length; i++) out.push(list[i]);
    }
    return out;
  }


  // ------------------------------------------------------------- snippets

  function escapeHTML(s) {
    return s.replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  // Strings to highlight: the query's phrases and runs, then the bigrams of runs not found whole.
  function markStrings(p, normText) {
    var out = [];
    p.marks.forEach(function (s) {
      if (normText.indexOf(s) >= 0) out.push(s);
      else {
        var cs = Array.from(s);
        for (var i = 0; i + 1 < cs.length; i++) if (isCJK(cs[i]) && isCJK(cs[i + 1])) out.push(cs[i] + cs[i + 1]);
      }
    });
    return out.filter(function (s) { return s.length > 0; }).sort(function (a, b) { return b.length - a.length; });
  }

  /** HTML of `text` (at most `n` characters around the first match) with <mark>ed matches. */
  function snippet(text, p, n) {
    var chars = Array.from(text);
    var norm = chars.map(normalizeChar);
    var normText = norm.join('');
    var marks = markStrings(p, normText);
    // Character-indexed matches, longest first, non-overlapping.
    var taken = new Array(chars.length).fill(false);
    var ranges = [];
    marks.forEach(function (mk) {
      var len = Array.from(mk).length;
      for (var i = 0; i + len <= norm.length; i++) {
        if (norm[i] !== Array.from(mk)[0]) continue;
        if (norm.slice(i, i + len).join('') !== mk) continue;
        var free = true;
        for (var k = i; k < i + len; k++) if (taken[k]) { free = false; break; }
        if (!free) continue;
        for (k = i; k < i + len; k++) taken[k] = true;
        ranges.push([i, i + len]);
      }
    });
    ranges.sort(function (a, b) { return a[0] - b[0]; });
    var start = 0;
    if (n && chars.length > n) {
      start = ranges.length ? Math.max(0, ranges[0][0] - Math.floor(n / 3)) : 0;
      start = Math.min(start, chars.length - n);
    }
    var end = n ? Math.min(chars.length, start + n) : chars.length;
    var html = start > 0 ? '…' : '';
    var pos = start;
    ranges.forEach(function (r) {
      if (r[1] <= start || r[0] >= end) return;
      var a = Math.max(r[0], start);
      var b = Math.min(r[1], end);
      html += escapeHTML(chars.slice(pos, a).join('')) + '<mark>' + escapeHTML(chars.slice(a, b).join('')) + '</mark>';
      pos = b;
    });
    html += escapeHTML(chars.slice(pos, end).join('')) + (end < chars.length ? '…' : '');
    return html;
  }

  // ---------------------------------------------------------------- UI

  var DEFAULT_STRINGS = {
    label: '搜索文章', placeholder: '输入关键词，用引号搜索完整短语',
    sort: '排序', sortRelevance: '按相关度', sortDate: '按日期',
    region: '地区', topic: '主题', year: '年份', all: '全部',
    count: '共 {n} 篇', none: '没有找到相关文章', loading: '正在搜索…',
    error: '搜索暂时不可用，请稍后再试', more: '更多结果', short: '单个字请按回车搜索',
    partial: '（短语较常见：已核对 {m} 篇候选中最相关的 {k} 篇）'
  };

  var STYLE = '#folio-search{max-width:48rem;margin:0 auto}' +
    '#folio-search .fs-bar{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}' +
    '#folio-search input[type=search]{flex:1 1 12rem;min-width:0;font-size:1.1rem;padding:.5rem}' +
    '#folio-search select{font-size:1rem;padding:.4rem;max-width:100%}' +
    '#folio-search .fs-facets{display:flex;flex-wrap:wrap;gap:.5rem;margin:.75rem 0}' +
    '#folio-search .fs-facets label{display:flex;flex-direction:column;font-size:.85rem;flex:1 1 6rem;min-width:0}' +
    '#folio-search ol{list-style:none;padding:0}#folio-search li{margin:0 0 1.1rem}' +
    '#folio-search .fs-meta{font-size:.85rem;color:#666}#folio-search mark{background:#fde68a}' +
    '#folio-search .fs-snippet{margin:.25rem 0;overflow-wrap:anywhere}';

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function mount(root) {
    var S = Object.assign({}, DEFAULT_STRINGS);
    try { Object.assign(S, JSON.parse(root.getAttribute('data-strings') || '{}')); } catch (e) { /* keep defaults */ }
    var base = root.getAttribute('data-index') || '/search/';
    var engine = createEngine({ base: base });
    var style = el('style');
    style.textContent = STYLE;
    var input = el('input', { type: 'search', 'aria-label': S.label, placeholder: S.placeholder, autocomplete: 'off' });
    var sort = el('select', { 'aria-label': S.sort });
    sort.appendChild(el('option', { value: 'relevance' }, S.sortRelevance));
    sort.appendChild(el('option', { value: 'date' }, S.sortDate));
    var bar = el('form', { class: 'fs-bar', role: 'search' });
    bar.appendChild(input);
    bar.appendChild(sort);
    var facetBox = el('div', { class: 'fs-facets' });
    var selects = {};
    DIMS.forEach(function (d) {
      var label = el('label', {}, S[d]);
      selects[d] = el('select', { name: d });
      label.appendChild(selects[d]);
      facetBox.appendChild(label);
    });
    var status = el('p', { class: 'fs-status', 'aria-live': 'polite' });
    var list = el('ol', { class: 'fs-results' });
    var more = el('button', { type: 'button', class: 'fs-more', hidden: '' }, S.more);
    root.textContent = '';
    [style, bar, facetBox, status, list, more].forEach(function (n) { root.appendChild(n); });

    var params = new URLSearchParams(global.location.search);
    var state = { q: params.get('q') || '', sort: params.get('sort') === 'date' ? 'date' : 'relevance' };
    DIMS.forEach(function (d) { state[d] = params.get(d) || ''; });
    input.value = state.q;
    sort.value = state.sort;
    var seq = 0;
    var current = null;
    var shown = 0;

    function writeURL() {
      var p = new URLSearchParams();
      if (state.q) p.set('q', state.q);
      DIMS.forEach(function (d) { if (state[d]) p.set(d, state[d]); });
      if (state.sort === 'date') p.set('sort', 'date');
      var qs = p.toString();
      global.history.replaceState(null, '', global.location.pathname + (qs ? '?' + qs : ''));
    }

    function fillFacets(res) {
      DIMS.forEach(function (d) {
        var s = selects[d];
        s.textContent = '';
        s.appendChild(el('option', { value: '' }, S.all));
        var values = res ? res.facets[d] : [];
        if (state[d] && !values.some(function (v) { return v[0] === state[d]; })) values = values.concat([[state[d], 0]]);
        values.forEach(function (v) { s.appendChild(el('option', { value: v[0] }, v[0] + ' (' + v[1] + ')')); });
        s.value = state[d];
      });
    }

    function render(res, from) {
      var m = null;
      return engine.manifest().then(function (man) {
        m = man;
        return engine.records(res.ids.slice(from, from + m.pageSize));
      }).then(function (recs) {
        // A hit matched neither in its title, kicker nor lead gets its snippet from its full
        // text (fetched only then; see src/search/measure.rs).
        return Promise.all(recs.map(function (r) {
          var lead = snippet(r.lead || '', res.plan, m.snippetChars);
          var named = snippet((r.title || '') + '\n' + (r.kicker || ''), res.plan, 0);
          if (lead.indexOf('<mark>') >= 0 || named.indexOf('<mark>') >= 0) return [r, lead];
          return engine.texts([r.id]).then(function (t) {
            var full = snippet(t[0] || '', res.plan, m.snippetChars);
            return [r, full.indexOf('<mark>') >= 0 ? full : lead];
          }, function () { return [r, lead]; });
        }));
      }).then(function (rows) {
        rows.forEach(function (row) {
          var r = row[0];
          var li = el('li');
          var a = el('a', { href: r.url });
          a.innerHTML = snippet(r.title || r.url, res.plan, 0);
          var h = el('h3');
          h.appendChild(a);
          li.appendChild(h);
          var meta = [r.date || ''].concat(r.regions || []).filter(Boolean).join(' · ');
          if (r.kicker) { var k = el('p', { class: 'fs-kicker' }); k.innerHTML = snippet(r.kicker, res.plan, 0); li.appendChild(k); }
          li.appendChild(el('p', { class: 'fs-meta' }, meta));
          var sn = el('p', { class: 'fs-snippet' });
          sn.innerHTML = row[1];
          li.appendChild(sn);
          list.appendChild(li);
        });
        shown = from + rows.length;
        if (shown < res.total) more.removeAttribute('hidden'); else more.setAttribute('hidden', '');
      });
    }

    function run() {
      var my = ++seq;
      writeURL();
      if (!state.q.trim()) {
        status.textContent = '';
        list.textContent = '';
        more.setAttribute('hidden', '');
        fillFacets(null);
        root.setAttribute('data-state', 'done');
        return Promise.resolve();
      }
      status.textContent = S.loading;
      var filters = { region: state.region, topic: state.topic, year: state.year, sort: state.sort };
      return engine.search(state.q, filters).then(function (res) {
        if (my !== seq) return;
        current = res;
        list.textContent = '';
        fillFacets(res);
        status.textContent = res.total ? S.count.replace('{n}', String(res.total)) : S.none;
        if (res.partial) {
          status.textContent += ' ' + S.partial.replace('{k}', String(res.partial.checked))
            .replace('{m}', String(res.partial.candidates));
        }
        root.setAttribute('data-total', String(res.total));
        return render(res, 0);
      }).then(function () {
        if (my === seq) root.setAttribute('data-state', 'done');
      }).catch(function (err) {
        if (my !== seq) return;
        status.textContent = S.error;
        root.setAttribute('data-state', 'error');
        if (global.console) global.console.error(err);
      });
    }

    var timer = null;
    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        if (Array.from(input.value.trim()).length === 1) { status.textContent = S.short; return; }
        state.q = input.value;
        run();
      }, 150);
    });
    bar.addEventListener('submit', function (e) {
      e.preventDefault();
      clearTimeout(timer);
      state.q = input.value;
      run();
    });
    sort.addEventListener('change', function () { state.sort = sort.value; run(); });
    DIMS.forEach(function (d) {
      selects[d].addEventListener('change', function () { state[d] = selects[d].value; run(); });
    });
    more.addEventListener('click', function () {
      if (!current) return;
      if (!current.incomplete) { render(current, shown); return; }
      // A first page from a common term's head: load all its hits, then go on from `shown`.
      var my = seq;
      var filters = { region: state.region, topic: state.topic, year: state.year, sort: state.sort, full: true };
      engine.search(state.q, filters).then(function (res) {
        if (my !== seq) return;
        current = res;
        return render(res, shown);
      });
    });
    fillFacets(null);
    run();
  }

  var api = {
    normalize: normalize, tokenize: tokenize, runs: runs, plan: plan, cmp: cmp,
    createEngine: createEngine, snippet: snippet, mount: mount
  };
  if (typeof module !== 'undefined' && module.exports) module.exports = api;
  else global.FolioSearch = api;

  if (typeof document !== 'undefined') {
    var start = function () {
      var root = document.getElementById('folio-search');
      if (root) mount(root);
    };
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
    else start();
  }
})(typeof window !== 'undefined' ? window : globalThis);
